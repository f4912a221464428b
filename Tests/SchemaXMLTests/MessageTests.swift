// Messages: attributes, fields at explicit and packed offsets, presence and constants, groups
// (dimensions, nesting, var-data inside), var-data encodings, `since` and `deprecated`, the
// schema's attributes and the defaults a schema without a sidecar gets.

import SBE
import SchemaXML
import Testing

@Suite("Messages")
struct MessageTests {
    static let enums = """
        <enum name="Side" encodingType="uint8">
            <validValue name="Buy">1</validValue>
            <validValue name="Sell">2</validValue>
        </enum>
        <type name="Symbol" primitiveType="char" length="8"/>
        """

    @Test func messageAttributes() throws {
        let schema = try loadStandard(
            messages: """
                <sbe:message name="Order" id="65535" blockLength="32" semanticType="D" sinceVersion="1" deprecated="2"
                             description="an order">
                    <field name="id" id="11" type="uint64"/>
                </sbe:message>
                """)
        let order = try #require(schema.message(named: "Order"))
        #expect(order.templateId == 65535 && order.since == 1 && order.direction == .both)
        #expect(order.attributes == MessageAttributes(blockLength: 32, semanticType: "D", deprecated: 2, description: "an order"))
        #expect(order.blockLength(at: 2) == 32)
    }

    @Test func fieldsPackedAndAtOffsets() throws {
        let schema = try loadStandard(
            types: Self.enums,
            messages: """
                <sbe:message name="M" id="1">
                    <field name="a" id="1" type="uint8"/>
                    <field name="b" id="2" type="uint32"/>
                    <field name="c" id="3" type="uint16" offset="8"/>
                    <field name="d" id="4" type="Side" semanticType="char" deprecated="2"/>
                    <field name="e" id="5" type="Symbol" offset="12" sinceVersion="1"/>
                    <field name="f" id="6" type="int64"/>
                </sbe:message>
                """)
        let message = try #require(schema.message(named: "M"))
        #expect(message.fields.map(\.name) == ["a", "b", "c", "d", "e", "f"])
        #expect(message.fields.map(\.offset) == [0, 1, 8, 10, 12, 20])
        #expect(message.fields.map(\.type.name) == ["u8", "u32", "u16", "Side", "char8", "i64"])
        #expect(message.fields.map(\.id) == [1, 2, 3, 4, 5, 6])
        #expect(message.fields.map(\.since) == [0, 0, 0, 0, 1, 0])
        #expect(message.fields[3].semanticType == "char" && message.fields[3].deprecated == 2)
        #expect(message.blockLength(at: 0) == 28 && message.blockLength(at: 1) == 28)
    }

    @Test func presence() throws {
        let schema = try loadStandard(
            types: Self.enums + """
                <type name="OptQty" primitiveType="uint32" presence="optional" nullValue="0"/>
                <type name="Venue" primitiveType="uint16" presence="constant">42</type>
                <type name="u8Null" primitiveType="uint8" presence="optional" nullValue="0"/>
                <enum name="OptSide" encodingType="u8Null"><validValue name="Buy">1</validValue></enum>
                """,
            messages: """
                <sbe:message name="M" id="1">
                    <field name="qty" id="1" type="OptQty"/>
                    <field name="px" id="2" type="int64" presence="optional"/>
                    <field name="side" id="3" type="Side" presence="constant" valueRef="Side.Sell"/>
                    <field name="venue" id="4" type="Venue"/>
                    <field name="n" id="5" type="uint8"/>
                    <field name="o" id="6" type="OptSide"/>
                </sbe:message>
                """)
        let fields = try #require(schema.message(named: "M")).fields
        #expect(fields[0].presence == .optional && fields[0].nullValue == .unsigned(0))
        #expect(fields[1].presence == .optional && fields[1].effectiveNullValue == .signed(Int64.min))
        #expect(fields[2].presence == .constant(.unsigned(2)) && fields[2].wireSize == 0)
        #expect(fields[3].presence == .constant(.unsigned(42)))
        // Constants take no bytes: n follows px.
        // An enum whose encoding type is optional makes its fields optional, with that type's null.
        #expect(fields[5].presence == .optional && fields[5].effectiveNullValue == .unsigned(0))
        #expect(fields.map(\.offset) == [0, 4, 12, 12, 12, 13])
    }

