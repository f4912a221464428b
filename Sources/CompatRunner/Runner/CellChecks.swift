// What one cell checks (HARNESS.md items 1–6), in the order a session allows: hello,
// before-logon, handshake, every message type in each direction with its samples and
// edge values, bad input, the reference gateway behaviour, Logout, shutdown.
// Every expectation is computed here from the schema and the samples — never from the peers.

import MiniJSON
import PeerContract
import TGP

/// The checks of one cell, run against its two live peers.
final class CellChecks {
    typealias Flow = CheckName.Flow

    let schema: Schema
    let codec: Codec
    let samples: SampleBook
    let client: PeerSpec
    let gateway: PeerSpec
    let selection: CheckSelection
    let session: CellSession
    let endpoint: String
    /// Whether a gateway may report an endpoint off this machine (`--allow-remote`).
    let allowRemote: Bool
    /// What the schema says the logon must end in.
    let negotiation: Negotiation
    private(set) var results: [CheckResult] = []
    /// The negotiated version N, once logged on.
    private var negotiated = 0

    init(schema: Schema, samples: SampleBook, client: PeerSpec, gateway: PeerSpec, selection: CheckSelection,
         session: CellSession, endpoint: String, allowRemote: Bool = false) {
        self.schema = schema
        self.codec = Codec(schema: schema)
        self.samples = samples
        self.client = client
        self.gateway = gateway
        self.selection = selection
        self.session = session
        self.endpoint = endpoint
        self.allowRemote = allowRemote
        self.negotiation = Negotiation(client: schema.peerRanges[client.version]!, gateway: schema.peerRanges[gateway.version]!)
    }

    func spec(_ role: Role) -> PeerSpec { role == .client ? client : gateway }

    // MARK: Running checks

    /// Runs one check when selected; an abort inside it is recorded against it and ends the cell.
    /// `keepEvents` lets a check look at what the previous one caused (the handshake's frames).
    private func check(_ subject: String, _ flow: Flow?, _ what: String, always: Bool = false, keepEvents: Bool = false,
                       _ body: () throws(CellAbort) -> CheckFailure?) throws(CellAbort) {
        let name = CheckName.make(client: client.name, gateway: gateway.name, subject: subject, flow: flow, what)
        let selected = selection.includes(name)
        guard selected || always else { return }
        if !keepEvents { session.clearInboxes() }
        do {
            let failure = try body()
            if selected { results.append(CheckResult(name: name, status: failure == nil ? .passed : .failed, failure: failure)) }
        } catch {
            results.append(CheckResult(name: name, status: .failed, failure: CheckFailure(describe(error))))
            throw error
        }
    }

    func describe(_ abort: CellAbort) -> String {
        abort.describe { spec($0).name }
    }

    /// Runs every check of the cell in order.
    func run() throws(CellAbort) {
        try checkHello(.gateway)
        try checkHello(.client)
        try session.connectPeers(endpoint: endpoint, allowRemote: allowRemote)
        try check(CheckName.session, .clientToGateway, "before-logon") { () throws(CellAbort) in try beforeLogon() }
        guard try handshake() else {
            try shutdown()
            return
        }
        try session.request(.gateway, .mode(auto: false))

        for type in schema.messages where !Self.sessionSetup.contains(type.name) && type.name != "Logout" {
            for flow in Flow.of(type.direction) { try messageChecks(type, flow) }
        }
        for badInput in badInputs() {
            for flow in Flow.allCases {
                try check(CheckName.badInput, flow, badInput.name) { () throws(CellAbort) in try refusedInbound(badInput, flow: flow) }
            }
        }
        try referenceBehaviour()
        let logout = schema.message(named: "Logout")!
        for flow in Flow.of(logout.direction) { try messageChecks(logout, flow) }
        try shutdown()
    }

    /// Logon, LogonAck and LogonReject are checked by the handshake itself.
    static let sessionSetup: Set = ["Logon", "LogonAck", "LogonReject"]

    // MARK: 1. Hello and handshake

    private func checkHello(_ role: Role) throws(CellAbort) {
        try check(CheckName.session, nil, "hello-\(role.rawValue)", always: true) { () throws(CellAbort) in
            let peer = spec(role)
            let answer = try session.request(role, .hello)
            guard case .hello(_, let version, let min, let max, let helloRole, let messages) = answer.kind else {
                return CheckFailure("hello was answered with \(answer.json.serialized)")
            }
            let range = schema.peerRanges[peer.version]!
            let expectedMessages = schema.messages(knownAt: peer.version).map(\.name)
            for (field, expected, actual) in [("version", "\(peer.version)", "\(version)"), ("min", "\(range.lowerBound)", "\(min)"),
                                              ("max", "\(range.upperBound)", "\(max)"), ("role", role.rawValue, helloRole)]
            where expected != actual {
                return CheckFailure("\(peer.name)'s hello disagrees with the schema for version \(peer.version)", field: field, expected: expected, actual: actual)
            }
            if Set(messages) != Set(expectedMessages) {
                return CheckFailure("\(peer.name)'s hello lists other message types than version \(peer.version) has", field: "messages",
                                    expected: expectedMessages.joined(separator: ","), actual: messages.joined(separator: ","))
            }
            return nil
        }
    }

