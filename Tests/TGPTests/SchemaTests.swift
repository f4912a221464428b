// The schema as data (Schema.tgp, generated from tgp.xml) against PROTOCOL.md: every number below is copied by
// hand from the spec's tables, not computed from the schema.

import Testing

@testable import TGP

@Suite("Schema sanity")
struct SchemaTests {
    // MARK: Expected values, transcribed from PROTOCOL.md

    /// Root block length at each version the message exists in ("→ N" in the spec).
    static let blockLengths: [(String, [Int: Int])] = [
        ("Logon", [1: 8, 2: 8, 3: 12, 4: 12, 5: 12]),
        ("LogonAck", [1: 14, 2: 14, 3: 18, 4: 18, 5: 18]),
        ("LogonReject", [1: 5, 2: 5, 3: 5, 4: 5, 5: 5]),
        ("Heartbeat", [1: 8, 2: 8, 3: 16, 4: 16, 5: 16]),
        ("Logout", [1: 0, 2: 0, 3: 0, 4: 0, 5: 0]),
        ("Reject", [1: 11, 2: 11, 3: 11, 4: 11, 5: 11]),
        ("NewOrder", [1: 30, 2: 31, 3: 31, 4: 39, 5: 40]),
        ("OrderAck", [1: 17, 2: 25, 3: 25, 4: 25, 5: 25]),
        ("CancelOrder", [1: 24, 2: 24, 3: 24, 4: 24, 5: 24]),
        ("CancelAck", [1: 16, 2: 24, 3: 24, 4: 24, 5: 24]),
        ("ExecutionReport", [1: 41, 2: 49, 3: 49, 4: 58, 5: 58]),
        ("ModifyOrder", [3: 28, 4: 36, 5: 36]),
        ("MassCancel", [4: 17, 5: 17]),
        ("MassCancelAck", [4: 12, 5: 12]),
        ("MarketDataSnapshot", [2: 16, 3: 16, 4: 16, 5: 24]),
        ("RiskLimitUpdate", [4: 17, 5: 17]),
        ("TradingStatus", [5: 9]),
    ]

    /// Group entry length at each version: (message, group, lengths).
    static let groupBlockLengths: [(String, String, [Int: Int])] = [
        ("MarketDataSnapshot", "levels", [2: 24, 3: 28, 4: 28, 5: 28])
    ]

    /// id, name, direction, since, var-data (name vSince), groups (name vSince).
    static let catalog: [(UInt16, String, Direction, Int, String, String)] = [
        (1, "Logon", .clientToGateway, 1, "username v1", ""),
        (2, "LogonAck", .gatewayToClient, 1, "", ""),
        (3, "LogonReject", .gatewayToClient, 1, "text v1", ""),
        (4, "Heartbeat", .both, 1, "", ""),
        (5, "Logout", .both, 1, "reason v1", ""),
        (15, "Reject", .both, 1, "text v1", ""),
        (10, "NewOrder", .clientToGateway, 1, "account v2, clientTag v5", ""),
        (11, "OrderAck", .gatewayToClient, 1, "", ""),
        (12, "CancelOrder", .clientToGateway, 1, "", ""),
        (13, "CancelAck", .gatewayToClient, 1, "", ""),
        (14, "ExecutionReport", .gatewayToClient, 1, "", ""),
        (16, "ModifyOrder", .clientToGateway, 3, "", ""),
        (17, "MassCancel", .clientToGateway, 4, "", ""),
        (18, "MassCancelAck", .gatewayToClient, 4, "", ""),
        (20, "MarketDataSnapshot", .gatewayToClient, 2, "", "levels v2"),
        (21, "RiskLimitUpdate", .gatewayToClient, 4, "", ""),
        (22, "TradingStatus", .gatewayToClient, 5, "reason v5", ""),
    ]

