// The schema as Lua data for the dissector's runtime: one table per message, group, composite
// and field, each field with a ProtoField of its own (`NAME.f_1`, `NAME.f_2` … in schema order,
// identifiers made here, never from schema text), and the catalogue that says what each
// ProtoField is, so `compat dissector verify` can read tshark's tree back into message JSON.

import TGP

/// What one ProtoField of the generated dissector shows.
public struct DissectorField: Sendable, Hashable {
    public enum Role: Sendable, Hashable {
        /// A value of this type (an enum as its wire value, a set as its bits).
        case value(FieldType)
        /// An optional field at its null value.
        case null
        /// A composite: its members are its children.
        case composite
        /// A group: its entries are its children.
        case group
        /// One entry of a group: its fields are its children.
        case entry
        /// Var-data: text, or bytes when it has no character encoding.
        case varData(isText: Bool)
        /// Shown for people only (a var-data length).
        case detail
    }

    /// The field's filter name, `NAME.f_12`.
    public let abbrev: String
    /// The field's name in the message JSON.
    public let name: String
    public let role: Role
}

/// Builds the Lua tables and the ProtoField declarations, numbering fields as it goes.
struct DissectorTables {
    let protocolName: String
    let newest: Int
    private(set) var declarations: [String] = []
    private(set) var catalogue: [String: DissectorField] = [:]

    init(protocolName: String, newest: Int) {
        self.protocolName = protocolName
        self.newest = newest
    }

    /// A new ProtoField: its number in `F`, declared as `constructor`, catalogued with `role`.
    private mutating func field(_ name: String, _ role: DissectorField.Role, _ constructor: String, _ extra: String = "") -> Int {
        let number = declarations.count + 1
        let abbrev = "\(protocolName).f_\(number)"
        declarations.append("ProtoField.\(constructor)(NAME .. \".f_\(number)\", \(LuaText.string(name))\(extra))")
        catalogue[abbrev] = DissectorField(abbrev: abbrev, name: name, role: role)
        return number
    }

    // MARK: messages

    mutating func message(_ type: MessageSchema) -> String {
        let items = type.logicalFields.map { item(for: $0) }
        let blockLengths = (0...newest).map { "[\($0)] = \(type.blockLength(at: $0))" }
        return "{name = \(LuaText.string(type.name)), since = \(type.since), bl = \(LuaText.table(blockLengths)), "
            + "items = \(LuaText.table(items))}"
    }

    private mutating func item(for field: LogicalField) -> String {
        switch field.kind {
        case .scalar(let scalar, let widenedBy):
            guard let wide = widenedBy else { return leaf(scalar) }
            // W7: the narrow field's name, read from the wide field from its version on.
            return leaf(scalar, shownAs: wide.type, extra: ", wide = {off = \(wide.offset), sz = \(wide.type.size), since = \(wide.since)}")
        case .group(let group): return self.group(group)
        case .varData(let varData): return self.varData(varData)
        }
    }

    private mutating func group(_ group: GroupSchema) -> String {
        let node = field(group.name, .group, "none")
        let entry = field(group.name, .entry, "none")
        let items = group.logicalFields.map { item(for: $0) }
        let dimension = group.dimension
        let blockLengths = (0...newest).map { "[\($0)] = \(group.blockLength(at: $0))" }
        return "{k = \"group\", since = \(group.since), f = \(node), e = \(entry), name = \(LuaText.string(group.name)), "
            + "dim = {sz = \(dimension.size), bl = \(slot(dimension.blockLength)), num = \(slot(dimension.numInGroup))}, "
            + "max = \(dimension.maxEntries), bl = \(LuaText.table(blockLengths)), "
            + "flat = \(group.groups.isEmpty && group.varData.isEmpty), items = \(LuaText.table(items))}"
    }

    private mutating func varData(_ varData: VarDataSchema) -> String {
        let encoding = varData.encoding
        let node = field(varData.name, .varData(isText: encoding.isText), encoding.isText ? "string" : "bytes")
        let length = field("length", .detail, uintConstructor(encoding.length.type.size))
        return "{k = \"var\", since = \(varData.since), f = \(node), l = \(length), name = \(LuaText.string(varData.name)), "
            + "len = \(slot(encoding.length)), data = \(encoding.dataOffset), max = \(encoding.maxLength), text = \(encoding.isText)}"
    }

