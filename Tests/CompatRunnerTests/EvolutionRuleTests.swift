// The evolution rules V1–V4 on schemas built in memory: TGP plus an unreleased v6 (or v7)
// that adds one thing. Each case states the exact findings on the schema alone and those of
// `compat schema diff` against the lock of today's TGP, where a problem a released version
// shows is named once, by the lock diff's rule.

import TGP
import Testing

@testable import CompatRunner

private let tgp = Schema.tgp

/// TGP with unreleased versions up to `newest` (v6: 4...6, v7: 5...7), then `edit`.
private func unreleased(upTo newest: Int = 6, _ edit: (Schema) -> Schema) -> Schema {
    let ranges = (6...newest).map { ($0, ($0 - 2)...$0) }
    return edit(tgp.with(peerRanges: tgp.peerRanges.merging(ranges) { $1 }))
}

/// `rule@vN:location` for each version N of `versions`: a change the lock diff names once per released version.
private func ids(_ rule: String, at versions: ClosedRange<Int>, _ location: String) -> Set<String> {
    Set(versions.map { "\(rule)@v\($0):\(location)" })
}

private func group(_ name: String, since: Int) -> GroupSchema {
    GroupSchema(name, since: since, fields: [FieldSchema("px", .i64, at: 0, since: since)])
}

/// One schema, and its findings (`rule@location`) on its own and against the v1–v5 lock.
struct EvolutionCase: Sendable, CustomTestStringConvertible {
    let testDescription: String
    let schema: @Sendable () -> Schema
    /// `SchemaEvolution.violations(of:)`: no lock.
    let alone: Set<String>
    /// `SchemaDiff.breakingChanges` against `SchemaLock(schema: .tgp)`.
    let againstLock: Set<String>

    init(_ description: String, alone: Set<String>, againstLock: Set<String>? = nil, schema: @escaping @Sendable () -> Schema) {
        self.testDescription = description
        self.schema = schema
        self.alone = alone
        self.againstLock = againstLock ?? alone
    }

    var rules: [String] { alone.union(againstLock).map { String($0.prefix { $0 != "@" }) } }
}

@Suite("Evolution rules")
struct EvolutionRuleTests {
    static let cases: [EvolutionCase] = [
        EvolutionCase("(f) today's TGP", alone: []) { tgp },
        EvolutionCase(
            "(a) V3: a v6 group in NewOrder, which has var-data",
            alone: ["group-added-to-message-with-var-data@v6:NewOrder.legs"]
        ) {
            unreleased { $0.editing("NewOrder") { $0.groups.append(group("legs", since: 6)) } }
        },
        EvolutionCase("(b) V3: v6 groups in messages without var-data", alone: []) {
            unreleased { schema in
                schema.editing("MarketDataSnapshot") { $0.groups.append(group("trades", since: 6)) }
                    .editing("OrderAck") { $0.groups.append(group("fills", since: 6)) }
            }
        },
        // The field starts inside the v4 and v5 blocks: released versions, so the lock diff names it.
        EvolutionCase(
            "(c) V1: a v6 field in the middle of NewOrder's block",
            alone: ["field-inserted-in-older-block@v6:NewOrder.flags"],
            againstLock: [
                "field-inserted-in-released-block@v4:NewOrder.flags",
                "field-inserted-in-released-block@v5:NewOrder.flags",
            ]
        ) {
            unreleased { $0.editing("NewOrder") { $0.fields.append(FieldSchema("flags", .u8, at: 35, since: 6)) } }
        },
        EvolutionCase(
            "V1: a v7 field inside the unreleased v6 block",
            alone: ["field-inserted-in-older-block@v7:NewOrder.tag"]
        ) {
            unreleased(upTo: 7) { schema in
                schema.editing("NewOrder") { parts in
                    parts.fields.append(FieldSchema("flags", .u32, at: 40, since: 6))
                    parts.fields.append(FieldSchema("tag", .u8, at: 42, since: 7))
                }
            }
        },
        EvolutionCase(
            "V1: a v6 entry field in the middle of the levels entry",
            alone: ["field-inserted-in-older-block@v6:MarketDataSnapshot.levels.venue"],
            againstLock: ids("field-inserted-in-released-block", at: 2...5, "MarketDataSnapshot.levels.venue")
        ) {
            unreleased { schema in
                schema.editing("MarketDataSnapshot") { parts in
                    let levels = parts.groups[0]
                    parts.groups = [
                        GroupSchema(
                            levels.name, since: levels.since,
                            fields: levels.fields + [FieldSchema("venue", .u8, at: 20, since: 6)])
                    ]
                }
            }
        },
        EvolutionCase(
            "(d) V2: a v6 var-data field before account",
            alone: ["var-data-inserted-before-older@v6:NewOrder.memo"],
            againstLock: ids("var-data-order-changed", at: 2...5, "NewOrder")
        ) {
            unreleased { $0.editing("NewOrder") { $0.varData.insert(VarDataSchema("memo", since: 6), at: 0) } }
        },
        EvolutionCase(
            "V3: a v6 group before levels",
            alone: ["group-inserted-before-older@v6:MarketDataSnapshot.trades"],
            againstLock: ids("group-order-changed", at: 2...5, "MarketDataSnapshot")
        ) {
            unreleased { $0.editing("MarketDataSnapshot") { $0.groups.insert(group("trades", since: 6), at: 0) } }
        },
        EvolutionCase(
            "V2, V3: a v7 var-data field and a v7 group before the unreleased v6 ones",
            alone: [
                "var-data-inserted-before-older@v7:NewOrder.note",
                "group-inserted-before-older@v7:MarketDataSnapshot.quotes",
            ]
        ) {
            unreleased(upTo: 7) { schema in
                schema.editing("NewOrder") { $0.varData += [VarDataSchema("note", since: 7), VarDataSchema("memo", since: 6)] }
                    .editing("MarketDataSnapshot") { $0.groups += [group("quotes", since: 7), group("trades", since: 6)] }
            }
        },
        // On its own a value with since 3 is a v3 value; only the lock knows v3 was released without it.
        EvolutionCase(
            "(e) V4: a v6 enum value with since 3", alone: [],
            againstLock: ids("enum-value-added-to-released-version", at: 3...5, "Side.Cross")
        ) {
            unreleased { $0.editingEnum("Side") { $0.adding(.init(4, "Cross", since: 3)) } }
        },
        EvolutionCase(
            "V4: a field of a version the schema does not have",
            alone: ["since-not-a-version@v6:NewOrder.flags"]
        ) {
            tgp.editing("NewOrder") { $0.fields.append(FieldSchema("flags", .u8, at: 40, since: 6)) }
        },
        // Its fields take the message's since: one wrong version, one finding.
        EvolutionCase("V4: a message of a version the schema does not have", alone: ["since-not-a-version@v9:Quote"]) {
            unreleased { $0.adding(MessageSchema(23, "Quote", .gatewayToClient, since: 9, fields: [.init("px", .i64, at: 0)])) }
        },
        EvolutionCase("V4: an enum value of a version the schema does not have", alone: ["since-not-a-version@v8:Side.Cross"]) {
            unreleased { $0.editingEnum("Side") { $0.adding(.init(4, "Cross", since: 8)) } }
        },
        EvolutionCase("V4: a v6 message with CancelOrder's template id", alone: ["template-id-duplicated@v6:Quote"]) {
            unreleased { $0.adding(MessageSchema(12, "Quote", .gatewayToClient, since: 6, fields: [.init("px", .i64, at: 0)])) }
        },
        EvolutionCase("V4: a v6 enum value with SellShort's number", alone: ["enum-value-number-duplicated@v6:Side.Cross"]) {
            unreleased { $0.editingEnum("Side") { $0.adding(.init(3, "Cross", since: 6)) } }
        },
    ]

