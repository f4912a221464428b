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
}

/// A check's identity as values — where it runs, what it is about, which way, what it does —
/// rendered once to its stable name. Code that needs a part asks the value, never the name.
public struct CheckID: Sendable, Hashable {
    /// Where a check runs.
    public enum Scope: Sendable, Hashable {
        /// A cell of two peers.
        case cell(client: String, gateway: String)
        /// A fleet or upgrade (`fleet=v5`, `upgrade=v4-v5`, `upgrade=v3-v4/side=client/gateway=v5`),
        /// one member's session (`client=v3#2`) or, without a member, the scenario as a whole.
        case scenario(String, member: String?)
    }

    public let scope: Scope
    /// The message type it is about, `session`, `bad-input`; nil for a check of a member as a whole (`cut-off`).
    public let subject: String?
    public let flow: CheckName.Flow?
    public let what: String
    /// `client=v3/gateway=v5/NewOrder/c2g/edge-wide-quantity`: reports, `--run`, knownFailures and the reproducer use it.
    public let name: String

    public init(_ scope: Scope, _ subject: String?, _ flow: CheckName.Flow?, _ what: String) {
        self.scope = scope
        self.subject = subject
        self.flow = flow
        self.what = what
        let prefix =
            switch scope {
            case .cell(let client, let gateway): CheckName.cellPrefix(client: client, gateway: gateway)
            case .scenario(let scenario, let member): scenario + "/" + (member.map { "client=\($0)/" } ?? "")
            }
        name = prefix + [subject, flow?.rawValue, what].compactMap { $0 }.joined(separator: "/")
    }

    /// The message type it is about: its subject, unless that is the session or bad input.
    public var messageType: String? { subject == CheckName.session || subject == CheckName.badInput ? nil : subject }

    /// The fleet member whose session it checks (`v3#2`), if any.
    public var member: String? { if case .scenario(_, let member) = scope { member } else { nil } }
}

/// Which checks a run includes: `--run` patterns over full names and `--message` types.
public struct CheckSelection: Sendable {
    public var patterns: [Glob]
    public var messages: Set<String>

    public init(patterns: [String] = [], messages: [String] = []) {
        self.patterns = patterns.map(Glob.init)
        self.messages = Set(messages)
    }

    public func includes(_ check: CheckID) -> Bool {
        if !messages.isEmpty, !messages.contains(check.subject ?? "") { return false }
        return patterns.isEmpty || patterns.contains { Self.matches($0, check.name) }
    }

    /// A pattern names the whole check (`client=v3/gateway=v5/NewOrder/*`) or, as a knownFailures
    /// entry may, the part after its cell (`NewOrder/*`), which then matches in every cell.
    static func matches(_ pattern: Glob, _ name: String) -> Bool {
        if pattern.matches(name) { return true }
        guard !pattern.pattern.hasPrefix("client="), name.hasPrefix("client=") else { return false }
        let parts = name.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        return parts.count == 3 && pattern.matches(String(parts[2]))
    }
}
