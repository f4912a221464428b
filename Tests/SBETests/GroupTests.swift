// Groups with any dimension, var-data of any encoding, and groups nested two deep with
// var-data inside their entries (W4, W5, R3, R4, R8).

import Testing

@testable import SBE

@Suite("Groups and var-data")
struct GroupTests {
    // MARK: A uint8 numInGroup and a uint32 var-data length

    static let narrowDimension = DimensionSchema(
        size: 3, blockLength: EncodedSlot(offset: 0, type: .uint16), numInGroup: EncodedSlot(offset: 2, type: .uint8), maxEntries: 3)
    static let memoEncoding = VarDataEncoding(length: EncodedSlot(offset: 0, type: .uint32), maxLength: 4, characterEncoding: nil)
    static let legs = makeType(
        "Legs", fields: [FieldSchema("id", .primitive(.uint8), at: 0)],
        groups: [
            GroupSchema(
                "legs", fields: [FieldSchema("qty", .primitive(.uint32), at: 0), FieldSchema("px", .primitive(.int16), at: 4)],
                dimension: narrowDimension)
        ], varData: [VarDataSchema("memo", encoding: memoEncoding)])

    static let twoLegs = Message(
        legs,
        [
            "id": .unsigned(5), "legs": .group([[.unsigned(10), .signed(-1)], [.unsigned(20), .signed(2)]]),
            "memo": .bytes([0xAA, 0xBB, 0xCC]),
        ])

    static let twoLegsLittleEndian: [UInt8] =
        standardHeader(blockLength: 1) + [
            0x05,  // id
            0x06, 0x00,  // legs: entry blockLength 6 (uint16)
            0x02,  // legs: numInGroup 2 (uint8)
            0x0A, 0x00, 0x00, 0x00, 0xFF, 0xFF,  // legs[0]: qty 10, px -1
            0x14, 0x00, 0x00, 0x00, 0x02, 0x00,  // legs[1]: qty 20, px 2
            0x03, 0x00, 0x00, 0x00,  // memo: length 3 (uint32)
            0xAA, 0xBB, 0xCC,  // memo: the bytes, raw (no characterEncoding)
        ]

    @Test func narrowCountAndWideLength() throws {
        let schema = makeSchema([Self.legs])
        let frame = try Codec(schema: schema).encode(Self.twoLegs, at: 1)
        #expect(frame == Self.twoLegsLittleEndian)
        #expect(try decodedValues(frame, schema) == Self.twoLegs.values)
    }

    @Test func bigEndianDimensionAndLength() throws {
        let schema = makeSchema([Self.legs], byteOrder: .bigEndian)
        let frame = try Codec(schema: schema).encode(Self.twoLegs, at: 1)
        let expected =
            standardHeader(blockLength: 1, .bigEndian) + [
                0x05,  // id
                0x00, 0x06,  // legs: entry blockLength 6
                0x02,  // legs: numInGroup 2
                0x00, 0x00, 0x00, 0x0A, 0xFF, 0xFF,  // legs[0]: qty 10, px -1
                0x00, 0x00, 0x00, 0x14, 0x00, 0x02,  // legs[1]: qty 20, px 2
                0x00, 0x00, 0x00, 0x03,  // memo: length 3
                0xAA, 0xBB, 0xCC,  // memo
            ]
        #expect(frame == expected)
        #expect(try decodedValues(frame, schema) == Self.twoLegs.values)
    }

    /// The cap on entries is the smaller of the dimension's and the schema's.
    @Test(arguments: [(maxGroupEntries: 64, cap: 3), (maxGroupEntries: 2, cap: 2)])
    func entriesAreCapped(maxGroupEntries: Int, cap: Int) throws {
        let schema = makeSchema([Self.legs], maxGroupEntries: maxGroupEntries)
        var tooMany = Self.twoLegs
        tooMany["legs"] = .group(Array(repeating: [.unsigned(1), .signed(1)], count: cap + 1))
        let error = try #require(encodeError(tooMany, schema))
        #expect(error.refusal == .invalidValue)
        #expect(error.field == "legs")
        #expect(error.detail == "\(cap + 1) entries; a group holds at most \(cap)")

        let refused = try #require(decodeError(patched(Self.twoLegsLittleEndian, at: 11, [UInt8(cap + 1)]), schema))
        #expect(refused.reason == .tooManyGroupEntries(cap + 1))
        #expect(refused.offset == 11)
        #expect(refused.field == "legs")
    }

    /// The cap on bytes is the smaller of the encoding's (4 here) and the schema's.
    @Test func varDataIsCapped() throws {
        let schema = makeSchema([Self.legs])
        var long = Self.twoLegs
        long["memo"] = .bytes([1, 2, 3, 4, 5])
        let error = try #require(encodeError(long, schema))
        #expect(error.field == "memo")
        #expect(error.detail == "5 bytes; var-data holds at most 4")

        let refused = try #require(decodeError(patched(Self.twoLegsLittleEndian, at: 24, [0x05]) + [0xDD, 0xEE], schema))
        #expect(refused.reason == .varDataTooLong(5))
        #expect(refused.offset == 24)
        #expect(refused.field == "memo")
    }

