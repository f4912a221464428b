// Frames of one version read by receivers of another: R1 (absent fields take defaults),
// R2 (groups and var-data start after the sender's block), R3 (the same per group entry),
// R4 (unknown var-data ignored), R10 (newer encodings decoded, not rejected) and the v4
// quantity widening.

import Testing

@testable import TGP

@Suite("Cross-version decoding")
struct CrossVersionTests {
    static let newOrder = messageType("NewOrder")
    static let snapshot = messageType("MarketDataSnapshot")

    // MARK: NewOrder

    /// The golden v5 NewOrder (quantity 5_000_000_000) as each receiver version delivers it.
    static let v5NewOrderByReceiver: [(Int, Message)] = [
        // v1: the v1 fields; the legacy u32 quantity, capped; account and clientTag skipped (R2, R4, R10).
        (
            1,
            Message(
                newOrder,
                [
                    "clOrdId": u(42), "price": i(-1250), "quantity": u(4_294_967_295), "side": e("Side", "Sell"),
                    "ordType": e("OrdType", "Market"), "symbol": t("MSFT"),
                ])
        ),
        (
            2,
            Message(
                newOrder,
                [
                    "clOrdId": u(42), "price": i(-1250), "quantity": u(4_294_967_295), "side": e("Side", "Sell"),
                    "ordType": e("OrdType", "Market"), "symbol": t("MSFT"), "timeInForce": e("TimeInForce", "IOC"),
                    "account": t("ACC-7"),
                ])
        ),
        (
            3,
            Message(
                newOrder,
                [
                    "clOrdId": u(42), "price": i(-1250), "quantity": u(4_294_967_295), "side": e("Side", "Sell"),
                    "ordType": e("OrdType", "Market"), "symbol": t("MSFT"), "timeInForce": e("TimeInForce", "IOC"),
                    "account": t("ACC-7"),
                ])
        ),
        // v4: quantityLong, the full value.
        (
            4,
            Message(
                newOrder,
                [
                    "clOrdId": u(42), "price": i(-1250), "quantity": u(5_000_000_000), "side": e("Side", "Sell"),
                    "ordType": e("OrdType", "Market"), "symbol": t("MSFT"), "timeInForce": e("TimeInForce", "IOC"),
                    "account": t("ACC-7"),
                ])
        ),
        (5, GoldenFrame.newOrderV5.message),
    ]

    @Test(arguments: v5NewOrderByReceiver)
    func v5NewOrderReadByOlderReceivers(receiver: Int, expected: Message) throws {
        let decoded = try codec.decode(GoldenFrame.newOrderV5.bytes, asVersion: receiver)
        #expect(decoded.message == expected)
        #expect(decoded.header == FrameHeader(blockLength: 40, templateId: 10, schemaId: 0x5447, version: 5))
    }

    @Test(arguments: allVersions)
    func v1NewOrderReadByNewerReceivers(receiver: Int) throws {
        let decoded = try codec.decode(GoldenFrame.newOrderV1.bytes, asVersion: receiver)
        let message = decoded.message
        // R1: every field newer than v1 at its default.
        #expect(message["timeInForce"] == e("TimeInForce", "Day"))
        #expect(message["timeInForce"] == u(0))
        #expect(message["stp"] == e("Stp", "None"))
        #expect(message["account"] == t(""))
        #expect(message["clientTag"] == t(""))
        // The quantity from the u32 field: a v1 frame has no quantityLong.
        #expect(message["quantity"] == u(100))
        #expect(message == GoldenFrame.newOrderV1.message)
    }

    /// A v4 frame whose quantity fits u32: both fields carry it, every receiver agrees.
    @Test func widenedQuantityThatFitsIsTheSameEverywhere() throws {
        let order = Message(Self.newOrder, ["quantity": u(4_294_967_295), "side": e("Side", "Buy"), "ordType": e("OrdType", "Limit")])
        let frame = try codec.encode(order, at: 4)
        #expect(Array(frame[24..<28]) == [0xFF, 0xFF, 0xFF, 0xFF])  // legacy quantity @16
        #expect(Array(frame[39..<47]) == le64(4_294_967_295))  // quantityLong @31
        for receiver in allVersions {
            #expect(try codec.decode(frame, asVersion: receiver).message["quantity"] == u(4_294_967_295))
        }
    }

    /// A decoder reads quantityLong when the message's version is 4 or more, else quantity:
    /// here the two disagree on purpose.
    @Test func quantityCarrierFollowsTheMessageVersion() throws {
        var frame = GoldenFrame.newOrderV5.bytes
        frame = patched(frame, at: 8 + 16, le32(7))  // legacy quantity 7
        frame = patched(frame, at: 8 + 31, le64(9))  // quantityLong 9
        #expect(try codec.decode(frame, asVersion: 3).message["quantity"] == u(7))
        #expect(try codec.decode(frame, asVersion: 4).message["quantity"] == u(9))
        #expect(try codec.decode(frame, asVersion: 5).message["quantity"] == u(9))
    }

    // MARK: MarketDataSnapshot

    /// A v2 snapshot, by hand: 16-byte block, one 24-byte entry.
    static let v2Snapshot: [UInt8] =
        header(blockLength: 16, templateId: 20, version: 2)
        + char8("EURUSD") + le64(9)  // symbol, seqNo
        + groupHeader(blockLength: 24, count: 1)
        + le64(signed: 100) + le32(10) + le64(signed: 101) + le32(20)  // bidPx, bidQty, askPx, askQty

