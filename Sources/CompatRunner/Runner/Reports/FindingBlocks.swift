// The failure groups (FailureGroups.swift) as summary.md and report.html show them: each group
// once, with what is wrong, one representative check in full, the checks and cells it covers,
// and the command that reproduces it, as the terminal prints them.

extension FailureGroup {
    /// "20 checks in 7 cells, frames from v4"
    var headline: String {
        ReportText.plural(members.count, "check", "checks") + " in " + ReportText.plural(cells.count, "cell", "cells")
            + (peer.map { ", frames from " + $0 } ?? "")
    }

    /// The check names after their cells' prefix, each once, sorted: as knownFailures entries name them.
    var checkNamesInCell: [String] {
        let named = members.map { member in
            String(member.check.name.dropFirst(CheckName.cellPrefix(client: member.cell.client, gateway: member.cell.gateway).count))
        }
        return Array(Set(named)).sorted()
    }
}

extension SummaryMarkdown {
    /// Past this many, a finding's checks and cells are counted, not named.
    static let namedPerFinding = 20

    /// One finding: its heading and cause, the first check in full, the checks and cells it covers.
    static func findingBlock(_ group: FailureGroup, number: Int, frames: inout FrameLabels) -> String {
        let (cell, check) = group.members[0]
        return [
            "#### Finding \(number): \(escaped(group.headline))",
            escaped(capped(group.cause)),
            "For example:",
            checkBlock(check, in: cell, frames: &frames),
            "checks: " + namedList(group.checkNamesInCell),
            "cells: " + namedList(group.cells.map(ReportText.cellName)),
        ].joined(separator: "\n\n")
    }

    private static func namedList(_ names: [String]) -> String {
        let shown = names.prefix(namedPerFinding).map(code).joined(separator: ", ")
        return names.count > namedPerFinding ? shown + ", … (\(names.count - namedPerFinding) more in results.json)" : shown
    }
}

extension HTMLReport {
    /// The findings above the grid: each group once, linking to the cell that holds its example.
    static func findings(_ result: MatrixResult) -> String {
        let groups = FailureGrouping.groups(result)
        guard !groups.isEmpty else { return "" }
        let items = groups.enumerated().map { number, group in
            let (cell, check) = group.members[0]
            let cellName = ReportText.cellName(cell)
            return "<li class=\"finding\"><p><b>Finding \(number + 1): \(escaped(group.headline))</b>: \(escaped(group.cause))</p>\n"
                + "<p>For example <a href=\"#\(escaped(fragment(cellName)))\"><code>\(escaped(check.name))</code></a>"
                + " (rules \(escaped(group.rules.joined(separator: ", "))))</p>\n"
                + namesDetails("checks", group.checkNamesInCell) + namesDetails("cells", group.cells.map(ReportText.cellName))
                + "<pre class=\"reproduce\">\(escaped(reproduceCommand(for: check, in: cell)))</pre></li>\n"
        }
        return "<div class=\"findings\"><h2>Findings (\(groups.count))</h2>\n<ol>\n" + items.joined() + "</ol></div>\n"
    }

    private static func namesDetails(_ title: String, _ names: [String]) -> String {
        "<details><summary>\(title) (\(names.count))</summary><ul class=\"names\">"
            + names.map { "<li><code>\(escaped($0))</code></li>" }.joined() + "</ul></details>\n"
    }
}
