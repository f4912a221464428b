// What the checks of every family assert, each against the schema: a message delivered
// exactly, a frame equal to the schema's encoding, a send refused for E2's reason, a frame
// refused with a Reject (R5–R9, RJ1–RJ4), a session still alive.

import MiniJSON
import PeerContract
import TGP

extension CellExecutor {
    /// Sends `message` projected onto N with `send`; the receiver must deliver exactly that,
    /// or, where the schema says N cannot carry it, the sender must refuse it (E2).
    func deliver(_ message: Message, flow: Flow) throws(CellAbort) -> CheckFailure? {
        let projected = message.projected(onto: negotiated)
        let expectedFrame: [UInt8]
        do {
            expectedFrame = try codec.encode(projected, at: negotiated)
        } catch {
            return try expectSendRefused(projected, from: flow.sender, reason: error.refusal)
        }
        let answer = try command(flow.sender, .send(message: projected.json(knownAt: negotiated), session: nil))
        guard case .sent(let bytes) = answer.kind else {
            return CheckFailure(
                "\(name(flow.sender)) did not send \(message.type.name) at version \(negotiated)", expected: "sent",
                actual: answer.json.serialized, sentFrame: expectedFrame)
        }
        let (inbound, receivedAt) = try session.awaitCause(
            flow.receiver, what: "the \(flow.receiver.rawValue)'s event for \(message.type.name)", frame: bytes)
        let failure =
            bytes != expectedFrame
            ? frameMismatch(bytes, expected: expectedFrame, type: message.type)
            : checkDelivered(inbound, projected, to: flow.receiver, sent: bytes, version: negotiated)
        return failure.orElse(try sessionLevelAnswer(to: inbound, receivedAt: receivedAt, echoing: projected, flow: flow))
    }

    /// Forces `frame` (encoded at `version`) on the wire; the receiver must deliver `expected`.
    func deliverRaw(_ frame: [UInt8], version: Int, expected: Message, flow: Flow) throws(CellAbort) -> CheckFailure? {
        let answer = try command(flow.sender, .sendRaw(bytes: frame, session: nil))
        guard case .sent = answer.kind else {
            return CheckFailure("send_raw was not carried out", expected: "sent", actual: answer.json.serialized, sentFrame: frame)
        }
        let (inbound, receivedAt) = try session.awaitCause(
            flow.receiver, what: "the \(flow.receiver.rawValue)'s event for \(expected.type.name) encoded at v\(version)", frame: frame)
        let failure = checkDelivered(inbound, expected, to: flow.receiver, sent: frame, version: version)
        // The gateway echoes a Heartbeat with the fields it read, at N.
        return failure.orElse(
            try sessionLevelAnswer(to: inbound, receivedAt: receivedAt, echoing: expected.projected(onto: negotiated), flow: flow))
    }

