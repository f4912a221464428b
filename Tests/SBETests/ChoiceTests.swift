// Enums of any encoding (char, uint8, uint16) and sets: values newer than the acting version
// refused by the encoder, values the receiver's own version lacks refused by the decoder (R7).

import Testing

@testable import SBE

@Suite("Enums and sets")
struct ChoiceTests {
    static let side = EnumSchema(
        "Side", [EnumValue(0x42, "Buy"), EnumValue(0x53, "Sell"), EnumValue(0x58, "Cross", since: 2)], encoding: .char)
    static let venue = EnumSchema(
        "Venue", [EnumValue(1000, "XNYS"), EnumValue(2000, "XLON"), EnumValue(40_000, "XTKS", since: 2)], encoding: .uint16)
    static let liquidity = EnumSchema("Liquidity", [EnumValue(0, "Maker"), EnumValue(1, "Taker")])
    static let flags = SetSchema(
        "Flags", encoding: .uint16,
        choices: [SetSchema.Choice("a", bit: 0), SetSchema.Choice("b", bit: 3), SetSchema.Choice("c", bit: 9, since: 2)])
    static let trade = makeType(
        "Trade",
        fields: [
            FieldSchema("side", .enumeration(side), at: 0),
            FieldSchema("venue", .enumeration(venue), at: 1),
            FieldSchema("liquidity", .enumeration(liquidity), at: 3, presence: .optional),
            FieldSchema("flags", .set(flags), at: 4),
        ])

    static func schema(_ byteOrder: ByteOrder = .littleEndian) -> Schema { makeSchema([trade], versions: 2, byteOrder: byteOrder) }

    static let newest = Message(
        trade, ["side": .unsigned(0x53), "venue": .unsigned(40_000), "liquidity": .null, "flags": .unsigned(0b10_0000_1001)])

    @Test(arguments: [ByteOrder.littleEndian, .bigEndian])
    func choicesTravelAsTheirEncoding(byteOrder: ByteOrder) throws {
        let frame = try Codec(schema: Self.schema(byteOrder)).encode(Self.newest, at: 2)
        let body: [UInt8] =
            byteOrder == .littleEndian
            ? [
                0x53,  // side: 'S', Sell
                0x40, 0x9C,  // venue: 40000 (XTKS) is 0x9C40
                0xFF,  // liquidity: null, uint8's 255
                0x09, 0x02,  // flags: a (bit 0), b (bit 3), c (bit 9) is 0x0209
            ]
            : [
                0x53,  // side
                0x9C, 0x40,  // venue
                0xFF,  // liquidity
                0x02, 0x09,  // flags
            ]
        #expect(frame == standardHeader(blockLength: 6, version: 2, byteOrder) + body)
        #expect(try decodedValues(frame, asVersion: 2, Self.schema(byteOrder)) == Self.newest.values)
    }

    struct EncodeCase: Sendable, CustomTestStringConvertible {
        let field: String
        let value: UInt64
        let version: Int
        let refusal: EncodeError.Refusal
        let detail: String
        var testDescription: String { "\(field) \(value) at v\(version)" }
    }

    static let encodeCases: [EncodeCase] = [
        EncodeCase(
            field: "side", value: 0x58, version: 1, refusal: .unsupportedInVersion,
            detail: "Side.Cross was added in version 2; this session is at version 1"),
        EncodeCase(
            field: "venue", value: 40_000, version: 1, refusal: .unsupportedInVersion,
            detail: "Venue.XTKS was added in version 2; this session is at version 1"),
        EncodeCase(
            field: "flags", value: 0b10_0000_0001, version: 1, refusal: .unsupportedInVersion,
            detail: "Flags.c was added in version 2; this session is at version 1"),
        EncodeCase(field: "side", value: 0x41, version: 2, refusal: .invalidValue, detail: "65 is not a Side value"),
        EncodeCase(field: "venue", value: 3000, version: 2, refusal: .invalidValue, detail: "3000 is not a Venue value"),
        EncodeCase(field: "liquidity", value: 7, version: 2, refusal: .invalidValue, detail: "7 is not a Liquidity value"),
        EncodeCase(field: "flags", value: 0b10_0000, version: 2, refusal: .invalidValue, detail: "bit 5 is not a choice of Flags"),
        EncodeCase(field: "flags", value: 1 << 16, version: 2, refusal: .invalidValue, detail: "65536 does not fit u16"),
    ]

