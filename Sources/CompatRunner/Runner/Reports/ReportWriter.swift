// The reports a matrix run leaves on disk: results.json for tools, junit.xml for CI, and
// summary.md for a pull-request comment. The three are written as one set (ReportFolder).
import Foundation
import TGP

/// Writes `results.json`, `junit.xml` and `summary.md`, each carrying `runId`, into `folder` as one set.
public func writeReports(_ result: MatrixResult, runId: RunID, to folder: ReportFolder) throws {
    try folder.replace(with: [
        ReportFile("results.json", try ResultsJSON.render(result, runId: runId)),
        ReportFile("junit.xml", JUnitXML.render(result, runId: runId)),
        ReportFile("summary.md", SummaryMarkdown.render(result, runId: runId)),
    ])
}

// MARK: - results.json

/// results.json: the whole MatrixResult with frames as lower-case hex, under a schema name.
enum ResultsJSON {
    static let schema = "compat-results/1"

    static func render(_ result: MatrixResult, runId: RunID) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return Array(try encoder.encode(Document(result: result, runId: runId))) + Array("\n".utf8)
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    struct Document: Encodable {
        var result: MatrixResult
        var runId: RunID

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(schema, forKey: Key("schema"))
            try container.encode(runId.value, forKey: Key("runId"))
            try container.encode(result.allExpected, forKey: Key("allExpected"))
            try container.encode(result.clients, forKey: Key("clients"))
            try container.encode(result.gateways, forKey: Key("gateways"))
            try container.encode(result.wallSeconds, forKey: Key("wallSeconds"))
            try container.encode(result.jobs, forKey: Key("jobs"))
            try container.encode(Totals(result: result), forKey: Key("totals"))
            try container.encode(ReportText.orderedCells(result).map(Cell.init), forKey: Key("cells"))
        }
    }

    struct Totals: Encodable {
        var result: MatrixResult

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(result.cells.count, forKey: Key("cells"))
            try container.encode(ReportText.checkCount(result), forKey: Key("checks"))
            // Every state and status, zeros included, so the shape never changes.
            var states = [String: Int]()
            for state in CellState.allCases {
                states[state.rawValue] = result.cells.filter { $0.state == state }.count
            }
            try container.encode(states, forKey: Key("states"))
            var statuses = [String: Int]()
            for status in [CheckStatus.passed, .failed, .knownFailure, .stalePass, .notRun, .skipped] {
                statuses[status.rawValue] = result.cells.reduce(0) { $0 + $1.checks.filter { $0.status == status }.count }
            }
            try container.encode(statuses, forKey: Key("checkStatuses"))
        }
    }

    struct Cell: Encodable {
        var cell: CellResult

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(ReportText.cellName(cell), forKey: Key("name"))
            try container.encode(cell.client, forKey: Key("client"))
            try container.encode(cell.gateway, forKey: Key("gateway"))
            try container.encode(cell.clientVersion, forKey: Key("clientVersion"))
            try container.encode(cell.gatewayVersion, forKey: Key("gatewayVersion"))
            try container.encode(cell.expectedVersion, forKey: Key("expectedVersion"))
            try container.encode(cell.state.rawValue, forKey: Key("state"))
            try container.encode(cell.problem, forKey: Key("problem"))
            try container.encode(cell.keptDirectory, forKey: Key("keptDirectory"))
            try container.encode(cell.seconds, forKey: Key("seconds"))
            try container.encode(cell.reproduce, forKey: Key("reproduce"))
            try container.encode(cell.peers, forKey: Key("peers"))
            try container.encode(cell.checks.map { Check(check: $0, cell: cell) }, forKey: Key("checks"))
        }
    }

    struct Check: Encodable {
        var check: CheckResult
        var cell: CellResult

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(check.name, forKey: Key("name"))
            try container.encode(check.status.rawValue, forKey: Key("status"))
            try container.encode(check.rules, forKey: Key("rules"))
            try container.encode(check.knownReason, forKey: Key("knownReason"))
            try container.encode(check.reason, forKey: Key("reason"))
            try container.encode(check.failure.map(Failure.init), forKey: Key("failure"))
            // Passing checks need no command; everything else says how to see it again.
            let reproduce = check.status == .passed ? nil : reproduceCommand(for: check, in: cell)
            try container.encode(reproduce, forKey: Key("reproduce"))
        }
    }

    struct Failure: Encodable {
        var failure: CheckFailure

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(failure.message, forKey: Key("message"))
            try container.encode(failure.field, forKey: Key("field"))
            try container.encode(failure.expected, forKey: Key("expected"))
            try container.encode(failure.actual, forKey: Key("actual"))
            try container.encode(failure.sentFrame?.hexString, forKey: Key("sentFrame"))
            try container.encode(failure.receivedFrame?.hexString, forKey: Key("receivedFrame"))
        }
    }
}

