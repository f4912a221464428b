// Plays a capture's requests into a fresh gateway and records what comes back. compat itself is
// every client: one ZeroMQ DEALER per captured session, connected to the gateway peer (T1), so
// the requests go on the wire byte for byte and no client implementation stands in between.
// After each request it waits until every session has as many answers as the capture had there
// (or `answerWait` passes), so a gateway that answers is never waited on.

import Foundation
import PeerContract
import TGP
import ZeroMQ

public struct ReplayRunner: Sendable {
    public let config: MatrixConfig
    /// The longest wait for the answers a request had in the capture.
    public var answerWait: Duration = .seconds(1)
    /// After the last request, how long stragglers are waited for.
    public var quietPeriod: Duration = .milliseconds(200)
    public var temporaryRoot: String?

    public init(config: MatrixConfig) {
        self.config = config
    }

    /// What one replay into one gateway came to.
    public struct Outcome: Sendable {
        /// Each session's answers, each tagged with the last request sent before it came.
        public var answers: ReplayAnswers = [:]
        /// How the gateway reported reading each request (nil: it reported nothing for it).
        public var readings: [GatewayReading?] = []
        /// The gateway's version and range, from its hello.
        public var gatewayVersion = 0
        public var gatewayRange: ClosedRange<Int>?
        /// How the gateway process ended up (CRASH, TIMEOUT …, its kept folder), as a cell reports it.
        public var run: CellResult
        /// A problem of this machine (ZeroMQ could not be set up), not of the gateway.
        public var environmentProblem: String?
    }

    public func run(_ script: ReplayScript, gateway spec: PeerSpec, role label: String) -> Outcome {
        let lifecycle = PeerLifecycle(config: config, temporaryRoot: temporaryRoot, reaping: .killAll)
        let named = CellResult(
            client: "replay(\(label))", gateway: spec.name, clientVersion: 0, gatewayVersion: spec.version, expectedVersion: nil,
            state: .pass, checks: [], problem: nil, peers: [], keptDirectory: nil, seconds: 0, reproduce: "")
        let session = ReplaySession(script: script, answerWait: answerWait, quietPeriod: quietPeriod)
        let result = lifecycle.run(named, folderPrefix: "compat-replay-\(spec.name)") { peers throws(SpawnError) in
            let gateway = try peers.start(spec, as: .gateway, files: "gateway")
            let group = PeerGroup(peers: [gateway], commandTimeout: peers.commandTimeout, deadline: peers.deadline, folder: peers.folder)
            return ScenarioRun(
                execute: { () throws(CellAbort) in try session.drive(group, gateway: gateway, endpoint: peers.endpoint) },
                checks: { _ in [] })
        }
        return Outcome(
            answers: session.answers, readings: session.readings(), gatewayVersion: session.gatewayVersion,
            gatewayRange: session.gatewayRange, run: result,
            environmentProblem: session.environmentProblem)
    }
}

/// One replay's state while it runs (the lifecycle's closures fill it in).
final class ReplaySession: @unchecked Sendable {
    let script: ReplayScript
    let answerWait: Duration
    let quietPeriod: Duration
    var answers: ReplayAnswers = [:]
    var gatewayVersion = 0
    var gatewayRange: ClosedRange<Int>?
    var environmentProblem: String?
    /// The frames the gateway reported reading, in the order it reported them.
    private var reported: [(bytes: [UInt8], reading: GatewayReading)] = []

    /// Each request's reading: the first reported reading of its bytes not taken by an earlier request.
    func readings() -> [GatewayReading?] {
        var waiting: [FrameKey: [GatewayReading]] = [:]
        for (bytes, reading) in reported { waiting[FrameKey(bytes), default: []].append(reading) }
        return script.steps.map { step in
            let request = FrameKey(step.request)
            guard var list = waiting[request], !list.isEmpty else { return nil }
            let reading = list.removeFirst()
            waiting[request] = list
            return reading
        }
    }

    private func keepReadings(_ events: [Event]) {
        for event in events {
            switch event.kind {
            case .received(let message, let version, let bytes):
                reported.append((bytes, .received(type: message["type"]?.stringValue ?? "?", version: version)))
            case .rejectedInbound(let code, _, let bytes, _): reported.append((bytes, .refused(code: code)))
            default: break
            }
        }
    }