    static func isLocal(_ endpoint: String) -> Bool {
        ["ipc://", "tcp://127.", "tcp://[::1]:", "tcp://localhost:"].contains { endpoint.hasPrefix($0) }
    }

    /// R9: a message before logon draws Reject{NotLoggedOn}, encoded at version 1.
    private func beforeLogon() throws(CellAbort) -> CheckFailure? {
        let newOrder = schema.message(named: "NewOrder")!
        let frame = try encode(samples[newOrder].sample.projected(onto: 1), at: 1)
        return try expectRefusal(frame, from: .client, code: .notLoggedOn, refTemplateId: newOrder.templateId, rejectVersion: 1, heartbeat: false)
    }

    /// Logs on and checks the outcome against the schema's negotiation; false for a by-design refusal.
    private func handshake() throws(CellAbort) -> Bool {
        let clientRange = schema.peerRanges[client.version]!
        let gatewayRange = schema.peerRanges[gateway.version]!
        let logon = schema.message(named: "Logon")!
        var accepted = false
        try check("Logon", .clientToGateway, "handshake", always: true) { () throws(CellAbort) in
            let answer = try session.request(.client, .logon(username: "compat", min: nil, max: nil))
            switch (negotiation, answer.kind) {
            case (.accepted(let expected), .logonAck(let version, _)):
                guard version == expected else {
                    return CheckFailure("negotiated version differs from min(client max, gateway max)", field: "version", expected: "\(expected)", actual: "\(version)")
                }
                negotiated = version
                accepted = true
                let state = try session.waitFor(.gateway, what: "the gateway's session event") { if case .session = $0.kind { true } else { false } }
                guard case .session("logged_on", let sessionVersion, _) = state.kind, sessionVersion == expected else {
                    return CheckFailure("the gateway did not report the session logged on at \(expected)", expected: "logged_on at \(expected)", actual: state.json.serialized)
                }
                return try checkLogonAckFrame()
            case (.rejected(let supported), .logonRejected(let reason, let supportedMin, let supportedMax)):
                if reason != "UnsupportedVersion" { return CheckFailure("wrong LogonReject reason", field: "reason", expected: "UnsupportedVersion", actual: reason) }
                if supportedMin != supported.lowerBound || supportedMax != supported.upperBound {
                    return CheckFailure("LogonReject must carry the gateway's range", field: "supportedMin..supportedMax",
                                        expected: "\(supported.lowerBound)..\(supported.upperBound)", actual: "\(supportedMin)..\(supportedMax)")
                }
                return nil
            case (.accepted(let expected), _):
                return CheckFailure("logon should be acknowledged at version \(expected)", expected: "logon_ack", actual: answer.json.serialized)
            case (.rejected, _):
                return CheckFailure("versions \(clientRange) and \(gatewayRange) do not overlap: logon must be refused", expected: "logon_rejected UnsupportedVersion", actual: answer.json.serialized)
            }
        }
        // E3/R10: the gateway decoded the Logon the client encoded at its maximum.
        try check("Logon", .clientToGateway, "forward-decoding", keepEvents: true) { () throws(CellAbort) in
            let inbound = try session.awaitInbound(.gateway, what: "the gateway's received Logon")
            guard case .received(let json, let version, let bytes) = inbound.kind else {
                return CheckFailure("the gateway refused the Logon", expected: "received Logon", actual: inbound.json.serialized)
            }
            if version != clientRange.upperBound {
                return CheckFailure("Logon must be encoded at the client's maximum (E3)", field: "header.version", expected: "\(clientRange.upperBound)", actual: "\(version)", sentFrame: bytes)
            }
            var expected = Message(logon, [
                "minVersion": .unsigned(UInt64(clientRange.lowerBound)), "maxVersion": .unsigned(UInt64(clientRange.upperBound)), "username": .text("compat"),
            ])
            // The client chooses heartbeatMs and capabilities: take them from the frame as decoded by the schema.
            if let decoded = try? codec.decode(bytes, asVersion: gateway.version).message {
                expected["heartbeatMs"] = decoded["heartbeatMs"]
                expected["capabilities"] = decoded["capabilities"]
            }
            return compare(json, expected.projected(onto: min(version, gateway.version)), receiver: .gateway, frame: bytes)
        }
        if case .rejected = negotiation {
            try check("LogonReject", .gatewayToClient, "refusal", keepEvents: true) { () throws(CellAbort) in
                let inbound = try session.awaitInbound(.client, what: "the client's received LogonReject")
                guard case .received(let json, let version, let bytes) = inbound.kind else {
                    return CheckFailure("the client refused the LogonReject", expected: "received LogonReject", actual: inbound.json.serialized)
                }
                let expectedVersion = Negotiation.logonRejectVersion(clientMax: clientRange.upperBound, gatewayMax: gatewayRange.upperBound)
                if version != expectedVersion {
                    return CheckFailure("LogonReject is encoded at min(client max, gateway max) (E3)", field: "header.version", expected: "\(expectedVersion)", actual: "\(version)", receivedFrame: bytes)
                }
                guard let fields = json["fields"], fields["reason"]?.stringValue == "UnsupportedVersion",
                      fields["supportedMin"]?.intValue == gatewayRange.lowerBound, fields["supportedMax"]?.intValue == gatewayRange.upperBound
                else {
                    return CheckFailure("the LogonReject frame must carry UnsupportedVersion and the gateway's range", expected: "UnsupportedVersion \(gatewayRange)", actual: json.serialized, receivedFrame: bytes)
                }
                let state = try session.waitFor(.gateway, what: "the gateway's session event") { if case .session = $0.kind { true } else { false } }
                guard case .session("rejected", _, _) = state.kind else {
                    return CheckFailure("the gateway must report the session rejected", expected: "rejected", actual: state.json.serialized)
                }
                return nil
            }
        }
        return accepted
    }