    /// E2: a value or choice newer than the acting version is UnsupportedInVersion; one no version has is InvalidValue.
    @Test(arguments: encodeCases)
    func encoderRefuses(_ c: EncodeCase) throws {
        var values = Message(Self.trade, ["side": .unsigned(0x42), "venue": .unsigned(1000)])
        values[c.field] = .unsigned(c.value)
        let error = try #require(encodeError(values, at: c.version, Self.schema()))
        #expect(error.refusal == c.refusal)
        #expect(error.field == c.field)
        #expect(error.detail == c.detail)
    }

    struct DecodeCase: Sendable, CustomTestStringConvertible {
        let name: String
        let body: [UInt8]
        let receiver: Int
        let reason: DecodeError.Reason
        let offset: Int
        let field: String
        var testDescription: String { name }
    }

    static let decodeCases: [DecodeCase] = [
        DecodeCase(
            name: "a v2 char value at v1", body: [0x58, 0xE8, 0x03, 0x00, 0x00, 0x00], receiver: 1,
            reason: .unknownEnumValue(0x58, enumName: "Side"), offset: 8, field: "side"),
        DecodeCase(
            name: "a v2 uint16 value at v1", body: [0x42, 0x40, 0x9C, 0x00, 0x00, 0x00], receiver: 1,
            reason: .unknownEnumValue(40_000, enumName: "Venue"), offset: 9, field: "venue"),
        DecodeCase(
            name: "no uint16 value", body: [0x42, 0x41, 0x9C, 0x00, 0x00, 0x00], receiver: 2,
            reason: .unknownEnumValue(40_001, enumName: "Venue"), offset: 9, field: "venue"),
        DecodeCase(
            name: "no optional uint8 value", body: [0x42, 0xE8, 0x03, 0x09, 0x00, 0x00], receiver: 2,
            reason: .unknownEnumValue(9, enumName: "Liquidity"), offset: 11, field: "liquidity"),
        DecodeCase(
            name: "a v2 choice at v1", body: [0x42, 0xE8, 0x03, 0x00, 0x01, 0x02], receiver: 1,
            reason: .unknownSetChoice(bits: 0x200, setName: "Flags"), offset: 12, field: "flags"),
        DecodeCase(
            name: "a bit no version has", body: [0x42, 0xE8, 0x03, 0x00, 0x21, 0x00], receiver: 2,
            reason: .unknownSetChoice(bits: 0x20, setName: "Flags"), offset: 12, field: "flags"),
    ]

    /// R7: an enum value or set bit the receiver's own version does not know is InvalidValue,
    /// whatever the frame's version (here 2).
    @Test(arguments: decodeCases)
    func decoderRefuses(_ c: DecodeCase) throws {
        let error = try #require(decodeError(standardHeader(blockLength: 6, version: 2) + c.body, asVersion: c.receiver, Self.schema()))
        #expect(error.reason == c.reason)
        #expect(error.code == .invalidValue)
        #expect(error.offset == c.offset)
        #expect(error.field == c.field)
    }

    /// What a v1 receiver knows it takes, from a v2 frame too.
    @Test func knownChoicesDecodeAtEveryReceiver() throws {
        let frame =
            standardHeader(blockLength: 6, version: 2) + [
                0x53,  // side: Sell
                0xD0, 0x07,  // venue: 2000, XLON
                0x01,  // liquidity: Taker
                0x08, 0x00,  // flags: b
            ]
        for receiver in 1...2 {
            #expect(
                try decodedValues(frame, asVersion: receiver, Self.schema()) == [
                    .unsigned(0x53), .unsigned(2000), .unsigned(1), .unsigned(8),
                ])
        }
    }

    @Test func describesAnUnknownSetChoice() throws {
        let error = try #require(decodeError(standardHeader(blockLength: 6) + [0x42, 0xE8, 0x03, 0x00, 0x21, 0x00], Self.schema()))
        #expect(error.description == "InvalidValue: Trade.flags at byte 12: bits 0x20 are no Flags choice this version knows")
    }
}
