// A small SBE schema with every part of the type system, built in memory for the evolution and
// lint tests: an Order message (an enum, a ranged, an optional and a constant field; a group
// whose entry has a nested group, with a set and a composite, and var-data; var-data), plus any
// other message. A field typed by `side`, `flags` or `decimal` takes their value when built.
// A test edits the parts and builds old and new schemas from them. Versions count from 0.

import TGP

struct SBEParts {
    var version = 0
    var schemaId: UInt16 = 7
    var byteOrder = ByteOrder.littleEndian
    var header = HeaderSchema.standard

    var side = EnumSchema("Side", [.init(1, "Buy", since: 0), .init(2, "Sell", since: 0)])
    var flags = SetSchema("Flags", encoding: .uint8, choices: [.init("Urgent", bit: 0), .init("Hidden", bit: 1)])
    var decimal = CompositeSchema(
        "Decimal", members: [FieldSchema("mantissa", .i64, at: 0, since: 0), FieldSchema("exponent", .primitive(.int8), at: 8, since: 0)])

    /// Order's root block: 22 bytes, and a constant after them.
    var fields: [FieldSchema] = [
        FieldSchema("id", .u64, at: 0, since: 0),
        FieldSchema("side", .enumeration(SBEParts.placeholderEnum), at: 8, since: 0),
        FieldSchema("urgent", .u8, at: 9, since: 0),
        FieldSchema("qty", .u32, at: 10, since: 0, minValue: .unsigned(1), maxValue: .unsigned(1_000_000)),
        FieldSchema("limit", .i64, at: 14, since: 0, presence: .optional),
        FieldSchema("kind", .u8, at: 22, since: 0, presence: .constant(.unsigned(7))),
    ]
    /// The `legs` entry, its nested groups (`fills`) and its var-data. The set and the composite
    /// travel in `fills`, a nested entry: the codec builds its tables when a message type is made,
    /// and does not carry sets and composites in a root block or a first-level entry yet.
    var legFields = [FieldSchema("legId", .u32, at: 0, since: 0), FieldSchema("ratio", .u16, at: 4, since: 0)]
    var fillFields: [FieldSchema] = [
        FieldSchema("px", .i64, at: 0, since: 0),
        FieldSchema("flags", .set(SBEParts.placeholderSet), at: 8, since: 0),
        FieldSchema("price", .composite(SBEParts.placeholderComposite), at: 9, since: 0),
    ]
    var legGroups: [GroupSchema]?
    var legVarData = [VarDataSchema("note", since: 0)]
    var legDimension = DimensionSchema.standard
    /// Order's groups: `legs`, with these before and after it.
    var groupsBefore: [GroupSchema] = []
    var groupsAfter: [GroupSchema] = []
    var varData = [VarDataSchema("text", since: 0)]
    var blockLength: Int?
    var orderDeprecated: Int?
    var orderTemplateId: UInt16 = 1
    var orderExists = true
    /// Messages after Order.
    var others: [MessageSchema] = []

    static let placeholderEnum = EnumSchema("Side", [])
    static let placeholderSet = SetSchema("Flags", encoding: .uint8, choices: [])
    static let placeholderComposite = CompositeSchema("Decimal", members: [])

    var fills: GroupSchema { GroupSchema("fills", since: 0, fields: fillFields.map(resolve)) }

    var legs: GroupSchema {
        GroupSchema(
            "legs", since: 0, fields: legFields.map(resolve), groups: legGroups ?? [fills], varData: legVarData, dimension: legDimension)
    }

    var order: MessageSchema {
        MessageSchema(
            orderTemplateId, "Order", .both, since: 0, fields: fields.map(resolve), groups: groupsBefore + [legs] + groupsAfter,
            varData: varData, attributes: MessageAttributes(blockLength: blockLength, deprecated: orderDeprecated))
    }

    var schema: Schema {
        Schema(
            schemaId: schemaId, messages: (orderExists ? [order] : []) + others, enums: [side], peerRanges: [:], maxFrameSize: 4096,
            maxVarDataLength: 1024, maxGroupEntries: 64, sets: [flags], composites: [decimal], version: version, byteOrder: byteOrder,
            header: header)
    }

    /// A field typed by the placeholder enum, set or composite, typed by today's one.
    func resolve(_ field: FieldSchema) -> FieldSchema {
        switch field.type {
        case .enumeration(let used) where used.name == side.name: field.with(type: .enumeration(side))
        case .set(let used) where used.name == flags.name: field.with(type: .set(flags))
        case .composite(let used) where used.name == decimal.name: field.with(type: .composite(decimal))
        default: field
        }
    }

    /// The base schema's next version: what it adds, it adds in v1.
    static let next = SBEParts().edited { $0.version = 1 }

    /// An optional field at the end of Order's root block, added in v1.
    static let extraAtEnd = FieldSchema("extra", .i64, at: 22, since: 1, presence: .optional)

    /// A group of one field, for nesting in `legs`.
    static func allocs(since: Int) -> GroupSchema {
        GroupSchema("allocs", since: since, fields: [FieldSchema("qty", .u32, at: 0, since: since)])
    }

    /// These parts edited.
    func edited(_ edit: (inout SBEParts) -> Void) -> SBEParts {
        var copy = self
        edit(&copy)
        return copy
    }
}

extension Array where Element == EnumValue {
    mutating func edit(_ name: String, _ change: (EnumValue) -> EnumValue) {
        let index = firstIndex { $0.name == name }!
        self[index] = change(self[index])
    }
}

extension EnumSchema {
    func with(values: [EnumValue]? = nil, encoding: Primitive? = nil) -> EnumSchema {
        EnumSchema(name, values ?? self.values, default: value(defaultValue)?.name, encoding: encoding ?? self.encoding, since: since)
    }
}

extension SetSchema {
    func with(choices: [Choice]) -> SetSchema { SetSchema(name, encoding: encoding, choices: choices, since: since) }
}

/// A message of its own: a price, and what a test adds.
func quote(since: Int = 0, templateId: UInt16 = 2, groups: [GroupSchema] = [], varData: [VarDataSchema] = []) -> MessageSchema {
    MessageSchema(
        templateId, "Quote", .both, since: since, fields: [FieldSchema("px", .i64, at: 0, since: since)], groups: groups, varData: varData)
}
