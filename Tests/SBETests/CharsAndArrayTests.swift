// Character arrays of any length (W1's char8 rule generalised: printable ASCII, then 0x00
// padding) and fixed arrays of other primitives.

import Testing

@testable import SBE

@Suite("Chars and arrays")
struct CharsAndArrayTests {
    static let chars = makeType(fields: [
        FieldSchema("code", .chars(4), at: 0),
        FieldSchema("flag", .chars(1), at: 4),
        FieldSchema("symbol", .chars(8), at: 5, presence: .optional),
    ])
    static let charsSchema = makeSchema([chars])

    @Test func textIsPaddedWithZeros() throws {
        let frame = try Codec(schema: Self.charsSchema).encode(
            Message(Self.chars, ["code": .text("AB"), "flag": .text("Z"), "symbol": .text("ACME")]), at: 1)
        let body: [UInt8] = [
            0x41, 0x42, 0x00, 0x00,  // code: "AB", padded to 4
            0x5A,  // flag: "Z"
            0x41, 0x43, 0x4D, 0x45, 0x00, 0x00, 0x00, 0x00,  // symbol: "ACME", padded to 8
        ]
        #expect(frame == standardHeader(blockLength: 13) + body)
        #expect(try decodedValues(frame, Self.charsSchema) == [.text("AB"), .text("Z"), .text("ACME")])
    }

    /// The printable bounds fill a field; an optional one of only padding is null.
    @Test func fullWidthAndNull() throws {
        let frame = try Codec(schema: Self.charsSchema).encode(
            Message(Self.chars, ["code": .text(" ~ ~"), "flag": .text(""), "symbol": .null]), at: 1)
        let body: [UInt8] = [
            0x20, 0x7E, 0x20, 0x7E,  // code: " ~ ~", no padding
            0x00,  // flag: ""
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // symbol: null, all padding
        ]
        #expect(frame == standardHeader(blockLength: 13) + body)
        #expect(try decodedValues(frame, Self.charsSchema) == [.text(" ~ ~"), .text(""), .null])
    }

    struct BadText: Sendable, CustomTestStringConvertible {
        let field: String
        let text: String
        let detail: String
        var testDescription: String { "\(field) \(text.debugDescription)" }
    }

    static let badTexts: [BadText] = [
        BadText(field: "code", text: "ABCDE", detail: "\"ABCDE\" is not up to 4 characters of printable ASCII"),
        BadText(field: "code", text: "A\u{7F}", detail: "\"A\u{7F}\" is not up to 4 characters of printable ASCII"),
        BadText(field: "code", text: "\u{1F}", detail: "\"\u{1F}\" is not up to 4 characters of printable ASCII"),
        BadText(field: "code", text: "é", detail: "\"é\" is not up to 4 characters of printable ASCII"),
        BadText(field: "symbol", text: "ACMECORP1", detail: "\"ACMECORP1\" is not up to 8 characters of printable ASCII"),
    ]

    /// E2: too long, or not printable ASCII.
    @Test(arguments: badTexts)
    func encoderRefusesBadText(_ c: BadText) throws {
        let error = try #require(encodeError(Message(Self.chars, [c.field: .text(c.text)]), Self.charsSchema))
        #expect(error.refusal == .invalidValue)
        #expect(error.field == c.field)
        #expect(error.detail == c.detail)
    }

    struct BadBytes: Sendable, CustomTestStringConvertible {
        let name: String
        let block: [UInt8]
        let reason: DecodeError.Reason
        let offset: Int
        let field: String
        var testDescription: String { name }
    }

    static let badBytes: [BadBytes] = [
        BadBytes(
            name: "text after padding", block: [0x41, 0x00, 0x42, 0x00, 0x5A] + [UInt8](repeating: 0, count: 8),
            reason: .invalidChars(byte: 0x42, length: 4), offset: 8 + 2, field: "code"),
        BadBytes(
            name: "control byte", block: [0x41, 0x1F, 0x00, 0x00, 0x5A] + [UInt8](repeating: 0, count: 8),
            reason: .invalidChars(byte: 0x1F, length: 4), offset: 8 + 1, field: "code"),
        BadBytes(
            name: "DEL in a char", block: [0x41, 0x00, 0x00, 0x00, 0x7F] + [UInt8](repeating: 0, count: 8),
            reason: .invalidChars(byte: 0x7F, length: 1), offset: 8 + 4, field: "flag"),
        BadBytes(
            name: "non-ASCII in an optional char8", block: [0x41, 0x00, 0x00, 0x00, 0x5A, 0x41, 0xC3, 0xA9, 0, 0, 0, 0, 0],
            reason: .invalidChar8(byte: 0xC3), offset: 8 + 6, field: "symbol"),
    ]

