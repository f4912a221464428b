// Live ZeroMQ tcp traffic, as a pcap(ng) file of it holds it, read into protocol frames: packets
// to TCP segments, segments to connections and their two byte streams, streams to ZMTP messages.
// By T1 one protocol message is one ZeroMQ frame, sent by a client's DEALER to the gateway's ROUTER
// or back. What cannot be read that way is left out with a note saying why, never guessed at.

/// Reads live ZeroMQ tcp traffic into protocol frames.
public enum LiveTraffic {
    /// The protocol frames of every ZMTP connection in `packets`, in time order.
    public static func capture(_ packets: [LinkPacket]) throws(CaptureError) -> Capture {
        var connections = TCPConnections()
        var skipped: [SegmentSkip: (count: Int, first: Int)] = [:]
        var skipOrder: [SegmentSkip] = []
        for (index, packet) in packets.enumerated() {
            switch Segments.segment(packet) {
            case .success(let segment): try connections.add(segment, at: packet.nanoseconds, packet: index + 1)
            case .failure(let skip):
                if skipped[skip] == nil { skipOrder.append(skip) }
                skipped[skip, default: (0, index + 1)].count += 1
            }
        }
        var capture = connections.finish()
        capture.notes =
            skipOrder.compactMap { skip in
                // Packets that are not TCP are other traffic the capture filter let through; not worth a note.
                guard skip != .notTCP, skip != .notIP, let seen = skipped[skip] else { return nil }
                return "\(seen.count) packet(s) skipped, the first packet \(seen.first): \(skip)"
            } + capture.notes
        return capture
    }
}

/// The connections of a capture, told apart by their two ends and, when a port is used again, by the SYN.
struct TCPConnections {
    private var all: [TCPConnection] = []
    private var current: [Set<TCPEndpoint>: Int] = [:]
    private var frameCount = 0
    private var frameBytes = 0

    mutating func add(_ segment: TCPSegment, at nanoseconds: UInt64, packet: Int) throws(CaptureError) {
        let key: Set = [segment.source, segment.destination]
        let opening = segment.has(TCPSegment.syn) && !segment.has(TCPSegment.ack)
        if let index = current[key], !(opening && all[index].isNew(opening: segment)) {
            try record(all[index].add(segment, at: nanoseconds), packet: packet)
            return
        }
        current[key] = all.count
        all.append(TCPConnection(first: segment.source, second: segment.destination))
        try record(all[all.count - 1].add(segment, at: nanoseconds), packet: packet)
    }

    /// Counts the frames a segment completed against the capture's limits.
    private mutating func record(_ frames: [Int], packet: Int) throws(CaptureError) {
        frameCount += frames.count
        frameBytes += frames.reduce(0, +)
        guard frameCount <= Capture.maxFrames else {
            throw CaptureError("packet \(packet): more than \(Capture.maxFrames) frames (Capture.maxFrames)")
        }
        guard frameBytes <= Capture.maxFileBytes else {
            throw CaptureError("packet \(packet): frames of more than \(Capture.maxFileBytes) bytes in all (Capture.maxFileBytes)")
        }
    }

    /// The frames of every connection that can be read, in time order, and notes on the rest.
    mutating func finish() -> Capture {
        var capture = Capture()
        var framed: [(frame: WireFrame, order: Int)] = []
        var stream = 0
        for index in all.indices {
            all[index].finish()
            let connection = all[index]
            capture.notes += connection.notes.map { "\(connection.name): \($0)" }
            // Streams number the connections read, so a capture's streams are 1, 2, … whatever else it held.
            guard let client = connection.clientSide else { continue }
            stream += 1
            for frame in connection.frames {
                let direction: WireDirection = frame.side == client ? .clientToGateway : .gatewayToClient
                framed.append(
                    (WireFrame(nanoseconds: frame.nanoseconds, direction: direction, stream: stream, bytes: frame.bytes), framed.count))
            }
        }
        capture.frames = framed.sorted { ($0.frame.nanoseconds, $0.order) < ($1.frame.nanoseconds, $1.order) }.map(\.frame)
        return capture
    }
}
