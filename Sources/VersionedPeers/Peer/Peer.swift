// One peer process: a TGP client or gateway of one released version, driven by the runner
// through the JSON-lines contract and talking TGP over ZeroMQ, in the contract loop every peer
// runs (ContractLoop.swift). The schema is TGP's own (`Schema.tgp`) or one read from a schema
// file whose profile is `tgp`.

import MiniJSON
import PeerContract
import TGP
import ZeroMQ

#if canImport(Glibc)
    import Glibc
#endif

#if canImport(Glibc)
    import Glibc
#endif

final class Peer: ContractPeer {
    static let implementation = "compat-swift"

    let version: Int
    let range: ClosedRange<Int>
    let role: Role
    let codec: Codec
    var schema: Schema { codec.schema }
    /// Deliberate defects for the harness's self-check; empty in normal use.
    let faults: FaultSet
    /// The peer contract version it keeps: the newest, or 1 under the fault `contract-1`.
    let contract: Int

    let context: ZMQContext
    var socket: ZMQSocket?
    var stdin = LineReader()
    var stdout = LineWriter(fd: 1)
    var running = true
    /// Answers not sent because their receiver's queue was full.
    private var droppedAnswers = 0
    /// Automatic answers of this loop turn, not yet sent.
    private var outbox = Outbox()
    /// The buffers of the last message received and of the last frame decoded, reused by the next.
    private var receivedParts: [[UInt8]] = []
    private var inbound: Message?
    /// Under `bench_serve`: per-frame events are not written (the load would drown stdout).
    var quiet = false
    /// Under `bench_serve` raw: every frame is answered with these bytes, undecoded.
    var rawReply: [UInt8]?
    /// The next clOrdId a `bench` run starts from, so runs never reuse one on the same gateway.
    var nextBenchClOrdId: UInt64 = 1 << 40

    // Client role.
    private(set) var clientSession: (version: Int, sessionId: UInt64)?
    private var pendingLogon: (id: JSON, range: ClosedRange<Int>)?

    // Gateway role.
    private var gateway: GatewayState
    /// Under the fault `single-negotiated-version`: the version every session gets.
    private var firstNegotiated: Int?
    /// `no-echo`: the connections this gateway has refused a frame on.
    private var refusedConnections: Set<[UInt8]> = []

    /// The session-level messages the peer handles itself, indexed by template id: asked of
    /// every frame, so an array rather than names compared.
    private enum SessionMessage: String, CaseIterable {
        case logon = "Logon"
        case logonAck = "LogonAck"
        case logonReject = "LogonReject"
        case logout = "Logout"
        case heartbeat = "Heartbeat"
    }
    private let sessionMessages: [SessionMessage?]

    private func sessionMessage(_ type: MessageSchema) -> SessionMessage? {
        Int(type.templateId) < sessionMessages.count ? sessionMessages[Int(type.templateId)] : nil
    }

    /// `schema` is TGP's own unless the peer plays a schema file of profile `tgp`, which must have
    /// what `missingSessionVocabulary(in:)` asks for; `version` is one of its versions.
    init(version: Int, role: Role, faults: Set<Fault> = [], schema: Schema = .tgp) throws(ZMQError) {
        let codec = Codec(schema: schema)
        self.codec = codec
        self.faults = FaultSet(faults: faults, codec: codec)
        self.contract = faults.contains(.contract1) ? ContractVersion.unstated : ContractVersion.current
        self.version = version
        self.range = schema.peerRanges[version]!
        self.role = role
        self.context = try ZMQContext()
        self.gateway = GatewayState(schema: codec.schema)
        var sessionMessages = [SessionMessage?](repeating: nil, count: Int(codec.schema.messages.map(\.templateId).max() ?? 0) + 1)
        for kind in SessionMessage.allCases {
            if let type = codec.schema.message(named: kind.rawValue) { sessionMessages[Int(type.templateId)] = kind }
        }
        self.sessionMessages = sessionMessages
    }

    /// Runs until `shutdown` or the end of stdin; returns the exit status.
    func run() -> Int32 { runLoop() }

    // MARK: Contract

    /// Whether the contract version it keeps has `feature`.
    private func keeps(_ feature: ContractFeature) -> Bool { feature.since <= contract }

