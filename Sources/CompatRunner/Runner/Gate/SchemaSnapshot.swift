// Snapshots of a schema at one version: what that version puts on the wire (message types,
// layouts, nested groups, var-data and their encodings, the enum values and set choices it
// knows, the composites it carries, its peer range). The lock (SchemaLock.swift) holds one per
// released version; the diff (VersionDiff.swift) compares them. Every attribute beyond TGP's
// original ones has a default (TGP's): the lock writes it only when it differs, so a TGP lock
// reads and writes as it always did.

import TGP

// MARK: - Fields and blocks

/// A root-block, group-entry or composite field as a version puts it on the wire.
public struct FieldSnapshot: Sendable, Hashable {
    public var name: String
    /// `u8` … `i64`, `f64`, `char8`, `u32[4]`, or the enum's, set's or composite's name.
    public var type: String
    public var offset: Int
    /// The type's size (a constant takes no bytes of the block, but its type keeps its size).
    public var size: Int
    public var since: Int
    /// The narrower field this one carries the full width of (the v4 quantity widening).
    public var widens: String?
    /// `required` (the default), `optional` or `constant`.
    public var presence: String
    /// A constant's value.
    public var value: String?
    /// An optional field's null value: the one the schema names, or its type's.
    public var nullValue: String?
    /// The least and greatest valid values, when the schema names them (else the type's).
    public var minValue: String?
    public var maxValue: String?

    public init(
        name: String, type: String, offset: Int, size: Int, since: Int, widens: String? = nil, presence: String = "required",
        value: String? = nil, nullValue: String? = nil, minValue: String? = nil, maxValue: String? = nil
    ) {
        self.name = name
        self.type = type
        self.offset = offset
        self.size = size
        self.since = since
        self.widens = widens
        self.presence = presence
        self.value = value
        self.nullValue = nullValue
        self.minValue = minValue
        self.maxValue = maxValue
    }

    init(_ field: FieldSchema) {
        var constant: String?
        if case .constant(let value) = field.presence { constant = SnapshotValue.text(value) }
        self.init(
            name: field.name, type: field.type.name, offset: field.offset, size: field.type.size,
            since: field.since, widens: field.widens, presence: field.presence.name, value: constant,
            nullValue: field.effectiveNullValue.map(SnapshotValue.text), minValue: field.minValue.map(SnapshotValue.text),
            maxValue: field.maxValue.map(SnapshotValue.text))
    }

    /// Takes no bytes of its block.
    var isConstant: Bool { presence == "constant" }
}

/// A group's dimension composite, as its slots (`u16@0`: type at offset).
public struct DimensionSnapshot: Sendable, Hashable {
    public var size: Int
    public var blockLength: String
    public var numInGroup: String
    public var maxEntries: Int

    public init(size: Int, blockLength: String, numInGroup: String, maxEntries: Int) {
        self.size = size
        self.blockLength = blockLength
        self.numInGroup = numInGroup
        self.maxEntries = maxEntries
    }

    init(_ dimension: DimensionSchema) {
        self.init(
            size: dimension.size, blockLength: dimension.blockLength.snapshotText, numInGroup: dimension.numInGroup.snapshotText,
            maxEntries: dimension.maxEntries)
    }

    /// Two uint16 (TGP's W4): not written to the lock.
    public static let standard = DimensionSnapshot(.standard)
}

/// A repeating group at one version: its entry length, entry fields, nested groups and var-data at that version.
public struct GroupSnapshot: Sendable, Hashable {
    public var name: String
    public var since: Int
    public var blockLength: Int
    public var fields: [FieldSnapshot]
    /// Nested groups, in wire order.
    public var groups: [GroupSnapshot]
    /// The entry's var-data, in wire order.
    public var varData: [VarDataSnapshot]
    public var dimension: DimensionSnapshot

    public init(
        name: String, since: Int, blockLength: Int, fields: [FieldSnapshot], groups: [GroupSnapshot] = [],
        varData: [VarDataSnapshot] = [], dimension: DimensionSnapshot = .standard
    ) {
        self.name = name
        self.since = since
        self.blockLength = blockLength
        self.fields = fields
        self.groups = groups
        self.varData = varData
        self.dimension = dimension
    }
}

