// The released-schema lock and the schema diff: each breaking rule is caught on an edited
// copy of the TGP schema, an additive v6 is not breaking, the lock file round-trips and
// refuses to change a released entry, and allowed breaks are reported with their reasons.

import BuiltBinaries
import Foundation
import MiniJSON
import TGP
import Testing

@testable import CompatRunner

private let tgp = Schema.tgp

extension Schema {
    /// This schema with `version`'s peer range (N3) replaced, every other version's as it is.
    func with(range: ClosedRange<Int>, of version: Int) -> Schema {
        with(peerRanges: peerRanges.merging([version: range]) { $1 })
    }
}

/// One rule: the edit, and the change it must draw (`rule@location`).
struct SchemaRuleCase: Sendable, CustomTestStringConvertible {
    let expected: String
    /// The released schema the lock is made from (default: TGP as it is).
    let baseline: @Sendable () -> Schema
    let today: @Sendable () -> Schema

    init(_ expected: String, baseline: @escaping @Sendable () -> Schema = { .tgp }, today: @escaping @Sendable () -> Schema) {
        self.expected = expected
        self.baseline = baseline
        self.today = today
    }

    var rule: String { String(expected.prefix { $0 != "@" }) }
    var testDescription: String { expected }
}

/// MarketDataSnapshot with a second group `trades` (since `since`) after `levels`, or before it.
private func withTrades(since: Int, before: Bool = false) -> Schema {
    tgp.editing("MarketDataSnapshot") { parts in
        let trades = GroupSchema("trades", since: since, fields: [FieldSchema("px", .i64, at: 0, since: since)])
        parts.groups = before ? [trades] + parts.groups : parts.groups + [trades]
    }
}

private let side = tgp.enumeration(named: "Side")!

// MARK: - Tests

