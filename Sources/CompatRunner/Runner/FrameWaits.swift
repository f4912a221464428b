// How long the runner waits for a frame a peer owes (an answer, a Reject, the event reporting a
// frame): derived from the round trips the run has already seen rather than fixed, so a frame
// that never comes costs little while a peer that is merely slow still passes. Once a peer has
// failed to send a kind of frame it owes, later waits for that kind from it are short: the run is
// failing already, and a defect that suppresses a hundred frames must not cost a hundred waits.

public struct FrameWaits {
    /// The matrix file's `timeouts` say these (docs: README, matrix.json).
    public struct Policy: Sendable, Hashable {
        /// The least a frame is waited for (`frameWaitFloorSeconds`).
        public var floor: Duration = .milliseconds(250)
        /// A frame is waited for this many times the slowest round trip seen so far (`frameWaitMultiple`).
        public var multiple: Int = 20
        /// The wait once the peer has not sent that kind all along in this run: short, since the
        /// run fails already, and a frame that is merely late can only fail a check of a kind the
        /// peer has failed to send before.
        public var afterPattern: Duration = .milliseconds(10)

        public init() {}
    }

    let policy: Policy
    /// The most any frame is waited for: a command's time.
    let maximum: Duration
    /// The slowest round trip seen: a command to its answer, or a wait to the frame that ended it.
    private(set) var slowest: Duration = .zero
    /// Kinds of frame (what a check waits for, or the kind it names) that a peer has failed to send, by peer.
    private var missedKinds: Set<String> = []

    init(policy: Policy, maximum: Duration) {
        self.policy = policy
        self.maximum = maximum
    }

    mutating func observed(_ roundTrip: Duration) {
        if roundTrip > slowest { slowest = roundTrip }
    }

    /// How long to wait for a frame of `kind`, owed by `owner`, and whether it is short because
    /// `owner` has not sent that kind all along.
    func wait(for kind: String, owedBy owner: PeerLabel) -> (wait: Duration, afterPattern: Bool) {
        let measured = min(maximum, max(policy.floor, slowest * policy.multiple))
        guard missedKinds.contains(key(kind, owner)) else { return (measured, false) }
        return (min(measured, policy.afterPattern), true)
    }

    mutating func missed(_ kind: String, owedBy owner: PeerLabel) {
        missedKinds.insert(key(kind, owner))
    }

    private func key(_ kind: String, _ owner: PeerLabel) -> String { "\(owner)\u{0}\(kind)" }
}
