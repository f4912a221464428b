// A three-version schema: round trips at every version, frames read by older and newer
// receivers (R1–R4, R10), newer values refused (E2, R7), and projection onto a version.

import Testing

@testable import SBE

@Suite("Versions")
struct VersionTests {
    static let side = EnumSchema("Side", [EnumValue(1, "Buy"), EnumValue(2, "Sell"), EnumValue(3, "Short", since: 2)])
    static let flags = SetSchema(
        "OrderFlags", encoding: .uint8, choices: [SetSchema.Choice("urgent", bit: 0), SetSchema.Choice("hidden", bit: 1, since: 3)])
    /// v1 adds everything but: `price` and `flags` (v2), `fills.venue` (v2), `fills.allocs.share` (v3), `tag` (v3).
    static let order = MessageSchema(
        7, "Order", .clientToGateway, since: 1,
        fields: [
            FieldSchema("id", .primitive(.uint64), at: 0),
            FieldSchema("qty", .primitive(.uint32), at: 8),
            FieldSchema("side", .enumeration(side), at: 12),
            FieldSchema("price", .primitive(.double), at: 13, since: 2, presence: .optional),
            FieldSchema("flags", .set(flags), at: 21, since: 2),
        ],
        groups: [
            GroupSchema(
                "fills",
                fields: [
                    FieldSchema("px", .primitive(.int64), at: 0),
                    FieldSchema("qty", .primitive(.uint32), at: 8),
                    FieldSchema("venue", .primitive(.uint16), at: 12, since: 2),
                ],
                groups: [
                    GroupSchema(
                        "allocs",
                        fields: [
                            FieldSchema("acct", .primitive(.uint32), at: 0), FieldSchema("share", .primitive(.uint8), at: 4, since: 3),
                        ])
                ])
        ],
        varData: [VarDataSchema("account"), VarDataSchema("tag", since: 3)])
    static let schema = makeSchema([order], versions: 3)
    static let codec = Codec(schema: schema)

    /// Every field set, with values every version has (Sell, urgent).
    static let full = Message(
        order,
        [
            "id": .unsigned(7), "qty": .unsigned(100), "side": .unsigned(2), "price": .double(12.5), "flags": .unsigned(1),
            "fills": .group([
                [.signed(-5), .unsigned(10), .unsigned(0x1234), .group([[.unsigned(1), .unsigned(60)], [.unsigned(2), .unsigned(40)]])]
            ]),
            "account": .text("ACC"), "tag": .text("t"),
        ])

    static let v1Frame: [UInt8] =
        standardHeader(blockLength: 13, templateId: 7, version: 1) + [
            0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // id 7
            0x64, 0x00, 0x00, 0x00,  // qty 100
            0x02,  // side Sell
            0x0C, 0x00, 0x01, 0x00,  // fills: entries of 12 bytes (no venue yet), 1 entry
            0xFB, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // fills[0].px -5
            0x0A, 0x00, 0x00, 0x00,  // fills[0].qty 10
            0x04, 0x00, 0x02, 0x00,  // fills[0].allocs: entries of 4 bytes (no share yet), 2 entries
            0x01, 0x00, 0x00, 0x00,  // fills[0].allocs[0].acct 1
            0x02, 0x00, 0x00, 0x00,  // fills[0].allocs[1].acct 2
            0x03, 0x00, 0x41, 0x43, 0x43,  // account "ACC" (no tag yet)
        ]