@Suite("Schema lock and diff")
struct SchemaDiffTests {
    static let ruleCases: [SchemaRuleCase] = [
        SchemaRuleCase("template-removed@v1:CancelOrder") { tgp.removing("CancelOrder") },
        SchemaRuleCase("template-reused@v1:CancelOrder") {
            // A v6 message may not take a released template id either.
            tgp.removing("CancelOrder").adding(MessageSchema(12, "Quote", .gatewayToClient, since: 6, fields: [.init("px", .i64, at: 0)]))
        },
        SchemaRuleCase("template-renumbered@v1:CancelOrder") { tgp.editing("CancelOrder") { $0.templateId = 30 } },
        SchemaRuleCase("message-added-to-released-version@v3:Quote") {
            tgp.adding(MessageSchema(40, "Quote", .gatewayToClient, since: 3, fields: [.init("px", .i64, at: 0)]))
        },
        SchemaRuleCase("direction-changed@v1:Heartbeat") { tgp.editing("Heartbeat") { $0.direction = .clientToGateway } },
        SchemaRuleCase("field-removed@v1:CancelOrder.symbol") { tgp.editing("CancelOrder") { $0.fields.removeLast() } },
        SchemaRuleCase("field-renamed@v1:NewOrder.side") {
            tgp.editing("NewOrder") { $0.fields.edit("side") { $0.with(name: "buySell") } }
        },
        SchemaRuleCase("field-moved@v3:NewOrder.side") {
            tgp.editing("NewOrder") { parts in
                parts.fields.edit("side") { $0.with(offset: 21) }
                parts.fields.edit("ordType") { $0.with(offset: 20) }
            }
        },
        SchemaRuleCase("field-resized@v1:NewOrder.quantity") {
            tgp.editing("NewOrder") { $0.fields.edit("quantity") { $0.with(type: .u16) } }
        },
        SchemaRuleCase("field-retyped@v1:NewOrder.price") { tgp.editing("NewOrder") { $0.fields.edit("price") { $0.with(type: .u64) } } },
        SchemaRuleCase("widening-changed@v4:NewOrder.quantityLong") {
            tgp.editing("NewOrder") { $0.fields.edit("quantityLong") { $0.with(widens: .some(nil)) } }
        },
        SchemaRuleCase("field-added-to-released-version@v5:NewOrder.flags") {
            tgp.editing("NewOrder") { $0.fields.append(FieldSchema("flags", .u8, at: 40, since: 5)) }
        },
        SchemaRuleCase("field-inserted-in-released-block@v5:NewOrder.flags") {
            tgp.editing("NewOrder") { $0.fields.append(FieldSchema("flags", .u8, at: 35, since: 6)) }
        },
        SchemaRuleCase("since-changed@v3:NewOrder.timeInForce") {
            tgp.editing("NewOrder") { $0.fields.edit("timeInForce") { $0.with(since: 3) } }
        },
        SchemaRuleCase("since-changed@v3:ModifyOrder") { tgp.editing("ModifyOrder") { $0.since = 4 } },
        SchemaRuleCase("since-changed@v1:Side.SellShort") {
            tgp.editingEnum("Side") { _ in EnumSchema("Side", [.init(1, "Buy"), .init(2, "Sell"), .init(3, "SellShort")]) }
        },
        SchemaRuleCase("enum-value-removed@v2:Side.SellShort") {
            tgp.editingEnum("Side") { _ in EnumSchema("Side", [.init(1, "Buy"), .init(2, "Sell")]) }
        },
        SchemaRuleCase("enum-value-renumbered@v2:Side.SellShort") {
            tgp.editingEnum("Side") { _ in EnumSchema("Side", [.init(1, "Buy"), .init(2, "Sell"), .init(4, "SellShort", since: 2)]) }
        },
        SchemaRuleCase("enum-value-renamed@v2:Side.SellShort") {
            tgp.editingEnum("Side") { _ in EnumSchema("Side", [.init(1, "Buy"), .init(2, "Sell"), .init(3, "ShortSell", since: 2)]) }
        },
        SchemaRuleCase("enum-value-added-to-released-version@v5:Side.Cross") {
            tgp.editingEnum("Side") { $0.adding(.init(4, "Cross", since: 5)) }
        },
        SchemaRuleCase("default-changed@v2:TimeInForce") {
            tgp.editingEnum("TimeInForce") { EnumSchema($0.name, $0.values, default: "GTC") }
        },
        SchemaRuleCase("var-data-order-changed@v5:NewOrder") { tgp.editing("NewOrder") { $0.varData.reverse() } },
        SchemaRuleCase("var-data-order-changed@v5:NewOrder") {
            // A v6 var-data field before a v5 one: a v5 receiver would read it as its own.
            tgp.editing("NewOrder") { $0.varData.insert(VarDataSchema("memo", since: 6), at: 1) }
        },
        SchemaRuleCase("var-data-removed@v2:NewOrder.account") { tgp.editing("NewOrder") { $0.varData.removeFirst() } },
        SchemaRuleCase("var-data-added-to-released-version@v3:Heartbeat.note") {
            tgp.editing("Heartbeat") { $0.varData.append(VarDataSchema("note", since: 3)) }
        },
        SchemaRuleCase(
            "group-order-changed@v4:MarketDataSnapshot", baseline: { withTrades(since: 2) }, today: { withTrades(since: 2, before: true) }),
        SchemaRuleCase("group-order-changed@v5:MarketDataSnapshot") { withTrades(since: 6, before: true) },
        SchemaRuleCase("group-removed@v2:MarketDataSnapshot.levels") { tgp.editing("MarketDataSnapshot") { $0.groups = [] } },
        SchemaRuleCase("group-added-to-released-version@v4:MarketDataSnapshot.trades") { withTrades(since: 4) },
        SchemaRuleCase("group-entry-layout-changed@v4:MarketDataSnapshot.levels.bidOrders") {
            tgp.editing("MarketDataSnapshot") { parts in
                var fields = parts.groups[0].fields
                fields.edit("bidOrders") { $0.with(offset: 26) }
                fields.edit("askOrders") { $0.with(offset: 24) }
                parts.groups = [GroupSchema("levels", since: 2, fields: fields)]
            }
        },
        SchemaRuleCase("range-narrowed@v4:peer-range") { tgp.with(range: 3...4, of: 4) },
        SchemaRuleCase("range-widened@v4:peer-range") { tgp.with(range: 1...4, of: 4) },
        SchemaRuleCase("block-length-changed@v5:NewOrder") { tgp.editing("NewOrder") { $0.fields.edit("stp") { $0.with(offset: 40) } } },
        SchemaRuleCase("block-length-changed@v3:MarketDataSnapshot.levels") {
            tgp.editing("MarketDataSnapshot") { parts in
                var fields = parts.groups[0].fields
                fields.edit("askOrders") { $0.with(type: .u32) }
                parts.groups = [GroupSchema("levels", since: 2, fields: fields)]
            }
        },
        SchemaRuleCase("schema-id-changed@schemaId") { tgp.with(schemaId: 0x5448) },
        SchemaRuleCase("limit-changed@limits.maxFrameSize") { tgp.with(maxFrameSize: 8192) },
        SchemaRuleCase("version-removed@v\(tgp.latestVersion)") {
            tgp.with(peerRanges: tgp.peerRanges.filter { $0.key != tgp.latestVersion })
        },
    ]

