// What a run prints on the terminal: the matrix grid, every failure with the command that
// reproduces it, and the check-by-check listing of one cell for `compat pair`.
import Foundation
import TGP

// MARK: - The grid

/// The matrix as client rows × gateway columns, then the totals line.
/// With `color`, states are wrapped in ANSI colours; without, the text is plain.
public func renderGrid(_ result: MatrixResult, color: Bool) -> String {
    let corner = "client \\ gateway"
    // Names may come from a results.json read back: shown as any other foreign text.
    let clients = result.clients.map(\.printableLine)
    let gateways = result.gateways.map(\.printableLine)
    let labels = result.clients.map { client in
        result.gateways.map { gateway in result.cell(client: client, gateway: gateway)?.state }
    }
    let rowWidth = ([corner] + clients).map(\.count).max() ?? 0
    // One width for every column, so the grid reads as a square whatever the names.
    let columnWidth =
        (gateways.map(\.count)
        + labels.flatMap { $0.map { ReportText.gridLabel($0).count } }).max() ?? 0

    var lines = [String]()
    var header = ReportText.padded(corner, to: rowWidth)
    for gateway in gateways {
        header += "  " + ReportText.padded(gateway, to: columnWidth)
    }
    lines.append(ReportText.trimmingTrailingSpaces(header))
    for (row, client) in clients.enumerated() {
        var line = ReportText.padded(client, to: rowWidth)
        for state in labels[row] {
            let label = ReportText.gridLabel(state)
            let padding = String(repeating: " ", count: max(0, columnWidth - label.count))
            line += "  " + ReportText.colored(label, state, color) + padding
        }
        lines.append(ReportText.trimmingTrailingSpaces(line))
    }
    lines.append("")
    lines.append(ReportText.totalsLine(result, color: color))
    lines += ReportText.skipLines(ReportText.orderedCells(result))
    return lines.joined(separator: "\n") + "\n"
}

// MARK: - Failures

/// Every cell that is not PASS or INCOMPATIBLE (or that holds a stale known failure): its
/// state, problem and kept folder, each failed or stale check with its field, expected and
/// actual values, both frames in hex and the command that reproduces it, and the peers'
/// terminations and stderr tails. Empty when there is nothing to report.
public func renderFailures(_ result: MatrixResult, verbose: Bool = false) -> String {
    let cells = ReportText.orderedCells(result).filter(ReportText.needsDetails)
    var blocks =
        verbose
        ? cells.map { ReportText.cellDetails($0, verbose: false) }
        : FailureGrouping.groups(result).enumerated().map { ReportText.findingText($1, number: $0 + 1) }
            + [ReportText.cellsInBrief(cells)]
    blocks += result.staleKnownFailures.map { "STALE  \($0.message.printableLine)\n" }
    return blocks.filter { !$0.isEmpty }.joined(separator: "\n")
}

/// The command that reproduces one check: the cell's command, narrowed to the check's message
/// type when it is about one (`… --message NewOrder`).
public func reproduceCommand(for check: CheckResult, in cell: CellResult) -> String {
    check.message.map { cell.reproduce + " --message " + $0 } ?? cell.reproduce
}

// MARK: - One cell

/// One cell for `compat pair`: every check on a line of its own with its mark, then the
/// failure details, then the cell's verdict. `verbose` adds the details of known failures
/// and the peers' terminations and stderr even when the cell passed. With `color`, the verdict's state is coloured as in the grid.
public func renderCell(_ cell: CellResult, verbose: Bool, color: Bool = false) -> String {
    var lines = [String]()
    let markWidth = ReportText.markWidth
    for check in cell.checks {
        var line = ReportText.padded(ReportText.mark(check.status), to: markWidth) + "  " + check.name.printableLine
        if check.status == .knownFailure || check.status == .stalePass, let reason = check.knownReason {
            line += "  (known: \(reason.printableLine))"
        }
        if check.status == .skipped {
            line += "  (\(ReportText.skipReason(check).printableLine))"
        }
        lines.append(line)
    }
    if cell.checks.isEmpty {
        lines.append("(no checks ran)")
    }
    if verbose || ReportText.needsDetails(cell) {
        lines.append("")
        lines.append(ReportText.cellDetails(cell, verbose: verbose).trimmingCharacters(in: .newlines))
    }
    lines.append("")
    lines.append(ReportText.verdictLine(cell, color: color))
    return lines.joined(separator: "\n") + "\n"
}

