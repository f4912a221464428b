// What the gate runs beyond the matrix: a fleet of every client on each gateway, and the
// upgrade and downgrade of each pair of adjacent gateway versions under that fleet; a released
// gateway (built from a commit) is upgraded to today's next version and back.

import TGP

/// One fleet or upgrade of the gate, planned but not run.
public struct GateScenario: Sendable {
    /// `fleet=v5`, `upgrade=v4-v5`: the name its result carries.
    public let name: String
    /// Its planned checks: what --shard balances.
    public var cost: Int { plan.checks.count }
    let plan: FleetPlan
    let upgrade: UpgradePlan?
    let reproduce: String
}

extension FleetRunner {
    /// The gate's fleets and upgrades, in order: fleets by gateway, then v1→v2, v2→v1, v2→v3, …, then each release's.
    public func gateScenarioPlans(reproducePrefix: String = "compat") -> [GateScenario] {
        let clients = config.clients.compactMap(config.peer(named:))
        let gateways = config.gateways.compactMap(config.peer(named:)).sorted { $0.version < $1.version }
        let clientList = config.clients.joined(separator: ",")
        // Peers built from today's code; a released peer (built from a commit) plays its part below.
        let current = gateways.filter { $0.build == nil }
        var scenarios: [GateScenario] = []
        // Every client, released ones too, in a fleet on each of today's gateways. A released
        // gateway's fleet would repeat its findings the matrix lists, without the knownFailures
        // (fleets have none).
        for gateway in current {
            let plan = FleetPlan(gateway: gateway, clients: clients)
            scenarios.append(
                GateScenario(
                    name: plan.scenario, plan: plan, upgrade: nil,
                    reproduce: "\(reproducePrefix) fleet \(gateway.name) --clients \(clientList)"))
        }
        var pairs = zip(current, current.dropFirst()).filter { $0.version != $1.version }
        // A released gateway upgraded to today's gateway of the next version, and back: the rollout its users make.
        for released in gateways where released.build != nil {
            if let next = current.first(where: { $0.version == released.version + 1 }) { pairs.append((released, next)) }
        }
        for (lower, higher) in pairs {
            for (from, to) in [(lower, higher), (higher, lower)] {
                let upgrade = UpgradePlan(from: from, to: to, clients: clients, support: config.support)
                scenarios.append(
                    GateScenario(
                        name: upgrade.fleet.scenario, plan: upgrade.fleet, upgrade: upgrade,
                        reproduce: "\(reproducePrefix) upgrade \(from.name) \(to.name) --clients \(clientList)"))
            }
        }
        return scenarios
    }

    /// Runs `scenarios` one after the other (none once compat is told to stop); `progress` sees each as it ends.
    public func run(_ scenarios: [GateScenario], progress: (CellResult) -> Void = { _ in }) -> [CellResult] {
        var results: [CellResult] = []
        for scenario in scenarios {
            guard !ProcessRegistry.shared.isClosed else { break }
            let result =
                if let upgrade = scenario.upgrade {
                    run(upgrade, reproduce: scenario.reproduce).result
                } else {
                    run(scenario.plan, reproduce: scenario.reproduce)
                }
            results.append(result)
            progress(result)
        }
        return results
    }
}