    @Test func todaysSchemaAgainstItsOwnLockHasNoChange() {
        #expect(SchemaDiff.breakingChanges(locked: SchemaLock(schema: tgp), current: tgp) == [])
    }

    @Test(arguments: ruleCases)
    func eachBreakingRuleIsCaught(_ ruleCase: SchemaRuleCase) {
        let changes = SchemaDiff.breakingChanges(locked: SchemaLock(schema: ruleCase.baseline()), current: ruleCase.today())
        #expect(changes.map(\.id).contains(ruleCase.expected), "got: \(changes.map(\.description))")
        // The baseline against itself is clean, so the change comes from the edit.
        #expect(SchemaDiff.breakingChanges(locked: SchemaLock(schema: ruleCase.baseline()), current: ruleCase.baseline()) == [])
    }

    @Test func everyRuleHasACase() {
        // support-cut-off is judged against matrix.json's support policy: UpgradeTests.supportPolicy.
        // The rules of SBE's whole type system, and the allowed evolutions, have their cases in SBEEvolutionTests.
        let covered = Set(
            Self.ruleCases.map(\.rule) + EvolutionRuleTests.cases.flatMap(\.rules) + SBEEvolutionTests.cases.flatMap(\.rules)
                + ["support-cut-off"])
        #expect(covered == Set(SchemaRule.allCases.map(\.rawValue)))
    }

