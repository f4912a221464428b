// A schema change's annotation points at its element in the schema's XML: the message or type
// its location names first, then the field, group or value it names last, after it (never an
// attribute that merely ends in `name=`, never a like-named element of another message).

import Testing

@testable import CompatRunner

private let schemaText = """
    <?xml version="1.0" encoding="UTF-8"?>
    <sbe:messageSchema xmlns:sbe="http://fixprotocol.io/2016/sbe" package="orders" id="7" version="3">
      <types>
        <enum name="Side" encodingType="uint8">
          <validValue name="Buy">1</validValue>
          <validValue name="SellShort" sinceVersion="2">3</validValue>
        </enum>
      </types>
      <sbe:message name="Cancel" id="2">
        <field name="side" id="1" type="Side"/>
      </sbe:message>
      <sbe:message name="NewOrder" id="1">
        <field typeName="x" name="side" id="1" type="Side"/>
        <group name="legs" id="9">
          <field name="ratio" id="10" type="uint32" sinceVersion="3"/>
        </group>
      </sbe:message>
    </sbe:messageSchema>
    """

@Suite struct SchemaLinesTests {
    @Test("a location's line: its message or type, then its last part after it; nothing for a place that is no element")
    func linesOfLocations() {
        let lines = SchemaLines(file: "proto/orders.xml", text: Array(schemaText.utf8))
        #expect(lines.line(of: "v3:NewOrder.side") == 13)
        #expect(lines.line(of: "v3:NewOrder.legs.ratio") == 15)
        #expect(lines.line(of: "v2:Side.SellShort") == 6)
        #expect(lines.line(of: "v2:Cancel") == 9)
        #expect(lines.line(of: "v3:NewOrder.price") == nil)
        #expect(lines.line(of: "limits.maxFrameSize") == nil)
        #expect(lines.line(of: "header") == nil)
    }

    @Test("a breaking change's annotation names the schema file and its element's line")
    func breakingChangeAnnotation() {
        let lines = SchemaLines(file: "proto/orders.xml", text: Array(schemaText.utf8))
        let findings = [
            GitHubFinding(title: "schema/field-moved@v3:NewOrder.side", message: "m", anchor: .schema(location: "v3:NewOrder.side")),
            GitHubFinding(
                title: "schema/limit-changed@limits.maxFrameSize", message: "m", anchor: .schema(location: "limits.maxFrameSize")),
        ]
        #expect(
            GitHubActions().workflowCommands(findings, schema: lines).split(separator: "\n") == [
                "::error file=proto/orders.xml,line=13,title=schema/field-moved@v3%3ANewOrder.side::m",
                "::error title=schema/limit-changed@limits.maxFrameSize::m",
            ])
    }
}
