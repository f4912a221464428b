// A large SBE schema made up for the schema benchmark: as many messages as it takes to reach a
// size, each with fields of every primitive, enums, a set, a composite, a group with a nested
// group, and var-data, spread over the versions. Deterministic, so two runs time the same file.

public enum SyntheticSchema {
    /// The XML of a schema of about `bytes` bytes at `version`; every message and field whose
    /// `sinceVersion` is above `version` is left out, so the schema at `version + 1` is a
    /// compatible extension of the one at `version`.
    public static func xml(bytes: Int, version: Int, newestVersion: Int) -> String {
        var lines = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<sbe:messageSchema xmlns:sbe="http://fixprotocol.io/2016/sbe" package="synthetic" id="77" "#
                + #"version="\#(version)" semanticVersion="\#(version)" byteOrder="littleEndian">"#,
            "    <types>",
            #"        <composite name="messageHeader"><type name="blockLength" primitiveType="uint16"/>"#
                + #"<type name="templateId" primitiveType="uint16"/><type name="schemaId" primitiveType="uint16"/>"#
                + #"<type name="version" primitiveType="uint16"/></composite>"#,
            #"        <composite name="groupSizeEncoding"><type name="blockLength" primitiveType="uint16"/>"#
                + #"<type name="numInGroup" primitiveType="uint16"/></composite>"#,
            #"        <composite name="varStringEncoding"><type name="length" primitiveType="uint32" maxValue="1073741824"/>"#
                + #"<type name="varData" primitiveType="uint8" length="0" characterEncoding="UTF-8"/></composite>"#,
            #"        <composite name="Decimal"><type name="mantissa" primitiveType="int64"/>"#
                + #"<type name="exponent" primitiveType="int8" presence="constant">-7</type></composite>"#,
            #"        <type name="Symbol" primitiveType="char" length="12" characterEncoding="US-ASCII"/>"#,
            #"        <enum name="Side" encodingType="uint8"><validValue name="Buy">1</validValue><validValue name="Sell">2</validValue></enum>"#,
            #"        <set name="Flags" encodingType="uint16"><choice name="a">0</choice><choice name="b">1</choice></set>"#,
            "    </types>",
        ]
        var size = lines.reduce(0) { $0 + $1.utf8.count + 1 }
        var id = 1
        while size < bytes {
            let since = 1 + id % max(1, newestVersion)
            if since <= version {
                let message = self.message(id: id, since: since, version: version)
                size += message.utf8.count + 1
                lines.append(message)
            }
            id += 1
        }
        lines.append("</sbe:messageSchema>")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func message(id: Int, since: Int, version: Int) -> String {
        let primitives = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float", "double"]
        var lines = [#"    <sbe:message name="Message\#(id)" id="\#(id)" sinceVersion="\#(since)">"#]
        for (index, primitive) in primitives.enumerated() {
            lines.append(#"        <field name="field\#(index)" id="\#(index + 1)" type="\#(primitive)"/>"#)
        }
        lines.append(#"        <field name="symbol" id="20" type="Symbol"/>"#)
        lines.append(#"        <field name="side" id="21" type="Side"/>"#)
        lines.append(#"        <field name="flags" id="22" type="Flags"/>"#)
        lines.append(#"        <field name="price" id="23" type="Decimal"/>"#)
        if version > since {
            lines.append(#"        <field name="added" id="24" type="uint32" presence="optional" sinceVersion="\#(since + 1)"/>"#)
        }
        lines.append(#"        <group name="legs" id="30" dimensionType="groupSizeEncoding">"#)
        lines.append(#"            <field name="legPrice" id="31" type="Decimal"/>"#)
        lines.append(#"            <group name="fills" id="32" dimensionType="groupSizeEncoding">"#)
        lines.append(#"                <field name="fillQty" id="33" type="uint32"/>"#)
        lines.append("            </group>")
        lines.append(#"            <data name="legText" id="34" type="varStringEncoding"/>"#)
        lines.append("        </group>")
        lines.append(#"        <data name="text" id="40" type="varStringEncoding"/>"#)
        lines.append("    </sbe:message>")
        return lines.joined(separator: "\n")
    }
}
