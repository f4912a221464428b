// The evolution rules over SBE's whole type system, on pairs of schemas built in memory (an old
// released one and a new one, SBESchemaParts.swift): each case states the exact findings of
// `SchemaDiff.changes(from:to:)`, breaking and allowed, by id and location. The same findings
// come from the old schema's lock written to text and read back.

import Foundation
import MiniJSON
import TGP
import Testing

@testable import CompatRunner

private let base = SBEParts()
/// The base schema's next version: what it adds, it adds in v1.
private let v1 = SBEParts.next

/// An old schema, a new one, and every finding of the new against the old (`rule@location`).
struct SBECase: Sendable, CustomTestStringConvertible {
    let testDescription: String
    let old: SBEParts
    let new: SBEParts
    let expected: Set<String>

    init(_ description: String, old: SBEParts = base, _ expected: Set<String>, new: SBEParts) {
        self.testDescription = description
        self.old = old
        self.new = new
        self.expected = expected
    }

    var rules: [String] { expected.map { String($0.prefix { $0 != "@" }) } }
}

private func marks(since: Int) -> GroupSchema { GroupSchema("marks", since: since, fields: [FieldSchema("px", .i64, at: 0, since: since)]) }

@Suite("SBE evolution rules")
struct SBEEvolutionTests {
    static let cases: [SBECase] = [
        SBECase("a schema against itself", [], new: base),
        // MARK: Allowed
        SBECase(
            "v0 → v1: an optional field at the end, an enum value, a set choice, a nested entry field, var-data last, a message, a deprecation",
            [
                "field-added@v1:Order.extra", "deprecated@v1:Order.limit", "field-added@v1:Order.legs.fills.qty",
                "var-data-added@v1:Order.memo", "message-added@v1:Quote", "enum-value-added@v1:Side.Cross",
                "set-choice-added@v1:Flags.Cross",
            ],
            new: v1.edited { parts in
                parts.fields.append(SBEParts.extraAtEnd)
                parts.fields.edit("limit") { $0.with(deprecated: 1) }
                parts.side = parts.side.with(values: parts.side.values + [.init(3, "Cross", since: 1)])
                parts.flags = parts.flags.with(choices: parts.flags.choices + [.init("Cross", bit: 2, since: 1)])
                parts.fillFields.append(FieldSchema("qty", .u32, at: 18, since: 1))
                parts.varData.append(VarDataSchema("memo", since: 1))
                parts.others = [quote(since: 1)]
            }),
        SBECase(
            "v0 → v1: a nested group entry gets a field at its end", ["field-added@v1:Order.legs.fills.venue"],
            new: v1.edited { $0.fillFields.append(FieldSchema("venue", .u8, at: 18, since: 1)) }),
        SBECase(
            "v0 → v1: a group in a message without var-data", old: base.edited { $0.others = [quote()] }, ["group-added@v1:Quote.levels"],
            new: v1.edited {
                $0.others = [quote(groups: [GroupSchema("levels", since: 1, fields: [FieldSchema("px", .i64, at: 0, since: 1)])])]
            }
        ),
        // MARK: Fields
        SBECase(
            "a v1 field inside the v0 block", ["field-inserted-in-released-block@v0:Order.extra"],
            new: v1.edited { $0.fields.append(FieldSchema("extra", .u8, at: 20, since: 1)) }),
        SBECase(
            "a v1 entry field inside a nested v0 entry", ["field-inserted-in-released-block@v0:Order.legs.fills.venue"],
            new: v1.edited { $0.fillFields.append(FieldSchema("venue", .u8, at: 4, since: 1)) }),
        SBECase(
            "two fields swap places", ["field-moved@v0:Order.side", "field-moved@v0:Order.urgent"],
            new: base.edited { parts in
                parts.fields.edit("side") { $0.with(offset: 9) }
                parts.fields.edit("urgent") { $0.with(offset: 8) }
            }),
        SBECase("a field resized", ["field-resized@v0:Order.id"], new: base.edited { $0.fields.edit("id") { $0.with(type: .u32) } }),
        SBECase("a field retyped", ["field-retyped@v0:Order.id"], new: base.edited { $0.fields.edit("id") { $0.with(type: .i64) } }),
        SBECase("a field removed", ["field-removed@v0:Order.urgent"], new: base.edited { $0.fields.removeAll { $0.name == "urgent" } }),
        SBECase(
            "a field added to the released version", ["field-added-to-released-version@v0:Order.extra", "block-length-changed@v0:Order"],
            new: v1.edited { $0.fields.append(SBEParts.extraAtEnd.with(since: 0)) }),
        SBECase(
            "a field of a version above the schema's", ["since-not-a-version@v2:Order.extra"],
            new: v1.edited { $0.fields.append(SBEParts.extraAtEnd.with(since: 2)) }),
        SBECase(
            "an optional field made required", ["presence-changed@v0:Order.limit"],
            new: base.edited { $0.fields.edit("limit") { $0.with(presence: .required) } }),
        SBECase(
            "an optional field's null value", ["null-value-changed@v0:Order.limit"],
            new: base.edited { $0.fields.edit("limit") { $0.with(nullValue: .some(.signed(0))) } }),
        SBECase(
            "a constant's value", ["constant-value-changed@v0:Order.kind"],
            new: base.edited { $0.fields.edit("kind") { $0.with(presence: .constant(.unsigned(8))) } }),
        SBECase(
            "a narrower range", ["value-range-narrowed@v0:Order.qty"],
            new: base.edited { $0.fields.edit("qty") { $0.with(maxValue: .some(.unsigned(1000))) } }),
        SBECase(
            "a wider range", ["value-range-widened@v0:Order.qty"],
            new: base.edited { $0.fields.edit("qty") { $0.with(minValue: .some(nil)) } }),
        SBECase(
            "the blockLength attribute below the fields", ["block-length-below-fields@v0:Order"],
            new: v1.edited { $0.blockLength = 20 }),
        // MARK: Enums and sets
        SBECase(
            "an enum value renumbered", ["enum-value-renumbered@v0:Side.Sell"],
            new: base.edited { $0.side = $0.side.with(values: [.init(1, "Buy", since: 0), .init(3, "Sell", since: 0)]) }),
        SBECase(
            "an enum value removed", ["enum-value-removed@v0:Side.Sell"],
            new: base.edited { $0.side = $0.side.with(values: [.init(1, "Buy", since: 0)]) }),
        SBECase(
            "an enum number under another name", ["enum-value-renamed@v0:Side.Sell"],
            new: base.edited { $0.side = $0.side.with(values: [.init(1, "Buy", since: 0), .init(2, "Offer", since: 0)]) }),
        SBECase(
            "an enum value added to the released version", ["enum-value-added-to-released-version@v0:Side.Cross"],
            new: base.edited { $0.side = $0.side.with(values: $0.side.values + [.init(3, "Cross", since: 0)]) }),
        SBECase(
            "a v1 enum value on a released number", ["enum-value-number-duplicated@v1:Side.Cross"],
            new: v1.edited { $0.side = $0.side.with(values: $0.side.values + [.init(2, "Cross", since: 1)]) }),
        SBECase("an enum's encoding", ["encoding-changed@v0:Side"], new: base.edited { $0.side = $0.side.with(encoding: .char) }),
        SBECase(
            "a set choice at another bit", ["set-choice-moved@v0:Flags.Hidden"],
            new: base.edited { $0.flags = $0.flags.with(choices: [.init("Urgent", bit: 0), .init("Hidden", bit: 2)]) }),
        SBECase(
            "a set choice removed", ["set-choice-removed@v0:Flags.Hidden"],
            new: base.edited { $0.flags = $0.flags.with(choices: [.init("Urgent", bit: 0)]) }),
        SBECase(
            "a set bit under another name", ["set-choice-renamed@v0:Flags.Hidden"],
            new: base.edited { $0.flags = $0.flags.with(choices: [.init("Urgent", bit: 0), .init("Iceberg", bit: 1)]) }),
        SBECase(
            "a set choice added to the released version", ["set-choice-added-to-released-version@v0:Flags.Cross"],
            new: base.edited { $0.flags = $0.flags.with(choices: $0.flags.choices + [.init("Cross", bit: 2)]) }),
        SBECase(
            "a v1 set choice on a released bit", ["set-choice-bit-duplicated@v1:Flags.Cross"],
            new: v1.edited { $0.flags = $0.flags.with(choices: $0.flags.choices + [.init("Cross", bit: 1, since: 1)]) }),
        // MARK: Composites
        SBECase(
            "a composite member retyped", ["composite-layout-changed@v0:Decimal.exponent"],
            new: base.edited { parts in
                parts.decimal = CompositeSchema(
                    "Decimal", members: [FieldSchema("mantissa", .i64, at: 0, since: 0), FieldSchema("exponent", .u8, at: 8, since: 0)])
            }),
        SBECase(
            "a composite member added to the released version",
            [
                "composite-layout-changed@v0:Decimal", "composite-layout-changed@v0:Decimal.scale",
                "group-entry-layout-changed@v0:Order.legs.fills.price", "block-length-changed@v0:Order.legs.fills",
            ],
            new: base.edited { parts in
                parts.decimal = CompositeSchema("Decimal", members: parts.decimal.members + [FieldSchema("scale", .u8, at: 9, since: 0)])
            }),
        // MARK: Groups and var-data
        SBECase(
            "groups reordered", old: base.edited { $0.groupsAfter = [marks(since: 0)] }, ["group-order-changed@v0:Order"],
            new: base.edited { $0.groupsBefore = [marks(since: 0)] }),
        SBECase(
            "a v1 nested group before the released one",
            ["group-order-changed@v0:Order.legs", "group-added-to-message-with-var-data@v1:Order.legs.allocs"],
            new: v1.edited { $0.legGroups = [SBEParts.allocs(since: 1), $0.fills] }),
        SBECase(
            "a v1 nested group last, in an entry with var-data", ["group-added-to-message-with-var-data@v1:Order.legs.allocs"],
            new: v1.edited { $0.legGroups = [$0.fills, SBEParts.allocs(since: 1)] }),
        SBECase(
            "a v1 group in a message with var-data", ["group-added-to-message-with-var-data@v1:Order.marks"],
            new: v1.edited { $0.groupsAfter = [marks(since: 1)] }),
        SBECase(
            "a nested group added to the released version", ["group-added-to-released-version@v0:Order.legs.allocs"],
            new: base.edited { $0.legGroups = [$0.fills, SBEParts.allocs(since: 0)] }),
        SBECase(
            "a nested entry field retyped", ["group-entry-layout-changed@v0:Order.legs.fills.px"],
            new: base.edited { $0.fillFields.edit("px") { $0.with(type: .u64) } }),
        SBECase(
            "a group's dimension", ["group-dimension-changed@v0:Order.legs"],
            new: base.edited { parts in
                parts.legDimension = DimensionSchema(
                    size: 6, blockLength: EncodedSlot(offset: 0, type: .uint16), numInGroup: EncodedSlot(offset: 2, type: .uint32))
            }),
        SBECase(
            "a var-data length type", ["var-data-encoding-changed@v0:Order.text"],
            new: base.edited {
                $0.varData = [VarDataSchema("text", since: 0, encoding: VarDataEncoding(length: EncodedSlot(offset: 0, type: .uint32)))]
            }),
        SBECase(
            "a v1 var-data field before a released one in a group entry", ["var-data-order-changed@v0:Order.legs"],
            new: v1.edited { $0.legVarData = [VarDataSchema("memo", since: 1)] + $0.legVarData }),
        SBECase(
            "var-data added to a released group entry", ["var-data-added-to-released-version@v0:Order.legs.memo"],
            new: base.edited { $0.legVarData.append(VarDataSchema("memo", since: 0)) }),
        // MARK: Messages and the schema
        SBECase(
            "a v1 message on a released template id", ["template-id-duplicated@v1:Quote"],
            new: v1.edited { $0.others = [quote(since: 1, templateId: 1)] }),
        SBECase(
            "a released template id under another name", ["template-reused@v0:Order"],
            new: base.edited { parts in
                parts.orderExists = false
                parts.others = [quote(templateId: 1)]
            }),
        SBECase("the schema id", ["schema-id-changed@schemaId"], new: base.edited { $0.schemaId = 8 }),
        SBECase(
            "the header", ["header-changed@header"],
            new: base.edited { parts in
                let standard = HeaderSchema.standard
                parts.header = HeaderSchema(
                    size: 12, blockLength: standard.blockLength, templateId: standard.templateId, schemaId: standard.schemaId,
                    version: standard.version)
            }),
        SBECase("the byte order", ["byte-order-changed@byteOrder"], new: base.edited { $0.byteOrder = .bigEndian }),
        SBECase("a released version removed", old: v1, ["version-removed@v1"], new: base),
    ]