    private func checkLogonAckFrame() throws(CellAbort) -> CheckFailure? {
        let inbound = try session.awaitInbound(.client, what: "the client's received LogonAck")
        guard case .received(let json, let version, let bytes) = inbound.kind else {
            return CheckFailure("the client refused the LogonAck", expected: "received LogonAck", actual: inbound.json.serialized)
        }
        let logonAck = schema.message(named: "LogonAck")!
        if let failure = checkHeader(bytes, type: logonAck, version: negotiated) { return failure }
        if version != negotiated { return CheckFailure("LogonAck is encoded at N (E3)", field: "version", expected: "\(negotiated)", actual: "\(version)", receivedFrame: bytes) }
        if json["fields"]?["version"]?.intValue != negotiated {
            return CheckFailure("LogonAck.version must be N", field: "LogonAck.version", expected: "\(negotiated)", actual: json["fields"]?["version"]?.serialized ?? "missing", receivedFrame: bytes)
        }
        return nil
    }

    private func logOnAgain() throws(CellAbort) {
        let answer = try session.request(.client, .logon(username: "compat", min: nil, max: nil))
        guard case .logonAck(let version, _) = answer.kind, version == negotiated else {
            throw .contractViolation(role: .client, "logging on again was answered with \(answer.json.serialized), expected logon_ack at \(negotiated)")
        }
        // Consume what the logon caused on both sides, so no later check mistakes it for its own.
        _ = try session.waitFor(.gateway, what: "the gateway's session event") { if case .session("logged_on", _, _) = $0.kind { true } else { false } }
        _ = try session.waitFor(.gateway, what: "the gateway's received Logon") { Self.isInbound($0, type: "Logon") }
        _ = try session.waitFor(.client, what: "the client's received LogonAck") { Self.isInbound($0, type: "LogonAck") }
    }

    static func isInbound(_ event: Event, type: String) -> Bool {
        if case .received(let json, _, _) = event.kind, event.id == nil { json["type"]?.stringValue == type } else { false }
    }

    // MARK: 2–3. Message types, samples and edge values

    private func messageChecks(_ type: MessageSchema, _ flow: Flow) throws(CellAbort) {
        let sender = spec(flow.sender)
        guard type.since <= negotiated else {
            // E2: a sender that knows the type refuses it; the bytes forced on the wire are rejected.
            if type.since <= sender.version {
                try check(type.name, flow, "refused") { () throws(CellAbort) in
                    try expectSendRefused(samples[type].sample, from: flow.sender, reason: .unsupportedInVersion, knownAt: sender.version)
                }
            }
            try check(type.name, flow, "forced") { () throws(CellAbort) in
                let receiver = spec(flow.receiver)
                let version = max(sender.version, type.since)
                let frame = try encode(samples[type].sample.projected(onto: version), at: version)
                let code: RejectCode = receiver.version >= type.since ? .unsupportedInVersion : .unknownTemplate
                return try expectRefusal(frame, from: flow.sender, code: code, refTemplateId: type.templateId, rejectVersion: negotiated, heartbeat: true)
            }
            return
        }
        let cases = [("sample", samples[type].sample)] + samples[type].edges.map { ("edge-\($0.name)", $0.message) }
        for (what, message) in cases {
            try check(type.name, flow, what) { () throws(CellAbort) in try deliver(message, flow: flow) }
        }
        // Every enum value of N is delivered; values newer than N are refused by a sender that knows them.
        for field in type.logicalFields {
            guard case .scalar(let scalar, nil) = field.kind, case .enumeration(let enumSchema) = scalar.type, field.since <= negotiated else { continue }
            try check(type.name, flow, "edge-enum-\(field.name)") { () throws(CellAbort) in
                for value in enumSchema.values where value.since <= negotiated {
                    var message = samples[type].sample
                    message[field.name] = .unsigned(UInt64(value.value))
                    if let failure = try deliver(message, flow: flow) { return failure }
                }
                return nil
            }
            let newer = enumSchema.values.filter { $0.since > negotiated && $0.since <= sender.version }
            guard !newer.isEmpty else { continue }
            try check(type.name, flow, "edge-enum-\(field.name)-newer") { () throws(CellAbort) in
                for value in newer {
                    var message = samples[type].sample.projected(onto: negotiated)
                    message[field.name] = .unsigned(UInt64(value.value))
                    if let failure = try expectSendRefused(message, from: flow.sender, reason: .unsupportedInVersion, knownAt: negotiated) { return failure }
                }
                return nil
            }
        }
    }

