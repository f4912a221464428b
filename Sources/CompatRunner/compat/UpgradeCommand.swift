// `compat upgrade FROM TO [--clients …] [--kill]`: a rolling gateway upgrade (or downgrade)
// under a live fleet; `compat plan upgrade FROM TO`: who keeps, changes or loses its N, and
// whether that keeps the support policy, without starting anything.

import ArgumentParser
import CompatRunner
import Foundation

/// The gateways and clients of an upgrade, from the matrix.
struct UpgradeArguments: ParsableArguments {
    @Argument(help: "The gateway the fleet starts on.")
    var from: String

    @Argument(help: "The gateway that replaces it on the same endpoint.")
    var to: String

    @Option(name: .long, help: "The clients, comma-separated; a name may repeat (default: every client of the matrix).")
    var clients: String?

    @Flag(name: .long, help: "Kill FROM (SIGKILL, as in a crash) instead of shutting it down.")
    var kill = false

    enum Side: String, ExpressibleByArgument { case gateway, client }

    @Option(
        name: .long, help: "What is replaced: the gateway (default), or one client (FROM and TO are then clients, served by --gateway).")
    var side: Side = .gateway

    @Option(name: .long, help: "With --side client: the gateway that serves the fleet.")
    var gateway: String?

    func validate() throws {
        if side == .client && gateway == nil {
            throw ValidationError("--side client needs --gateway NAME: the gateway that serves the fleet")
        }
        if side == .gateway && gateway != nil { throw ValidationError("--gateway goes with --side client") }
    }

    func plan(_ config: MatrixConfig) throws -> UpgradePlan {
        if side == .client, let gateway { return try clientPlan(config, gateway: gateway) }
        var gateways: [PeerSpec] = []
        for name in [from, to] {
            guard let spec = config.peer(named: name), config.gateways.contains(name) else {
                throw ConfigError("\(config.path): no gateway named \"\(name)\" (gateways: \(config.gateways.joined(separator: ", ")))")
            }
            gateways.append(spec)
        }
        return UpgradePlan(
            from: gateways[0], to: gateways[1], clients: try fleetClients(clients, config), kill: kill, support: config.support)
    }

    private func clientPlan(_ config: MatrixConfig, gateway: String) throws -> UpgradePlan {
        guard let gatewaySpec = config.peer(named: gateway), config.gateways.contains(gateway) else {
            throw ConfigError("\(config.path): no gateway named \"\(gateway)\" (gateways: \(config.gateways.joined(separator: ", ")))")
        }
        let ends = try [from, to].map { name in
            guard let spec = config.peer(named: name), config.clients.contains(name) else {
                throw ConfigError("\(config.path): no client named \"\(name)\" (clients: \(config.clients.joined(separator: ", ")))")
            }
            return spec
        }
        return UpgradePlan(
            client: ends[0], by: ends[1], gateway: gatewaySpec, clients: try fleetClients(clients, config), kill: kill,
            support: config.support)
    }
}

struct UpgradeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upgrade",
        abstract: "Replaces a live fleet's gateway by another version and checks every client recovers (or is cut off by design).",
        discussion:
            "A downgrade is `compat upgrade v5 v4`. Exit 1 when a check fails, including a supported client cut off (matrix.json \"support\")."
    )

    @OptionGroup var upgrade: UpgradeArguments
    @OptionGroup var matrixOptions: MatrixOptions

    @OptionGroup var runOutput: RunOutputOptions
    @OptionGroup var terminal: TerminalOptions
    @OptionGroup var output: JSONOutputOption

    func run() throws {
        var (config, samples) = try matrixOptions.load()
        try requireTGPSessions(config, for: "compat upgrade")
        let reports = try runOutput.prepareReports()
        let run = startRun("upgrade")
        let planned = try upgrade.plan(config)
        try checkBeforeStarting(
            &config, peers: Set(planned.fleet.members.map(\.spec.name) + [planned.fleet.gateway.name, planned.from.name, planned.to.name]))
        // Planned again after the build, which gives peers built from a commit their programs.
        let plan = try upgrade.plan(config)
        var words = [
            "compat", "upgrade", plan.from.name, plan.to.name, "--clients", upgrade.clients ?? config.clients.joined(separator: ","),
        ]
        if plan.kill { words.append("--kill") }
        if let gateway = upgrade.gateway { words += ["--side", "client", "--gateway", gateway] }
        if matrixOptions.matrix != "matrix.json" { words += ["--matrix", matrixOptions.matrix] }
        output.text(plan.describe() + "\n")
        var fleets = FleetRunner(config: config, samples: samples)
        fleets.captureFolder = try runOutput.prepareCapture()
        let (result, recovery) =
            fleets.run(plan, reproduce: words.map(shellQuoted).joined(separator: " "), allowRemote: runOutput.allowRemote)
        parkIfInterrupted()
        let isGatewaySide = if case .gateway = plan.side { true } else { false }
        output.text(renderFleet(result, plan: plan.fleet, after: isGatewaySide ? plan : nil, color: terminal.colors))
        if let recovery { output.text(recovery.summary + "\n") }
        try publishScenarioReports(result, gateway: plan.to.name, run: run, to: reports, output: output, matrixFile: matrixOptions.matrix)
        if !result.state.isExpected { throw ExitCode(1) }
    }
}

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Says what a change would do, without starting anything.",
        subcommands: [Upgrade.self]
    )

    struct Upgrade: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "upgrade",
            abstract: "Which clients keep their N, change it or are cut off by an upgrade, and whether that keeps the support policy.",
            discussion: "Exit 1 when a client the support policy (matrix.json \"support\") says TO must serve is cut off."
        )

        @OptionGroup var upgrade: UpgradeArguments
        @OptionGroup var matrixOptions: MatrixOptions

        func run() throws {
            let (config, _) = try matrixOptions.load()
            try requireTGPSessions(config, for: "compat upgrade")
            let plan = try upgrade.plan(config)
            emit(plan.describe())
            if !plan.unsupported.isEmpty { throw ExitCode(1) }
        }
    }
}

/// A comma-separated list of the matrix's clients (a name may repeat), or all of them.
func fleetClients(_ list: String?, _ config: MatrixConfig) throws -> [PeerSpec] {
    guard let list else { return config.clients.compactMap(config.peer(named:)) }
    let names = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    guard !names.isEmpty else { throw ConfigError("--clients names no peer (clients: \(config.clients.joined(separator: ", ")))") }
    return try names.map { name in
        guard let spec = config.peer(named: name), config.clients.contains(name) else {
            throw ConfigError("--clients \(name): not a client of \(config.path) (\(config.clients.joined(separator: ", ")))")
        }
        return spec
    }
}