    /// A session event, its sessionId left out where the contract it keeps has none (P14).
    private func sessionEvent(_ state: String, version: Int, sessionId: UInt64?) -> Event.Kind {
        .session(state: state, version: version, sessionId: keeps(.sessionEventIds) ? sessionId.map { String($0) } : nil)
    }

    /// An unsolicited per-frame or session event, unless the peer serves load quietly.
    private func notify(_ kind: @autoclosure () -> Event.Kind) {
        if !quiet { emit(id: nil, kind()) }
    }

    func log(_ text: String) {
        var line = "peer-v\(version) \(role.rawValue): \(text)\n"
        line.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }

    func handle(_ command: Command) {
        let id = command.id
        func wrongRole() { refuseWrongRole(command) }
        switch command.kind {
        case .hello:
            emit(
                id: id,
                .hello(
                    implementation: Self.implementation, version: version, min: range.lowerBound, max: range.upperBound,
                    role: role.rawValue, messages: schema.messages(knownAt: version).map(\.name),
                    contract: keeps(.helloContract) ? contract : nil))
        case .listen(let endpoint):
            guard role == .gateway else { return wrongRole() }
            openSocket(id: id, endpoint: endpoint)
        case .connect(let endpoint):
            guard role == .client else { return wrongRole() }
            openSocket(id: id, endpoint: endpoint)
        case .logon(let username, let min, let max):
            guard role == .client else { return wrongRole() }
            logon(id: id, username: username, min: min, max: max)
        case .mode(let auto):
            guard role == .gateway else { return wrongRole() }
            gateway.autoMode = auto
            emit(id: id, .ok)
        case .send(let messageJSON, let session):
            send(id: id, messageJSON, session: session)
        case .sendRaw(let bytes, let session):
            sendRaw(id: id, bytes, session: session)
        case .shutdown:
            emit(id: id, .bye)
            running = false
        case .benchServe(let mode, let replyBytes):
            guard role == .gateway else { return wrongRole() }
            quiet = mode != .off
            rawReply = mode == .raw ? [UInt8](repeating: 0, count: replyBytes) : nil
            emit(id: id, .ok)
        case .bench(let request):
            guard role == .client else { return wrongRole() }
            bench(id: id, request)
        }
    }

    // MARK: Sending

    /// Encodes and sends, or answers `send_refused` (E2) with nothing on the wire.
    private func send(id: JSON, _ messageJSON: JSON, session: String?) {
        // E2: names are judged against the whole schema this peer was built from, every version:
        // one it does not have is InvalidValue; what version N cannot carry the encoder refuses
        // at N (a newer field at its default is simply not written).
        guard let message = sendable(messageJSON, id: id, version: version) else { return }
        let target: (identity: [UInt8]?, version: Int)
        switch role {
        case .client:
            guard let clientSession else {
                return emit(id: id, .sendRefused(reason: RejectCode.notLoggedOn.name, detail: "not logged on: send logon first"))
            }
            target = (nil, clientSession.version)
        case .gateway:
            guard let identity = gateway.loggedOnIdentity(named: session), let negotiated = gateway.sessions[identity]?.version else {
                let which = session.map { "no logged-on session \($0)" } ?? "no client is logged on"
                return emit(id: id, .sendRefused(reason: RejectCode.notLoggedOn.name, detail: which))
            }
            target = (identity, negotiated)
        }
        do {
            let frame = try encodeOutbound(message, at: target.version)
            try transmit(frame, to: target.identity)
            emit(id: id, .sent(bytes: frame))
        } catch let error as EncodeError {
            emit(id: id, .sendRefused(reason: error.refusal.rawValue, detail: error.description))
        } catch {
            emit(id: id, .error("\(error)"))
        }
    }

    private func sendRaw(id: JSON, _ bytes: [UInt8], session: String?) {
        guard socket != nil else {
            return emit(id: id, .error("send_raw needs a socket: \(role == .gateway ? "listen" : "connect") first"))
        }
        var identity: [UInt8]?
        if role == .gateway {
            guard let target = gateway.rawTarget(named: session) else {
                return emit(id: id, .error(session.map { "no session \($0)" } ?? "no client has sent anything yet"))
            }
            identity = target
        }
        do {
            try transmit(bytes, to: identity)
            emit(id: id, .sent(bytes: bytes))
        } catch {
            emit(id: id, .error("\(error)"))
        }
    }

