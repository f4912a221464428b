// Samples made from a schema (SchemaSamples): TGP's own, a hand-built schema with optional
// fields, field limits, a nested group and binary var-data, and the rest of SBE's type system
// (sets, composites, arrays, floating point) at the field level; the cases, their values, the
// var-data length of `max`, and that what today's codec carries encodes and decodes back.

import Foundation
import MiniJSON
import TGP
import Testing

@testable import CompatRunner

/// A hand-built schema: `Order` keeps to what today's codec carries (integers, a uint8 enum,
/// char8, a flat group, text var-data) but has an optional field, a field with its own min and
/// max and a field added in version 2; `Batch` has a nested group, var-data in a group and binary
/// var-data, which the codec does not carry yet (its cases are recorded as refused until it does).
/// Sets, composites, arrays and floating point cannot be in a message yet: building a message
/// type builds its codec layouts, which stop at a type the codec does not carry. They are tested
/// below over a group's fields, which `SchemaSamples` treats as it treats a message's.
private enum HandBuilt {
    static let kind = EnumSchema("Kind", [.init(0, "None"), .init(1, "Limit"), .init(2, "Stop", since: 2)], default: "None")

    static let order = MessageSchema(
        1, "Order", .both, since: 1,
        fields: [
            .init("id", .u32, at: 0, minValue: .unsigned(100), maxValue: .unsigned(200)),
            .init("limit", .u64, at: 4, presence: .optional),
            .init("kind", .enumeration(kind), at: 12),
            .init("code", .char8, at: 13),
            .init("extra", .u16, at: 21, since: 2),
        ],
        groups: [.init("legs", fields: [.init("qty", .u32, at: 0), .init("px", .i64, at: 4)])],
        varData: [.init("text", encoding: .standard(maxLength: 16))])

    static let batch = MessageSchema(
        2, "Batch", .both, since: 2,
        fields: [.init("count", .u16, at: 0)],
        groups: [
            .init(
                "items", fields: [.init("qty", .u32, at: 0, presence: .optional)],
                groups: [.init("fills", fields: [.init("n", .u16, at: 0)])],
                varData: [.init("note")])
        ],
        varData: [.init("blob", encoding: VarDataEncoding(length: EncodedSlot(offset: 0, type: .uint16), characterEncoding: nil))])

    static let schema = Schema(
        schemaId: 77, messages: [order, batch], enums: [kind], peerRanges: [1: 1...1, 2: 1...2], maxFrameSize: 200,
        maxVarDataLength: 1000, maxGroupEntries: 10)
}

/// The case named `name` (`sample`, or an edge's name) of `samples`.
private func message(_ samples: MessageSamples, _ name: String) throws -> Message {
    name == "sample" ? samples.sample : try #require(samples.edges.first { $0.name == name }?.message, "no case \(name)")
}

@Suite("Samples made from a schema")
struct SchemaSamplesTests {
    let tgp = SchemaSamples.book(for: .tgp)

    private func tgpType(_ name: String) -> MessageSchema { Schema.tgp.message(named: name)! }

