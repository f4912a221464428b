// The frames of one run as its clients reported them, kept for a capture file: each client
// connection is one stream, seen from the client — what it put on the wire (`sent`) and what
// arrived (`received`, `rejected_inbound`). Frames the gateway sent on the runner's command, and
// frames while it was in controlled mode, are marked (CaptureMark), so a replay knows they are
// not the gateway's own answers; one the gateway sent that its one client never reported is
// added. Bounded like a transcript: the first frames are kept and the rest counted.

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
        case .sent(let frame):
            let isKept = keep(frame, .clientToGateway, stream: stream, into: &frames)
            if isKept { awaitReading(at: frames.count - 1) }
        case .received(_, _, let frame), .rejectedInbound(_, _, let frame, _): keep(frame, .gatewayToClient, stream: stream, into: &frames)
        case .logonAck(let version, _): logonOutcomes[stream, default: [:]]["logged on at version \(version)", default: 0] += 1
        case .logonRejected(let reason, let low, let high):
            logonOutcomes[stream, default: [:]]["logon rejected (\(reason); the gateway supports \(low)–\(high))", default: 0] += 1
        default: break
        }
    }

    /// A gateway's event: what it says it sent on the runner's command, to tell those frames from
    /// its answers, and the Logons it receives, which a client's `logon` does not report.
    func observeGateway(_ event: Event) {
        switch event.kind {
        case .sent(let frame): keep(frame, .gatewayToClient, stream: 0, into: &gatewaySends)
        case .received(let message, let version, let frame):
            if message["type"]?.stringValue == "Logon" { fillLogon(username: message["fields"]?["username"]?.stringValue, frame) }
            noteReading(of: frame, GatewayReading.received(type: message["type"]?.stringValue ?? "?", version: version))
        case .rejectedInbound(let code, _, let frame, _): noteReading(of: frame, .refused(code: code))
        default: break
        }
    }

    /// Client frames not yet marked with how the gateway read them, by their bytes, oldest first.
    private var unread: [FrameKey: [Int]] = [:]
    /// Readings the gateway reported before the client reported sending the frame.
    private var earlyReadings: [FrameKey: [GatewayReading]] = [:]

    /// A client frame just kept waits for the gateway's reading, unless that came first.
    private func awaitReading(at index: Int) {
        let frame = FrameKey(frames[index].bytes)
        if var early = earlyReadings[frame], !early.isEmpty {
            frames[index].comment = early.removeFirst().comment(frames[index].comment)
            earlyReadings[frame] = early.isEmpty ? nil : early
        } else {
            unread[frame, default: []].append(index)
        }
    }

    /// Marks the client frame the gateway reports reading with how it read it, so a replay can
    /// compare a candidate gateway's reading of each request (under `sbe`, refusals are silent).
    private func noteReading(of bytes: [UInt8], _ reading: GatewayReading) {
        let frame = FrameKey(bytes)
        guard var waiting = unread[frame], !waiting.isEmpty else {
            // The gateway's report can be read before the client's: it waits for the frame.
            if earlyReadings.count < 1000 { earlyReadings[frame, default: []].append(reading) }
            return
        }
        let index = waiting.removeFirst()
        unread[frame] = waiting.isEmpty ? nil : waiting
        frames[index].comment = reading.comment(frames[index].comment)
    }

    /// A client was told to log on: its Logon goes here in the capture, before the answer, once
    /// the gateway reports receiving it (matched by username; the client reports no bytes of it).
    func clientLogsOn(stream: Int, username: String) {
        pendingLogons.append((username, frames.count))
        keep([], .clientToGateway, stream: stream, into: &frames)
    }

    private var pendingLogons: [(username: String, index: Int)] = []

    private func fillLogon(username: String?, _ frame: [UInt8]) {
        guard let position = pendingLogons.firstIndex(where: { username == nil || $0.username == username }) else { return }
        let index = pendingLogons.remove(at: position).index
        if frames.indices.contains(index) {
            frames[index].bytes = frame
            bytes += frame.count
            awaitReading(at: index)
        }
    }

    /// The runner switched the gateway's mode (P6): frames while it is controlled are marked.
    func gatewayMode(auto: Bool) { gatewayControlled = !auto }
    private var gatewayControlled = false

    /// Every frame, in time order. A client's copy of a frame the gateway sent on command is
    /// marked as such; one no client reported is added, when there is one client to add it to.
    func capturedFrames() -> [WireFrame] {
        // A Logon the gateway never reported receiving has no bytes to show.
        var result = frames.filter { !$0.bytes.isEmpty || $0.direction == .gatewayToClient }
        var unclaimed: [FrameKey: [Int]] = [:]
        for (index, frame) in result.enumerated() where frame.direction == .gatewayToClient {
            unclaimed[FrameKey(frame.bytes), default: []].append(index)
        }
        var extra: [WireFrame] = []
        for var frame in gatewaySends {
            // The client's copy is the one received nearest the gateway's report: an answer of the
            // gateway's own can have the same bytes (a Heartbeat echo and a Heartbeat sent on command).
            let key = FrameKey(frame.bytes)
            if let candidates = unclaimed[key], !candidates.isEmpty {
                let nearest = candidates.indices.min { distance(result[candidates[$0]], frame) < distance(result[candidates[$1]], frame) }!
                let index = unclaimed[key]!.remove(at: nearest)
                result[index].comment = CaptureMark.commanded.comment(result[index].comment)
            } else if streams == 1 {
                frame.stream = 1
                frame.comment = CaptureMark.commanded.comment("the client reported no such frame received")
                extra.append(frame)
            }
        }
        return extra.isEmpty ? result : (result + extra).sorted { $0.nanoseconds < $1.nanoseconds }
    }

    private func distance(_ a: WireFrame, _ b: WireFrame) -> UInt64 {
        a.nanoseconds > b.nanoseconds ? a.nanoseconds - b.nanoseconds : b.nanoseconds - a.nanoseconds
    }

    /// Keeps `frame` unless the capture is full; whether it was kept.
    @discardableResult
    private func keep(_ frame: [UInt8], _ direction: WireDirection, stream: Int, into list: inout [WireFrame]) -> Bool {
        guard kept < Self.frameLimit, bytes + frame.count <= Self.byteLimit else {
            droppedFrames += 1
            return false
        }
        kept += 1
        bytes += frame.count
        let comment = gatewayControlled && stream > 0 ? CaptureMark.controlled.comment(nil) : nil
        list.append(WireFrame(nanoseconds: Self.now(), direction: direction, stream: stream, bytes: frame, comment: comment))
        return true
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

    /// A command the runner gives the peer: a client's logon, a gateway's mode.
    func observe(_ command: Command.Kind) {
        switch command {
        case .logon(let username, _, _): if let stream { recorder.clientLogsOn(stream: stream, username: username) }
        case .mode(let auto): if stream == nil { recorder.gatewayMode(auto: auto) }
        default: break
        }
    }
}
