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
            for status in [CheckStatus.passed, .failed, .knownFailure, .stalePass, .notRun] {
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

/// junit.xml, in the form the Jenkins xUnit plugin's junit-10.xsd takes (scripts/junit-10.xsd):
/// one <testsuite> per cell, one <testcase> per check with its time, and for a cell whose peer
/// crashed or hung a `…/process` test case with an <error>. Checks that did not run are
/// <skipped> with the reason; a stale knownFailures entry fails a test case of its own, and an
/// interrupted run is an <error> of a suite named for the run.
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

        mutating func add(_ name: String, classname: String, seconds: Double? = nil,
                          failure: (message: String, type: String, details: String)? = nil) {
            var body: String?
            if let failure {
                body = "<failure message=\"\(attribute(failure.message))\" type=\"\(attribute(failure.type))\">" + text(failure.details) + "</failure>"
                failures += 1
            }
            cases.append(testcase(name: name, classname: classname, seconds: seconds, body: body))
        }

        mutating func addError(_ name: String, classname: String, message: String, type: String, details: String) {
            cases.append(testcase(name: name, classname: classname, seconds: nil,
                                  body: "<error message=\"\(attribute(message))\" type=\"\(attribute(type))\">" + text(details) + "</error>"))
            errors += 1
        }

        mutating func addSkipped(_ name: String, classname: String, seconds: Double? = nil, reason: String) {
            cases.append(testcase(name: name, classname: classname, seconds: seconds, body: "<skipped message=\"\(attribute(reason))\"/>"))
            skipped += 1
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
        var suites = interruptedSuite(result, runId: runId).map { [$0] } ?? []
        suites += cellSuites(result)
        if !result.staleKnownFailures.isEmpty { suites.append(staleEntriesSuite(result.staleKnownFailures)) }
        return document(suites, seconds: result.wallSeconds, runId: runId)
    }

    /// For a run stopped before every cell finished: a suite named for the run whose one test
    /// case is an error, so no CI reads an interrupted run as green.
    static func interruptedSuite(_ result: MatrixResult, runId: RunID) -> Suite? {
        let notRun = result.cells.filter { $0.state == .notRun }
        guard !notRun.isEmpty else { return nil }
        let name = "run \(runId.value)"
        var suite = Suite(name: name, seconds: result.wallSeconds)
        suite.addError(name + "/complete", classname: name, message: "the run was interrupted: "
                       + ReportText.plural(notRun.count, "cell", "cells") + " of \(result.cells.count) not run",
                       type: "interrupted", details: notRun.map(ReportText.cellName).joined(separator: "\n"))
        return suite
    }

    /// knownFailures entries with a wildcard whose every matched check passed, one failing test case each.
    static func staleEntriesSuite(_ entries: [StaleKnownFailure], name: String = "knownFailures") -> Suite {
        var suite = Suite(name: name)
        for entry in entries {
            suite.add("knownFailures/" + entry.entry, classname: name, failure: ("stale knownFailures entry", "stale", entry.message))
        }
        return suite
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
            + " errors=\"\(suites.reduce(0) { $0 + $1.errors })\" time=\"\(time(seconds))\">\n"
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
                suite.addError(name + "/process", classname: name, message: message, type: cell.state.rawValue,
                               details: details.joined(separator: "\n"))
            }
            for check in cell.checks {
                let details = ReportText.checkLines(check, in: cell).joined(separator: "\n")
                switch check.status {
                case .passed:
                    suite.add(check.name, classname: name, seconds: check.seconds)
                case .failed:
                    suite.add(check.name, classname: name, seconds: check.seconds, failure: (check.failure?.message ?? "failed", "failed", details))
                case .stalePass:
                    suite.add(check.name, classname: name, seconds: check.seconds,
                              failure: ("stale known failure: " + (check.knownReason ?? "listed in knownFailures") + " (it passed)", "stale", details))
                case .knownFailure:
                    suite.addSkipped(check.name, classname: name, seconds: check.seconds, reason: "known: " + (check.knownReason ?? "listed in knownFailures"))
                case .notRun, .skipped:
                    suite.addSkipped(check.name, classname: name,
                                     reason: check.reason ?? check.failure?.message ?? cell.problem ?? ReportText.mark(check.status).lowercased())
                }
            }
            return suite
        }
    }

    /// A test case; `seconds` nil (not run, or not one check) is written as 0, which every reader takes.
    static func testcase(name: String, classname: String, seconds: Double?, body: String?) -> String {
        let open = "    <testcase classname=\"\(attribute(classname))\" name=\"\(attribute(name))\" time=\"\(time(seconds ?? 0))\""
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

    /// XML 1.0 cannot carry most C0 controls even as references: like every other control
    /// character (which may have come from a peer) they are shown as escapes (`\x01`).
    private static func escape(_ value: String, inAttribute: Bool) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.escapingControlCharacters.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where inAttribute: out += "&quot;"
            case "'" where inAttribute: out += "&apos;"
            case "\n" where inAttribute: out += "&#10;"
            case "\t" where inAttribute: out += "&#9;"
            // Not characters XML 1.0 allows: shown as an escape too.
            case "\u{FFFE}", "\u{FFFF}": out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
