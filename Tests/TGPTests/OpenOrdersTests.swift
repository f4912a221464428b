// The reference gateway's order book against a Dictionary doing the same operations: random
// ones, then the key patterns that stress open addressing (runs of consecutive clOrdIds,
// keys that share their low bits, removals in the middle of probe runs).
import SeededRandom
import Testing

@testable import TGP

@Suite struct OpenOrdersTests {
    /// Applies `operations` to both books and checks they agree after each.
    private func check(_ operations: [(clOrdId: UInt64, insert: Bool)]) {
        var book = OpenOrders()
        var model: [UInt64: OpenOrders.Order] = [:]
        for (step, operation) in operations.enumerated() {
            if operation.insert {
                let order = OpenOrders.Order(orderId: UInt64(step), symbol: "S\(step % 7)")
                book[operation.clOrdId] = order
                model[operation.clOrdId] = order
            } else {
                #expect(book.removeValue(forKey: operation.clOrdId) == model.removeValue(forKey: operation.clOrdId))
            }
            #expect(book.count == model.count)
        }
        for (clOrdId, order) in model { #expect(book[clOrdId] == order, "clOrdId \(clOrdId)") }
        #expect(book[UInt64.max - 1] == model[UInt64.max - 1])
    }

    @Test func randomInsertsAndRemovalsAgreeWithADictionary() {
        var random = SeededGenerator(seed: 7)
        check((0..<20_000).map { _ in (UInt64.random(in: 0..<3_000, using: &random), Bool.random(using: &random)) })
    }

    @Test func consecutiveClOrdIdsThenRemovalsFromTheMiddle() {
        let inserts = (0..<5_000).map { (UInt64(1 << 40) + UInt64($0), true) }
        let removals = stride(from: 0, to: 5_000, by: 3).map { (UInt64(1 << 40) + UInt64($0), false) }
        check(inserts + removals + inserts.prefix(100))
    }

    @Test func keysThatShareTheirLowBitsStillResolve() {
        let colliding = (0..<2_000).map { (UInt64($0) << 20, true) }
        check(colliding + colliding.reversed().map { ($0.0, false) }.prefix(1_500) + colliding.prefix(10))
    }

    @Test func massCancelRemovesWhatItPicksAndCountsThem() {
        var book = OpenOrders()
        for clOrdId in 0..<1_000 as Range<UInt64> {
            book[clOrdId] = .init(orderId: clOrdId, symbol: clOrdId.isMultiple(of: 4) ? "ACME" : "INIT")
        }
        #expect(book.removeAll { $0.symbol == "ACME" } == 250)
        #expect(book.count == 750)
        #expect(book[4] == nil)
        #expect(book[5] == .init(orderId: 5, symbol: "INIT"))
        #expect(book.removeAll { _ in true } == 750)
        #expect(book.isEmpty)
    }
}
