// report.html: the matrix for a person in a browser — the grid coloured by state, and behind
// each cell its checks: failures in full, passing checks as a list of names. One file, its
// style and script inline and nothing fetched. Everything is readable with scripts off
// (<details>); the script only filters, and opens the cell the address names
// (`report.html#client=v3/gateway=v5`).
//
// The markup is also well-formed XML (every element closed, attributes quoted, the script in
// CDATA), so tests read it with an XML parser and XPath.

import Foundation

enum HTMLReport {
    /// The page of a matrix run (and of `compat pair`, a matrix of one cell).
    static func render(_ result: MatrixResult, stamp: ReportStamp) -> String {
        var frames = FrameIndex()
        let body =
            "<h1>Compatibility matrix: " + escaped(SummaryMarkdown.verdict(result)) + "</h1>\n"
            + matrixBlock(result, frames: &frames)
        return page(title: "compat matrix: " + SummaryMarkdown.verdict(result), body: body, stamp: stamp)
    }

    /// The grid with its totals and filters, then every cell's details: the matrix part of
    /// the matrix page and of the gate's page.
    static func matrixBlock(_ result: MatrixResult, frames: inout FrameIndex) -> String {
        totals(result) + findings(result) + filters(result.cells) + grid(result)
            + "<div class=\"cells\">\n" + ReportText.orderedCells(result).map { cellDetails($0, frames: &frames) }.joined() + "</div>\n"
    }

    /// A whole document around `body`, carrying the run id in a meta element and the footer.
    static func page(title: String, body: String, stamp: ReportStamp) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"/>
        <meta name="compat-run-id" content="\(escaped(stamp.runId.value))"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>\(escaped(title))</title>
        <style>\(HTMLReportAssets.style)</style>
        </head>
        <body>
        \(body)<footer>run id: <code>\(escaped(stamp.runId.value))</code> · compat \(escaped(CompatVersion.current))\(stamp.htmlFooterFacts)</footer>
        <script>//<![CDATA[
        \(HTMLReportAssets.script)
        //]]></script>
        </body></html>