public struct VarDataSnapshot: Sendable, Hashable {
    public var name: String
    public var since: Int
    /// The length's slot in the encoding composite (`u16@0`).
    public var length: String
    public var maxLength: Int
    /// Text in that encoding, or raw bytes when nil.
    public var characterEncoding: String?

    public init(
        name: String, since: Int, length: String = standardEncoding.length.snapshotText,
        maxLength: Int = standardEncoding.maxLength, characterEncoding: String? = standardEncoding.characterEncoding
    ) {
        self.name = name
        self.since = since
        self.length = length
        self.maxLength = maxLength
        self.characterEncoding = characterEncoding
    }

    init(_ varData: VarDataSchema) {
        let encoding = varData.encoding
        self.init(
            name: varData.name, since: varData.since, length: encoding.length.snapshotText, maxLength: encoding.maxLength,
            characterEncoding: encoding.characterEncoding)
    }

    /// The IR's default encoding (TGP's W1 string: a u16 length, at most 1024 bytes of UTF-8):
    /// its attributes are not written to the lock.
    public static let standardEncoding = VarDataSchema("").encoding

    /// The encoding's attributes, to compare and to name in a finding.
    var encodingText: String {
        "length \(length), at most \(maxLength) bytes, " + (characterEncoding.map { "text in \($0)" } ?? "binary")
    }
}

/// A message type as one version encodes it.
public struct MessageSnapshot: Sendable, Hashable {
    public var name: String
    public var templateId: Int
    /// `C→G`, `G→C` or `both`, as in the protocol's tables.
    public var direction: String
    public var since: Int
    /// The root block length at the snapshot's version.
    public var blockLength: Int
    public var fields: [FieldSnapshot]
    public var groups: [GroupSnapshot]
    /// In wire order.
    public var varData: [VarDataSnapshot]

    public init(
        name: String, templateId: Int, direction: String, since: Int, blockLength: Int,
        fields: [FieldSnapshot], groups: [GroupSnapshot], varData: [VarDataSnapshot]
    ) {
        self.name = name
        self.templateId = templateId
        self.direction = direction
        self.since = since
        self.blockLength = blockLength
        self.fields = fields
        self.groups = groups
        self.varData = varData
    }
}

// MARK: - Types

public struct EnumValueSnapshot: Sendable, Hashable {
    public var value: UInt64
    public var name: String
    public var since: Int

    public init(value: UInt64, name: String, since: Int) {
        self.value = value
        self.name = name
        self.since = since
    }
}

/// An enum used at one version: the values that version knows and the default (R1).
public struct EnumSnapshot: Sendable, Hashable {
    public var name: String
    public var defaultValue: UInt64
    public var values: [EnumValueSnapshot]
    /// `u8` (the default, TGP's), `char`, or another unsigned type.
    public var encoding: String

    public init(name: String, defaultValue: UInt64, values: [EnumValueSnapshot], encoding: String = Primitive.uint8.shortName) {
        self.name = name
        self.defaultValue = defaultValue
        self.values = values
        self.encoding = encoding
    }
}

public struct SetChoiceSnapshot: Sendable, Hashable {
    public var name: String
    public var bit: Int
    public var since: Int

    public init(name: String, bit: Int, since: Int) {
        self.name = name
        self.bit = bit
        self.since = since
    }
}

/// A set used at one version: the choices that version knows.
public struct SetSnapshot: Sendable, Hashable {
    public var name: String
    public var encoding: String
    public var choices: [SetChoiceSnapshot]

    public init(name: String, encoding: String, choices: [SetChoiceSnapshot]) {
        self.name = name
        self.encoding = encoding
        self.choices = choices
    }
}

/// A composite used at one version: its size and the members that version knows.
public struct CompositeSnapshot: Sendable, Hashable {
    public var name: String
    public var size: Int
    public var members: [FieldSnapshot]

