// The `types` of a schema: every `type`, `enum`, `set` and `composite` declared, resolved by
// name into the IR's types. Declarations may refer to ones declared later (a composite's `ref`,
// an enum's named encodingType), so they are resolved on first use, once, and cycles refused.

import SBE

/// A type as a field, a composite member, the header or a var-data encoding needs it.
struct ResolvedType {
    /// Nil for var-data bytes (a `type` of length 0, or a composite holding one): only a
    /// `data` element's encoding may be one.
    var type: FieldType?
    /// A `type`'s primitive (or the primitive a field names directly).
    var primitive: Primitive?
    var presence: Presence = .required
    /// As the type reads them (a `char`'s as its byte); `FieldSchema` takes them through `fieldValue`.
    var nullValue: FieldValue?
    var minValue: FieldValue?
    var maxValue: FieldValue?
    var semanticType: String?
    var characterEncoding: String?
    var since: Int
    var deprecated: Int?
    /// Bytes on the wire (none for a constant or var-data bytes; a composite's members' end).
    var size: Int
    /// A composite's members, in offset order.
    var members: [Member] = []
    /// The declaring element; nil for a primitive named directly.
    var node: Node?
}

/// A member of a composite where it sits.
struct Member {
    let name: String
    let offset: Int
    let since: Int
    let deprecated: Int?
    let resolved: ResolvedType
    let node: Node

    var end: Int { offset + resolved.size }
    /// The bytes it takes (none for a constant or var-data bytes, which overlap nothing).
    var bytes: Range<Int> { offset..<end }
}

final class TypeResolver {
    let context: ReadContext
    /// The top-level declarations by name, and in the order written.
    private var declarations: [String: Node] = [:]
    private(set) var order: [Node] = []
    private var resolved: [String: ResolvedType] = [:]
    /// The names being resolved, outermost first: a name met again is a cycle.
    private var resolving: [String] = []

    /// Collects the declarations of every `types` element. Names are unique and none is a primitive's.
    init(types: [Node], context: ReadContext) throws(SchemaFileError) {
        self.context = context
        for types in types { try collect(types) }
    }

    /// The declarations of one `types` element. A `types` inside it (a file of types included
    /// by another) is read as if written in its place.
    private func collect(_ types: Node) throws(SchemaFileError) {
        for child in types.children {
            if child.sbeName == "types" {
                try collect(child)
                continue
            }
            guard let kind = child.sbeName, ["type", "composite", "enum", "set"].contains(kind) else {
                throw SchemaFileError("unsupported element \(child.qualifiedName) in <\(types.qualifiedName)>", at: child)
            }
            let name = try child.required("name")
            guard Primitive.byName[name] == nil else {
                throw SchemaFileError("\"\(name)\" is the name of a primitive type", at: child)
            }
            if let first = declarations[name] {
                throw SchemaFileError("duplicate type name \"\(name)\" (first declared at \(first.file):\(first.line))", at: child)
            }
            declarations[name] = child
            order.append(child)
        }
    }

    /// Resolves every declaration, so a broken type is an error even when nothing uses it.
    func resolveAll() throws(SchemaFileError) {
        for node in order { _ = try resolve(named: node.attribute("name")!, at: node) }
    }

    /// The type named `name` (a primitive or a declaration), for `user`'s errors.
    func resolve(named name: String, at user: Node) throws(SchemaFileError) -> ResolvedType {
        if let primitive = Primitive.byName[name] {
            return ResolvedType(
                type: primitive == .char ? .chars(1) : .primitive(primitive), primitive: primitive, since: context.oldestVersion,
                size: primitive.size)
        }
        if let done = resolved[name] { return done }
        guard let node = declarations[name] else { throw SchemaFileError("unknown type \"\(name)\"", at: user) }
        if let start = resolving.firstIndex(of: name) {
            let cycle = (resolving[start...] + [name]).joined(separator: " → ")
            throw SchemaFileError("type \"\(name)\" refers to itself: \(cycle)", at: user)
        }
        guard resolving.count < ReadLimits.depth else {
            throw SchemaFileError("type references nested deeper than \(ReadLimits.depth)", at: user)
        }
        resolving.append(name)
        defer { resolving.removeLast() }
        let result = try declaration(node, parentSince: context.oldestVersion, declared: true)
        resolved[name] = result
        return result
    }

