// `compat gate`: the CI gate on protocol changes. Five sections — the schema against the
// released lock, the golden frames, the full matrix, fleets and upgrades, stale known
// failures — in one report with one verdict.

import Foundation

public struct GateResult: Sendable {
    public let schema: SchemaDiffReport
    public let fixtures: GoldenReport
    public let matrix: MatrixResult
    /// A fleet on each gateway and the upgrade and downgrade of each adjacent pair, each as one result.
    public let scenarios: [CellResult]
    public let seconds: Double

    public init(schema: SchemaDiffReport, fixtures: GoldenReport, matrix: MatrixResult, scenarios: [CellResult] = [], seconds: Double) {
        self.schema = schema
        self.fixtures = fixtures
        self.matrix = matrix
        self.scenarios = scenarios
        self.seconds = seconds
    }

    public var scenariosPassed: Bool { scenarios.allSatisfy(\.state.isExpected) }

    /// The matrix's cells and the scenarios together, as junit.xml holds them.
    var allResults: MatrixResult {
        var all = matrix
        all.cells += scenarios
        return all
    }

    private func scenarioText(verbose: Bool) -> String {
        var lines = scenarios.map {
            "  \($0.client.printableLine.padding(toLength: 16, withPad: " ", startingAt: 0)) \($0.state.rawValue) · \(ReportText.checksSummary($0))"
        }
        if lines.isEmpty { lines = ["  none"] }
        let failing = MatrixResult(clients: [], gateways: [], cells: scenarios.filter { !$0.state.isExpected }, wallSeconds: 0, jobs: 1)
        lines += ReportText.skipLines(scenarios.filter { $0.state == .partial }).map { "  " + $0 }
        return lines.joined(separator: "\n") + "\n" + (failing.cells.isEmpty ? "" : renderFailures(failing, verbose: verbose))
    }

    /// Every cell in the state it should be in (stale known failures are their own section).
    public var matrixPassed: Bool { matrix.cells.allSatisfy(\.state.isExpected) }
    /// Listed known failures that now pass: the list must be kept true.
    public var staleKnownFailures: [CheckResult] { matrix.cells.flatMap { $0.checks.filter { $0.status == .stalePass } } }
    /// Wildcard entries whose every matched check passed.
    public var staleEntries: [StaleKnownFailure] { matrix.staleKnownFailures }
    var noStaleKnownFailures: Bool { staleKnownFailures.isEmpty && staleEntries.isEmpty }
    public var passed: Bool { schema.passed && fixtures.passed && matrixPassed && scenariosPassed && noStaleKnownFailures }

    private var staleText: String {
        guard !noStaleKnownFailures else { return "none: every listed known failure still fails\n" }
        return
            (staleKnownFailures.map {
                "  \($0.name.printableLine) passed; remove it from knownFailures (\(($0.knownReason ?? "no reason").printableLine))"
            }
            + staleEntries.map { "  " + $0.message.printableLine }).joined(separator: "\n") + "\n"
    }

    private var fixturesText: String {
        fixtures.counts + "\n" + fixtures.problems.map { "  \($0)" }.joined(separator: "\n")
            + (fixtures.passed ? "  every frame, value and cross-version decode as recorded\n" : "\n")
    }

    /// (title, passed, text) for each section, in report order.
    func sections(color: Bool = false, verbose: Bool = false) -> [(title: String, passed: Bool, text: String)] {
        [
            ("Schema against the released lock", schema.passed, schema.rendered),
            ("Golden frames", fixtures.passed, fixturesText),
            (
                "Compatibility matrix", matrixPassed,
                renderGrid(matrix, color: color) + (matrixPassed ? "" : renderFailures(matrix, verbose: verbose))
            ),
            ("Fleets and upgrades", scenariosPassed, scenarioText(verbose: verbose)),
            ("Stale known failures", noStaleKnownFailures, staleText),
        ]
    }

    /// With `color`, the matrix's grid and each verdict are coloured as the grid of `matrix run` is.
    /// With `verbose`, every failing cell and scenario in full instead of the failures grouped by cause.
    public func renderTerminal(color: Bool = false, verbose: Bool = false) -> String {
        var out = ""
        for section in sections(color: color, verbose: verbose) {
            out += "== \(section.title): \(Self.verdict(section.passed, color: color))\n" + section.text + "\n"
        }
        let failed = sections(color: false).filter { !$0.passed }.map(\.title)
        out +=
            failed.isEmpty
            ? String(format: "gate: %@ (%.2f s)\n", Self.verdict(true, color: color), seconds)
            : String(format: "gate: %@ — %@ (%.2f s)\n", Self.verdict(false, color: color), failed.joined(separator: "; "), seconds)
        return out
    }

    private static func verdict(_ passed: Bool, color: Bool) -> String {
        ReportText.colored(passed ? "PASS" : "FAIL", passed ? .pass : .fail, color)
    }

    /// Each section's text in a summary gets at most this many bytes.
    static let summarySectionLimit = 3_000

    /// For a pull-request comment (SummaryMarkdown's limit, by construction): the verdict, each
    /// section in short (the matrix as its grid and totals), then the first failures of the
    /// matrix and the scenarios in full, and a count of the rest.
    public func summaryMarkdown(runId: RunID) -> String { summaryMarkdown(stamp: ReportStamp(runId)) }