    init(script: ReplayScript, answerWait: Duration, quietPeriod: Duration) {
        self.script = script
        self.answerWait = answerWait
        self.quietPeriod = quietPeriod
    }

    func drive(_ group: PeerGroup, gateway: PeerHandle, endpoint: String) throws(CellAbort) {
        let hello = try group.request(gateway, .hello)
        if case .hello(_, let version, let low, let high, _, _, _) = hello.kind {
            gatewayVersion = version
            gatewayRange = low <= high ? low...high : nil
        }
        let bound = try group.listen(gateway, on: endpoint, allowRemote: false)
        do {
            let clients = try ReplayClients(endpoint: bound)
            defer { clients.close() }
            try play(group, gateway: gateway, clients: clients)
        } catch let error as CellAbort {
            throw error
        } catch {
            environmentProblem = "ZeroMQ: \(error)"
        }
    }

    private var missedLastWait = false

    private func play(_ group: PeerGroup, gateway: PeerHandle, clients: ReplayClients) throws {
        var controlled = false
        for (index, step) in script.steps.enumerated() {
            if step.controlled != controlled {
                let answer = try group.request(gateway, .mode(auto: !step.controlled))
                guard case .ok = answer.kind else {
                    throw CellAbort.contractViolation(gateway.label, "mode was answered with \(answer.json.serialized) (P6)")
                }
                controlled = step.controlled
            }
            try clients.send(step.request, on: step.stream)
            let expected = step.answersBeforeNext
            // Once a wait runs out, the answers it waited for are not coming: later waits are short
            // until the gateway catches up, so a missing answer costs one wait, not one per request.
            let wait = missedLastWait ? min(answerWait, .milliseconds(50)) : answerWait
            let complete = try clients.collect(into: &answers, after: index, until: .now + wait) { received in
                expected.allSatisfy { stream, count in (received[stream]?.count ?? 0) >= count }
            }
            missedLastWait = !complete
            keepReadings(try group.takePending(gateway))
        }
        _ = try clients.collect(into: &answers, after: script.steps.count - 1, until: .now + quietPeriod) { _ in false }
        keepReadings(try group.takePending(gateway))
    }
}

/// compat's own client sockets, one DEALER per captured session, made when it first sends.
final class ReplayClients {
    private let context: ZMQContext
    private let endpoint: String
    private var sockets: [(stream: Int, socket: ZMQSocket)] = []

    init(endpoint: String) throws(ZMQError) {
        self.context = try ZMQContext()
        self.endpoint = endpoint
    }

    func send(_ frame: [UInt8], on stream: Int) throws(ZMQError) {
        try socket(for: stream).send(frame)
    }

    private func socket(for stream: Int) throws(ZMQError) -> ZMQSocket {
        if let known = sockets.first(where: { $0.stream == stream }) { return known.socket }
        let socket = try ZMQSocket(context, .dealer)
        try socket.connect(endpoint)
        sockets.append((stream, socket))
        return socket
    }

    /// Receives into `received` until `done` says so (true) or `deadline` passes (false); what is
    /// already waiting when `done` holds is taken too, so a prompt extra answer is counted where it belongs.
    func collect(
        into received: inout ReplayAnswers, after request: Int, until deadline: ContinuousClock.Instant, done: (ReplayAnswers) -> Bool
    ) throws(ZMQError) -> Bool {
        while true {
            try takeWaiting(into: &received, after: request)
            if done(received) { return true }
            let left = deadline - .now
            guard left > .zero else { return false }
            let milliseconds = min(50, max(1, Int(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)))
            _ = try poll(sockets.map { PollItem.socket($0.socket) }, timeoutMilliseconds: milliseconds)
        }
    }

    private func takeWaiting(into received: inout ReplayAnswers, after request: Int) throws(ZMQError) {
        for (stream, socket) in sockets {
            while let message = try socket.receive() {
                // One protocol message is one ZeroMQ frame (T1); a multipart one is kept as its last frame.
                received[stream, default: []].append(ReplayAnswer(after: request, bytes: message.last ?? []))
            }
        }
    }

    func close() {
        for (_, socket) in sockets { socket.close() }
        sockets.removeAll()
        context.terminate()
    }
}
