// The refusals of a receiver: R5 unknown template, R7 bad value, R8 malformed, and the order
// in which they are applied. Each case asserts the exact DecodeError.

import SeededRandom
import Testing

@testable import TGP

/// A v2 NewOrder with account "ACC": block of 31 bytes at 8, account length at 39.
let v2NewOrder: [UInt8] =
    header(blockLength: 31, templateId: 10, version: 2)
    + le64(5) + le64(signed: 100) + le32(10)  // clOrdId 5, price, quantity
    + [0x01, 0x01]  // side Buy, ordType Limit
    + char8("IBM")  // symbol
    + [0x00]  // timeInForce Day
    + varData("ACC")  // account

@Suite("Decode rules R5, R7, R8")
struct DecodeRuleTests {
    // MARK: R5

    @Test func unknownTemplate() throws {
        let frame = header(blockLength: 0, templateId: 99, version: 1)
        let error = try #require(decodeError(frame, asVersion: 5))
        #expect(error.code == .unknownTemplate)
        #expect(error.reason == .unknownTemplate)
        #expect(error.templateId == 99)
        #expect(error.messageName == nil)
        #expect(error.description.contains("UnknownTemplate"))
        #expect(error.description.contains("templateId 99"))
    }

    @Test func templateNewerThanTheReceiverIsUnknown() throws {
        let massCancel = Message(messageType("MassCancel"), ["clOrdId": u(8), "scope": e("MassCancelScope", "All")])
        let frame = try codec.encode(massCancel, at: 4)
        let error = try #require(decodeError(frame, asVersion: 3))
        #expect(error.code == .unknownTemplate)
        #expect(error.templateId == 17)
        // A v4 receiver knows it.
        #expect(try codec.decode(frame, asVersion: 4).message == massCancel)
    }

    // MARK: R7

    @Test func unknownEnumValue() throws {
        let frame = patched(GoldenFrame.newOrderV1.bytes, at: 8 + 20, [9])  // side 9
        let error = try #require(decodeError(frame, asVersion: 5))
        #expect(error.code == .invalidValue)
        #expect(error.reason == .unknownEnumValue(9, enumName: "Side"))
        #expect(error.messageName == "NewOrder")
        #expect(error.field == "side")
        #expect(error.offset == 28)
        #expect(error.templateId == 10)
        #expect(error.description.contains("9 is not a known Side value"))
    }

    /// SellShort is a v2 value: a v2 receiver takes it, a v1 receiver does not know it.
    @Test func enumValueNewerThanTheReceiver() throws {
        let sellShort = patched(v2NewOrder, at: 8 + 20, [3])
        #expect(try codec.decode(sellShort, asVersion: 2).message["side"] == e("Side", "SellShort"))
        let error = try #require(decodeError(sellShort, asVersion: 1))
        #expect(error.reason == .unknownEnumValue(3, enumName: "Side"))
        #expect(error.code == .invalidValue)
    }

    @Test func char8WithAControlByte() throws {
        let frame = patched(GoldenFrame.newOrderV1.bytes, at: 8 + 22, [0x01])  // symbol "\u{1}APL"
        let error = try #require(decodeError(frame, asVersion: 1))
        #expect(error.code == .invalidValue)
        #expect(error.reason == .invalidChar8(byte: 0x01))
        #expect(error.field == "symbol")
        #expect(error.offset == 30)
        #expect(error.description.contains("0x01"))
    }

    @Test func char8WithANonZeroByteAfterThePadding() throws {
        // "AAPL", 0x00, then 'X' at symbol byte 5.
        let frame = patched(GoldenFrame.newOrderV1.bytes, at: 8 + 22 + 5, [0x58])
        let error = try #require(decodeError(frame, asVersion: 1))
        #expect(error.code == .invalidValue)
        #expect(error.reason == .invalidChar8(byte: 0x58))
        #expect(error.offset == 35)
    }

