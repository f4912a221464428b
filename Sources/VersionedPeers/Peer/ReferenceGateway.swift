// The gateway's sessions and the reference behaviour of auto mode (PROTOCOL.md,
// "Reference gateway behaviour"): an order book per session, answers built from the schema.

#if canImport(Glibc)
import Glibc
#endif
import TGP

struct GatewaySession {
    let sessionId: UInt64
    /// The negotiated version N.
    let version: Int
    var nextOrderId: UInt64 = 1
    /// Open orders by clOrdId.
    var openOrders: [UInt64: (orderId: UInt64, symbol: String)] = [:]
}

struct GatewayState {
    var autoMode = true
    /// Logged-on sessions by ROUTER identity.
    private(set) var sessions: [[UInt8]: GatewaySession] = [:]
    private var nextSessionId: UInt64 = 1
    /// Identities in the order they were last heard from, most recent last.
    private var recentIdentities: [[UInt8]] = []
    /// Identities in the order they logged on, most recent last.
    private var logonOrder: [[UInt8]] = []

    mutating func noteActivity(_ identity: [UInt8]) {
        recentIdentities.removeAll { $0 == identity }
        recentIdentities.append(identity)
        if recentIdentities.count > 1024 { recentIdentities.removeFirst() }
    }

    mutating func logOn(_ identity: [UInt8], version: Int) -> GatewaySession {
        let session = GatewaySession(sessionId: nextSessionId, version: version)
        nextSessionId += 1
        sessions[identity] = session
        logonOrder.removeAll { $0 == identity }
        logonOrder.append(identity)
        return session
    }

    mutating func end(_ identity: [UInt8]) {
        sessions[identity] = nil
        logonOrder.removeAll { $0 == identity }
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

    /// Auto mode: the answers to an application message of a logged-on session.
    mutating func referenceAnswers(to message: Message, in identity: [UInt8], schema: Schema) -> [Message] {
        // Taken out and put back, so its order book is changed in place rather than copied per message.
        guard var session = sessions.removeValue(forKey: identity) else { return [] }
        defer { sessions[identity] = session }
        func u64(_ name: String) -> UInt64 { message[name]?.unsignedValue ?? 0 }
        func text(_ name: String) -> String { if case .text(let value)? = message[name] { value } else { "" } }
        let now = FieldValue.unsigned(transactTime())

        switch message.type.name {
        case "NewOrder":
            let orderId = session.nextOrderId
            session.nextOrderId += 1
            session.openOrders[u64("clOrdId")] = (orderId, text("symbol"))
            let ack = schema.message(named: "OrderAck")!
            return [Message(ack, [
                "clOrdId": .unsigned(u64("clOrdId")), "orderId": .unsigned(orderId),
                "status": ack.enumValue("New", of: "status")!, "transactTime": now,
            ])]
        case "CancelOrder":
            guard session.openOrders.removeValue(forKey: u64("origClOrdId")) != nil else {
                let reject = schema.message(named: "Reject")!
                return [Message(reject, [
                    "refTemplateId": .unsigned(UInt64(message.type.templateId)),
                    "code": reject.enumValue("UnknownOrder", of: "code")!,
                    "refClOrdId": .unsigned(u64("clOrdId")),
                    "text": .text("no open order with clOrdId \(u64("origClOrdId"))"),
                ])]
            }
            return [Message(schema.message(named: "CancelAck")!, [
                "clOrdId": .unsigned(u64("clOrdId")), "origClOrdId": .unsigned(u64("origClOrdId")), "transactTime": now,
            ])]
        case "ModifyOrder":
            let original = session.openOrders.removeValue(forKey: u64("origClOrdId"))
            let orderId = original?.orderId ?? session.nextOrderId
            if original == nil { session.nextOrderId += 1 }
            session.openOrders[u64("clOrdId")] = (orderId, original?.symbol ?? "")
            let ack = schema.message(named: "OrderAck")!
            return [Message(ack, [
                "clOrdId": .unsigned(u64("clOrdId")), "orderId": .unsigned(orderId),
                "status": ack.enumValue("Replaced", of: "status")!, "transactTime": now,
            ])]
        case "MassCancel":
            let bySymbol = message["scope"] == message.type.enumValue("Symbol", of: "scope")
            let cancelled = session.openOrders.filter { !bySymbol || $0.value.symbol == text("symbol") }.map(\.key)
            for clOrdId in cancelled { session.openOrders[clOrdId] = nil }
            return [Message(schema.message(named: "MassCancelAck")!, [
                "clOrdId": .unsigned(u64("clOrdId")), "cancelledCount": .unsigned(UInt64(cancelled.count)),
            ])]
        default:
            return []
        }
    }

    private func transactTime() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