    /// Sends `message` projected onto N from the flow's sender; the receiver must deliver exactly that,
    /// or, where the schema says N cannot carry it, the sender must refuse it (E2).
    private func deliver(_ message: Message, flow: Flow) throws(CellAbort) -> CheckFailure? {
        let projected = message.projected(onto: negotiated)
        let expectedFrame: [UInt8]
        do {
            expectedFrame = try codec.encode(projected, at: negotiated)
        } catch {
            return try expectSendRefused(projected, from: flow.sender, reason: error.refusal, knownAt: negotiated)
        }
        let answer = try session.request(flow.sender, .send(message: projected.json(knownAt: negotiated), session: nil))
        guard case .sent(let bytes) = answer.kind else {
            return CheckFailure("\(spec(flow.sender).name) did not send \(message.type.name) at version \(negotiated)", expected: "sent", actual: answer.json.serialized, sentFrame: expectedFrame)
        }
        let inbound = try session.awaitInbound(flow.receiver, what: "the \(flow.receiver.rawValue)'s event for \(message.type.name)")
        let failure = bytes != expectedFrame
            ? frameMismatch(bytes, expected: expectedFrame, type: message.type)
            : checkDelivered(inbound, projected, to: flow.receiver, sent: bytes)
        // Whatever the frame held, a delivered Heartbeat or Logout has its session-level answer:
        // consume it (and log on again after a Logout) so the next check starts clean.
        guard case .received(let json, _, _) = inbound.kind else { return failure }
        var delivered = projected
        if let decoded = try? Message(json: json, schema: schema, knownAt: spec(flow.receiver).version) { delivered = decoded.projected(onto: negotiated) }
        let followUp = try sessionLevelAnswer(to: delivered, flow: flow)
        return failure ?? followUp
    }

    /// What a sent message causes on its own: the gateway echoes a Heartbeat and answers a Logout.
    private func sessionLevelAnswer(to message: Message, flow: Flow) throws(CellAbort) -> CheckFailure? {
        switch (message.type.name, flow) {
        case ("Heartbeat", .clientToGateway):
            let echo = try session.awaitInbound(.client, what: "the Heartbeat echo")
            return checkDelivered(echo, message, to: .client, sent: nil)
        case ("Logout", .clientToGateway):
            let answer = try session.awaitInbound(.client, what: "the gateway's Logout")
            if let failure = checkDelivered(answer, Message(message.type), to: .client, sent: nil, compareFields: false) { return failure }
            let state = try session.waitFor(.gateway, what: "the gateway's session event") { if case .session = $0.kind { true } else { false } }
            guard case .session("logged_off", _, _) = state.kind else {
                return CheckFailure("a Logout ends the session", expected: "session logged_off", actual: state.json.serialized)
            }
            try logOnAgain()
            return nil
        case ("Logout", .gatewayToClient):
            try logOnAgain()
            return nil
        default:
            return nil
        }
    }

    /// The receiver delivered the frame (same bytes, version N) with exactly the expected fields.
    private func checkDelivered(_ inbound: Event, _ expected: Message, to receiver: Role, sent: [UInt8]?, compareFields: Bool = true) -> CheckFailure? {
        switch inbound.kind {
        case .rejectedInbound(let code, _, let bytes, let detail):
            return CheckFailure("\(spec(receiver).name) rejected \(expected.type.name) with \(code)\(detail.map { ": \($0)" } ?? "")",
                                expected: "received", actual: "rejected_inbound \(code)", sentFrame: sent, receivedFrame: bytes)
        case .received(let json, let version, let bytes):
            if let sent, bytes != sent {
                return CheckFailure("the receiver reports other bytes than were sent", expected: sent.hexString, actual: bytes.hexString, sentFrame: sent, receivedFrame: bytes)
            }
            if json["type"]?.stringValue != expected.type.name {
                return CheckFailure("the receiver delivered another message type", field: "type", expected: expected.type.name, actual: json["type"]?.serialized ?? "missing", receivedFrame: bytes)
            }
            if let failure = checkHeader(bytes, type: expected.type, version: negotiated) { return failure }
            if version != negotiated {
                return CheckFailure("received version must be the header's, N", field: "version", expected: "\(negotiated)", actual: "\(version)", receivedFrame: bytes)
            }
            return compareFields ? compare(json, expected, receiver: receiver, frame: bytes) : nil
        default:
            return CheckFailure("expected an inbound-frame event", actual: inbound.json.serialized)
        }
    }