    /// The declared enum named `name`, if there is one.
    func enumeration(named name: String, at user: Node) throws(SchemaFileError) -> EnumSchema? {
        guard let node = declarations[name], node.sbeName == "enum" else { return nil }
        guard case .enumeration(let enumSchema)? = try resolve(named: name, at: user).type else { return nil }
        return enumSchema
    }

    /// Whether `name` is a top-level composite.
    func isComposite(_ name: String) -> Bool { declarations[name]?.sbeName == "composite" }

    /// A `type`, `enum`, `set` or `composite` element, `declared` in `types` or a composite's member.
    func declaration(_ node: Node, parentSince: Int, declared: Bool) throws(SchemaFileError) -> ResolvedType {
        switch node.sbeName {
        case "type": try encodedType(node, parentSince: parentSince)
        case "enum": try enumType(node, parentSince: parentSince, declared: declared)
        case "set": try setType(node, parentSince: parentSince)
        case "composite": try compositeType(node, parentSince: parentSince)
        default: throw SchemaFileError("unsupported element \(node.qualifiedName)", at: node)
        }
    }
}

// MARK: - type

extension TypeResolver {
    /// A `type` element: a primitive, a character array, an array, or var-data bytes (length 0).
    private func encodedType(_ node: Node, parentSince: Int) throws(SchemaFileError) -> ResolvedType {
        let primitiveName = try node.required("primitiveType")
        guard let primitive = Primitive.byName[primitiveName] else {
            throw SchemaFileError("unknown primitiveType \"\(primitiveName)\"", at: node)
        }
        let length = try node.integer("length", in: 0...Int(Int32.max))
        if let length, length > ReadLimits.arrayLength {
            throw SchemaFileError("length \(length) is above the limit of \(ReadLimits.arrayLength)", at: node)
        }
        var result = ResolvedType(
            primitive: primitive, presence: try presence(of: node), semanticType: node.attribute("semanticType"),
            characterEncoding: node.attribute("characterEncoding"), since: try context.since(of: node, parent: parentSince),
            deprecated: try context.deprecated(of: node), size: 0, node: node)
        if length == 0 {
            // The bytes of a var-data encoding: their length is the composite's `length` member.
            guard primitive == .char || primitive == .uint8, !result.presence.isConstant else {
                throw SchemaFileError("length 0 is only for the char or uint8 bytes of a var-data encoding", at: node)
            }
            return result
        }
        if node.attribute("valueRef") != nil && !result.presence.isConstant {
            throw SchemaFileError("valueRef needs presence=\"constant\"", at: node)
        }
        let constant = result.presence.isConstant ? try constantText(of: node) : nil
        let count = length ?? (primitive == .char ? constant?.utf8.count ?? 1 : 1)
        let type: FieldType = primitive == .char ? .chars(count) : count == 1 ? .primitive(primitive) : .array(primitive, count)
        result.type = type
        result.size = type.size
        if result.presence.isConstant {
            result.presence = .constant(try constantValue(of: node, text: constant, type: type))
            result.size = 0
        }
        result.nullValue = try value(of: node, "nullValue", primitive)
        result.minValue = try value(of: node, "minValue", primitive)
        result.maxValue = try value(of: node, "maxValue", primitive)
        return result
    }

    /// `presence`, without a constant's value (set once the type is known).
    func presence(of node: Node) throws(SchemaFileError) -> Presence {
        switch node.attribute("presence") ?? "required" {
        case "required": return .required
        case "optional": return .optional
        case "constant": return .constant(.null)
        case let other: throw SchemaFileError("presence \"\(other)\" is not required, optional or constant", at: node)
        }
    }

