// The `message` elements: fields at explicit or packed offsets, then groups (with their own
// fields, groups and data), then var-data, as SBE orders them on the wire.

import SBE

struct MessageReader {
    let resolver: TypeResolver
    let header: HeaderSchema
    let profile: ProfileSidecar?
    var context: ReadContext { resolver.context }
    /// The composites used as a group dimension or a var-data encoding (they are not field types).
    private(set) var encodingNames: Set<String> = []

    init(resolver: TypeResolver, header: HeaderSchema, profile: ProfileSidecar?) {
        self.resolver = resolver
        self.header = header
        self.profile = profile
    }

    /// Every message, names and template ids unique.
    mutating func read(_ nodes: [Node]) throws(SchemaFileError) -> [MessageSchema] {
        var messages: [MessageSchema] = []
        var first: [String: Node] = [:]
        for node in nodes {
            let message = try read(node)
            for key in ["name \"\(message.name)\"", "id \(message.templateId)"] {
                if let earlier = first[key] {
                    throw SchemaFileError("duplicate message \(key) (first at \(earlier.file):\(earlier.line))", at: node)
                }
                first[key] = node
            }
            messages.append(message)
        }
        return messages
    }

    private mutating func read(_ node: Node) throws(SchemaFileError) -> MessageSchema {
        let name = try node.required("name")
        let templateLimit = Int(min(header.templateId.max, UInt64(UInt16.max)))
        guard let templateId = try node.integer("id", in: 0...templateLimit) else {
            throw SchemaFileError("id is missing", at: node)
        }
        let since = try context.since(of: node, parent: context.oldestVersion)
        let blockLength = try node.integer("blockLength", in: 0...Int(clamping: header.blockLength.max))
        let body = try readBody(of: node, since: since, widenings: profile?.widenings(of: name) ?? [:])
        guard body.end <= header.blockLength.max else {
            throw SchemaFileError(
                "the fields end at \(body.end), beyond the header's blockLength (\(header.blockLength.type.rawValue))", at: node)
        }
        try profile?.checkWidenings(of: name, fields: body.fields)
        let attributes = MessageAttributes(
            blockLength: blockLength, semanticType: node.attribute("semanticType"), deprecated: try context.deprecated(of: node),
            description: node.attribute("description"))
        return MessageSchema(
            UInt16(templateId), name, profile?.directions[name] ?? .both, since: since, fields: body.fields, groups: body.groups,
            varData: body.varData, attributes: attributes)
    }

    /// What a message or a group entry holds.
    private struct Body {
        var fields: [FieldSchema] = []
        var groups: [GroupSchema] = []
        var varData: [VarDataSchema] = []
        /// The end of the fields: the block length the fields need at the newest version.
        var end = 0
    }

    /// The fields, groups and data of `node`, in that order. `widenings`: field → the field it widens.
    private mutating func readBody(of node: Node, since: Int, widenings: [String: String] = [:]) throws(SchemaFileError) -> Body {
        var body = Body()
        var names: Set<String> = []
        // field < group < data: an element may not come before one of an earlier kind.
        var stage = 0
        for child in node.children {
            let kind = child.sbeName ?? ""
            guard let order = ["field", "group", "data"].firstIndex(of: kind) else {
                throw SchemaFileError("unsupported element \(child.qualifiedName) in <\(node.qualifiedName)>", at: child)
            }
            guard order >= stage else {
                throw SchemaFileError(
                    "\(kind) after \(["field", "group", "data"][stage]): fields come first, then groups, then data", at: child)
            }
            stage = order
            let name = try child.required("name")
            guard names.insert(name).inserted else { throw SchemaFileError("duplicate name \"\(name)\"", at: child) }
            switch kind {
            case "field":
                let field = try readField(child, at: body.end, after: body.fields, since: since, widens: widenings[name])
                body.fields.append(field)
                body.end = max(body.end, field.end)
            case "group": body.groups.append(try readGroup(child, since: since))
            default: body.varData.append(try readData(child, since: since))
            }
        }
        return body
    }