    /// Puts one frame on the wire; on a gateway, to the client with `identity`. Never waits:
    /// a receiver that does not read must not stall this peer for everyone else, so a full
    /// queue is an EAGAIN error and the frame is not sent.
    func transmit(_ frame: [UInt8], to identity: [UInt8]?) throws(ZMQError) {
        guard let socket else { return }
        if faults.has(.slowFrames) { usleep(FaultSet.slowFrameMicroseconds) }
        // Serving load: a full queue is back-pressure from the client under test, not a
        // client that never reads; wait rather than lose answers the run counts.
        let queued = try socket.send(frame, routedTo: identity, waiting: quiet)
        if !queued {
            throw ZMQError(
                code: ZMQError.wouldBlock, operation: "send \(frame.count) bytes: the receiver's queue is full (it is not reading)")
        }
    }

    /// E1: every message at the negotiated version (unless a fault says otherwise).
    private func encodeOutbound(_ message: Message, at negotiated: Int) throws(EncodeError) -> [UInt8] {
        var frame: [UInt8] = []
        try encodeOutbound(message, at: negotiated, into: &frame)
        return frame
    }

    private func encodeOutbound(_ message: Message, at negotiated: Int, into frame: inout [UInt8]) throws(EncodeError) {
        guard !faults.isEmpty else { return try codec.encode(message, at: negotiated, into: &frame) }
        let version = faults.encodingVersion(for: message.type, negotiated: negotiated, own: self.version)
        frame = faults.afterEncoding(try codec.encode(faults.beforeEncoding(message), at: version), type: message.type, version: version)
    }

    /// Queues `frame` as an automatic answer, sent with the rest of this loop turn's.
    func answerRaw(_ frame: [UInt8], to identity: [UInt8]?) {
        outbox.add(to: identity) { buffer in
            buffer.removeAll(keepingCapacity: true)
            buffer.append(contentsOf: frame)
        }
    }

    /// Sends the answers of a batch of inbound frames back to back: spaced out between
    /// decodes, each send would wake ZeroMQ's I/O thread on its own. A receiver that does
    /// not read loses its answers.
    private func flushOutbox() {
        // Flushed from a local: frames handed on from it need no retaining, as the peer's own
        // outbox might change under any call.
        var pending = Outbox()
        swap(&pending, &outbox)
        defer { swap(&pending, &outbox) }
        pending.flush { frame, identity in
            do throws(ZMQError) {
                try transmit(frame, to: identity)
            } catch  where error.code == ZMQError.wouldBlock {
                noteDroppedAnswer(error)
            } catch {
                log("could not send \(frame.count) bytes: \(error)")
            }
        }
    }

    private func noteDroppedAnswer(_ error: ZMQError) {
        // Said now and then, not per frame.
        droppedAnswers += 1
        if droppedAnswers == 1 || droppedAnswers % 1000 == 0 {
            log("dropped \(droppedAnswers) answer(s) so far: \(error)")
        }
    }

    /// Encodes an answer the peer gives on its own, with only the fields `version` has (E1);
    /// a failure here is this peer's bug, so it is logged loudly.
    func answer(_ message: Message, at version: Int, to identity: [UInt8]?) {
        do throws(EncodeError) {
            try outbox.add(to: identity) { frame throws(EncodeError) in
                try encodeOutbound(message.projected(onto: version), at: version, into: &frame)
            }
        } catch {
            log("could not send \(message.type.name) at version \(version): \(error)")
            emit(id: nil, .error("could not send \(message.type.name): \(error)"))
        }
    }

    // MARK: Receiving

    /// Messages taken from the socket per loop turn, so stdin and stdout are served during a flood.
    private static let receiveBatch = 256
    /// Answers sent together in the middle of a turn: the client can read the first while the
    /// rest are being made, and ZeroMQ's I/O thread still wakes once per flush, not per answer.
    private static let flushEvery = 128

