// The reference gateway behaviour of auto mode (G1–G4), every answer at N (E1), the Heartbeat
// echo (S4), and a second Logon starting the session over (S2). Each check stands alone: it
// places its own orders. The answer each request must get is the one TGP's ReferenceGateway
// gives, the rules the peers answer with, applied to the orders the check placed.

import MiniJSON
import PeerContract
import TGP

/// The checks of the reference family. A plan's reference step carries one, and the executor
/// runs each by a switch without a default: a check without code behind it does not compile.
enum ReferenceCheck: Sendable, CaseIterable {
    case ack, cancel, unknownOrder, replace, massCancel, echo, relogon
}

/// The gateway's session as the rules see it: the orders a check placed in it, and what the
/// rules answer the check's next request.
private struct ReferenceSession {
    var rules: ReferenceGateway
    var book = OrderBook()
    let version: Int

    init(schema: Schema, version: Int) {
        rules = ReferenceGateway(schema: schema)
        self.version = version
    }

    mutating func answer(to request: Message) -> Message? {
        rules.answer(to: request, in: &book, at: version)
    }

    /// S2: a new Logon starts a new session, with a new book.
    mutating func startOver() { book = OrderBook() }
}

extension CellExecutor {
    func reference(_ check: ReferenceCheck) throws(CellAbort) -> CheckFailure? {
        var gateway = ReferenceSession(schema: schema, version: negotiated)
        switch check {
        case .ack:
            // A fresh session: its orderId counter starts at 1 (G1).
            try logOnAgain()
            gateway.startOver()
            return try exchange(order(5001, "ACME"), &gateway).failure
        case .cancel:
            try sendAhead([order(5011, "ACME"), cancel(5002, of: 5011)])
            if let failure = try exchange(order(5011, "ACME"), &gateway, checking: ["clOrdId"]).failure { return failure }
            return try exchange(cancel(5002, of: 5011), &gateway).failure
        case .unknownOrder:
            return try exchange(cancel(5003, of: 999_999), &gateway, rule: "G2, RJ2").failure
        case .replace: return try referenceReplace(&gateway)
        case .massCancel: return try referenceMassCancel(&gateway)
        case .echo: return try exchange(samples(of: "Heartbeat"), &gateway).failure
        case .relogon: return try relogon(&gateway)
        }
    }

    /// G3: the order keeps its orderId under the new clOrdId; an unknown origClOrdId opens a new order.
    private func referenceReplace(_ gateway: inout ReferenceSession) throws(CellAbort) -> CheckFailure? {
        let placing = order(5004, "ACME")
        try sendAhead([placing, modify(5005, of: 5004), cancel(5006, of: 5005), modify(5007, of: 888_888)])
        let (placed, placeFailure) = try exchange(placing, &gateway, checking: ["clOrdId"])
        if let placeFailure { return placeFailure }
        // The session's earlier orders are not known here, only the orderId the gateway gave:
        // from it on, the book is the rules' own.
        gateway.book = OrderBook(nextOrderId: UInt64(placed["fields"]?["orderId"]?.stringValue ?? "") ?? 0)
        _ = gateway.answer(to: placing)
        if let failure = try exchange(modify(5005, of: 5004), &gateway).failure { return failure }
        // The order now lives under 5005: cancelling it there succeeds.
        if let failure = try exchange(cancel(5006, of: 5005), &gateway, checking: ["origClOrdId"], rule: "G3").failure { return failure }
        return try exchange(modify(5007, of: 888_888), &gateway).failure
    }

    /// G4: scope Symbol closes that symbol's orders, scope All the rest; each count is exact.
    private func referenceMassCancel(_ gateway: inout ReferenceSession) throws(CellAbort) -> CheckFailure? {
        // A fresh session, so the open orders are exactly the three placed here.
        try logOnAgain()
        gateway.startOver()
        let orders = [(6001 as UInt64, "ACME"), (6002, "ACME"), (6003, "BETA")].map { order($0, $1) }
        let massCancel = schema.message(named: "MassCancel")!
        var bySymbol = samples(of: "MassCancel")
        bySymbol["clOrdId"] = .unsigned(6004)
        bySymbol["scope"] = massCancel.enumValue("Symbol", of: "scope")
        bySymbol["symbol"] = .text("ACME")
        var all = bySymbol
        all["clOrdId"] = .unsigned(6005)
        all["scope"] = massCancel.enumValue("All", of: "scope")
        try sendAhead(orders + [bySymbol, all])
        for order in orders {
            if let failure = try exchange(order, &gateway, checking: ["clOrdId"]).failure { return failure }
        }
        if let failure = try exchange(bySymbol, &gateway).failure { return failure }
        return try exchange(all, &gateway).failure
    }

