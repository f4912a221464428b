// Message types, samples and edge values at N: every enum value of N delivered, values and
// types newer than N refused by the sender (E2). The sample and edge checks are `deliver`.

import PeerContract
import TGP

extension CellExecutor {
    /// Every value of the enum field that N has is delivered.
    func enumValues(_ sample: Message, field: String, values: [UInt8], flow: Flow) throws(CellAbort) -> CheckFailure? {
        let messages = enumMessages(sample.projected(onto: negotiated), field, values)
        // Heartbeat and Logout have answers of their own; every other type can go in one write.
        if !["Heartbeat", "Logout"].contains(sample.type.name) {
            try issueAhead(flow.sender, messages.map(sendAtN))
        }
        var firstFailure: CheckFailure?
        for message in messages {
            // Every answer is taken, so none is left for the next check.
            let failure = try deliver(message, flow: flow)
            firstFailure = firstFailure ?? failure
        }
        return firstFailure
    }

    /// E2: values newer than N are refused by the sender, whether its own version knows them or not.
    func enumNewerRefused(_ sample: Message, field: String, values: [UInt8], flow: Flow) throws(CellAbort) -> CheckFailure? {
        let messages = enumMessages(sample, field, values)
        try issueAhead(flow.sender, messages.map(sendAtN))
        var firstFailure: CheckFailure?
        for message in messages {
            let failure = try expectSendRefused(message, from: flow.sender, reason: .unsupportedInVersion)
            firstFailure = firstFailure ?? failure
        }
        return firstFailure
    }

    /// E2 for a field newer than N, asked of the sender with every field of its schema listed: at
    /// its default it is left out and the message delivered as N has it; set, the send is refused.
    func newerField(absent: Message, set: Message, flow: Flow) throws(CellAbort) -> CheckFailure? {
        let expectedFrame = try? codec.encode(absent, at: negotiated)
        let answer = try command(flow.sender, sendListingEveryField(absent))
        guard case .sent(let bytes) = answer.kind, let expectedFrame else {
            return CheckFailure(
                "\(name(flow.sender)) must send \(absent.type.name) at \(negotiated) without a newer field left at its default (E2)",
                expected: "sent", actual: answer.json.serialized, sentFrame: expectedFrame)
        }
        let (inbound, receivedAt) = try session.awaitCause(
            flow.receiver, what: "the \(flow.receiver.rawValue)'s event for \(absent.type.name)", frame: bytes)
        let delivery =
            bytes != expectedFrame
            ? frameMismatch(bytes, expected: expectedFrame, type: absent.type)
            : checkDelivered(inbound, absent, to: flow.receiver, sent: bytes, version: negotiated)
        if let failure = delivery.orElse(try sessionLevelAnswer(to: inbound, receivedAt: receivedAt, echoing: absent, flow: flow)) {
            return failure
        }
        let refusal = try command(flow.sender, sendListingEveryField(set))
        guard case .sendRefused(let reason, _) = refusal.kind, reason == EncodeError.Refusal.notRepresentable.rawValue else {
            return CheckFailure(
                "\(name(flow.sender)) must refuse \(set.type.name) at \(negotiated) with a field newer than N set (E2)",
                expected: "send_refused NotRepresentable", actual: refusal.json.serialized)
        }
        return nil
    }

    /// `sample` once with each of `values` in `field`.
    func enumMessages(_ sample: Message, _ field: String, _ values: [UInt8]) -> [Message] {
        values.map { value in
            var message = sample
            message[field] = .unsigned(UInt64(value))
            return message
        }
    }

    /// `send` of `message` as N lists it.
    func sendAtN(_ message: Message) -> Command.Kind {
        .send(message: message.json(knownAt: negotiated), session: nil)
    }

    /// `send` of `message` with every field of the schema listed, newer than N or not (E2).
    func sendListingEveryField(_ message: Message) -> Command.Kind {
        .send(message: message.json(knownAt: schema.latestVersion), session: nil)
    }
}
