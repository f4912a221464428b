// The reports a matrix run leaves on disk: results.json for tools, junit.xml for CI, and
// summary.md for a pull-request comment. The three are written as one set (ReportFolder).
import Foundation
import TGP

/// Writes `results.json`, `junit.xml`, `summary.md` and `report.html`, each carrying the run's id, into `folder` as one set,
/// with the folders of the cells that did not pass (KeptCells).
public func writeReports(_ result: MatrixResult, run: RunInfo, to folder: ReportFolder) throws {
    try writeReports(RunResults(run: run, findings: .matrix(result)), to: folder)
}

/// The four files of a matrix run's results (the gate's: `GateResult.reportFiles`).
func matrixReportFiles(_ result: MatrixResult, run: RunInfo, stamp: ReportStamp) -> [ReportFile] {
    [
        ReportFile("results.json", ResultsJSON.render(RunResults(run: run, findings: .matrix(result)))),
        ReportFile("junit.xml", JUnitXML.render(result, stamp: stamp)),
        ReportFile("summary.md", SummaryMarkdown.render(result, stamp: stamp)),
        ReportFile("report.html", HTMLReport.render(result, stamp: stamp)),
    ]
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

        mutating func add(
            _ name: String, classname: String, seconds: Double? = nil,
            failure: (message: String, type: String, details: String)? = nil
        ) {
            var body: String?
            if let failure {
                body =
                    "<failure message=\"\(attribute(failure.message))\" type=\"\(attribute(failure.type))\">" + text(failure.details)
                    + "</failure>"
                failures += 1
            }
            cases.append(testcase(name: name, classname: classname, seconds: seconds, body: body))
        }

        mutating func addError(_ name: String, classname: String, message: String, type: String, details: String) {
            cases.append(
                testcase(
                    name: name, classname: classname, seconds: nil,
                    body: "<error message=\"\(attribute(message))\" type=\"\(attribute(type))\">" + text(details) + "</error>"))
            errors += 1
        }

        mutating func addSkipped(_ name: String, classname: String, seconds: Double? = nil, reason: String) {
            cases.append(testcase(name: name, classname: classname, seconds: seconds, body: "<skipped message=\"\(attribute(reason))\"/>"))
            skipped += 1
        }

        var rendered: String {
            var suite =
                "  <testsuite name=\"\(attribute(name))\" tests=\"\(cases.count)\" failures=\"\(failures)\""
                + " errors=\"\(errors)\" skipped=\"\(skipped)\" time=\"\(time(seconds))\">\n"
            if !properties.isEmpty {
                suite += "    <properties>\n"
                for (key, value) in properties { suite += "      <property name=\"\(attribute(key))\" value=\"\(attribute(value))\"/>\n" }
                suite += "    </properties>\n"
            }
            return suite + cases.joined() + "  </testsuite>\n"
        }
    }

    static func render(_ result: MatrixResult, stamp: ReportStamp) -> String {
        var suites = interruptedSuite(result, runId: stamp.runId).map { [$0] } ?? []
        suites += cellSuites(result)
        if !result.staleKnownFailures.isEmpty { suites.append(staleEntriesSuite(result.staleKnownFailures)) }
        return document(suites, seconds: result.wallSeconds, stamp: stamp)
    }

    /// For a run stopped before every cell finished: a suite named for the run whose one test
    /// case is an error, so no CI reads an interrupted run as green.
    static func interruptedSuite(_ result: MatrixResult, runId: RunID, units: RunUnits = .cells) -> Suite? {
        let notRun = result.cells.filter { $0.state == .notRun }
        guard !notRun.isEmpty else { return nil }
        let name = "run \(runId.value)"
        var suite = Suite(name: name, seconds: result.wallSeconds)
        suite.addError(
            name + "/complete", classname: name,
            message: units.interruptedMessage(notRun: notRun.count, total: result.cells.count),
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

    /// A whole junit.xml from its suites, each carrying the run id and then the stamp's facts as
    /// its first properties (JUnit has no properties on <testsuites>).
    static func document(_ suites: [Suite], seconds: Double, stamp: ReportStamp) -> String {
        let suites = suites.map { suite in
            var suite = suite
            suite.properties.insert(contentsOf: [("runId", stamp.runId.value)] + stamp.facts.map { ($0.0, $0.1.printableLine) }, at: 0)
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
            var suite = Suite(
                name: name,
                properties: [
                    ("state", cell.state.rawValue), ("negotiated", cell.expectedVersion.map(String.init) ?? "none"),
                    ("reproduce", cell.reproduce),
                ], seconds: cell.seconds)
            if cell.state == .crash || cell.state == .timeout {
                var details = [cell.problem ?? cell.state.rawValue]
                details += ReportText.peerLines(cell)
                details.append("reproduce: \(cell.reproduce)")
                let message = "\(cell.state.rawValue): \(cell.problem ?? "a peer stopped")"
                suite.addError(
                    name + "/process", classname: name, message: message, type: cell.state.rawValue,
                    details: details.joined(separator: "\n"))
            }
            if cell.state == .partial {
                let skipped = cell.checks.filter(\.isUnacceptedSkip)
                suite.add(
                    name + "/skipped", classname: name,
                    failure: (
                        "PARTIAL: \(ReportText.plural(skipped.count, "check", "checks")) skipped that matrix.json's acceptedSkips does not accept",
                        "partial", skipped.map { "\($0.name): \($0.reason ?? "skipped")" }.joined(separator: "\n")
                    ))
            }
            for check in cell.checks {
                let details = ReportText.checkLines(check, in: cell).joined(separator: "\n")
                switch check.status {
                case .passed:
                    suite.add(check.name, classname: name, seconds: check.seconds)
                case .failed:
                    suite.add(
                        check.name, classname: name, seconds: check.seconds,
                        failure: (check.failure?.message ?? "failed", "failed", details))
                case .stalePass:
                    suite.add(
                        check.name, classname: name, seconds: check.seconds,
                        failure: (
                            "stale known failure: " + (check.knownReason ?? "listed in knownFailures") + " (it passed)", "stale", details
                        ))
                case .knownFailure:
                    suite.addSkipped(
                        check.name, classname: name, seconds: check.seconds,
                        reason: "known: " + (check.knownReason ?? "listed in knownFailures"))
                case .skipped:
                    suite.addSkipped(check.name, classname: name, reason: ReportText.skipReason(check))
                case .notRun:
                    suite.addSkipped(
                        check.name, classname: name,
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
        XMLEscaping.escaped(value, quotes: true, breaks: true)
    }

    /// Element content: markup escaped, line breaks kept.
    static func text(_ value: String) -> String {
        XMLEscaping.escaped(value, quotes: false, breaks: false)
    }
}
