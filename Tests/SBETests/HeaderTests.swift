// The header as the schema lays it out: any size, any offsets and unsigned types, either byte
// order; reading and writing it on its own; and the frame-building helpers over it.

import Testing

@testable import SBE

@Suite("Headers")
struct HeaderTests {
    /// 12 bytes: a uint32 templateId, and a member the codec does not use (numGroups) at 10.
    static let wideHeader = HeaderSchema(
        size: 12, blockLength: EncodedSlot(offset: 0, type: .uint16), templateId: EncodedSlot(offset: 2, type: .uint32),
        schemaId: EncodedSlot(offset: 6, type: .uint16), version: EncodedSlot(offset: 8, type: .uint16))
    static let ping = makeType("Ping", templateId: 0x0102, fields: [FieldSchema("seq", .primitive(.uint32), at: 0)])
    static let schema = makeSchema([ping], byteOrder: .bigEndian, header: wideHeader)

    static let frame: [UInt8] = [
        0x00, 0x04,  // blockLength 4
        0x00, 0x00, 0x01, 0x02,  // templateId 0x0102 (uint32)
        0x53, 0x42,  // schemaId 0x5342
        0x00, 0x01,  // version 1
        0x00, 0x00,  // numGroups: not the codec's, written as 0
        0x00, 0x00, 0x00, 0x2A,  // seq 42
    ]

    @Test func customHeaderBigEndian() throws {
        let codec = Codec(schema: Self.schema)
        #expect(try codec.encode(Message(Self.ping, ["seq": .unsigned(42)]), at: 1) == Self.frame)
        let decoded = try codec.decode(Self.frame, asVersion: 1)
        #expect(decoded.header == FrameHeader(blockLength: 4, templateId: 0x0102, schemaId: 0x5342, version: 1))
        #expect(decoded.message.values == [.unsigned(42)])
    }

    @Test func headerReadAndWrittenOnItsOwn() {
        let header = FrameHeader(blockLength: 4, templateId: 0x0102, schemaId: 0x5342, version: 1)
        #expect(Self.wideHeader.header(of: Self.frame, byteOrder: .bigEndian) == header)
        #expect(Self.wideHeader.bytes(of: header, byteOrder: .bigEndian) == Array(Self.frame.prefix(12)))
        #expect(Self.wideHeader.header(of: Self.frame.prefix(11), byteOrder: .bigEndian) == nil)
        // The standard header keeps its own shortcuts.
        #expect(FrameHeader(of: [0x04, 0x00, 0x02, 0x01, 0x42, 0x53, 0x01, 0x00]) == header)
        #expect(header.bytes == [0x04, 0x00, 0x02, 0x01, 0x42, 0x53, 0x01, 0x00])
        #expect(HeaderSchema.standard.bytes(of: header, byteOrder: .bigEndian) == [0x00, 0x04, 0x01, 0x02, 0x53, 0x42, 0x00, 0x01])
    }

    struct Refused: Sendable, CustomTestStringConvertible {
        let name: String
        let frame: [UInt8]
        let reason: DecodeError.Reason
        let offset: Int
        let templateId: UInt16
        var testDescription: String { name }
    }

    static let refusals: [Refused] = [
        Refused(
            name: "shorter than the header", frame: Array(frame.prefix(11)), reason: .truncatedHeader(size: 11, headerSize: 12), offset: 0,
            templateId: 0),
        Refused(
            name: "a template id above 65535", frame: patched(frame, at: 2, [0x00, 0x01]), reason: .unknownTemplate, offset: 2,
            templateId: 0xFFFF),
        Refused(
            name: "another schema", frame: patched(frame, at: 6, [0x12, 0x34]), reason: .wrongSchemaId(0x1234, expected: 0x5342), offset: 6,
            templateId: 0x0102),
        Refused(
            name: "a short block", frame: patched(frame, at: 0, [0x00, 0x03]), reason: .blockLengthTooShort(blockLength: 3, required: 4),
            offset: 0, templateId: 0x0102),
        Refused(
            name: "the block past the end", frame: Array(frame.prefix(15)), reason: .truncated(needed: 4, available: 3), offset: 12,
            templateId: 0x0102),
    ]

    /// R8 and R5 on a custom header: offsets are the slots', RJ1's template id the (clamped) one sent.
    @Test(arguments: refusals)
    func headerRefusals(_ c: Refused) throws {
        let error = try #require(decodeError(c.frame, Self.schema))
        #expect(error.reason == c.reason)
        #expect(error.offset == c.offset)
        #expect(error.templateId == c.templateId)
    }

    @Test func describesTheHeaderSize() throws {
        let error = try #require(decodeError(Array(Self.frame.prefix(5)), Self.schema))
        #expect(error.description == "Malformed: at byte 0: frame of 5 bytes is shorter than the 12-byte header")
    }

