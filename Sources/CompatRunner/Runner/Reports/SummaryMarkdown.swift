// summary.md: the verdict, the grid as a table, the totals, and the first failing checks in
// full with the commands that reproduce them — always short enough for a pull-request comment.
// The size is kept by construction: the document is whole Markdown blocks, each added only when
// it fits, and what is left out is counted in one line that points at the other reports.

import TGP

extension MatrixResult {
    /// summary.md of this result: for a pull-request comment or a CI step's summary.
    public func summaryMarkdown(runId: RunID) -> String { SummaryMarkdown.render(self, stamp: ReportStamp(runId)) }
}

/// Whole Markdown blocks under a size limit: a block that does not fit is left out whole, never cut.
struct MarkdownBlocks {
    private(set) var blocks: [String] = []
    /// UTF-8 bytes so far, separators included: never fewer than the characters GitHub counts.
    private(set) var size = 0
    let limit: Int

    init(limit: Int) { self.limit = limit }

    var remaining: Int { limit - size }

    func fits(_ block: String) -> Bool { cost(block) <= remaining }

    /// Adds a block whatever its size: for the parts every summary has, each bounded on its own.
    mutating func add(_ block: String) {
        size += cost(block)
        blocks.append(block)
    }

    mutating func addIfFits(_ block: String) -> Bool {
        guard fits(block) else { return false }
        add(block)
        return true
    }

    /// Blocks are separated by one blank line.
    private func cost(_ block: String) -> Int { block.utf8.count + (blocks.isEmpty ? 0 : 2) }

    var text: String { blocks.joined(separator: "\n\n") }
}

enum SummaryMarkdown {
    /// GitHub takes a comment of up to 65,536 characters; the rest is for whatever a CI step puts around it.
    static let characterLimit = 60_000
    /// Room kept for the last lines (what was left out, the run id), whatever came before.
    static let closingReserve = 400 + ReportStamp.maximumFootCharacters
    /// Past this many failing checks the summary points at the other reports instead.
    static let maximumDetailedChecks = 40
    /// A frame's hex dump shows at most this many bytes; results.json has the whole frame.
    static let maximumFrameBytes = 1024
    /// A value (expected, actual, a message) shows at most this many characters.
    static let maximumValueCharacters = 200
    /// A peer's stderr shows its last lines only.
    static let maximumStderrLines = 20
    /// The grid takes at most this share of the summary; past it, only the rows with a failing cell.
    static let maximumGridSize = characterLimit / 3

    static func render(_ result: MatrixResult, stamp: ReportStamp) -> String {
        var doc = MarkdownBlocks(limit: characterLimit - closingReserve)
        doc.add("## Compatibility matrix: " + verdict(result))
        doc.add(gridTable(result))
        doc.add(ReportText.totalsLine(result))
        var omitted = Omitted()
        if result.allExpected {
            doc.add("All \(result.cells.count) cells as expected.")
        } else if result.cells.contains(where: ReportText.needsDetails) || !result.staleKnownFailures.isEmpty {
            doc.add("### Failures")
            omitted = addFailures(result, to: &doc)
        }
        addKnownFailures(result.cells, to: &doc)
        addSkippedChecks(ReportText.orderedCells(result), to: &doc)
        return close(doc, omitted: omitted, stamp: stamp)
    }

    /// The last lines: what did not fit, the stamp's foot, then the run id.
    static func close(_ doc: MarkdownBlocks, omitted: Omitted, stamp: ReportStamp) -> String {
        var doc = doc
        if let line = omitted.line { doc.add(line) }
        if let foot = stamp.summaryFoot { doc.add(foot) }
        doc.add(stamp.runId.summaryLine)
        return doc.text + "\n"
    }

    static func verdict(_ result: MatrixResult) -> String {
        if result.allExpected { return "as expected" }
        var parts = result.totals.filter { !$0.state.isExpected }.map { "\($0.count) \($0.state.rawValue)" }
        let stale = ReportText.staleCount(result)
        if stale > 0 { parts.append(ReportText.plural(stale, "stale known failure", "stale known failures")) }
        return "not as expected (" + parts.joined(separator: ", ") + ")"
    }

    // MARK: The grid

