// How much of a peer's stdout the runner may hold (P1): 16 MiB for a peer alone, less when many
// run at once, so that every peer flooding at the same time still leaves compat's memory bounded.

struct StdoutBudget: Sendable, Equatable {
    /// What all the peers running at once may make the runner hold together.
    static let total = 64 << 20
    /// A peer's share when it runs alone (or with few others).
    static let perPeerMaximum = 16 << 20
    /// A peer's share however many run: far above any honest event (a frame is at most a few KiB of hex).
    static let perPeerMinimum = 1 << 20
    /// The longest stdout line a peer may write when its share allows it.
    static let lineMaximum = 4 << 20

    /// The bytes of stdout lines nobody has taken yet that one peer may make the runner hold.
    let bytes: Int

    /// One peer's share when `peersAtOnce` run together.
    init(peersAtOnce: Int) {
        bytes = min(Self.perPeerMaximum, max(Self.perPeerMinimum, Self.total / max(1, peersAtOnce)))
    }

    /// A share set outright (a bench client, whose one answer carries every latency).
    init(bytes: Int) {
        self.bytes = bytes
    }

    /// A line longer than this ends the run: a line being read is held too.
    var lineLength: Int { min(Self.lineMaximum, bytes) }

    static let alone = StdoutBudget(peersAtOnce: 1)
}
