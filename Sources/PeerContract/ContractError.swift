// A line of the peer contract that cannot be understood: what is wrong, and where.

public struct ContractError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
