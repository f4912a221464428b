// The header composite named by headerType, with its members of any unsigned type at any
// offset, and the schema's byte order.

import SBE
import SchemaXML
import Testing

@Suite("Header and byte order")
struct HeaderTests {
    @Test func customHeader() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <sbe:messageSchema xmlns:sbe="http://fixprotocol.io/2016/sbe" id="9" version="1" headerType="frameHeader" byteOrder="bigEndian">
                <types>
                    <composite name="frameHeader">
                        <type name="templateId" primitiveType="uint8"/>
                        <type name="flags" primitiveType="uint8"/>
                        <type name="blockLength" primitiveType="uint32"/>
                        <type name="schemaId" primitiveType="uint16" offset="8"/>
                        <type name="version" primitiveType="uint8"/>
                        <type name="numGroups" primitiveType="uint16"/>
                    </composite>
                </types>
                <sbe:message name="Ping" id="255"><field name="t" id="1" type="uint64"/></sbe:message>
            </sbe:messageSchema>
            """
        let schema = try SchemaFolder(["schema.xml": xml]).load()
        #expect(schema.byteOrder == .bigEndian)
        #expect(
            schema.header
                == HeaderSchema(
                    name: "frameHeader", size: 13, blockLength: EncodedSlot(offset: 2, type: .uint32),
                    templateId: EncodedSlot(offset: 0, type: .uint8), schemaId: EncodedSlot(offset: 8, type: .uint16),
                    version: EncodedSlot(offset: 10, type: .uint8)))
        #expect(schema.messages.map(\.templateId) == [255])
        // The header composite is no field type.
        #expect(schema.composites.isEmpty)
    }

    @Test func templateIdMustFitTheHeader() throws {
        let xml = """
            <sbe:messageSchema xmlns:sbe="http://fixprotocol.io/2016/sbe" id="9">
                <types>
                    <composite name="messageHeader">
                        <type name="blockLength" primitiveType="uint16"/>
                        <type name="templateId" primitiveType="uint8"/>
                        <type name="schemaId" primitiveType="uint16"/>
                        <type name="version" primitiveType="uint16"/>
                    </composite>
                </types>
                <sbe:message name="Ping" id="256"/>
            </sbe:messageSchema>
            """
        expectError(
            try SchemaFolder(["schema.xml": xml]).error(),
            #"schema.xml:10:5: <sbe:message name="Ping">: id "256" is not a whole number from 0 to 255"#)
    }

    @Test func byteOrderDefaultsToLittleEndian() throws {
        #expect(try loadStandard(messages: "").byteOrder == .littleEndian)
        #expect(try loadStandard(messages: "", attributes: #"id="1" byteOrder="bigEndian""#).byteOrder == .bigEndian)
    }
}
