// The reference gateway's behaviour, written once (PROTOCOL.md, "Reference gateway behaviour":
// G1–G4, answered in auto mode; and S4's Heartbeat echo, in every mode). The peers answer with
// these rules and the runner's checks expect what they answer: a session's state is an
// OrderBook value, and an answer is a function of the request, that book and the session's N.

/// A session's order book (S1): the orders open under their clOrdIds, each with its orderId and
/// symbol, and the session's own orderId counter. A session that starts over (S2) has a new one.
public struct OrderBook: Sendable {
    public struct Order: Sendable, Hashable {
        public var orderId: UInt64
        public var symbol: String

        public init(orderId: UInt64, symbol: String) {
            self.orderId = orderId
            self.symbol = symbol
        }
    }

    /// The orderId the session's next new order gets (G1, G3).
    public private(set) var nextOrderId: UInt64
    private var open = OpenOrders()

    /// A new session's book: nothing open, and the counter at 1 (G1).
    public init() { self.init(nextOrderId: 1) }

    /// A book with nothing open whose counter stands at `nextOrderId`: a session whose earlier
    /// orders are not known, only the orderId the gateway gives next.
    public init(nextOrderId: UInt64) { self.nextOrderId = nextOrderId }

    /// How many orders are open.
    public var count: Int { open.count }

    /// The order open under `clOrdId`, if any.
    public subscript(clOrdId: UInt64) -> Order? {
        // A copy of the book's handles, not of its orders: the lookup only moves its page cache.
        var open = open
        return open[clOrdId]
    }

    /// G1: opens an order under `clOrdId` with the next orderId; returns that orderId.
    fileprivate mutating func place(_ clOrdId: UInt64, symbol: String) -> UInt64 {
        let orderId = nextOrderId
        nextOrderId &+= 1
        open[clOrdId] = Order(orderId: orderId, symbol: symbol)
        return orderId
    }

    /// G2: closes the order open under `clOrdId`; false when there is none.
    fileprivate mutating func cancel(_ clOrdId: UInt64) -> Bool {
        open.removeValue(forKey: clOrdId) != nil
    }

    /// G3: the order open under `origClOrdId` is now open under `clOrdId` with its orderId and
    /// symbol; with none open there, a new order (without a symbol) is. Returns its orderId.
    fileprivate mutating func replace(_ origClOrdId: UInt64, with clOrdId: UInt64) -> UInt64 {
        guard let original = open.removeValue(forKey: origClOrdId) else { return place(clOrdId, symbol: "") }
        open[clOrdId] = original
        return original.orderId
    }

    /// G4: closes every open order, or those of `symbol`; returns how many.
    fileprivate mutating func cancelAll(symbol: String?) -> Int {
        guard let symbol else { return open.removeAll { _ in true } }
        return open.removeAll { $0.symbol == symbol }
    }
}

/// The rules by which the reference gateway answers a logged-on session, looked up in a schema
/// once (field positions, enum values, the answers as templates) rather than by name for every
/// message.
public struct ReferenceGateway: Sendable {
    /// The requests the rules answer, each by its rule.
    public enum Request: String, Sendable, CaseIterable {
        case newOrder = "NewOrder"
        case cancelOrder = "CancelOrder"
        case modifyOrder = "ModifyOrder"
        case massCancel = "MassCancel"
        case heartbeat = "Heartbeat"

        /// The rule that answers it.
        public var rule: String {
            switch self {
            case .newOrder: "G1"
            case .cancelOrder: "G2"
            case .modifyOrder: "G3"
            case .massCancel: "G4"
            case .heartbeat: "S4"
            }
        }

        /// An order request, answered in auto mode only (G1–G4, P6); a Heartbeat is answered in every mode (S4).
        public var isOrderRequest: Bool {
            switch self {
            case .newOrder, .cancelOrder, .modifyOrder, .massCancel: true
            case .heartbeat: false
            }
        }

        /// The type it is answered with when the order it names is open (a CancelOrder of any
        /// other order is answered with a Reject, G2).
        public var answerTypeName: String {
            switch self {
            case .newOrder, .modifyOrder: "OrderAck"
            case .cancelOrder: "CancelAck"
            case .massCancel: "MassCancelAck"
            case .heartbeat: "Heartbeat"
            }
        }
    }