    @Test(arguments: cases)
    func findings(_ sbeCase: SBECase) throws {
        let (old, new) = (sbeCase.old.schema, sbeCase.new.schema)
        let changes = SchemaDiff.changes(from: old, to: new)
        #expect(Set(changes.map(\.id)) == sbeCase.expected, "got: \(changes.map(\.description))")
        #expect(changes.count == Set(changes.map(\.id)).count, "a finding twice: \(changes.map(\.id))")
        // The old schema's lock, written and read back, finds the same breaking changes.
        let lock = try SchemaLock.parse(data: Array(SchemaLock(schema: old, versions: old.releasedVersions).rendered.utf8), source: "lock")
        #expect(SchemaDiff.breakingChanges(locked: lock, current: new) == changes.filter(\.rule.isBreaking))
    }

    @Test func everyFindingSaysWhat() {
        let narrowed = base.edited { $0.fields.edit("qty") { $0.with(maxValue: .some(.unsigned(1000))) } }
        #expect(
            SchemaDiff.changes(from: base.schema, to: narrowed.schema).map(\.description) == [
                "value-range-narrowed@v0:Order.qty: valid range 1..1000000 → 1..1000: a released sender's value outside it is now invalid"
            ])
        let encoded = base.edited {
            $0.varData = [VarDataSchema("text", since: 0, encoding: VarDataEncoding(length: EncodedSlot(offset: 0, type: .uint32)))]
        }
        #expect(
            SchemaDiff.changes(from: base.schema, to: encoded.schema).map(\.detail) == [
                "encoding length u16@0, at most 1024 bytes, text in UTF-8 → length u32@0, at most 4294967295 bytes, text in UTF-8"
            ])
    }

    /// `compat schema diff OLD NEW`'s report: allowed evolutions listed with the rule's reason.
    @Test func theComparisonListsAllowedEvolutions() throws {
        let new = v1.edited { $0.fields.append(SBEParts.extraAtEnd) }
        let report = schemaComparison(old: base.schema, oldName: "old.xml", new: new.schema, newName: "new.xml")
        #expect(report.passed && report.exitStatus == 0)
        #expect(report.breaking == [])
        #expect(report.allowed.map(\.change.id) == ["field-added@v1:Order.extra"])
        #expect(report.lockedVersions == [0] && report.unlockedVersions == [1])
        #expect(report.rendered.hasPrefix("schema: new.xml against old.xml (versions 0) and the evolution rules V1–V4\n"))
        #expect(report.rendered.contains("allowed   field-added@v1:Order.extra\n"))
        #expect(report.rendered.contains("reason: V1: a new field at the end of its block in a new version"))
        let allowed = try #require(report.json["allowed"]?.arrayValue?.first?.objectValue)
        #expect(allowed.keys == ["id", "rule", "location", "detail", "reason"])
        #expect(allowed["location"] == .string("v1:Order.extra"))

        let broken = schemaComparison(old: base.schema, oldName: "old.xml", new: base.edited { $0.schemaId = 8 }.schema, newName: "new.xml")
        #expect(broken.exitStatus == 1)
        #expect(broken.json["breaking"]?.arrayValue?.first?["id"] == .string("schema-id-changed@schemaId"))
    }

    @Test func anAllowedEvolutionIsNothingToAllow() throws {
        do {
            _ = try AllowedBreaks(json: try JSON.parse(#"[{"id": "field-added@v1:Order.extra", "reason": "x"}]"#), source: "allowed.json")
            Issue.record("an allowed rule was accepted as a break")
        } catch let error as ConfigError {
            #expect(
                error.message.hasPrefix(
                    "allowed.json: [0].id: \"field-added\" is not a rule id but an allowed evolution: nothing to allow ("))
        }
    }

    /// Every attribute beyond TGP's is written, only then, and read back.
    @Test func theLockOfAnSBESchemaRoundTrips() throws {
        let parts = v1.edited { parts in
            parts.byteOrder = .bigEndian
            parts.legDimension = DimensionSchema(
                size: 6, blockLength: EncodedSlot(offset: 0, type: .uint16), numInGroup: EncodedSlot(offset: 2, type: .uint32))
            parts.legVarData = [
                VarDataSchema(
                    "note", since: 0, encoding: VarDataEncoding(length: EncodedSlot(offset: 0, type: .uint8), characterEncoding: nil))
            ]
            parts.side = parts.side.with(encoding: .char)
        }
        let lock = SchemaLock(schema: parts.schema)
        #expect(lock.lockedVersions == [0, 1])
        let text = lock.rendered
        let read = try SchemaLock.parse(data: Array(text.utf8), source: "lock")
        #expect(read == lock)
        #expect(read.rendered == text)
        for expected in [
            "\"byteOrder\": \"bigEndian\"", "\"types\": {", "{\"name\": \"Hidden\", \"bit\": 1, \"since\": 0}",
            "{\"name\": \"limit\", \"type\": \"i64\", \"offset\": 14, \"size\": 8, \"since\": 0, \"presence\": \"optional\", \"nullValue\": \"-9223372036854775808\"}",
            "\"presence\": \"constant\", \"value\": \"7\"}", "\"minValue\": \"1\", \"maxValue\": \"1000000\"}",
            "\"dimension\": {\"size\": 6, \"blockLength\": \"u16@0\", \"numInGroup\": \"u32@2\", \"maxEntries\": 4294967295}",
            "{\"name\": \"note\", \"since\": 0, \"length\": \"u8@0\", \"maxLength\": 255, \"characterEncoding\": null}",
            "\"encoding\": \"char\"",
        ] {
            #expect(text.contains(expected), "\(expected)")
        }
        #expect(!text.contains("\"header\""), "the standard header is TGP's: not written")
    }
}
