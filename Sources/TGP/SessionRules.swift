// Version negotiation and the session-level rules (R6, R9) that depend on a session's state.

/// The outcome of a Logon: the negotiated version N, or a refusal with the gateway's range.
public enum Negotiation: Sendable, Hashable {
    case accepted(version: Int)
    case rejected(supported: ClosedRange<Int>)

    /// N = min(client max, gateway max); refused when N < max(client min, gateway min).
    public init(client: ClosedRange<Int>, gateway: ClosedRange<Int>) {
        let version = min(client.upperBound, gateway.upperBound)
        self = version < max(client.lowerBound, gateway.lowerBound) ? .rejected(supported: gateway) : .accepted(version: version)
    }

    /// E3: the version a LogonReject is encoded at.
    public static func logonRejectVersion(clientMax: Int, gatewayMax: Int) -> Int { min(clientMax, gatewayMax) }
}

public enum SessionRules {
    /// The messages a side accepts before it is logged on: a gateway only Logon, a client the
    /// gateway's answers to it (and Rejects, which are never answered with a Reject).
    public static func acceptedBeforeLogon(by role: Role) -> Set<String> {
        switch role {
        case .gateway: ["Logon"]
        case .client: ["LogonAck", "LogonReject", "Reject"]
        }
    }

    /// R9, then R6, for a message that decoded: nil when the session takes it.
    /// `negotiatedVersion` is nil before logon.
    public static func refusal(of type: MessageSchema, receivedBy role: Role, negotiatedVersion: Int?) -> RejectCode? {
        guard let negotiatedVersion else {
            return acceptedBeforeLogon(by: role).contains(type.name) ? nil : .notLoggedOn
        }
        return type.since > negotiatedVersion ? .unsupportedInVersion : nil
    }

    /// A Reject is never answered with a Reject, so two peers cannot bounce them forever.
    public static func answersRefusal(ofTemplate templateId: UInt16, in schema: Schema = .tgp) -> Bool {
        templateId != schema.message(named: "Reject")?.templateId
    }
}
