// `compat fleet GATEWAY [--clients v3,v4,v5,v5]`: one gateway process serving every listed
// client at once (a name may repeat), each session checked on its own.

import ArgumentParser
import CompatRunner
import Foundation

struct FleetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Runs one gateway with many clients logged on at once, of mixed versions, and checks every session.",
        discussion:
            "Each session gets its own N or a clean LogonReject (cut off); answers reach only the session that asked, at its N; a second Logon renegotiates; one session's bad input, Logout or death disturbs no other."
    )

    @Argument(help: "The gateway peer's name in the matrix.")
    var gateway: String

    @Option(name: .long, help: "The clients, comma-separated; a name may repeat (default: every client of the matrix).")
    var clients: String?

    @OptionGroup var matrixOptions: MatrixOptions
    @OptionGroup var filter: CheckFilterOptions

    @OptionGroup var runOutput: RunOutputOptions
    @OptionGroup var terminal: TerminalOptions
    @OptionGroup var output: JSONOutputOption

    func run() throws {
        var (config, samples) = try matrixOptions.load()
        try requireTGPSessions(config, for: "compat fleet")
        let reports = try runOutput.prepareReports()
        let run = startRun("fleet")
        guard config.peer(named: gateway) != nil, config.gateways.contains(gateway) else {
            throw ConfigError("\(config.path): no gateway named \"\(gateway)\" (gateways: \(config.gateways.joined(separator: ", ")))")
        }
        try checkBeforeStarting(&config, peers: Set(try fleetClients(clients, config).map(\.name) + [gateway]))
        // Taken after the build, which gives peers built from a commit their programs.
        let gatewaySpec = config.peer(named: gateway)!
        let clientSpecs = try fleetClients(clients, config)
        let plan = FleetPlan(gateway: gatewaySpec, clients: clientSpecs)
        try filter.requireKnownMessages(config.schema)
        try CheckListing.validateSelection(filter.selection, checks: plan.checks.map(\.id))
        var words = ["compat", "fleet", gateway, "--clients", clientSpecs.map(\.name).joined(separator: ",")]
        if matrixOptions.matrix != "matrix.json" { words += ["--matrix", matrixOptions.matrix] }
        var fleets = FleetRunner(config: config, samples: samples)
        fleets.captureFolder = try runOutput.prepareCapture()
        let result =
            fleets.run(
                plan, selection: filter.selection, reproduce: words.map(shellQuoted).joined(separator: " "),
                allowRemote: runOutput.allowRemote
            )
        parkIfInterrupted()
        output.text(renderFleet(result, plan: plan, color: terminal.colors))
        try publishScenarioReports(result, gateway: gateway, run: run, to: reports, output: output, matrixFile: matrixOptions.matrix)
        if !result.state.isExpected { throw ExitCode(1) }
    }
}