    func receiveFrames() {
        guard let socket else { return }
        // Taken out of the peer for the batch, so their storage is not shared while it is refilled.
        var parts: [[UInt8]] = []
        swap(&parts, &receivedParts)
        var message = inbound.take() ?? Message(schema.messages[0])
        defer {
            swap(&parts, &receivedParts)
            inbound = message
            flushOutbox()
        }
        for _ in 0..<Self.receiveBatch {
            do {
                guard try socket.receive(into: &parts) else { return }
            } catch {
                log("receive failed: \(error)")
                return
            }
            // By index: the frames are borrowed from the buffer, not copied out of it.
            switch role {
            case .client:
                for index in parts.indices { receive(parts[index], from: nil, decodingInto: &message) }
            case .gateway:
                guard parts.count > 1 else { continue }
                if let rawReply {
                    for _ in 1..<parts.count { answerRaw(rawReply, to: parts[0]) }
                    continue
                }
                for index in 1..<parts.count { receive(parts[index], from: parts[0], decodingInto: &message) }
            }
            if outbox.count >= Self.flushEvery { flushOutbox() }
        }
    }

    /// Handles one inbound frame, decoded into `message` (reused from frame to frame).
    private func receive(_ frame: [UInt8], from identity: [UInt8]?, decodingInto message: inout Message) {
        // The sender's session, looked up once per frame.
        let session = identity.flatMap { gateway.session(of: $0) }
        let negotiated: Int? = if identity != nil { session?.version } else { clientSession?.version }
        if let identity { gateway.noteActivity(identity) }
        let header: FrameHeader
        do {
            header = try decodeInbound(frame, into: &message)
        } catch {
            if error.code == .unknownTemplate, faults.has(.crashOnUnknownTemplate) { abort() }
            let code: RejectCode = error.code == .unknownTemplate && faults.has(.wrongRejectCode) ? .malformed : error.code
            return refuse(
                frame, code: code, templateId: error.templateId,
                detail: error.description, negotiated: negotiated, to: identity)
        }
        if let code = SessionRules.refusal(of: message.type, receivedBy: role, negotiatedVersion: negotiated) {
            let detail =
                code == .notLoggedOn
                ? "\(code.name): \(message.type.name) before logon"
                : "\(code.name): \(message.type.name) was added in version \(message.type.since); this session is at version \(negotiated ?? 0)"
            return refuse(
                frame, code: code, templateId: message.type.templateId, detail: detail,
                negotiated: negotiated, to: identity)
        }
        notify(.received(message: message.json(knownAt: version), version: Int(header.version), bytes: frame))
        switch role {
        case .client: clientReceived(message)
        case .gateway: gatewayReceived(message, from: identity!, session: session?.index, negotiated: negotiated)
        }
    }

    private func decodeInbound(_ frame: [UInt8], into message: inout Message) throws(DecodeError) -> FrameHeader {
        guard !faults.isEmpty else { return try codec.decode(frame, asVersion: version, into: &message) }
        var frame = faults.beforeDecoding(frame, schema: schema, own: version)
        // A lenient decoder patches what it tolerates (an unknown enum value, a surrogate) and reads again.
        while true {
            do {
                return try faults.decoder.decode(frame, asVersion: version, into: &message)
            } catch {
                guard let patched = faults.afterRefusal(error, of: frame, schema: schema) else { throw error }
                frame = patched
            }
        }
    }

    /// R5–R9: a Reject back (encoded at version 1 before logon, at N after) and the event.
    /// RJ2: nothing was delivered, so the Reject refers to no clOrdId.
    private func refuse(
        _ frame: [UInt8], code: RejectCode, templateId: UInt16, detail: String,
        negotiated: Int?, to identity: [UInt8]?
    ) {
        notify(.rejectedInbound(code: code.name, refTemplateId: Int(templateId), bytes: frame, detail: detail))
        if faults.has(.noEchoAfterRefusal), let identity { refusedConnections.insert(identity) }
        guard !faults.has(.silentReject), SessionRules.answersRefusal(ofTemplate: templateId, in: schema) else { return }
        let reject = Message(
            schema.message(named: "Reject")!,
            [
                "refTemplateId": .unsigned(UInt64(templateId)),
                "code": .unsigned(UInt64(code.rawValue)),
                "text": .text(String(detail.utf8.prefix(schema.maxVarDataLength)) ?? code.name),
            ])
        answer(reject, at: negotiated ?? 1, to: identity)
    }

