// Composites: members at their offsets, a constant member, a nested composite, enum, set and
// chars members; refusals name the member path.

import Testing

@testable import SBE

@Suite("Composites")
struct CompositeTests {
    static let decimal = CompositeSchema(
        "Decimal",
        members: [
            FieldSchema("mantissa", .primitive(.int64), at: 0),
            FieldSchema("exponent", .primitive(.int8), at: 8, presence: .constant(.signed(-2))),
        ])
    static let kind = EnumSchema("PriceKind", [EnumValue(1, "Limit"), EnumValue(2, "Stop")])
    static let flags = SetSchema(
        "PriceFlags", encoding: .uint8, choices: [SetSchema.Choice("firm", bit: 0), SetSchema.Choice("indicative", bit: 1, since: 2)])
    static let price = CompositeSchema(
        "Price",
        members: [
            FieldSchema("amount", .composite(decimal), at: 0),
            FieldSchema("currency", .chars(3), at: 8),
            FieldSchema("kind", .enumeration(kind), at: 11),
            FieldSchema("flags", .set(flags), at: 12),
        ])
    static let quote = makeType(
        "Quote", fields: [FieldSchema("id", .primitive(.uint16), at: 0), FieldSchema("price", .composite(price), at: 2)])

    static func schema(_ byteOrder: ByteOrder = .littleEndian) -> Schema { makeSchema([quote], versions: 2, byteOrder: byteOrder) }

    static let usd: FieldValue = .composite([.composite([.signed(12_345), .signed(-2)]), .text("USD"), .unsigned(1), .unsigned(1)])

    @Test func sizesFollowTheMembers() {
        #expect(Self.decimal.size == 8)
        #expect(Self.price.size == 13)
        #expect(Self.quote.blockLength(at: 1) == 15)
    }

    @Test(arguments: [ByteOrder.littleEndian, .bigEndian])
    func membersSitAtTheirOffsets(byteOrder: ByteOrder) throws {
        let frame = try Codec(schema: Self.schema(byteOrder)).encode(Message(Self.quote, ["id": .unsigned(7), "price": Self.usd]), at: 1)
        let id: [UInt8] = byteOrder == .littleEndian ? [0x07, 0x00] : [0x00, 0x07]
        let mantissa: [UInt8] =  // 12345 is 0x3039; the exponent is a constant, not on the wire
            byteOrder == .littleEndian
            ? [0x39, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00] : [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0x39]
        let rest: [UInt8] = [
            0x55, 0x53, 0x44,  // currency: "USD"
            0x01,  // kind: Limit
            0x01,  // flags: firm
        ]
        #expect(frame == standardHeader(blockLength: 15, byteOrder) + id + mantissa + rest)
        #expect(try decodedValues(frame, Self.schema(byteOrder)) == [.unsigned(7), Self.usd])
    }

    /// R1's default of a composite is its members' defaults, the constant's value among them; it encodes.
    @Test func defaultsEncode() throws {
        let defaults = Message(Self.quote)
        #expect(defaults.values[1] == .composite([.composite([.signed(0), .signed(-2)]), .text(""), .unsigned(1), .unsigned(0)]))
        let frame = try Codec(schema: Self.schema()).encode(defaults, at: 1)
        #expect(try decodedValues(frame, Self.schema()) == defaults.values)
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        let value: FieldValue
        let version: Int
        let refusal: EncodeError.Refusal
        let field: String
        let detail: String
        var testDescription: String { field + " " + detail }
    }

    static let refusals: [Refusal] = [
        Refusal(
            value: .composite([.composite([.signed(1), .signed(-3)]), .text("USD"), .unsigned(1), .unsigned(0)]), version: 1,
            refusal: .invalidValue, field: "price.amount.exponent", detail: "exponent is the constant -2; got -3"),
        Refusal(
            value: .composite([.composite([.signed(1), .signed(-2)]), .text("USDX"), .unsigned(1), .unsigned(0)]), version: 1,
            refusal: .invalidValue, field: "price.currency", detail: "\"USDX\" is not up to 3 characters of printable ASCII"),
        Refusal(
            value: .composite([.composite([.signed(1), .signed(-2)]), .text("USD"), .unsigned(9), .unsigned(0)]), version: 1,
            refusal: .invalidValue, field: "price.kind", detail: "9 is not a PriceKind value"),
        Refusal(
            value: .composite([.composite([.signed(1), .signed(-2)]), .text("USD"), .unsigned(1), .unsigned(2)]), version: 1,
            refusal: .unsupportedInVersion, field: "price.flags",
            detail: "PriceFlags.indicative was added in version 2; this session is at version 1"),
        Refusal(
            value: .composite([.composite([.signed(1), .signed(-2)]), .text("USD"), .unsigned(1)]), version: 1, refusal: .invalidValue,
            field: "price", detail: "expected a composite of 4 members, got composite("),
        Refusal(
            value: .composite([.signed(1), .text("USD"), .unsigned(1), .unsigned(0)]), version: 1, refusal: .invalidValue,
            field: "price.amount", detail: "expected a composite of 2 members, got signed(1)"),
    ]

    /// E2 inside a composite: the refusal names the member path (`detail` is the start of the text).
    @Test(arguments: refusals)
    func encoderRefusesMembers(_ c: Refusal) throws {
        let error = try #require(encodeError(Message(Self.quote, ["price": c.value]), at: c.version, Self.schema()))
        #expect(error.refusal == c.refusal)
        #expect(error.field == c.field)
        #expect(error.detail.hasPrefix(c.detail))
    }

    @Test func newerChoiceEncodesAtItsVersion() throws {
        let indicative: FieldValue = .composite([.composite([.signed(1), .signed(-2)]), .text("EUR"), .unsigned(2), .unsigned(3)])
        let frame = try Codec(schema: Self.schema()).encode(Message(Self.quote, ["price": indicative]), at: 2)
        #expect(frame.suffix(5) == [0x45, 0x55, 0x52, 0x02, 0x03])  // "EUR", Stop, firm and indicative
        #expect(try decodedValues(frame, asVersion: 2, Self.schema())[1] == indicative)
    }

    /// R7 inside a composite: the refusal names the member and its byte.
    @Test func decoderRefusesMembers() throws {
        let frame =
            standardHeader(blockLength: 15) + [
                0x07, 0x00,  // id
                0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // price.amount.mantissa: 1
                0x55, 0x53, 0x44,  // price.currency: "USD"
                0x09,  // price.kind: 9, no PriceKind value
                0x00,  // price.flags
            ]
        let error = try #require(decodeError(frame, Self.schema()))
        #expect(error.reason == .unknownEnumValue(9, enumName: "PriceKind"))
        #expect(error.field == "price.kind")
        #expect(error.offset == 8 + 2 + 11)
        let badCurrency = try #require(decodeError(patched(frame, at: 8 + 2 + 9, [0x00]), Self.schema()))
        #expect(badCurrency.reason == .invalidChars(byte: 0x44, length: 3))
        #expect(badCurrency.field == "price.currency")
        #expect(badCurrency.offset == 8 + 2 + 10)
    }
}