    /// The decoder checks a char8 field's bytes all at once in a 64-bit word: it must find the
    /// same length and the same first offending byte as the rule read byte by byte.
    @Test func char8WordCheckAgreesWithTheRuleByteByByte() {
        func byteByByte(_ bytes: [UInt8]) -> (length: Int, invalidAt: Int?) {
            let length = bytes.firstIndex(of: 0) ?? 8
            let invalidAt = bytes.indices.first { $0 < length ? !(0x20...0x7E).contains(bytes[$0]) : bytes[$0] != 0 }
            return (length, invalidAt)
        }
        // Every value at every position among printable padding, and random words.
        var cases: [[UInt8]] = []
        for position in 0..<8 {
            for byte in 0...255 {
                var bytes = Array("ACMECORP".utf8)
                bytes[position] = UInt8(byte)
                cases.append(bytes)
                var padded = Array("AB".utf8) + [UInt8](repeating: 0, count: 6)
                padded[position] = UInt8(byte)
                cases.append(padded)
            }
        }
        var random = SeededGenerator(seed: 0xC4A8)
        // NULs among mostly printable bytes, then any bytes.
        for _ in 0..<20_000 { cases.append(random.bytes(8).map { $0 < 0x40 ? 0 : $0 & 0x7F }) }
        for _ in 0..<20_000 { cases.append(random.bytes(8)) }
        for bytes in cases {
            let word = bytes.withUnsafeBytes { Codec.char8($0) }
            let expected = byteByByte(bytes)
            #expect(word.length == expected.length && word.invalidAt == expected.invalidAt, "\(bytes)")
        }
    }

    @Test(arguments: [[0xC3, 0x28], [0xFF], [0xE2, 0x82], [0xED, 0xA0, 0x80]] as [[UInt8]])
    func invalidUTF8InVarData(bad: [UInt8]) throws {
        let frame = Array(v2NewOrder.dropLast(5)) + varData(bad)
        let error = try #require(decodeError(frame, asVersion: 2))
        #expect(error.code == .invalidValue)
        #expect(error.reason == .invalidUTF8)
        #expect(error.field == "account")
        #expect(error.offset == 41)
        #expect(error.description.contains("UTF-8"))
    }

    // MARK: R8

