// Running the plain profile's checks (SB1–SB5): a send at the sender's own version must put the
// planned frame on the wire, and the receiver must deliver it with exactly the planned fields or
// refuse it with the planned code — and then answer nothing, with the connection going on.

import MiniJSON
import PeerContract
import TGP

extension CellExecutor {
    func executePlain(_ step: PlainStep) throws(CellAbort) -> CheckFailure? {
        switch step {
        case .connect(let frame, let outcome):
            try session.connectPeers(endpoint: endpoint, allowRemote: allowRemote)
            return try forced(frame, outcome: outcome, flow: .clientToGateway)
        case .send(let json, let frame, let outcome, let flow):
            return try sendPlain(json, frame: frame, outcome: outcome, flow: flow)
        case .sendRefused(let json, let reason, let flow):
            return try expectPlainRefusal(json, reason: reason, from: flow.sender)
        case .newerField(let absent, let frame, let outcome, let set, let reason, let flow):
            if let failure = try sendPlain(absent, frame: frame, outcome: outcome, flow: flow) { return failure }
            return try expectPlainRefusal(set, reason: reason, from: flow.sender)
        case .raw(let frame, let outcome, let flow):
            return try forced(frame, outcome: outcome, flow: flow)
        case .unplannable(let why):
            return CheckFailure(why)
        }
    }

    /// `send` at the sender's version: exactly `frame` goes on the wire (SB1), then the receiver's part.
    private func sendPlain(_ json: JSON, frame: [UInt8], outcome: PlainOutcome, flow: Flow) throws(CellAbort) -> CheckFailure? {
        let type = json["type"]?.stringValue ?? "?"
        let answer = try command(flow.sender, .send(message: json, session: nil))
        guard case .sent(let bytes) = answer.kind else {
            return CheckFailure(
                "\(name(flow.sender)) did not send \(type) at its version \(version(flow.sender)) (SB1, P7)", expected: "sent",
                actual: answer.json.serialized, sentFrame: frame)
        }
        let arrival = try arrive(bytes, outcome: outcome, flow: flow)
        return bytes == frame ? arrival : plainFrameMismatch(bytes, expected: frame, flow: flow)
    }

    /// `frame` forced on the wire with `send_raw`, then the receiver's part.
    private func forced(_ frame: [UInt8], outcome: PlainOutcome, flow: Flow) throws(CellAbort) -> CheckFailure? {
        let answer = try command(flow.sender, .sendRaw(bytes: frame, session: nil))
        guard case .sent = answer.kind else {
            return CheckFailure("send_raw was not carried out (P8)", expected: "sent", actual: answer.json.serialized, sentFrame: frame)
        }
        return try arrive(frame, outcome: outcome, flow: flow)
    }

    /// The receiver's one event for `frame` (P11), as `outcome` says.
    private func arrive(_ frame: [UInt8], outcome: PlainOutcome, flow: Flow) throws(CellAbort) -> CheckFailure? {
        let inbound = try session.awaitInbound(flow.receiver, what: "the \(flow.receiver.rawValue)'s event for the frame", frame: frame)
        switch outcome {
        case .delivered(let expected):
            return checkPlainDelivery(inbound, expected, flow: flow, frame: frame)
        case .refused(let code, let refTemplateId, let proof):
            guard case .rejectedInbound(let actualCode, let actualTemplate, _, _) = inbound.kind else {
                return CheckFailure(
                    "\(name(flow.receiver)) must refuse this frame with \(code) (SB3)", expected: "rejected_inbound \(code)",
                    actual: inbound.json.serialized, sentFrame: frame)
            }
            if actualCode != code {
                return CheckFailure("wrong refusal code (SB3)", field: "code", expected: code, actual: actualCode, sentFrame: frame)
            }
            if actualTemplate != refTemplateId {
                return CheckFailure(
                    "rejected_inbound names another template (P13)", field: "refTemplateId", expected: "\(refTemplateId)",
                    actual: "\(actualTemplate)", sentFrame: frame)
            }
            guard let proof else { return CheckFailure("no frame both versions deliver: the plan cannot show the refusal was silent") }
            return try silence(after: frame, proof, flow: flow)
        }
    }

    /// SB3, P16: nothing answered the refused frame, and the connection goes on.
    private func silence(after refused: [UInt8], _ proof: SilenceProof, flow: Flow) throws(CellAbort) -> CheckFailure? {
        _ = try command(flow.receiver, .sendRaw(bytes: proof.back, session: nil))
        let first = try session.awaitInbound(
            flow.sender, what: "the \(flow.sender.rawValue)'s event for the frame sent back after a refusal")
        if first.bytes != proof.back {
            return CheckFailure(
                "\(name(flow.receiver)) answered a refused frame on the wire; under the sbe profile nothing goes back (SB3, P16)",
                expected: "nothing before the next frame", actual: first.json.serialized, sentFrame: refused)
        }
        _ = try command(flow.sender, .sendRaw(bytes: proof.forward, session: nil))
        let next = try session.awaitInbound(flow.receiver, what: "the frame after a refusal (the connection goes on)", frame: proof.forward)
        guard case .received = next.kind else {
            return CheckFailure(
                "after a refusal the connection goes on (SB3): the next frame must be delivered", expected: "received",
                actual: next.json.serialized, sentFrame: proof.forward)
        }
        return nil
    }

