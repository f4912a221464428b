// Runs a fleet: one gateway process and every client of the plan connected and logged on at
// once, then rounds of interleaved traffic in which every session sends and is sent its types;
// each round waits for all sessions together, so a missing frame costs one wait per round.
// The result is one CellResult (client "fleet"), so the reports of a cell serve it.

import Foundation
import MiniJSON
import PeerContract
import TGP

public struct FleetRunner: Sendable {
    public let config: MatrixConfig
    public let samples: SampleBook
    public let schema: Schema
    /// `--capture DIR`: every scenario's capture is written there too.
    public var captureFolder: String?

    public init(config: MatrixConfig, samples: SampleBook, schema: Schema = .tgp) {
        self.config = config
        self.samples = samples
        self.schema = schema
    }

    /// Runs `plan` start to finish: nothing of it is left running, and its folder is removed unless it failed.
    public func run(
        _ plan: FleetPlan, selection: CheckSelection = CheckSelection(), reproduce: String,
        temporaryRoot: String? = nil, allowRemote: Bool = false
    ) -> CellResult {
        run(plan, upgrade: nil, selection: selection, reproduce: reproduce, temporaryRoot: temporaryRoot, allowRemote: allowRemote).result
    }

    /// Runs a rolling upgrade start to finish; the result and the recovery times.
    public func run(
        _ upgrade: UpgradePlan, selection: CheckSelection = CheckSelection(), reproduce: String,
        temporaryRoot: String? = nil, allowRemote: Bool = false
    ) -> (result: CellResult, recovery: RecoveryTimes?) {
        run(
            upgrade.fleet, upgrade: upgrade, selection: selection, reproduce: reproduce, temporaryRoot: temporaryRoot,
            allowRemote: allowRemote)
    }

    private func run(
        _ plan: FleetPlan, upgrade: UpgradePlan?, selection: CheckSelection, reproduce: String,
        temporaryRoot: String?, allowRemote: Bool
    ) -> (result: CellResult, recovery: RecoveryTimes?) {
        // Fleets run one at a time: the gateway, its clients, and an upgrade's second gateway.
        let lifecycle = PeerLifecycle(
            config: config, temporaryRoot: temporaryRoot, reaping: .killAll, captureFolder: captureFolder,
            stdoutBudget: StdoutBudget(peersAtOnce: plan.members.count + 2))
        // A scenario's result is named by the scenario (`fleet=v5`, `upgrade=v4-v5`) where a cell's has its client.
        let named = CellResult(
            client: plan.scenario, gateway: plan.gateway.name, clientVersion: 0, gatewayVersion: plan.gateway.version,
            expectedVersion: nil, state: .pass, checks: [], problem: nil, peers: [], keptDirectory: nil,
            seconds: 0, reproduce: reproduce)
        var recovery: RecoveryTimes?
        let result = lifecycle.run(named, folderPrefix: "compat-fleet-\(plan.gateway.name)") { peers throws(SpawnError) in
            let gateway = try peers.startFleetPeer(plan.gateway, as: .gateway)
            let clients = try plan.members.map { member throws(SpawnError) in
                try peers.startFleetPeer(member.spec, as: .client, label: member.label)
            }
            let group = PeerGroup(
                peers: [gateway] + clients, commandTimeout: peers.commandTimeout, deadline: peers.deadline, folder: peers.folder,
                frameWaits: config.frameWaits)
            let execution = FleetExecution(
                schema: schema, samples: samples, plan: plan, selection: selection, group: group, gateway: gateway, clients: clients,
                acceptedSkips: config.acceptedSkips)
            return ScenarioRun(
                execute: { () throws(CellAbort) in
                    recovery = try rounds(of: execution, upgrade: upgrade, peers: peers, allowRemote: allowRemote)
                },
                checks: execution.results(abort:))
        }
        return (result, recovery)
    }

    /// The rounds of a fleet, a gateway upgrade (its new gateway started mid-run) or a client
    /// upgrade; the recovery times of a gateway upgrade.
    private func rounds(
        of execution: FleetExecution, upgrade: UpgradePlan?, peers: RunningPeers, allowRemote: Bool
    ) throws(CellAbort) -> RecoveryTimes? {
        guard let upgrade else {
            try execution.run(endpoint: peers.endpoint, allowRemote: allowRemote)
            return nil
        }
        if case .client(let replaced, let newcomer) = upgrade.side {
            try execution.runClientUpgrade(
                upgrade, replaced: replaced, newcomer: newcomer, endpoint: peers.endpoint, allowRemote: allowRemote)
            return nil
        }
        return try execution.runUpgrade(upgrade, endpoint: peers.endpoint, allowRemote: allowRemote) { () throws(SpawnError) in
            try peers.startFleetPeer(upgrade.to, as: .gateway)
        }
    }
}

extension RunningPeers {
    /// A peer of a fleet, its stderr and transcript under its role and label (`client-v3#2.stderr`,
    /// `gateway-v5.transcript`): a fleet has many clients, and an upgrade two gateways.
    func startFleetPeer(_ spec: PeerSpec, as role: Role, label: String? = nil) throws(SpawnError) -> PeerHandle {
        try start(spec, as: role, label: label, files: "\(role.rawValue)-\(label ?? spec.name)")
    }
}