    /// A request type and where the fields the rules read are among its logical fields.
    private struct RequestFields: Sendable {
        let request: Request
        let clOrdId: Int?
        let origClOrdId: Int?
        let symbol: Int?
        let scope: Int?
    }

    /// An answer type: one message, filled in place for every answer (which then allocates
    /// nothing while the caller lets go of the last one), and the fields the rules set.
    private struct Answer: Sendable {
        private var message: Message
        /// Set by `filled`, in its order: position, since and default of each.
        private let positions: [Int]
        private let since: [Int]
        private let defaults: [FieldValue]
        /// The fields the rule decides, in the order a check compares them.
        let decided: [String]

        var type: MessageSchema { message.type }

        init?(_ type: MessageSchema?, setting names: [String], deciding decided: [String]) {
            guard let type else { return nil }
            var positions: [Int] = []
            for name in names {
                guard let index = type.logicalFieldIndex(named: name) else { return nil }
                positions.append(index)
            }
            message = Message(type)
            self.positions = positions
            since = positions.map { type.logicalFields[$0].since }
            defaults = positions.map { type.logicalFields[$0].defaultValue }
            self.decided = decided
        }

        /// The answer at `version` with the fields named at init set to the values given, in
        /// that order: a field newer than `version` at its default (E1), every other at its
        /// default too. Values one by one, not variadic: a variadic call allocates its array.
        mutating func filled(
            at version: Int, _ first: FieldValue, _ second: FieldValue, _ third: FieldValue? = nil, _ fourth: FieldValue? = nil
        ) -> Message {
            assert(positions.count == 2 + (third == nil ? 0 : 1) + (fourth == nil ? 0 : 1), "one value for each field named at init")
            set(0, first, at: version)
            set(1, second, at: version)
            if let third { set(2, third, at: version) }
            if let fourth { set(3, fourth, at: version) }
            return message
        }

        private mutating func set(_ index: Int, _ value: FieldValue, at version: Int) {
            message.values[positions[index]] = since[index] <= version ? value : defaults[index]
        }
    }

    /// The requests, indexed by template id; a type the rules do not answer has none.
    private let requests: [RequestFields?]
    private var orderAck: Answer?
    private var cancelAck: Answer?
    private var unknownOrder: Answer?
    private var massCancelAck: Answer?
    private let statusNew: FieldValue
    private let statusReplaced: FieldValue
    private let unknownOrderCode: FieldValue
    private let scopeSymbol: FieldValue?
    /// The fields each answer type's rule decides, by template id.
    private let decided: [UInt16: [String]]

    /// The rules over `schema`. A request whose type, or whose answers' types, the schema lacks
    /// is not answered.
    public init(schema: Schema = .tgp) {
        let orderAck = Answer(
            schema.message(named: "OrderAck"), setting: ["clOrdId", "orderId", "status", "transactTime"],
            deciding: ["clOrdId", "orderId", "status"])
        let cancelAck = Answer(
            schema.message(named: "CancelAck"), setting: ["clOrdId", "origClOrdId", "transactTime"], deciding: ["clOrdId", "origClOrdId"])
        // RJ2: an application Reject names the request's clOrdId; RJ1: its template.
        let unknownOrder = Answer(
            schema.message(named: "Reject"), setting: ["refTemplateId", "code", "refClOrdId", "text"],
            deciding: ["code", "refTemplateId", "refClOrdId"])
        let massCancelAck = Answer(
            schema.message(named: "MassCancelAck"), setting: ["clOrdId", "cancelledCount"], deciding: ["clOrdId", "cancelledCount"])
        statusNew = orderAck?.type.enumValue("New", of: "status") ?? .unsigned(0)
        statusReplaced = orderAck?.type.enumValue("Replaced", of: "status") ?? .unsigned(1)
        unknownOrderCode = unknownOrder?.type.enumValue("UnknownOrder", of: "code") ?? .unsigned(UInt64(RejectCode.unknownOrder.rawValue))
        scopeSymbol = schema.message(named: "MassCancel")?.enumValue("Symbol", of: "scope")

        var decided: [UInt16: [String]] = [:]
        for answer in [orderAck, cancelAck, unknownOrder, massCancelAck] {
            if let answer { decided[answer.type.templateId] = answer.decided }
        }
        var requests = [RequestFields?](repeating: nil, count: Int(schema.messages.map(\.templateId).max() ?? 0) + 1)
        for request in Request.allCases {
            guard let type = schema.message(named: request.rawValue) else { continue }
            let answered: Bool
            switch request {
            case .newOrder, .modifyOrder: answered = orderAck != nil
            case .cancelOrder: answered = cancelAck != nil && unknownOrder != nil
            case .massCancel: answered = massCancelAck != nil
            case .heartbeat:
                // S4: the echo, with every field the session's N has.
                answered = true
                decided[type.templateId] = type.logicalFields.map(\.name)
            }
            guard answered else { continue }
            requests[Int(type.templateId)] = RequestFields(
                request: request, clOrdId: type.logicalFieldIndex(named: "clOrdId"),
                origClOrdId: type.logicalFieldIndex(named: "origClOrdId"), symbol: type.logicalFieldIndex(named: "symbol"),
                scope: type.logicalFieldIndex(named: "scope"))
        }
        self.requests = requests
        self.decided = decided
        self.orderAck = orderAck
        self.cancelAck = cancelAck
        self.unknownOrder = unknownOrder
        self.massCancelAck = massCancelAck
    }

