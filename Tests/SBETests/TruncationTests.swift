// R8's "never read past the end, never crash": every prefix of rich frames (nested groups,
// var-data in entries, composites, optional and wide fields, both byte orders), then a seeded
// stream of mutations.

import SeededRandom
import Testing

@testable import SBE

@Suite("Truncation and mutation")
struct TruncationTests {
    static let decimal = CompositeSchema(
        "Decimal",
        members: [
            FieldSchema("mantissa", .primitive(.int64), at: 0),
            FieldSchema("exponent", .primitive(.int8), at: 8, presence: .constant(.signed(-4))),
        ])
    static let status = EnumSchema("Status", [EnumValue(100, "Open"), EnumValue(2000, "Closed")], encoding: .uint16)
    static let rich = MessageSchema(
        9, "Rich", .both, since: 1,
        fields: [
            FieldSchema("id", .primitive(.uint64), at: 0),
            FieldSchema("px", .composite(decimal), at: 8),
            FieldSchema("status", .enumeration(status), at: 16, presence: .optional),
            FieldSchema("code", .chars(5), at: 18),
            FieldSchema("ratio", .primitive(.float), at: 23, presence: .optional),
        ],
        groups: [
            GroupSchema(
                "legs", fields: [FieldSchema("qty", .primitive(.int32), at: 0)],
                groups: [
                    GroupSchema(
                        "fills", fields: [FieldSchema("size", .primitive(.uint16), at: 0)],
                        varData: [
                            VarDataSchema("venue", encoding: .init(length: EncodedSlot(offset: 0, type: .uint8), characterEncoding: nil))
                        ],
                        dimension: GroupTests.narrowDimension)
                ], varData: [VarDataSchema("note")])
        ], varData: [VarDataSchema("memo", encoding: .init(length: EncodedSlot(offset: 0, type: .uint32)))])

    static let richMessage = Message(
        rich,
        [
            "id": .unsigned(0xDEAD_BEEF), "px": .composite([.signed(-12_345), .signed(-4)]), "status": .unsigned(2000),
            "code": .text("ABC"), "ratio": .null,
            "legs": .group([
                [.signed(-1), .group([[.unsigned(7), .bytes([0xFF, 0x00])], [.unsigned(8), .bytes([])]]), .text("first")],
                [.signed(2), .group([]), .text("")],
                [.signed(3), .group([[.unsigned(9), .bytes([0x01])]]), .text("é")],
            ]),
            "memo": .text("memo text"),
        ])

    static let frames: [(ByteOrder, [UInt8])] = [ByteOrder.littleEndian, .bigEndian].map { byteOrder in
        (byteOrder, try! Codec(schema: makeSchema([rich], byteOrder: byteOrder)).encode(richMessage, at: 1))
    }

    @Test(arguments: [ByteOrder.littleEndian, .bigEndian])
    func richFramesRoundTrip(byteOrder: ByteOrder) throws {
        let schema = makeSchema([Self.rich], byteOrder: byteOrder)
        let frame = Self.frames.first { $0.0 == byteOrder }!.1
        #expect(frame.count == 98)
        #expect(try decodedValues(frame, schema) == Self.richMessage.values)
    }

    /// A receiver of the frame's version reads every byte of it, so every prefix lacks one it
    /// needs: each is refused as Malformed, at an offset inside the prefix.
    @Test(arguments: [ByteOrder.littleEndian, .bigEndian])
    func everyPrefixIsMalformed(byteOrder: ByteOrder) {
        let schema = makeSchema([Self.rich], byteOrder: byteOrder)
        let frame = Self.frames.first { $0.0 == byteOrder }!.1
        var failures: [String] = []
        for length in 0..<frame.count {
            let prefix = Array(frame.prefix(length))
            guard let error = decodeError(prefix, schema) else {
                failures.append("\(length) bytes decoded")
                continue
            }
            if error.code != .malformed || error.offset < 0 || error.offset > length {
                failures.append("\(length) bytes: \(error)")
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
    }

    /// Seeded byte mutations and cuts: never a crash; a refusal is one of the codes a frame can
    /// earn, at an offset inside the frame (or the maximum, for an oversized one); what decodes
    /// encodes again.
    @Test(arguments: [ByteOrder.littleEndian, .bigEndian])
    func seededMutationsNeverCrash(byteOrder: ByteOrder) {
        let schema = makeSchema([Self.rich], byteOrder: byteOrder, maxFrameSize: 256)
        let codec = Codec(schema: schema)
        let frame = Self.frames.first { $0.0 == byteOrder }!.1
        var rng = SeededGenerator(seed: byteOrder == .littleEndian ? 0x5BE1 : 0x5BE2)
        var failures: [String] = []
        var (decoded, refused) = (0, 0)
        for _ in 0..<4000 {
            var mutated = frame
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                mutated[Int.random(in: 0..<mutated.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            if Bool.random(using: &rng) { mutated = Array(mutated.prefix(Int.random(in: 0...mutated.count, using: &rng))) }
            do {
                let message = try codec.decode(mutated, asVersion: 1).message
                decoded += 1
                // What a receiver accepts is a message the codec can send (only constants and
                // text might differ in bytes, never in being accepted).
                if (try? codec.encode(message, at: 1)) == nil { failures.append("\(mutated.hexString) decodes but does not encode") }
            } catch {
                refused += 1
                let inside = (0...max(mutated.count, schema.maxFrameSize)).contains(error.offset)
                if ![.malformed, .invalidValue, .unknownTemplate].contains(error.code) || !inside {
                    failures.append("\(mutated.hexString): \(error)")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
        // Both outcomes are exercised.
        #expect(decoded > 100)
        #expect(refused > 1000)
    }
}