    /// The grid as a table; when it would take more than its share, only the rows with a cell
    /// not as expected, as many as fit, and a line saying how many rows were left out.
    static func gridTable(_ result: MatrixResult) -> String {
        let header =
            "| " + (["client \\ gateway"] + result.gateways.map(escaped)).joined(separator: " | ") + " |\n"
            + "|" + String(repeating: " --- |", count: result.gateways.count + 1)
        guard header.utf8.count < maximumGridSize else {
            return "The grid has \(result.clients.count) × \(result.gateways.count) cells, too wide for a comment: see results.json."
        }
        let rows = result.clients.map { client in
            let states = result.gateways.map { result.cell(client: client, gateway: $0) }
            let row = "| " + ([escaped(client)] + states.map { $0?.state.rawValue ?? "-" }).joined(separator: " | ") + " |"
            return (row: row, expected: states.allSatisfy { $0.map { !ReportText.needsDetails($0) } ?? true })
        }
        let whole = ([header] + rows.map(\.row)).joined(separator: "\n")
        if whole.utf8.count <= maximumGridSize { return whole }
        var table = header
        var shown = 0
        for row in rows where !row.expected {
            guard table.utf8.count + row.row.utf8.count + 1 <= maximumGridSize - 200 else { break }
            table += "\n" + row.row
            shown += 1
        }
        return table + "\n\n" + "(\(ReportText.plural(rows.count - shown, "more row", "more rows")) of \(rows.count) not shown"
            + (shown > 0 ? "; the rows shown hold the cells not as expected" : "") + ": see results.json.)"
    }

    // MARK: Failures

    /// What the summary had no room for.
    struct Omitted {
        var checks = 0
        /// The cells with a check or their heading left out (a crash may have no failing check).
        var cells = Set<String>()
        var staleEntries = 0

        var line: String? {
            var parts = [String]()
            if checks > 0 {
                parts.append(
                    ReportText.plural(checks, "more failing check", "more failing checks") + " in "
                        + ReportText.plural(cells.count, "cell", "cells"))
            } else if !cells.isEmpty {
                parts.append(ReportText.plural(cells.count, "more cell", "more cells") + " not as expected")
            }
            if staleEntries > 0 {
                parts.append(ReportText.plural(staleEntries, "more stale knownFailures entry", "more stale knownFailures entries"))
            }
            guard !parts.isEmpty else { return nil }
            return "… and " + parts.joined(separator: " and ") + ": see results.json and report.html."
        }
    }

    /// Each cell with a problem of its own (a crash, a timeout) or stale checks; then the findings
    /// (failures grouped by cause, FailureGroups.swift), each with one check in full; then
    /// the stale wildcard entries, as long as they fit and up to `maximumDetailedChecks`
    /// blocks; the rest counted. A frame is shown once; a later use refers back to it.
    static func addFailures(_ result: MatrixResult, to doc: inout MarkdownBlocks) -> Omitted {
        var omitted = Omitted()
        var frames = FrameLabels()
        var detailed = 0
        var full = false
        func add(_ block: (inout FrameLabels) -> String, checks: Int, cells: [String]) {
            var labels = frames
            if !full, detailed < maximumDetailedChecks, doc.addIfFits(block(&labels)) {
                frames = labels
                detailed += 1
            } else {
                full = true
                omitted.checks += checks
                omitted.cells.formUnion(cells)
            }
        }
        // A peer that died or hung first: no finding says that.
        for cell in ReportText.orderedCells(result) where ReportText.needsDetails(cell) {
            let stale = cell.checks.filter { $0.status == .stalePass }
            guard cell.problem != nil || !stale.isEmpty || !cell.checks.contains(where: { $0.status == .failed }) else { continue }
            let name = ReportText.cellName(cell)
            add({ _ in cellHeading(cell) }, checks: 0, cells: [name])
            for check in stale { add({ checkBlock(check, in: cell, frames: &$0) }, checks: 1, cells: [name]) }
        }
        for (number, group) in FailureGrouping.groups(result).enumerated() {
            add(
                { findingBlock(group, number: number + 1, frames: &$0) }, checks: group.members.count,
                cells: group.cells.map(ReportText.cellName))
        }
        for entry in result.staleKnownFailures {
            if full || !doc.addIfFits(staleEntryBlock(entry)) {
                full = true
                omitted.staleEntries += 1
            }
        }
        return omitted
    }