    /// S2: a Logon on a logged-on connection starts over: open orders are dropped, orderIds restart at 1.
    private func relogon(_ gateway: inout ReferenceSession) throws(CellAbort) -> CheckFailure? {
        if let failure = try exchange(order(7001, "ACME"), &gateway, checking: ["clOrdId"]).failure { return failure }
        try logOnAgain()
        gateway.startOver()
        try sendAhead([cancel(7002, of: 7001), order(7003, "ACME")])
        if let failure = try exchange(cancel(7002, of: 7001), &gateway, checking: ["code", "refClOrdId"], rule: "S2").failure {
            return failure
        }
        return try exchange(order(7003, "ACME"), &gateway, checking: ["clOrdId", "orderId"], rule: "S2").failure
    }

    // MARK: Requests and answers

    /// Writes a check's requests in one go: the gateway answers them in order, so each
    /// `exchange` still takes its own answer, without a round trip each.
    private func sendAhead(_ requests: [Message]) throws(CellAbort) {
        try issueAhead(.client, requests.map(sendAtN))
    }

    private func samples(of typeName: String) -> Message {
        samples[schema.message(named: typeName)!].sample.projected(onto: negotiated)
    }

    private func order(_ clOrdId: UInt64, _ symbol: String) -> Message {
        var message = samples(of: "NewOrder")
        message["clOrdId"] = .unsigned(clOrdId)
        message["symbol"] = .text(symbol)
        return message
    }

    private func cancel(_ clOrdId: UInt64, of origClOrdId: UInt64) -> Message {
        var message = samples(of: "CancelOrder")
        message["clOrdId"] = .unsigned(clOrdId)
        message["origClOrdId"] = .unsigned(origClOrdId)
        return message
    }

    private func modify(_ clOrdId: UInt64, of origClOrdId: UInt64) -> Message {
        var message = samples(of: "ModifyOrder")
        message["clOrdId"] = .unsigned(clOrdId)
        message["origClOrdId"] = .unsigned(origClOrdId)
        return message
    }

    /// Sends from the client and returns the gateway's answer as the client received it, checked to be at N (E1).
    private func exchange(_ message: Message) throws(CellAbort) -> (fields: JSON, failure: CheckFailure?) {
        let answer = try command(.client, sendAtN(message))
        guard case .sent = answer.kind else {
            return (.null, CheckFailure("\(message.type.name) was not sent", actual: answer.json.serialized))
        }
        // The reference gateway's answer to a Heartbeat is its echo (S4), of one kind with the others.
        let reply = try session.awaitInbound(
            .client, what: "the gateway's answer to \(message.type.name)", owed: .answer,
            kind: message.type.name == "Heartbeat" ? Self.heartbeatEcho : nil)
        guard case .received(let json, let version, let bytes) = reply.kind else {
            return (.null, CheckFailure("the client refused the gateway's answer", actual: reply.json.serialized))
        }
        if version != negotiated {
            return (
                .null,
                CheckFailure(
                    "answers are encoded at N (E1)", field: "version", expected: "\(negotiated)", actual: "\(version)", receivedFrame: bytes
                )
            )
        }
        let type = json["type"]?.stringValue ?? ""
        if let replyType = schema.message(named: type), let failure = checkHeader(bytes, type: replyType, version: negotiated) {
            return (.null, failure)
        }
        return (json, nil)
    }

    /// Sends `request` and checks the gateway's answer is the rules' answer to it in `gateway`'s
    /// session: its type, and the fields its rule decides (or only `fields`), as the client at
    /// N reports them. `rule` names what the check enforces; by default the request's rule.
    private func exchange(
        _ request: Message, _ gateway: inout ReferenceSession, checking fields: [String]? = nil, rule: String? = nil
    ) throws(CellAbort) -> (fields: JSON, failure: CheckFailure?) {
        guard let expected = gateway.answer(to: request), let requestRule = gateway.rules.request(of: request.type)?.rule else {
            return (.null, CheckFailure("no rule of the reference gateway answers \(request.type.name) in this schema"))
        }
        let expectedFields = expected.json(knownAt: negotiated)["fields"]
        let values = (fields ?? gateway.rules.decidedFields(of: expected.type)).compactMap { name in
            expectedFields?[name].map { (name, $0.stringValue ?? $0.serialized) }
        }
        let (json, failure) = try exchange(request)
        return (json, failure ?? expect(json, expected.type.name, values, rule: rule ?? requestRule))
    }

    private func expect(_ json: JSON, _ type: String, _ fields: [(String, String)], rule: String) -> CheckFailure? {
        if json["type"]?.stringValue != type {
            return CheckFailure(
                "the gateway answers with \(type) (\(rule))", field: "type", expected: type, actual: json["type"]?.serialized ?? "none")
        }
        for (name, value) in fields where json["fields"]?[name]?.stringValue ?? json["fields"]?[name]?.serialized != value {
            return CheckFailure(
                "\(type).\(name) of the reference answer (\(rule))", field: "\(type).\(name)", expected: value,
                actual: json["fields"]?[name]?.serialized ?? "missing")
        }
        return nil
    }
}