    public init(name: String, size: Int, members: [FieldSnapshot]) {
        self.name = name
        self.size = size
        self.members = members
    }
}

// MARK: - A version

/// What one version puts on the wire.
public struct SchemaSnapshot: Sendable, Hashable {
    public var version: Int
    /// The versions a peer of this version negotiates (nil: the schema names no peers).
    public var peerRange: ClosedRange<Int>?
    /// Every message type with `since <= version`, in schema order.
    public var messages: [MessageSnapshot]
    /// The enums, sets and composites the fields of this version use, with the values, choices
    /// and members known at this version: the schema's order, then any other as first used.
    public var enums: [EnumSnapshot]
    public var sets: [SetSnapshot]
    public var composites: [CompositeSnapshot]

    public init(
        version: Int, peerRange: ClosedRange<Int>?, messages: [MessageSnapshot], enums: [EnumSnapshot], sets: [SetSnapshot] = [],
        composites: [CompositeSnapshot] = []
    ) {
        self.version = version
        self.peerRange = peerRange
        self.messages = messages
        self.enums = enums
        self.sets = sets
        self.composites = composites
    }

    /// The snapshot of `schema` at `version`; nil if the schema has no such version.
    public init?(_ schema: Schema, version: Int) {
        guard schema.definedVersions.contains(version) else { return nil }
        var types = UsedTypes(version: version)
        messages = schema.messages(knownAt: version).map { types.message($0) }
        self.version = version
        peerRange = schema.peerRanges[version]
        enums = types.enums(listed: schema.enums)
        sets = types.sets(listed: schema.sets)
        composites = types.composites(listed: schema.composites)
    }

    public func message(named name: String) -> MessageSnapshot? { messages.first { $0.name == name } }
    public func enumeration(named name: String) -> EnumSnapshot? { enums.first { $0.name == name } }
    public func set(named name: String) -> SetSnapshot? { sets.first { $0.name == name } }
    public func composite(named name: String) -> CompositeSnapshot? { composites.first { $0.name == name } }
}

/// Walks a version's messages into snapshots, collecting the enums, sets and composites their
/// fields use (a composite's members too).
private struct UsedTypes {
    let version: Int
    var enumSchemas: [EnumSchema] = []
    var setSchemas: [SetSchema] = []
    var compositeSchemas: [CompositeSchema] = []

    init(version: Int) {
        self.version = version
    }

    mutating func message(_ type: MessageSchema) -> MessageSnapshot {
        MessageSnapshot(
            name: type.name, templateId: Int(type.templateId), direction: type.direction.rawValue, since: type.since,
            blockLength: type.blockLength(at: version), fields: fields(type.fields), groups: groups(type.groups),
            varData: varData(type.varData))
    }

    mutating func groups(_ groups: [GroupSchema]) -> [GroupSnapshot] {
        groups.filter { $0.since <= version }.map { group in
            GroupSnapshot(
                name: group.name, since: group.since, blockLength: group.blockLength(at: version), fields: fields(group.fields),
                groups: self.groups(group.groups), varData: varData(group.varData), dimension: DimensionSnapshot(group.dimension))
        }
    }

    func varData(_ varData: [VarDataSchema]) -> [VarDataSnapshot] {
        varData.filter { $0.since <= version }.map(VarDataSnapshot.init)
    }

    mutating func fields(_ fields: [FieldSchema]) -> [FieldSnapshot] {
        fields.filter { $0.since <= version }.map { field in
            use(field.type)
            return FieldSnapshot(field)
        }
    }

    mutating func use(_ type: FieldType) {
        switch type {
        case .enumeration(let used) where !enumSchemas.contains { $0.name == used.name }: enumSchemas.append(used)
        case .set(let used) where !setSchemas.contains { $0.name == used.name }: setSchemas.append(used)
        case .composite(let used) where !compositeSchemas.contains { $0.name == used.name }:
            compositeSchemas.append(used)
            for member in used.members where member.since <= version { use(member.type) }
        default: break
        }
    }

