// The reference gateway's rules, the one function the peers answer with and the runner expects
// by: G1 (NewOrder), G2 (CancelOrder, an unknown order included), G3 (ModifyOrder), G4
// (MassCancel by All and by Symbol) and S4's Heartbeat echo, each at N (E1), over a session's book.

import Testing

@testable import TGP

@Suite("Reference gateway rules G1–G4 and S4")
struct ReferenceGatewayTests {
    private var rules = ReferenceGateway()

    private func newOrder(_ clOrdId: UInt64, _ symbol: String) -> Message {
        Message(messageType("NewOrder"), ["clOrdId": u(clOrdId), "symbol": t(symbol), "quantity": u(100), "price": i(1_500)])
    }

    private func cancel(_ clOrdId: UInt64, of origClOrdId: UInt64) -> Message {
        Message(messageType("CancelOrder"), ["clOrdId": u(clOrdId), "origClOrdId": u(origClOrdId), "symbol": t("ACME")])
    }

    private func modify(_ clOrdId: UInt64, of origClOrdId: UInt64) -> Message {
        Message(messageType("ModifyOrder"), ["clOrdId": u(clOrdId), "origClOrdId": u(origClOrdId), "quantity": u(5)])
    }

    private func massCancel(_ clOrdId: UInt64, _ scope: String, _ symbol: String = "") -> Message {
        Message(messageType("MassCancel"), ["clOrdId": u(clOrdId), "scope": e("MassCancelScope", scope), "symbol": t(symbol)])
    }

    @Test("G1: OrderAck New with the session's next orderId, from 1; the order is open under its clOrdId")
    mutating func newOrderIsAcknowledged() throws {
        var book = OrderBook()
        let first = try #require(rules.answer(to: newOrder(10, "ACME"), in: &book, at: 5, transactTime: 77))
        #expect(first.type.name == "OrderAck")
        #expect(first["clOrdId"] == u(10) && first["orderId"] == u(1) && first["status"] == e("OrdStatus", "New"))
        #expect(first["transactTime"] == u(77), "the gateway's choice, set where N has it")
        let second = try #require(rules.answer(to: newOrder(11, "BETA"), in: &book, at: 5))
        #expect(second["clOrdId"] == u(11) && second["orderId"] == u(2))
        #expect(book.count == 2 && book.nextOrderId == 3)
        #expect(book[10] == .init(orderId: 1, symbol: "ACME"))
        #expect(book[11] == .init(orderId: 2, symbol: "BETA"))
    }

    @Test("E1: the answer is at N — transactTime (since 2) stays at its default at N = 1")
    mutating func answersAreAtN() throws {
        var book = OrderBook()
        let atOne = try #require(rules.answer(to: newOrder(1, "ACME"), in: &book, at: 1, transactTime: 77))
        #expect(atOne["transactTime"] == u(0))
        #expect(atOne == atOne.projected(onto: 1))
        // The next answer at a newer N carries it again: nothing of one answer carries over.
        let atTwo = try #require(rules.answer(to: newOrder(2, "ACME"), in: &book, at: 2, transactTime: 78))
        #expect(atTwo["transactTime"] == u(78) && atTwo["orderId"] == u(2))
    }

    @Test("S1: each session's book has its own counter and orders")
    mutating func sessionsAreApart() throws {
        var first = OrderBook()
        var second = OrderBook()
        _ = rules.answer(to: newOrder(1, "ACME"), in: &first, at: 5)
        _ = rules.answer(to: newOrder(2, "ACME"), in: &first, at: 5)
        let other = try #require(rules.answer(to: newOrder(1, "ACME"), in: &second, at: 3))
        #expect(other["orderId"] == u(1))
        let cancelled = try #require(rules.answer(to: cancel(3, of: 2), in: &second, at: 3))
        #expect(cancelled.type.name == "Reject", "order 2 is the first session's")
    }

    @Test("G2: CancelOrder of an open order is a CancelAck, and the order is closed")
    mutating func cancelOfAnOpenOrder() throws {
        var book = OrderBook()
        _ = rules.answer(to: newOrder(20, "ACME"), in: &book, at: 4)
        let ack = try #require(rules.answer(to: cancel(21, of: 20), in: &book, at: 4, transactTime: 5))
        #expect(ack.type.name == "CancelAck")
        #expect(ack["clOrdId"] == u(21) && ack["origClOrdId"] == u(20) && ack["transactTime"] == u(5))
        #expect(book.count == 0 && book[20] == nil)
        #expect(book.nextOrderId == 2, "a cancel takes no orderId")
    }

    @Test("G2, RJ1, RJ2: CancelOrder of an unknown order is a Reject UnknownOrder naming the CancelOrder's clOrdId")
    mutating func cancelOfAnUnknownOrder() throws {
        var book = OrderBook()
        _ = rules.answer(to: newOrder(30, "ACME"), in: &book, at: 2)
        _ = rules.answer(to: cancel(31, of: 30), in: &book, at: 2)
        for unknown in [30 as UInt64, 999_999] {
            let reject = try #require(rules.answer(to: cancel(32, of: unknown), in: &book, at: 2))
            #expect(reject.type.name == "Reject")
            #expect(reject["code"] == e("RejectCode", "UnknownOrder"))
            #expect(reject["refClOrdId"] == u(32))
            #expect(reject["refTemplateId"] == u(UInt64(messageType("CancelOrder").templateId)))
        }
        #expect(book.count == 0 && book.nextOrderId == 2)
    }

