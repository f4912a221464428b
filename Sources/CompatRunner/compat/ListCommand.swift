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
    var client: String?

    @Option(name: .long, help: "With --checks: only these gateways (comma-separated names).")
    var gateway: String?

    @Option(name: .long, help: "With --checks: the checks of `compat fleet GATEWAY` (clients from --client, names may repeat).")
    var fleet: String?

    @Option(name: .long, help: "With --checks: the checks of `compat upgrade FROM TO`, given as FROM:TO (clients from --client).")
    var upgrade: String?

    @Flag(name: .long, help: "With --checks: JSON, each check with its kind and rule ids.")
    var json = false

    @Flag(name: .long, help: "The check catalogue as Markdown (docs/CHECKS.md).")
    var markdown = false

    func validate() throws {
        if !checks && (client != nil || gateway != nil || json || fleet != nil || upgrade != nil) {
            throw ValidationError("--client, --gateway, --fleet, --upgrade and --json go with --checks")
        }
        if fleet != nil && upgrade != nil { throw ValidationError("--fleet and --upgrade exclude each other") }
        if markdown && json { throw ValidationError("--markdown and --json exclude each other") }
    }

    func run() throws {
        let (config, samples) = try matrixOptions.load()
        if markdown { return emit(CheckListing.markdown(samples: samples)) }
        guard checks else { return emit(peersAndMessages(config)) }
        if let scenario = try scenarioChecks(config) {
            try CheckListing.validateSelection(filter.selection, names: scenario.map(\.name))
            let selected = scenario.filter { filter.selection.includes($0.name) }
            return emit(json ? CheckListing.json(selected).serialized(pretty: true) + "\n" : selected.map { $0.name + "\n" }.joined())
        }
        let runner = MatrixRunner(config: config, samples: samples)
        let clients = try pick(client, from: config.clients, option: "--client", config: config)
        let gateways = try pick(gateway, from: config.gateways, option: "--gateway", config: config)
        let plans = CheckListing.plans(runner, clients: clients, gateways: gateways)
        try CheckListing.validateSelection(filter.selection, in: plans)
        emit(json ? CheckListing.json(plans, selection: filter.selection).serialized(pretty: true) + "\n" : CheckListing.text(plans, selection: filter.selection))
    }

    /// The checks of a fleet or an upgrade, when one is asked for.
    private func scenarioChecks(_ config: MatrixConfig) throws -> [(name: String, kind: CheckKind)]? {
        if let fleet {
            guard let gateway = config.peer(named: fleet), config.gateways.contains(fleet) else {
                throw ConfigError("--fleet \(fleet): not a gateway of \(config.path) (\(config.gateways.joined(separator: ", ")))")
            }
            return FleetPlan(gateway: gateway, clients: try fleetClients(client, config)).checks
        }
        guard let upgrade else { return nil }
        let ends = upgrade.split(separator: ":").map(String.init)
        guard ends.count == 2, let from = config.peer(named: ends[0]), let to = config.peer(named: ends[1]),
              config.gateways.contains(ends[0]), config.gateways.contains(ends[1]) else {
            throw ConfigError("--upgrade \(upgrade): give two gateways of \(config.path) as FROM:TO (\(config.gateways.joined(separator: ", ")))")
        }
        return UpgradePlan(from: from, to: to, clients: try fleetClients(client, config), support: config.support).fleet.checks
    }

    private func peersAndMessages(_ config: MatrixConfig) -> String {
        let schema = Schema.tgp
        var out = "Peers (\(config.path)):\n"
        let clients = Set(config.clients), gateways = Set(config.gateways)
        for peer in config.peers {
            let range = schema.peerRanges[peer.version]!
            let roles = [clients.contains(peer.name) ? "client" : nil, gateways.contains(peer.name) ? "gateway" : nil].compactMap { $0 }
            out += "  \(peer.name.padding(toLength: 12, withPad: " ", startingAt: 0)) v\(peer.version)  supports \(range.lowerBound)..\(range.upperBound)  \(roles.joined(separator: "+"))  \(peer.build.map { "\($0.product) built at \($0.ref)" } ?? peer.argv.joined(separator: " "))\n"
        }
        out += "\nMessage types by version (• known at that version):\n"
        let versions = schema.versions
        out += "  " + "message".padding(toLength: 20, withPad: " ", startingAt: 0) + "id   dir   " + versions.map { "v\($0) " }.joined() + "\n"
        for type in schema.messages {
            let marks = versions.map { type.since <= $0 ? " •  " : " ·  " }.joined()
            out += "  " + type.name.padding(toLength: 20, withPad: " ", startingAt: 0)
                + String(type.templateId).padding(toLength: 5, withPad: " ", startingAt: 0)
                + type.direction.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0) + marks + "\n"
        }
        return out
    }
}

enum TGPNames {
    static var messages: [String] { Schema.tgp.messages.map(\.name) }
}
