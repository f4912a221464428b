// What compat notes in a captured frame's comment beyond the frame itself: how the runner drove
// the gateway when it passed, and how the gateway reported reading a client's frame. A replay
// reads these back, so each is written and parsed here only.

/// Marks in a packet's comment that say how the runner drove the gateway when the frame passed.
public enum CaptureMark: String, CaseIterable, Sendable {
    /// Sent by the gateway because the runner told it to (`send`), not an answer of its own.
    case commanded = "compat:commanded"
    /// Passed while the gateway was in controlled mode (P6): it answered session-level traffic only.
    case controlled = "compat:controlled"

    var explanation: String {
        switch self {
        case .commanded: "sent by the gateway on the runner's command"
        case .controlled: "the gateway was in controlled mode (P6)"
        }
    }

    func comment(_ existing: String?) -> String {
        let mine = "\(rawValue) (\(explanation))"
        return existing.map { "\($0); \(mine)" } ?? mine
    }

    /// Whether a packet's comment carries this mark.
    public func marks(_ comment: String?) -> Bool { comment?.contains(rawValue) ?? false }
}

/// How the gateway reported reading a client's frame (P12, P13), kept in the frame's comment.
public enum GatewayReading: Sendable, Hashable, CustomStringConvertible {
    case received(type: String, version: Int)
    case refused(code: String)

    static let mark = "compat:gateway-read"

    public var description: String {
        switch self {
        case .received(let type, let version): "received \(type) v\(version)"
        case .refused(let code): "refused \(code)"
        }
    }

    func comment(_ existing: String?) -> String {
        let mine = "\(Self.mark) \(self)"
        return existing.map { "\($0); \(mine)" } ?? mine
    }

    /// The reading a packet comment records, nil when it records none.
    public init?(comment: String?) {
        guard let comment, let range = comment.range(of: Self.mark + " ") else { return nil }
        let words = comment[range.upperBound...].prefix { $0 != ";" }.split(separator: " ").map(String.init)
        switch words.first {
        case "received" where words.count == 3: self = .received(type: words[1], version: Int(words[2].dropFirst()) ?? 0)
        case "refused" where words.count == 2: self = .refused(code: words[1])
        default: return nil
        }
    }

    var isRefusal: Bool { if case .refused = self { true } else { false } }

    /// Whether two readings are the same verdict: delivered (whatever the version it decoded at), or refused with one code.
    func sameVerdict(_ other: GatewayReading) -> Bool {
        switch (self, other) {
        case (.received(let a, _), .received(let b, _)): a == b
        case (.refused(let a), .refused(let b)): a == b
        default: false
        }
    }
}
