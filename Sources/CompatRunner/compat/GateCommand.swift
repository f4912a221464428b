// `compat gate`: schema diff, golden frames, the full matrix and stale known failures, one exit code.

import ArgumentParser
import CompatRunner
import Foundation

struct GateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "The CI gate on protocol changes: schema lock, golden frames, full matrix, stale known failures.",
        discussion:
            "Exit status: 0 when all four hold, 1 otherwise, 2 on misuse. --clients/--gateways narrow the matrix and run the fleets and upgrades only on those gateways with those clients; under --message or --run no fleet or upgrade runs. A note on stderr names each one left out."
    )

    @OptionGroup var matrixOptions: MatrixOptions
    @OptionGroup var peers: PeerFilterOptions
    @OptionGroup var filter: CheckFilterOptions

    @Option(name: .long, help: "Compare the schema with this lock file or git ref instead of fixtures/schema-lock.json.")
    var baseline: String?

    @Option(name: .long, help: "The reviewed file of intentional breaks (default: fixtures/allowed-breaks.json).")
    var allowBreaking: String?

    @OptionGroup var parallel: JobOptions

    @Option(name: .long, help: "Write summary.md, junit.xml, results.json and report.html here.")
    var reportDir: String?

    @Option(name: .long, help: "Write each cell's and scenario's capture (pcapng) into this folder.")
    var capture: String?

    @OptionGroup var sharding: ShardOptions
    @OptionGroup var terminal: TerminalOptions
    @OptionGroup var output: JSONOutputOption

    private func gateRunOptions(captureFolder: String?) -> RunOptions {
        var options = parallel.runOptions(selection: filter.selection, reproducePrefix: matrixOptions.reproducePrefix)
        options.captureFolder = captureFolder
        return options
    }

    func run() throws {
        let started = ContinuousClock.now
        var runner = try matrixOptions.loadRunner()
        try requireTGPSessions(runner.config, for: "compat gate")
        let everyScenario = FleetRunner(config: runner.config, samples: runner.samples).gateScenarioPlans().map(\.name)
        try narrow(&runner)
        try runner.config.requireCellLimit(clients: runner.config.clients.count, gateways: runner.config.gateways.count)
        let fixtures = matrixOptions.fixturesFolder
        try checkBeforeStarting(&runner.config, peers: Set(runner.config.clients + runner.config.gateways))
        let (config, samples) = (runner.config, runner.samples)
        var fleets = FleetRunner(config: config, samples: samples)
        let captureFolder = try capture.map(CaptureSettings.prepareFolder)
        fleets.captureFolder = captureFolder
        // Schema and golden frames are quick: every shard checks them, and a merge takes them once.
        // Cells, fleets and upgrades are shared out together, by their planned checks.
        let cells = config.clients.flatMap { client in config.gateways.map { ShardUnit.cell(client: client, gateway: $0) } }
        let gateScenarios = filter.selectsEverything ? fleets.gateScenarioPlans() : []
        noteLeftOut(everyScenario.filter { name in !gateScenarios.contains { $0.name == name } })
        let (units, shardRecord) = try sharding.pick(
            cells + gateScenarios.map(ShardUnit.scenario), runner: runner, matrixFile: matrixOptions.matrix)
        let reports = try reportDir.map(ReportFolder.prepare)
        let run = startRun("gate", shard: shardRecord)
        let schema = try schemaSection(fixtures: fixtures, baseline: baseline, allowedBreaks: allowBreaking, support: config)
        let golden = fixturesSection(fixtures: fixtures, samples: samples)
        // On an interrupt: the schema, the golden frames, the units that finished and the rest NOT RUN.
        let report = InterruptibleReport { finished in
            let partial = GateResult.interrupted(
                schema: schema, fixtures: golden, units: units, finished: finished, config: config,
                seconds: (ContinuousClock.now - started).seconds, jobs: parallel.jobs)
            output.text(partial.renderTerminal())
            publishToGitHubActions(
                partial.gitHubFindings,
                summary: reportSummary(RunResults(run: run, findings: .gate(partial)), inReportFolder: reports != nil), run: run,
                matrixFile: matrixOptions.matrix, schemaFile: config.schemaPath,
                write: output.note)
            let shown = withKeptInReport(RunResults(run: run, findings: .gate(partial)), folder: reports)
            if let reports { try? writeGateReports(partial, run: run, to: reports) }
            output.results(shown)
        }
        let progress = progressLine(total: units.count)
        let ended: @Sendable (CellResult) -> Void = { unit in
            report.ended(unit)
            progress?.ended(unit)
        }
        let matrix = runner.run(cells: units.compactMap(\.cell), options: gateRunOptions(captureFolder: captureFolder), progress: ended)
        let scenarios = fleets.run(units.compactMap(\.scenario), progress: ended)
        progress?.end()
        parkIfInterrupted()
        let gate = GateResult(
            schema: schema, fixtures: golden, matrix: matrix, scenarios: scenarios, seconds: (ContinuousClock.now - started).seconds)
        try report.report {
            // Said as it will be: kept folders move into the report folder.
            let shown = withKeptInReport(RunResults(run: run, findings: .gate(gate)), folder: reports)
            output.text((shown.gate ?? gate).renderTerminal(color: terminal.colors, verbose: terminal.verbose))
            publishToGitHubActions(
                gate.gitHubFindings, summary: reportSummary(RunResults(run: run, findings: .gate(gate)), inReportFolder: reports != nil),
                run: run, matrixFile: matrixOptions.matrix, schemaFile: config.schemaPath,
                write: output.note)
            if let reports {
                try writeGateReports(gate, run: run, to: reports)
                output.note(reportsWritten(reports, run.runId))
            }
            output.results(shown)
        }
        if !gate.passed { throw ExitCode(1) }
    }

    /// --clients/--gateways narrow the gate as they narrow `matrix run`: its cells, and its fleets and
    /// upgrades, which then have only those clients and run only on those gateways.
    private func narrow(_ runner: inout MatrixRunner) throws {
        let (clients, gateways) = try peers.picked(from: runner.config)
        try filter.requireMatches(runner, clients: clients, gateways: gateways)
        runner.config = runner.config.narrowed(clients: clients, gateways: gateways)
    }

    /// The gate's fleets and upgrades a narrowed gate does not run, said on stderr: those on a
    /// gateway left out, and all of them under --run or --message, which select the matrix's checks.
    private func noteLeftOut(_ names: [String]) {
        guard !names.isEmpty else { return }
        let why = filter.selectsEverything ? "their gateways are not in --gateways" : "--run and --message select matrix checks"
        emitError("compat: note: the gate leaves out \(names.joined(separator: ", ")) (\(why))\n")
    }
}