    @Test("TGP: each type has sample, min, max and a case per value of each root enum field; no null without an optional field")
    func tgpCaseNames() {
        let names = tgp[tgpType("NewOrder")].edges.map(\.name)
        #expect(
            names == [
                "min", "max", "enum-side-Buy", "enum-side-Sell", "enum-side-SellShort", "enum-ordType-Limit", "enum-ordType-Market",
                "enum-ordType-Stop", "enum-timeInForce-Day", "enum-timeInForce-IOC", "enum-timeInForce-GTC", "enum-timeInForce-FOK",
                "enum-stp-None", "enum-stp-CancelNewest", "enum-stp-CancelOldest",
            ])
        #expect(tgp[tgpType("Heartbeat")].edges.map(\.name) == ["min", "max"])
        for type in Schema.tgp.messages {
            #expect(!tgp[type].edges.contains { $0.name == "null" }, "\(type.name)")
        }
    }

    @Test("TGP sample: small distinct integers in wire order, the first non-default enum value, text from the name, one entry")
    func tgpSample() throws {
        let newOrder = tgp[tgpType("NewOrder")].sample
        #expect(newOrder["clOrdId"] == .unsigned(1))
        #expect(newOrder["price"] == .signed(2))
        #expect(newOrder["quantity"] == .unsigned(3))
        #expect(newOrder["side"] == tgpType("NewOrder").enumValue("Sell", of: "side"))
        #expect(newOrder["ordType"] == tgpType("NewOrder").enumValue("Market", of: "ordType"))
        #expect(newOrder["symbol"] == .text("symbol"))
        #expect(newOrder["timeInForce"] == tgpType("NewOrder").enumValue("IOC", of: "timeInForce"))
        #expect(newOrder["account"] == .text("account"))

        let snapshot = tgp[tgpType("MarketDataSnapshot")].sample
        #expect(snapshot["levels"] == .group([[.signed(3), .unsigned(4), .signed(5), .unsigned(6), .unsigned(7), .unsigned(8)]]))
        // An enum value newer than the field is not the sample's: OrdStatus's only other value,
        // Replaced, is from v3 and status from v1, so the sample keeps New and is carried at v1 and v2.
        #expect(tgp[tgpType("OrderAck")].sample["status"] == .unsigned(0))
    }

    @Test("TGP min and max: SBE's limits of each type, chars empty and full, groups with 0 and 2 entries")
    func tgpBounds() throws {
        let heartbeat = tgp[tgpType("Heartbeat")]
        #expect(try message(heartbeat, "min")["timestamp"] == .unsigned(0))
        #expect(try message(heartbeat, "max")["timestamp"] == .unsigned(UInt64.max - 1))

        let newOrder = tgp[tgpType("NewOrder")]
        #expect(try message(newOrder, "min")["price"] == .signed(Int64.min + 1))
        #expect(try message(newOrder, "max")["price"] == .signed(Int64.max))
        #expect(try message(newOrder, "min")["symbol"] == .text(""))
        #expect(try message(newOrder, "max")["symbol"] == .text("!\"#$%&'("))
        // The widened quantity takes its wide type's maximum (refused below v4, E2).
        #expect(try message(newOrder, "max")["quantity"] == .unsigned(UInt64.max - 1))

        let snapshot = tgp[tgpType("MarketDataSnapshot")]
        #expect(try message(snapshot, "min")["levels"] == .group([]))
        guard case .group(let entries) = try message(snapshot, "max")["levels"] else {
            Issue.record("levels is not a group")
            return
        }
        #expect(entries.count == 2)
        #expect(entries.first?[1] == .unsigned(UInt64(UInt32.max) - 1))
    }

    @Test("max var-data: what maxFrameSize leaves, shared among the var-data fields, capped at each one's maximum")
    func varDataLength() throws {
        // TGP's NewOrder leaves 4096 - 8 - 40 - 2 - 2 = 4044 bytes for two fields: each its maximum, 1024.
        let newOrder = try message(tgp[tgpType("NewOrder")], "max")
        #expect(newOrder["account"].map(textLength) == 1024)
        #expect(newOrder["clientTag"].map(textLength) == 1024)

        // Batch at its newest: header 8, block 2, items 4 + 2 × 4, each item's fills 4 + 2 × 2 and
        // note's length 2, blob's length 2: 44 bytes; 156 left for 3 fields (note twice, blob): 52 each.
        let batch = SchemaSamples.samples(of: HandBuilt.batch, in: HandBuilt.schema)
        let max = try message(batch, "max")
        guard case .bytes(let blob) = max["blob"], case .group(let items) = max["items"] else {
            Issue.record("\(max.values)")
            return
        }
        #expect(blob.count == 52)
        #expect(blob.prefix(3) == [0, 1, 2])
        #expect(items.count == 2)
        #expect(items.first?[1] == .group([[.unsigned(UInt64(UInt16.max) - 1)], [.unsigned(UInt64(UInt16.max) - 1)]]))
        #expect((items.first?[2]).map(textLength) == 52)
        // Order: 200 - 8 - 23 - 4 - 2 × 12 - 2 = 139 bytes, but text holds at most 16.
        #expect(try message(SchemaSamples.samples(of: HandBuilt.order, in: HandBuilt.schema), "max")["text"].map(textLength) == 16)
    }

    @Test("hand-built: a field's own min and max, the optional field's null case, a nested entry, binary var-data")
    func handBuilt() throws {
        let order = SchemaSamples.samples(of: HandBuilt.order, in: HandBuilt.schema)
        // id counts 1 above its own minimum 100; limit 2, extra 3, then the group's fields.
        #expect(
            order.sample.values == [
                .unsigned(101), .unsigned(2), .unsigned(1), .text("code"), .unsigned(3), .group([[.unsigned(4), .signed(5)]]),
                .text("text"),
            ])
        #expect(try message(order, "min")["id"] == .unsigned(100))
        #expect(try message(order, "max")["id"] == .unsigned(200))
        #expect(try message(order, "max")["kind"] == .unsigned(1), "Stop is newer than kind: max takes Limit")
        #expect(order.edges.map(\.name) == ["min", "max", "null", "enum-kind-None", "enum-kind-Limit", "enum-kind-Stop"])
        var nulled = order.sample
        nulled["limit"] = .null
        #expect(try message(order, "null") == nulled)

        let batch = SchemaSamples.samples(of: HandBuilt.batch, in: HandBuilt.schema)
        #expect(
            batch.sample.values == [.unsigned(1), .group([[.unsigned(2), .group([[.unsigned(3)]]), .text("note")]]), .bytes([4, 5, 6])])
        #expect(try message(batch, "null")["items"] == .group([[.null, .group([[.unsigned(3)]]), .text("note")]]))
        #expect(try message(batch, "min")["blob"] == .bytes([]))
    }

    @Test(
        "sets, composites, arrays, floating point: the sample, min, max, null and set cases (over a group's fields: see HandBuilt)"
    )
    func wholeTypeSystem() throws {
        let flags = SetSchema("Flags", encoding: .uint8, choices: [.init("A", bit: 0), .init("B", bit: 1), .init("C", bit: 3, since: 2)])
        let decimal = CompositeSchema(
            "Decimal",
            members: [
                .init("mantissa", .i64, at: 0, presence: .optional),
                .init("exponent", .primitive(.int8), at: 8, presence: .constant(.signed(-4))),
            ])
        let block = GroupSchema(
            "block",
            fields: [
                .init("flags", .set(flags), at: 0),
                .init("price", .composite(decimal), at: 1),
                .init("counts", .array(.uint16, 3), at: 9),
                .init("ratio", .primitive(.double), at: 15, minValue: .double(-1), maxValue: .double(1000)),
                .init("small", .primitive(.int8), at: 23),
            ])
        let cases = SchemaSamples.cases(
            of: block.logicalFields, blockLength: block.blockLength(at:), groups: [], varData: [], in: HandBuilt.schema)
        func edge(_ name: String) throws -> [FieldValue] { try #require(cases.edges.first { $0.name == name }?.values, "no case \(name)") }

        #expect(
            cases.sample == [
                .unsigned(1), .composite([.signed(1), .signed(-4)]), .array([.unsigned(2), .unsigned(3), .unsigned(4)]), .double(5.5),
                .signed(6),
            ])
        #expect(
            try edge("min") == [
                .unsigned(0), .composite([.signed(Int64.min + 1), .signed(-4)]), .array(Array(repeating: .unsigned(0), count: 3)),
                .double(-1), .signed(Int64(Int8.min) + 1),
            ])
        #expect(
            try edge("max") == [
                .unsigned(0b1011), .composite([.signed(Int64.max), .signed(-4)]),
                .array(Array(repeating: .unsigned(UInt64(UInt16.max) - 1), count: 3)), .double(1000), .signed(Int64(Int8.max)),
            ])
        // The constant exponent stays; the optional mantissa is null.
        #expect(try edge("null")[1] == .composite([.null, .signed(-4)]))
        #expect(try edge("set-flags-A")[0] == .unsigned(1))
        #expect(try edge("set-flags-B")[0] == .unsigned(2))
        #expect(try edge("set-flags-C")[0] == .unsigned(8))
        #expect(cases.edges.map(\.name) == ["min", "max", "null", "set-flags-A", "set-flags-B", "set-flags-C"])
    }

    @Test("the same samples on every run")
    func deterministic() {
        let again = SchemaSamples.book(for: .tgp)
        for type in Schema.tgp.messages {
            #expect(tgp[type].sample == again[type].sample)
            #expect(tgp[type].edges.map(\.name) == again[type].edges.map(\.name))
            #expect(tgp[type].edges.map(\.message) == again[type].edges.map(\.message))
        }
    }

    @Test("TGP's sample and min are carried at every version of their type and decode back to themselves")
    func tgpCarried() throws {
        let codec = Codec(schema: .tgp)
        for version in Schema.tgp.versions {
            for type in Schema.tgp.messages(knownAt: version) {
                for name in ["sample", "min"] {
                    let sent = try message(tgp[type], name).projected(onto: version)
                    let frame = try codec.encode(sent, at: version)
                    #expect(try codec.decode(frame, asVersion: version).message == sent, "\(type.name) \(name) at v\(version)")
                }
            }
        }
    }

    @Test("hand-built Order: sample, min and max are carried at each version and decode back; Batch's cases are framed or refused")
    func handBuiltCarried() throws {
        let codec = Codec(schema: HandBuilt.schema)
        let order = SchemaSamples.samples(of: HandBuilt.order, in: HandBuilt.schema)
        for version in [1, 2] {
            for name in ["sample", "min", "max"] {
                let sent = try message(order, name).projected(onto: version)
                let frame = try codec.encode(sent, at: version)
                #expect(frame.count <= HandBuilt.schema.maxFrameSize)
                #expect(try codec.decode(frame, asVersion: version).message == sent, "Order \(name) at v\(version)")
            }
        }
        let book = SchemaSamples.book(for: HandBuilt.schema)
        let document = GoldenFrames.document(type: HandBuilt.batch, version: 2, samples: book, schema: HandBuilt.schema)
        let cases = try #require(document["cases"]?.arrayValue)
        #expect(cases.compactMap { $0["name"]?.stringValue } == ["sample", "edge-min", "edge-max", "edge-null"])
        for item in cases {
            #expect((item["frame"] != nil) != (item["refused"] != nil), "\(item)")
        }
    }

    @Test("samples.json of the generated samples reads back as the same messages")
    func samplesJSONRoundTrip() throws {
        let path = NSTemporaryDirectory() + "schema-samples-\(getpid()).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try (tgp.json(schema: .tgp).serialized(pretty: true) + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let read = try SampleBook.load(path: path)
        for type in Schema.tgp.messages {
            #expect(read[type].sample == tgp[type].sample, "\(type.name)")
            #expect(read[type].edges.map(\.name) == tgp[type].edges.map(\.name), "\(type.name)")
            #expect(read[type].edges.map(\.message) == tgp[type].edges.map(\.message), "\(type.name)")
        }
    }
}

/// The length of a text value, -1 for any other.
private func textLength(_ value: FieldValue) -> Int {
    guard case .text(let text) = value else { return -1 }
    return text.utf8.count
}
