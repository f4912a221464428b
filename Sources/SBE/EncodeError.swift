// Why a sender refused to encode a message (E2): nothing goes on the wire.

public struct EncodeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The refusal reasons of the peer contract's `send_refused`.
    public enum Refusal: String, Sendable, Hashable {
        /// The message type or an enum value is newer than the acting version.
        case unsupportedInVersion = "UnsupportedInVersion"
        /// A value the acting version cannot carry (a quantity above u32 below v4, a newer field set).
        case notRepresentable = "NotRepresentable"
        /// A value no version can carry (an unknown enum value, a char8 that is not printable ASCII, an overlong string).
        case invalidValue = "InvalidValue"
    }

    public let refusal: Refusal
    public let messageName: String
    /// The field at fault, if any.
    public let field: String?
    /// What is wrong, in a sentence.
    public let detail: String

    public init(_ refusal: Refusal, _ messageName: String, field: String? = nil, _ detail: String) {
        self.refusal = refusal
        self.messageName = messageName
        self.field = field
        self.detail = detail
    }

    public var description: String {
        "\(refusal.rawValue): \(messageName)\(field.map { ".\($0)" } ?? ""): \(detail)"
    }
}
