// One TCP connection of a capture: its two byte streams, each read as ZMTP, and which end is the
// client. The client is the end that sent the SYN; without the SYN, the end whose READY says
// DEALER (T1: clients connect DEALER sockets, the gateway binds a ROUTER).

/// A connection's ZMTP messages and what could not be read of it.
struct TCPConnection {
    /// The two ends, the sender of the connection's first captured packet first; a side is an index into it.
    let ends: [TCPEndpoint]
    private var syns: [UInt32?] = [nil, nil]
    private var synClient: Int?
    private var streams = [TCPReassembly(), TCPReassembly()]
    private var readers = [ZMTPReader(), ZMTPReader()]
    private var socketTypes: [String?] = [nil, nil]
    private var sawData = [false, false]
    private var unreadable = false
    private var multipartNoted = false
    /// Each message's last frame, with the time of the packet that completed it and the side that sent it.
    private(set) var frames: [(nanoseconds: UInt64, side: Int, bytes: [UInt8])] = []
    private(set) var notes: [String] = []
    /// Set by `finish`: the client's side, nil when the connection is left out.
    private(set) var clientSide: Int?

    init(first: TCPEndpoint, second: TCPEndpoint) { ends = [first, second] }

    var name: String { "tcp \(ends[0]) – \(ends[1])" }

    /// Whether an opening SYN starts a new connection on these ends (a port used again), not a retransmitted SYN.
    func isNew(opening: TCPSegment) -> Bool { syns[side(of: opening)] != opening.sequence }

    /// Takes a segment; the sizes of the frames it completed.
    mutating func add(_ segment: TCPSegment, at nanoseconds: UInt64) -> [Int] {
        let side = side(of: segment)
        var sequence = segment.sequence
        if segment.has(TCPSegment.syn) {
            syns[side] = syns[side] ?? sequence
            streams[side].syn(sequence)
            synClient = synClient ?? (segment.has(TCPSegment.ack) ? 1 - side : side)
            sequence &+= 1
        }
        guard !unreadable, readers[side].stop == nil else { return [] }
        let bytes = streams[side].accept(sequence, segment.payload, truncated: segment.truncated)
        let sizes = read(bytes, from: side, at: nanoseconds)
        if let reason = streams[side].ended, readers[side].stop == nil { stopReading(side, reason) }
        return sizes
    }

    /// At the end of the capture: the streams' last gaps, and who the client is.
    mutating func finish() {
        for side in 0..<2 where !unreadable && readers[side].stop == nil {
            streams[side].finish()
            if let reason = streams[side].ended {
                stopReading(side, reason)
            } else if readers[side].hasPartialData {
                notes.append("from \(ends[side]): the capture ends inside a frame or message")
            }
        }
        guard !unreadable else { return }
        guard sawData[0] || sawData[1] else { return leaveOut("it carried no data") }
        clientSide = synClient ?? clientBySocketType()
        if clientSide == nil {
            let types = (0..<2).map { "\(ends[$0]) \(socketTypes[$0].map { "says \($0)" } ?? "sent no Socket-Type")" }
            leaveOut("the connecting side cannot be told: no SYN was captured, and READY from \(types.joined(separator: ", from "))")
        }
    }

    // MARK: reading

    private mutating func read(_ bytes: [UInt8], from side: Int, at nanoseconds: UInt64) -> [Int] {
        guard !bytes.isEmpty else { return [] }
        sawData[side] = true
        var sizes: [Int] = []
        for event in readers[side].feed(bytes) {
            switch event {
            case .ready(let socketType): socketTypes[side] = socketType
            case .message(let count, let last):
                if count > 1, !multipartNoted {
                    multipartNoted = true
                    notes.append(
                        "from \(ends[side]): a multipart message of \(count) frames, where T1 sends one frame per protocol message: "
                            + "its last frame is taken (noted once per connection)")
                }
                frames.append((nanoseconds, side, last))
                sizes.append(last.count)
            }
        }
        switch readers[side].stop {
        case .unreadable(let reason): leaveOut("from \(ends[side]): \(reason)")
        case .ended(let reason): notes.append("from \(ends[side]): \(reason); the rest of that direction is not read")
        case nil: break
        }
        return sizes
    }

    /// A stream that ended early (a gap) ends its reading there, with a note.
    private mutating func stopReading(_ side: Int, _ reason: String) {
        notes.append("from \(ends[side]): \(reason); the rest of that direction is not read")
        readers[side] = ZMTPReader(stopped: .ended(reason))
    }

    private mutating func leaveOut(_ reason: String) {
        unreadable = true
        frames = []
        notes.append("left out: \(reason)")
    }

    /// The DEALER's side, when the READY commands tell it and do not contradict each other.
    private func clientBySocketType() -> Int? {
        let candidates = (0..<2).filter { socketTypes[$0] == "DEALER" || socketTypes[1 - $0] == "ROUTER" }
        let refuted = (0..<2).filter { socketTypes[$0] == "ROUTER" || socketTypes[1 - $0] == "DEALER" }
        guard candidates.count == 1, !refuted.contains(candidates[0]) else { return nil }
        return candidates[0]
    }

    private func side(of segment: TCPSegment) -> Int { segment.source == ends[0] ? 0 : 1 }
}