    static func cellHeading(_ cell: CellResult) -> String {
        var parts = ["#### \(escaped(ReportText.cellName(cell))): \(cell.state.rawValue)"]
        if let problem = cell.problem { parts.append(escaped(capped(problem))) }
        if cell.state == .crash || cell.state == .timeout || cell.state == .notRun {
            if !cell.peers.isEmpty { parts.append(codeBlock(peerText(cell), language: "text")) }
            parts.append(codeBlock(cell.reproduce.printableLine, language: "sh"))
        }
        return parts.joined(separator: "\n\n")
    }

    static func checkBlock(_ check: CheckResult, in cell: CellResult, frames: inout FrameLabels) -> String {
        let mark = check.status == .stalePass ? "stale known failure" : "failed"
        var parts = ["**" + code(check.name) + "** " + mark]
        if check.status == .stalePass {
            parts.append(
                "Listed in knownFailures" + (check.knownReason.map { " (" + escaped($0) + ")" } ?? "")
                    + " but passed: remove it from matrix.json.")
        }
        if let failure = check.failure {
            parts.append(escaped(capped(failure.message)))
            var facts = [String]()
            if !check.rules.isEmpty { facts.append("rules " + escaped(check.rules.joined(separator: ", "))) }
            if let field = failure.field { facts.append("field " + code(field)) }
            if let expected = failure.expected { facts.append("expected " + code(capped(expected))) }
            if let actual = failure.actual { facts.append("actual " + code(capped(actual))) }
            if !facts.isEmpty { parts.append(facts.joined(separator: " · ")) }
            for (title, frame) in failure.labelledFrames {
                parts.append(frames.block(title: title, frame: frame, marking: failure.firstDifference))
            }
        }
        parts.append(codeBlock(reproduceCommand(for: check, in: cell).printableLine, language: "sh"))
        return parts.joined(separator: "\n\n")
    }

    static func staleEntryBlock(_ entry: StaleKnownFailure) -> String {
        "**stale knownFailures entry** " + code(entry.entry) + "\n\n" + escaped(entry.message)
    }

    /// Each distinct frame gets a number the first time it is shown; later uses refer to it.
    struct FrameLabels {
        private var numbers: [[UInt8]: Int] = [:]

        mutating func block(title: String, frame: [UInt8], marking: Int?) -> String {
            let size = ReportText.plural(frame.count, "byte", "bytes")
            if let number = numbers[frame] { return "\(title): frame \(number) above (\(size))" }
            let number = numbers.count + 1
            numbers[frame] = number
            if frame.isEmpty { return "\(title): frame \(number), empty" }
            var dump = ReportText.hexDump(Array(frame.prefix(maximumFrameBytes)), marking: marking)
            if frame.count > maximumFrameBytes {
                dump.append(
                    "… \(ReportText.plural(frame.count - maximumFrameBytes, "more byte", "more bytes")): the whole frame is in results.json"
                )
            }
            return "<details><summary>\(title): frame \(number) (\(size))</summary>\n\n"
                + codeBlock(dump.joined(separator: "\n"), language: "text") + "\n\n</details>"
        }
    }

    /// How each peer ended, and the last lines of its stderr.
    static func peerText(_ cell: CellResult) -> String {
        var lines = [String]()
        for peer in cell.peers {
            lines.append("\(peer.role) \(peer.name): \(peer.termination ?? "still running")".printableLine)
            let tail = peer.stderrTail.trimmingCharacters(in: .newlines)
            guard !tail.isEmpty else { continue }
            let all = tail.split(separator: "\n", omittingEmptySubsequences: false)
            let shown = all.suffix(maximumStderrLines)
            lines.append(
                "  stderr"
                    + (all.count > shown.count ? " (last \(shown.count) of \(all.count) lines; all in the cell's kept folder):" : ":"))
            lines += shown.map { "    " + capped(String($0)).printable }
        }
        return lines.joined(separator: "\n")
    }

    // MARK: Known failures

    /// The known failures, one line each, as many as fit.
    static func addKnownFailures(_ cells: [CellResult], to doc: inout MarkdownBlocks) {
        let known = cells.flatMap { cell in cell.checks.filter { $0.status == .knownFailure } }
        addList(
            "### Known failures", known.map { "- " + code($0.name) + ": " + escaped(capped($0.knownReason ?? "listed in knownFailures")) },
            to: &doc)
    }

