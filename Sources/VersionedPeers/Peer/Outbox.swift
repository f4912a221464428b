// The frames a peer sends at the end of a loop turn, back to back: spaced out between
// decodes, each send would wake ZeroMQ's I/O thread on its own. Slots and their arrays are
// reused, so queueing a frame allocates nothing once the peer has warmed up.

struct Outbox {
    private struct Slot {
        /// The receiver's ROUTER identity; meaningful only when `routed`.
        var identity: [UInt8] = []
        var routed = false
        var frame: [UInt8] = []
    }

    private var slots: [Slot] = []
    private(set) var count = 0

    /// Queues the frame `fill` writes into a reused buffer, to the client with `identity` on a
    /// gateway; nothing is queued when `fill` throws.
    mutating func add<Failure: Error>(to identity: [UInt8]?, _ fill: (inout [UInt8]) throws(Failure) -> Void) throws(Failure) {
        if count == slots.count { slots.append(Slot()) }
        try fill(&slots[count].frame)
        slots[count].routed = identity != nil
        if let identity {
            slots[count].identity.removeAll(keepingCapacity: true)
            slots[count].identity.append(contentsOf: identity)
        }
        count += 1
    }

    /// Hands the queued frames to `send` in order, then empties the outbox, keeping its buffers.
    mutating func flush(_ send: (_ frame: [UInt8], _ identity: [UInt8]?) -> Void) {
        for index in 0..<count {
            send(slots[index].frame, slots[index].routed ? slots[index].identity : nil)
        }
        count = 0
    }
}
