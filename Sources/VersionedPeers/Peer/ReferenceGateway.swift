// The gateway's sessions and the reference behaviour of auto mode (PROTOCOL.md,
// "Reference gateway behaviour"): an order book per session, answers built from the schema.

import TGP

#if canImport(Glibc)
    import Glibc
#endif

struct GatewaySession {
    let sessionId: UInt64
    /// The negotiated version N.
    let version: Int
    var nextOrderId: UInt64 = 1
    /// Open orders by clOrdId.
    var openOrders = OpenOrders()
}

struct GatewayState {
    let vocabulary: ReferenceVocabulary
    var autoMode = true
    /// Logged-on sessions by ROUTER identity.
    private(set) var sessions: [[UInt8]: GatewaySession] = [:]
    private var nextSessionId: UInt64 = 1
    /// Identities in the order they were last heard from, most recent last.
    private var recentIdentities: [[UInt8]] = []
    /// Identities in the order they logged on, most recent last.
    private var logonOrder: [[UInt8]] = []
    /// The last identity looked up in `sessions` and what it found: most frames come from the
    /// same client as the frame before, and comparing a few bytes is cheaper than hashing them. Cleared whenever
    /// `sessions` gains or loses a session (which moves its indices).
    private var lastIdentity: [UInt8]?
    private var lastSession: (index: SessionIndex, version: Int)?

    typealias SessionIndex = Dictionary<[UInt8], GatewaySession>.Index

    init(schema: Schema) {
        vocabulary = ReferenceVocabulary(schema: schema)
    }

    mutating func noteActivity(_ identity: [UInt8]) {
        if recentIdentities.last == identity { return }
        recentIdentities.removeAll { $0 == identity }
        recentIdentities.append(identity)
        if recentIdentities.count > 1024 { recentIdentities.removeFirst() }
    }

    mutating func logOn(_ identity: [UInt8], version: Int) -> GatewaySession {
        let session = GatewaySession(sessionId: nextSessionId, version: version)
        nextSessionId += 1
        sessions[identity] = session
        lastIdentity = nil
        logonOrder.removeAll { $0 == identity }
        logonOrder.append(identity)
        return session
    }

    mutating func end(_ identity: [UInt8]) {
        sessions[identity] = nil
        lastIdentity = nil
        logonOrder.removeAll { $0 == identity }
    }

    /// Where the session of `identity` is in `sessions` and its negotiated version, nil when it has none.
    mutating func session(of identity: [UInt8]) -> (index: SessionIndex, version: Int)? {
        if lastIdentity == identity { return lastSession }
        // The bytes copied: holding the caller's array would make its next refill copy it.
        lastIdentity = identity.withUnsafeBufferPointer { Array($0) }
        lastSession = sessions.index(forKey: identity).map { ($0, sessions[$0].value.version) }
        return lastSession
    }

    /// The session a `send` goes to: the named one, else the one most recently logged on.
    func loggedOnIdentity(named sessionId: String?) -> [UInt8]? {
        guard let sessionId else { return logonOrder.last }
        return sessions.first { String($0.value.sessionId) == sessionId }?.key
    }

    /// Where a `send_raw` goes: the named session, else the client heard from last, logged on or not.
    func rawTarget(named sessionId: String?) -> [UInt8]? {
        guard let sessionId else { return recentIdentities.last }
        return loggedOnIdentity(named: sessionId)
    }

    /// Auto mode: the answer to an application message of the logged-on session at `session`
    /// (an index of `sessions`), if it has one.
    mutating func referenceAnswer(to message: Message, in session: SessionIndex) -> Message? {
        guard let request = vocabulary.request(message.type.templateId) else { return nil }
        // In place: the order book is not copied.
        return sessions.values[session].answer(message, request, vocabulary)
    }
}

