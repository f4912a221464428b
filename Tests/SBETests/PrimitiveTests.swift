// Every primitive in both byte orders: the bytes a one-field frame carries, and back.

import Testing

@testable import SBE

@Suite("Primitives")
struct PrimitiveTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let primitive: Primitive
        let value: FieldValue
        let littleEndian: [UInt8]
        let bigEndian: [UInt8]
        var testDescription: String { "\(primitive)" }
    }

    static let cases: [Case] = [
        Case(primitive: .int8, value: .signed(-2), littleEndian: [0xFE], bigEndian: [0xFE]),
        // -3 is 0xFFFD
        Case(primitive: .int16, value: .signed(-3), littleEndian: [0xFD, 0xFF], bigEndian: [0xFF, 0xFD]),
        Case(primitive: .int32, value: .signed(0x0102_0304), littleEndian: [0x04, 0x03, 0x02, 0x01], bigEndian: [0x01, 0x02, 0x03, 0x04]),
        // -2 is 0xFFFF_FFFF_FFFF_FFFE
        Case(
            primitive: .int64, value: .signed(-2), littleEndian: [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
            bigEndian: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE]),
        Case(primitive: .uint8, value: .unsigned(0xAB), littleEndian: [0xAB], bigEndian: [0xAB]),
        Case(primitive: .uint16, value: .unsigned(0x1234), littleEndian: [0x34, 0x12], bigEndian: [0x12, 0x34]),
        Case(
            primitive: .uint32, value: .unsigned(0x89AB_CDEF), littleEndian: [0xEF, 0xCD, 0xAB, 0x89], bigEndian: [0x89, 0xAB, 0xCD, 0xEF]),
        Case(
            primitive: .uint64, value: .unsigned(0x0102_0304_0506_0708), littleEndian: [0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01],
            bigEndian: [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08]),
        // 1.5 as float is 0x3FC0_0000
        Case(primitive: .float, value: .double(1.5), littleEndian: [0x00, 0x00, 0xC0, 0x3F], bigEndian: [0x3F, 0xC0, 0x00, 0x00]),
        // -2.25 as double is 0xC002_0000_0000_0000
        Case(
            primitive: .double, value: .double(-2.25), littleEndian: [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xC0],
            bigEndian: [0xC0, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]),
        // A lone char primitive is its byte: 'A'
        Case(primitive: .char, value: .unsigned(0x41), littleEndian: [0x41], bigEndian: [0x41]),
    ]

    static func schema(_ primitive: Primitive, _ byteOrder: ByteOrder, presence: Presence = .required) -> Schema {
        makeSchema([makeType(fields: [FieldSchema("value", .primitive(primitive), at: 0, presence: presence)])], byteOrder: byteOrder)
    }

    @Test(arguments: cases, [ByteOrder.littleEndian, .bigEndian])
    func encodesAndDecodes(_ c: Case, byteOrder: ByteOrder) throws {
        let schema = Self.schema(c.primitive, byteOrder)
        let body = byteOrder == .littleEndian ? c.littleEndian : c.bigEndian
        let frame = try Codec(schema: schema).encode(message(schema.messages[0], ["value": c.value]), at: 1)
        #expect(frame == standardHeader(blockLength: c.primitive.size, byteOrder) + body)
        #expect(try decodedValues(frame, schema) == [c.value])
    }

    /// An optional field goes the general way: the same bytes for a value.
    @Test(arguments: cases, [ByteOrder.littleEndian, .bigEndian])
    func optionalFieldCarriesTheSameBytes(_ c: Case, byteOrder: ByteOrder) throws {
        let schema = Self.schema(c.primitive, byteOrder, presence: .optional)
        let body = byteOrder == .littleEndian ? c.littleEndian : c.bigEndian
        let frame = try Codec(schema: schema).encode(message(schema.messages[0], ["value": c.value]), at: 1)
        #expect(frame == standardHeader(blockLength: c.primitive.size, byteOrder) + body)
        #expect(try decodedValues(frame, schema) == [c.value])
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        let primitive: Primitive
        let value: FieldValue
        let detail: String
        var testDescription: String { "\(primitive) \(value)" }
    }

    static let refusals: [Refusal] = [
        Refusal(primitive: .int8, value: .signed(128), detail: "128 does not fit i8"),
        Refusal(primitive: .int16, value: .signed(-32_769), detail: "-32769 does not fit i16"),
        Refusal(primitive: .int32, value: .signed(1 << 31), detail: "2147483648 does not fit i32"),
        Refusal(primitive: .uint8, value: .unsigned(256), detail: "256 does not fit u8"),
        Refusal(primitive: .uint16, value: .unsigned(65_536), detail: "65536 does not fit u16"),
        Refusal(primitive: .uint32, value: .unsigned(1 << 32), detail: "4294967296 does not fit u32"),
        Refusal(primitive: .float, value: .double(1e39), detail: "1e+39 does not fit f32"),
        Refusal(primitive: .int64, value: .unsigned(1), detail: "expected a signed integer, got unsigned(1)"),
        Refusal(primitive: .uint64, value: .signed(1), detail: "expected an unsigned integer, got signed(1)"),
        Refusal(primitive: .double, value: .text("1"), detail: "expected a floating-point number, got text(\"1\")"),
    ]

    /// E2: a value the type cannot hold is InvalidValue, on the plain wire and on the general one.
    @Test(arguments: refusals, [Presence.required, .optional])
    func refusesAValueTheTypeCannotHold(_ r: Refusal, presence: Presence) throws {
        let schema = Self.schema(r.primitive, .littleEndian, presence: presence)
        let error = try #require(encodeError(message(schema.messages[0], ["value": r.value]), schema))
        #expect(error.refusal == .invalidValue)
        #expect(error.field == "value")
        #expect(error.detail == r.detail)
    }

    /// Fields at their offsets in one block, big-endian: each value where the schema puts it.
    @Test func fieldsSitAtTheirOffsets() throws {
        let type = makeType(fields: [
            FieldSchema("a", .primitive(.uint16), at: 0),
            FieldSchema("b", .primitive(.int32), at: 2),
            FieldSchema("c", .primitive(.double), at: 6),
        ])
        let schema = makeSchema([type], byteOrder: .bigEndian)
        let frame = try Codec(schema: schema).encode(message(type, ["a": .unsigned(0x0102), "b": .signed(-1), "c": .double(0.5)]), at: 1)
        let body: [UInt8] = [
            0x01, 0x02,  // a: 0x0102
            0xFF, 0xFF, 0xFF, 0xFF,  // b: -1
            0x3F, 0xE0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // c: 0.5 is 0x3FE0_0000_0000_0000
        ]
        #expect(frame == standardHeader(blockLength: 14, .bigEndian) + body)
        #expect(try decodedValues(frame, schema) == [.unsigned(0x0102), .signed(-1), .double(0.5)])
    }
}