    /// The checks a peer's contract version could not take, per cell and reason: never hidden.
    static func addSkippedChecks(_ cells: [CellResult], to doc: inout MarkdownBlocks) {
        let groups = ReportText.skipGroups(cells)
        let unaccepted = cells.reduce(0) { $0 + $1.checks.filter(\.isUnacceptedSkip).count }
        addList(
            "### Skipped checks (peer contract too old)"
                + (unaccepted == 0
                    ? "" : "\n\n\(unaccepted) not accepted by matrix.json's `acceptedSkips`: their cells are PARTIAL, not PASS"),
            groups.map { "- " + code($0.cell) + ": " + ReportText.plural($0.count, "check", "checks") + " " + escaped(capped($0.reason)) }
                + ReportText.acceptedSkipReasons(cells).map { "- accepted by matrix.json's `acceptedSkips`: " + escaped(capped($0)) },
            to: &doc)
    }

    /// A heading and up to `maximumDetailedChecks` of `lines`, as many as fit, then how many more.
    static func addList(_ heading: String, _ lines: [String], to doc: inout MarkdownBlocks) {
        guard !lines.isEmpty else { return }
        let reserve = 60
        guard doc.remaining > reserve * 3 else { return }
        var list = [String]()
        var size = heading.utf8.count + 2
        for line in lines.prefix(maximumDetailedChecks) {
            guard size + line.utf8.count + 1 + reserve <= doc.remaining else { break }
            size += line.utf8.count + 1
            list.append(line)
        }
        if lines.count > list.count { list.append("- … and \(lines.count - list.count) more: see results.json") }
        doc.add(heading + "\n\n" + list.joined(separator: "\n"))
    }

    // MARK: Markdown pieces

    static func codeBlock(_ content: String, language: String) -> String {
        let fence = String(repeating: "`", count: max(3, longestBacktickRun(content) + 1))
        return fence + language + "\n" + content + "\n" + fence
    }

    /// Text of a section in a code block, at most `limit` bytes, cut at a line with a count of the lines left out.
    static func cappedCodeBlock(_ content: String, limit: Int, language: String = "text") -> String {
        let lines = content.trimmingCharacters(in: .newlines).split(separator: "\n", omittingEmptySubsequences: false)
        var kept = [String]()
        var size = 0
        for line in lines {
            let shown = capped(String(line)).printable
            guard size + shown.utf8.count + 1 <= limit else { break }
            size += shown.utf8.count + 1
            kept.append(shown)
        }
        if kept.count < lines.count { kept.append("… \(ReportText.plural(lines.count - kept.count, "more line", "more lines"))") }
        return codeBlock(kept.joined(separator: "\n"), language: language)
    }

    /// At most `maximumValueCharacters`, with how many were left out.
    static func capped(_ text: String) -> String {
        guard text.count > maximumValueCharacters else { return text }
        return String(text.prefix(maximumValueCharacters)) + "… (\(text.count - maximumValueCharacters) more characters)"
    }

    /// Inline code that survives backticks, line breaks and control characters in the value.
    static func code(_ value: String) -> String {
        let value = value.printableLine
        if value.isEmpty { return "*(empty)*" }
        let fence = String(repeating: "`", count: longestBacktickRun(value) + 1)
        let pad = value.hasPrefix("`") || value.hasSuffix("`") ? " " : ""
        return fence + pad + value + pad + fence
    }

    static func longestBacktickRun(_ text: String) -> Int {
        var longest = 0
        var run = 0
        for character in text {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        return longest
    }

    /// Plain text that Markdown must not read as markup, tables or HTML, nor GitHub as a mention
    /// or a link: each word with `@` or a URL in it goes in a code span (`|` splits words, as a
    /// code span cannot hold it in a table).
    static func escaped(_ text: String) -> String {
        var out = ""
        var word = ""
        for character in text.printableLine {
            guard character.isWhitespace || character == "|" else {
                word.append(character)
                continue
            }
            out += escapedWord(word) + (character == "|" ? "\\|" : String(character))
            word = ""
        }
        return out + escapedWord(word)
    }

    private static func escapedWord(_ word: String) -> String {
        if mentionsOrLinks(word) { return code(word) }
        var out = ""
        for character in word {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\\", "`", "*", "_", "[", "]", "#", "~": out += "\\" + String(character)
            default: out.append(character)
            }
        }
        return out
    }

    /// Whether GitHub could read a word as a mention (`@user`, `@org/team`), an e-mail address or a link.
    private static func mentionsOrLinks(_ word: String) -> Bool {
        let lowered = word.lowercased()
        return word.contains("@") || lowered.contains("://") || lowered.contains("www.")
    }
}