    struct MalformedCase: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let frame: [UInt8]
        let receiver: Int
        let reason: DecodeError.Reason
        /// Words the description must contain.
        let mentions: [String]
    }

    static let malformed: [MalformedCase] = [
        MalformedCase(
            testDescription: "frame of 4097 bytes",
            frame: GoldenFrame.newOrderV1.bytes + [UInt8](repeating: 0, count: 4097 - 38), receiver: 5,
            reason: .oversized(size: 4097), mentions: ["4097 bytes", "larger than the maximum"]),
        MalformedCase(
            testDescription: "frame of 7 bytes",
            frame: Array(GoldenFrame.newOrderV1.bytes.prefix(7)), receiver: 5,
            reason: .truncatedHeader(size: 7), mentions: ["7 bytes", "8-byte header"]),
        MalformedCase(
            testDescription: "empty frame",
            frame: [], receiver: 1,
            reason: .truncatedHeader(size: 0), mentions: ["0 bytes", "8-byte header"]),
        MalformedCase(
            testDescription: "wrong schemaId",
            frame: patched(GoldenFrame.newOrderV1.bytes, at: 4, [0x54, 0x47]), receiver: 5,
            reason: .wrongSchemaId(0x4754, expected: 0x5447), mentions: ["schemaId is 0x4754", "expected 0x5447"]),
        MalformedCase(
            testDescription: "v2 NewOrder with blockLength 30",
            frame: patched(v2NewOrder, at: 0, le16(30)), receiver: 5,
            reason: .blockLengthTooShort(blockLength: 30, required: 31), mentions: ["blockLength 30", "31 bytes"]),
        MalformedCase(
            testDescription: "v5 NewOrder with blockLength 39, read by v5",
            frame: patched(GoldenFrame.newOrderV5.bytes, at: 0, le16(39)), receiver: 5,
            reason: .blockLengthTooShort(blockLength: 39, required: 40), mentions: ["blockLength 39", "40 bytes"]),
        MalformedCase(
            testDescription: "frame shorter than blockLength",
            frame: Array(GoldenFrame.newOrderV1.bytes.prefix(37)), receiver: 1,
            reason: .truncated(needed: 30, available: 29), mentions: ["needs 30 bytes", "29 left"]),
        MalformedCase(
            testDescription: "numInGroup 65",
            frame: header(blockLength: 16, templateId: 20, version: 2) + char8("X") + le64(1)
                + groupHeader(blockLength: 24, count: 65) + [UInt8](repeating: 0, count: 65 * 24),
            receiver: 2,
            reason: .tooManyGroupEntries(65), mentions: ["numInGroup 65", "above the maximum"]),
        MalformedCase(
            testDescription: "group entry blockLength 24 in a v3 frame",
            frame: header(blockLength: 16, templateId: 20, version: 3) + char8("X") + le64(1)
                + groupHeader(blockLength: 24, count: 1) + [UInt8](repeating: 0, count: 24),
            receiver: 3,
            reason: .groupBlockLengthTooShort(blockLength: 24, required: 28),
            mentions: ["group entry blockLength 24", "28 bytes"]),
        MalformedCase(
            testDescription: "group entries beyond the end",
            frame: header(blockLength: 16, templateId: 20, version: 2) + char8("X") + le64(1)
                + groupHeader(blockLength: 24, count: 2) + [UInt8](repeating: 0, count: 24 + 23),
            receiver: 5,
            reason: .truncated(needed: 48, available: 47), mentions: ["needs 48 bytes", "47 left"]),
        MalformedCase(
            testDescription: "group header cut short",
            frame: header(blockLength: 16, templateId: 20, version: 2) + char8("X") + le64(1) + [0x18, 0x00],
            receiver: 5,
            reason: .truncated(needed: 4, available: 2), mentions: ["needs 4 bytes", "2 left"]),
        MalformedCase(
            testDescription: "var-data length 1025",
            frame: header(blockLength: 0, templateId: 5, version: 1) + le16(1025)
                + [UInt8](repeating: 0x61, count: 1025),
            receiver: 1,
            reason: .varDataTooLong(1025), mentions: ["var-data length 1025", "above the maximum"]),
        MalformedCase(
            testDescription: "var-data length beyond the end",
            frame: header(blockLength: 0, templateId: 5, version: 1) + le16(10) + Array("abc".utf8),
            receiver: 1,
            reason: .truncated(needed: 10, available: 3), mentions: ["needs 10 bytes", "3 left"]),
        MalformedCase(
            testDescription: "var-data length cut short",
            frame: header(blockLength: 0, templateId: 5, version: 1) + [0x01],
            receiver: 1,
            reason: .truncated(needed: 2, available: 1), mentions: ["needs 2 bytes", "1 left"]),
    ]

    @Test(arguments: malformed)
    func malformedFrame(_ c: MalformedCase) throws {
        let error = try #require(decodeError(c.frame, asVersion: c.receiver))
        #expect(error.code == .malformed)
        #expect(error.reason == c.reason)
        #expect(error.description.hasPrefix("Malformed: "))
        for word in c.mentions {
            #expect(error.description.contains(word), "\(error.description)")
        }
    }

    @Test func reasonsNameTheirPlace() throws {
        let cutVarData = header(blockLength: 0, templateId: 5, version: 1) + le16(10) + Array("abc".utf8)
        let error = try #require(decodeError(cutVarData, asVersion: 1))
        #expect(error.messageName == "Logout")
        #expect(error.field == "reason")
        #expect(error.offset == 10)
        #expect(error.description == "Malformed: Logout.reason at byte 10: needs 10 bytes but the frame has 3 left")

        let manyEntries = DecodeRuleTests.malformed.first { $0.testDescription == "numInGroup 65" }!.frame
        let groupError = try #require(decodeError(manyEntries, asVersion: 2))
        #expect(groupError.field == "levels")
        #expect(groupError.offset == 8 + 16 + 2)
    }

    // The limits themselves are accepted.

    @Test func frameOf4096BytesIsAccepted() throws {
        let frame = GoldenFrame.newOrderV1.bytes + [UInt8](repeating: 0, count: 4096 - 38)
        #expect(try codec.decode(frame, asVersion: 5).message == GoldenFrame.newOrderV1.message)
    }

    @Test func varDataOf1024BytesIsAccepted() throws {
        let text = String(repeating: "a", count: 1024)
        let frame = header(blockLength: 0, templateId: 5, version: 1) + varData(text)
        #expect(try codec.decode(frame, asVersion: 1).message["reason"] == t(text))
    }

    @Test func sixtyFourGroupEntriesAreAccepted() throws {
        let frame =
            header(blockLength: 16, templateId: 20, version: 2) + char8("X") + le64(1)
            + groupHeader(blockLength: 24, count: 64) + [UInt8](repeating: 0, count: 64 * 24)
        let decoded = try codec.decode(frame, asVersion: 2)
        guard case .group(let entries) = decoded.message["levels"] else {
            Issue.record("levels is not a group")
            return
        }
        #expect(entries.count == 64)
    }

    /// R8's minimum is "capped at the receiver's own maximum": what a v2 frame needs at v2
    /// is more than a v1 receiver asks for.
    @Test func blockLengthMinimumIsCappedAtTheReceiver() throws {
        let short = patched(v2NewOrder, at: 0, le16(30))
        #expect(decodeError(short, asVersion: 2)?.reason == .blockLengthTooShort(blockLength: 30, required: 31))
        #expect(try codec.decode(short, asVersion: 1).message["clOrdId"] == u(5))

        let shortEntries =
            header(blockLength: 16, templateId: 20, version: 3) + char8("X") + le64(1)
            + groupHeader(blockLength: 24, count: 1) + le64(signed: 1) + le32(2) + le64(signed: 3) + le32(4)
        #expect(try codec.decode(shortEntries, asVersion: 2).message["levels"] == .group([[i(1), u(2), i(3), u(4), u(0), u(0)]]))
    }

    // MARK: Order

    @Test func badBlockLengthBeforeBadEnumIsMalformed() throws {
        // blockLength 30 (needs 31) and side 9: the header's length comes first in wire order.
        let frame = patched(patched(v2NewOrder, at: 0, le16(30)), at: 8 + 20, [9])
        let error = try #require(decodeError(frame, asVersion: 5))
        #expect(error.code == .malformed)
        #expect(error.reason == .blockLengthTooShort(blockLength: 30, required: 31))
    }

    @Test func badEnumBeforeTruncatedVarDataIsInvalidValue() throws {
        // side 9 in the block, then an account claiming 10 bytes with 3 present.
        let frame = patched(patched(v2NewOrder, at: 8 + 20, [9]), at: 39, le16(10))
        let error = try #require(decodeError(frame, asVersion: 5))
        #expect(error.code == .invalidValue)
        #expect(error.reason == .unknownEnumValue(9, enumName: "Side"))
    }

    @Test func badUTF8BeforeTruncatedVarDataIsInvalidValue() throws {
        // v5: account is invalid UTF-8, clientTag claims 50 bytes with 1 present.
        let frame = Array(GoldenFrame.newOrderV5.bytes.prefix(48)) + varData([0xFF]) + le16(50) + [0x41]
        #expect(decodeError(frame, asVersion: 5)?.reason == .invalidUTF8)
        // Truncated first, bad value second: Malformed.
        let reversed = Array(GoldenFrame.newOrderV5.bytes.prefix(48)) + le16(50) + [0xFF]
        #expect(decodeError(reversed, asVersion: 5)?.reason == .truncated(needed: 50, available: 1))
    }

    @Test func headerBeforeTemplateBeforeBody() throws {
        // Unknown template and wrong schemaId: the header decides.
        let both = header(blockLength: 0, templateId: 99, version: 1, schemaId: 0x1234)
        #expect(decodeError(both, asVersion: 5)?.reason == .wrongSchemaId(0x1234, expected: 0x5447))
        // Oversized and wrong schemaId: size first.
        let big = both + [UInt8](repeating: 0, count: 4089)
        #expect(decodeError(big, asVersion: 5)?.reason == .oversized(size: 4097))
        // A template newer than the receiver with a body too short for anything: R5 decides.
        let massCancel = header(blockLength: 0, templateId: 17, version: 4)
        #expect(decodeError(massCancel, asVersion: 3)?.reason == .unknownTemplate)
        #expect(decodeError(massCancel, asVersion: 4)?.reason == .blockLengthTooShort(blockLength: 0, required: 17))
    }

    /// A frame shorter than its blockLength is Malformed even when a bad enum sits in the bytes
    /// that are there: the block's length is checked on entering the block, before its fields
    /// (as a group's entries are checked against the frame before they are read).
    @Test func blockShorterThanBlockLengthBeforeItsFields() throws {
        let frame = Array(patched(GoldenFrame.newOrderV1.bytes, at: 8 + 20, [9]).prefix(8 + 26))
        #expect(decodeError(frame, asVersion: 5)?.reason == .truncated(needed: 30, available: 26))
    }
}

@Suite("R8: a header version that defines no block")
struct VersionBeforeTypeTests {
    @Test(
        "version 0, or older than the message type, is Malformed",
        arguments: [("NewOrder", 0), ("MassCancel", 3), ("MarketDataSnapshot", 1)])
    func versionBeforeType(_ name: String, _ version: Int) throws {
        let type = try #require(Schema.tgp.message(named: name))
        let header = FrameHeader(blockLength: 0, templateId: type.templateId, schemaId: Schema.tgp.schemaId, version: UInt16(version))
        let error = try #require(throws: DecodeError.self) { try Codec().decode(header.bytes, asVersion: 5) }
        #expect(error.code == .malformed)
        #expect(error.reason == .versionBeforeType(version: version, since: type.since))
        #expect(error.offset == 6)
        #expect(error.description.contains("older than the message type"))
    }
}