    /// E2: a header slot too narrow for what the frame must carry is refused, not cut.
    @Test func aNarrowSlotIsRefused() throws {
        let narrow = HeaderSchema(
            size: 5, blockLength: EncodedSlot(offset: 0, type: .uint8), templateId: EncodedSlot(offset: 1, type: .uint8),
            schemaId: EncodedSlot(offset: 2, type: .uint16), version: EncodedSlot(offset: 4, type: .uint8))
        let schema = makeSchema([Self.ping], header: narrow)
        let error = try #require(encodeError(Message(Self.ping), schema))
        #expect(error.refusal == .invalidValue)
        #expect(error.detail == "the header's templateId carries at most 255; this frame needs 258")
    }

    // MARK: Frame-building helpers over the schema's layout

    @Test func frameLayoutNamesAndEditsTheCustomHeader() {
        let layout = FrameLayout(schema: Self.schema)
        #expect(layout.field(at: 3, in: Self.frame, type: Self.ping, version: 1) == "header.templateId")
        #expect(layout.field(at: 10, in: Self.frame, type: Self.ping, version: 1) == "header.byte 10")
        #expect(layout.field(at: 13, in: Self.frame, type: Self.ping, version: 1) == "Ping.seq")
        let newer = layout.withHeader(Self.frame) { $0.version = 2 }
        #expect(newer == patched(Self.frame, at: 8, [0x00, 0x02]))
        #expect(layout.setting(Self.frame, field: "seq", of: Self.ping, to: [0xFF]) == patched(Self.frame, at: 12, [0xFF]))
    }

    @Test func frameLayoutEditsANarrowDimension() throws {
        let schema = makeSchema([GroupTests.legs])
        let layout = FrameLayout(schema: schema)
        let frame = GroupTests.twoLegsLittleEndian
        #expect(layout.groupDimensionOffset(frame, type: GroupTests.legs) == 9)
        #expect(layout.settingGroupCount(frame, type: GroupTests.legs, version: 1, to: 5) == patched(frame, at: 11, [0x05]))
        #expect(layout.settingGroupBlockLength(frame, type: GroupTests.legs, to: 7) == patched(frame, at: 9, [0x07, 0x00]))
        #expect(layout.field(at: 11, in: frame, type: GroupTests.legs, version: 1) == "legs group header")
        #expect(layout.field(at: 12, in: frame, type: GroupTests.legs, version: 1) == "Legs.legs[0]")
        #expect(layout.field(at: 18, in: frame, type: GroupTests.legs, version: 1) == "Legs.legs[1]")
        // One more entry, a copy of the last, counted in the uint8 numInGroup (the memo after the group is left behind it).
        let longer = layout.appendingGroupEntry(Array(frame.prefix(24)), type: GroupTests.legs)
        #expect(longer == patched(Array(frame.prefix(24)), at: 11, [0x03]) + frame[18..<24])
        // The var-data replaced after the block, with the type's own uint32 length.
        #expect(
            layout.replacingVarData(Array(frame.prefix(9)), type: GroupTests.legs, with: [0x61]) == Array(frame.prefix(9)) + [
                0x01, 0x00, 0x00, 0x00, 0x61,
            ])
    }

    @Test func frameIntegersAreReadAndWrittenInPlace() throws {
        let layout = FrameLayout(schema: Self.schema)
        let seq = try #require(layout.integer(named: "seq", of: Self.ping))
        #expect(seq.offset == 12 && seq.end == 16)
        #expect(seq.value(in: Self.frame) == 42)
        #expect(layout.templateIdInteger.value(in: Self.frame) == 0x0102)
        #expect(layout.blockLengthInteger.value(in: Self.frame) == 4)
        var frame = Self.frame
        #expect(seq.set(0x0102_0304, in: &frame))
        #expect(frame.suffix(4) == [0x01, 0x02, 0x03, 0x04])
        #expect(try Codec(schema: Self.schema).decode(frame, asVersion: 1).message.values == [.unsigned(0x0102_0304)])
        // Too short to hold it: nothing is read, nothing is written.
        var short = Array(Self.frame.prefix(15))
        #expect(seq.value(in: short) == nil)
        #expect(!seq.set(1, in: &short) && short == Array(Self.frame.prefix(15)))
    }

    @Test func onlyAnUnsignedIntegerIsAFrameInteger() {
        let type = makeType(fields: [
            FieldSchema("id", .u64, at: 0), FieldSchema("delta", .i64, at: 8), FieldSchema("name", .char8, at: 16),
            FieldSchema("side", .chars(1), at: 24), FieldSchema("fixed", .u16, at: 25, presence: .constant(.unsigned(7))),
        ])
        let layout = FrameLayout(schema: makeSchema([type]))
        #expect(layout.integer(named: "id", of: type)?.offset == 8)
        for name in ["delta", "name", "side", "fixed", "absent"] { #expect(layout.integer(named: name, of: type) == nil, "\(name)") }
        var frame = [UInt8](repeating: 0, count: 16)
        layout.integer(named: "id", of: type)?.set(0x0807_0605_0403_0201, in: &frame)
        #expect(frame.suffix(8) == [1, 2, 3, 4, 5, 6, 7, 8])
    }
}
