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

    private var scenarioText: String {
        var lines = scenarios.map { "  \($0.client.padding(toLength: 16, withPad: " ", startingAt: 0)) \($0.state.rawValue) · \($0.checks.count) checks" }
        if lines.isEmpty { lines = ["  none"] }
        let failing = MatrixResult(clients: [], gateways: [], cells: scenarios.filter { !$0.state.isExpected }, wallSeconds: 0, jobs: 1)
        return lines.joined(separator: "\n") + "\n" + (failing.cells.isEmpty ? "" : renderFailures(failing))
    }

    /// Every cell in the state it should be in (stale known failures are their own section).
    public var matrixPassed: Bool { matrix.cells.allSatisfy(\.state.isExpected) }
    /// Listed known failures that now pass: the list must be kept true.
    public var staleKnownFailures: [CheckResult] { matrix.cells.flatMap { $0.checks.filter { $0.status == .stalePass } } }
    public var passed: Bool { schema.passed && fixtures.passed && matrixPassed && scenariosPassed && staleKnownFailures.isEmpty }

    /// (title, passed, text) for each section, in report order.
    var sections: [(title: String, passed: Bool, text: String)] {
        let stale = staleKnownFailures
        return [
            ("Schema against the released lock", schema.passed, schema.rendered),
            ("Golden frames", fixtures.passed,
             fixtures.counts + "\n" + fixtures.problems.map { "  \($0)" }.joined(separator: "\n") + (fixtures.passed ? "  every frame, value and cross-version decode as recorded\n" : "\n")),
            ("Compatibility matrix", matrixPassed, renderGrid(matrix, color: false) + (matrixPassed ? "" : renderFailures(matrix))),
            ("Fleets and upgrades", scenariosPassed, scenarioText),
            ("Stale known failures", stale.isEmpty,
             stale.isEmpty ? "none: every listed known failure still fails\n"
                 : stale.map { "  \($0.name) passed; remove it from knownFailures (\($0.knownReason ?? "no reason"))" }.joined(separator: "\n") + "\n"),
        ]
    }

    public func renderTerminal() -> String {
        var out = ""
        for section in sections {
            out += "== \(section.title): \(section.passed ? "PASS" : "FAIL")\n" + section.text + "\n"
        }
        let failed = sections.filter { !$0.passed }.map(\.title)
        out += failed.isEmpty
            ? String(format: "gate: PASS (%.2f s)\n", seconds)
            : String(format: "gate: FAIL — %@ (%.2f s)\n", failed.joined(separator: "; "), seconds)
        return out
    }

    /// For a pull-request comment: the verdict, then each section.
    public func summaryMarkdown(runId: RunID) -> String {
        var lines = ["## compat gate: \(passed ? "PASS" : "FAIL")", ""]
        lines.append("| section | result |")
        lines.append("|---|---|")
        for section in sections { lines.append("| \(section.title) | \(section.passed ? "PASS" : "**FAIL**") |") }
        lines.append("")
        for section in sections {
            lines.append("### \(section.title): \(section.passed ? "PASS" : "FAIL")")
            lines += SummaryMarkdown.codeBlock(section.text, language: "text")
            lines.append("")
        }
        if !schema.allowed.isEmpty {
            lines.append("Intentional breaks allowed in `\(AllowedBreaks.fileName)`:")
            for allowed in schema.allowed { lines.append("- `\(allowed.change.id)`: \(SummaryMarkdown.escaped(allowed.reason))") }
            lines.append("")
        }
        lines.append(runId.summaryLine)
        return lines.joined(separator: "\n") + "\n"
    }

    /// One suite per section (the matrix as one suite per cell), one test case per item.
    public func junitXML(runId: RunID) -> String {
        var schemaSuite = JUnitXML.Suite(name: "schema", properties: [("baseline", schema.baselineDescription)])
        schemaSuite.add("schema/no-breaking-change", classname: "schema",
                        failure: schema.passed ? nil : ("\(schema.breaking.count) breaking change(s)", "breaking", schema.rendered))
        for change in schema.breaking {
            schemaSuite.add("schema/\(change.id)", classname: "schema", failure: ("breaking: \(change.id)", "breaking", change.detail))
        }
        for allowed in schema.allowed { schemaSuite.add("schema/\(allowed.change.id) (allowed: \(allowed.reason))", classname: "schema") }

        var fixturesSuite = JUnitXML.Suite(name: "fixtures")
        fixturesSuite.add("fixtures/verify", classname: "fixtures",
                          failure: fixtures.passed ? nil : ("\(fixtures.problems.count) golden problem(s)", "golden", fixtures.problems.map(\.description).joined(separator: "\n")))
        for problem in fixtures.problems {
            fixturesSuite.add("fixtures/\(problem.file)\(problem.caseName.map { "/\($0)" } ?? "")", classname: "fixtures", failure: (problem.message, "golden", problem.description))
        }
        return JUnitXML.document([schemaSuite, fixturesSuite] + JUnitXML.cellSuites(allResults), seconds: seconds, runId: runId)
    }
}

/// Writes summary.md, junit.xml, results.json and report.html of the gate, each carrying the run's id,
/// into `folder` as one set.
public func writeGateReports(_ gate: GateResult, run: RunInfo, to folder: ReportFolder) throws {
    let runId = run.runId
    try folder.replace(with: [
        ReportFile("summary.md", gate.summaryMarkdown(runId: runId)),
        ReportFile("junit.xml", gate.junitXML(runId: runId)),
        ReportFile("results.json", ResultsJSON.render(RunResults(run: run, findings: .gate(gate)))),
        ReportFile("report.html", gate.htmlReport(runId: runId)),
    ])
}