    private func slot(_ slot: EncodedSlot) -> String { "{off = \(slot.offset), sz = \(slot.type.size)}" }

    // MARK: fields

    /// A field of a block or composite. `shownAs` is the type its ProtoField shows (W7's wide one),
    /// `extra` more entries of its table.
    private mutating func leaf(_ schema: FieldSchema, shownAs shown: FieldType? = nil, extra: String = "") -> String {
        let common = "name = \(LuaText.string(schema.name)), off = \(schema.offset), since = \(schema.since)"
        if case .constant(let constant) = schema.presence {
            let number = field(schema.name, .value(schema.type), constructor(for: schema.type))
            let literal = LuaText.value(constant, size: schema.type.size) ?? "nil"
            return "{k = \"const\", f = \(number), cv = \(literal), \(common)}"
        }
        let null = schema.isOptional ? ", n = \(field(schema.name, .null, "string"))" : ""
        switch schema.type {
        case .composite(let composite):
            let node = field(schema.name, .composite, "none")
            let members = composite.members.map { leaf($0) }
            return "{k = \"comp\", f = \(node), sz = \(composite.size), members = \(LuaText.table(members)), \(common)\(null)}"
        default:
            let type = shown ?? schema.type
            let number = field(schema.name, .value(type), constructor(for: type))
            return "{\(shape(of: schema.type)), f = \(number), \(common)\(null)\(nullValue(of: schema))\(extra)}"
        }
    }

    /// The field's kind and what the runtime needs to read and judge it.
    private func shape(of type: FieldType) -> String {
        switch type {
        case .primitive(let primitive): "k = \"num\", t = \(LuaText.string(kind(primitive))), sz = \(primitive.size)"
        case .chars(let length): "k = \"chars\", sz = \(length)"
        case .array(let primitive, let count):
            "k = \"arr\", t = \(LuaText.string(kind(primitive))), sz = \(primitive.size), count = \(count)"
        case .enumeration(let enumSchema):
            "k = \"enum\", sz = \(enumSchema.encoding.size), vals = \(enumValues(enumSchema))"
        case .set(let setSchema):
            "k = \"set\", sz = \(setSchema.encoding.size), bits = \(choices(setSchema))"
        case .composite: "k = \"comp\""
        }
    }

    /// `"u"`, `"i"` or `"f"`: how the runtime reads the primitive.
    private func kind(_ primitive: Primitive) -> String {
        primitive.isFloatingPoint ? "f" : primitive.isSigned ? "i" : "u"
    }

    /// Wire value (decimal, as the runtime's `tostring` gives it) → `{name, since}`.
    private func enumValues(_ enumSchema: EnumSchema) -> String {
        LuaText.table(enumSchema.values.map { "[\"\($0.value)\"] = {\(LuaText.string($0.name)), \($0.since)}" })
    }

    private func choices(_ setSchema: SetSchema) -> String {
        LuaText.table(setSchema.choices.map { "{bit = \($0.bit), name = \(LuaText.string($0.name)), since = \($0.since)}" })
    }

    /// The wire value an optional field carries for "no value": a decimal string, `nan`, or `""` for chars.
    private func nullValue(of schema: FieldSchema) -> String {
        guard let null = schema.effectiveNullValue else { return "" }
        switch null {
        case .unsigned(let number): return ", null = \"\(number)\""
        case .signed(let number): return ", null = \"\(number)\""
        case .double(let number): return number.isNaN ? ", null = \"nan\"" : ", nullnum = \(LuaText.value(null, size: 8) ?? "nil")"
        case .text(let text): return ", null = \(LuaText.string(text))"
        case .group, .bytes, .array, .composite, .null: return ""
        }
    }

    /// The ProtoField constructor and display base for a value of `type`.
    private func constructor(for type: FieldType) -> String {
        switch type {
        case .primitive(let primitive): primitiveConstructor(primitive)
        case .chars, .array: "string"
        case .enumeration(let enumSchema): uintConstructor(enumSchema.encoding.size)
        case .set(let setSchema): uintConstructor(setSchema.encoding.size)
        case .composite: "none"
        }
    }

    private func primitiveConstructor(_ primitive: Primitive) -> String {
        if primitive.isFloatingPoint { return "double" }
        return (primitive.isSigned ? "int" : "uint") + String(primitive.size * 8)
    }

    private func uintConstructor(_ size: Int) -> String { "uint" + String(size * 8) }
}
