// Frames worked out by hand from PROTOCOL.md (little-endian, packed; header · root block ·
// groups · var-data), compared byte for byte with the encoder and decoded back.

import Testing

@testable import TGP

/// A message and the bytes the spec says it is at a version.
struct GoldenFrame: Sendable, CustomTestStringConvertible {
    let name: String
    let version: Int
    let message: Message
    let bytes: [UInt8]
    var testDescription: String { name }

    // NewOrder v1: the v1 block only; account (v2) and clientTag (v5) do not exist yet.
    static let newOrderV1 = GoldenFrame(
        name: "NewOrder v1", version: 1,
        message: Message(
            messageType("NewOrder"),
            [
                "clOrdId": u(0x0102_0304_0506_0708), "price": i(1_500_000), "quantity": u(100),
                "side": e("Side", "Buy"), "ordType": e("OrdType", "Limit"), "symbol": t("AAPL"),
            ]),
        bytes: [
            0x1E, 0x00,  // header blockLength 30
            0x0A, 0x00,  // header templateId 10 (NewOrder)
            0x47, 0x54,  // header schemaId 0x5447
            0x01, 0x00,  // header version 1
            0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,  // @0 clOrdId u64 0x0102030405060708
            0x60, 0xE3, 0x16, 0x00, 0x00, 0x00, 0x00, 0x00,  // @8 price i64 1500000 = 0x16E360
            0x64, 0x00, 0x00, 0x00,  // @16 quantity u32 100
            0x01,  // @20 side Buy
            0x01,  // @21 ordType Limit
            0x41, 0x41, 0x50, 0x4C, 0x00, 0x00, 0x00, 0x00,  // @22 symbol char8 "AAPL" + 4 bytes padding
        ])

    // NewOrder v5: quantity 5_000_000_000 (above u32) travels in quantityLong, the legacy
    // quantity holds min(value, 4294967295); both var-data fields present.
    static let newOrderV5 = GoldenFrame(
        name: "NewOrder v5", version: 5,
        message: Message(
            messageType("NewOrder"),
            [
                "clOrdId": u(42), "price": i(-1250), "quantity": u(5_000_000_000),
                "side": e("Side", "Sell"), "ordType": e("OrdType", "Market"), "symbol": t("MSFT"),
                "timeInForce": e("TimeInForce", "IOC"), "stp": e("Stp", "CancelOldest"),
                "account": t("ACC-7"), "clientTag": t("tag€"),
            ]),
        bytes: [
            0x28, 0x00,  // header blockLength 40
            0x0A, 0x00,  // header templateId 10 (NewOrder)
            0x47, 0x54,  // header schemaId 0x5447
            0x05, 0x00,  // header version 5
            0x2A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // @0 clOrdId 42
            0x1E, 0xFB, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // @8 price -1250 = 0x…FFFB1E (two's complement)
            0xFF, 0xFF, 0xFF, 0xFF,  // @16 legacy quantity u32, capped at 4294967295
            0x02,  // @20 side Sell
            0x02,  // @21 ordType Market
            0x4D, 0x53, 0x46, 0x54, 0x00, 0x00, 0x00, 0x00,  // @22 symbol "MSFT" + padding
            0x01,  // @30 timeInForce IOC (v2)
            0x00, 0xF2, 0x05, 0x2A, 0x01, 0x00, 0x00, 0x00,  // @31 quantityLong u64 5000000000 = 0x12A05F200 (v4)
            0x02,  // @39 stp CancelOldest (v5)
            0x05, 0x00, 0x41, 0x43, 0x43, 0x2D, 0x37,  // var-data account: length 5, "ACC-7"
            0x06, 0x00, 0x74, 0x61, 0x67, 0xE2, 0x82, 0xAC,  // var-data clientTag: length 6, "tag" + "€" (E2 82 AC)
        ])

    // MarketDataSnapshot v3: v2 root block (lastTradePx is v5), two 28-byte level entries.
    static let marketDataV3 = GoldenFrame(
        name: "MarketDataSnapshot v3", version: 3,
        message: Message(
            messageType("MarketDataSnapshot"),
            [
                "symbol": t("EURUSD"), "seqNo": u(7),
                "levels": .group([
                    [i(100), u(10), i(101), u(20), u(3), u(4)],
                    [i(99), u(300), i(102), u(400), u(258), u(1)],
                ]),
            ]),
        bytes: [
            0x10, 0x00,  // header blockLength 16
            0x14, 0x00,  // header templateId 20 (MarketDataSnapshot)
            0x47, 0x54,  // header schemaId 0x5447
            0x03, 0x00,  // header version 3
            0x45, 0x55, 0x52, 0x55, 0x53, 0x44, 0x00, 0x00,  // @0 symbol "EURUSD" + padding
            0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // @8 seqNo 7
            0x1C, 0x00,  // levels blockLength 28
            0x02, 0x00,  // levels numInGroup 2
            // entry 1
            0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // @0 bidPx 100
            0x0A, 0x00, 0x00, 0x00,  // @8 bidQty 10
            0x65, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // @12 askPx 101
            0x14, 0x00, 0x00, 0x00,  // @20 askQty 20
            0x03, 0x00,  // @24 bidOrders 3 (v3)
            0x04, 0x00,  // @26 askOrders 4 (v3)
            // entry 2
            0x63, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // @0 bidPx 99
            0x2C, 0x01, 0x00, 0x00,  // @8 bidQty 300 = 0x12C
            0x66, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // @12 askPx 102
            0x90, 0x01, 0x00, 0x00,  // @20 askQty 400 = 0x190
            0x02, 0x01,  // @24 bidOrders 258 = 0x102
            0x01, 0x00,  // @26 askOrders 1
        ])

