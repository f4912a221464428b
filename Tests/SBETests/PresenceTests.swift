// Presence (optional fields and their null values, constants, required fields) and the
// explicit ranges only the encoder checks.

import Testing

@testable import SBE

@Suite("Presence and ranges")
struct PresenceTests {
    static let optionals = makeType(fields: [
        FieldSchema("px", .primitive(.double), at: 0, presence: .optional),
        FieldSchema("qty", .primitive(.float), at: 8, presence: .optional),
        FieldSchema("count", .primitive(.uint16), at: 12, presence: .optional),
        FieldSchema("delta", .primitive(.int32), at: 14, presence: .optional),
        // An explicit null value instead of the type's.
        FieldSchema("level", .primitive(.uint8), at: 18, presence: .optional, nullValue: .unsigned(0)),
    ])
    static let schema = makeSchema([optionals])

    /// Encoding `.null` writes each type's null value; decoding it gives `.null` back.
    @Test func nullsTravelAsTheNullValue() throws {
        let nulls = Message(Self.optionals, ["px": .null, "qty": .null, "count": .null, "delta": .null, "level": .null])
        let frame = try Codec(schema: Self.schema).encode(nulls, at: 1)
        let body: [UInt8] = [
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF8, 0x7F,  // px: double NaN 0x7FF8_0000_0000_0000
            0x00, 0x00, 0xC0, 0x7F,  // qty: float NaN 0x7FC0_0000
            0xFF, 0xFF,  // count: uint16 null 65535
            0x00, 0x00, 0x00, 0x80,  // delta: int32 null -2147483648
            0x00,  // level: its explicit null 0
        ]
        #expect(frame == standardHeader(blockLength: 19) + body)
        #expect(try decodedValues(frame, Self.schema) == [.null, .null, .null, .null, .null])
    }

    /// Any NaN is the null of an optional float or double, signalling ones included.
    @Test func anyNaNIsNull() throws {
        let frame =
            standardHeader(blockLength: 19) + [
                0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0x7F,  // px: signalling NaN 0x7FF0_0000_0000_0001
                0x01, 0x00, 0x80, 0xFF,  // qty: negative NaN 0xFF80_0001
                0x07, 0x00,  // count: 7
                0xFE, 0xFF, 0xFF, 0xFF,  // delta: -2
                0x09,  // level: 9
            ]
        #expect(try decodedValues(frame, Self.schema) == [.null, .null, .unsigned(7), .signed(-2), .unsigned(9)])
    }

    /// A value beside the null value stays a value: the type's own range.
    @Test func valuesNextToTheNullValueAreValues() throws {
        let values = Message(
            Self.optionals,
            [
                "px": .double(-0.0), "qty": .double(3.25), "count": .unsigned(65_534), "delta": .signed(-2_147_483_647),
                "level": .unsigned(1),
            ])
        let frame = try Codec(schema: Self.schema).encode(values, at: 1)
        let decoded = try decodedValues(frame, Self.schema)
        #expect(zip(decoded, values.values).allSatisfy { sameBits($0, $1) })
    }

    static let required = makeType(fields: [
        FieldSchema("plain", .primitive(.uint32), at: 0),
        FieldSchema("ranged", .primitive(.uint32), at: 4, minValue: .unsigned(1)),
    ])

    /// E2: `.null` for a required field is InvalidValue, whichever wire carries it.
    @Test(arguments: ["plain", "ranged"])
    func nullForARequiredFieldIsRefused(field: String) throws {
        let schema = makeSchema([Self.required])
        var values = Message(Self.required, ["plain": .unsigned(1), "ranged": .unsigned(1)])
        values[field] = .null
        let error = try #require(encodeError(values, schema))
        #expect(error.refusal == .invalidValue)
        #expect(error.field == field)
        #expect(error.detail.contains(".null is only for optional fields"))
    }

    static let constants = makeType(fields: [
        FieldSchema("id", .primitive(.uint16), at: 0),
        FieldSchema("qty", .primitive(.uint8), at: 2),
        // No bytes: the block ends where it starts.
        FieldSchema("venue", .primitive(.uint16), at: 3, presence: .constant(.unsigned(7))),
    ])