    static let v3Frame: [UInt8] =
        standardHeader(blockLength: 22, templateId: 7, version: 3) + [
            0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // id 7
            0x64, 0x00, 0x00, 0x00,  // qty 100
            0x02,  // side Sell
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x29, 0x40,  // price 12.5 is 0x4029_0000_0000_0000
            0x01,  // flags: urgent
            0x0E, 0x00, 0x01, 0x00,  // fills: entries of 14 bytes, 1 entry
            0xFB, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // fills[0].px -5
            0x0A, 0x00, 0x00, 0x00,  // fills[0].qty 10
            0x34, 0x12,  // fills[0].venue 0x1234
            0x05, 0x00, 0x02, 0x00,  // fills[0].allocs: entries of 5 bytes, 2 entries
            0x01, 0x00, 0x00, 0x00, 0x3C,  // fills[0].allocs[0]: acct 1, share 60
            0x02, 0x00, 0x00, 0x00, 0x28,  // fills[0].allocs[1]: acct 2, share 40
            0x03, 0x00, 0x41, 0x43, 0x43,  // account "ACC"
            0x01, 0x00, 0x74,  // tag "t"
        ]

    @Test func framesAtTheOldestAndNewestVersion() throws {
        #expect(try Self.codec.encode(Self.full.projected(onto: 1), at: 1) == Self.v1Frame)
        #expect(try Self.codec.encode(Self.full, at: 3) == Self.v3Frame)
    }

    /// Every sender version × every receiver version: the receiver gets the message as of the
    /// older of the two (R1 fills what an old frame lacks, R2–R4 skip what a new one adds).
    @Test(arguments: 1...3, 1...3)
    func roundTrips(sender: Int, receiver: Int) throws {
        let frame = try Self.codec.encode(Self.full.projected(onto: sender), at: sender)
        let decoded = try Self.codec.decode(frame, asVersion: receiver)
        #expect(decoded.message == Self.full.projected(onto: min(sender, receiver)))
        #expect(decoded.header.version == UInt16(sender))
    }

