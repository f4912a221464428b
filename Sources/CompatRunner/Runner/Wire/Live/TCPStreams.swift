// One direction of a TCP connection as a byte stream, put back in order by sequence numbers.
// A capture sees retransmissions, overlaps and segments out of order; it can also miss packets,
// and then no later byte can be trusted to follow the earlier ones: the stream ends there.

/// The bytes of one direction of a connection, in sequence order.
struct TCPReassembly {
    /// Out-of-order segments wait for the bytes before them up to these bounds; past them the
    /// missing bytes are taken as lost.
    static let maxWaitingSegments = 1024
    static let maxWaitingBytes = 16 << 20

    /// The sequence number of the next byte in order; nil until the SYN or the first data.
    private(set) var next: UInt32?
    private var waiting: [(sequence: UInt32, bytes: [UInt8])] = []
    private var waitingBytes = 0
    /// Why the stream ended early, once it has.
    private(set) var ended: String?

    /// The SYN takes one sequence number; the data starts after it.
    mutating func syn(_ sequence: UInt32) {
        if next == nil { next = sequence &+ 1 }
    }

    /// The bytes this segment makes available in order: its own new bytes and any waiting ones it joins up.
    mutating func accept(_ sequence: UInt32, _ payload: [UInt8], truncated: Bool) -> [UInt8] {
        guard ended == nil, !payload.isEmpty else { return [] }
        let next = self.next ?? sequence
        self.next = next
        if Int32(bitPattern: sequence &- next) > 0 {
            wait(sequence, payload)
            return []
        }
        var out = take(sequence, payload)
        if truncated {
            // The rest of this segment is not in the capture, so nothing after it follows on.
            end("a packet cut short by the capture's snap length at sequence \(self.next ?? 0)")
            return out
        }
        while let index = waiting.firstIndex(where: { Int32(bitPattern: $0.sequence &- (self.next ?? 0)) <= 0 }) {
            let segment = waiting.remove(at: index)
            waitingBytes -= segment.bytes.count
            out += take(segment.sequence, segment.bytes)
        }
        return out
    }

    /// At the end of the capture: segments still waiting mean bytes before them were never captured.
    mutating func finish() {
        if ended == nil, !waiting.isEmpty { end("a gap at sequence \(next ?? 0): \(waitingBytes) bytes after it never joined up") }
    }

    /// The part of a segment at or before `next` that is new (a retransmission gives none).
    private mutating func take(_ sequence: UInt32, _ payload: [UInt8]) -> [UInt8] {
        let next = self.next ?? sequence
        let old = Int(-Int64(Int32(bitPattern: sequence &- next)))
        guard old < payload.count else { return [] }
        self.next = next &+ UInt32(payload.count - old)
        return Array(payload[old...])
    }

    private mutating func wait(_ sequence: UInt32, _ payload: [UInt8]) {
        if waiting.contains(where: { $0.sequence == sequence && $0.bytes.count >= payload.count }) { return }
        waiting.append((sequence, payload))
        waitingBytes += payload.count
        if waiting.count > Self.maxWaitingSegments || waitingBytes > Self.maxWaitingBytes {
            end(
                "a gap at sequence \(next ?? 0): more than \(Self.maxWaitingSegments) segments or \(Self.maxWaitingBytes) bytes waited for it"
            )
        }
    }

    private mutating func end(_ reason: String) {
        ended = reason
        waiting = []
        waitingBytes = 0
    }
}