    /// The receiver's message JSON against the expected message, field by field, as a peer of its version lists them.
    private func compare(_ json: JSON, _ expected: Message, receiver: Role, frame: [UInt8]) -> CheckFailure? {
        let version = spec(receiver).version
        let actual: Message
        do {
            actual = try Message(json: json, schema: schema, knownAt: version)
        } catch {
            return CheckFailure("the receiver's message does not read as version \(version) knows it: \(error)", actual: json.serialized, receivedFrame: frame)
        }
        let expectedFields = expected.json(knownAt: version)["fields"]?.objectValue ?? JSONObject()
        let actualFields = actual.json(knownAt: version)["fields"]?.objectValue ?? JSONObject()
        let listed = Set(json["fields"]?.objectValue?.keys ?? [])
        for name in expectedFields.keys where !listed.contains(name) {
            return CheckFailure("a received message lists every field its receiver's version knows", field: "\(expected.type.name).\(name)",
                                expected: expectedFields[name]!.serialized, actual: "missing", receivedFrame: frame)
        }
        for name in expectedFields.keys where expectedFields[name] != actualFields[name] {
            return CheckFailure("\(expected.type.name).\(name) arrived with another value", field: "\(expected.type.name).\(name)",
                                expected: expectedFields[name]!.serialized, actual: actualFields[name]?.serialized ?? "missing", receivedFrame: frame)
        }
        return nil
    }

    private func checkHeader(_ frame: [UInt8], type: MessageSchema, version: Int) -> CheckFailure? {
        guard let header = FrameHeader(of: frame) else { return CheckFailure("frame shorter than a header", receivedFrame: frame) }
        let expected = [("templateId", Int(type.templateId)), ("schemaId", Int(schema.schemaId)), ("version", version), ("blockLength", type.blockLength(at: version))]
        let actual = [Int(header.templateId), Int(header.schemaId), Int(header.version), Int(header.blockLength)]
        for ((field, want), got) in zip(expected, actual) where want != got {
            return CheckFailure("\(type.name) header.\(field) must be \(want) at version \(version)", field: "header.\(field)", expected: "\(want)", actual: "\(got)", receivedFrame: frame)
        }
        return nil
    }

    /// The first byte where a sent frame differs from the schema's encoding, named by the field there.
    private func frameMismatch(_ sent: [UInt8], expected: [UInt8], type: MessageSchema) -> CheckFailure {
        let offset = (0..<min(sent.count, expected.count)).first { sent[$0] != expected[$0] } ?? min(sent.count, expected.count)
        let location = FrameLayout(schema: schema).field(at: offset, in: expected, type: type, version: negotiated)
        return CheckFailure("the sent \(type.name) differs from its encoding at version \(negotiated) from byte \(offset) (\(location))",
                            field: location, expected: "\(expected.count) bytes: \(expected.hexString)", actual: "\(sent.count) bytes: \(sent.hexString)",
                            sentFrame: sent, receivedFrame: expected)
    }

    private func expectSendRefused(_ message: Message, from role: Role, reason: EncodeError.Refusal, knownAt version: Int) throws(CellAbort) -> CheckFailure? {
        let answer = try session.request(role, .send(message: message.json(knownAt: version), session: nil))
        guard case .sendRefused(let actual, _) = answer.kind else {
            var sent: [UInt8]?
            if case .sent(let bytes) = answer.kind { sent = bytes }
            return CheckFailure("\(spec(role).name) must refuse this \(message.type.name) at version \(negotiated) (E2)", expected: "send_refused \(reason.rawValue)",
                                actual: answer.json.serialized, sentFrame: sent)
        }
        if actual != reason.rawValue {
            return CheckFailure("wrong refusal reason", field: "reason", expected: reason.rawValue, actual: actual)
        }
        return nil
    }

    // MARK: 5. Bad input