    /// A constant takes no bytes; decoding gives its value; encoding takes it (or the default).
    @Test func constantsTakeNoBytes() throws {
        let schema = makeSchema([Self.constants])
        #expect(Self.constants.blockLength(at: 1) == 3)
        let frame = try Codec(schema: schema).encode(Message(Self.constants, ["id": .unsigned(0x0102), "qty": .unsigned(5)]), at: 1)
        #expect(frame == standardHeader(blockLength: 3) + [0x02, 0x01, 0x05])  // id 0x0102, qty 5: venue is not on the wire
        #expect(try decodedValues(frame, schema) == [.unsigned(0x0102), .unsigned(5), .unsigned(7)])
        let explicit = Message(Self.constants, ["id": .unsigned(0x0102), "venue": .unsigned(7), "qty": .unsigned(5)])
        #expect(try Codec(schema: schema).encode(explicit, at: 1) == frame)
    }

    @Test func anotherValueForAConstantIsRefused() throws {
        let schema = makeSchema([Self.constants])
        let error = try #require(encodeError(Message(Self.constants, ["venue": .unsigned(8)]), schema))
        #expect(error.refusal == .invalidValue)
        #expect(error.field == "venue")
        #expect(error.detail == "venue is the constant 7; got 8")
    }

    static let ranged = makeType(fields: [
        FieldSchema("pct", .primitive(.uint8), at: 0, minValue: .unsigned(1), maxValue: .unsigned(100)),
        FieldSchema("offset", .primitive(.int32), at: 1, minValue: .signed(-10), maxValue: .signed(10)),
        FieldSchema("ratio", .primitive(.double), at: 5, minValue: .double(0), maxValue: .double(1)),
        FieldSchema("floor", .primitive(.uint16), at: 13, minValue: .unsigned(5)),
    ])

    struct OutOfRange: Sendable, CustomTestStringConvertible {
        let field: String
        let value: FieldValue
        let detail: String
        var testDescription: String { "\(field) \(value)" }
    }

    static let outOfRange: [OutOfRange] = [
        OutOfRange(field: "pct", value: .unsigned(0), detail: "0 is outside pct's range 1...100"),
        OutOfRange(field: "pct", value: .unsigned(101), detail: "101 is outside pct's range 1...100"),
        OutOfRange(field: "offset", value: .signed(-11), detail: "-11 is outside offset's range -10...10"),
        OutOfRange(field: "ratio", value: .double(1.5), detail: "1.5 is outside ratio's range 0.0...1.0"),
        OutOfRange(field: "ratio", value: .double(.nan), detail: "nan is outside ratio's range 0.0...1.0"),
        OutOfRange(field: "floor", value: .unsigned(4), detail: "4 is outside floor's range 5..."),
    ]

    static let inRange = Message(ranged, ["pct": .unsigned(1), "offset": .signed(10), "ratio": .double(0), "floor": .unsigned(5)])

    /// E2: the encoder refuses a value outside the schema's explicit range.
    @Test(arguments: outOfRange)
    func encoderRefusesValuesOutsideTheRange(_ c: OutOfRange) throws {
        var values = Self.inRange
        values[c.field] = c.value
        let error = try #require(encodeError(values, makeSchema([Self.ranged])))
        #expect(error.refusal == .invalidValue)
        #expect(error.field == c.field)
        #expect(error.detail == c.detail)
    }

    /// The bounds themselves are in range, and the decoder does not check the range at all.
    @Test func boundsEncodeAndTheDecoderIsLenient() throws {
        let schema = makeSchema([Self.ranged])
        #expect(encodeError(Self.inRange, schema) == nil)
        let frame =
            standardHeader(blockLength: 15) + [
                0xC8,  // pct: 200, above 100
                0x9C, 0xFF, 0xFF, 0xFF,  // offset: -100
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40,  // ratio: 2.0
                0x00, 0x00,  // floor: 0
            ]
        #expect(try decodedValues(frame, schema) == [.unsigned(200), .signed(-100), .double(2), .unsigned(0)])
    }
}