    @Test(arguments: 2...5)
    func v2SnapshotReadByNewerReceivers(receiver: Int) throws {
        let decoded = try codec.decode(Self.v2Snapshot, asVersion: receiver)
        #expect(
            decoded.message
                == Message(
                    Self.snapshot,
                    [
                        "symbol": t("EURUSD"), "seqNo": u(9), "lastTradePx": i(0),  // lastTradePx (v5) absent: 0
                        "levels": .group([[i(100), u(10), i(101), u(20), u(0), u(0)]]),  // bidOrders, askOrders (v3) absent: 0
                    ]))
    }

    static let fullSnapshot = Message(
        snapshot,
        [
            "symbol": t("GBPUSD"), "seqNo": u(77), "lastTradePx": i(-5),
            "levels": .group([[i(1), u(2), i(3), u(4), u(5), u(6)], [i(7), u(8), i(9), u(10), u(11), u(12)]]),
        ])

    /// A v5 snapshot: its 24-byte block is longer than a v3 receiver knows (R2), so the group
    /// must be read at 8 + 24; a v2 receiver also finds entries longer than it knows (R3).
    @Test func v5SnapshotReadByOlderReceivers() throws {
        let frame = try codec.encode(Self.fullSnapshot, at: 5)
        #expect(FrameHeader(of: frame)?.blockLength == 24)
        #expect(Array(frame[32..<36]) == groupHeader(blockLength: 28, count: 2))

        let byV3 = try codec.decode(frame, asVersion: 3).message
        #expect(byV3 == Self.fullSnapshot.projected(onto: 3))
        #expect(byV3["lastTradePx"] == i(0))
        #expect(byV3["levels"] == Self.fullSnapshot["levels"])

        let byV2 = try codec.decode(frame, asVersion: 2).message
        #expect(
            byV2
                == Message(
                    Self.snapshot,
                    [
                        "symbol": t("GBPUSD"), "seqNo": u(77),
                        "levels": .group([[i(1), u(2), i(3), u(4), u(0), u(0)], [i(7), u(8), i(9), u(10), u(0), u(0)]]),
                    ]))
    }

    /// R3 with entries longer than any version defines: each entry is skipped by its own
    /// blockLength, so the second entry is found at 8 + 16 + 4 + 32.
    @Test(arguments: 3...5)
    func groupEntriesLongerThanKnown(receiver: Int) throws {
        let extra: [UInt8] = [0xEE, 0xEE, 0xEE, 0xEE]
        let frame =
            header(blockLength: 16, templateId: 20, version: 3)
            + char8("EURUSD") + le64(1)
            + groupHeader(blockLength: 32, count: 2)
            + le64(signed: 10) + le32(1) + le64(signed: 11) + le32(2) + le16(3) + le16(4) + extra
            + le64(signed: 20) + le32(5) + le64(signed: 21) + le32(6) + le16(7) + le16(8) + extra
        let decoded = try codec.decode(frame, asVersion: receiver)
        #expect(
            decoded.message["levels"]
                == .group([
                    [i(10), u(1), i(11), u(2), u(3), u(4)],
                    [i(20), u(5), i(21), u(6), u(7), u(8)],
                ]))
    }

    // MARK: A version from the future (R10)

    /// Header version 9: a block 8 bytes longer than v5's, and a var-data field after the two
    /// v5 knows. A v5 receiver reads it by R1–R4 instead of rejecting it.
    static let v9NewOrder: [UInt8] =
        header(blockLength: 48, templateId: 10, version: 9)
        + Array(GoldenFrame.newOrderV5.bytes[8..<48])  // the v5 block, 40 bytes
        + [UInt8](repeating: 0xEE, count: 8)  // fields of versions 6…9, unknown
        + varData("ACC-7") + varData("tag€")  // account, clientTag
        + varData("from the future")  // a var-data field added after v5

    @Test func futureNewOrderReadByV5() throws {
        let decoded = try codec.decode(Self.v9NewOrder, asVersion: 5)
        #expect(decoded.header == FrameHeader(blockLength: 48, templateId: 10, schemaId: 0x5447, version: 9))
        #expect(decoded.message == GoldenFrame.newOrderV5.message)
    }

    @Test func futureNewOrderReadByOlderReceivers() throws {
        #expect(try codec.decode(Self.v9NewOrder, asVersion: 1).message == Self.v5NewOrderByReceiver[0].1)
        #expect(try codec.decode(Self.v9NewOrder, asVersion: 3).message == Self.v5NewOrderByReceiver[2].1)
    }

    /// Version 9 snapshot: a longer root block and longer entries, then trailing bytes.
    @Test func futureSnapshotReadByV5AndV3() throws {
        let frame =
            header(blockLength: 30, templateId: 20, version: 9)
            + char8("EURUSD") + le64(5) + le64(signed: -42) + [0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF]
            + groupHeader(blockLength: 30, count: 1)
            + le64(signed: 1) + le32(2) + le64(signed: 3) + le32(4) + le16(5) + le16(6) + [0x99, 0x99]
            + varData("future")
        let expected = Message(
            Self.snapshot,
            [
                "symbol": t("EURUSD"), "seqNo": u(5), "lastTradePx": i(-42),
                "levels": .group([[i(1), u(2), i(3), u(4), u(5), u(6)]]),
            ])
        #expect(try codec.decode(frame, asVersion: 5).message == expected)
        #expect(try codec.decode(frame, asVersion: 3).message == expected.projected(onto: 3))
    }
}
