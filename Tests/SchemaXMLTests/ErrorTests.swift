// Every refusal: the exact file:line:column, the element and the reason. A schema that is
// refused yields no schema at all.

import Foundation
import SBE
import SchemaXML
import Testing

@Suite("Errors")
struct ErrorTests {
    /// A schema of `body` (its lines start at line 4) after the standard header on line 3.
    static func schema(_ body: String, attributes: String = #"id="1" version="2""#) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <sbe:messageSchema xmlns:sbe="http://fixprotocol.io/2016/sbe" \(attributes)>
        <types><composite name="messageHeader"><type name="blockLength" primitiveType="uint16"/><type name="templateId" primitiveType="uint16"/><type name="schemaId" primitiveType="uint16"/><type name="version" primitiveType="uint16"/></composite></types>
        \(body)
        </sbe:messageSchema>
        """
    }

    func error(_ body: String, attributes: String = #"id="1" version="2""#) throws -> String? {
        try SchemaFolder(["schema.xml": Self.schema(body, attributes: attributes)]).error()
    }

    @Test func malformedXML() throws {
        expectError(
            try error("<types>\n  <type name=\"a\" primitiveType=\"uint8\">\n</types>"),
            "schema.xml:6:9: malformed XML: end tag does not match the start tag (libxml2 error 76)")
        expectError(
            try error(#"<types><type name="a" primitiveType=uint8/></types>"#),
            "schema.xml:4:37: malformed XML: attribute value without quotes (libxml2 error 39)")
        expectError(
            try SchemaFolder(["schema.xml": ""]).error(),
            "schema.xml:1:1: malformed XML: no root element")
        expectError(try SchemaFolder(["schema.xml": "<a"]).error(), "schema.xml:1:3: malformed XML: no root element")
    }

    @Test func unknownRoot() throws {
        expectError(
            try SchemaFolder(["schema.xml": "<?xml version=\"1.0\"?>\n<types/>"]).error(),
            "schema.xml:2:1: <types>: unknown root element types: expected an SBE messageSchema")
        expectError(
            try SchemaFolder(["schema.xml": #"<x:messageSchema xmlns:x="urn:other" id="1"/>"#]).error(),
            "schema.xml:1:1: <x:messageSchema>: unknown root element x:messageSchema (namespace urn:other): expected an SBE messageSchema")
    }

    @Test func unknownTypeName() throws {
        expectError(
            try error(#"<sbe:message name="M" id="1"><field name="a" id="1" type="Price"/></sbe:message>"#),
            #"schema.xml:4:30: <field name="a">: unknown type "Price""#)
        expectError(
            try error(#"<types><composite name="C"><ref name="r" type="Nothing"/></composite></types>"#),
            #"schema.xml:4:28: <ref name="r">: unknown type "Nothing""#)
    }

    @Test func duplicates() throws {
        let duplicateType = try error(#"<types><type name="messageHeader" primitiveType="uint8"/></types>"#)
        #expect(
            duplicateType?.hasPrefix(
                #"schema.xml:4:8: <type name="messageHeader">: duplicate type name "messageHeader" (first declared at "#) == true)
        #expect(
            try error(#"<sbe:message name="M" id="1"/>"# + "\n" + #"<sbe:message name="M" id="2"/>"#)?.hasPrefix(
                #"schema.xml:5:1: <sbe:message name="M">: duplicate message name "M" (first at "#) == true)
        #expect(
            try error(#"<sbe:message name="M" id="1"/>"# + "\n" + #"<sbe:message name="N" id="1"/>"#)?.hasPrefix(
                #"schema.xml:5:1: <sbe:message name="N">: duplicate message id 1 (first at "#) == true)
        expectError(
            try error(#"<sbe:message name="M" id="1"><field name="a" id="1" type="uint8"/><data name="a" id="2" type="x"/></sbe:message>"#),
            #"schema.xml:4:67: <data name="a">: duplicate name "a""#)
        expectError(
            try error(
                #"<types><enum name="E" encodingType="uint8"><validValue name="A">1</validValue><validValue name="B">1</validValue></enum></types>"#
            ), #"schema.xml:4:79: <validValue name="B">: duplicate value 1 (already A)"#)
    }

    @Test func overlappingOffsets() throws {
        expectError(
            try error(
                """
                <sbe:message name="M" id="1">
                    <field name="a" id="1" type="uint32"/>
                    <field name="b" id="2" type="uint8" offset="2"/>
                </sbe:message>
                """), #"schema.xml:6:5: <field name="b">: offset 2 overlaps a, which takes bytes 0 to 3"#)
        // Before the end of the fields before it, even where it overlaps none of them.
        expectError(
            try error(
                """
                <sbe:message name="M" id="1">
                    <field name="a" id="1" type="uint32"/>
                    <field name="b" id="2" type="uint8" offset="8"/>
                    <field name="c" id="3" type="uint8" offset="5"/>
                </sbe:message>
                """), #"schema.xml:7:5: <field name="c">: offset 5 is before the end of b (9): fields go in offset order"#)
        // A composite's members may be written in any order; they may not overlap.
        expectError(
            try error(
                #"<types><composite name="C"><type name="a" primitiveType="uint16" offset="2"/><type name="b" primitiveType="uint32" offset="0"/></composite></types>"#
            ), #"schema.xml:4:78: <type name="b">: offset 0 overlaps a, which takes bytes 2 to 3"#)
    }

    /// Read as written: the lint and the diff name it (`since-not-a-version`), with the rule's id.
    @Test func sinceVersionAboveTheSchemaVersionIsReadAsWritten() throws {
        let schema = try SchemaFolder(["schema.xml": Self.schema(#"<sbe:message name="M" id="1" sinceVersion="3"/>"#)]).load()
        #expect(schema.message(named: "M")?.since == 3)
    }

    @Test func valueRefToNothing() throws {
        let types = #"<types><enum name="E" encodingType="uint8"><validValue name="A">1</validValue></enum></types>"#
        expectError(
            try error(
                types + "\n"
                    + #"<sbe:message name="M" id="1"><field name="a" id="1" type="E" presence="constant" valueRef="F.A"/></sbe:message>"#),
            #"schema.xml:5:30: <field name="a">: valueRef "F.A" names no enum"#)
        expectError(
            try error(
                types + "\n"
                    + #"<sbe:message name="M" id="1"><field name="a" id="1" type="E" presence="constant" valueRef="E.B"/></sbe:message>"#),
            #"schema.xml:5:30: <field name="a">: valueRef "E.B": E has no value B"#)
        expectError(
            try error(types + "\n" + #"<sbe:message name="M" id="1"><field name="a" id="1" type="E" valueRef="E.A"/></sbe:message>"#),
            #"schema.xml:5:30: <field name="a">: valueRef needs presence="constant""#)
    }

    @Test func constantsThatDoNotFit() throws {
        expectError(
            try error(#"<types><type name="T" primitiveType="uint8" presence="constant">300</type></types>"#),
            #"schema.xml:4:8: <type name="T">: constant "300" does not fit uint8"#)
        expectError(
            try error(#"<types><type name="T" primitiveType="char" length="2" presence="constant">ABC</type></types>"#),
            #"schema.xml:4:8: <type name="T">: constant "ABC" does not fit char[2]"#)
        expectError(
            try error(#"<types><type name="T" primitiveType="int8" presence="constant"/></types>"#),
            #"schema.xml:4:8: <type name="T">: a constant needs a value (its text or valueRef)"#)
        expectError(
            try error(#"<types><type name="T" primitiveType="uint16" nullValue="-1"/></types>"#),
            #"schema.xml:4:8: <type name="T">: nullValue "-1" does not fit uint16"#)
        expectError(
            try error(#"<types><enum name="E" encodingType="uint8"><validValue name="A">256</validValue></enum></types>"#),
            #"schema.xml:4:44: <validValue name="A">: value "256" does not fit the encoding uint8"#)
        expectError(
            try error(#"<types><set name="S" encodingType="uint8"><choice name="A">8</choice></set></types>"#),
            #"schema.xml:4:43: <choice name="A">: bit "8" is not a bit of uint8 (0 to 7)"#)
    }

    @Test func missingHeaderMember() throws {
        let xml = Self.schema("").replacingOccurrences(of: #"<type name="schemaId" primitiveType="uint16"/>"#, with: "")
        expectError(
            try SchemaFolder(["schema.xml": xml]).error(), #"schema.xml:3:8: <composite name="messageHeader">: no member schemaId"#)
        let signed = Self.schema("").replacingOccurrences(
            of: #"<type name="version" primitiveType="uint16"/>"#, with: #"<type name="version" primitiveType="int16"/>"#)
        expectError(
            try SchemaFolder(["schema.xml": signed]).error(),
            #"schema.xml:3:183: <type name="version">: version of messageHeader must be an unsigned integer"#)
        let constant = Self.schema("").replacingOccurrences(
            of: #"<type name="schemaId" primitiveType="uint16"/>"#,
            with: #"<type name="schemaId" primitiveType="uint16" presence="constant">1</type>"#)
        expectError(
            try SchemaFolder(["schema.xml": constant]).error(),
            #"schema.xml:3:137: <type name="schemaId">: schemaId of messageHeader is a constant: it must be on the wire"#)
        expectError(
            try error("", attributes: #"id="1" headerType="frame""#),
            #"schema.xml:2:1: <sbe:messageSchema>: header type "frame" is not a declared composite"#)
    }

    @Test func unsupportedConstructsAreNamed() throws {
        expectError(
            try error(#"<types><alias name="A"/></types>"#), #"schema.xml:4:8: <alias name="A">: unsupported element alias in <types>"#)
        expectError(
            try error(#"<sbe:message name="M" id="1"><repeat name="r"/></sbe:message>"#),
            #"schema.xml:4:30: <repeat name="r">: unsupported element repeat in <sbe:message>"#)
        expectError(
            try error(
                #"<types><composite name="v"><type name="length" primitiveType="uint8"/><type name="varData" primitiveType="uint8" length="0"/></composite></types>"#
                    + "\n"
                    + #"<sbe:message name="M" id="1"><data name="d" id="1" type="v"/><field name="a" id="2" type="uint8"/></sbe:message>"#
            ), #"schema.xml:5:62: <field name="a">: field after data: fields come first, then groups, then data"#)
        expectError(try error(#"<schemaNotes/>"#), "schema.xml:4:1: <schemaNotes>: unsupported element schemaNotes in <sbe:messageSchema>")
        expectError(
            try error(#"<types><type name="T" primitiveType="decimal"/></types>"#),
            #"schema.xml:4:8: <type name="T">: unknown primitiveType "decimal""#)
        expectError(
            try error(#"<types><enum name="E" encodingType="int8"/></types>"#),
            #"schema.xml:4:8: <enum name="E">: encodingType "int8" is not a single char or unsigned integer"#)
    }

    /// Read as written: the lint and the diff name it (`block-length-below-fields`); the codec never
    /// writes a block shorter than its fields.
    @Test func blockLengthBelowTheFieldsIsReadAsWritten() throws {
        let schema = try SchemaFolder([
            "schema.xml": Self.schema(
                #"<sbe:message name="M" id="1" blockLength="3"><field name="a" id="1" type="uint32" sinceVersion="2"/></sbe:message>"#)
        ]).load()
        #expect(schema.message(named: "M")?.attributes.blockLength == 3)
        #expect(schema.message(named: "M")?.blockLength(at: 2) == 4)
    }

    @Test func typeCycle() throws {
        expectError(
            try error(
                #"<types><composite name="A"><ref name="b" type="B"/></composite><composite name="B"><ref name="a" type="A"/></composite></types>"#
            ), #"schema.xml:4:84: <ref name="a">: type "A" refers to itself: A → B → A"#)
    }

    @Test func doctypeIsRefused() throws {
        let xml = "<?xml version=\"1.0\"?>\n<!-- x -->\n<!DOCTYPE x [<!ENTITY e \"v\">]>\n<x/>"
        expectError(
            try SchemaFolder(["schema.xml": xml]).error(), "schema.xml:3:1: a DOCTYPE is not accepted (no DTD, no entities in a schema)")
    }

    @Test func descriptionShape() {
        let error = SchemaFileError(file: "a.xml", line: 3, column: 7, element: #"<field name="x">"#, reason: "why")
        #expect(error.description == #"a.xml:3:7: <field name="x">: why"#)
        #expect(SchemaFileError(file: "a.xml", line: 1, column: 1, element: "", reason: "why").description == "a.xml:1:1: why")
    }

    @Test func versionsAreBounded() throws {
        expectError(
            try error("", attributes: #"id="1" version="65536""#),
            #"schema.xml:2:1: <sbe:messageSchema>: version "65536" is not a whole number from 0 to 65535"#)
    }

    @Test func fieldsMustFitTheHeadersBlockLength() throws {
        let xml = Self.schema(
            #"<sbe:message name="M" id="1"><field name="a" id="1" type="Wide"/><field name="b" id="2" type="uint8"/></sbe:message>"#
        )
        .replacingOccurrences(
            of: #"<type name="blockLength" primitiveType="uint16"/>"#, with: #"<type name="blockLength" primitiveType="uint8"/>"#
        )
        .replacingOccurrences(of: "<types>", with: #"<types><type name="Wide" primitiveType="char" length="255"/>"#)
        expectError(
            try SchemaFolder(["schema.xml": xml]).error(),
            #"schema.xml:4:1: <sbe:message name="M">: the fields end at 256, beyond the header's blockLength (uint8)"#)
    }
}