    /// Root layouts: "name type @offset" and " vN" for a field newer than its message.
    static let layouts: [(String, String)] = [
        ("Logon", "minVersion u16 @0, maxVersion u16 @2, heartbeatMs u32 @4, capabilities u32 @8 v3"),
        ("LogonAck", "version u16 @0, heartbeatMs u32 @2, sessionId u64 @6, capabilities u32 @14 v3"),
        ("LogonReject", "reason LogonRejectReason @0, supportedMin u16 @1, supportedMax u16 @3"),
        ("Heartbeat", "timestamp u64 @0, seqNo u64 @8 v3"),
        ("Logout", ""),
        ("Reject", "refTemplateId u16 @0, code RejectCode @2, refClOrdId u64 @3"),
        (
            "NewOrder",
            "clOrdId u64 @0, price i64 @8, quantity u32 @16, side Side @20, ordType OrdType @21, symbol char8 @22, "
                + "timeInForce TimeInForce @30 v2, quantityLong u64 @31 v4, stp Stp @39 v5"
        ),
        ("OrderAck", "clOrdId u64 @0, orderId u64 @8, status OrdStatus @16, transactTime u64 @17 v2"),
        ("CancelOrder", "clOrdId u64 @0, origClOrdId u64 @8, symbol char8 @16"),
        ("CancelAck", "clOrdId u64 @0, origClOrdId u64 @8, transactTime u64 @16 v2"),
        (
            "ExecutionReport",
            "orderId u64 @0, clOrdId u64 @8, execId u64 @16, lastPx i64 @24, lastQty u32 @32, leavesQty u32 @36, "
                + "execType ExecType @40, transactTime u64 @41 v2, liquidity Liquidity @49 v4, fee i64 @50 v4"
        ),
        ("ModifyOrder", "clOrdId u64 @0, origClOrdId u64 @8, price i64 @16, quantity u32 @24, quantityLong u64 @28 v4"),
        ("MassCancel", "clOrdId u64 @0, scope MassCancelScope @8, symbol char8 @9"),
        ("MassCancelAck", "clOrdId u64 @0, cancelledCount u32 @8"),
        ("MarketDataSnapshot", "symbol char8 @0, seqNo u64 @8, lastTradePx i64 @16 v5"),
        ("RiskLimitUpdate", "maxOrderQty u64 @0, maxNotional i64 @8, killSwitch KillSwitch @16"),
        ("TradingStatus", "symbol char8 @0, status TradingState @8"),
    ]

    static let levelsLayout =
        "bidPx i64 @0, bidQty u32 @8, askPx i64 @12, askQty u32 @20, bidOrders u16 @24 v3, askOrders u16 @26 v3"

    /// Enums: "value Name" and " [since]" where above 1; then the default's name.
    static let enumTable: [(String, String, String)] = [
        ("LogonRejectReason", "1 UnsupportedVersion, 2 BadCredentials, 3 Throttled [4]", "UnsupportedVersion"),
        ("Side", "1 Buy, 2 Sell, 3 SellShort [2]", "Buy"),
        ("OrdType", "1 Limit, 2 Market, 3 Stop [4]", "Limit"),
        ("TimeInForce", "0 Day, 1 IOC, 2 GTC, 3 FOK [5]", "Day"),
        ("Stp", "0 None, 1 CancelNewest, 2 CancelOldest", "None"),
        ("OrdStatus", "0 New, 1 Replaced [3]", "New"),
        ("ExecType", "1 PartialFill, 2 Fill, 3 Expired [2], 4 Cancelled [2]", "PartialFill"),
        ("Liquidity", "0 Unknown, 1 Maker, 2 Taker", "Unknown"),
        (
            "RejectCode",
            "1 UnknownTemplate, 2 Malformed, 3 InvalidValue, 4 NotLoggedOn, 5 UnsupportedInVersion, "
                + "6 UnknownOrder, 7 RiskLimit [4]", "UnknownTemplate"
        ),
        ("MassCancelScope", "1 All, 2 Symbol", "All"),
        ("KillSwitch", "0 Off, 1 On", "Off"),
        ("TradingState", "1 Open, 2 Halted, 3 CircuitBreaker, 4 Closed", "Open"),
    ]

