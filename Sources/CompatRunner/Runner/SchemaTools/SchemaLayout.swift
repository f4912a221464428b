// Where everything of a message sits at one version of any schema (`compat schema show`): the
// root block's fields with offset, size, type, presence and since, composites expanded into
// their members, each group's dimension and entry block, and the var-data fields; as aligned
// text columns or as JSON.

import MiniJSON
import TGP

public enum SchemaLayout {
    /// Every message type `version` has (or only `messages`), as text.
    public static func text(of schema: Schema, at version: Int, messages: [MessageSchema]? = nil) -> String {
        var out = schemaLine(schema, version)
        for type in messages ?? schema.messages(knownAt: version) {
            out += "\n" + text(of: type, at: version)
        }
        return out
    }

    /// `NewOrder  templateId 10  since 1  blockLength 31`, then its fields, groups and var-data.
    public static func text(of type: MessageSchema, at version: Int) -> String {
        var out = "\(type.name)  templateId \(type.templateId)  since \(type.since)  blockLength \(type.blockLength(at: version))\n"
        out += blockText(fields: type.fields, groups: type.groups, varData: type.varData, at: version, indent: "  ")
        return out
    }

    /// `schemaId 21575  version 3 of 1, 2, 3, 4, 5  littleEndian  header 8 bytes  maxFrameSize 4096`.
    static func schemaLine(_ schema: Schema, _ version: Int) -> String {
        var words = ["schemaId \(schema.schemaId)"]
        if !schema.package.isEmpty { words.append("package \(schema.package)") }
        let versions = schema.versions.isEmpty ? "" : " of " + schema.versions.map(String.init).joined(separator: ", ")
        words += [
            "version \(version)\(versions)", schema.byteOrder.rawValue, "header \(schema.header.size) bytes",
            "maxFrameSize \(schema.maxFrameSize)",
        ]
        return words.joined(separator: "  ") + "\n"
    }

    /// A root block or a group entry: its fields as a table, then each group (its own block
    /// indented further), then its var-data as a table. Only what `version` has.
    private static func blockText(
        fields: [FieldSchema], groups: [GroupSchema], varData: [VarDataSchema], at version: Int, indent: String
    ) -> String {
        var out = ""
        let rows = fieldRows(fields, at: version)
        if !rows.isEmpty {
            out += TextColumns.aligned(
                [["field", "offset", "size", "type", "presence", "since"]] + rows, rightAligned: [1, 2, 5], indent: indent)
        }
        for group in groups where group.since <= version {
            let dimension = group.dimension
            out +=
                indent
                + "group \(group.name)  since \(group.since)  dimension \(dimension.name) \(dimension.size) bytes "
                + "(blockLength \(dimension.blockLength.type.shortName) at \(dimension.blockLength.offset), "
                + "numInGroup \(dimension.numInGroup.type.shortName) at \(dimension.numInGroup.offset))  entry blockLength \(group.blockLength(at: version))\n"
            out += blockText(fields: group.fields, groups: group.groups, varData: group.varData, at: version, indent: indent + "  ")
        }
        let varDataRows = varData.filter { $0.since <= version }.map { field in
            [
                field.name, field.encoding.length.type.shortName, String(field.encoding.maxLength),
                field.encoding.characterEncoding ?? "binary", String(field.since),
            ]
        }
        if !varDataRows.isEmpty {
            out += TextColumns.aligned(
                [["var-data", "length", "max", "encoding", "since"]] + varDataRows, rightAligned: [2, 4], indent: indent)
        }
        return out
    }

    /// One row per field `version` has, each composite followed by its members (`price.mantissa`)
    /// at their offsets in the block.
    private static func fieldRows(_ fields: [FieldSchema], at version: Int, prefix: String = "", base: Int = 0) -> [[String]] {
        fields.filter { prefix.isEmpty ? $0.since <= version : true }.flatMap { field -> [[String]] in
            let row = [
                prefix + field.name, String(base + field.offset), String(field.wireSize), field.type.name, field.presence.name,
                String(field.since),
            ]
            guard case .composite(let composite) = field.type, !field.presence.isConstant else { return [row] }
            return [row] + fieldRows(composite.members, at: version, prefix: prefix + field.name + ".", base: base + field.offset)
        }
    }

    // MARK: JSON

    /// The same as `text`, as JSON: `schemaId`, `version`, `byteOrder`, `headerSize`,
    /// `maxFrameSize`, and `messages`, each with `name`, `templateId`, `since`, `blockLength`,
    /// `fields` (`name`, `offset`, `size`, `type`, `presence`, `since`, a composite's `members`),
    /// `groups` (`name`, `since`, `dimension`, `blockLength`, and their own `fields`, `groups`,
    /// `varData`) and `varData` (`name`, `since`, `length`, `max`, `encoding`).
    public static func json(of schema: Schema, at version: Int, messages: [MessageSchema]? = nil) -> JSON {
        let types = messages ?? schema.messages(knownAt: version)
        return [
            "schemaId": .integer(schema.schemaId), "package": .string(schema.package), "version": .integer(version),
            "byteOrder": .string(schema.byteOrder.rawValue), "headerSize": .integer(schema.header.size),
            "maxFrameSize": .integer(schema.maxFrameSize),
            "messages": .array(
                types.map { type in
                    var object: JSONObject = [
                        "name": .string(type.name), "templateId": .integer(type.templateId), "since": .integer(type.since),
                        "blockLength": .integer(type.blockLength(at: version)),
                    ]
                    block(fields: type.fields, groups: type.groups, varData: type.varData, at: version, into: &object)
                    return .object(object)
                }),
        ]
    }

    private static func block(
        fields: [FieldSchema], groups: [GroupSchema], varData: [VarDataSchema], at version: Int, into object: inout JSONObject
    ) {
        object["fields"] = .array(fields.filter { $0.since <= version }.map { fieldJSON($0, base: 0) })
        object["groups"] = .array(
            groups.filter { $0.since <= version }.map { group in
                let dimension = group.dimension
                var entry: JSONObject = [
                    "name": .string(group.name), "since": .integer(group.since),
                    "dimension": [
                        "name": .string(dimension.name), "size": .integer(dimension.size),
                        "blockLength": .string(dimension.blockLength.type.shortName),
                        "numInGroup": .string(dimension.numInGroup.type.shortName), "maxEntries": .integer(dimension.maxEntries),
                    ],
                    "blockLength": .integer(group.blockLength(at: version)),
                ]
                block(fields: group.fields, groups: group.groups, varData: group.varData, at: version, into: &entry)
                return .object(entry)
            })
        object["varData"] = .array(
            varData.filter { $0.since <= version }.map { field in
                [
                    "name": .string(field.name), "since": .integer(field.since), "length": .string(field.encoding.length.type.shortName),
                    "max": .integer(field.encoding.maxLength), "encoding": field.encoding.characterEncoding.map(JSON.string) ?? .null,
                ]
            })
    }

    /// A field; a composite's `members` at their offsets in the block.
    private static func fieldJSON(_ field: FieldSchema, base: Int) -> JSON {
        var object: JSONObject = [
            "name": .string(field.name), "offset": .integer(base + field.offset), "size": .integer(field.wireSize),
            "type": .string(field.type.name), "presence": .string(field.presence.name), "since": .integer(field.since),
        ]
        if let widens = field.widens { object["widens"] = .string(widens) }
        if case .composite(let composite) = field.type, !field.presence.isConstant {
            object["members"] = .array(composite.members.map { fieldJSON($0, base: base + field.offset) })
        }
        return .object(object)
    }
}