    /// Sends `frame` raw; the receiver must refuse it with `code` and a Reject, and the session must live on.
    private func expectRefusal(_ frame: [UInt8], from sender: Role, code: RejectCode, refTemplateId: UInt16?, rejectVersion: Int,
                               heartbeat: Bool) throws(CellAbort) -> CheckFailure? {
        let receiver: Role = sender == .client ? .gateway : .client
        let answer = try session.request(sender, .sendRaw(bytes: frame, session: nil))
        guard case .sent = answer.kind else { return CheckFailure("send_raw was not carried out", expected: "sent", actual: answer.json.serialized, sentFrame: frame) }
        let inbound = try session.awaitInbound(receiver, what: "the \(receiver.rawValue)'s refusal")
        guard case .rejectedInbound(let actualCode, let actualTemplate, _, _) = inbound.kind else {
            return CheckFailure("\(spec(receiver).name) must refuse this frame with \(code.name)", expected: "rejected_inbound \(code.name)", actual: inbound.json.serialized, sentFrame: frame)
        }
        if actualCode != code.name {
            return CheckFailure("wrong Reject code", field: "code", expected: code.name, actual: actualCode, sentFrame: frame)
        }
        if let refTemplateId, actualTemplate != Int(refTemplateId) {
            return CheckFailure("rejected_inbound names another template", field: "refTemplateId", expected: "\(refTemplateId)", actual: "\(actualTemplate)", sentFrame: frame)
        }
        let reject = try session.awaitInbound(sender, what: "the Reject")
        guard case .received(let json, let version, let bytes) = reject.kind, json["type"]?.stringValue == "Reject" else {
            return CheckFailure("the sender must receive a Reject", expected: "received Reject", actual: reject.json.serialized, sentFrame: frame)
        }
        if let failure = checkHeader(bytes, type: schema.message(named: "Reject")!, version: rejectVersion) { return failure }
        if version != rejectVersion {
            return CheckFailure("a Reject is encoded at \(rejectVersion == 1 ? "version 1 before logon" : "N")", field: "version", expected: "\(rejectVersion)", actual: "\(version)", receivedFrame: bytes)
        }
        if json["fields"]?["code"]?.stringValue != code.name {
            return CheckFailure("the Reject frame carries another code", field: "Reject.code", expected: code.name, actual: json["fields"]?["code"]?.serialized ?? "missing", receivedFrame: bytes)
        }
        if let refTemplateId, json["fields"]?["refTemplateId"]?.intValue != Int(refTemplateId) {
            return CheckFailure("the Reject names another template", field: "Reject.refTemplateId", expected: "\(refTemplateId)", actual: json["fields"]?["refTemplateId"]?.serialized ?? "missing", receivedFrame: bytes)
        }
        return heartbeat ? try heartbeatRoundTrip() : nil
    }

    private func refusedInbound(_ badInput: BadInput, flow: Flow) throws(CellAbort) -> CheckFailure? {
        try expectRefusal(badInput.frame, from: flow.sender, code: badInput.code, refTemplateId: badInput.refTemplateId, rejectVersion: negotiated, heartbeat: true)
    }

    /// The session still works: a Heartbeat goes to the gateway and its echo comes back.
    private func heartbeatRoundTrip() throws(CellAbort) -> CheckFailure? {
        let heartbeat = Message(schema.message(named: "Heartbeat")!, ["timestamp": .unsigned(424_242), "seqNo": .unsigned(17)]).projected(onto: negotiated)
        let answer = try session.request(.client, .send(message: heartbeat.json(knownAt: negotiated), session: nil))
        guard case .sent(let bytes) = answer.kind else { return CheckFailure("the heartbeat after a refusal was not sent", actual: answer.json.serialized) }
        let atGateway = try session.awaitInbound(.gateway, what: "the heartbeat after a refusal")
        if let failure = checkDelivered(atGateway, heartbeat, to: .gateway, sent: bytes) { return failure }
        let echo = try session.awaitInbound(.client, what: "the heartbeat echo after a refusal")
        return checkDelivered(echo, heartbeat, to: .client, sent: nil)
    }

    struct BadInput {
        let name: String
        let frame: [UInt8]
        let code: RejectCode
        /// nil where the frame is too short to name one.
        let refTemplateId: UInt16?
    }