    // MARK: Rendering the schema in the spec's words

    static func render(_ fields: [FieldSchema], since: Int) -> String {
        fields.map { "\($0.name) \($0.type.name) @\($0.offset)" + ($0.since > since ? " v\($0.since)" : "") }
            .joined(separator: ", ")
    }

    /// The layout rule: at each version the present fields sit back to back from offset 0 in
    /// offset order, later fields come after all earlier ones, and a version's new fields
    /// start exactly at the previous version's block length.
    static func checkPackedAndAppended(
        _ fields: [FieldSchema], since: Int, blockLength: (Int) -> Int, _ label: String
    ) {
        #expect(fields.map(\.offset) == fields.map(\.offset).sorted(), "\(label): fields not in offset order")
        for version in since...tgp.latestVersion {
            let present = fields.filter { $0.since <= version }
            #expect(
                present.map(\.name) == fields.prefix(present.count).map(\.name),
                "\(label) v\(version): a field of this version sits after a newer one")
            var end = 0
            for field in present {
                #expect(field.offset == end, "\(label) v\(version): \(field.name) at \(field.offset), expected \(end)")
                end = field.end
            }
            #expect(blockLength(version) == end, "\(label) v\(version): block length")
            if version > since, let firstNew = present.first(where: { $0.since == version }) {
                #expect(
                    firstNew.offset == blockLength(version - 1),
                    "\(label) v\(version): \(firstNew.name) does not start at the v\(version - 1) block length")
            }
        }
    }

    // MARK: Tests

    @Test func protocolConstants() {
        #expect(tgp.schemaId == 0x5447)
        #expect(tgp.maxFrameSize == 4096)
        #expect(tgp.maxVarDataLength == 1024)
        #expect(tgp.maxGroupEntries == 64)
        #expect(tgp.versions == [1, 2, 3, 4, 5])
        #expect(tgp.latestVersion == 5)
        #expect(FrameHeader.size == 8)
    }

    @Test func peerRanges() {
        #expect(tgp.peerRanges == [1: 1...1, 2: 1...2, 3: 1...3, 4: 2...4, 5: 3...5])
    }

    @Test func catalogMatchesTheSpec() {
        #expect(tgp.messages.count == Self.catalog.count)
        for (id, name, direction, since, varData, groups) in Self.catalog {
            guard let type = tgp.message(templateId: id) else {
                Issue.record("no message with template id \(id) (\(name))")
                continue
            }
            #expect(type.name == name)
            #expect(type.direction == direction, "\(name)")
            #expect(type.since == since, "\(name)")
            #expect(type.varData.map { "\($0.name) v\($0.since)" }.joined(separator: ", ") == varData, "\(name)")
            #expect(type.groups.map { "\($0.name) v\($0.since)" }.joined(separator: ", ") == groups, "\(name)")
        }
    }

    @Test func templateIdsAndNamesAreUnique() {
        let ids = tgp.messages.map(\.templateId)
        #expect(Set(ids).count == ids.count)
        let names = tgp.messages.map(\.name)
        #expect(Set(names).count == names.count)
        let enumNames = tgp.enums.map(\.name)
        #expect(Set(enumNames).count == enumNames.count)
    }

    @Test(arguments: layouts)
    func rootLayoutMatchesTheSpec(name: String, layout: String) {
        let type = messageType(name)
        #expect(Self.render(type.fields, since: type.since) == layout)
    }

    @Test func levelsLayoutMatchesTheSpec() throws {
        let levels = try #require(messageType("MarketDataSnapshot").groups.first)
        #expect(levels.name == "levels")
        #expect(Self.render(levels.fields, since: levels.since) == Self.levelsLayout)
    }

    @Test(arguments: blockLengths)
    func blockLengthsMatchTheSpec(name: String, expected: [Int: Int]) {
        let type = messageType(name)
        #expect(Set(expected.keys) == Set(type.since...5), "versions listed for \(name)")
        for (version, length) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(type.blockLength(at: version) == length, "\(name) v\(version)")
        }
    }

    @Test(arguments: groupBlockLengths)
    func groupBlockLengthsMatchTheSpec(message: String, group: String, expected: [Int: Int]) throws {
        let groupSchema = try #require(messageType(message).groups.first { $0.name == group })
        #expect(Set(expected.keys) == Set(groupSchema.since...5))
        for (version, length) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(groupSchema.blockLength(at: version) == length, "\(message).\(group) v\(version)")
        }
    }

    @Test(arguments: tgp.messages.map(\.name))
    func fieldsArePackedAndAppended(name: String) {
        let type = messageType(name)
        Self.checkPackedAndAppended(type.fields, since: type.since, blockLength: type.blockLength(at:), name)
        for group in type.groups {
            #expect(group.since >= type.since)
            Self.checkPackedAndAppended(
                group.fields, since: group.since, blockLength: group.blockLength(at:),
                "\(name).\(group.name)")
        }
        // Every field, group and var-data is no older than its message and from a released version.
        let sinces =
            type.fields.map(\.since) + type.groups.flatMap { [$0.since] + $0.fields.map(\.since) }
            + type.varData.map(\.since)
        #expect(sinces.allSatisfy { (type.since...5).contains($0) }, "\(name): since out of range")
        // Var-data added later is appended after the older ones.
        #expect(type.varData.map(\.since) == type.varData.map(\.since).sorted(), "\(name): var-data order")
    }

    @Test func onlyTheQuantityIsWidened() {
        let widened = tgp.messages.flatMap { type in
            type.fields.compactMap { field in field.widens.map { "\(type.name).\(field.name) widens \($0) v\(field.since)" } }
        }
        #expect(widened == ["NewOrder.quantityLong widens quantity v4", "ModifyOrder.quantityLong widens quantity v4"])
        // The application sees one logical u64 quantity, not two fields.
        let newOrder = messageType("NewOrder")
        #expect(
            newOrder.logicalFields.map(\.name)
                == ["clOrdId", "price", "quantity", "side", "ordType", "symbol", "timeInForce", "stp", "account", "clientTag"])
    }

    @Test func everyEnumUsedExists() {
        var used: [EnumSchema] = []
        for type in tgp.messages {
            for field in type.fields + type.groups.flatMap(\.fields) {
                if case .enumeration(let enumSchema) = field.type { used.append(enumSchema) }
            }
        }
        #expect(used.count == 12)  // side, ordType, timeInForce, stp, status, execType, liquidity, scope, code, reason, killSwitch, status
        for enumSchema in used {
            #expect(tgp.enumeration(named: enumSchema.name) == enumSchema, "\(enumSchema.name) is not in Schema.enums")
        }
        // And every enum of the schema is used somewhere.
        #expect(Set(used.map(\.name)) == Set(tgp.enums.map(\.name)))
    }

    @Test(arguments: enumTable)
    func enumMatchesTheSpec(name: String, values: String, defaultName: String) {
        let enumSchema = enumSchema(name)
        #expect(
            enumSchema.values.map { "\($0.value) \($0.name)" + ($0.since > 1 ? " [\($0.since)]" : "") }
                .joined(separator: ", ") == values)
        #expect(enumSchema.value(enumSchema.defaultValue)?.name == defaultName)
    }

    @Test func swiftRejectCodeAgreesWithTheSchema() {
        let schemaCodes = enumSchema("RejectCode").values
        #expect(RejectCode.allCases.map { UInt64($0.rawValue) } == schemaCodes.map(\.value))
        #expect(RejectCode.allCases.map(\.name) == schemaCodes.map(\.name))
        for code in RejectCode.allCases {
            #expect(RejectCode(name: code.name) == code)
        }
        #expect(RejectCode(name: "Nope") == nil)
    }
}
