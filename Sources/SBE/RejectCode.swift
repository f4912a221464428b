// The codes a receiver puts in a Reject; the same values as the schema's RejectCode enum.

public enum RejectCode: UInt8, Sendable, Hashable, CaseIterable {
    case unknownTemplate = 1
    case malformed = 2
    case invalidValue = 3
    case notLoggedOn = 4
    case unsupportedInVersion = 5
    case unknownOrder = 6
    case riskLimit = 7

    /// The name on the wire tables and in the peer contract (`Malformed`).
    public var name: String {
        switch self {
        case .unknownTemplate: "UnknownTemplate"
        case .malformed: "Malformed"
        case .invalidValue: "InvalidValue"
        case .notLoggedOn: "NotLoggedOn"
        case .unsupportedInVersion: "UnsupportedInVersion"
        case .unknownOrder: "UnknownOrder"
        case .riskLimit: "RiskLimit"
        }
    }

    public init?(name: String) {
        guard let code = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = code
    }
}
