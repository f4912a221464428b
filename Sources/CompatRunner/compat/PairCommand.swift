// `compat pair CLIENT GATEWAY`: one cell in depth, every check listed.

import ArgumentParser
import CompatRunner
import Foundation

struct PairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pair",
        abstract: "Runs one cell: the client against the gateway, listing every check."
    )

    @Argument(help: "The client peer's name in the matrix (always first).")
    var client: String

    @Argument(help: "The gateway peer's name in the matrix.")
    var gateway: String

    @OptionGroup var matrixOptions: MatrixOptions
    @OptionGroup var filter: CheckFilterOptions

    @OptionGroup var runOutput: RunOutputOptions
    @OptionGroup var terminal: TerminalOptions
    @OptionGroup var output: JSONOutputOption

    @Flag(name: .long, help: "Print where the cell's time went: each phase's end, from its start.")
    var timeline = false

    func run() throws {
        var runner = try matrixOptions.loadRunner(cell: (client, gateway))
        let config = runner.config
        for (name, role) in [(client, "client"), (gateway, "gateway")] where config.peer(named: name) == nil {
            throw ConfigError(
                "\(config.path): no peer named \"\(name)\" to be the \(role) (peers: \(config.peers.map(\.name).joined(separator: ", ")))")
        }
        try checkBeforeStarting(&runner.config, peers: [client, gateway])
        try filter.requireMatches(runner, clients: [client], gateways: [gateway])
        var options = RunOptions(jobs: 1, selection: filter.selection, reproducePrefix: matrixOptions.reproducePrefix)
        options.allowRemote = runOutput.allowRemote
        options.captureFolder = try runOutput.prepareCapture()
        let reports = try runOutput.prepareReports()
        let run = startRun("pair")
        let result = runner.run(cells: [(client, gateway)], options: options)
        parkIfInterrupted()
        // Said as it will be: a kept folder moves into the report folder.
        let shown = withKeptInReport(RunResults(run: run, findings: .matrix(result)), folder: reports)
        for cell in shown.matrix.cells {
            output.text(renderCell(cell, verbose: true, color: terminal.colors))
            if timeline { output.text(renderTimeline(cell)) }
        }
        // A wildcard entry is judged over the run, here this one cell.
        for entry in result.staleKnownFailures { output.text("STALE  \(entry.message)\n") }
        if let reports {
            try writeReports(result, run: run, to: reports)
            output.note(reportsWritten(reports, run.runId))
        }
        output.results(shown)
        if !result.allExpected { throw ExitCode(1) }
    }
}

/// A cell's phases with the time each ended, from its start; the first check (hello) and the
/// checks' own total between "peers started" and "checks run".
func renderTimeline(_ cell: CellResult) -> String {
    func ms(_ seconds: Double) -> String { String(format: "%.1f ms", seconds * 1000) }
    var lines = ["timeline of \(cell.client)/\(cell.gateway), from the cell's start:"]
    lines += cell.timeline.map { "  \($0.phase.padding(toLength: 16, withPad: " ", startingAt: 0)) \(ms($0.seconds))" }
    if let first = cell.checks.first, let seconds = first.seconds {
        lines.append(
            "  first check (\(first.name)) took \(ms(seconds)) of the checks' \(ms(cell.checks.compactMap(\.seconds).reduce(0, +)))")
    }
    return lines.joined(separator: "\n") + "\n"
}
