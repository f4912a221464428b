// Message types, samples and edge values at N: every enum value of N delivered, values and
// types newer than N refused by the sender (E2). The sample and edge checks are `deliver`.

import TGP

extension CellExecutor {
    /// Every value of the enum field that N has is delivered.
    func enumValues(_ sample: Message, field: String, values: [UInt8], flow: Flow) throws(CellAbort) -> CheckFailure? {
        for value in values {
            var message = sample
            message[field] = .unsigned(UInt64(value))
            if let failure = try deliver(message, flow: flow) { return failure }
        }
        return nil
    }

    /// E2: values newer than N are refused by the sender, whether its own version knows them or not.
    func enumNewerRefused(_ sample: Message, field: String, values: [UInt8], flow: Flow) throws(CellAbort) -> CheckFailure? {
        for value in values {
            var message = sample
            message[field] = .unsigned(UInt64(value))
            if let failure = try expectSendRefused(message, from: flow.sender, reason: .unsupportedInVersion) { return failure }
        }
        return nil
    }
}
