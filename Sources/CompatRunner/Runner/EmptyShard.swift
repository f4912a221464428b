// A shard that runs nothing. With fewer units than shards some shard must be empty: that is
// a note, and the shard still writes its (empty) reports for the merge. With as many units as
// shards or more, every shard gets one unless they plan no checks to balance by: a shard that
// would then run nothing is refused (exit 2) rather than passed with nothing checked.

extension Shard {
    /// For a shard that picked none of `total` units: a note when there are fewer units than
    /// shards, else a ConfigError; nil when it picked some. `whole` says what the run has
    /// ("the matrix has 1 cell").
    public func noteIfEmpty(picked: Int, total: Int, whole: String) throws(ConfigError) -> String? {
        guard picked == 0 else { return nil }
        guard total < count else {
            throw ConfigError(
                "--shard \(self) selects none of the run's units, though \(whole) for \(count) shards: a shard may be empty only when there are fewer units than shards"
            )
        }
        return "shard \(self) is empty: \(whole) for \(count) shards"
    }

    /// `noteIfEmpty` for the units of a matrix run or a gate.
    public func noteIfEmpty(_ picked: [ShardUnit], of units: [ShardUnit]) throws(ConfigError) -> String? {
        try noteIfEmpty(picked: picked.count, total: units.count, whole: Self.whole(units))
    }

    /// "the matrix has 1 cell", "the gate has 4 cells and 4 fleets and upgrades".
    static func whole(_ units: [ShardUnit]) -> String {
        let cells = ReportText.plural(units.count { $0.cell != nil }, "cell", "cells")
        let scenarios = units.count { $0.scenario != nil }
        guard scenarios > 0 else { return "the matrix has \(cells)" }
        return "the gate has \(cells) and \(ReportText.plural(scenarios, "fleet or upgrade", "fleets and upgrades"))"
    }
}
