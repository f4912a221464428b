// The reference gateway behaviour of auto mode (G1–G4), every answer at N (E1), and a second
// Logon starting the session over (S2). Each check stands alone: it places its own orders.

import MiniJSON
import PeerContract
import TGP

extension CellExecutor {
    func reference(_ kind: CheckKind) throws(CellAbort) -> CheckFailure? {
        switch kind {
        case .referenceAck:
            // A fresh session: its orderId counter starts at 1 (G1).
            try logOnAgain()
            let (json, failure) = try exchange(order(5001, "ACME"))
            return failure ?? expect(json, "OrderAck", [("clOrdId", "5001"), ("orderId", "1"), ("status", "New")], rule: "G1")
        case .referenceCancel:
            let (placed, placeFailure) = try exchange(order(5011, "ACME"))
            if let failure = placeFailure ?? expect(placed, "OrderAck", [("clOrdId", "5011")], rule: "G1") { return failure }
            let (json, failure) = try exchange(cancel(5002, of: 5011))
            return failure ?? expect(json, "CancelAck", [("clOrdId", "5002"), ("origClOrdId", "5011")], rule: "G2")
        case .referenceUnknownOrder:
            let (json, failure) = try exchange(cancel(5003, of: 999_999))
            let cancelOrder = schema.message(named: "CancelOrder")!
            return failure
                ?? expect(
                    json, "Reject", [("code", "UnknownOrder"), ("refTemplateId", "\(cancelOrder.templateId)"), ("refClOrdId", "5003")],
                    rule: "G2, RJ2")
        case .referenceReplace: return try referenceReplace()
        case .referenceMassCancel: return try referenceMassCancel()
        case .referenceEcho:
            let heartbeat = samples(of: "Heartbeat")
            let (json, failure) = try exchange(heartbeat)
            let expected =
                heartbeat.json(knownAt: negotiated)["fields"]?.objectValue.map {
                    $0.map { ($0.key, $0.value.stringValue ?? $0.value.serialized) }
                } ?? []
            return failure ?? expect(json, "Heartbeat", expected, rule: "S4")
        case .relogon: return try relogon()
        default: return nil
        }
    }

    /// G3: the order keeps its orderId under the new clOrdId; an unknown origClOrdId opens a new order.
    private func referenceReplace() throws(CellAbort) -> CheckFailure? {
        let (placed, placeFailure) = try exchange(order(5004, "ACME"))
        if let failure = placeFailure ?? expect(placed, "OrderAck", [("clOrdId", "5004")], rule: "G1") { return failure }
        let orderId = placed["fields"]?["orderId"]?.stringValue ?? ""
        let (json, failure) = try exchange(modify(5005, of: 5004))
        if let failure = failure
            ?? expect(json, "OrderAck", [("clOrdId", "5005"), ("orderId", orderId), ("status", "Replaced")], rule: "G3")
        {
            return failure
        }
        // The order now lives under 5005: cancelling it there succeeds.
        let (cancelled, cancelFailure) = try exchange(cancel(5006, of: 5005))
        if let failure = cancelFailure ?? expect(cancelled, "CancelAck", [("origClOrdId", "5005")], rule: "G3") { return failure }
        let (fresh, freshFailure) = try exchange(modify(5007, of: 888_888))
        let next = (UInt64(orderId) ?? 0) + 1
        return freshFailure ?? expect(fresh, "OrderAck", [("clOrdId", "5007"), ("orderId", "\(next)"), ("status", "Replaced")], rule: "G3")
    }

    /// G4: scope Symbol closes that symbol's orders, scope All the rest; each count is exact.
    private func referenceMassCancel() throws(CellAbort) -> CheckFailure? {
        // A fresh session, so the open orders are exactly the three placed here.
        try logOnAgain()
        for (clOrdId, symbol) in [(6001 as UInt64, "ACME"), (6002, "ACME"), (6003, "BETA")] {
            let (json, failure) = try exchange(order(clOrdId, symbol))
            if let failure = failure ?? expect(json, "OrderAck", [("clOrdId", "\(clOrdId)")], rule: "G1") { return failure }
        }
        let massCancel = schema.message(named: "MassCancel")!
        var bySymbol = samples(of: "MassCancel")
        bySymbol["clOrdId"] = .unsigned(6004)
        bySymbol["scope"] = massCancel.enumValue("Symbol", of: "scope")
        bySymbol["symbol"] = .text("ACME")
        let (first, failure) = try exchange(bySymbol)
        if let failure = failure ?? expect(first, "MassCancelAck", [("clOrdId", "6004"), ("cancelledCount", "2")], rule: "G4") {
            return failure
        }
        var all = bySymbol
        all["clOrdId"] = .unsigned(6005)
        all["scope"] = massCancel.enumValue("All", of: "scope")
        let (second, failure2) = try exchange(all)
        return failure2 ?? expect(second, "MassCancelAck", [("clOrdId", "6005"), ("cancelledCount", "1")], rule: "G4")
    }

    /// S2: a Logon on a logged-on connection starts over: open orders are dropped, orderIds restart at 1.
    private func relogon() throws(CellAbort) -> CheckFailure? {
        let (placed, placeFailure) = try exchange(order(7001, "ACME"))
        if let failure = placeFailure ?? expect(placed, "OrderAck", [("clOrdId", "7001")], rule: "G1") { return failure }
        try logOnAgain()
        let (json, failure) = try exchange(cancel(7002, of: 7001))
        if let failure = failure ?? expect(json, "Reject", [("code", "UnknownOrder"), ("refClOrdId", "7002")], rule: "S2") {
            return failure
        }
        let (fresh, freshFailure) = try exchange(order(7003, "ACME"))
        return freshFailure ?? expect(fresh, "OrderAck", [("clOrdId", "7003"), ("orderId", "1")], rule: "S2")
    }

    // MARK: Requests and answers

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
        let answer = try session.request(.client, .send(message: message.json(knownAt: negotiated), session: nil))
        guard case .sent = answer.kind else {
            return (.null, CheckFailure("\(message.type.name) was not sent", actual: answer.json.serialized))
        }
        let reply = try session.awaitInbound(.client, what: "the gateway's answer to \(message.type.name)")
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
