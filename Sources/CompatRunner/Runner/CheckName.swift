// The one stable name of a check, spelling out its permutation:
// `client=v3/gateway=v5/NewOrder/c2g/edge-wide-quantity`. Reports, `--run`, knownFailures
// and the reproducer all use this string.

import TGP

public enum CheckName {
    /// The direction a check sends in.
    public enum Flow: String, Sendable, CaseIterable {
        case clientToGateway = "c2g"
        case gatewayToClient = "g2c"

        public var sender: Role { self == .clientToGateway ? .client : .gateway }
        public var receiver: Role { self == .clientToGateway ? .gateway : .client }

        /// The flows a message type travels in.
        public static func of(_ direction: Direction) -> [Flow] {
            allCases.filter { direction.isSent(by: $0.sender) }
        }
    }

    /// Checks of the session itself rather than of one message type.
    public static let session = "session"
    /// Frames the runner corrupts on purpose, at each rule's boundary (BadInputs.swift).
    public static let badInput = "bad-input"

    public static func cellPrefix(client: String, gateway: String) -> String { "client=\(client)/gateway=\(gateway)/" }

    public static func make(client: String, gateway: String, subject: String, flow: Flow?, _ what: String) -> String {
        cellPrefix(client: client, gateway: gateway) + subject + "/" + (flow.map { $0.rawValue + "/" } ?? "") + what
    }

    /// The message type a check is about, when it is about one (the first component that names no peer).
    public static func subject(of name: String) -> String? {
        // After the `client=…`, `gateway=…` or `fleet=…` components.
        name.split(separator: "/").first { !$0.contains("=") }.map(String.init)
    }
}

/// Which checks a run includes: `--run` patterns over full names and `--message` types.
public struct CheckSelection: Sendable {
    public var patterns: [Glob]
    public var messages: Set<String>

    public init(patterns: [String] = [], messages: [String] = []) {
        self.patterns = patterns.map(Glob.init)
        self.messages = Set(messages)
    }

    public func includes(_ name: String) -> Bool {
        if !messages.isEmpty, !messages.contains(CheckName.subject(of: name) ?? "") { return false }
        return patterns.isEmpty || patterns.contains { $0.matches(name) }
    }
}
