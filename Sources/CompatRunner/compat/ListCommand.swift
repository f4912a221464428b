// `compat list`: the peers of the matrix and the message types of each version; with
// `--checks`, the exact checks each cell will run, computed without starting a process.

import ArgumentParser
import CompatRunner
import Foundation
import TGP

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Lists the matrix's peers and message types, or (--checks) the checks each cell plans."
    )

    @OptionGroup var matrixOptions: MatrixOptions
    @OptionGroup var filter: CheckFilterOptions

    @Flag(name: .long, help: "List the checks the cells will run, without starting anything.")
    var checks = false

    @Option(name: .long, help: "With --checks: only these clients (comma-separated names).")
    var clients: String?

    @Option(name: .long, help: "With --checks: only these gateways (comma-separated names).")
    var gateways: String?

    /// The spellings before --clients/--gateways, kept working.
    @Option(name: .long, help: .hidden) var client: String?
    @Option(name: .long, help: .hidden) var gateway: String?

    @Option(name: .long, help: "With --checks: the checks of `compat fleet GATEWAY` (clients from --clients, names may repeat).")
    var fleet: String?

    @Option(
        name: .long, parsing: .upToNextOption,
        help: ArgumentHelp(
            "With --checks: the checks of `compat upgrade FROM TO`, given as FROM TO (or FROM:TO; clients from --clients).",
            valueName: "FROM TO"))
    var upgrade: [String] = []

    /// --clients, or its old spelling --client.
    private var clientList: String? { clients ?? client }
    private var gatewayList: String? { gateways ?? gateway }

    @Option(name: .long, help: ArgumentHelp("With --checks: only the cells `matrix run --shard K/N` runs.", valueName: "K/N"))
    var shard: String?

    @Flag(name: .long, help: "JSON: the peers, ranges and message types; with --checks, each check with its kind and rule ids.")
    var json = false

    @Flag(name: .long, help: "The check catalogue as Markdown (docs/CHECKS.md).")
    var markdown = false

    func validate() throws {
        if clients != nil && client != nil { throw ValidationError("give --clients once (--client is its old spelling)") }
        if gateways != nil && gateway != nil { throw ValidationError("give --gateways once (--gateway is its old spelling)") }
        if !checks && (clientList != nil || gatewayList != nil || fleet != nil || !upgrade.isEmpty || shard != nil) {
            throw ValidationError("--clients, --gateways, --fleet, --upgrade and --shard go with --checks")
        }
        if shard != nil && (fleet != nil || !upgrade.isEmpty) {
            throw ValidationError("--shard goes with the matrix's cells, not --fleet or --upgrade")
        }
        if fleet != nil && !upgrade.isEmpty { throw ValidationError("--fleet and --upgrade exclude each other") }
        if markdown && json { throw ValidationError("--markdown and --json exclude each other") }
    }

    func run() throws {
        let runner = try matrixOptions.loadRunner()
        let (config, samples) = (runner.config, runner.samples)
        if markdown { return emit(CheckListing.markdown(samples: samples)) }
        try filter.requireKnownMessages(config.schema)
        guard checks else { return emit(json ? MatrixListing.json(config).serialized(pretty: true) + "\n" : MatrixListing.text(config)) }
        if let scenario = try scenarioChecks(config) {
            try CheckListing.validateSelection(filter.selection, checks: scenario.map(\.id))
            let selected = scenario.filter { filter.selection.includes($0.id) }
            return emit(json ? CheckListing.json(selected).serialized(pretty: true) + "\n" : selected.map { $0.name + "\n" }.joined())
        }
        let clientNames = try pick(clientList, from: config.clients, option: "--clients", config: config)
        let gatewayNames = try pick(gatewayList, from: config.gateways, option: "--gateways", config: config)
        try config.requireCellLimit(clients: clientNames.count, gateways: gatewayNames.count)
        let everyPlan = CheckListing.plans(runner, clients: clientNames, gateways: gatewayNames)
        try CheckListing.validateSelection(filter.selection, in: everyPlan)
        let plans = try shardOf(everyPlan)
        emit(
            json
                ? CheckListing.json(plans, selection: filter.selection).serialized(pretty: true) + "\n"
                : CheckListing.text(plans, selection: filter.selection))
    }

    /// The plans of the cells `--shard K/N` takes, split as `matrix run --shard K/N` splits them.
    private func shardOf(_ plans: [CheckPlan]) throws -> [CheckPlan] {
        guard let shard else { return plans }
        return try Shard.parse(shard).pick(
            plans, name: { ShardUnit.cell(client: $0.peers.client, gateway: $0.peers.gateway).name },
            cost: \.checks.count)
    }

    /// The checks of a fleet or an upgrade, when one is asked for.
    private func scenarioChecks(_ config: MatrixConfig) throws -> [ScenarioCheck]? {
        if let fleet {
            guard let gateway = config.peer(named: fleet), config.gateways.contains(fleet) else {
                throw ConfigError("--fleet \(fleet): not a gateway of \(config.path) (\(config.gateways.joined(separator: ", ")))")
            }
            return FleetPlan(gateway: gateway, clients: try fleetClients(clientList, config)).checks
        }
        guard !upgrade.isEmpty else { return nil }
        // `--upgrade FROM TO`, as `compat upgrade FROM TO` takes them, or the older `--upgrade FROM:TO`.
        let ends = upgrade.count == 1 ? upgrade[0].split(separator: ":").map(String.init) : upgrade
        guard ends.count == 2, let from = config.peer(named: ends[0]), let to = config.peer(named: ends[1]),
            config.gateways.contains(ends[0]), config.gateways.contains(ends[1])
        else {
            throw ConfigError(
                "--upgrade \(upgrade.joined(separator: " ")): give two gateways of \(config.path) as --upgrade FROM TO (\(config.gateways.joined(separator: ", ")))"
            )
        }
        return UpgradePlan(from: from, to: to, clients: try fleetClients(clientList, config), support: config.support).fleet.checks
    }
}