    @Test func groups() throws {
        let schema = try loadStandard(
            types: """
                <composite name="smallGroup">
                    <type name="numInGroup" primitiveType="uint8" offset="2" maxValue="20"/>
                    <type name="blockLength" primitiveType="uint16" offset="0"/>
                </composite>
                """,
            messages: """
                <sbe:message name="Book" id="3" sinceVersion="1">
                    <field name="seq" id="1" type="uint64"/>
                    <group name="levels" id="2" blockLength="16" deprecated="2">
                        <field name="px" id="3" type="int64"/>
                        <field name="count" id="4" type="uint16" sinceVersion="2"/>
                        <group name="orders" id="5" dimensionType="smallGroup" sinceVersion="2">
                            <field name="qty" id="6" type="uint32"/>
                            <data name="note" id="7" type="varStringEncoding"/>
                        </group>
                        <data name="text" id="8" type="varStringEncoding"/>
                    </group>
                </sbe:message>
                """)
        let book = try #require(schema.message(named: "Book"))
        let levels = try #require(book.groups.first)
        #expect(levels.name == "levels" && levels.id == 2 && levels.since == 1 && levels.deprecated == 2)
        #expect(levels.dimension == .standard && levels.blockLengthAttribute == 16)
        #expect(levels.fields.map(\.since) == [1, 2])
        #expect(levels.varData.map(\.name) == ["text"])
        let orders = try #require(levels.groups.first)
        #expect(orders.since == 2 && orders.fields.map(\.since) == [2] && orders.varData.map(\.since) == [2])
        #expect(
            orders.dimension
                == DimensionSchema(
                    name: "smallGroup", size: 3, blockLength: EncodedSlot(offset: 0, type: .uint16),
                    numInGroup: EncodedSlot(offset: 2, type: .uint8), maxEntries: 20))
        // Without a sidecar the limits come from the schema.
        #expect(schema.maxGroupEntries == 65535 && schema.maxVarDataLength == 500)
    }

    @Test func varData() throws {
        let schema = try loadStandard(
            types: """
                <composite name="blob">
                    <type name="length" primitiveType="uint32"/>
                    <type name="varData" primitiveType="uint8" length="0"/>
                </composite>
                <composite name="shortText">
                    <type name="length" primitiveType="uint8" maxValue="100"/>
                    <type name="varData" primitiveType="char"/>
                </composite>
                """,
            messages: """
                <message name="M" id="1">
                    <data name="text" id="1" type="varStringEncoding"/>
                    <data name="bytes" id="2" type="blob" sinceVersion="1" deprecated="2"/>
                    <data name="short" id="3" type="shortText"/>
                </message>
                """)
        let varData = try #require(schema.message(named: "M")).varData
        #expect(varData[0].encoding == .standard(maxLength: 500))
        #expect(varData[0].id == 1 && varData[0].since == 0 && varData[0].defaultValue == .text(""))
        #expect(varData[1].encoding == VarDataEncoding(name: "blob", length: EncodedSlot(offset: 0, type: .uint32), characterEncoding: nil))
        #expect(varData[1].since == 1 && varData[1].deprecated == 2 && varData[1].defaultValue == .bytes([]))
        #expect(varData[1].encoding.maxLength == Int(UInt32.max))
        // A char varData is text: US-ASCII, SBE's default for char.
        #expect(
            varData[2].encoding
                == VarDataEncoding(
                    name: "shortText", length: EncodedSlot(offset: 0, type: .uint8), maxLength: 100, characterEncoding: "US-ASCII"))
        #expect(schema.maxVarDataLength == Int(UInt32.max))
    }

    @Test func sinceNeverBeforeTheParent() throws {
        let schema = try loadStandard(
            messages: """
                <sbe:message name="M" id="1" sinceVersion="2">
                    <field name="a" id="1" type="uint8" sinceVersion="1"/>
                    <group name="g" id="2"><field name="b" id="3" type="uint8"/></group>
                    <data name="d" id="4" type="varStringEncoding" sinceVersion="0"/>
                </sbe:message>
                """)
        let message = try #require(schema.message(named: "M"))
        #expect(message.fields[0].since == 2 && message.groups[0].since == 2 && message.groups[0].fields[0].since == 2)
        #expect(message.varData[0].since == 2)
    }

    @Test func schemaAttributesAndDefaults() throws {
        let schema = try loadStandard(
            messages: #"<sbe:message name="M" id="1"><field name="a" id="1" type="uint8"/></sbe:message>"#,
            attributes: #"id="300" version="3" semanticVersion="FIX.5.0" description="a test" byteOrder="littleEndian""#)
        #expect(schema.schemaId == 300 && schema.package == "test" && schema.version == 3)
        #expect(schema.semanticVersion == "FIX.5.0" && schema.description == "a test" && schema.byteOrder == .littleEndian)
        #expect(schema.header == .standard)
        // No sidecar: every version from 0 is released and negotiates down to 0.
        #expect(schema.peerRanges == [0: 0...0, 1: 0...1, 2: 0...2, 3: 0...3])
        #expect(schema.maxFrameSize == 65535 && schema.maxVarDataLength == 0 && schema.maxGroupEntries == 0)
    }

    @Test func versionDefaultsToZero() throws {
        let schema = try loadStandard(messages: "", attributes: #"id="1""#)
        #expect(schema.version == 0 && schema.peerRanges == [0: 0...0] && schema.messages.isEmpty)
    }

    /// SBE's absent value (no sidecar): the null of a type that has one, a constant's value, the
    /// members' for a composite and 0 for a set.
    @Test func absentValuesWithoutSidecar() throws {
        let schema = try loadStandard(
            types: Self.enums,
            messages: """
                <sbe:message name="M" id="1">
                    <field name="a" id="1" type="uint32"/>
                    <field name="b" id="2" type="Side" sinceVersion="1"/>
                    <field name="c" id="3" type="Symbol"/>
                    <field name="d" id="4" type="Side" presence="constant" valueRef="Side.Buy"/>
                </sbe:message>
                """)
        let fields = try #require(schema.message(named: "M")).fields
        #expect(fields.map(\.defaultValue) == [.null, .null, .null, .unsigned(1)])
    }

    @Test(arguments: [
        "http://fixprotocol.io/2016/sbe", "http://www.fixprotocol.org/ns/simple/1.0", "http://www.fixprotocol.org/ns/simple/RC3",
        "http://www.fixprotocol.org/ns/simple/RC4",
    ])
    func namespaces(_ namespace: String) throws {
        let xml = standardSchema(messages: #"<sbe:message name="M" id="1"/><message name="N" id="2"/>"#)
            .replacingOccurrences(of: "http://fixprotocol.io/2016/sbe", with: namespace)
        let schema = try SchemaFolder(["schema.xml": xml]).load()
        #expect(schema.messages.map(\.name) == ["M", "N"])
    }

    @Test func noNamespace() throws {
        let xml = standardSchema(messages: #"<message name="M" id="1"/>"#)
            .replacingOccurrences(of: #"sbe:messageSchema xmlns:sbe="http://fixprotocol.io/2016/sbe""#, with: "messageSchema")
            .replacingOccurrences(of: "</sbe:messageSchema>", with: "</messageSchema>")
        #expect(try SchemaFolder(["schema.xml": xml]).load().messages.map(\.name) == ["M"])
    }

    @Test func defaultNamespaceIsSBE() throws {
        let xml = standardSchema(messages: #"<message name="M" id="1"/>"#)
            .replacingOccurrences(of: #"sbe:messageSchema xmlns:sbe="#, with: "messageSchema xmlns=")
            .replacingOccurrences(of: "</sbe:messageSchema>", with: "</messageSchema>")
        #expect(try SchemaFolder(["schema.xml": xml]).load().messages.map(\.name) == ["M"])
    }
}