// MARK: - junit.xml

/// junit.xml: one <testsuite> per cell, one <testcase> per check, and for a cell whose peer
/// crashed or hung a `…/process` test case with an <error>.
enum JUnitXML {
    /// One <testsuite>: its counts and its rendered test cases.
    struct Suite {
        var name: String
        var properties: [(String, String)] = []
        var cases: [String] = []
        var failures = 0
        var errors = 0
        var skipped = 0
        var seconds: Double = 0

        mutating func add(_ name: String, classname: String, failure: (message: String, type: String, details: String)? = nil) {
            var body: String?
            if let failure {
                body = "<failure message=\"\(attribute(failure.message))\" type=\"\(attribute(failure.type))\">" + text(failure.details) + "</failure>"
                failures += 1
            }
            cases.append(testcase(name: name, classname: classname, body: body))
        }

        var rendered: String {
            var suite = "  <testsuite name=\"\(attribute(name))\" tests=\"\(cases.count)\" failures=\"\(failures)\""
                + " errors=\"\(errors)\" skipped=\"\(skipped)\" time=\"\(time(seconds))\">\n"
            if !properties.isEmpty {
                suite += "    <properties>\n"
                for (key, value) in properties { suite += "      <property name=\"\(attribute(key))\" value=\"\(attribute(value))\"/>\n" }
                suite += "    </properties>\n"
            }
            return suite + cases.joined() + "  </testsuite>\n"
        }
    }

    static func render(_ result: MatrixResult, runId: RunID) -> String {
        document(cellSuites(result), seconds: result.wallSeconds, runId: runId)
    }

