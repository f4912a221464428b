// What the gate runs beyond the matrix: a fleet of every client on each gateway, and the
// upgrade and downgrade of each pair of adjacent gateway versions under that fleet.

import TGP

extension FleetRunner {
    /// The gate's fleets and upgrades, in order: fleets by gateway, then v1→v2, v2→v1, v2→v3, …
    public func gateScenarios(reproducePrefix: String = "compat") -> [CellResult] {
        let clients = config.clients.compactMap(config.peer(named:))
        let gateways = config.gateways.compactMap(config.peer(named:)).sorted { $0.version < $1.version }
        let clientList = config.clients.joined(separator: ",")
        var results: [CellResult] = []
        for gateway in gateways {
            guard !ProcessRegistry.shared.isClosed else { break }
            results.append(run(FleetPlan(gateway: gateway, clients: clients),
                               reproduce: "\(reproducePrefix) fleet \(gateway.name) --clients \(clientList)"))
        }
        for (lower, higher) in zip(gateways, gateways.dropFirst()) where lower.version != higher.version {
            for (from, to) in [(lower, higher), (higher, lower)] {
                guard !ProcessRegistry.shared.isClosed else { break }
                let plan = UpgradePlan(from: from, to: to, clients: clients, support: config.support)
                results.append(run(plan, reproduce: "\(reproducePrefix) upgrade \(from.name) \(to.name) --clients \(clientList)").result)
            }
        }
        return results
    }
}