    func enums(listed: [EnumSchema]) -> [EnumSnapshot] {
        inListOrder(enumSchemas, listed: listed.map(\.name), name: \.name).map { enumSchema in
            EnumSnapshot(
                name: enumSchema.name, defaultValue: enumSchema.defaultValue,
                values: enumSchema.values.filter { $0.since <= version }.map {
                    EnumValueSnapshot(value: $0.value, name: $0.name, since: $0.since)
                }, encoding: enumSchema.encoding.shortName)
        }
    }

    func sets(listed: [SetSchema]) -> [SetSnapshot] {
        inListOrder(setSchemas, listed: listed.map(\.name), name: \.name).map { setSchema in
            SetSnapshot(
                name: setSchema.name, encoding: setSchema.encoding.shortName,
                choices: setSchema.choices.filter { $0.since <= version }.map {
                    SetChoiceSnapshot(name: $0.name, bit: $0.bit, since: $0.since)
                })
        }
    }

    func composites(listed: [CompositeSchema]) -> [CompositeSnapshot] {
        inListOrder(compositeSchemas, listed: listed.map(\.name), name: \.name).map { composite in
            CompositeSnapshot(
                name: composite.name, size: composite.size,
                members: composite.members.filter { $0.since <= version }.map(FieldSnapshot.init))
        }
    }
}

/// `used` in the order of `listed` (the schema's declarations), any other after them as first used.
func inListOrder<T>(_ used: [T], listed: [String], name: (T) -> String) -> [T] {
    used.enumerated().sorted { a, b in
        (listed.firstIndex(of: name(a.element)) ?? listed.count + a.offset)
            < (listed.firstIndex(of: name(b.element)) ?? listed.count + b.offset)
    }.map(\.element)
}

// MARK: - Versions and values

extension Schema {
    /// The versions the schema defines, oldest first: the versions of its peers when it names
    /// them (TGP's profile), else every version from 0 to its `version` attribute (a plain SBE
    /// schema, whose sinceVersion counts from 0).
    public var definedVersions: [Int] { peerRanges.isEmpty ? Array(0...max(version, 0)) : versions }

    /// The versions released with this schema: those up to its `version` attribute.
    public var releasedVersions: [Int] { definedVersions.filter { $0 <= version } }
}

extension EncodedSlot {
    /// `u16@0`: the type at its offset, as the lock writes a slot.
    public var snapshotText: String { "\(type.shortName)@\(offset)" }
}

/// A value as the lock spells it (a constant, a null value, a range bound).
enum SnapshotValue {
    static func text(_ value: FieldValue) -> String {
        switch value {
        case .unsigned(let number): String(number)
        case .signed(let number): String(number)
        case .double(let number): number.isNaN ? "NaN" : String(number)
        case .text(let text): text
        case .bytes(let bytes): bytes.map { String($0, radix: 16) }.joined(separator: " ")
        case .array(let values): "[" + values.map(text).joined(separator: ", ") + "]"
        case .composite(let values): "{" + values.map(text).joined(separator: ", ") + "}"
        case .group(let entries): "\(entries.count) entries"
        case .null: "null"
        }
    }

    /// Orders two numbers as the lock spells them: -1, 0 or 1; nil when either is not a number.
    /// Integers compare exactly (64-bit bounds do not fit a Double).
    static func compare(_ a: String, _ b: String) -> Int? {
        if let x = Int128(a), let y = Int128(b) { return x < y ? -1 : x == y ? 0 : 1 }
        guard let x = Double(a), let y = Double(b), !x.isNaN, !y.isNaN else { return nil }
        return x < y ? -1 : x == y ? 0 : 1
    }

    /// The default valid range of a field's type, as text, when the type is numeric.
    static func defaultRange(ofType type: String) -> (min: String, max: String)? {
        let element = type.firstIndex(of: "[").map { String(type[..<$0]) } ?? type
        guard let primitive = Primitive.allCases.first(where: { $0.shortName == element }) else { return nil }
        return (text(primitive.minValue), text(primitive.maxValue))
    }
}
