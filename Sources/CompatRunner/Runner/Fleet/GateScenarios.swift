// What the gate runs beyond the matrix: a fleet of every client on each gateway, and the
// upgrade and downgrade of each pair of adjacent gateway versions under that fleet.

import TGP

extension FleetRunner {
    /// One scenario of the gate, ready to run.
    public struct GateScenario: Sendable {
        let fleet: FleetPlan
        let upgrade: UpgradePlan?
        let reproduce: String
    }

    /// The gate's fleets and upgrades, in order: fleets by gateway, then v1→v2, v2→v1, v2→v3, …
    public func gateScenarioPlans(reproducePrefix: String = "compat") -> [GateScenario] {
        let clients = config.clients.compactMap(config.peer(named:))
        let gateways = config.gateways.compactMap(config.peer(named:)).sorted { $0.version < $1.version }
        let clientList = config.clients.joined(separator: ",")
        var plans = gateways.map { gateway in
            GateScenario(fleet: FleetPlan(gateway: gateway, clients: clients), upgrade: nil,
                         reproduce: "\(reproducePrefix) fleet \(gateway.name) --clients \(clientList)")
        }
        for (lower, higher) in zip(gateways, gateways.dropFirst()) where lower.version != higher.version {
            for (from, to) in [(lower, higher), (higher, lower)] {
                let plan = UpgradePlan(from: from, to: to, clients: clients, support: config.support)
                plans.append(GateScenario(fleet: plan.fleet, upgrade: plan,
                                          reproduce: "\(reproducePrefix) upgrade \(from.name) \(to.name) --clients \(clientList)"))
            }
        }
        return plans
    }

    /// Runs the gate's scenarios one after the other (none once interrupted); `progress` sees each as it ends.
    public func gateScenarios(_ plans: [GateScenario], progress: (CellResult) -> Void = { _ in }) -> [CellResult] {
        var results: [CellResult] = []
        for plan in plans {
            guard !ProcessRegistry.shared.isClosed else { break }
            let result = if let upgrade = plan.upgrade { run(upgrade, reproduce: plan.reproduce).result } else { run(plan.fleet, reproduce: plan.reproduce) }
            results.append(result)
            progress(result)
        }
        return results
    }
}