    // Logon v3 (E3: encoded at the maxVersion it announces): capabilities and the username.
    static let logonV3 = GoldenFrame(
        name: "Logon v3", version: 3,
        message: Message(
            messageType("Logon"),
            [
                "minVersion": u(1), "maxVersion": u(3), "heartbeatMs": u(1000), "capabilities": u(5),
                "username": t("trader1"),
            ]),
        bytes: [
            0x0C, 0x00,  // header blockLength 12
            0x01, 0x00,  // header templateId 1 (Logon)
            0x47, 0x54,  // header schemaId 0x5447
            0x03, 0x00,  // header version 3
            0x01, 0x00,  // @0 minVersion 1
            0x03, 0x00,  // @2 maxVersion 3
            0xE8, 0x03, 0x00, 0x00,  // @4 heartbeatMs 1000 = 0x3E8
            0x05, 0x00, 0x00, 0x00,  // @8 capabilities 5 (v3)
            0x07, 0x00, 0x74, 0x72, 0x61, 0x64, 0x65, 0x72, 0x31,  // var-data username: length 7, "trader1"
        ])

    // Reject v1, the layout every version reads.
    static let rejectV1 = GoldenFrame(
        name: "Reject v1", version: 1,
        message: Message(
            messageType("Reject"),
            [
                "refTemplateId": u(99), "code": e("RejectCode", "UnknownTemplate"), "text": t("unknown"),
            ]),
        bytes: [
            0x0B, 0x00,  // header blockLength 11
            0x0F, 0x00,  // header templateId 15 (Reject)
            0x47, 0x54,  // header schemaId 0x5447
            0x01, 0x00,  // header version 1
            0x63, 0x00,  // @0 refTemplateId 99
            0x01,  // @2 code UnknownTemplate
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // @3 refClOrdId 0
            0x07, 0x00, 0x75, 0x6E, 0x6B, 0x6E, 0x6F, 0x77, 0x6E,  // var-data text: length 7, "unknown"
        ])

    // ExecutionReport v4: liquidity and a negative fee.
    static let executionReportV4 = GoldenFrame(
        name: "ExecutionReport v4", version: 4,
        message: Message(
            messageType("ExecutionReport"),
            [
                "orderId": u(1), "clOrdId": u(2), "execId": u(3), "lastPx": i(250), "lastQty": u(10), "leavesQty": u(90),
                "execType": e("ExecType", "Fill"), "transactTime": u(0x1122_3344_5566_7788),
                "liquidity": e("Liquidity", "Maker"), "fee": i(-3),
            ]),
        bytes: [
            0x3A, 0x00,  // header blockLength 58
            0x0E, 0x00,  // header templateId 14 (ExecutionReport)
            0x47, 0x54,  // header schemaId 0x5447
            0x04, 0x00,  // header version 4
            0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // @0 orderId 1
            0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // @8 clOrdId 2
            0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // @16 execId 3
            0xFA, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // @24 lastPx 250
            0x0A, 0x00, 0x00, 0x00,  // @32 lastQty 10
            0x5A, 0x00, 0x00, 0x00,  // @36 leavesQty 90
            0x02,  // @40 execType Fill
            0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,  // @41 transactTime 0x1122334455667788 (v2)
            0x01,  // @49 liquidity Maker (v4)
            0xFD, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // @50 fee -3 (v4)
        ])

    static let all = [newOrderV1, newOrderV5, marketDataV3, logonV3, rejectV1, executionReportV4]
}

@Suite("Golden frames")
struct GoldenFrameTests {
    @Test(arguments: GoldenFrame.all)
    func encodesToTheHandWrittenBytes(golden: GoldenFrame) throws {
        let bytes = try codec.encode(golden.message, at: golden.version)
        #expect(bytes.hexString == golden.bytes.hexString)
    }

    @Test(arguments: GoldenFrame.all)
    func decodesTheHandWrittenBytes(golden: GoldenFrame) throws {
        let decoded = try codec.decode(golden.bytes, asVersion: golden.version)
        #expect(decoded.message == golden.message)
        #expect(
            decoded.header
                == FrameHeader(
                    blockLength: UInt16(golden.message.type.blockLength(at: golden.version)),
                    templateId: golden.message.type.templateId, schemaId: 0x5447, version: UInt16(golden.version)))
    }

    @Test func frameHeaderReadsAndWritesTheEightBytes() throws {
        let header = try #require(FrameHeader(of: GoldenFrame.newOrderV5.bytes))
        #expect(header == FrameHeader(blockLength: 40, templateId: 10, schemaId: 0x5447, version: 5))
        #expect(header.bytes == [0x28, 0x00, 0x0A, 0x00, 0x47, 0x54, 0x05, 0x00])
        #expect(FrameHeader(of: [0x28, 0x00, 0x0A, 0x00, 0x47, 0x54, 0x05]) == nil)
    }

    @Test func hexHelpers() {
        #expect([0x00, 0x0A, 0xFF].hexString == "000aff")
        #expect(bytes(fromHex: "000aFF") == [0x00, 0x0A, 0xFF])
        #expect(bytes(fromHex: "abc") == nil)
        #expect(bytes(fromHex: "zz") == nil)
    }
}