    /// The text of a constant `type` (nil when a valueRef gives it instead).
    private func constantText(of node: Node) throws(SchemaFileError) -> String? {
        if node.attribute("valueRef") != nil { return nil }
        let text = node.trimmedText
        guard !text.isEmpty else { throw SchemaFileError("a constant needs a value (its text or valueRef)", at: node) }
        return text
    }

    /// A constant's value: its valueRef's, or its text read as `type`.
    private func constantValue(of node: Node, text: String?, type: FieldType) throws(SchemaFileError) -> FieldValue {
        guard let text else { return try constant(fromValueRef: node.attribute("valueRef")!, type: type, at: node) }
        switch type {
        case .chars(let length):
            guard text.unicodeScalars.allSatisfy({ $0.isASCII }) else {
                throw SchemaFileError("constant \"\(text)\" is not ASCII", at: node)
            }
            guard text.utf8.count <= length else {
                throw SchemaFileError("constant \"\(text)\" does not fit char[\(length)]", at: node)
            }
            return .text(text)
        case .primitive(let primitive):
            guard let value = primitive.value(of: text) else {
                throw SchemaFileError("constant \"\(text)\" does not fit \(primitive.rawValue)", at: node)
            }
            return value
        default:
            throw SchemaFileError("a constant \(type.name) is not supported (only one value or characters)", at: node)
        }
    }

    /// The value of `valueRef="Enum.Value"` as a constant of `type`: the enum itself, or an integer or
    /// character type that holds the value.
    func constant(fromValueRef reference: String, type: FieldType, at node: Node) throws(SchemaFileError) -> FieldValue {
        let parts = reference.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, let enumSchema = try enumeration(named: parts[0], at: node) else {
            throw SchemaFileError("valueRef \"\(reference)\" names no enum", at: node)
        }
        guard let value = enumSchema.value(named: parts[1]) else {
            throw SchemaFileError("valueRef \"\(reference)\": \(enumSchema.name) has no value \(parts[1])", at: node)
        }
        switch type {
        case .enumeration(let fieldEnum) where fieldEnum.name == enumSchema.name:
            return .unsigned(value.value)
        case .primitive(let primitive) where primitive.isUnsignedInteger && value.value <= primitive.unsignedMax!:
            return .unsigned(value.value)
        case .primitive(let primitive) where primitive.isSigned && value.value <= UInt64(Int64.max >> (64 - primitive.size * 8)):
            return .signed(Int64(value.value))
        case .chars(1) where value.value < 0x80:
            return .text(String(UnicodeScalar(UInt8(value.value))))
        default:
            throw SchemaFileError("valueRef \"\(reference)\" (\(value.value)) does not fit the type \(type.name)", at: node)
        }
    }

    /// A nullValue, minValue or maxValue attribute read as `primitive`.
    private func value(of node: Node, _ key: String, _ primitive: Primitive) throws(SchemaFileError) -> FieldValue? {
        guard let text = node.attribute(key) else { return nil }
        guard let value = primitive.value(of: text) else {
            throw SchemaFileError("\(key) \"\(text)\" does not fit \(primitive.rawValue)", at: node)
        }
        return value
    }
}

// MARK: - enum and set