    /// Binary var-data takes `.bytes`, text var-data `.text`: the other is refused.
    @Test func varDataKindMustMatch() throws {
        var text = Self.twoLegs
        text["memo"] = .text("abc")
        let error = try #require(encodeError(text, makeSchema([Self.legs])))
        #expect(error.refusal == .invalidValue)
        #expect(error.detail == "expected bytes, got text(\"abc\")")
    }

    // MARK: Nested groups with var-data in their entries

    static let book = makeType(
        "Book", fields: [FieldSchema("bookId", .primitive(.uint32), at: 0)],
        groups: [
            GroupSchema(
                "sides", fields: [FieldSchema("side", .primitive(.uint8), at: 0)],
                groups: [
                    GroupSchema(
                        "levels", fields: [FieldSchema("px", .primitive(.int64), at: 0), FieldSchema("qty", .primitive(.uint32), at: 8)],
                        varData: [VarDataSchema("note")])
                ], varData: [VarDataSchema("comment")])
        ], varData: [VarDataSchema("text")])

    static let bookMessage = Message(
        book,
        [
            "bookId": .unsigned(42),
            "sides": .group([
                [.unsigned(1), .group([[.signed(100), .unsigned(5), .text("a")]]), .text("x")],
                [.unsigned(2), .group([]), .text("")],
            ]),
            "text": .text("end"),
        ])

    static let bookFrame: [UInt8] =
        standardHeader(blockLength: 4) + [
            0x2A, 0x00, 0x00, 0x00,  // bookId 42
            0x01, 0x00, 0x02, 0x00,  // sides: entry blockLength 1, 2 entries
            0x01,  // sides[0].side
            0x0C, 0x00, 0x01, 0x00,  // sides[0].levels: entry blockLength 12, 1 entry
            0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // sides[0].levels[0].px 100
            0x05, 0x00, 0x00, 0x00,  // sides[0].levels[0].qty 5
            0x01, 0x00, 0x61,  // sides[0].levels[0].note "a"
            0x01, 0x00, 0x78,  // sides[0].comment "x"
            0x02,  // sides[1].side
            0x0C, 0x00, 0x00, 0x00,  // sides[1].levels: no entries
            0x00, 0x00,  // sides[1].comment ""
            0x03, 0x00, 0x65, 0x6E, 0x64,  // text "end"
        ]

    @Test func nestedGroupsCarryTheirVarData() throws {
        let schema = makeSchema([Self.book])
        let frame = try Codec(schema: schema).encode(Self.bookMessage, at: 1)
        #expect(frame == Self.bookFrame)
        #expect(try decodedValues(frame, schema) == Self.bookMessage.values)
    }

    struct NestedRefusal: Sendable, CustomTestStringConvertible {
        let name: String
        let frame: [UInt8]
        let reason: DecodeError.Reason
        let offset: Int
        let field: String
        var testDescription: String { name }
    }

    static let nestedRefusals: [NestedRefusal] = [
        NestedRefusal(
            name: "a nested entry shorter than its version", frame: patched(bookFrame, at: 17, [0x0B]),
            reason: .groupBlockLengthTooShort(blockLength: 11, required: 12), offset: 17, field: "sides.levels"),
        NestedRefusal(
            name: "var-data in a nested entry past the end", frame: patched(bookFrame, at: 33, [0x40]),
            reason: .truncated(needed: 64, available: 16), offset: 35, field: "sides.levels.note"),
        NestedRefusal(
            name: "invalid UTF-8 in an entry's var-data", frame: patched(bookFrame, at: 38, [0xFF]),
            reason: .invalidUTF8, offset: 38, field: "sides.comment"),
        NestedRefusal(
            name: "an entry's block past the var-data before it", frame: Array(bookFrame.prefix(39)),
            reason: .truncated(needed: 1, available: 0), offset: 39, field: "sides"),
    ]

    /// R8/R7 in nested entries: the refusal names the group path and the byte.
    @Test(arguments: nestedRefusals)
    func nestedRefusalsNameThePath(_ c: NestedRefusal) throws {
        let error = try #require(decodeError(c.frame, makeSchema([Self.book])))
        #expect(error.reason == c.reason)
        #expect(error.offset == c.offset)
        #expect(error.field == c.field)
    }

    @Test func anEntryOfTheWrongShapeIsRefused() throws {
        var bad = Self.bookMessage
        bad["sides"] = .group([[.unsigned(1), .group([[.signed(1), .unsigned(1)]]), .text("")]])
        let error = try #require(encodeError(bad, makeSchema([Self.book])))
        #expect(error.refusal == .invalidValue)
        #expect(error.field == "sides.levels")
        #expect(error.detail == "an entry has 2 values; sides.levels has 3 fields")
    }
}