    // MARK: Client

    private func logon(id: JSON, username: String, min: Int?, max: Int?) {
        guard socket != nil else { return emit(id: id, .error("logon needs a connection: connect first")) }
        guard clientSession == nil || keeps(.logonAgain) else {
            return emit(id: id, .error("already logged on: peer contract \(contract) has no logon on a logged-on client"))
        }
        let requested = (min ?? range.lowerBound)...(max ?? range.upperBound)
        guard requested.lowerBound <= requested.upperBound, range.contains(requested.lowerBound), range.contains(requested.upperBound)
        else {
            return emit(
                id: id,
                .error(
                    "logon range \(min ?? range.lowerBound)..\(max ?? range.upperBound) is not within this peer's \(range.lowerBound)..\(range.upperBound)"
                ))
        }
        let logon = Message(
            schema.message(named: "Logon")!,
            [
                "minVersion": .unsigned(UInt64(requested.lowerBound)),
                "maxVersion": .unsigned(UInt64(requested.upperBound)),
                "heartbeatMs": .unsigned(1000),
                "username": .text(username),
            ])
        do {
            // E3: Logon travels at the newest version it announces.
            try transmit(try codec.encode(logon, at: requested.upperBound), to: nil)
            clientSession = nil
            pendingLogon = (id, requested)
        } catch {
            emit(id: id, .error("logon: \(error)"))
        }
    }

    private func clientReceived(_ message: Message) {
        switch sessionMessage(message.type) {
        case .logonAck?:
            guard let pending = pendingLogon else { return }
            pendingLogon = nil
            let negotiated = Int(message["version"]?.unsignedValue ?? 0)
            let sessionId = message["sessionId"]?.unsignedValue ?? 0
            guard pending.range.contains(negotiated) else {
                return emit(
                    id: pending.id,
                    .error(
                        "the gateway acknowledged version \(negotiated), outside the requested \(pending.range.lowerBound)..\(pending.range.upperBound)"
                    ))
            }
            clientSession = (negotiated, sessionId)
            emit(id: pending.id, .logonAck(version: negotiated, sessionId: String(sessionId)))
        case .logonReject?:
            guard let pending = pendingLogon else { return }
            pendingLogon = nil
            let reasonType = message.type.rootField(named: "reason")!.type
            let reason: String =
                if case .enumeration(let e) = reasonType, let value = message["reason"]?.unsignedValue,
                    let known = e.value(value)
                { known.name } else { "Unknown" }
            emit(
                id: pending.id,
                .logonRejected(
                    reason: reason, supportedMin: Int(message["supportedMin"]?.unsignedValue ?? 0),
                    supportedMax: Int(message["supportedMax"]?.unsignedValue ?? 0)))
        case .logout?:
            clientSession = nil
        default:
            break
        }
    }

    // MARK: Gateway

    /// `session` is the sender's, found before the message was handled, and `negotiated` its
    /// version; both nil before its logon.
    private func gatewayReceived(
        _ message: Message, from identity: [UInt8], session: GatewayState.SessionIndex?, negotiated: Int?
    ) {
        switch sessionMessage(message.type) {
        case .logon?:
            acceptLogon(message, from: identity)
        case .heartbeat?:
            // S4, in every mode: the echo the rules give.
            if let session, let negotiated, !refusedConnections.contains(identity),
                let echo = gateway.referenceAnswer(to: message, in: session, at: negotiated)
            {
                answer(echo, at: negotiated, to: identity)
            }
        case .logout?:
            guard let session = gateway.sessions[identity] else { return }
            if !faults.has(.silentLogout) { answer(Message(message.type), at: session.version, to: identity) }
            if faults.has(.sessionSurvivesLogout) { return }
            gateway.end(identity)
            notify(sessionEvent("logged_off", version: session.version, sessionId: session.sessionId))
        default:
            guard gateway.autoMode, let session, let negotiated,
                let reply = gateway.referenceAnswer(to: message, in: session, at: negotiated)
            else {
                return
            }
            let target = faults.has(.answerWrongSession) ? gateway.loggedOnIdentity(named: nil) ?? identity : identity
            answer(reply, at: negotiated, to: target)
        }
    }