extension TypeResolver {
    /// An enum; the sidecar's default applies to a `declared` one (a member's name is no type name).
    private func enumType(_ node: Node, parentSince: Int, declared: Bool) throws(SchemaFileError) -> ResolvedType {
        let name = try node.required("name")
        let since = try context.since(of: node, parent: parentSince)
        let encoding = try encodingType(of: node) { $0.isUnsigned }
        var values: [EnumValue] = []
        var byName: [String: String] = [:]
        var byWire: [UInt64: String] = [:]
        for child in node.children {
            guard child.sbeName == "validValue" else {
                throw SchemaFileError("unsupported element \(child.qualifiedName) in an enum", at: child)
            }
            let valueName = try child.required("name")
            let text = child.trimmedText
            // A char enum's value is its character; the others' a decimal number.
            guard case .unsigned(let wire)? = encoding.primitive.value(of: text) else {
                throw SchemaFileError("value \"\(text)\" does not fit the encoding \(encoding.primitive.rawValue)", at: child)
            }
            if byName[valueName] != nil {
                throw SchemaFileError("duplicate name \"\(valueName)\"", at: child)
            }
            if let same = byWire[wire] {
                throw SchemaFileError("duplicate value \(text) (already \(same))", at: child)
            }
            (byName[valueName], byWire[wire]) = (valueName, valueName)
            values.append(
                EnumValue(
                    wire, valueName, since: try context.since(of: child, parent: since), deprecated: try context.deprecated(of: child)))
        }
        let enumSchema = EnumSchema(
            name, values, default: declared ? context.enumDefaults[name] : nil, encoding: encoding.primitive, nullValue: encoding.nullValue,
            since: since)
        return ResolvedType(
            type: .enumeration(enumSchema), presence: encoding.presence, semanticType: node.attribute("semanticType"), since: since,
            deprecated: try context.deprecated(of: node), size: encoding.primitive.size, node: node)
    }

    private func setType(_ node: Node, parentSince: Int) throws(SchemaFileError) -> ResolvedType {
        let name = try node.required("name")
        let since = try context.since(of: node, parent: parentSince)
        let encoding = try encodingType(of: node) { $0.isUnsignedInteger }
        let bits = encoding.primitive.size * 8
        var choices: [SetSchema.Choice] = []
        for child in node.children {
            guard child.sbeName == "choice" else {
                throw SchemaFileError("unsupported element \(child.qualifiedName) in a set", at: child)
            }
            let choiceName = try child.required("name")
            let text = child.trimmedText
            guard let bit = Int(text), (0..<bits).contains(bit) else {
                throw SchemaFileError("bit \"\(text)\" is not a bit of \(encoding.primitive.rawValue) (0 to \(bits - 1))", at: child)
            }
            if let same = choices.first(where: { $0.name == choiceName || $0.bit == bit }) {
                let what = same.name == choiceName ? "name \"\(choiceName)\"" : "bit \(bit)"
                throw SchemaFileError("duplicate \(what) (already \(same.name))", at: child)
            }
            choices.append(
                SetSchema.Choice(
                    choiceName, bit: bit, since: try context.since(of: child, parent: since), deprecated: try context.deprecated(of: child))
            )
        }
        return ResolvedType(
            type: .set(SetSchema(name, encoding: encoding.primitive, choices: choices, since: since)),
            semanticType: node.attribute("semanticType"), since: since, deprecated: try context.deprecated(of: node),
            size: encoding.primitive.size, node: node)
    }

    /// An enum's or set's `encodingType`: a primitive, or a declared one-value `type` of one
    /// (whose nullValue and presence an enum takes).
    private func encodingType(
        of node: Node, allowed: (Primitive) -> Bool
    ) throws(SchemaFileError) -> (primitive: Primitive, presence: Presence, nullValue: FieldValue?) {
        let name = try node.required("encodingType")
        let encoding = try resolve(named: name, at: node)
        guard let primitive = encoding.primitive, allowed(primitive), !encoding.presence.isConstant,
            encoding.type == .primitive(primitive) || encoding.type == .chars(1)
        else {
            throw SchemaFileError("encodingType \"\(name)\" is not a single \(allowed(.char) ? "char or " : "")unsigned integer", at: node)
        }
        return (primitive, encoding.presence, encoding.nullValue)
    }
}

// MARK: - composite