    /// P12: the type, the header's version and exactly the planned fields, read as the receiver's version lists them.
    private func checkPlainDelivery(_ inbound: Event, _ expected: PlainExpectation, flow: Flow, frame: [UInt8]) -> CheckFailure? {
        guard case .received(let json, let reportedVersion, let bytes) = inbound.kind else {
            return CheckFailure(
                "\(name(flow.receiver)) must deliver \(expected.type) (SB2)", expected: "received", actual: inbound.json.serialized,
                sentFrame: frame)
        }
        if bytes != frame {
            return CheckFailure(
                "the receiver reports other bytes than were sent (P12)", expected: frame.hexString, actual: bytes.hexString,
                sentFrame: frame, receivedFrame: bytes)
        }
        if json["type"]?.stringValue != expected.type {
            return CheckFailure(
                "the receiver delivered another message type", field: "type", expected: expected.type,
                actual: json["type"]?.serialized ?? "missing", receivedFrame: bytes)
        }
        if reportedVersion != expected.version {
            return CheckFailure(
                "received.version must be the header's (P12)", field: "version", expected: "\(expected.version)",
                actual: "\(reportedVersion)", receivedFrame: bytes)
        }
        let receiverVersion = version(flow.receiver)
        let canonical: JSONObject
        do {
            let message = try Message(json: json, schema: schema(of: flow.receiver), knownAt: receiverVersion)
            canonical = message.json(knownAt: receiverVersion)["fields"]?.objectValue ?? [:]
        } catch {
            return CheckFailure(
                "the receiver's message does not read as its version \(receiverVersion) lists it (P12, P15): \(error)",
                actual: json.serialized, receivedFrame: bytes)
        }
        let listed = json["fields"]?.objectValue ?? [:]
        for (field, value) in expected.fields {
            guard listed[field] != nil else {
                return CheckFailure(
                    "a received message lists every field its receiver's version knows (P12)", field: "\(expected.type).\(field)",
                    expected: value.serialized, actual: "missing", receivedFrame: bytes)
            }
            if canonical[field] != value {
                return CheckFailure(
                    "\(expected.type).\(field) arrived with another value (SB2, R1)", field: "\(expected.type).\(field)",
                    expected: value.serialized, actual: canonical[field]?.serialized ?? "missing", receivedFrame: bytes)
            }
        }
        return nil
    }

    /// SB5: `send` of `json` is refused for `reason`, with nothing on the wire.
    private func expectPlainRefusal(_ json: JSON, reason: String, from role: Role) throws(CellAbort) -> CheckFailure? {
        let type = json["type"]?.stringValue ?? "?"
        let answer = try command(role, .send(message: json, session: nil))
        guard case .sendRefused(let actual, _) = answer.kind else {
            var sent: [UInt8]?
            if case .sent(let bytes) = answer.kind { sent = bytes }
            return CheckFailure(
                "\(name(role)) must refuse this \(type) at its version \(version(role)) (SB5, E2)", expected: "send_refused \(reason)",
                actual: answer.json.serialized, sentFrame: sent)
        }
        if actual != reason {
            return CheckFailure("wrong refusal reason (SB5, E2)", field: "reason", expected: reason, actual: actual)
        }
        return nil
    }

    /// The first byte where a sent frame differs from the sender's schema's encoding, named by the field there.
    private func plainFrameMismatch(_ sent: [UInt8], expected: [UInt8], flow: Flow) -> CheckFailure {
        let schema = schema(of: flow.sender)
        let senderVersion = version(flow.sender)
        let offset = (0..<min(sent.count, expected.count)).first { sent[$0] != expected[$0] } ?? min(sent.count, expected.count)
        let layout = FrameLayout(schema: schema)
        let location =
            schema.header.header(of: expected, byteOrder: schema.byteOrder).flatMap { schema.message(templateId: $0.templateId) }.map {
                layout.field(at: offset, in: expected, type: $0, version: senderVersion)
            } ?? "byte \(offset)"
        return .frameMismatch(
            "the sent frame differs from its encoding at version \(senderVersion) from byte \(offset) (\(location)) (SB1, W1–W5)",
            field: location, sent: sent, expected: expected, from: offset)
    }
}

extension Event {
    /// The frame of an inbound-frame event (`received`, `rejected_inbound`).
    var bytes: [UInt8]? {
        switch kind {
        case .received(_, _, let bytes), .rejectedInbound(_, _, let bytes, _): bytes
        default: nil
        }
    }
}
