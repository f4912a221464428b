// Bad input at each rule's boundary: the largest valid input is delivered, the smallest
// invalid one draws exactly the rule's Reject, and the session lives on.

import TGP

extension CellExecutor {
    func badInput(_ input: BadInput, flow: Flow) throws(CellAbort) -> CheckFailure? {
        switch input.outcome {
        case .delivered(let message):
            return try deliverRaw(input.frame, version: negotiated, expected: message, flow: flow)
        case .refused(let code, let refTemplateId, let answeredWithReject):
            return try expectRefusal(
                input.frame, from: flow.sender, code: code, refTemplateId: refTemplateId, rejectVersion: negotiated,
                answeredWithReject: answeredWithReject)
        }
    }
}