    /// R1: an old frame read by a new receiver: what it lacks has its defaults.
    @Test func oldFrameNewReceiver() throws {
        let decoded = try Self.codec.decode(Self.v1Frame, asVersion: 3).message
        #expect(decoded["price"] == .double(0))
        #expect(decoded["flags"] == .unsigned(0))
        #expect(
            decoded["fills"]
                == .group([
                    [.signed(-5), .unsigned(10), .unsigned(0), .group([[.unsigned(1), .unsigned(0)], [.unsigned(2), .unsigned(0)]])]
                ]))
        #expect(decoded["tag"] == .text(""))
    }

    /// R2–R4: a new frame read by an old receiver: the longer block and entries are skipped
    /// as the frame sizes them, and the var-data it does not know is ignored.
    @Test func newFrameOldReceiver() throws {
        let decoded = try Self.codec.decode(Self.v3Frame, asVersion: 1).message
        #expect(decoded.values == Self.full.projected(onto: 1).values)
        #expect(
            decoded["fills"]
                == .group([
                    [.signed(-5), .unsigned(10), .unsigned(0), .group([[.unsigned(1), .unsigned(0)], [.unsigned(2), .unsigned(0)]])]
                ]))
    }

    /// R4: whatever follows the var-data the receiver knows is ignored, even by the newest.
    @Test func trailingBytesAfterTheKnownVarDataAreIgnored() throws {
        let decoded = try Self.codec.decode(Self.v3Frame + [0x05, 0x00, 0x01, 0x02], asVersion: 3).message
        #expect(decoded == Self.full)
    }

    /// Projection resets the fields newer than the version, in nested entries too.
    @Test func projectionReachesNestedEntries() {
        let v2 = Self.full.projected(onto: 2)
        #expect(v2["tag"] == .text(""))
        #expect(v2["price"] == .double(12.5))
        #expect(
            v2["fills"]
                == .group([
                    [
                        .signed(-5), .unsigned(10), .unsigned(0x1234),
                        .group([[.unsigned(1), .unsigned(0)], [.unsigned(2), .unsigned(0)]]),
                    ]
                ]))
        #expect(Self.full.projected(onto: 3) == Self.full)
    }

    struct NotCarried: Sendable, CustomTestStringConvertible {
        let field: String
        let value: FieldValue
        let version: Int
        let refusal: EncodeError.Refusal
        let reported: String
        let detail: String
        var testDescription: String { "\(reported) at v\(version)" }
    }

    static let notCarried: [NotCarried] = [
        NotCarried(
            field: "price", value: .double(1), version: 1, refusal: .notRepresentable, reported: "price",
            detail: "price was added in version 2 and cannot be carried at version 1"),
        NotCarried(
            field: "tag", value: .text("x"), version: 2, refusal: .notRepresentable, reported: "tag",
            detail: "tag was added in version 3 and cannot be carried at version 2"),
        NotCarried(
            field: "fills", value: .group([[.signed(1), .unsigned(1), .unsigned(9), .group([])]]), version: 1, refusal: .notRepresentable,
            reported: "fills.venue", detail: "added in version 2 and cannot be carried at version 1"),
        NotCarried(
            field: "fills", value: .group([[.signed(1), .unsigned(1), .unsigned(0), .group([[.unsigned(1), .unsigned(5)]])]]), version: 2,
            refusal: .notRepresentable, reported: "fills.allocs.share", detail: "added in version 3 and cannot be carried at version 2"),
        NotCarried(
            field: "side", value: .unsigned(3), version: 1, refusal: .unsupportedInVersion, reported: "side",
            detail: "Side.Short was added in version 2; this session is at version 1"),
        NotCarried(
            field: "flags", value: .unsigned(2), version: 2, refusal: .unsupportedInVersion, reported: "flags",
            detail: "OrderFlags.hidden was added in version 3; this session is at version 2"),
    ]

    /// E2: a field newer than the acting version set to anything but its default, or a newer
    /// enum value or set choice, is refused, wherever it sits.
    @Test(arguments: notCarried)
    func newerValuesAreRefused(_ c: NotCarried) throws {
        var message = Self.full.projected(onto: c.version)
        message[c.field] = c.value
        let error = try #require(encodeError(message, at: c.version, Self.schema))
        #expect(error.refusal == c.refusal)
        #expect(error.field == c.reported)
        #expect(error.detail == c.detail)
    }

    /// R7 by the receiver's own version, not the frame's: a v2 value reaches a v1 receiver in a
    /// v2 frame; a v3 choice a v2 receiver in a v3 frame.
    @Test func receiversRefuseValuesTheirVersionLacks() throws {
        var short = Self.full.projected(onto: 2)
        short["side"] = .unsigned(3)
        let shortFrame = try Self.codec.encode(short, at: 2)
        #expect(decodeError(shortFrame, asVersion: 1, Self.schema)?.reason == .unknownEnumValue(3, enumName: "Side"))
        #expect(decodeError(shortFrame, asVersion: 2, Self.schema) == nil)

        var hidden = Self.full
        hidden["flags"] = .unsigned(3)
        let hiddenFrame = try Self.codec.encode(hidden, at: 3)
        let error = try #require(decodeError(hiddenFrame, asVersion: 2, Self.schema))
        #expect(error.reason == .unknownSetChoice(bits: 2, setName: "OrderFlags"))
        #expect(error.offset == 8 + 21)
        #expect(decodeError(hiddenFrame, asVersion: 3, Self.schema) == nil)
    }

    /// R8: a block or entry shorter than the receiver's version of it (capped at the frame's) is Malformed.
    @Test func shortBlocksAreMalformed() throws {
        let shortRoot = patched(Self.v3Frame, at: 0, [0x15])  // blockLength 21 < 22
        #expect(decodeError(shortRoot, asVersion: 2, Self.schema)?.reason == .blockLengthTooShort(blockLength: 21, required: 22))
        // A v1 receiver needs only 13 bytes of it, and skips to where the frame says the block ends.
        #expect(decodeError(shortRoot, asVersion: 1, Self.schema)?.code == .malformed)
        let shortEntry = patched(Self.v3Frame, at: 30, [0x0D])  // fills entries of 13 bytes < 14
        let error = try #require(decodeError(shortEntry, asVersion: 3, Self.schema))
        #expect(error.reason == .groupBlockLengthTooShort(blockLength: 13, required: 14))
        #expect(error.field == "fills")
    }
}
