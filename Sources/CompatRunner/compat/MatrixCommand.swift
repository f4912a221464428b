// `compat matrix run`: every client × gateway cell of the matrix.

import ArgumentParser
import CompatRunner
import Foundation

struct MatrixCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matrix",
        abstract: "Runs the compatibility matrix.",
        subcommands: [Run.self, Floor.self],
        defaultSubcommand: Run.self
    )

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run", abstract: "Runs every client × gateway cell, several at once, and prints the grid.")

        @OptionGroup var matrixOptions: MatrixOptions
        @OptionGroup var filter: CheckFilterOptions

        @OptionGroup var parallel: JobOptions

        @OptionGroup var peers: PeerFilterOptions

        @OptionGroup var runOutput: RunOutputOptions
        @OptionGroup var sharding: ShardOptions

        @OptionGroup var terminal: TerminalOptions
        @OptionGroup var output: JSONOutputOption

        func run() throws {
            var runner = try matrixOptions.loadRunner()
            let (clientNames, gatewayNames) = try peers.picked(from: runner.config)
            try runner.config.requireCellLimit(clients: clientNames.count, gateways: gatewayNames.count)
            let allCells = clientNames.flatMap { client in gatewayNames.map { ShardUnit.cell(client: client, gateway: $0) } }
            let (units, shardRecord) = try sharding.pick(allCells, runner: runner, matrixFile: matrixOptions.matrix)
            let cells = units.compactMap(\.cell)
            // Peers built from a commit are built now: those of this run's cells only.
            try checkBeforeStarting(&runner.config, peers: Set(cells.flatMap { [$0.client, $0.gateway] }))
            let config = runner.config
            try filter.requireMatches(runner, clients: clientNames, gateways: gatewayNames)
            var options = parallel.runOptions(selection: filter.selection, reproducePrefix: matrixOptions.reproducePrefix)
            options.allowRemote = runOutput.allowRemote
            options.captureFolder = try runOutput.prepareCapture()
            let reports = try runOutput.prepareReports()
            let run = startRun("matrix run", shard: shardRecord)
            // On an interrupt: the cells that finished, the rest NOT RUN.
            let started = ContinuousClock.now
            let report = InterruptibleReport { finished in
                let partial = MatrixResult.interrupted(
                    cells: cells, finished: finished, config: config, seconds: (ContinuousClock.now - started).seconds, jobs: parallel.jobs)
                output.text(renderGrid(partial, color: false))
                publishToGitHubActions(
                    partial.gitHubFindings,
                    summary: reportSummary(RunResults(run: run, findings: .matrix(partial)), inReportFolder: reports != nil), run: run,
                    matrixFile: matrixOptions.matrix,
                    write: output.note)
                let shown = withKeptInReport(RunResults(run: run, findings: .matrix(partial)), folder: reports)
                if let reports { try? writeReports(partial, run: run, to: reports) }
                output.results(shown)
            }
            let progress = progressLine(total: cells.count)
            let result = runner.run(cells: cells, options: options) { cell in
                report.ended(cell)
                progress?.ended(cell)
            }
            progress?.end()
            parkIfInterrupted()
            try report.report {
                // Said as it will be: kept folders move into the report folder.
                let shown = withKeptInReport(RunResults(run: run, findings: .matrix(result)), folder: reports)
                output.text(renderGrid(result, color: terminal.colors))
                if !result.allExpected { output.text(renderFailures(shown.matrix, verbose: terminal.verbose)) }
                publishToGitHubActions(
                    result.gitHubFindings,
                    summary: reportSummary(RunResults(run: run, findings: .matrix(result)), inReportFolder: reports != nil), run: run,
                    matrixFile: matrixOptions.matrix,
                    write: output.note)
                if let reports {
                    try writeReports(result, run: run, to: reports)
                    output.note(reportsWritten(reports, run.runId))
                }
                output.results(shown)
            }
            if !result.allExpected { throw ExitCode(1) }
        }
    }
}

extension MatrixCommand {
    struct Floor: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "floor",
            abstract: "Starts and stops the matrix's peers without checks: the floor a run is measured against.",
            discussion: "Prints the wall time of a run and of its floor, and their ratio; median of --runs."
        )

        @OptionGroup var matrixOptions: MatrixOptions

        @OptionGroup var parallel: JobOptions

        @Option(name: .long, help: "How many times to measure each (they alternate).")
        var runs: Int = 7

        @Flag(name: .long, help: "Print the times and the ratio as JSON.")
        var json = false

        func validate() throws {
            guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        }

        func run() throws {
            var runner = try matrixOptions.loadRunner()
            try runner.config.requireCellLimit(clients: runner.config.clients.count, gateways: runner.config.gateways.count)
            try checkBeforeStarting(&runner.config, peers: Set(runner.config.clients + runner.config.gateways))
            let config = runner.config
            let cells = config.clients.flatMap { client in config.gateways.map { (client: client, gateway: $0) } }
            var matrixTimes: [Double] = []
            var floorTimes: [Double] = []
            let options = parallel.runOptions(selection: CheckSelection(), reproducePrefix: matrixOptions.reproducePrefix)
            for _ in 0..<runs {
                let result = runner.run(cells: cells, options: options)
                guard result.allExpected else { throw ConfigError("the matrix did not pass; measure a passing matrix") }
                matrixTimes.append(result.wallSeconds)
                floorTimes.append(try runner.startStopFloor(cells: cells, jobs: parallel.jobs))
            }
            let checks = runner.run(cells: cells, options: options).cells.reduce(0) { $0 + $1.checks.count }
            let pinned = options.workers(forCells: cells.count).pinned
            let report = FloorReport(
                cells: cells.count, checks: checks, jobs: parallel.jobs, pinned: pinned, matrixSeconds: matrixTimes,
                floorSeconds: floorTimes)
            emit(json ? report.json.serialized(pretty: true) + "\n" : report.text)
        }
    }
}

/// A comma-separated subset of a role's peers, in matrix order.
func pick(_ list: String?, from names: [String], option: String, config: MatrixConfig) throws -> [String] {
    guard let list else { return names }
    let wanted = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    guard !wanted.isEmpty else { throw ConfigError("\(option) names no peer (\(names.joined(separator: ", ")))") }
    let inRole = Set(names)
    for name in wanted where !inRole.contains(name) {
        throw ConfigError("\(option) \(name): not a peer of \(config.path) in that role (\(names.joined(separator: ", ")))")
    }
    return names.filter(Set(wanted).contains)
}