    private func acceptLogon(_ logon: Message, from identity: [UInt8]) {
        let clientMin = Int(logon["minVersion"]?.unsignedValue ?? 0)
        let clientMax = Int(logon["maxVersion"]?.unsignedValue ?? 0)
        let outcome =
            clientMin <= clientMax
            ? Negotiation(client: clientMin...clientMax, gateway: range)
            : .rejected(supported: range)
        switch outcome {
        case .accepted(var negotiated):
            if faults.has(.negotiateGatewayMax) { negotiated = version }
            if faults.has(.keepVersionOnRelogon), let old = gateway.sessions[identity] { negotiated = old.version }
            if faults.has(.singleNegotiatedVersion) {
                negotiated = firstNegotiated ?? negotiated
                firstNegotiated = negotiated
            }
            let session = gateway.logOn(identity, version: negotiated)
            let ack = Message(
                schema.message(named: "LogonAck")!,
                [
                    "version": .unsigned(UInt64(negotiated)),
                    "heartbeatMs": logon["heartbeatMs"] ?? .unsigned(0),
                    "sessionId": .unsigned(session.sessionId),
                ])
            answer(ack, at: negotiated, to: identity)
            notify(sessionEvent("logged_on", version: negotiated, sessionId: session.sessionId))
        case .rejected(var supported):
            if faults.has(.logonRejectClientRange), clientMin <= clientMax { supported = clientMin...clientMax }
            gateway.end(identity)
            // E3: at min(client max, gateway max), kept within the versions this peer can encode.
            let rejectVersion = Swift.max(1, Negotiation.logonRejectVersion(clientMax: clientMax, gatewayMax: version))
            let rejectType = schema.message(named: "LogonReject")!
            let reject = Message(
                rejectType,
                [
                    "reason": rejectType.enumValue("UnsupportedVersion", of: "reason")!,
                    "supportedMin": .unsigned(UInt64(supported.lowerBound)),
                    "supportedMax": .unsigned(UInt64(supported.upperBound)),
                    "text": .text(
                        "client versions \(clientMin)..\(clientMax) and gateway versions \(supported.lowerBound)..\(supported.upperBound) do not overlap"
                    ),
                ])
            answer(reject, at: rejectVersion, to: identity)
            notify(sessionEvent("rejected", version: rejectVersion, sessionId: nil))
        }
    }
}

extension FieldValue {
    var unsignedValue: UInt64? {
        if case .unsigned(let value) = self { value } else { nil }
    }
}

extension Peer {
    /// What this peer names in its schema — the session messages, the reference answers and
    /// the fields and enum values it fills in — that `schema` lacks, as `Type`, `Type.field`
    /// or `Type.field=Value`: a schema file of profile `tgp` must lack none of it.
    static func missingSessionVocabulary(in schema: Schema) -> [String] {
        let fields: KeyValuePairs<String, [String]> = [
            "Logon": ["minVersion", "maxVersion", "heartbeatMs", "username"],
            "LogonAck": ["version", "heartbeatMs", "sessionId"],
            "LogonReject": ["reason", "supportedMin", "supportedMax", "text"],
            "Reject": ["refTemplateId", "code", "refClOrdId", "text"],
            "OrderAck": ["clOrdId", "orderId", "status", "transactTime"],
            "CancelAck": ["clOrdId", "origClOrdId", "transactTime"],
            "MassCancelAck": ["clOrdId", "cancelledCount"],
        ]
        let enumValues = [
            ("LogonReject", "reason", "UnsupportedVersion"), ("OrderAck", "status", "New"), ("OrderAck", "status", "Replaced"),
            ("Reject", "code", "UnknownOrder"),
        ]
        var missing: [String] = []
        for (name, fieldNames) in fields {
            guard let type = schema.message(named: name) else {
                missing.append(name)
                continue
            }
            missing += fieldNames.filter { type.logicalFieldIndex(named: $0) == nil }.map { "\(name).\($0)" }
        }
        for (name, field, value) in enumValues {
            guard let type = schema.message(named: name), type.logicalFieldIndex(named: field) != nil else { continue }
            if type.enumValue(value, of: field) == nil { missing.append("\(name).\(field)=\(value)") }
        }
        return missing
    }
}