extension GatewaySession {
    fileprivate mutating func answer(_ message: Message, _ kind: ReferenceVocabulary.RequestFields, _ v: ReferenceVocabulary) -> Message {
        func u64(_ index: Int?) -> UInt64 { index.flatMap { message.values[$0].unsignedValue } ?? 0 }
        func text(_ index: Int?) -> String { if let index, case .text(let value) = message.values[index] { value } else { "" } }
        let clOrdId = u64(kind.clOrdId)
        let origClOrdId = u64(kind.origClOrdId)
        let now = FieldValue.unsigned(Self.transactTime())

        switch kind.request {
        case .newOrder:
            let orderId = nextOrderId
            nextOrderId += 1
            openOrders[clOrdId] = .init(orderId: orderId, symbol: text(kind.symbol))
            return v.orderAck.filled(.unsigned(clOrdId), .unsigned(orderId), v.statusNew, now)
        case .cancelOrder:
            guard openOrders.removeValue(forKey: origClOrdId) != nil else {
                return v.reject.filled(
                    .unsigned(UInt64(message.type.templateId)), v.unknownOrder, .unsigned(clOrdId),
                    .text("no open order with clOrdId \(origClOrdId)"))
            }
            return v.cancelAck.filled(.unsigned(clOrdId), .unsigned(origClOrdId), now)
        case .modifyOrder:
            let original = openOrders.removeValue(forKey: origClOrdId)
            let orderId = original?.orderId ?? nextOrderId
            if original == nil { nextOrderId += 1 }
            openOrders[clOrdId] = .init(orderId: orderId, symbol: original?.symbol ?? "")
            return v.orderAck.filled(.unsigned(clOrdId), .unsigned(orderId), v.statusReplaced, now)
        case .massCancel:
            let bySymbol = kind.scope.map { message.values[$0] } == v.scopeSymbol
            let symbol = text(kind.symbol)
            let cancelled = openOrders.removeAll { !bySymbol || $0.symbol == symbol }
            return v.massCancelAck.filled(.unsigned(clOrdId), .unsigned(UInt64(cancelled)))
        }
    }

    private static func transactTime() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}

/// What the reference behaviour reads and writes, looked up in the schema once rather than by
/// name for every message: the requests it answers, and the answers as filled-in templates.
struct ReferenceVocabulary {
    enum Request { case newOrder, cancelOrder, modifyOrder, massCancel }

    /// A request type and where its fields are among its logical fields.
    struct RequestFields {
        let request: Request
        let clOrdId: Int?
        let origClOrdId: Int?
        let symbol: Int?
        let scope: Int?
    }

    /// An answer type, and the positions of the fields the behaviour sets. A class: its one
    /// message is filled in place for every answer, which then allocates nothing.
    final class Answer {
        /// The last answer given; the fields not at `positions` stay at their defaults.
        private var message: Message
        let positions: [Int]

        var type: MessageSchema { message.type }

        init(_ type: MessageSchema, setting names: [String]) {
            message = Message(type)
            positions = names.map { type.logicalFieldIndex(named: $0)! }
        }

        /// The answer with the fields named at init set to `values`, in that order.
        func filled(_ values: FieldValue...) -> Message {
            for index in positions.indices { message.values[positions[index]] = values[index] }
            return message
        }
    }

    /// Indexed by template id.
    private let requests: [RequestFields?]
    let orderAck: Answer
    let cancelAck: Answer
    let reject: Answer
    let massCancelAck: Answer
    let statusNew: FieldValue
    let statusReplaced: FieldValue
    let unknownOrder: FieldValue
    let scopeSymbol: FieldValue?

    init(schema: Schema) {
        func answer(_ name: String, _ fields: [String]) -> Answer { Answer(schema.message(named: name)!, setting: fields) }
        orderAck = answer("OrderAck", ["clOrdId", "orderId", "status", "transactTime"])
        cancelAck = answer("CancelAck", ["clOrdId", "origClOrdId", "transactTime"])
        reject = answer("Reject", ["refTemplateId", "code", "refClOrdId", "text"])
        massCancelAck = answer("MassCancelAck", ["clOrdId", "cancelledCount"])
        statusNew = orderAck.type.enumValue("New", of: "status")!
        statusReplaced = orderAck.type.enumValue("Replaced", of: "status")!
        unknownOrder = reject.type.enumValue("UnknownOrder", of: "code")!
        var requests = [RequestFields?](repeating: nil, count: Int(schema.messages.map(\.templateId).max() ?? 0) + 1)
        var scopeSymbol: FieldValue?
        for (name, request) in [
            ("NewOrder", Request.newOrder), ("CancelOrder", .cancelOrder), ("ModifyOrder", .modifyOrder), ("MassCancel", .massCancel),
        ] {
            guard let type = schema.message(named: name) else { continue }
            if request == .massCancel { scopeSymbol = type.enumValue("Symbol", of: "scope") }
            requests[Int(type.templateId)] = RequestFields(
                request: request, clOrdId: type.logicalFieldIndex(named: "clOrdId"),
                origClOrdId: type.logicalFieldIndex(named: "origClOrdId"),
                symbol: type.logicalFieldIndex(named: "symbol"), scope: type.logicalFieldIndex(named: "scope"))
        }
        self.requests = requests
        self.scopeSymbol = scopeSymbol
    }

    func request(_ templateId: UInt16) -> RequestFields? {
        Int(templateId) < requests.count ? requests[Int(templateId)] : nil
    }
}