    private func fields(of templateId: UInt16) -> RequestFields? {
        Int(templateId) < requests.count ? requests[Int(templateId)] : nil
    }

    /// The rule a message of `type` is answered by; nil for every type the rules do not answer:
    /// a Reject (never answered, RJ3), the session's own Logon and Logout (N1, N2, S4) and every
    /// type a gateway sends.
    public func request(of type: MessageSchema) -> Request? {
        fields(of: type.templateId)?.request
    }

    /// The answer of a logged-on session at version N to `request`, and the session's book
    /// after it; nil (the book as it was) when no rule answers its type (`request(of:)`).
    /// The answer is at N: the fields N does not have are at their defaults (E1).
    /// `transactTime`, which no rule names, is the gateway's choice. Mutating only to fill its
    /// answers in place: nothing of one answer carries over to the next.
    public mutating func answer(to request: Message, in book: inout OrderBook, at version: Int, transactTime: UInt64 = 0) -> Message? {
        guard let fields = fields(of: request.type.templateId) else { return nil }
        func u64(_ index: Int?) -> UInt64 {
            if let index, case .unsigned(let value) = request.values[index] { value } else { 0 }
        }
        func text(_ index: Int?) -> String {
            if let index, case .text(let value) = request.values[index] { value } else { "" }
        }
        let clOrdId = u64(fields.clOrdId)
        let now = FieldValue.unsigned(transactTime)
        switch fields.request {
        case .newOrder:
            let orderId = book.place(clOrdId, symbol: text(fields.symbol))
            return orderAck!.filled(at: version, .unsigned(clOrdId), .unsigned(orderId), statusNew, now)
        case .cancelOrder:
            let origClOrdId = u64(fields.origClOrdId)
            guard book.cancel(origClOrdId) else {
                return unknownOrder!.filled(
                    at: version, .unsigned(UInt64(request.type.templateId)), unknownOrderCode, .unsigned(clOrdId),
                    .text("no open order with clOrdId \(origClOrdId)"))
            }
            return cancelAck!.filled(at: version, .unsigned(clOrdId), .unsigned(origClOrdId), now)
        case .modifyOrder:
            let orderId = book.replace(u64(fields.origClOrdId), with: clOrdId)
            return orderAck!.filled(at: version, .unsigned(clOrdId), .unsigned(orderId), statusReplaced, now)
        case .massCancel:
            var bySymbol = false
            if let scope = fields.scope, let scopeSymbol { bySymbol = request.values[scope] == scopeSymbol }
            let cancelled = book.cancelAll(symbol: bySymbol ? text(fields.symbol) : nil)
            return massCancelAck!.filled(at: version, .unsigned(clOrdId), .unsigned(UInt64(cancelled)))
        case .heartbeat:
            return request.projected(onto: version)
        }
    }

    /// The fields of an answer of `type` its rule decides, in the order a check compares them;
    /// the others (transactTime, a Reject's text) are the gateway's choice. Empty for a type
    /// that is no answer of the rules.
    public func decidedFields(of type: MessageSchema) -> [String] {
        decided[type.templateId] ?? []
    }
}