    /// Frames broken one way each, built from valid frames at N.
    private func badInputs() -> [BadInput] {
        let newOrder = schema.message(named: "NewOrder")!
        let logout = schema.message(named: "Logout")!
        let layout = FrameLayout(schema: schema)
        let order = (try? codec.encode(samples[newOrder].sample.projected(onto: negotiated), at: negotiated)) ?? []
        let bye = (try? codec.encode(Message(logout, ["reason": .text("bye")]), at: negotiated)) ?? []
        let blockLength = newOrder.blockLength(at: negotiated)
        var inputs: [BadInput] = [
            .init(name: "short-header", frame: Array(order.prefix(7)), code: .malformed, refTemplateId: nil),
            .init(name: "truncated-block", frame: Array(order.prefix(FrameHeader.size + blockLength - 1)), code: .malformed, refTemplateId: newOrder.templateId),
            .init(name: "oversized", frame: order + [UInt8](repeating: 0, count: schema.maxFrameSize + 1 - order.count), code: .malformed, refTemplateId: newOrder.templateId),
            .init(name: "wrong-schema-id", frame: layout.withHeader(order) { $0.schemaId ^= 0x0101 }, code: .malformed, refTemplateId: newOrder.templateId),
            .init(name: "short-block-length", frame: layout.withHeader(order) { $0.blockLength -= 1 }, code: .malformed, refTemplateId: newOrder.templateId),
            .init(name: "unknown-template", frame: layout.withHeader(order) { $0.templateId = 99 }, code: .unknownTemplate, refTemplateId: 99),
            .init(name: "bad-enum", frame: layout.setting(order, field: "side", of: newOrder, to: [0xEE]), code: .invalidValue, refTemplateId: newOrder.templateId),
            .init(name: "bad-char8", frame: layout.setting(order, field: "symbol", of: newOrder, to: [0x41, 0x01]), code: .invalidValue, refTemplateId: newOrder.templateId),
            .init(name: "var-data-too-long", frame: layout.replacingVarData(bye, type: logout, with: [UInt8](repeating: 0x61, count: schema.maxVarDataLength + 1)),
                  code: .malformed, refTemplateId: logout.templateId),
            .init(name: "var-data-past-end", frame: Array(bye.dropLast()), code: .malformed, refTemplateId: logout.templateId),
            .init(name: "bad-utf8", frame: layout.replacingVarData(bye, type: logout, with: [0xC3, 0x28, 0xFF]), code: .invalidValue, refTemplateId: logout.templateId),
        ]
        if let snapshot = schema.message(named: "MarketDataSnapshot"), snapshot.since <= negotiated,
           let frame = try? codec.encode(samples[snapshot].sample.projected(onto: negotiated), at: negotiated) {
            inputs.append(.init(name: "group-too-many-entries", frame: layout.settingGroupCount(frame, type: snapshot, version: negotiated, to: UInt16(schema.maxGroupEntries + 1)),
                                code: .malformed, refTemplateId: snapshot.templateId))
            inputs.append(.init(name: "group-past-end", frame: Array(frame.dropLast()), code: .malformed, refTemplateId: snapshot.templateId))
        }
        return inputs
    }

    // MARK: 6. Reference gateway behaviour

