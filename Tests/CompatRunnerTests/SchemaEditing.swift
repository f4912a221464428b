// Editing a copy of a schema in memory, for the schema diff and evolution rule tests: a
// message's parts rebuilt, a field or enum changed, a message added or removed.
// (SBESchemaParts.swift builds schemas of the whole SBE type system.)

import TGP

/// A message's parts, editable, rebuilt into a `MessageSchema`.
struct MessageParts {
    var templateId: UInt16
    var name: String
    var direction: Direction
    var since: Int
    var fields: [FieldSchema]
    var groups: [GroupSchema]
    var varData: [VarDataSchema]

    init(_ message: MessageSchema) {
        templateId = message.templateId
        name = message.name
        direction = message.direction
        since = message.since
        fields = message.fields
        groups = message.groups
        varData = message.varData
    }

    var schema: MessageSchema {
        MessageSchema(templateId, name, direction, since: since, fields: fields, groups: groups, varData: varData)
    }
}

extension FieldSchema {
    /// A copy with some attributes changed, the others (presence, values, id, deprecation) kept.
    func with(
        name: String? = nil, type: FieldType? = nil, offset: Int? = nil, since: Int? = nil,
        widens: String?? = .none, presence: Presence? = nil, nullValue: FieldValue?? = .none, minValue: FieldValue?? = .none,
        maxValue: FieldValue?? = .none, id: Int?? = .none, deprecated: Int?? = .none
    ) -> FieldSchema {
        FieldSchema(
            name ?? self.name, type ?? self.type, at: offset ?? self.offset, since: since ?? self.since,
            widens: widens ?? self.widens, presence: presence ?? self.presence, nullValue: nullValue ?? self.nullValue,
            minValue: minValue ?? self.minValue, maxValue: maxValue ?? self.maxValue, id: id ?? self.id,
            deprecated: deprecated ?? self.deprecated, semanticType: semanticType)
    }
}

extension Array where Element == FieldSchema {
    mutating func edit(_ name: String, _ change: (FieldSchema) -> FieldSchema) {
        let index = firstIndex { $0.name == name }!
        self[index] = change(self[index])
    }
}

extension Schema {
    func with(
        messages: [MessageSchema]? = nil, enums: [EnumSchema]? = nil, peerRanges: [Int: ClosedRange<Int>]? = nil,
        schemaId: UInt16? = nil, maxFrameSize: Int? = nil
    ) -> Schema {
        Schema(
            schemaId: schemaId ?? self.schemaId, messages: messages ?? self.messages, enums: enums ?? self.enums,
            peerRanges: peerRanges ?? self.peerRanges, maxFrameSize: maxFrameSize ?? self.maxFrameSize,
            maxVarDataLength: maxVarDataLength, maxGroupEntries: maxGroupEntries)
    }

    func editing(_ name: String, _ change: (inout MessageParts) -> Void) -> Schema {
        with(
            messages: messages.map { message in
                guard message.name == name else { return message }
                var parts = MessageParts(message)
                change(&parts)
                return parts.schema
            })
    }

    func removing(_ name: String) -> Schema {
        with(messages: messages.filter { $0.name != name })
    }

    func adding(_ message: MessageSchema) -> Schema {
        with(messages: messages + [message])
    }

    /// The enum of that name edited, in the schema's list and in every field that uses it.
    func editingEnum(_ name: String, _ change: (EnumSchema) -> EnumSchema) -> Schema {
        let new = change(enumeration(named: name)!)
        func retype(_ field: FieldSchema) -> FieldSchema {
            if case .enumeration(let old) = field.type, old.name == name { return field.with(type: .enumeration(new)) }
            return field
        }
        return with(
            messages: messages.map { message in
                var parts = MessageParts(message)
                parts.fields = parts.fields.map(retype)
                parts.groups = parts.groups.map { GroupSchema($0.name, since: $0.since, fields: $0.fields.map(retype)) }
                return parts.schema
            }, enums: enums.map { $0.name == name ? new : $0 })
    }
}

extension EnumSchema {
    func adding(_ value: EnumValue) -> EnumSchema {
        EnumSchema(name, values + [value], default: self.value(defaultValue)?.name)
    }
}