    /// A field at its `offset`, or at `position` (packed after the previous field).
    private func readField(
        _ node: Node, at position: Int, after fields: [FieldSchema], since parentSince: Int, widens: String?
    ) throws(SchemaFileError) -> FieldSchema {
        let name = try node.required("name")
        let resolved = try resolver.resolve(named: try node.required("type"), at: node)
        guard let type = resolved.type else {
            throw SchemaFileError("type \"\(node.attribute("type")!)\" is var-data bytes: only a data element can use it", at: node)
        }
        let offset = try node.integer("offset", in: 0...65535) ?? position
        // A constant takes no bytes: its offset, wherever written, overlaps nothing.
        if offset < position && !resolved.presence.isConstant {
            throw overlap(node, offset: offset, size: type.size, fields: fields, end: position)
        }
        let presence = try fieldPresence(node, type: type, typePresence: resolved.presence)
        return resolver.field(
            name, type, at: offset, since: try context.since(of: node, parent: parentSince), widens: widens, resolved: resolved,
            presence: presence, id: try node.integer("id", in: 0...Int(Int32.max)), deprecated: try context.deprecated(of: node),
            semanticType: node.attribute("semanticType"))
    }

    /// Fields go in offset order: one that starts before the end of those before it is refused,
    /// naming the field it overlaps, if any, else the one it comes before.
    private func overlap(_ node: Node, offset: Int, size: Int, fields: [FieldSchema], end: Int) -> SchemaFileError {
        let bytes = offset..<offset + size
        if let other = fields.first(where: { (($0.offset)..<$0.end).overlaps(bytes) }) {
            return SchemaFileError(
                "offset \(offset) overlaps \(other.name), which takes bytes \(other.offset) to \(other.end - 1)", at: node)
        }
        let last = fields.last { $0.end == end }!
        return SchemaFileError("offset \(offset) is before the end of \(last.name) (\(end)): fields go in offset order", at: node)
    }

    /// The field's presence: its own attribute over its type's. A constant takes its value from
    /// `valueRef` or from a constant type; a constant type cannot be made required or optional.
    private func fieldPresence(_ node: Node, type: FieldType, typePresence: Presence) throws(SchemaFileError) -> Presence {
        let stated: Presence? = node.attribute("presence") == nil ? nil : try resolver.presence(of: node)
        if let reference = node.attribute("valueRef") {
            guard stated?.isConstant == true else { throw SchemaFileError("valueRef needs presence=\"constant\"", at: node) }
            return .constant(try resolver.constant(fromValueRef: reference, type: type, at: node))
        }
        switch (stated, typePresence) {
        case (nil, _), (.constant?, .constant): return typePresence
        case (.constant?, _): throw SchemaFileError("a constant field needs valueRef or a constant type", at: node)
        case (_, .constant): throw SchemaFileError("the type is a constant: presence must be constant", at: node)
        case (let stated?, _): return stated
        }
    }

    private mutating func readGroup(_ node: Node, since parentSince: Int) throws(SchemaFileError) -> GroupSchema {
        let name = try node.required("name")
        let dimensionName = node.attribute("dimensionType") ?? "groupSizeEncoding"
        let dimension = try resolver.dimension(named: dimensionName, at: node)
        encodingNames.insert(dimensionName)
        let since = try context.since(of: node, parent: parentSince)
        let blockLength = try node.integer("blockLength", in: 0...Int(clamping: dimension.blockLength.max))
        let body = try readBody(of: node, since: since)
        guard body.end <= dimension.blockLength.max else {
            throw SchemaFileError("the entry's fields end at \(body.end), beyond \(dimensionName)'s blockLength", at: node)
        }
        return GroupSchema(
            name, since: since, fields: body.fields, groups: body.groups, varData: body.varData, dimension: dimension,
            blockLength: blockLength, id: try node.integer("id", in: 0...Int(Int32.max)), deprecated: try context.deprecated(of: node))
    }

    private mutating func readData(_ node: Node, since parentSince: Int) throws(SchemaFileError) -> VarDataSchema {
        let typeName = try node.required("type")
        let encoding = try resolver.varDataEncoding(named: typeName, at: node)
        encodingNames.insert(typeName)
        return VarDataSchema(
            try node.required("name"), since: try context.since(of: node, parent: parentSince), encoding: encoding,
            id: try node.integer("id", in: 0...Int(Int32.max)), deprecated: try context.deprecated(of: node))
    }
}