    @Test(arguments: cases)
    func findings(_ evolutionCase: EvolutionCase) {
        let schema = evolutionCase.schema()
        let alone = SchemaEvolution.violations(of: schema).map(\.id)
        #expect(Set(alone) == evolutionCase.alone)
        #expect(alone.count == Set(alone).count, "a finding twice: \(alone)")
        let diff = SchemaDiff.breakingChanges(locked: SchemaLock(schema: tgp), current: schema).map(\.id)
        #expect(Set(diff) == evolutionCase.againstLock)
        #expect(diff.count == Set(diff).count, "a finding twice: \(diff)")
    }

    @Test func aFindingSaysWhyAndWhatToDo() throws {
        let schema = unreleased { $0.editing("NewOrder") { $0.groups.append(group("legs", since: 6)) } }
        let finding = try #require(SchemaEvolution.violations(of: schema).first)
        #expect(
            finding.detail == "NewOrder has var-data (account, clientTag) and the header carries no group count: a decoder "
                + "that knows a var-data field but not legs reads the group's dimension bytes as that field's length; "
                + "carry the repeating data in a new message type")
        let inserted = unreleased { $0.editing("NewOrder") { $0.fields.append(FieldSchema("flags", .u8, at: 35, since: 6)) } }
        #expect(
            SchemaEvolution.violations(of: inserted).map(\.detail) == [
                "field flags @35 starts inside the v5 root block of 40 bytes, which older decoders read as their own fields: put it at offset 40 or later"
            ])
    }

    /// Through `schemaSection`, all that `compat schema diff` runs: v6 is not in the lock, yet judged.
    @Test func schemaDiffExitsOneOnAnUnreleasedViolation() throws {
        let folder = try SchemaTestFolder()
        try SchemaLock(schema: tgp).write(to: folder.path + "/schema-lock.json")
        let schema = unreleased { $0.editing("NewOrder") { $0.groups.append(group("legs", since: 6)) } }
        let report = try schemaSection(fixtures: folder.path, baseline: nil, schema: schema)
        #expect(report.breaking.map(\.id) == ["group-added-to-message-with-var-data@v6:NewOrder.legs"])
        #expect(report.exitStatus == 1)
        #expect(report.rendered.contains("not in the baseline, judged by the evolution rules V1–V4 only: v6"))
        #expect(report.rendered.contains("BREAKING  group-added-to-message-with-var-data@v6:NewOrder.legs"))
        let clean = try schemaSection(fixtures: folder.path, baseline: nil)
        #expect(clean.exitStatus == 0)
    }

    /// Releasing a version that breaks the rules is refused like changing a released one.
    @Test func theLockRefusesToReleaseAViolation() {
        let schema = unreleased { $0.editing("NewOrder") { $0.groups.append(group("legs", since: 6)) } }
        #expect(throws: SchemaLockRefusal.self) { try SchemaLock.updating(SchemaLock(schema: tgp), to: schema, allowBreaking: false) }
    }
}
