// Message types, samples and edge values at N: every enum value of N delivered, values and
// types newer than N refused by the sender (E2). The sample and edge checks are `deliver`.

import TGP

extension CellExecutor {
    /// Every value of the enum field that N has is delivered.
    func enumValues(_ sample: Message, field: String, values: [UInt8], flow: Flow) throws(CellAbort) -> CheckFailure? {
        let messages = values.map { value in
            var message = sample.projected(onto: negotiated)
            message[field] = .unsigned(UInt64(value))
            return message
        }
        // Heartbeat and Logout have answers of their own; every other type can go in one write.
        if !["Heartbeat", "Logout"].contains(sample.type.name) {
            try issueAhead(flow.sender, messages.map { .send(message: $0.json(knownAt: negotiated), session: nil) })
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
        let messages = values.map { value in
            var message = sample
            message[field] = .unsigned(UInt64(value))
            return message
        }
        try issueAhead(flow.sender, messages.map { .send(message: $0.json(knownAt: negotiated), session: nil) })
        var firstFailure: CheckFailure?
        for message in messages {
            let failure = try expectSendRefused(message, from: flow.sender, reason: .unsupportedInVersion)
            firstFailure = firstFailure ?? failure
        }
        return firstFailure
    }
}