    @Test("G3: ModifyOrder of an open order keeps its orderId and symbol under the new clOrdId")
    mutating func modifyOfAnOpenOrder() throws {
        var book = OrderBook()
        _ = rules.answer(to: newOrder(40, "ACME"), in: &book, at: 3)
        _ = rules.answer(to: newOrder(41, "BETA"), in: &book, at: 3)
        let replaced = try #require(rules.answer(to: modify(42, of: 40), in: &book, at: 3))
        #expect(replaced.type.name == "OrderAck")
        #expect(replaced["clOrdId"] == u(42) && replaced["orderId"] == u(1) && replaced["status"] == e("OrdStatus", "Replaced"))
        #expect(book[40] == nil && book[42] == .init(orderId: 1, symbol: "ACME"))
        #expect(book.count == 2 && book.nextOrderId == 3)
        // Now open under 42: a cancel there succeeds.
        #expect(rules.answer(to: cancel(43, of: 42), in: &book, at: 3)?.type.name == "CancelAck")
    }

    @Test("G3: ModifyOrder of an order not open opens a new one with the next orderId")
    mutating func modifyOfAnUnknownOrder() throws {
        var book = OrderBook(nextOrderId: 7)
        let fresh = try #require(rules.answer(to: modify(50, of: 888_888), in: &book, at: 5))
        #expect(fresh["clOrdId"] == u(50) && fresh["orderId"] == u(7) && fresh["status"] == e("OrdStatus", "Replaced"))
        #expect(book[50] == .init(orderId: 7, symbol: "") && book.nextOrderId == 8)
    }

    @Test("G4: MassCancel by Symbol closes that symbol's orders, by All the rest; cancelledCount counts them")
    mutating func massCancelBySymbolThenAll() throws {
        var book = OrderBook()
        for (clOrdId, symbol) in [(60 as UInt64, "ACME"), (61, "ACME"), (62, "BETA")] {
            _ = rules.answer(to: newOrder(clOrdId, symbol), in: &book, at: 4)
        }
        let bySymbol = try #require(rules.answer(to: massCancel(63, "Symbol", "ACME"), in: &book, at: 4))
        #expect(bySymbol.type.name == "MassCancelAck")
        #expect(bySymbol["clOrdId"] == u(63) && bySymbol["cancelledCount"] == u(2))
        #expect(book.count == 1 && book[62] != nil)
        let none = try #require(rules.answer(to: massCancel(64, "Symbol", "ZETA"), in: &book, at: 4))
        #expect(none["cancelledCount"] == u(0) && book.count == 1)
        let all = try #require(rules.answer(to: massCancel(65, "All", "ACME"), in: &book, at: 4))
        #expect(all["clOrdId"] == u(65) && all["cancelledCount"] == u(1), "All ignores the symbol")
        #expect(book.count == 0)
        #expect(rules.answer(to: massCancel(66, "All"), in: &book, at: 5)?["cancelledCount"] == u(0))
    }

    @Test("S4: a Heartbeat is echoed with the fields N has; the book is untouched")
    mutating func heartbeatEcho() throws {
        var book = OrderBook()
        _ = rules.answer(to: newOrder(70, "ACME"), in: &book, at: 5)
        let heartbeat = Message(messageType("Heartbeat"), ["timestamp": u(123), "seqNo": u(9)])
        let atFive = try #require(rules.answer(to: heartbeat, in: &book, at: 5))
        #expect(atFive == heartbeat)
        let atTwo = try #require(rules.answer(to: heartbeat, in: &book, at: 2))
        #expect(atTwo.type.name == "Heartbeat" && atTwo["timestamp"] == u(123) && atTwo["seqNo"] == u(0))
        #expect(book.count == 1 && book.nextOrderId == 2)
    }

    @Test("A type no rule answers gets no answer and leaves the book as it was", arguments: ["Reject", "Logon", "Logout", "OrderAck"])
    mutating func unansweredTypes(name: String) {
        var book = OrderBook()
        _ = rules.answer(to: newOrder(80, "ACME"), in: &book, at: 5)
        #expect(rules.request(of: messageType(name)) == nil)
        #expect(rules.answer(to: Message(messageType(name)), in: &book, at: 5) == nil)
        #expect(book.count == 1 && book.nextOrderId == 2)
    }

    @Test("Each request by its rule, and the fields each answer's rule decides")
    func requestsAndDecidedFields() {
        let byName = Dictionary(uniqueKeysWithValues: ReferenceGateway.Request.allCases.map { ($0.rawValue, $0) })
        for name in byName.keys { #expect(rules.request(of: messageType(name)) == byName[name]) }
        #expect(ReferenceGateway.Request.allCases.map(\.rule) == ["G1", "G2", "G3", "G4", "S4"])
        #expect(ReferenceGateway.Request.allCases.filter(\.isOrderRequest).count == 4)
        #expect(rules.decidedFields(of: messageType("OrderAck")) == ["clOrdId", "orderId", "status"])
        #expect(rules.decidedFields(of: messageType("CancelAck")) == ["clOrdId", "origClOrdId"])
        #expect(rules.decidedFields(of: messageType("Reject")) == ["code", "refTemplateId", "refClOrdId"])
        #expect(rules.decidedFields(of: messageType("MassCancelAck")) == ["clOrdId", "cancelledCount"])
        #expect(rules.decidedFields(of: messageType("Heartbeat")) == ["timestamp", "seqNo"])
        #expect(rules.decidedFields(of: messageType("ExecutionReport")).isEmpty)
    }
}