extension TypeResolver {
    /// A composite: members at explicit offsets (in any order, none overlapping another) or
    /// packed after the previous one; its size is the members' end.
    private func compositeType(_ node: Node, parentSince: Int) throws(SchemaFileError) -> ResolvedType {
        let name = try node.required("name")
        let since = try context.since(of: node, parent: parentSince)
        var members: [Member] = []
        var names: Set<String> = []
        for child in node.children {
            let member = try compositeMember(child, after: members.last, since: since)
            guard names.insert(member.name).inserted else {
                throw SchemaFileError("duplicate member name \"\(member.name)\"", at: child)
            }
            members.append(member)
        }
        members = try inOffsetOrder(members)
        let size = members.map(\.end).max() ?? 0
        guard size <= ReadLimits.typeSize else {
            throw SchemaFileError("the composite takes \(size) bytes, above the limit of \(ReadLimits.typeSize)", at: node)
        }
        var result = ResolvedType(
            semanticType: node.attribute("semanticType"), since: since, deprecated: try context.deprecated(of: node), size: size,
            members: members, node: node)
        var fields: [FieldSchema] = []
        for member in members {
            guard let type = member.resolved.type else { return result }  // var-data bytes: no field type
            fields.append(
                field(
                    member.name, type, at: member.offset, since: member.since, resolved: member.resolved,
                    presence: member.resolved.presence, deprecated: member.deprecated ?? member.resolved.deprecated))
        }
        result.type = .composite(CompositeSchema(name, members: fields, size: size, since: since))
        return result
    }

    /// The members sorted by offset, none overlapping another; of two that do, the one written
    /// later is named.
    private func inOffsetOrder(_ members: [Member]) throws(SchemaFileError) -> [Member] {
        let sorted = members.enumerated().sorted { ($0.element.offset, $0.offset) < ($1.element.offset, $1.offset) }
        var widest: (index: Int, member: Member)?
        for (index, member) in sorted where !member.bytes.isEmpty {
            if let (otherIndex, other) = widest, other.end > member.offset {
                let (later, earlier) = index > otherIndex ? (member, other) : (other, member)
                throw SchemaFileError(
                    "offset \(later.offset) overlaps \(earlier.name), which takes bytes \(earlier.offset) to \(earlier.end - 1)",
                    at: later.node)
            }
            if widest.map({ member.end > $0.member.end }) ?? true { widest = (index, member) }
        }
        return sorted.map(\.element)
    }

    /// One member of a composite: a `type`, `enum`, `set` or `composite` written in place, or a
    /// `ref` to a declared type; without `offset`, right after `previous`.
    private func compositeMember(_ node: Node, after previous: Member?, since: Int) throws(SchemaFileError) -> Member {
        guard let kind = node.sbeName, ["type", "enum", "set", "composite", "ref"].contains(kind) else {
            throw SchemaFileError("unsupported element \(node.qualifiedName) in a composite", at: node)
        }
        let name = try node.required("name")
        let resolved =
            kind == "ref"
            ? try resolve(named: try node.required("type"), at: node) : try declaration(node, parentSince: since, declared: false)
        return Member(
            name: name, offset: try node.integer("offset", in: 0...65535) ?? previous?.end ?? 0,
            since: try context.since(of: node, parent: since), deprecated: try context.deprecated(of: node), resolved: resolved,
            node: node)
    }

    /// A field of a message, group entry or composite of `resolved`'s type.
    func field(
        _ name: String, _ type: FieldType, at offset: Int, since: Int, widens: String? = nil, resolved: ResolvedType, presence: Presence,
        id: Int? = nil, deprecated: Int?, semanticType: String? = nil
    ) -> FieldSchema {
        FieldSchema(
            name, type, at: offset, since: since, widens: widens, presence: presence, nullValue: fieldValue(resolved.nullValue, type),
            minValue: fieldValue(resolved.minValue, type), maxValue: fieldValue(resolved.maxValue, type), id: id, deprecated: deprecated,
            semanticType: semanticType ?? resolved.semanticType, absentValue: context.absentValue(of: type, presence: presence))
    }

    /// A value as a field of `type` carries it: a character array's as text.
    private func fieldValue(_ value: FieldValue?, _ type: FieldType) -> FieldValue? {
        guard case .chars = type, case .unsigned(let byte)? = value else { return value }
        return .text(String(UnicodeScalar(UInt8(byte))))
    }
}