    @Test func ruleIdsAreKebabCaseAndUnique() {
        let ids = SchemaRule.allCases.map(\.rawValue)
        #expect(Set(ids).count == ids.count)
        for id in ids { #expect(id.allSatisfy { $0.isLowercase || $0 == "-" }, "\(id)") }
    }

    /// A change shows once per version it touches, and only there.
    @Test func aChangeIsReportedOncePerVersionWhereItShows() {
        let today = tgp.editing("NewOrder") { $0.fields.edit("stp") { $0.with(offset: 40) } }
        let changes = SchemaDiff.breakingChanges(locked: SchemaLock(schema: tgp), current: today)
        #expect(changes.map(\.id) == ["field-moved@v5:NewOrder.stp", "block-length-changed@v5:NewOrder"])
        #expect(changes.first?.detail == "offset 39 → 40")
        let moved = tgp.editing("NewOrder") { parts in
            parts.fields.edit("side") { $0.with(offset: 21) }
            parts.fields.edit("ordType") { $0.with(offset: 20) }
        }
        let sideChanges = SchemaDiff.breakingChanges(locked: SchemaLock(schema: tgp), current: moved).filter {
            $0.location.hasSuffix(":NewOrder.side")
        }
        #expect(sideChanges.map(\.id) == tgp.versions.map { "field-moved@v\($0):NewOrder.side" })
    }

    @Test func anAdditiveV6IsNotBreaking() {
        let v6 =
            tgp
            .adding(MessageSchema(23, "Quote", .gatewayToClient, since: 6, fields: [.init("px", .i64, at: 0)], varData: [.init("venue")]))
            .editing("NewOrder") { parts in
                parts.fields.append(FieldSchema("flags", .u8, at: 40, since: 6))
                parts.varData.append(VarDataSchema("memo", since: 6))
            }
            .editing("MarketDataSnapshot") { parts in
                let levels = parts.groups[0]
                parts.groups = [
                    GroupSchema("levels", since: levels.since, fields: levels.fields + [FieldSchema("venue", .u8, at: 28, since: 6)]),
                    GroupSchema("trades", since: 6, fields: [FieldSchema("px", .i64, at: 0, since: 6)]),
                ]
            }
            .editingEnum("Side") { $0.adding(.init(4, "Cross", since: 6)) }
            .with(peerRanges: tgp.peerRanges.merging([6: 4...6]) { $1 })
        let lock = SchemaLock(schema: tgp)
        #expect(SchemaDiff.breakingChanges(locked: lock, current: v6) == [])
        // And the snapshot at 6 holds the additions.
        let snapshot = SchemaSnapshot(v6, version: 6)!
        #expect(snapshot.message(named: "Quote")?.templateId == 23)
        #expect(snapshot.message(named: "NewOrder")?.blockLength == 41)
        #expect(snapshot.enumeration(named: "Side")?.values.map(\.name) == ["Buy", "Sell", "SellShort", "Cross"])
        #expect(snapshot.peerRange == 4...6)
    }

    @Test func theSnapshotIsWhatAVersionPutsOnTheWire() throws {
        let v1 = try #require(SchemaSnapshot(tgp, version: 1))
        #expect(v1.peerRange == 1...1)
        #expect(
            v1.messages.map(\.name) == [
                "Logon", "LogonAck", "LogonReject", "Heartbeat", "Logout", "Reject",
                "NewOrder", "OrderAck", "CancelOrder", "CancelAck", "ExecutionReport",
            ])
        let newOrder = try #require(v1.message(named: "NewOrder"))
        #expect(newOrder.blockLength == 30)
        #expect(newOrder.fields.map(\.name) == ["clOrdId", "price", "quantity", "side", "ordType", "symbol"])
        #expect(newOrder.fields[3] == FieldSnapshot(name: "side", type: "Side", offset: 20, size: 1, since: 1))
        #expect(newOrder.varData == [])
        #expect(v1.enumeration(named: "Side")?.values.map(\.name) == ["Buy", "Sell"])
        #expect(v1.enumeration(named: "TimeInForce") == nil)
        let v4 = try #require(SchemaSnapshot(tgp, version: 4))
        let levels = try #require(v4.message(named: "MarketDataSnapshot")?.groups.first)
        #expect(levels.blockLength == 28)
        #expect(
            v4.message(named: "NewOrder")?.fields.last
                == FieldSnapshot(name: "quantityLong", type: "u64", offset: 31, size: 8, since: 4, widens: "quantity"))
        #expect(v4.enumeration(named: "TimeInForce")?.defaultValue == 0)
        #expect(SchemaSnapshot(tgp, version: 6) == nil)
    }

    @Test func theLockRoundTrips() throws {
        let lock = SchemaLock(schema: tgp)
        #expect(lock.lockedVersions == tgp.versions)
        let text = lock.rendered
        let read = try SchemaLock.parse(data: Array(text.utf8), source: "test")
        #expect(read == lock)
        #expect(read.rendered == text)
        // One field per line, stable order.
        #expect(text.contains("\n            {\"name\": \"side\", \"type\": \"Side\", \"offset\": 20, \"size\": 1, \"since\": 1},\n"))
        #expect(text.contains("\"limits\": {\"maxFrameSize\": 4096, \"maxVarDataLength\": 1024, \"maxGroupEntries\": 64}"))
        let versionKeys = try #require(JSON.parse(text)["versions"]?.objectValue?.keys)
        #expect(versionKeys == tgp.versions.map(String.init))

        let folder = try SchemaTestFolder()
        try lock.write(to: folder.path + "/schema-lock.json")
        #expect(try SchemaLock.load(path: folder.path + "/schema-lock.json") == lock)
    }

    @Test func theCommittedLockHoldsTheReleasedVersionsAndMatchesTodaysSchema() throws {
        let lock = try SchemaLock.load(path: Built.fixtures + "/schema-lock.json")
        #expect(lock.lockedVersions == tgp.versions)
        #expect(lock == SchemaLock(schema: tgp))
        let allowed = try AllowedBreaks.load(path: Built.fixtures + "/allowed-breaks.json")
        #expect(allowed.entries == [])
    }

    @Test func lockReadingErrorsNameTheKey() {
        var text = SchemaLock(schema: tgp).rendered
        text = text.replacingOccurrences(
            of: "{\"name\": \"clOrdId\", \"type\": \"u64\", \"offset\": 0, \"size\": 8, \"since\": 1}",
            with: "{\"name\": \"clOrdId\", \"type\": \"u64\", \"offset\": -1, \"size\": 8, \"since\": 1}")
        #expect(throws: ConfigError.self) { try SchemaLock.parse(data: Array(text.utf8), source: "lock.json") }
        do {
            _ = try SchemaLock.parse(data: Array(text.utf8), source: "lock.json")
        } catch {
            #expect(error.message == "lock.json: versions.1.messages[6].fields[0].offset: must be an integer of at least 0, got -1")
        }
        let cases: [(String, String)] = [
            (
                #"{"schemaId": 1, "limits": {"maxFrameSize": 1, "maxVarDataLength": 1, "maxGroupEntries": 1}}"#,
                "lock.json: versions: missing"
            ),
            (
                #"{"schemaId": 1, "limits": {"maxFrameSize": 1, "maxVarDataLength": 1}, "versions": {}}"#,
                "lock.json: limits.maxGroupEntries: missing"
            ),
            (
                #"{"schemaId": 1, "limits": {"maxFrameSize": 1, "maxVarDataLength": 1, "maxGroupEntries": 1}, "versions": {"x": {}}}"#,
                "lock.json: versions.x: not a version number (1, 2, …)"
            ),
            (
                #"{"schemaId": 1, "limits": {"maxFrameSize": 1, "maxVarDataLength": 1, "maxGroupEntries": 1}, "versions": {"1": {"peerRange": [1, 1], "messages": [], "enums": [], "extra": 1}}}"#,
                "lock.json: versions.1.extra: unknown key (expected peerRange, messages, enums)"
            ),
        ]
        for (json, message) in cases {
            do {
                _ = try SchemaLock.parse(data: Array(json.utf8), source: "lock.json")
                Issue.record("no error for \(json)")
            } catch {
                #expect(error.message == message)
            }
        }
    }

    @Test func lockRefusesToChangeAReleasedEntryAndWritesANewVersion() throws {
        let lock = SchemaLock(schema: tgp)
        let moved = tgp.editing("NewOrder") { $0.fields.edit("stp") { $0.with(offset: 40) } }
        do {
            _ = try SchemaLock.updating(lock, to: moved, allowBreaking: false)
            Issue.record("a released entry was allowed to change")
        } catch {
            #expect(error.changes.map(\.id) == ["field-moved@v5:NewOrder.stp", "block-length-changed@v5:NewOrder"])
            #expect(error.description.contains("field-moved@v5:NewOrder.stp: offset 39 → 40"))
        }
        let forced = try SchemaLock.updating(lock, to: moved, allowBreaking: true)
        #expect(forced.changed)
        #expect(forced.acceptedChanges.map(\.id) == ["field-moved@v5:NewOrder.stp", "block-length-changed@v5:NewOrder"])
        #expect(forced.lock == SchemaLock(schema: moved))

        let unchanged = try SchemaLock.updating(lock, to: tgp, allowBreaking: false)
        #expect(!unchanged.changed && unchanged.addedVersions == [] && unchanged.lock == lock)

        let v6 = tgp.adding(MessageSchema(23, "Quote", .gatewayToClient, since: 6, fields: [.init("px", .i64, at: 0)]))
            .with(peerRanges: tgp.peerRanges.merging([6: 4...6]) { $1 })
        let released = try SchemaLock.updating(lock, to: v6, allowBreaking: false)
        #expect(released.changed && released.addedVersions == [6])
        #expect(released.lock.lockedVersions == tgp.versions + [6])
        #expect(released.lock.versions[6] == SchemaSnapshot(v6, version: 6))
        for version in tgp.versions { #expect(released.lock.versions[version] == lock.versions[version]) }
        // Once v6 is locked, moving its new message out of it is breaking.
        #expect(
            SchemaDiff.breakingChanges(locked: released.lock, current: tgp.with(peerRanges: v6.peerRanges)).map(\.id).contains(
                "template-removed@v6:Quote"))

        let fresh = try SchemaLock.updating(nil, to: tgp, allowBreaking: false)
        #expect(fresh.addedVersions == tgp.versions && fresh.lock == lock)
    }

    @Test func allowedBreaksFileErrorsNameTheKey() {
        let cases: [(String, String)] = [
            (#"{}"#, "allowed.json: (top level): must be an array of {\"id\": \"RULE@LOCATION\", \"reason\": \"…\"}, got object"),
            (
                #"[{"id": "field-moved@v3:NewOrder.side"}]"#,
                "allowed.json: [0].reason: missing: say why this break is intended (who decided, the ticket)"
            ),
            (#"[{"id": "field-moved@v3:NewOrder.side", "reason": "  "}]"#, "allowed.json: [0].reason: must be a non-empty string"),
            (#"[{"reason": "x"}]"#, "allowed.json: [0].id: missing: the change's RULE@LOCATION, e.g. field-moved@v3:NewOrder.side"),
            (
                #"[{"id": "field-moved", "reason": "x"}]"#,
                "allowed.json: [0].id: \"field-moved\" is not RULE@LOCATION, e.g. field-moved@v3:NewOrder.side"
            ),
            (
                #"[{"id": "field-moved@v3:NewOrder.side", "reason": "x", "ticket": 1}]"#,
                "allowed.json: [0].ticket: unknown key (expected id, reason)"
            ),
            (#"[{"id": "x", "reason": "x"}, 3]"#, "allowed.json: [0].id: \"x\" is not RULE@LOCATION, e.g. field-moved@v3:NewOrder.side"),
            (
                #"[{"id": "field-moved@v3:NewOrder.side", "reason": "x"}, {"id": "field-moved@v3:NewOrder.side", "reason": "y"}]"#,
                "allowed.json: [1].id: \"field-moved@v3:NewOrder.side\" is listed twice"
            ),
        ]
        for (json, message) in cases {
            do {
                _ = try AllowedBreaks(json: try JSON.parse(json), source: "allowed.json")
                Issue.record("no error for \(json)")
            } catch let error as ConfigError {
                #expect(error.message == message)
            } catch {
                Issue.record("\(error)")
            }
        }
        do {
            _ = try AllowedBreaks(
                json: try JSON.parse(#"[{"id": "field-moved-away@v3:NewOrder.side", "reason": "x"}]"#), source: "allowed.json")
            Issue.record("an unknown rule was accepted")
        } catch let error as ConfigError {
            #expect(error.message.hasPrefix("allowed.json: [0].id: \"field-moved-away\" is not a rule id (template-removed, "))
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func anAllowedBreakIsReportedAsAllowedNotBreaking() throws {
        let folder = try SchemaTestFolder()
        try SchemaLock(schema: tgp).write(to: folder.path + "/schema-lock.json")
        let narrowed = tgp.with(range: 3...4, of: 4)

        let unallowed = try schemaSection(fixtures: folder.path, baseline: nil, schema: narrowed)
        #expect(!unallowed.passed)
        #expect(unallowed.breaking.map(\.id) == ["range-narrowed@v4:peer-range"])
        #expect(unallowed.rendered.contains("BREAKING  range-narrowed@v4:peer-range"))

        let allowances = AllowedBreaks([
            AllowedBreak(id: "range-narrowed@v4:peer-range", reason: "RISK-42: v4 gateways drop v2 clients"),
            AllowedBreak(id: "field-moved@v3:NewOrder.side", reason: "never happened"),
        ])
        try allowances.json.serialized(pretty: true).write(toFile: folder.path + "/allowed-breaks.json", atomically: true, encoding: .utf8)
        let report = try schemaSection(fixtures: folder.path, baseline: nil, schema: narrowed)
        #expect(report.passed)
        #expect(report.breaking == [])
        #expect(report.allowed.map(\.change.id) == ["range-narrowed@v4:peer-range"])
        #expect(report.allowed.first?.reason == "RISK-42: v4 gateways drop v2 clients")
        #expect(report.unusedAllowances.map(\.id) == ["field-moved@v3:NewOrder.side"])
        #expect(report.rendered.contains("allowed   range-narrowed@v4:peer-range"))
        #expect(report.rendered.contains("reason: RISK-42: v4 gateways drop v2 clients"))
        #expect(report.baselineDescription == folder.path + "/schema-lock.json")

        // Today's schema against the same lock: nothing breaking, the allowance is unused.
        let clean = try schemaSection(fixtures: folder.path, baseline: nil)
        #expect(clean.passed && clean.allowed == [] && clean.unusedAllowances.count == 2)
    }

    @Test func aGitRefIsABaseline() throws {
        let folder = try SchemaTestFolder()
        let fixtures = folder.path + "/fixtures"
        try FileManager.default.createDirectory(atPath: fixtures, withIntermediateDirectories: true)
        let old = tgp.with(range: 1...4, of: 4)
        try SchemaLock(schema: old).write(to: fixtures + "/schema-lock.json")
        for arguments in [
            ["init", "-q"], ["add", "fixtures"],
            ["-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "lock"],
        ] {
            let result = try #require(SchemaBaseline.runGit(arguments, in: folder.path))
            #expect(result.termination == .exited(0), "git \(arguments): \(result.stderr)")
        }
        try SchemaLock(schema: tgp).write(to: fixtures + "/schema-lock.json")

        #expect(try schemaSection(fixtures: fixtures, baseline: nil).passed)
        let report = try schemaSection(fixtures: fixtures, baseline: "HEAD")
        #expect(report.breaking.map(\.id) == ["range-narrowed@v4:peer-range"])
        #expect(report.baselineDescription == "HEAD:fixtures/schema-lock.json (git ref HEAD)")
        do {
            _ = try schemaSection(fixtures: fixtures, baseline: "no-such-ref")
            Issue.record("an unknown ref was accepted")
        } catch {
            #expect(
                error.message.hasPrefix(
                    "--baseline no-such-ref: not a lock file, and no schema-lock.json in the fixtures folder at git ref no-such-ref (git: ")
            )
        }
    }

    // MARK: The command

    @Test func schemaDiffCommandExitStatus() throws {
        let folder = try SchemaTestFolder()
        let ok = try runCompat(["schema", "lock", "--fixtures", folder.path])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("locked " + tgp.versions.map { "v\($0)" }.joined(separator: ", ")))
        #expect(try AllowedBreaks.load(path: folder.path + "/allowed-breaks.json") == AllowedBreaks())
        #expect(try SchemaLock.load(path: folder.path + "/schema-lock.json") == SchemaLock(schema: tgp))
        let again = try runCompat(["schema", "lock", "--fixtures", folder.path])
        #expect(again.status == 0 && again.stdout.contains("up to date"))

        let clean = try runCompat(["schema", "diff", "--fixtures", folder.path])
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        #expect(clean.stdout.contains("no breaking change"))

        // A lock whose v4 peer range was wider: today's narrows it.
        let wider = tgp.with(range: 1...4, of: 4)
        try SchemaLock(schema: wider).write(to: folder.path + "/schema-lock.json")
        let breaking = try runCompat(["schema", "diff", "--fixtures", folder.path])
        #expect(breaking.status == 1)
        #expect(breaking.stdout.contains("BREAKING  range-narrowed@v4:peer-range"))
        let refused = try runCompat(["schema", "lock", "--fixtures", folder.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("range-narrowed@v4:peer-range"))
        #expect(try SchemaLock.load(path: folder.path + "/schema-lock.json") == SchemaLock(schema: wider))

        try #"[{"id": "range-narrowed@v4:peer-range"}]"#.write(
            toFile: folder.path + "/allowed-breaks.json", atomically: true, encoding: .utf8)
        let misuse = try runCompat(["schema", "diff", "--fixtures", folder.path])
        #expect(misuse.status == 2)
        #expect(misuse.stderr.contains("allowed-breaks.json: [0].reason: missing"))

        try #"[{"id": "range-narrowed@v4:peer-range", "reason": "v4 gateways drop v1 clients"}]"#
            .write(toFile: folder.path + "/allowed-breaks.json", atomically: true, encoding: .utf8)
        let allowed = try runCompat(["schema", "diff", "--fixtures", folder.path])
        #expect(allowed.status == 0, "\(allowed.stdout)\(allowed.stderr)")
        #expect(allowed.stdout.contains("allowed   range-narrowed@v4:peer-range"))

        let forced = try runCompat(["schema", "lock", "--allow-breaking", "--fixtures", folder.path])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try SchemaLock.load(path: folder.path + "/schema-lock.json") == SchemaLock(schema: tgp))
    }
}

/// A temporary folder, removed with the value.
final class SchemaTestFolder {
    let path: String

    init() throws {
        var template = Array("/tmp/compat-schema-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