        """
    }

    // MARK: The grid

    static func totals(_ result: MatrixResult) -> String {
        let states = result.totals.map { "<span class=\"state \(stateClass($0.state))\">\($0.count) \($0.state.rawValue)</span>" }
        let stale = ReportText.staleCount(result)
        var facts = [
            ReportText.plural(result.cells.count, "cell", "cells"), ReportText.plural(ReportText.checkCount(result), "check", "checks"),
            "wall \(ReportText.seconds(result.wallSeconds)) s, " + ReportText.plural(result.jobs, "job", "jobs"),
        ]
        if stale > 0 { facts.insert(ReportText.plural(stale, "stale known failure", "stale known failures"), at: 0) }
        return "<p class=\"totals\">" + states.joined(separator: " ") + " " + facts.map(escaped).joined(separator: " · ") + "</p>\n"
    }

    /// Filters by state and by check name; hidden until the script shows them, as they need it.
    static func filters(_ cells: [CellResult]) -> String {
        let boxes = CellState.allCases.map { state in
            let count = cells.filter { $0.state == state }.count
            return
                "<label class=\"state \(stateClass(state))\"><input type=\"checkbox\" data-filter-state=\"\(state.rawValue)\" checked=\"\"/> "
                + "\(state.rawValue) (\(count))</label>"
        }
        return "<form class=\"filters\" hidden=\"\" onsubmit=\"return false\">" + boxes.joined(separator: " ")
            + " <label>check <input type=\"search\" data-filter-check=\"\" placeholder=\"name, * for any text\"/></label></form>\n"
    }

    /// Client rows × gateway columns; each cell its state, its counts, and a link to its details.
    static func grid(_ result: MatrixResult) -> String {
        var rows = [
            "<table class=\"grid\" id=\"grid\">",
            "<thead><tr><th>client \\ gateway</th>" + result.gateways.map { "<th>\(escaped($0))</th>" }.joined() + "</tr></thead>",
            "<tbody>",
        ]
        for client in result.clients {
            let cells = result.gateways.map { gateway in
                result.cell(client: client, gateway: gateway).map(gridCell) ?? "<td class=\"empty\">-</td>"
            }
            rows.append("<tr><th>\(escaped(client))</th>" + cells.joined() + "</tr>")
        }
        return rows.joined(separator: "\n") + "\n</tbody></table>\n"
    }

    static func gridCell(_ cell: CellResult) -> String {
        let name = ReportText.cellName(cell)
        func count(_ status: CheckStatus) -> Int { cell.checks.filter { $0.status == status }.count }
        let counts =
            ["\(count(.passed))/\(cell.checks.count) passed"]
            + [(CheckStatus.failed, "failed"), (.stalePass, "stale"), (.skipped, "skipped")].filter { count($0.0) > 0 }.map {
                "\(count($0.0)) \($0.1)"
            }
        return "<td class=\"cell \(stateClass(cell.state))\" data-cell=\"\(escaped(name))\" data-client=\"\(escaped(cell.client))\""
            + " data-gateway=\"\(escaped(cell.gateway))\" data-state=\"\(cell.state.rawValue)\">"
            + "<a href=\"#\(escaped(fragment(name)))\">\(cell.state.rawValue)</a><span class=\"counts\">\(counts.joined(separator: ", "))</span></td>"
    }

    // MARK: One cell

    /// A cell (or a fleet or upgrade) behind its summary line: problem, failing checks in full,
    /// passing checks by name, skipped and not-run checks with their reasons, the peers.
    static func cellDetails(_ cell: CellResult, frames: inout FrameIndex) -> String {
        let name = ReportText.cellName(cell)
        var out = "<details class=\"cell\" id=\"\(escaped(name))\" data-cell=\"\(escaped(name))\" data-state=\"\(cell.state.rawValue)\">\n"
        out += "<summary>" + badge(cell.state) + " <code>\(escaped(name))</code> " + escaped(tally(cell)) + "</summary>\n"
        var facts = [(String, String)]()
        if let problem = cell.problem { facts.append(("problem", escaped(problem))) }
        if let kept = cell.keptDirectory { facts.append(("kept", "<code>\(escaped(kept))</code>")) }
        facts.append(("reproduce the cell", "<code>\(escaped(cell.reproduce))</code>"))
        out += definitionList(facts)
        let prefix = name + "/"
        let detailed = cell.checks.filter { [CheckStatus.failed, .stalePass, .knownFailure].contains($0.status) }
        if !detailed.isEmpty {
            out += group("Failing and known (\(detailed.count))", detailed.map { checkDetails($0, in: cell, frames: &frames) }.joined())
        }
        let unrun = cell.checks.filter { $0.status == .notRun || $0.status == .skipped }
        if !unrun.isEmpty {
            out += group("Skipped or not run (\(unrun.count))", nameList(unrun, prefix: prefix, withReasons: true))
        }
        let passed = cell.checks.filter { $0.status == .passed }
        if !passed.isEmpty {
            out += group("Passed (\(passed.count))", nameList(passed, prefix: prefix, withReasons: false))
        }
        if cell.checks.isEmpty { out += "<p>(no checks ran)</p>\n" }
        if !cell.peers.isEmpty {
            out +=
                "<div class=\"group\"><h4>Peers</h4>\n<pre class=\"peers\">" + escaped(ReportText.peerLines(cell).joined(separator: "\n"))
                + "</pre></div>\n"
        }
        return out + "</details>\n"
    }

    /// "117 passed, 2 failed · N=3 · 0.42 s"
    static func tally(_ cell: CellResult) -> String {
        let counts: [(CheckStatus, String)] = [
            (.passed, "passed"), (.failed, "failed"), (.knownFailure, "known"),
            (.stalePass, "stale"), (.notRun, "not run"),
        ]
        var parts = counts.compactMap { status, word -> String? in
            let count = cell.checks.filter { $0.status == status }.count
            return count > 0 || status == .passed ? "\(count) \(word)" : nil
        }
        if let skips = ReportText.skipsText(cell.checks) { parts.append(skips) }
        return parts.joined(separator: ", ") + " · " + ReportText.negotiated(cell) + " · " + ReportText.seconds(cell.seconds) + " s"
    }

    /// A failed, stale or known check in full: open unless it is a known failure.
    static func checkDetails(_ check: CheckResult, in cell: CellResult, frames: inout FrameIndex) -> String {
        let open = check.status == .knownFailure ? "" : " open=\"\""
        var out = "<details class=\"check\"\(open) data-check=\"\(escaped(check.name))\" data-status=\"\(check.status.rawValue)\">\n"
        out +=
            "<summary><span class=\"mark \(markClass(check.status))\">\(ReportText.mark(check.status))</span> <code>\(escaped(check.name))</code></summary>\n"
        if check.status == .stalePass {
            let reason = check.knownReason.map { " (\($0))" } ?? ""
            out +=
                "<p class=\"note\">" + escaped("listed as a known failure\(reason) but passed: remove it from matrix.json's knownFailures")
                + "</p>\n"
        } else if check.status == .knownFailure {
            out += "<p class=\"note\">" + escaped("known failure: " + (check.knownReason ?? "listed in knownFailures")) + "</p>\n"
        }
        var facts = [(String, String)]()
        if let failure = check.failure {
            out += "<p class=\"message\">" + escaped(failure.message) + "</p>\n"
            if !check.rules.isEmpty {
                facts.append(("rules", check.rules.map { "<span class=\"rule\">\(escaped($0))</span>" }.joined(separator: " ")))
            }
            if let field = failure.field { facts.append(("field", "<code>\(escaped(field))</code>")) }
            if let expected = failure.expected { facts.append(("expected", "<code class=\"expected\">\(escaped(expected))</code>")) }
            if let actual = failure.actual { facts.append(("actual", "<code class=\"actual\">\(escaped(actual))</code>")) }
            for (title, frame) in failure.labelledFrames {
                facts.append(
                    ("\(title) (\(ReportText.plural(frame.count, "byte", "bytes")))", frames.html(frame, marking: failure.firstDifference)))
            }
        } else if check.status == .failed {
            out += "<p class=\"message\">failed (no details recorded)</p>\n"
        }
        facts.append(("reproduce", "<code>\(escaped(reproduceCommand(for: check, in: cell)))</code>"))
        return out + definitionList(facts) + "</details>\n"
    }

    /// Checks as a compact list of names, shortened by the cell's own prefix; with `withReasons`,
    /// each followed by why it did not run.
    static func nameList(_ checks: [CheckResult], prefix: String, withReasons: Bool) -> String {
        let items = checks.map { check in
            let short = check.name.hasPrefix(prefix) ? String(check.name.dropFirst(prefix.count)) : check.name
            var item = "<li data-check=\"\(escaped(check.name))\" data-status=\"\(check.status.rawValue)\">\(escaped(short))"
            if withReasons {
                let reason =
                    check.status == .skipped
                    ? ReportText.skipReason(check)
                    : check.reason ?? (check.status == .notRun ? "the cell stopped before it" : "no reason given")
                item += " <span class=\"reason\">(\(ReportText.mark(check.status).lowercased()): \(escaped(reason)))</span>"
            }
            return item + "</li>"
        }
        return "<ul class=\"names\">" + items.joined() + "</ul>\n"
    }

    static func group(_ title: String, _ content: String) -> String {
        "<div class=\"group\"><h4>\(escaped(title))</h4>\n" + content + "</div>\n"
    }

    /// Terms and their already-escaped definitions.
    static func definitionList(_ facts: [(String, String)]) -> String {
        "<dl>" + facts.map { term, html in "<dt>\(escaped(term))</dt><dd>\(html)</dd>" }.joined() + "</dl>\n"
    }

    // MARK: Frames

    /// Each distinct frame printed once, as the terminal prints it; a frame seen before is a
    /// link to its first dump (the same faulty frame tends to fail many checks and cells).
    struct FrameIndex {
        private var numbers: [[UInt8]: Int] = [:]

        mutating func html(_ frame: [UInt8], marking: Int? = nil) -> String {
            if frame.isEmpty { return "(empty)" }
            if let number = numbers[frame] {
                return "same as <a href=\"#frame-\(number)\">frame \(number)</a>"
            }
            let number = numbers.count + 1
            numbers[frame] = number
            return "<pre class=\"hex\" id=\"frame-\(number)\">frame \(number)\n"
                + ReportText.hexDump(frame, marking: marking).joined(separator: "\n")
                + "</pre>"
        }
    }

    // MARK: Text

    static func badge(_ state: CellState) -> String {
        "<span class=\"state \(stateClass(state))\">\(state.rawValue)</span>"
    }

    /// `s-pass`, `s-not-run`: the state's class in the style sheet.
    static func stateClass(_ state: CellState) -> String {
        "s-" + state.rawValue.lowercased().replacingOccurrences(of: " ", with: "-")
    }

    static func markClass(_ status: CheckStatus) -> String {
        "m-" + status.rawValue.lowercased()
    }

    /// The address fragment that names `id`: percent-encoded where a URL fragment needs it.
    static func fragment(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .urlFragmentAllowed) ?? id
    }

    /// Text as element content or an attribute value: control characters shown as escapes
    /// (a peer's text is printed, never obeyed), markup and both quotes as references.
    static func escaped(_ text: String) -> String {
        // Quotes always, so one rule serves content and attributes; line breaks kept (<pre>).
        XMLEscaping.escaped(text, quotes: true, breaks: false)
    }
}
