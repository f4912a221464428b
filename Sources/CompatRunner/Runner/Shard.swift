// `--shard K/N`: one of N machines runs a deterministic part of a run's units (cells, and for
// the gate its fleets and upgrades), balanced by cost; `compat report merge` puts the parts back.

/// Shard `index` of `count` (1-based, as typed).
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// `K/N` with 1 ≤ K ≤ N; anything else is a usage error that says what to type.
    public static func parse(_ text: String) throws(ConfigError) -> Shard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        let hint = "type --shard K/N with 1 ≤ K ≤ N, e.g. --shard 1/3, --shard 2/3 and --shard 3/3 on three machines"
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw ConfigError("--shard \(text): not K/N; \(hint)")
        }
        guard count >= 1 else { throw ConfigError("--shard \(text): N must be at least 1; \(hint)") }
        guard index >= 1, index <= count else { throw ConfigError("--shard \(text): K must be between 1 and N (\(count)); \(hint)") }
        return Shard(index: index, count: count)
    }

    public var description: String { "\(index)/\(count)" }

    /// The units this shard runs, in their given order. Greedy by cost: units from the most
    /// costly down (ties by name), each to the shard with the least cost so far (ties to the
    /// lower index). Every shard computes the same split, so together they run each unit once.
    public func pick<Unit>(_ units: [Unit], name: (Unit) -> String, cost: (Unit) -> Int) -> [Unit] {
        // Each cost once: a cell's is its plan, not free to compute.
        let costs = units.map(cost)
        let names = units.map(name)
        let order = units.indices.sorted { a, b in costs[a] != costs[b] ? costs[a] > costs[b] : names[a] < names[b] }
        var loads = [Int](repeating: 0, count: count)
        var mine = Set<Int>()
        for unit in order {
            let lightest = loads.indices.min { loads[$0] != loads[$1] ? loads[$0] < loads[$1] : $0 < $1 }!
            loads[lightest] += costs[unit]
            if lightest == index - 1 { mine.insert(unit) }
        }
        return units.indices.filter(mine.contains).map { units[$0] }
    }
}

/// What a shard may run: one cell of the matrix, or one of the gate's fleets and upgrades.
public enum ShardUnit: Sendable {
    case cell(client: String, gateway: String)
    case scenario(GateScenario)

    /// The name its result carries in the reports (`client=v3/gateway=v5`, `fleet=v5`).
    public var name: String {
        switch self {
        case .cell(let client, let gateway): "client=\(client)/gateway=\(gateway)"
        case .scenario(let scenario): scenario.name
        }
    }

    public var cell: (client: String, gateway: String)? {
        if case .cell(let client, let gateway) = self { (client, gateway) } else { nil }
    }

    public var scenario: GateScenario? {
        if case .scenario(let scenario) = self { scenario } else { nil }
    }
}

extension Shard {
    /// The units this shard runs, each costing its planned checks.
    public func pick(_ units: [ShardUnit], runner: MatrixRunner) -> [ShardUnit] {
        pick(units, name: \.name) { unit in
            switch unit {
            case .cell(let client, let gateway):
                runner.plan(client: runner.config.peer(named: client)!, gateway: runner.config.peer(named: gateway)!).checks.count
            case .scenario(let scenario): scenario.cost
            }
        }
    }
}
