// The profile sidecar: found beside the schema or named, each key read into the IR, and every
// mistake in it an error that names the sidecar and the key.

import SBE
import SchemaXML
import Testing

@Suite("Profile sidecar")
struct ProfileTests {
    static let xml = standardSchema(
        types: """
            <enum name="Tif" encodingType="uint8">
                <validValue name="Day">0</validValue>
                <validValue name="IOC">1</validValue>
            </enum>
            """,
        messages: """
            <sbe:message name="Order" id="1">
                <field name="qty" id="1" type="uint32"/>
                <field name="tif" id="2" type="Tif" sinceVersion="2"/>
                <field name="qtyLong" id="3" type="uint64" sinceVersion="2"/>
            </sbe:message>
            <sbe:message name="Ack" id="2" sinceVersion="2"><field name="id" id="1" type="uint64"/></sbe:message>
            """,
        attributes: #"id="7" version="2""#)

    static let sidecar = """
        {
          "profile": "sbe",
          "versions": {"1": [1, 1], "2": [1, 2]},
          "directions": {"Order": "clientToGateway", "Ack": "gatewayToClient"},
          "widenings": [{"message": "Order", "field": "qtyLong", "widens": "qty"}],
          "enumDefaults": {"Tif": "IOC"},
          "absentValue": "zero",
          "limits": {"maxFrameSize": 2048, "maxVarDataLength": 100, "maxGroupEntries": 10}
        }
        """

    @Test func besideTheSchema() throws {
        let schema = try SchemaFolder(["schema.xml": Self.xml, "schema.profile.json": Self.sidecar]).load()
        #expect(schema.peerRanges == [1: 1...1, 2: 1...2])
        let order = try #require(schema.message(named: "Order"))
        #expect(order.direction == .clientToGateway && schema.message(named: "Ack")?.direction == .gatewayToClient)
        // The oldest version, 1, is the since of what names none.
        #expect(order.since == 1 && order.fields.map(\.since) == [1, 2, 2])
        #expect(order.fields[2].widens == "qty" && order.logicalFields.map(\.name) == ["qty", "tif"])
        // absentValue zero: the type's zero, the enum's default.
        #expect(order.fields.map(\.defaultValue) == [.unsigned(0), .unsigned(1), .unsigned(0)])
        #expect(schema.enums.first?.defaultValue == 1)
        #expect(schema.maxFrameSize == 2048 && schema.maxVarDataLength == 100 && schema.maxGroupEntries == 10)
    }

    @Test func named() throws {
        let folder = try SchemaFolder(["schema.xml": Self.xml, "other.json": Self.sidecar])
        #expect(try folder.load(profile: "other.json").peerRanges == [1: 1...1, 2: 1...2])
        // Not named and not beside the schema: plain SBE.
        #expect(try folder.load().peerRanges == [0: 0...0, 1: 0...1, 2: 0...2])
        expectError(folder.error(profile: "missing.json"), "missing.json:1:1: cannot read the file: No such file or directory")
    }

    @Test func partialSidecarKeepsTheDefaults() throws {
        let schema = try SchemaFolder(["schema.xml": Self.xml, "schema.profile.json": #"{"limits": {"maxFrameSize": 100}}"#]).load()
        #expect(schema.peerRanges == [0: 0...0, 1: 0...1, 2: 0...2])
        #expect(schema.maxFrameSize == 100 && schema.maxVarDataLength == 0)
        #expect(schema.message(named: "Order")?.fields.map(\.defaultValue) == [.null, .null, .null])
    }

    /// The sidecar's text with `old` replaced, and the error the schema then gives.
    func error(replacing old: String, with new: String) throws -> String? {
        let sidecar = Self.sidecar.replacingOccurrences(of: old, with: new)
        #expect(sidecar != Self.sidecar, "\(old) is not in the sidecar")
        return try SchemaFolder(["schema.xml": Self.xml, "schema.profile.json": sidecar]).error()
    }

    @Test func errors() throws {
        expectError(try error(replacing: #""profile""#, with: #""profiel""#), #"schema.profile.json:2:3: profiel: unknown key "profiel""#)
        expectError(
            try error(replacing: #""profile": "sbe""#, with: #""profile": "fix""#),
            #"schema.profile.json:2:3: profile: profile "fix" is not one of "tgp", "sbe""#)
        expectError(
            try error(replacing: #""maxGroupEntries""#, with: #""maxEntries""#),
            #"schema.profile.json:8:61: limits.maxEntries: unknown key "maxEntries""#)
        expectError(
            try error(replacing: #""Ack": "gate"#, with: #""Nack": "gate"#), "schema.profile.json:4:46: directions.Nack: no message Nack")
        expectError(
            try error(replacing: #""gatewayToClient""#, with: #""down""#),
            #"schema.profile.json:4:46: directions.Ack: direction "down" is not clientToGateway, gatewayToClient or both"#)
        expectError(
            try error(replacing: #""widens": "qty""#, with: #""widens": "quantity""#),
            "schema.profile.json:5:68: widenings[0]: Order has no root field quantity")
        expectError(
            try error(replacing: #""field": "qtyLong", "widens": "qty""#, with: #""field": "tif", "widens": "qty""#),
            "schema.profile.json:5:47: widenings[0]: tif must be an unsigned integer wider than qty")
        expectError(
            try error(replacing: #""Tif": "IOC""#, with: #""Tif": "GTC""#),
            "schema.profile.json:6:20: enumDefaults.Tif: Tif has no value GTC")
        expectError(
            try error(replacing: #""Tif": "IOC""#, with: #""TIF": "IOC""#), "schema.profile.json:6:20: enumDefaults.TIF: no enum TIF")
        expectError(
            try error(replacing: #""2": [1, 2]"#, with: #""3": [1, 3]"#),
            "schema.profile.json:3:29: versions.3: version 3 is above the schema's version 2")
        expectError(
            try error(replacing: #""2": [1, 2]"#, with: #""2": [2, 1]"#),
            "schema.profile.json:3:29: versions.2: must be [oldest, newest] with 0 ≤ oldest ≤ newest ≤ 2")
        expectError(
            try error(replacing: #""zero""#, with: #""none""#),
            #"schema.profile.json:7:3: absentValue: absentValue "none" is not "zero" or "null""#)
        expectError(
            try error(replacing: #""maxFrameSize": 2048"#, with: #""maxFrameSize": -1"#),
            "schema.profile.json:8:14: limits.maxFrameSize: must be a whole number, 0 or more")
        expectError(
            try error(replacing: #""absentValue": "zero","#, with: #""absentValue": "zero""#),
            #"schema.profile.json:8:3: malformed JSON: unexpected character '"', expected ',' or '}'"#)
    }
}