    /// A whole junit.xml from its suites, each carrying the run id as its first property
    /// (JUnit has no properties on <testsuites>).
    static func document(_ suites: [Suite], seconds: Double, runId: RunID) -> String {
        let suites = suites.map { suite in
            var suite = suite
            suite.properties.insert(("runId", runId.value), at: 0)
            return suite
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<testsuites name=\"compat\" tests=\"\(suites.reduce(0) { $0 + $1.cases.count })\" failures=\"\(suites.reduce(0) { $0 + $1.failures })\""
            + " errors=\"\(suites.reduce(0) { $0 + $1.errors })\" skipped=\"\(suites.reduce(0) { $0 + $1.skipped })\" time=\"\(time(seconds))\">\n"
            + suites.map(\.rendered).joined()
            + "</testsuites>\n"
    }

    /// One suite per cell, one test case per check.
    static func cellSuites(_ result: MatrixResult) -> [Suite] {
        ReportText.orderedCells(result).map { cell in
            let name = ReportText.cellName(cell)
            var suite = Suite(name: name, properties: [("state", cell.state.rawValue), ("negotiated", cell.expectedVersion.map(String.init) ?? "none"),
                                                       ("reproduce", cell.reproduce)], seconds: cell.seconds)
            if cell.state == .crash || cell.state == .timeout {
                var details = [cell.problem ?? cell.state.rawValue]
                details += ReportText.peerLines(cell)
                details.append("reproduce: \(cell.reproduce)")
                let message = "\(cell.state.rawValue): \(cell.problem ?? "a peer stopped")"
                suite.cases.append(testcase(name: name + "/process", classname: name,
                                            body: "<error message=\"\(attribute(message))\" type=\"\(cell.state.rawValue)\">"
                                                + text(details.joined(separator: "\n")) + "</error>"))
                suite.errors += 1
            }
            for check in cell.checks {
                let details = ReportText.checkLines(check, in: cell).joined(separator: "\n")
                switch check.status {
                case .passed:
                    suite.add(check.name, classname: name)
                case .failed:
                    suite.add(check.name, classname: name, failure: (check.failure?.message ?? "failed", "failed", details))
                case .stalePass:
                    suite.add(check.name, classname: name, failure: ("stale known failure: " + (check.knownReason ?? "listed in knownFailures") + " (it passed)", "stale", details))
                case .knownFailure:
                    suite.cases.append(testcase(name: check.name, classname: name,
                                                body: "<skipped message=\"\(attribute("known: " + (check.knownReason ?? "listed in knownFailures")))\"/>"))
                    suite.skipped += 1
                case .notRun:
                    suite.cases.append(testcase(name: check.name, classname: name, body: "<skipped/>"))
                    suite.skipped += 1
                case .skipped:
                    suite.cases.append(testcase(name: check.name, classname: name,
                                                body: "<skipped message=\"\(attribute(check.reason ?? "skipped"))\"/>"))
                    suite.skipped += 1
                }
            }
            return suite
        }
    }

    static func testcase(name: String, classname: String, body: String?) -> String {
        let open = "    <testcase classname=\"\(attribute(classname))\" name=\"\(attribute(name))\""
        guard let body else { return open + "/>\n" }
        return open + ">\n      " + body + "\n    </testcase>\n"
    }

    static func time(_ seconds: Double) -> String {
        seconds.isFinite ? String(format: "%.3f", max(0, seconds)) : "0"
    }

    /// An attribute value: markup and quotes escaped, line breaks and tabs as character
    /// references so they survive attribute normalisation.
    static func attribute(_ value: String) -> String {
        escape(value, inAttribute: true)
    }

    /// Element content: markup escaped, line breaks kept.
    static func text(_ value: String) -> String {
        escape(value, inAttribute: false)
    }

    /// XML 1.0 cannot carry most C0 controls even as references: they are shown as `\u{XX}`.
    private static func escape(_ value: String, inAttribute: Bool) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where inAttribute: out += "&quot;"
            case "'" where inAttribute: out += "&apos;"
            case "\n" where inAttribute: out += "&#10;"
            case "\r": out += "&#13;"
            case "\t" where inAttribute: out += "&#9;"
            case "\n", "\t": out.unicodeScalars.append(scalar)
            case "\u{0}"..."\u{1F}", "\u{FFFE}", "\u{FFFF}":
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            case "\u{7F}"..."\u{9F}":
                out += "&#x" + String(scalar.value, radix: 16, uppercase: true) + ";"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

// MARK: - summary.md

/// summary.md: the verdict, the grid as a table, the totals, and each failing check with
/// the command that reproduces it, short enough for a pull-request comment.
enum SummaryMarkdown {
    /// Past this many failing checks the summary points at the other reports instead.
    static let maximumDetailedChecks = 40

    static func render(_ result: MatrixResult, runId: RunID) -> String {
        var lines = [String]()
        lines.append("## Compatibility matrix: " + verdict(result))
        lines.append("")
        lines.append("| " + (["client \\ gateway"] + result.gateways.map(escaped)).joined(separator: " | ") + " |")
        lines.append("|" + String(repeating: " --- |", count: result.gateways.count + 1))
        for client in result.clients {
            let states = result.gateways.map { result.cell(client: client, gateway: $0)?.state.rawValue ?? "-" }
            lines.append("| " + ([escaped(client)] + states).joined(separator: " | ") + " |")
        }
        lines.append("")
        lines.append(ReportText.totalsLine(result))
        lines.append("")

        let cells = ReportText.orderedCells(result)
        if result.allExpected {
            lines.append("All \(result.cells.count) cells as expected.")
        } else {
            lines.append("### Failures")
            var detailed = 0
            var skipped = 0
            for cell in cells where !cell.state.isExpected || cell.checks.contains(where: { $0.status == .stalePass }) {
                lines.append("")
                lines.append("#### \(escaped(ReportText.cellName(cell))): \(cell.state.rawValue)")
                lines.append("")
                if let problem = cell.problem { lines.append(escaped(problem)) ; lines.append("") }
                if cell.state == .crash || cell.state == .timeout || cell.state == .notRun {
                    lines += peerBlock(cell)
                    lines += codeBlock(cell.reproduce, language: "sh")
                }
                for check in cell.checks where check.status == .failed || check.status == .stalePass {
                    guard detailed < maximumDetailedChecks else {
                        skipped += 1
                        continue
                    }
                    detailed += 1
                    lines += checkBlock(check, in: cell)
                }
            }
            if skipped > 0 {
                lines.append("")
                lines.append("… and \(ReportText.plural(skipped, "more failing check", "more failing checks")): see junit.xml and results.json.")
            }
        }

        let known = cells.flatMap { cell in cell.checks.filter { $0.status == .knownFailure } }
        if !known.isEmpty {
            lines.append("")
            lines.append("### Known failures")
            lines.append("")
            for check in known.prefix(maximumDetailedChecks) {
                lines.append("- " + code(check.name) + ": " + escaped(check.knownReason ?? "listed in knownFailures"))
            }
            if known.count > maximumDetailedChecks {
                lines.append("- … and \(known.count - maximumDetailedChecks) more")
            }
        }
        let skips = ReportText.skipGroups(cells)
        if !skips.isEmpty {
            lines.append("")
            lines.append("### Skipped checks (peer contract too old)")
            lines.append("")
            for group in skips.prefix(maximumDetailedChecks) {
                lines.append("- " + code(group.cell) + ": " + ReportText.plural(group.count, "check", "checks") + " " + escaped(group.reason))
            }
            if skips.count > maximumDetailedChecks {
                lines.append("- … and \(skips.count - maximumDetailedChecks) more: see results.json")
            }
        }
        // Blocks each bring their own spacing; one blank line between them is enough.
        let tidy = lines.enumerated().filter { index, line in
            !(line.isEmpty && (index == 0 || lines[index - 1].isEmpty || index == lines.count - 1))
        }.map(\.element)
        return tidy.joined(separator: "\n") + "\n\n" + runId.summaryLine + "\n"
    }

    static func verdict(_ result: MatrixResult) -> String {
        if result.allExpected { return "as expected" }
        var parts = result.totals.filter { !$0.state.isExpected }.map { "\($0.count) \($0.state.rawValue)" }
        let stale = ReportText.staleCount(result)
        if stale > 0 { parts.append(ReportText.plural(stale, "stale known failure", "stale known failures")) }
        return "not as expected (" + parts.joined(separator: ", ") + ")"
    }

    static func checkBlock(_ check: CheckResult, in cell: CellResult) -> [String] {
        var lines = [""]
        let mark = check.status == .stalePass ? "stale known failure" : "failed"
        lines.append("**" + code(check.name) + "** " + mark)
        lines.append("")
        if check.status == .stalePass {
            lines.append("Listed in knownFailures" + (check.knownReason.map { " (" + escaped($0) + ")" } ?? "")
                + " but passed: remove it from matrix.json.")
            lines.append("")
        }
        if let failure = check.failure {
            lines.append(escaped(failure.message))
            var facts = [String]()
            if !check.rules.isEmpty { facts.append("rules " + check.rules.joined(separator: ", ")) }
            if let field = failure.field { facts.append("field " + code(field)) }
            if let expected = failure.expected { facts.append("expected " + code(expected)) }
            if let actual = failure.actual { facts.append("actual " + code(actual)) }
            if !facts.isEmpty {
                lines.append("")
                lines.append(facts.joined(separator: " · "))
            }
            lines.append("")
        }
        lines += codeBlock(reproduceCommand(for: check, in: cell), language: "sh")
        return lines
    }

    static func peerBlock(_ cell: CellResult) -> [String] {
        guard !cell.peers.isEmpty else { return [] }
        return codeBlock(ReportText.peerLines(cell).joined(separator: "\n"), language: "text")
    }

    static func codeBlock(_ content: String, language: String) -> [String] {
        let fence = String(repeating: "`", count: max(3, longestBacktickRun(content) + 1))
        return [fence + language, content, fence, ""]
    }

    /// Inline code that survives backticks and line breaks in the value.
    static func code(_ value: String) -> String {
        let value = ReportText.singleLine(value)
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

    /// Plain text that Markdown must not read as markup, tables or HTML.
    static func escaped(_ text: String) -> String {
        var out = ""
        for character in ReportText.singleLine(text) {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\\", "`", "*", "_", "[", "]", "|", "#", "~": out += "\\" + String(character)
            default: out.append(character)
            }
        }
        return out
    }
}
