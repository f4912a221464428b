// The frames of one run as its clients reported them, kept for a capture file: each client
// connection is one stream, seen from the client — what it put on the wire (`sent`) and what
// arrived (`received`, `rejected_inbound`). A frame the gateway reports sending that its one
// client never reported is added at the end with a comment, so a deaf client's capture still
// shows it. Bounded like a transcript: the first frames are kept and the rest counted.

import Foundation
import PeerContract

final class WireRecorder {
    static let frameLimit = 100_000
    static let byteLimit = 32 << 20

    private(set) var frames: [WireFrame] = []
    private var gatewaySends: [WireFrame] = []
    private var bytes = 0
    private var kept = 0
    private(set) var droppedFrames = 0
    /// What each stream's logons came to ("version 3", "rejected: UnsupportedVersion 3–5"), with how often.
    private var logonOutcomes: [Int: [String: Int]] = [:]
    private var streams = 0

    /// One line per stream: how its logons went, for the capture's comments.
    var logons: [String] {
        logonOutcomes.keys.sorted().map { stream in
            let outcomes = logonOutcomes[stream]!.sorted { $0.key < $1.key }
            return "stream \(stream) (\(clients[stream] ?? "a client")): "
                + outcomes.map { $0.value == 1 ? $0.key : "\($0.key) ×\($0.value)" }.joined(separator: ", ")
        }
    }

    /// Each stream's client, as reports name it.
    private var clients: [Int: String] = [:]

    /// The stream of the next client started, `client` as reports name it.
    func nextStream(client: String) -> Int {
        streams += 1
        clients[streams] = client
        return streams
    }

    /// A client's event: frames it sent or received, and its logons.
    func observeClient(_ event: Event, stream: Int) {
        switch event.kind {
        case .sent(let frame): keep(frame, .clientToGateway, stream: stream, into: &frames)
        case .received(_, _, let frame), .rejectedInbound(_, _, let frame, _): keep(frame, .gatewayToClient, stream: stream, into: &frames)
        case .logonAck(let version, _): logonOutcomes[stream, default: [:]]["logged on at version \(version)", default: 0] += 1
        case .logonRejected(let reason, let low, let high):
            logonOutcomes[stream, default: [:]]["logon rejected (\(reason); the gateway supports \(low)–\(high))", default: 0] += 1
        default: break
        }
    }

    /// A gateway's event: only what it says it sent (in controlled mode) is kept, to fill gaps.
    func observeGateway(_ event: Event) {
        if case .sent(let frame) = event.kind { keep(frame, .gatewayToClient, stream: 0, into: &gatewaySends) }
    }

    /// Every frame, in time order, with the gateway's unreported sends when there is one client.
    func capturedFrames() -> [WireFrame] {
        guard streams == 1 else { return frames }
        var received: [[UInt8]: Int] = [:]
        for frame in frames where frame.direction == .gatewayToClient { received[frame.bytes, default: 0] += 1 }
        var extra: [WireFrame] = []
        for var frame in gatewaySends {
            if let count = received[frame.bytes], count > 0 {
                received[frame.bytes] = count - 1
                continue
            }
            frame.stream = 1
            frame.comment = "reported sent by the gateway; the client reported no such frame received"
            extra.append(frame)
        }
        return (frames + extra).sorted { $0.nanoseconds < $1.nanoseconds }
    }

    private func keep(_ frame: [UInt8], _ direction: WireDirection, stream: Int, into list: inout [WireFrame]) {
        guard kept < Self.frameLimit, bytes + frame.count <= Self.byteLimit else {
            droppedFrames += 1
            return
        }
        kept += 1
        bytes += frame.count
        list.append(WireFrame(nanoseconds: Self.now(), direction: direction, stream: stream, bytes: frame))
    }

    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

/// One peer's way into the run's recorder: a client with its stream, the gateway without.
struct WireTap {
    let recorder: WireRecorder
    let stream: Int?

    func observe(_ event: Event) {
        if let stream { recorder.observeClient(event, stream: stream) } else { recorder.observeGateway(event) }
    }
}
