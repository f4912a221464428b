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
        let started = ContinuousClock.now
        // A scenario's result is named by the scenario (`fleet=v5`, `upgrade=v4-v5`) where a cell's has its client.
        var result = CellResult(
            client: plan.scenario, gateway: plan.gateway.name, clientVersion: 0, gatewayVersion: plan.gateway.version,
            expectedVersion: nil, state: .pass, checks: [], problem: nil, peers: [], keptDirectory: nil,
            seconds: 0, reproduce: reproduce)
        let directory: String
        do {
            directory = try makeCellFolder(prefix: "compat-fleet-\(plan.gateway.name)", in: temporaryRoot)
        } catch {
            result.state = .crash
            result.problem = "\(error)"
            return (result, nil)
        }
        CellFolders.shared.started(directory)
        defer { CellFolders.shared.ended(directory) }

        var handles: [PeerHandle] = []
        var execution: FleetExecution?
        var abort: CellAbort?
        var recovery: RecoveryTimes?
        do throws(SpawnError) {
            let gateway = try PeerHandle(spec: plan.gateway, role: .gateway, in: directory)
            handles.append(gateway)
            for member in plan.members {
                handles.append(try PeerHandle(spec: member.spec, role: .client, in: directory, label: member.label))
            }
            let group = PeerGroup(
                peers: handles, commandTimeout: config.commandTimeout, deadline: started + config.pairTimeout, folder: directory)
            let endpoint = config.transport == .ipc ? "ipc://\(directory)/gateway.sock" : "tcp://127.0.0.1:*"
            let run = FleetExecution(
                schema: schema, samples: samples, plan: plan, selection: selection, group: group,
                gateway: gateway, clients: Array(handles.dropFirst()))
            execution = run
            do {
                if let upgrade, case .client(let replaced, let newcomer) = upgrade.side {
                    try run.runClientUpgrade(upgrade, replaced: replaced, newcomer: newcomer, endpoint: endpoint, allowRemote: allowRemote)
                } else if let upgrade {
                    recovery = try run.runUpgrade(upgrade, endpoint: endpoint, allowRemote: allowRemote) { () throws(SpawnError) in
                        let to = try PeerHandle(spec: upgrade.to, role: .gateway, in: directory)
                        handles.append(to)
                        return to
                    }
                } else {
                    try run.run(endpoint: endpoint, allowRemote: allowRemote)
                }
            } catch {
                abort = error
            }
        } catch {
            result.state = .crash
            result.problem = "\(error)"
        }
        for handle in handles {
            let termination =
                handle.process.termination ?? (abort == nil ? handle.process.finish(grace: .milliseconds(500)) : handle.process.kill())
            result.peers.append(
                PeerOutcome(
                    role: handle.role.rawValue, name: handle.label.name, argv: handle.spec.resolvedArgv + ["--role", handle.role.rawValue],
                    termination: termination.description, stderrTail: handle.process.stderrTail()))
            handle.endTranscript()
        }
        // What left the peers' groups (setsid) is this process's now that they are gone: ended too.
        ProcessRegistry.shared.endOrphans()
        result.checks = execution?.results(abort: abort) ?? []
        if let abort {
            result.state = abort.cellState
            result.problem = abort.problem
        } else if result.state != .crash {
            result.state = result.checks.contains { $0.status == .failed } ? .fail : .pass
        }
        if ProcessRegistry.shared.isClosed {
            result.state = .notRun
            result.problem = "interrupted before it finished"
        }
        result.keptDirectory = settleFolder(directory, keep: result.state != .pass && result.state != .notRun)
        result.seconds = (ContinuousClock.now - started).seconds
        return (result, recovery)
    }
}

extension PeerHandle {
    /// A peer of a fleet, its stderr and transcript in the fleet's folder under its role and label
    /// (`client-v3#2.stderr`, `gateway-v5.transcript`): a fleet has many clients, and an upgrade two gateways.
    convenience init(spec: PeerSpec, role: Role, in directory: String, label: String? = nil) throws(SpawnError) {
        let stem = "\(directory)/\(role.rawValue)-\(label ?? spec.name)"
        try self.init(spec: spec, role: role, stderrPath: stem + ".stderr", transcriptPath: stem + ".transcript", label: label)
    }
}