    /// R7: bytes that break the rule are InvalidValue, at the offending byte.
    @Test(arguments: badBytes)
    func decoderRefusesBadBytes(_ c: BadBytes) throws {
        let error = try #require(decodeError(standardHeader(blockLength: 13) + c.block, Self.charsSchema))
        #expect(error.reason == c.reason)
        #expect(error.code == .invalidValue)
        #expect(error.offset == c.offset)
        #expect(error.field == c.field)
    }

    static let arrays = makeType(fields: [
        FieldSchema("levels", .array(.uint16, 3), at: 0),
        FieldSchema("deltas", .array(.int8, 2), at: 6, presence: .optional),
    ])

    @Test(arguments: [ByteOrder.littleEndian, .bigEndian])
    func arraysCarryEachElement(byteOrder: ByteOrder) throws {
        let schema = makeSchema([Self.arrays], byteOrder: byteOrder)
        let values = Message(
            Self.arrays, ["levels": .array([.unsigned(1), .unsigned(2), .unsigned(0xABCD)]), "deltas": .array([.null, .signed(-5)])])
        let frame = try Codec(schema: schema).encode(values, at: 1)
        let levels: [UInt8] =
            byteOrder == .littleEndian
            ? [0x01, 0x00, 0x02, 0x00, 0xCD, 0xAB]  // 1, 2, 0xABCD little-endian
            : [0x00, 0x01, 0x00, 0x02, 0xAB, 0xCD]  // the same big-endian
        let deltas: [UInt8] = [0x80, 0xFB]  // null (-128), then -5
        #expect(frame == standardHeader(blockLength: 8, byteOrder) + levels + deltas)
        #expect(try decodedValues(frame, schema) == values.values)
    }

    /// An optional array with no value (`.null`) is every element at its null, and decodes back as `.null`.
    @Test func anOptionalArrayWithNoValueIsEveryElementNull() throws {
        let schema = makeSchema([Self.arrays])
        let values = Message(Self.arrays, ["levels": .array([.unsigned(1), .unsigned(2), .unsigned(3)]), "deltas": .null])
        let frame = try Codec(schema: schema).encode(values, at: 1)
        #expect(Array(frame.suffix(2)) == [0x80, 0x80])  // int8's null, twice
        #expect(try decodedValues(frame, schema) == values.values)
        let allNull = Message(
            Self.arrays, ["levels": .array([.unsigned(1), .unsigned(2), .unsigned(3)]), "deltas": .array([.null, .null])])
        #expect(try Codec(schema: schema).encode(allNull, at: 1) == frame)
    }

    struct BadArray: Sendable, CustomTestStringConvertible {
        let field: String
        let value: FieldValue
        let detail: String
        var testDescription: String { "\(field) \(value)" }
    }

    static let badArrays: [BadArray] = [
        BadArray(field: "levels", value: .array([.unsigned(1), .unsigned(2)]), detail: "expected an array of 3 u16, got array("),
        BadArray(field: "levels", value: .array([.unsigned(1), .unsigned(2), .unsigned(65_536)]), detail: "65536 does not fit u16"),
        BadArray(
            field: "levels", value: .array([.unsigned(1), .null, .unsigned(2)]),
            detail: "levels is required: .null is only for optional fields"),
        BadArray(field: "deltas", value: .unsigned(1), detail: "expected an array of 2 i8, got unsigned(1)"),
    ]

    /// E2: the wrong count, an element out of range, a null the field cannot carry. (`detail`
    /// is the start of the refusal's text: the rest shows the value given.)
    @Test(arguments: badArrays)
    func encoderRefusesBadArrays(_ c: BadArray) throws {
        let values = Message(
            Self.arrays, ["levels": .array([.unsigned(0), .unsigned(0), .unsigned(0)]), "deltas": .array([.null, .signed(1)])])
        var bad = values
        bad[c.field] = c.value
        let error = try #require(encodeError(bad, makeSchema([Self.arrays])))
        #expect(error.refusal == .invalidValue)
        #expect(error.field == c.field)
        #expect(error.detail.hasPrefix(c.detail))
    }
}