    func summaryMarkdown(stamp: ReportStamp) -> String {
        var doc = MarkdownBlocks(limit: SummaryMarkdown.characterLimit - SummaryMarkdown.closingReserve)
        doc.add("## compat gate: \(passed ? "PASS" : "FAIL")")
        doc.add(
            (["| section | result |", "|---|---|"] + sections().map { "| \($0.title) | \($0.passed ? "PASS" : "**FAIL**") |" })
                .joined(separator: "\n"))
        let limit = Self.summarySectionLimit
        let scenarioLines = scenarios.map { "\($0.client) \($0.state.rawValue) · \(ReportText.checksSummary($0))" }
        // In the order of `sections`; the failures come after them all, in the room left.
        let bodies = [
            SummaryMarkdown.cappedCodeBlock(schema.rendered, limit: limit),
            SummaryMarkdown.cappedCodeBlock(fixturesText, limit: limit),
            SummaryMarkdown.gridTable(matrix) + "\n\n" + ReportText.totalsLine(matrix),
            SummaryMarkdown.cappedCodeBlock(scenarioLines.isEmpty ? "none" : scenarioLines.joined(separator: "\n"), limit: limit),
            SummaryMarkdown.cappedCodeBlock(staleText, limit: limit),
        ]
        for (section, body) in zip(sections(), bodies) {
            doc.add("### \(section.title): \(section.passed ? "PASS" : "FAIL")\n\n" + body)
        }
        if !schema.allowed.isEmpty {
            let allowed = schema.allowed.map {
                "- \(SummaryMarkdown.code($0.change.id)): \(SummaryMarkdown.escaped(SummaryMarkdown.capped($0.reason)))"
            }
            doc.add(
                "Intentional breaks allowed in `\(AllowedBreaks.fileName)`:\n" + allowed.prefix(20).joined(separator: "\n")
                    + (allowed.count > 20 ? "\n- … and \(allowed.count - 20) more" : ""))
        }
        var omitted = SummaryMarkdown.Omitted()
        if !matrixPassed || !scenariosPassed || !noStaleKnownFailures {
            doc.add("### Failures")
            omitted = SummaryMarkdown.addFailures(allResults, to: &doc)
        }
        SummaryMarkdown.addSkippedChecks(ReportText.orderedCells(allResults), to: &doc)
        return SummaryMarkdown.close(doc, omitted: omitted, stamp: stamp)
    }

    /// One suite per section (the matrix as one suite per cell), one test case per item.
    public func junitXML(runId: RunID) -> String { junitXML(stamp: ReportStamp(runId)) }

    func junitXML(stamp: ReportStamp) -> String {
        var schemaSuite = JUnitXML.Suite(name: "schema", properties: [("baseline", schema.baselineDescription)])
        schemaSuite.add(
            "schema/no-breaking-change", classname: "schema",
            failure: schema.passed ? nil : ("\(schema.breaking.count) breaking change(s)", "breaking", schema.rendered))
        for change in schema.breaking {
            schemaSuite.add("schema/\(change.id)", classname: "schema", failure: ("breaking: \(change.id)", "breaking", change.detail))
        }
        for allowed in schema.allowed { schemaSuite.add("schema/\(allowed.change.id) (allowed: \(allowed.reason))", classname: "schema") }

        var fixturesSuite = JUnitXML.Suite(name: "fixtures")
        fixturesSuite.add(
            "fixtures/verify", classname: "fixtures",
            failure: fixtures.passed
                ? nil
                : ("\(fixtures.problems.count) golden problem(s)", "golden", fixtures.problems.map(\.description).joined(separator: "\n")))
        for problem in fixtures.problems {
            fixturesSuite.add(
                "fixtures/\(problem.file)\(problem.caseName.map { "/\($0)" } ?? "")", classname: "fixtures",
                failure: (problem.message, "golden", problem.description))
        }
        var staleSuite = JUnitXML.staleEntriesSuite(staleEntries, name: "stale-known-failures")
        staleSuite.add(
            "stale-known-failures/every-listed-failure-still-fails", classname: "stale-known-failures",
            failure: noStaleKnownFailures ? nil : ("stale known failures", "stale", staleText))
        let interrupted = JUnitXML.interruptedSuite(allResults, runId: stamp.runId, units: .gateUnits).map { [$0] } ?? []
        return JUnitXML.document(
            interrupted + [schemaSuite, fixturesSuite] + JUnitXML.cellSuites(allResults) + [staleSuite],
            seconds: seconds, stamp: stamp)
    }
}

/// Writes summary.md, junit.xml, results.json and report.html of the gate, each carrying the run's id,
/// into `folder` as one set.
public func writeGateReports(_ gate: GateResult, run: RunInfo, to folder: ReportFolder) throws {
    try writeReports(RunResults(run: run, findings: .gate(gate)), to: folder)
}

extension GateResult {
    /// The four files of the gate's results.
    func reportFiles(run: RunInfo, stamp: ReportStamp) -> [ReportFile] {
        [
            ReportFile("summary.md", summaryMarkdown(stamp: stamp)),
            ReportFile("junit.xml", junitXML(stamp: stamp)),
            ReportFile("results.json", ResultsJSON.render(RunResults(run: run, findings: .gate(self)))),
            ReportFile("report.html", htmlReport(stamp: stamp)),
        ]
    }
}