    /// What a delivered message causes on its own (S4): the gateway echoes a Heartbeat and
    /// answers a Logout, which ends the session; the client then logs on again, so the next
    /// check starts in a session as before. `receivedAt`: when `inbound` was read, which the
    /// echo's wait counts from (echoes of Heartbeats received together share one wait).
    func sessionLevelAnswer(
        to inbound: Event, receivedAt: ContinuousClock.Instant?, echoing message: Message, flow: Flow
    ) throws(CellAbort) -> CheckFailure? {
        guard case .received(let json, _, _) = inbound.kind, let type = json["type"]?.stringValue else { return nil }
        switch (type, flow) {
        case ("Heartbeat", .clientToGateway):
            let echo = try session.awaitInbound(
                .client, what: "the gateway's Heartbeat echo (S4)", frame: try? codec.encode(message, at: negotiated), owed: .answer,
                kind: Self.heartbeatEcho, causedAt: receivedAt)
            return checkDelivered(echo, message, to: .client, sent: nil, version: negotiated)
        case ("Logout", .clientToGateway):
            let answer = try session.awaitInbound(.client, what: "the gateway's Logout answering the client's (S4)", owed: .answer)
            if let failure = checkDelivered(
                answer, Message(schema.message(named: "Logout")!), to: .client, sent: nil, version: negotiated, compareFields: false)
            {
                return failure
            }
            let state = try session.awaitUnsolicited(.gateway, causedBy: .gateway, what: "the gateway's session event after a Logout (P14)")
            {
                if case .session = $0.kind { true } else { false }
            }
            guard case .session("logged_off", _, _) = state.kind else {
                return CheckFailure("a Logout ends the session (S4)", expected: "session logged_off", actual: state.json.serialized)
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

    /// Logs the client on again at N and consumes what that causes on both sides.
    func logOnAgain() throws(CellAbort) {
        let answer = try session.request(.client, .logon(username: "compat", min: nil, max: nil))
        guard case .logonAck(let version, _) = answer.kind, version == negotiated else {
            throw .contractViolation(
                session.label(.client), "logging on again was answered with \(answer.json.serialized), expected logon_ack at \(negotiated)")
        }
        _ = try session.awaitUnsolicited(.gateway, causedBy: .gateway, what: "the gateway's session event for the new logon") {
            if case .session("logged_on", _, _) = $0.kind { true } else { false }
        }
        _ = try session.awaitUnsolicited(.gateway, causedBy: .client, what: "the gateway's received Logon") {
            Self.isInbound($0, type: "Logon")
        }
        _ = try session.awaitUnsolicited(.client, causedBy: .gateway, what: "the client's received LogonAck") {
            Self.isInbound($0, type: "LogonAck")
        }
    }

    /// The kind of every wait for the gateway's echo of a Heartbeat (S4), however the check
    /// describes it: once the gateway has not sent one, later waits for one are short.
    static let heartbeatEcho = "the gateway's Heartbeat echo"

    static func isInbound(_ event: Event, type: String) -> Bool {
        if case .received(let json, _, _) = event.kind, event.id == nil { json["type"]?.stringValue == type } else { false }
    }

    /// The receiver delivered the frame (the bytes sent, header version `version`) with exactly the expected fields.
    func checkDelivered(
        _ inbound: Event, _ expected: Message, to receiver: Role, sent: [UInt8]?, version: Int,
        compareFields: Bool = true
    ) -> CheckFailure? {
        switch inbound.kind {
        case .rejectedInbound(let code, _, let bytes, let detail):
            return CheckFailure(
                "\(name(receiver)) rejected \(expected.type.name) with \(code)\(detail.map { ": \($0)" } ?? "")",
                expected: "received", actual: "rejected_inbound \(code)", sentFrame: sent, receivedFrame: bytes)
        case .received(let json, let reportedVersion, let bytes):
            if let sent, bytes != sent {
                return CheckFailure(
                    "the receiver reports other bytes than were sent (P12)", expected: sent.hexString, actual: bytes.hexString,
                    sentFrame: sent, receivedFrame: bytes)
            }
            if json["type"]?.stringValue != expected.type.name {
                return CheckFailure(
                    "the receiver delivered another message type", field: "type", expected: expected.type.name,
                    actual: json["type"]?.serialized ?? "missing", receivedFrame: bytes)
            }
            if sent == nil, let failure = checkHeader(bytes, type: expected.type, version: version) { return failure }
            if reportedVersion != version {
                return CheckFailure(
                    "received.version must be the header's (P12)", field: "version", expected: "\(version)", actual: "\(reportedVersion)",
                    receivedFrame: bytes)
            }
            return compareFields ? compare(json, expected, receiver: receiver, frame: bytes) : nil
        default:
            return CheckFailure("expected an inbound-frame event (P11)", actual: inbound.json.serialized)
        }
    }

    /// The receiver's message JSON against the expected message, field by field, as a peer of its version lists them (P12).
    func compare(_ json: JSON, _ expected: Message, receiver: Role, frame: [UInt8]) -> CheckFailure? {
        let version = version(receiver)
        let actual: Message
        do {
            actual = try Message(json: json, schema: schema, knownAt: version)
        } catch {
            return CheckFailure(
                "the receiver's message does not read as version \(version) knows it (P12, P15): \(error)", actual: json.serialized,
                receivedFrame: frame)
        }
        let listed = json["fields"]?.objectValue
        for field in expected.type.logicalFields where field.since <= version && listed?[field.name] == nil {
            let value = expected.json(knownAt: version)["fields"]?[field.name]?.serialized ?? "?"
            return CheckFailure(
                "a received message lists every field its receiver's version knows (P12)", field: "\(expected.type.name).\(field.name)",
                expected: value, actual: "missing", receivedFrame: frame)
        }
        // Both hold defaults for what the receiver's version does not know (R1), so all values compare.
        if let index = expected.values.indices.first(where: { expected.values[$0] != actual.values[$0] }) {
            let name = expected.type.logicalFields[index].name
            let render = { (message: Message) in message.json(knownAt: version)["fields"]?[name]?.serialized ?? "missing" }
            return CheckFailure(
                "\(expected.type.name).\(name) arrived with another value", field: "\(expected.type.name).\(name)",
                expected: render(expected), actual: render(actual), receivedFrame: frame)
        }
        return nil
    }

    /// W2/W3: the header of a frame of `type` encoded at `version`.
    func checkHeader(_ frame: [UInt8], type: MessageSchema, version: Int) -> CheckFailure? {
        guard let header = FrameHeader(of: frame) else { return CheckFailure("frame shorter than a header (W2)", receivedFrame: frame) }
        let expected = [
            ("templateId", Int(type.templateId)), ("schemaId", Int(schema.schemaId)), ("version", version),
            ("blockLength", type.blockLength(at: version)),
        ]
        let actual = [Int(header.templateId), Int(header.schemaId), Int(header.version), Int(header.blockLength)]
        for ((field, want), got) in zip(expected, actual) where want != got {
            return CheckFailure(
                "\(type.name) header.\(field) must be \(want) at version \(version)", field: "header.\(field)", expected: "\(want)",
                actual: "\(got)", receivedFrame: frame)
        }
        return nil
    }

    /// The first byte where a sent frame differs from the schema's encoding, named by the field there.
    func frameMismatch(_ sent: [UInt8], expected: [UInt8], type: MessageSchema) -> CheckFailure {
        let offset = (0..<min(sent.count, expected.count)).first { sent[$0] != expected[$0] } ?? min(sent.count, expected.count)
        let location = FrameLayout(schema: schema).field(at: offset, in: expected, type: type, version: negotiated)
        return .frameMismatch(
            "the sent \(type.name) differs from its encoding at version \(negotiated) from byte \(offset) (\(location))",
            field: location, sent: sent, expected: expected, from: offset)
    }

    /// E2: `send` of `message` is refused for `reason`, with nothing on the wire.
    func expectSendRefused(_ message: Message, from role: Role, reason: EncodeError.Refusal) throws(CellAbort) -> CheckFailure? {
        let knownAt = max(negotiated, message.type.since)
        let answer = try command(role, .send(message: message.json(knownAt: knownAt), session: nil))
        guard case .sendRefused(let actual, _) = answer.kind else {
            var sent: [UInt8]?
            if case .sent(let bytes) = answer.kind { sent = bytes }
            return CheckFailure(
                "\(name(role)) must refuse this \(message.type.name) at version \(negotiated) (E2)",
                expected: "send_refused \(reason.rawValue)",
                actual: answer.json.serialized, sentFrame: sent)
        }
        if actual != reason.rawValue {
            return CheckFailure("wrong refusal reason (E2)", field: "reason", expected: reason.rawValue, actual: actual)
        }
        return nil
    }

    /// Sends `frame` raw; the receiver must refuse it with `code`, naming `refTemplateId` (RJ1),
    /// and answer with a Reject at `rejectVersion` (RJ2, RJ4) — or, for a Reject, with nothing
    /// (RJ3); then a heartbeat round trip shows the session lives on.
    func expectRefusal(
        _ frame: [UInt8], from sender: Role, code: RejectCode, refTemplateId: UInt16, rejectVersion: Int,
        answeredWithReject: Bool = true, heartbeat: Bool = false
    ) throws(CellAbort) -> CheckFailure? {
        let receiver: Role = sender == .client ? .gateway : .client
        let answer = try command(sender, .sendRaw(bytes: frame, session: nil))
        guard case .sent = answer.kind else {
            return CheckFailure("send_raw was not carried out", expected: "sent", actual: answer.json.serialized, sentFrame: frame)
        }
        let (inbound, refusedAt) = try session.awaitCause(receiver, what: "the \(receiver.rawValue)'s refusal", frame: frame)
        guard case .rejectedInbound(let actualCode, let actualTemplate, _, _) = inbound.kind else {
            return CheckFailure(
                "\(name(receiver)) must refuse this frame with \(code.name)", expected: "rejected_inbound \(code.name)",
                actual: inbound.json.serialized, sentFrame: frame)
        }
        var refusalFailure: CheckFailure?
        if actualCode != code.name {
            refusalFailure = CheckFailure("wrong Reject code", field: "code", expected: code.name, actual: actualCode, sentFrame: frame)
        } else if actualTemplate != Int(refTemplateId) {
            refusalFailure = CheckFailure(
                "rejected_inbound names another template (RJ1)", field: "refTemplateId", expected: "\(refTemplateId)",
                actual: "\(actualTemplate)", sentFrame: frame)
        }
        if answeredWithReject {
            // The receiver refused the frame, so a Reject comes back however it refused: this check
            // takes it, or the next check of a batch would take it for its own.
            var rejectFailure: CheckFailure?
            do {
                rejectFailure = try expectReject(
                    to: sender, code: code, refTemplateId: refTemplateId, version: rejectVersion, causedAt: refusedAt)
            } catch .missing where refusalFailure != nil {
                rejectFailure = nil
            }
            if let failure = refusalFailure ?? rejectFailure { return failure }
        } else if let refusalFailure {
            return refusalFailure
        }
        guard heartbeat else { return nil }
        if let failure = try heartbeatRoundTrip() { return failure }
        if !answeredWithReject, let echoed = session.takeEvents(sender, where: { Self.isInbound($0, type: "Reject") }).first {
            return CheckFailure(
                "a Reject must not be answered with a Reject (RJ3)", expected: "no Reject", actual: echoed.json.serialized, sentFrame: frame
            )
        }
        return nil
    }

    /// The Reject the refusing side sends back: its code, template, refClOrdId and version.
    /// `causedAt`: when the refusal was read; the Reject is sent with it, so its wait counts from then.
    private func expectReject(
        to sender: Role, code: RejectCode, refTemplateId: UInt16, version: Int, causedAt: ContinuousClock.Instant?
    ) throws(CellAbort) -> CheckFailure? {
        let reject = try session.awaitInbound(sender, what: "the Reject", owed: .answer, causedAt: causedAt)
        guard case .received(let json, let reportedVersion, let bytes) = reject.kind, json["type"]?.stringValue == "Reject" else {
            return CheckFailure("the sender must receive a Reject", expected: "received Reject", actual: reject.json.serialized)
        }
        if let failure = checkHeader(bytes, type: schema.message(named: "Reject")!, version: version) { return failure }
        if reportedVersion != version {
            return CheckFailure(
                "a Reject is encoded at \(version == 1 ? "version 1 before logon" : "N") (RJ4)", field: "version", expected: "\(version)",
                actual: "\(reportedVersion)", receivedFrame: bytes)
        }
        let fields = json["fields"]
        for (field, want, rule) in [("code", code.name, "R5–R8"), ("refTemplateId", "\(refTemplateId)", "RJ1"), ("refClOrdId", "0", "RJ2")]
        {
            let got = fields?[field]?.stringValue ?? fields?[field]?.serialized ?? "missing"
            if got != want {
                return CheckFailure(
                    "the Reject frame carries another \(field) (\(rule))", field: "Reject.\(field)", expected: want, actual: got,
                    receivedFrame: bytes)
            }
        }
        return nil
    }

    /// The session still works: a Heartbeat goes to the gateway and its echo comes back (S4).
    /// Its timestamp is new each time, so an echo left over from an earlier one is not taken for it.
    func heartbeatRoundTrip() throws(CellAbort) -> CheckFailure? {
        heartbeats += 1
        let heartbeat = Message(
            schema.message(named: "Heartbeat")!, ["timestamp": .unsigned(424_242 + heartbeats), "seqNo": .unsigned(17)]
        ).projected(onto: negotiated)
        let answer = try session.request(.client, .send(message: heartbeat.json(knownAt: negotiated), session: nil))
        guard case .sent(let bytes) = answer.kind else {
            return CheckFailure("the heartbeat after a refusal was not sent", actual: answer.json.serialized)
        }
        let (atGateway, receivedAt) = try session.awaitCause(.gateway, what: "the heartbeat after a refusal", frame: bytes)
        if let failure = checkDelivered(atGateway, heartbeat, to: .gateway, sent: bytes, version: negotiated) { return failure }
        let echoFrame = try? codec.encode(heartbeat, at: negotiated)
        let echo = try session.awaitInbound(
            .client, what: "the heartbeat echo after a refusal (S4)", frame: echoFrame, owed: .answer, kind: Self.heartbeatEcho,
            causedAt: receivedAt)
        return checkDelivered(echo, heartbeat, to: .client, sent: nil, version: negotiated)
    }
}

extension Optional where Wrapped == CheckFailure {
    /// This failure if there is one, else `other` (evaluated either way: it consumes events).
    func orElse(_ other: CheckFailure?) -> CheckFailure? { self ?? other }
}
