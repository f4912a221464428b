// The lint of one schema: one schema per lint rule (SBESchemaParts.swift), its exact findings,
// TGP's schema clean, the report and `compat schema lint`.

import MiniJSON
import TGP
import Testing

@testable import CompatRunner

private let base = SBEParts()
private let v1 = SBEParts.next

/// One schema and its exact lint findings.
struct LintCase: Sendable, CustomTestStringConvertible {
    let testDescription: String
    let parts: SBEParts
    let expected: Set<String>

    init(_ description: String, _ expected: Set<String>, _ parts: SBEParts) {
        self.testDescription = description
        self.parts = parts
        self.expected = expected
    }
}

@Suite("Schema lint")
struct SchemaLintTests {
    static let cases: [LintCase] = [
        LintCase("the base schema", [], base),
        LintCase(
            "a field inside another", ["offsets-overlap@v0:Order.extra"],
            base.edited { $0.fields.append(FieldSchema("extra", .u8, at: 12, since: 0)) }),
        LintCase(
            "var-data named like a field", ["name-duplicated@v0:Order.id"], base.edited { $0.varData.append(VarDataSchema("id", since: 0)) }
        ),
        LintCase(
            "two fields with one id", ["id-duplicated@v0:Order.qty"],
            base.edited { parts in
                parts.fields.edit("id") { $0.with(id: 11) }
                parts.fields.edit("qty") { $0.with(id: 11) }
            }),
        LintCase(
            "two messages with one name", ["message-name-duplicated@v0:Order"],
            base.edited { $0.others = [MessageSchema(2, "Order", .both, since: 0, fields: [FieldSchema("px", .i64, at: 0, since: 0)])] }),
        LintCase(
            "two messages with one template id", ["template-id-duplicated@v0:Quote"], base.edited { $0.others = [quote(templateId: 1)] }),
        LintCase(
            "a field of a version above the schema's", ["since-not-a-version@v1:Order.extra"],
            base.edited { $0.fields.append(SBEParts.extraAtEnd) }),
        LintCase(
            "deprecated before it is added", ["deprecated-before-since@v1:Order.extra"],
            v1.edited { $0.fields.append(SBEParts.extraAtEnd.with(deprecated: 0)) }),
        LintCase(
            "a constant that does not fit", ["constant-out-of-range@v0:Order.kind"],
            base.edited { $0.fields.edit("kind") { $0.with(presence: .constant(.unsigned(300))) } }),
        LintCase(
            "an enum value beyond its encoding", ["enum-value-out-of-range@v0:Side.Big"],
            base.edited { $0.side = $0.side.with(values: $0.side.values + [.init(256, "Big", since: 0)]) }),
        LintCase(
            "a set bit beyond its encoding", ["set-bit-out-of-range@v0:Flags.High"],
            base.edited { $0.flags = $0.flags.with(choices: $0.flags.choices + [.init("High", bit: 8)]) }),
        LintCase(
            "an enum value older than its enum", ["since-below-parent@v0:Side.Sell"],
            v1.edited { $0.side = EnumSchema("Side", [.init(1, "Buy", since: 1), .init(2, "Sell", since: 0)], since: 1) }),
        LintCase("the blockLength attribute below the fields", ["block-length-below-fields@v0:Order"], base.edited { $0.blockLength = 20 }),
        LintCase(
            "a v1 field inside the v0 block", ["offsets-overlap@v1:Order.extra", "field-inserted-in-older-block@v1:Order.extra"],
            v1.edited { $0.fields.append(FieldSchema("extra", .u8, at: 20, since: 1)) }),
        LintCase(
            "v1 var-data before v0 var-data", ["var-data-inserted-before-older@v1:Order.memo"],
            v1.edited { $0.varData = [VarDataSchema("memo", since: 1)] + $0.varData }),
        LintCase(
            "a v1 nested group before a v0 one, in an entry with var-data",
            ["group-inserted-before-older@v1:Order.legs.allocs", "group-added-to-message-with-var-data@v1:Order.legs.allocs"],
            v1.edited { $0.legGroups = [SBEParts.allocs(since: 1), $0.fills] }),
    ]

    @Test(arguments: cases)
    func findings(_ lintCase: LintCase) {
        let findings = SchemaLint.findings(of: lintCase.parts.schema).map(\.id)
        #expect(Set(findings) == lintCase.expected, "got: \(findings)")
        #expect(findings.count == Set(findings).count, "a finding twice: \(findings)")
    }

    @Test func everyLintRuleHasACase() {
        let covered = Set(Self.cases.flatMap { $0.expected.map { String($0.prefix { $0 != "@" }) } })
        #expect(Set(LintRule.allCases.map(\.rawValue)).isSubset(of: covered))
    }

    @Test func tgpHasNoFinding() {
        #expect(SchemaLint.findings(of: .tgp) == [])
    }

    @Test func aFindingSaysWhyAndWhatToDo() {
        let overlapping = base.edited { $0.fields.append(FieldSchema("extra", .u8, at: 12, since: 0)) }
        #expect(
            SchemaLint.findings(of: overlapping.schema).map(\.description) == [
                "offsets-overlap@v0:Order.extra: extra @12 starts inside qty (@10, 4 bytes): a decoder reads one's bytes as the other's; put it at offset 14 or later"
            ])
    }

    @Test func theReportTakesAnySchemaAndItsName() throws {
        let report = SchemaLintReport(schema: base.edited { $0.blockLength = 20 }.schema, name: "order.xml")
        #expect(report.exitStatus == 1)
        #expect(report.rendered.hasPrefix("schema lint: order.xml\n  FINDING  block-length-below-fields@v0:Order\n"))
        let finding = try #require(report.json["findings"]?.arrayValue?.first?.objectValue)
        #expect(finding.keys == ["id", "rule", "location", "detail"])
        #expect(SchemaLintReport(schema: base.schema, name: "order.xml").exitStatus == 0)
    }

    @Test func schemaLintCommand() throws {
        let text = try runCompat(["schema", "lint"])
        #expect(text.status == 0, "\(text.stdout)\(text.stderr)")
        #expect(text.stdout == "schema lint: TGP (Sources/TGP/tgp.xml)\n  no finding\n")
        let json = try runCompat(["schema", "lint", "--json"])
        #expect(json.status == 0)
        #expect(try JSON.parse(json.stdout)["passed"] == .bool(true))
    }
}
