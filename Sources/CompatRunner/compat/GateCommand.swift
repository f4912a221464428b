// `compat gate`: schema diff, golden frames, the full matrix and stale known failures, one exit code.

import ArgumentParser
import CompatRunner
import Foundation

struct GateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "The CI gate on protocol changes: schema lock, golden frames, full matrix, stale known failures.",
        discussion: "Exit status: 0 when all four hold, 1 otherwise, 2 on misuse."
    )

    @OptionGroup var matrixOptions: MatrixOptions

    @Option(name: .long, help: "Compare the schema with this lock file or git ref instead of fixtures/schema-lock.json.")
    var baseline: String?

    @Option(name: .long, help: "The reviewed file of intentional breaks (default: fixtures/allowed-breaks.json).")
    var allowBreaking: String?

    @Option(name: .long, help: "Cells run at once (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .long, help: "Write summary.md, junit.xml and results.json here.")
    var reportDir: String?

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
    }

    func run() throws {
        let started = ContinuousClock.now
        var (config, samples) = try matrixOptions.load()
        let fixtures = matrixOptions.fixturesFolder
        try checkBeforeStarting(&config, peers: Set(config.clients + config.gateways))
        let reports = try reportDir.map(ReportFolder.prepare)
        let runId = RunID()
        let schema = try schemaSection(fixtures: fixtures, baseline: baseline, allowedBreaks: allowBreaking, support: config)
        let golden = fixturesSection(fixtures: fixtures, samples: samples)
        let cells = config.clients.flatMap { client in config.gateways.map { (client: client, gateway: $0) } }
        let matrix = MatrixRunner(config: config, samples: samples)
            .run(cells: cells, options: RunOptions(jobs: jobs, reproducePrefix: matrixOptions.reproducePrefix))
        let scenarios = FleetRunner(config: config, samples: samples).gateScenarios()
        parkIfInterrupted()
        let gate = GateResult(schema: schema, fixtures: golden, matrix: matrix, scenarios: scenarios, seconds: (ContinuousClock.now - started).seconds)
        emit(gate.renderTerminal())
        if let reports {
            try writeGateReports(gate, runId: runId, to: reports)
            emit(reportsWritten(reports, runId))
        }
        if !gate.passed { throw ExitCode(1) }
    }
}