    private func referenceBehaviour() throws(CellAbort) {
        try logOnAgain()
        try session.request(.gateway, .mode(auto: true))
        let newOrder = schema.message(named: "NewOrder")!
        func order(_ clOrdId: UInt64, _ symbol: String) -> Message {
            var message = samples[newOrder].sample.projected(onto: negotiated)
            message["clOrdId"] = .unsigned(clOrdId)
            message["symbol"] = .text(symbol)
            return message
        }
        /// Sends from the client and returns the gateway's answer as the client received it, checked to be at N.
        func exchange(_ message: Message) throws(CellAbort) -> (fields: JSON, failure: CheckFailure?) {
            let answer = try session.request(.client, .send(message: message.json(knownAt: negotiated), session: nil))
            guard case .sent = answer.kind else { return (.null, CheckFailure("\(message.type.name) was not sent", actual: answer.json.serialized)) }
            let reply = try session.awaitInbound(.client, what: "the gateway's answer to \(message.type.name)")
            guard case .received(let json, let version, let bytes) = reply.kind else {
                return (.null, CheckFailure("the client refused the gateway's answer", actual: reply.json.serialized))
            }
            if version != negotiated { return (.null, CheckFailure("answers are encoded at N", field: "version", expected: "\(negotiated)", actual: "\(version)", receivedFrame: bytes)) }
            let type = json["type"]?.stringValue ?? ""
            if let replyType = schema.message(named: type), let failure = checkHeader(bytes, type: replyType, version: negotiated) { return (.null, failure) }
            return (json, nil)
        }
        func expect(_ json: JSON, _ type: String, _ fields: [(String, String)]) -> CheckFailure? {
            if json["type"]?.stringValue != type { return CheckFailure("the gateway answers with \(type)", field: "type", expected: type, actual: json["type"]?.serialized ?? "none") }
            for (name, value) in fields where json["fields"]?[name]?.stringValue ?? json["fields"]?[name]?.serialized != value {
                return CheckFailure("\(type).\(name) of the reference answer", field: "\(type).\(name)", expected: value, actual: json["fields"]?[name]?.serialized ?? "missing")
            }
            return nil
        }

        try check("NewOrder", .clientToGateway, "reference-ack") { () throws(CellAbort) in
            let (json, failure) = try exchange(order(5001, "ACME"))
            return failure ?? expect(json, "OrderAck", [("clOrdId", "5001"), ("orderId", "1"), ("status", "New")])
        }
        try check("CancelOrder", .clientToGateway, "reference-cancel") { () throws(CellAbort) in
            // Its own order, so the check stands alone (`--message CancelOrder`).
            let (placed, placeFailure) = try exchange(order(5011, "ACME"))
            if let failure = placeFailure ?? expect(placed, "OrderAck", [("clOrdId", "5011")]) { return failure }
            var cancel = samples[schema.message(named: "CancelOrder")!].sample.projected(onto: negotiated)
            cancel["clOrdId"] = .unsigned(5002)
            cancel["origClOrdId"] = .unsigned(5011)
            let (json, failure) = try exchange(cancel)
            return failure ?? expect(json, "CancelAck", [("clOrdId", "5002"), ("origClOrdId", "5011")])
        }
        try check("CancelOrder", .clientToGateway, "reference-unknown-order") { () throws(CellAbort) in
            var cancel = samples[schema.message(named: "CancelOrder")!].sample.projected(onto: negotiated)
            cancel["clOrdId"] = .unsigned(5003)
            cancel["origClOrdId"] = .unsigned(999_999)
            let (json, failure) = try exchange(cancel)
            return failure ?? expect(json, "Reject", [("code", "UnknownOrder"), ("refTemplateId", "12")])
        }
        if let modify = schema.message(named: "ModifyOrder"), modify.since <= negotiated {
            try check("ModifyOrder", .clientToGateway, "reference-replace") { () throws(CellAbort) in
                let (_, placed) = try exchange(order(5004, "ACME"))
                if let placed { return placed }
                var message = samples[modify].sample.projected(onto: negotiated)
                message["clOrdId"] = .unsigned(5005)
                message["origClOrdId"] = .unsigned(5004)
                let (json, failure) = try exchange(message)
                return failure ?? expect(json, "OrderAck", [("clOrdId", "5005"), ("status", "Replaced")])
            }
        }
        if let massCancel = schema.message(named: "MassCancel"), massCancel.since <= negotiated {
            try check("MassCancel", .clientToGateway, "reference-mass-cancel") { () throws(CellAbort) in
                // A fresh session, so the open orders are exactly the three placed here.
                try logOnAgain()
                for (clOrdId, symbol) in [(6001 as UInt64, "ACME"), (6002, "ACME"), (6003, "BETA")] {
                    let (json, failure) = try exchange(order(clOrdId, symbol))
                    if let failure = failure ?? expect(json, "OrderAck", [("clOrdId", "\(clOrdId)")]) { return failure }
                }
                var bySymbol = samples[massCancel].sample.projected(onto: negotiated)
                bySymbol["clOrdId"] = .unsigned(6004)
                bySymbol["scope"] = massCancel.enumValue("Symbol", of: "scope")
                bySymbol["symbol"] = .text("ACME")
                let (first, failure) = try exchange(bySymbol)
                if let failure = failure ?? expect(first, "MassCancelAck", [("clOrdId", "6004"), ("cancelledCount", "2")]) { return failure }
                var all = bySymbol
                all["clOrdId"] = .unsigned(6005)
                all["scope"] = massCancel.enumValue("All", of: "scope")
                let (second, failure2) = try exchange(all)
                return failure2 ?? expect(second, "MassCancelAck", [("clOrdId", "6005"), ("cancelledCount", "1")])
            }
        }
        try check("Heartbeat", .clientToGateway, "reference-echo") { () throws(CellAbort) in
            let heartbeat = samples[schema.message(named: "Heartbeat")!].sample.projected(onto: negotiated)
            let (json, failure) = try exchange(heartbeat)
            let expected = heartbeat.json(knownAt: negotiated)["fields"]?.objectValue.map { $0.map { ($0.key, $0.value.stringValue ?? $0.value.serialized) } } ?? []
            return failure ?? expect(json, "Heartbeat", expected)
        }
        try session.request(.gateway, .mode(auto: false))
    }

    // MARK: 1. Shutdown

    private func shutdown() throws(CellAbort) {
        try check(CheckName.session, nil, "shutdown", always: true) { () throws(CellAbort) in
            for role in [Role.client, .gateway] {
                let answer = try session.request(role, .shutdown)
                guard case .bye = answer.kind else {
                    return CheckFailure("shutdown is answered with bye", expected: "bye", actual: answer.json.serialized)
                }
            }
            for role in [Role.client, .gateway] {
                let termination = session.peer(role).process.finish(grace: .seconds(2))
                guard termination.isCleanExit else {
                    return CheckFailure("the \(role.rawValue) \(spec(role).name) must exit 0 after shutdown", expected: "exit 0", actual: "\(termination)")
                }
            }
            return nil
        }
    }

    private func encode(_ message: Message, at version: Int) throws(CellAbort) -> [UInt8] {
        do {
            return try codec.encode(message, at: version)
        } catch {
            throw .contractViolation(role: .client, "fixtures: the sample of \(message.type.name) cannot be encoded at version \(version): \(error)")
        }
    }
}

/// Which checks a run includes: `--run` patterns over full names and `--message` types.
public struct CheckSelection: Sendable {
    public var patterns: [Glob]
    public var messages: Set<String>

    public init(patterns: [String] = [], messages: [String] = []) {
        self.patterns = patterns.map(Glob.init)
        self.messages = Set(messages)
    }

    public func includes(_ name: String) -> Bool {
        if !messages.isEmpty, !messages.contains(CheckName.subject(of: name) ?? "") { return false }
        return patterns.isEmpty || patterns.contains { $0.matches(name) }
    }
}