// MARK: - Text shared by the terminal and the report files

/// Pieces of report text that the terminal, JUnit and Markdown reports share.
enum ReportText {
    static let hexBytesPerLine = 16

    static func cellName(_ cell: CellResult) -> String {
        // A fleet or an upgrade carries its scenario's name where a cell has its client.
        cell.client.contains("=") ? cell.client : "client=\(cell.client)/gateway=\(cell.gateway)"
    }

    /// The state as the grid shows it: INCOMPATIBLE is shortened so columns stay narrow.
    static func gridLabel(_ state: CellState?) -> String {
        switch state {
        case .incompatible: "INCOMPAT"
        case let state?: state.rawValue
        case nil: "-"
        }
    }

    /// The width of the widest check mark, so names line up.
    static let markWidth = "SKIPPED".count

    static func mark(_ status: CheckStatus) -> String {
        switch status {
        case .passed: "PASS"
        case .failed: "FAIL"
        case .knownFailure: "KNOWN"
        case .stalePass: "STALE"
        case .notRun: "NOT RUN"
        case .skipped: "SKIPPED"
        }
    }

    static func colored(_ text: String, _ state: CellState?, _ color: Bool) -> String {
        guard color, let state else { return text }
        let code =
            switch state {
            case .pass: "32"  // green
            case .incompatible: "36"  // cyan
            case .fail: "31"  // red
            case .crash: "1;31"  // bold red
            case .timeout: "35"  // magenta
            case .known: "33"  // yellow
            case .partial: "1;33"  // bold yellow
            case .notRun: "2"  // dim
            }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    /// The cells in grid order (rows, then columns), then any cell the grid does not name.
    static func orderedCells(_ result: MatrixResult) -> [CellResult] {
        var ordered = [CellResult]()
        for client in result.clients {
            for gateway in result.gateways {
                if let cell = result.cell(client: client, gateway: gateway) { ordered.append(cell) }
            }
        }
        let named = Set(result.clients.flatMap { client in result.gateways.map { "\(client)\u{0}\($0)" } })
        ordered += result.cells.filter { !named.contains("\($0.client)\u{0}\($0.gateway)") }
        return ordered
    }

    static func checkCount(_ result: MatrixResult) -> Int {
        result.cells.reduce(0) { $0 + $1.checks.count }
    }

    /// "101 checks", or "101 checks (6 skipped, 2 of them accepted)": a skip is never hidden behind a count.
    static func checksSummary(_ cell: CellResult) -> String {
        plural(cell.checks.count, "check", "checks") + skipsInBrackets(cell.checks)
    }

    /// " (6 skipped)", " (6 skipped, accepted)", " (6 skipped, 2 of them accepted)", or "" when none was.
    static func skipsInBrackets(_ checks: [CheckResult]) -> String {
        skipsText(checks).map { " (\($0))" } ?? ""
    }

    /// "6 skipped", "6 skipped, accepted" or "6 skipped, 2 of them accepted"; nil when none was.
    static func skipsText(_ checks: [CheckResult]) -> String? {
        let skipped = checks.filter { $0.status == .skipped }.count
        guard skipped > 0 else { return nil }
        let accepted = checks.filter { $0.status == .skipped && !$0.isUnacceptedSkip }.count
        return "\(skipped) skipped" + (accepted == 0 ? "" : accepted == skipped ? ", accepted" : ", \(accepted) of them accepted")
    }

    static func skippedCount(_ result: MatrixResult) -> Int {
        result.cells.reduce(0) { $0 + $1.checks.filter { $0.status == .skipped }.count }
    }

    static func unacceptedSkipCount(_ result: MatrixResult) -> Int {
        result.cells.reduce(0) { $0 + $1.checks.filter(\.isUnacceptedSkip).count }
    }

    /// A skipped check's reason, and matrix.json's for accepting it.
    static func skipReason(_ check: CheckResult) -> String {
        let reason = check.reason ?? "skipped"
        return check.knownReason.map { reason + " — accepted (acceptedSkips): " + $0 } ?? reason
    }

    /// Each cell's skipped checks, counted by reason: a check a peer's contract version cannot
    /// take is never hidden.
    static func skipGroups(_ cells: [CellResult]) -> [(cell: String, reason: String, count: Int)] {
        cells.flatMap { cell in
            var counts: [String: Int] = [:]
            var order: [String] = []
            for check in cell.checks where check.status == .skipped {
                let reason = (check.reason ?? "skipped") + (check.isUnacceptedSkip ? "" : " (accepted)")
                if counts[reason] == nil { order.append(reason) }
                counts[reason, default: 0] += 1
            }
            return order.map { (cellName(cell).printableLine, $0, counts[$0]!) }
        }
    }

    /// One line per reason, however many cells it skipped checks in:
    /// "client=v3/gateway=v5: 4 checks skipped: needs peer contract 2 (…); client v3 speaks contract 1", or
    /// "12 checks in 4 cells (client=v5@r1/gateway=v1, …) skipped: needs …" when it is several cells'
    /// (" (accepted)" after an accepted one); then the reasons matrix.json accepts them for, and
    /// what makes a PARTIAL cell PASS.
    static func skipLines(_ cells: [CellResult]) -> [String] {
        var byReason: [String: (cells: [String], count: Int)] = [:]
        var order: [String] = []
        for group in skipGroups(cells) {
            if byReason[group.reason] == nil { order.append(group.reason) }
            byReason[group.reason, default: ([], 0)].cells.append(group.cell)
            byReason[group.reason, default: ([], 0)].count += group.count
        }
        return order.map { reason in
            let (names, count) = byReason[reason]!
            let checks = plural(count, "check", "checks")
            guard names.count > 1 else { return "\(names[0]): \(checks) \(reason.printableLine)" }
            let shown = names.prefix(3).joined(separator: ", ") + (names.count > 3 ? ", …" : "")
            return "\(checks) in \(names.count) cells (\(shown)) \(reason.printableLine)"
        } + acceptedSkipReasons(cells).map { "accepted by matrix.json's acceptedSkips: \($0.printableLine)" } + partialHint(cells)
    }

    /// What makes a PARTIAL cell PASS, once, when there is one.
    static func partialHint(_ cells: [CellResult]) -> [String] {
        guard cells.contains(where: { $0.checks.contains(where: \.isUnacceptedSkip) }) else { return [] }
        return [
            "a skipped check is not a pass: the cells or scenarios above are PARTIAL until matrix.json's acceptedSkips accepts the peer's older contract, with a reason (README: acceptedSkips)"
        ]
    }

    /// The reasons matrix.json gives for the skips it accepts, each once.
    static func acceptedSkipReasons(_ cells: [CellResult]) -> [String] {
        var reasons: [String] = []
        for cell in cells {
            for check in cell.checks where check.status == .skipped {
                if let reason = check.knownReason, !reasons.contains(reason) { reasons.append(reason) }
            }
        }
        return reasons
    }

    /// Stale checks (listed by their exact name) and stale wildcard entries.
    static func staleCount(_ result: MatrixResult) -> Int {
        result.cells.reduce(0) { $0 + $1.checks.filter { $0.status == .stalePass }.count } + result.staleKnownFailures.count
    }

    /// "19 PASS · 6 INCOMPATIBLE · 25 cells · 1234 checks · wall 0.84 s, 2 jobs"
    static func totalsLine(_ result: MatrixResult, color: Bool = false) -> String {
        var parts = result.totals.map { "\($0.count) " + colored($0.state.rawValue, $0.state, color) }
        let stale = staleCount(result)
        if stale > 0 {
            parts.append(plural(stale, "stale known failure", "stale known failures"))
        }
        parts.append(plural(result.cells.count, "cell", "cells"))
        parts.append(plural(checkCount(result), "check", "checks"))
        let skipped = skippedCount(result)
        if skipped > 0 {
            let unaccepted = unacceptedSkipCount(result)
            let acceptance = unaccepted == 0 ? "all accepted" : unaccepted == skipped ? "none accepted" : "\(unaccepted) not accepted"
            parts.append("\(skipped) skipped (peer contract too old, \(acceptance); listed below)")
        }
        parts.append("wall \(seconds(result.wallSeconds)) s, " + plural(result.jobs, "job", "jobs"))
        return parts.joined(separator: " · ")
    }

    static func plural(_ count: Int, _ one: String, _ many: String) -> String {
        "\(count) \(count == 1 ? one : many)"
    }

    static func seconds(_ value: Double) -> String {
        value.isFinite ? String(format: "%.2f", value) : "\(value)"
    }

    static func padded(_ text: String, to width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }

    static func trimmingTrailingSpaces(_ line: String) -> String {
        // One backward scan: `dropLast()` on a string counts it whole each time (quadratic in a long name's padding).
        guard let last = line.lastIndex(where: { $0 != " " }) else { return "" }
        return String(line[...last])
    }

    /// A value on one line: line breaks shown as `\n` so a message cannot break a layout.
    static func singleLine(_ text: String) -> String {
        // Most values have no break: Foundation's replacing (through NSString) is not paid for them.
        guard text.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) else { return text }
        return text.replacingOccurrences(of: "\r\n", with: "\\n")
            .replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "\r", with: "\\r")
    }

    /// A frame as lower-case hex, `hexBytesPerLine` bytes a line in pairs, each line led by its
    /// byte offset and followed by the bytes as text; with `marking`, a line of `^^` under that
    /// byte (where two frames of a failure first differ).
    static func hexDump(_ bytes: [UInt8], marking: Int? = nil) -> [String] {
        let offsetDigits = max(4, String(max(bytes.count - 1, 0), radix: 16).count)
        var lines: [String] = []
        for start in stride(from: 0, to: bytes.count, by: hexBytesPerLine) {
            let row = bytes[start..<min(start + hexBytesPerLine, bytes.count)]
            let offset = String(start, radix: 16)
            let hex = stride(from: row.startIndex, to: row.endIndex, by: 2).map { row[$0..<min($0 + 2, row.endIndex)].hexString }
            let hexColumn = hex.joined(separator: " ").padding(toLength: hexBytesPerLine / 2 * 5 - 1, withPad: " ", startingAt: 0)
            lines.append(
                String(repeating: "0", count: max(0, offsetDigits - offset.count)) + offset + "  " + hexColumn + "  " + asText(row))
            if let marking, row.indices.contains(marking) {
                let column = offsetDigits + 2 + (marking - start) * 2 + (marking - start) / 2
                lines.append(String(repeating: " ", count: column) + "^^ byte \(marking): the first that differs")
            }
        }
        return lines
    }

    /// The most lines of a frame the terminal shows; the reports have every line.
    static let terminalDumpLines = 8

    /// A dump for the terminal: whole when short, else its first line and the lines around the
    /// marked byte (or its first lines), with what was left out counted.
    static func terminalDump(_ bytes: [UInt8], marking: Int?, lines limit: Int = terminalDumpLines) -> [String] {
        let lines = hexDump(bytes, marking: marking)
        guard lines.count > limit else { return lines }
        // The marker line follows the line of the marked byte, when the frame holds it.
        let marked = marking.flatMap { $0 < bytes.count ? $0 / hexBytesPerLine + 1 : nil } ?? 1
        let from = max(1, marked - limit / 2)
        let to = min(lines.count, from + limit - 1)
        var shown = [lines[0]]
        if from > 1 { shown.append("… \(plural(from - 1, "line", "lines"))") }
        shown += lines[from..<to]
        if to < lines.count && limit >= terminalDumpLines {
            shown.append("… \(plural(lines.count - to, "more line", "more lines")): the whole frame is in the reports (--report-dir)")
        }
        return shown
    }

    /// Bytes as text for a dump: letters, digits and a few marks as they are, anything else '.',
    /// so no byte can be markup, a mention or a command wherever the dump is shown.
    private static func asText(_ bytes: ArraySlice<UInt8>) -> String {
        String(
            decoding: bytes.map { byte in
                let ascii = Character(UnicodeScalar(byte))
                return byte < 0x80 && (ascii.isLetter || ascii.isNumber || " -_.,:;/=+()".contains(ascii)) ? byte : UInt8(ascii: ".")
            }, as: UTF8.self)
    }

    /// Whether a cell is listed among the failures: anything but a clean PASS or INCOMPATIBLE.
    static func needsDetails(_ cell: CellResult) -> Bool {
        ![.pass, .incompatible, .partial].contains(cell.state) || cell.checks.contains { $0.status == .stalePass }
    }

    /// "FAIL  client=v3/gateway=v5: 117 passed, 2 failed, 1 known (N=3, 0.42 s)"
    static func verdictLine(_ cell: CellResult, color: Bool = false) -> String {
        let counts: [(CheckStatus, String)] = [
            (.passed, "passed"), (.failed, "failed"), (.knownFailure, "known"),
            (.stalePass, "stale"), (.notRun, "not run"),
        ]
        var tally = counts.compactMap { status, word -> String? in
            let count = cell.checks.filter { $0.status == status }.count
            return count > 0 || status == .passed ? "\(count) \(word)" : nil
        }
        if let skips = skipsText(cell.checks) { tally.append(skips) }
        return "\(colored(cell.state.rawValue, cell.state, color))  \(cellName(cell).printableLine): " + tally.joined(separator: ", ")
            + " (\(negotiated(cell)), \(seconds(cell.seconds)) s)"
    }

    static func negotiated(_ cell: CellResult) -> String {
        // A fleet or an upgrade has an N per session, not one for the whole.
        if cell.client.contains("=") { return "\(cell.checks.count) checks" }
        if cell.profile != "tgp" { return "v\(cell.clientVersion) and v\(cell.gatewayVersion), each at its own version" }
        return cell.expectedVersion.map { "N=\($0)" } ?? "incompatible by design"
    }

    /// The details of one check, one line each, without indentation: message, field,
    /// expected, actual, both frames (unless not `withFrames`), and (with `reproduce`) the command that runs it again.
    static func checkLines(
        _ check: CheckResult, in cell: CellResult, reproduce: Bool = true, withFrames: Bool = true, dumpLines: Int = terminalDumpLines
    ) -> [String] {
        var lines = [String]()
        if check.status == .stalePass {
            let reason = check.knownReason.map { " (\($0.printableLine))" } ?? ""
            lines.append("listed as a known failure\(reason) but passed: remove it from matrix.json's knownFailures")
        } else if check.status == .knownFailure, let reason = check.knownReason {
            lines.append("known failure: \(reason.printableLine)")
        }
        if let failure = check.failure {
            // A failure quotes what a peer sent: shown escaped, never as terminal or CI commands.
            lines.append(failure.message.printable)
            if !check.rules.isEmpty { lines.append("rules:    \(check.rules.joined(separator: ", ").printableLine)") }
            if let field = failure.field { lines.append("field:    \(field.printableLine)") }
            if let expected = failure.expected { lines.append("expected: \(expected.printableLine)") }
            if let actual = failure.actual { lines.append("actual:   \(actual.printableLine)") }
            for (title, frame) in failure.labelledFrames where withFrames {
                lines.append("\(title) (\(plural(frame.count, "byte", "bytes"))):" + (frame.isEmpty ? " (empty)" : ""))
                lines += terminalDump(frame, marking: failure.firstDifference, lines: dumpLines).map { "  " + $0 }
            }
        } else if check.status == .failed {
            lines.append("failed (no details recorded)")
        }
        if reproduce {
            lines.append("reproduce: \(reproduceCommand(for: check, in: cell).printableLine)")
        }
        return lines
    }

    /// How each peer ended, its command, and the tail of its stderr.
    static func peerLines(_ cell: CellResult) -> [String] {
        var lines = [String]()
        for peer in cell.peers {
            lines.append("\(peer.role) \(peer.name): \(peer.termination ?? "still running")".printableLine)
            if !peer.argv.isEmpty {
                lines.append("  command: " + peer.argv.map(shellQuoted).joined(separator: " ").printableLine)
            }
            // A peer that wrote nothing to stderr gets no stderr block.
            let tail = peer.stderrTail.trimmingCharacters(in: .newlines).printable
            if !tail.isEmpty {
                lines.append("  stderr:")
                lines += tail.components(separatedBy: "\n").map { "    " + $0 }
            }
        }
        return lines
    }

    /// The failure block of one cell, as `renderFailures` and `renderCell` print it.
    /// The most checks and cells a finding names on the terminal; the reports name them all.
    static let namedPerFinding = 4

    /// One group of failures with one cause: what is wrong once, one check in full (its frames
    /// around the first difference), which checks and cells it covers, and a command to see it.
    static func findingText(_ group: FailureGroup, number: Int) -> String {
        let (cell, check) = group.members[0]
        var lines = [
            "FINDING \(number): \(plural(group.members.count, "check", "checks")) in \(plural(group.cells.count, "cell", "cells"))"
                + (group.peer.map { ", frames from \($0.printableLine)" } ?? "") + ": \(group.cause.printableLine)"
        ]
        lines.append("  e.g. \(check.name.printableLine)")
        lines += checkLines(check, in: cell, dumpLines: 3).map { "    " + $0 }
        // Named after their cells, as knownFailures entries name them: the cells are listed apart.
        let named = group.members.map { member in
            String(member.check.name.dropFirst(CheckName.cellPrefix(client: member.cell.client, gateway: member.cell.gateway).count))
        }
        lines.append("  checks: " + listed(Array(Set(named)).sorted()))
        lines.append("  cells:  " + listed(group.cells.map(cellName)))
        return lines.joined(separator: "\n") + "\n"
    }

    /// Up to `namedPerFinding` of `names`, then how many more.
    static func listed(_ names: [String]) -> String {
        let shown = names.prefix(namedPerFinding).map(\.printableLine).joined(separator: ", ")
        return names.count > namedPerFinding
            ? shown + ", … (\(names.count - namedPerFinding) more; all in --report-dir, each in full with --verbose)" : shown
    }

    /// The cells not as expected beyond the findings: each with a problem of its own (a crash, a
    /// timeout) or no failed check (KNOWN, stale) in full; the folders the others kept in one line.
    static func cellsInBrief(_ cells: [CellResult]) -> String {
        let withProblem = cells.filter { $0.problem != nil || $0.checks.allSatisfy { $0.status != .failed } }
        var lines = withProblem.map { cellDetails($0, verbose: false).trimmingCharacters(in: .newlines) }
        let shownInFull = Set(withProblem.map(cellName))
        let kept = cells.filter { !shownInFull.contains(cellName($0)) }.compactMap(\.keptDirectory)
        if let first = kept.first {
            lines.append(
                "kept: \(plural(kept.count, "cell folder", "cell folders")) with the peers' stderr, transcripts and capture, e.g. "
                    + first.printableLine + (kept.count > 1 ? " (--verbose lists each cell's)" : ""))
        }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    static func cellDetails(_ cell: CellResult, verbose: Bool) -> String {
        var lines = ["\(cell.state.rawValue)  \(cellName(cell).printableLine)  (\(negotiated(cell)), \(seconds(cell.seconds)) s)"]
        if let problem = cell.problem { lines.append("  problem: \(problem.printable)") }
        if let kept = cell.keptDirectory { lines.append("  kept: \(kept.printableLine)") }
        for check in cell.checks {
            switch check.status {
            case .failed, .stalePass:
                lines.append("  \(mark(check.status)) \(check.name.printableLine)")
                lines += checkLines(check, in: cell).map { "    " + $0 }
            case .knownFailure where verbose:
                lines.append("  \(mark(check.status)) \(check.name.printableLine)")
                lines += checkLines(check, in: cell).map { "    " + $0 }
            case .knownFailure:
                lines.append("  KNOWN \(check.name.printableLine): \((check.knownReason ?? "listed in knownFailures").printableLine)")
            case .passed, .notRun, .skipped:
                break
            }
        }
        let notRun = cell.checks.filter { $0.status == .notRun }.count
        if notRun > 0 {
            lines.append("  " + plural(notRun, "check", "checks") + " not run")
        }
        if !cell.peers.isEmpty {
            lines.append("  peers:")
            lines += peerLines(cell).map { "    " + $0 }
        }
        lines.append("  reproduce the cell: \(cell.reproduce.printableLine)")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// A word as a POSIX shell reads it back: quoted only when it needs to be.
public func shellQuoted(_ word: String) -> String {
    let plain = word.unicodeScalars.allSatisfy {
        CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-_./=:,+@%".unicodeScalars.contains($0)
    }
    if plain && !word.isEmpty { return word }
    return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
