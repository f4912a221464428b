// E1/E2: what a sender refuses to put on the wire, with which refusal and field.

import Testing

@testable import TGP

@Suite("Encode rules E2")
struct EncodeRuleTests {
    static let newOrder = messageType("NewOrder")

    /// A NewOrder valid at every version, with `changes` applied.
    static func order(_ changes: KeyValuePairs<String, FieldValue> = [:]) -> Message {
        var message = Message(
            newOrder,
            [
                "clOrdId": u(1), "price": i(10), "quantity": u(5), "side": e("Side", "Buy"),
                "ordType": e("OrdType", "Limit"), "symbol": t("ABC"),
            ])
        for (name, value) in changes { message[name] = value }
        return message
    }

    struct RefusalCase: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let message: Message
        let version: Int
        let refusal: EncodeError.Refusal
        let field: String?
    }

    static let refusals: [RefusalCase] = [
        RefusalCase(
            testDescription: "quantity 4294967296 at v3", message: order(["quantity": u(4_294_967_296)]),
            version: 3, refusal: .notRepresentable, field: "quantity"),
        RefusalCase(
            testDescription: "quantity 4294967296 at v1", message: order(["quantity": u(4_294_967_296)]),
            version: 1, refusal: .notRepresentable, field: "quantity"),
        RefusalCase(
            testDescription: "ModifyOrder quantity 2^32 at v3",
            message: Message(messageType("ModifyOrder"), ["quantity": u(4_294_967_296)]),
            version: 3, refusal: .notRepresentable, field: "quantity"),
        RefusalCase(
            testDescription: "ModifyOrder at v2", message: Message(messageType("ModifyOrder"), ["clOrdId": u(1)]),
            version: 2, refusal: .unsupportedInVersion, field: nil),
        RefusalCase(
            testDescription: "TradingStatus at v4",
            message: Message(messageType("TradingStatus"), ["status": e("TradingState", "Open")]),
            version: 4, refusal: .unsupportedInVersion, field: nil),
        RefusalCase(
            testDescription: "TimeInForce FOK at v4", message: order(["timeInForce": e("TimeInForce", "FOK")]),
            version: 4, refusal: .unsupportedInVersion, field: "timeInForce"),
        RefusalCase(
            testDescription: "Side SellShort at v1", message: order(["side": e("Side", "SellShort")]),
            version: 1, refusal: .unsupportedInVersion, field: "side"),
        RefusalCase(
            testDescription: "Reject code RiskLimit at v3",
            message: Message(messageType("Reject"), ["code": e("RejectCode", "RiskLimit")]),
            version: 3, refusal: .unsupportedInVersion, field: "code"),
        RefusalCase(
            testDescription: "stp CancelNewest at v4", message: order(["stp": e("Stp", "CancelNewest")]),
            version: 4, refusal: .notRepresentable, field: "stp"),
        RefusalCase(
            testDescription: "clientTag set at v4", message: order(["clientTag": t("x")]),
            version: 4, refusal: .notRepresentable, field: "clientTag"),
        RefusalCase(
            testDescription: "timeInForce IOC at v1", message: order(["timeInForce": e("TimeInForce", "IOC")]),
            version: 1, refusal: .notRepresentable, field: "timeInForce"),
        RefusalCase(
            testDescription: "levels.bidOrders set at v2",
            message: Message(
                messageType("MarketDataSnapshot"),
                [
                    "levels": .group([[i(1), u(2), i(3), u(4), u(5), u(0)]])
                ]),
            version: 2, refusal: .notRepresentable, field: "levels.bidOrders"),
        RefusalCase(
            testDescription: "char8 TOOLONGSYM", message: order(["symbol": t("TOOLONGSYM")]),
            version: 1, refusal: .invalidValue, field: "symbol"),
        RefusalCase(
            testDescription: "char8 é", message: order(["symbol": t("é")]),
            version: 1, refusal: .invalidValue, field: "symbol"),
        RefusalCase(
            testDescription: "char8 with a tab", message: order(["symbol": t("A\tB")]),
            version: 1, refusal: .invalidValue, field: "symbol"),
        RefusalCase(
            testDescription: "side 9", message: order(["side": u(9)]),
            version: 5, refusal: .invalidValue, field: "side"),
        RefusalCase(
            testDescription: "var-data of 1025 bytes",
            message: order(["account": t(String(repeating: "a", count: 1025))]),
            version: 2, refusal: .invalidValue, field: "account"),
        RefusalCase(
            testDescription: "var-data of 1025 bytes, 2 per character",
            message: order(["account": t(String(repeating: "é", count: 512) + "a")]),
            version: 2, refusal: .invalidValue, field: "account"),
        RefusalCase(
            testDescription: "65 group entries",
            message: Message(
                messageType("MarketDataSnapshot"),
                [
                    "levels": .group(Array(repeating: [i(1), u(2), i(3), u(4), u(0), u(0)], count: 65))
                ]),
            version: 2, refusal: .invalidValue, field: "levels"),
        RefusalCase(
            testDescription: "u16 out of range", message: Message(messageType("Logon"), ["minVersion": u(65536)]),
            version: 1, refusal: .invalidValue, field: "minVersion"),
        RefusalCase(
            testDescription: "version 6 is not a version", message: order(),
            version: 6, refusal: .unsupportedInVersion, field: nil),
        RefusalCase(
            testDescription: "version 0 is not a version", message: order(),
            version: 0, refusal: .unsupportedInVersion, field: nil),
    ]

    @Test(arguments: refusals)
    func refused(_ c: RefusalCase) throws {
        let error = try #require(encodeError(c.message, at: c.version))
        #expect(error.refusal == c.refusal)
        #expect(error.field == c.field)
        #expect(error.messageName == c.message.type.name)
        #expect(error.description.hasPrefix("\(c.refusal.rawValue): \(c.message.type.name)"))
    }

    /// From v4 the wide field carries the value and the legacy u32 holds min(value, 4294967295).
    @Test(arguments: 4...5)
    func quantityAboveU32FromV4(version: Int) throws {
        let frame = try codec.encode(Self.order(["quantity": u(4_294_967_296)]), at: version)
        #expect(Array(frame[(8 + 16)..<(8 + 20)]) == [0xFF, 0xFF, 0xFF, 0xFF])  // legacy quantity 4294967295
        #expect(Array(frame[(8 + 31)..<(8 + 39)]) == [0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00])  // quantityLong 2^32
        #expect(try codec.decode(frame, asVersion: version).message["quantity"] == u(4_294_967_296))
        #expect(try codec.decode(frame, asVersion: 3).message["quantity"] == u(4_294_967_295))
    }

    @Test func quantityAtTheU32LimitEncodesEverywhere() throws {
        for version in allVersions {
            let frame = try codec.encode(Self.order(["quantity": u(4_294_967_295)]), at: version)
            #expect(Array(frame[(8 + 16)..<(8 + 20)]) == [0xFF, 0xFF, 0xFF, 0xFF], "v\(version)")
        }
    }

    /// The limits themselves are accepted.
    @Test func limitsAreAccepted() throws {
        let longest = String(repeating: "é", count: 512)  // 1024 bytes
        let withAccount = try codec.encode(Self.order(["account": t(longest)]), at: 2)
        #expect(try codec.decode(withAccount, asVersion: 2).message["account"] == t(longest))

        let entries = Array(repeating: [i(1), u(2), i(3), u(4), u(5), u(6)], count: 64)
        let snapshot = Message(messageType("MarketDataSnapshot"), ["levels": .group(entries)])
        let frame = try codec.encode(snapshot, at: 3)
        #expect(frame.count == 8 + 16 + 4 + 64 * 28)
        #expect(try codec.decode(frame, asVersion: 3).message == snapshot)

        let fullSymbol = try codec.encode(Self.order(["symbol": t("~ABCDEF ")]), at: 1)
        #expect(Array(fullSymbol[30..<38]) == Array("~ABCDEF ".utf8))
    }

    /// No TGP message within the field limits reaches 4096 bytes: the largest NewOrder round-trips.
    @Test func largestNewOrderFitsTheFrameLimit() throws {
        let longest = String(repeating: "a", count: 1024)
        let order = Self.order(["account": t(longest), "clientTag": t(longest)])
        let frame = try codec.encode(order, at: 5)
        #expect(frame.count == 8 + 40 + 2 + 1024 + 2 + 1024)
        #expect(try codec.decode(frame, asVersion: 5).message == order)
    }

    /// E1: at version N only the fields with since <= N are on the wire, with defaults left out.
    @Test func defaultsOfNewerFieldsAreLeftOut() throws {
        let frame = try codec.encode(Self.order(), at: 1)
        #expect(frame.count == 8 + 30)
        #expect(FrameHeader(of: frame)?.version == 1)
    }
}
