// The shape of a TGP schema: messages, fields with offsets and `since`, groups, var-data,
// enums and the version range of each released peer. The data itself is in TGPSchema.swift.

/// The type of a root-block, group-entry or composite field, resolved from the schema.
public enum FieldType: Sendable, Hashable {
    /// One value of a primitive type (never `char`: one character is `chars(1)`).
    case primitive(Primitive)
    /// `length` characters: text of up to `length` printable ASCII characters, 0x00-padded (W1).
    case chars(Int)
    /// A fixed array of `length` values of a primitive type other than `char`.
    case array(Primitive, Int)
    /// A value of the enum, encoded as its encoding type.
    case enumeration(EnumSchema)
    /// A bit set, encoded as its encoding type.
    case set(SetSchema)
    /// A composite: its members at their offsets.
    case composite(CompositeSchema)

    public static let u8 = FieldType.primitive(.uint8)
    public static let u16 = FieldType.primitive(.uint16)
    public static let u32 = FieldType.primitive(.uint32)
    public static let u64 = FieldType.primitive(.uint64)
    public static let i64 = FieldType.primitive(.int64)
    /// TGP's symbol type: 8 characters.
    public static let char8 = FieldType.chars(8)

    /// Bytes the field takes in its block (a constant field takes none: see `FieldSchema.wireSize`).
    public var size: Int {
        switch self {
        case .primitive(let primitive): primitive.size
        case .chars(let length): length
        case .array(let primitive, let length): primitive.size * length
        case .enumeration(let enumSchema): enumSchema.encoding.size
        case .set(let setSchema): setSchema.encoding.size
        case .composite(let composite): composite.size
        }
    }

    /// The largest unsigned value the wire type can carry (nil for signed, floating-point, text, arrays and composites).
    public var unsignedMax: UInt64? {
        switch self {
        case .primitive(let primitive): primitive.unsignedMax
        case .enumeration(let enumSchema): enumSchema.encoding.unsignedMax
        case .set(let setSchema): setSchema.encoding.unsignedMax
        case .chars, .array, .composite: nil
        }
    }

    /// The compact name used in the protocol's own tables and the schema lock (`u32`, `i8`,
    /// `f64`, `char8`, `u32[4]`, or the enum's, set's or composite's name).
    public var name: String {
        switch self {
        case .primitive(let primitive): primitive.shortName
        case .chars(let length): "char\(length)"
        case .array(let primitive, let length): "\(primitive.shortName)[\(length)]"
        case .enumeration(let enumSchema): enumSchema.name
        case .set(let setSchema): setSchema.name
        case .composite(let composite): composite.name
        }
    }

    /// R1's zero: 0, the empty string or the enum's default; a composite's members' zeros.
    public var zeroValue: FieldValue {
        switch self {
        case .primitive(let primitive): primitive.isSigned ? .signed(0) : primitive.isFloatingPoint ? .double(0) : .unsigned(0)
        case .chars: .text("")
        case .array(let primitive, let length):
            .array(Array(repeating: FieldType.primitive(primitive).zeroValue, count: length))
        case .enumeration(let enumSchema): .unsigned(enumSchema.defaultValue)
        case .set: .unsigned(0)
        case .composite(let composite): .composite(composite.members.map(\.defaultValue))
        }
    }
}

extension Primitive {
    /// `u8` … `u64`, `i8` … `i64`, `f32`, `f64`, `char`.
    public var shortName: String {
        switch self {
        case .char: "char"
        case .float: "f32"
        case .double: "f64"
        default: (isSigned ? "i" : "u") + String(size * 8)
        }
    }
}

/// A fixed field at a fixed offset of a root block, a group entry or a composite.
public struct FieldSchema: Sendable, Hashable {
    public let name: String
    public let type: FieldType
    public let offset: Int
    /// The version that added the field.
    public let since: Int
    /// For a field that carries the full width of an older, narrower one (the v4 quantity
    /// widening), the name of that narrower field.
    public let widens: String?
    public let presence: Presence
    /// For an optional field: the value that means "no value" (the type's SBE null when the schema names none).
    public let nullValue: FieldValue?
    /// The least and greatest valid values the schema names, if it names them.
    public let minValue: FieldValue?
    public let maxValue: FieldValue?
    /// The field's `id` attribute (its FIX tag), if the schema gives one.
    public let id: Int?
    /// The version that deprecated the field, if any.
    public let deprecated: Int?
    public let semanticType: String?
    /// R1: the value a receiver delivers when the field is absent from the frame's version.
    public let defaultValue: FieldValue

    /// `absentValue` overrides R1's value: by default a constant's value, else the type's zero.
    public init(
        _ name: String, _ type: FieldType, at offset: Int, since: Int = 1, widens: String? = nil, presence: Presence = .required,
        nullValue: FieldValue? = nil, minValue: FieldValue? = nil, maxValue: FieldValue? = nil, id: Int? = nil,
        deprecated: Int? = nil, semanticType: String? = nil, absentValue: FieldValue? = nil
    ) {
        self.name = name
        self.type = type
        self.offset = offset
        self.since = since
        self.widens = widens
        self.presence = presence
        self.nullValue = nullValue
        self.minValue = minValue
        self.maxValue = maxValue
        self.id = id
        self.deprecated = deprecated
        self.semanticType = semanticType
        if let absentValue {
            self.defaultValue = absentValue
        } else if case .constant(let value) = presence {
            self.defaultValue = value
        } else {
            self.defaultValue = type.zeroValue
        }
    }

    /// The same field with another `since` (and everything else as it is).
    public func with(since newSince: Int) -> FieldSchema {
        FieldSchema(
            name, type, at: offset, since: newSince, widens: widens, presence: presence, nullValue: nullValue, minValue: minValue,
            maxValue: maxValue, id: id, deprecated: deprecated, semanticType: semanticType, absentValue: defaultValue)
    }

    /// Bytes on the wire: none for a constant.
    public var wireSize: Int { presence.isConstant ? 0 : type.size }
    public var end: Int { offset + wireSize }
    public var isOptional: Bool { presence == .optional }
    /// The value an optional field carries to mean "no value".
    public var effectiveNullValue: FieldValue? {
        guard isOptional else { return nil }
        if let nullValue { return nullValue }
        switch type {
        case .primitive(let primitive), .array(let primitive, _): return primitive.nullValue
        case .enumeration(let enumSchema): return enumSchema.nullValue
        case .chars: return .text("")
        case .set, .composite: return nil
        }
    }
}

/// A repeating group: its dimension (entry `blockLength`, `numInGroup`), then the entries,
/// each a block of fields followed by its own nested groups and var-data.
public struct GroupSchema: Sendable, Hashable {
    public let name: String
    public let since: Int
    public let fields: [FieldSchema]
    public let groups: [GroupSchema]
    public let varData: [VarDataSchema]
    public let dimension: DimensionSchema
    /// The `blockLength` attribute, when the schema pads entries beyond their fields.
    public let blockLengthAttribute: Int?
    public let id: Int?
    public let deprecated: Int?

    public init(
        _ name: String, since: Int = 1, fields: [FieldSchema], groups: [GroupSchema] = [], varData: [VarDataSchema] = [],
        dimension: DimensionSchema = .standard, blockLength: Int? = nil, id: Int? = nil, deprecated: Int? = nil
    ) {
        self.name = name
        self.since = since
        self.fields = fields.sorted { $0.offset < $1.offset }
        self.groups = groups
        self.varData = varData
        self.dimension = dimension
        self.blockLengthAttribute = blockLength
        self.id = id
        self.deprecated = deprecated
    }

    /// The entry length a sender acting at `version` writes: its fields' end, or the
    /// `blockLength` attribute once every field is there.
    public func blockLength(at version: Int) -> Int {
        blockLengthOf(fields, attribute: blockLengthAttribute, at: version)
    }

    /// The fields, nested groups and var-data of an entry, in wire order: `.group` values'
    /// entries hold one value per logical field.
    public var logicalFields: [LogicalField] {
        fields.map { LogicalField(name: $0.name, since: $0.since, kind: .scalar($0, widenedBy: nil)) }
            + groups.map { LogicalField(name: $0.name, since: $0.since, kind: .group($0)) }
            + varData.map { LogicalField(name: $0.name, since: $0.since, kind: .varData($0)) }
    }

    /// The same group with every element's `since` raised to at least `floor`.
    func lifted(to floor: Int) -> GroupSchema {
        let groupSince = max(since, floor)
        return GroupSchema(
            name, since: groupSince, fields: fields.map { $0.with(since: max($0.since, groupSince)) },
            groups: groups.map { $0.lifted(to: groupSince) }, varData: varData.map { $0.lifted(to: groupSince) },
            dimension: dimension, blockLength: blockLengthAttribute, id: id, deprecated: deprecated)
    }
}

/// The block length of `fields` at `version`: their end, or `attribute` once all of them are there.
func blockLengthOf(_ fields: [FieldSchema], attribute: Int?, at version: Int) -> Int {
    let present = fields.lazy.filter { $0.since <= version }.map(\.end).max() ?? 0
    guard let attribute, fields.allSatisfy({ $0.since <= version }) else { return present }
    return max(present, attribute)
}

/// A var-data field: a length, then that many bytes, after the groups.
public struct VarDataSchema: Sendable, Hashable {
    public let name: String
    public let since: Int
    public let encoding: VarDataEncoding
    public let id: Int?
    public let deprecated: Int?

    public init(
        _ name: String, since: Int = 1, encoding: VarDataEncoding = .standard(maxLength: 1024), id: Int? = nil, deprecated: Int? = nil
    ) {
        self.name = name
        self.since = since
        self.encoding = encoding
        self.id = id
        self.deprecated = deprecated
    }

    func lifted(to floor: Int) -> VarDataSchema {
        VarDataSchema(name, since: max(since, floor), encoding: encoding, id: id, deprecated: deprecated)
    }

    /// R1: the empty string, or no bytes for binary data.
    public var defaultValue: FieldValue { encoding.isText ? .text("") : .bytes([]) }
}

/// Which side sends a message.
public enum Direction: String, Sendable, Hashable, CaseIterable {
    case clientToGateway = "C→G"
    case gatewayToClient = "G→C"
    case both

    public func isSent(by role: Role) -> Bool {
        switch self {
        case .both: true
        case .clientToGateway: role == .client
        case .gatewayToClient: role == .gateway
        }
    }
}

/// The two roles a peer plays.
public enum Role: String, Sendable, Hashable, CaseIterable {
    case client, gateway
}

/// One value of an enum and the version that added it.
public struct EnumValue: Sendable, Hashable {
    /// The wire value (a `char` encoding's byte value).
    public let value: UInt64
    public let name: String
    public let since: Int
    public let deprecated: Int?

    public init(_ value: UInt64, _ name: String, since: Int = 1, deprecated: Int? = nil) {
        self.value = value
        self.name = name
        self.since = since
        self.deprecated = deprecated
    }
}

public struct EnumSchema: Sendable, Hashable {
    public let name: String
    /// uint8 (TGP's), char, or another unsigned integer type.
    public let encoding: Primitive
    public let values: [EnumValue]
    /// R1: the value of an absent field; the first value listed unless the table names one.
    public let defaultValue: UInt64
    /// The encoding's null value, carried by an optional enum field that has no value.
    public let nullValue: FieldValue
    public let since: Int

    public init(
        _ name: String, _ values: [EnumValue], default defaultName: String? = nil, encoding: Primitive = .uint8,
        nullValue: FieldValue? = nil, since: Int = 0
    ) {
        self.name = name
        self.encoding = encoding
        self.values = values
        self.defaultValue = values.first { $0.name == defaultName }?.value ?? values.first?.value ?? 0
        self.nullValue = nullValue ?? encoding.nullValue
        self.since = since
    }

    public func value(_ wire: UInt64) -> EnumValue? { values.first { $0.value == wire } }
    public func value(named name: String) -> EnumValue? { values.first { $0.name == name } }
}

/// A field of a message as an application sees it: a root field (the widened quantity
/// is one logical u64), a group, or a var-data field. `Message.values` follow this order.
public struct LogicalField: Sendable, Hashable {
    /// Boxed: a copy of a field (made for every field a message's JSON or values walk) costs
    /// one reference count, not one for each part of the schemas inside.
    public indirect enum Kind: Sendable, Hashable {
        /// A root field; `widenedBy` is the wider field that carries it from that field's version on.
        case scalar(FieldSchema, widenedBy: FieldSchema?)
        case group(GroupSchema)
        case varData(VarDataSchema)
    }

    public let name: String
    public let since: Int
    public let kind: Kind
}

public struct MessageSchema: Sendable {
    /// Everything about the type, shared by every copy: a message carries its type, so copying
    /// one costs a single reference count, and the codec's layouts are built once per type.
    final class Storage: Sendable {
        let templateId: UInt16
        let name: String
        let direction: Direction
        let since: Int
        let fields: [FieldSchema]
        let groups: [GroupSchema]
        let varData: [VarDataSchema]
        let logicalFields: [LogicalField]
        /// What the XML says of the type beyond its layout.
        let attributes: MessageAttributes
        /// R1: the value of each logical field when it is absent, in `logicalFields` order.
        let defaultValues: [FieldValue]
        /// Where every field sits and how it travels, for each version the type has.
        let layouts: MessageLayouts

        init(
            templateId: UInt16, name: String, direction: Direction, since: Int, fields: [FieldSchema],
            groups: [GroupSchema], varData: [VarDataSchema], logicalFields: [LogicalField], attributes: MessageAttributes
        ) {
            self.templateId = templateId
            self.name = name
            self.direction = direction
            self.since = since
            self.fields = fields
            self.groups = groups
            self.varData = varData
            self.logicalFields = logicalFields
            self.attributes = attributes
            self.defaultValues = logicalFields.map(\.defaultValue)
            self.layouts = MessageLayouts(
                since: since, fields: fields, groups: groups, varData: varData,
                logicalFields: logicalFields, defaultValues: defaultValues, blockLength: attributes.blockLength)
        }
    }

    let storage: Storage

    public var templateId: UInt16 { storage.templateId }
    public var name: String { storage.name }
    public var direction: Direction { storage.direction }
    public var since: Int { storage.since }
    /// Root-block fields in offset order.
    public var fields: [FieldSchema] { storage.fields }
    public var groups: [GroupSchema] { storage.groups }
    /// Var-data fields in wire order.
    public var varData: [VarDataSchema] { storage.varData }
    /// The fields an application reads and writes, in wire order.
    public var logicalFields: [LogicalField] { storage.logicalFields }

    /// Fields, groups and var-data listed with a `since` below the message's take the message's own.
    public init(
        _ templateId: UInt16, _ name: String, _ direction: Direction, since: Int,
        fields: [FieldSchema] = [], groups: [GroupSchema] = [], varData: [VarDataSchema] = [],
        attributes: MessageAttributes = MessageAttributes()
    ) {
        let fields = fields.map { $0.with(since: max($0.since, since)) }.sorted { $0.offset < $1.offset }
        let groups = groups.map { $0.lifted(to: since) }
        let varData = varData.map { $0.lifted(to: since) }

        let wideners = Dictionary(uniqueKeysWithValues: fields.compactMap { f in f.widens.map { ($0, f) } })
        let logicalFields =
            fields.filter { $0.widens == nil }.map {
                LogicalField(name: $0.name, since: $0.since, kind: .scalar($0, widenedBy: wideners[$0.name]))
            }
            + groups.map { LogicalField(name: $0.name, since: $0.since, kind: .group($0)) }
            + varData.map { LogicalField(name: $0.name, since: $0.since, kind: .varData($0)) }
        storage = Storage(
            templateId: templateId, name: name, direction: direction, since: since, fields: fields,
            groups: groups, varData: varData, logicalFields: logicalFields, attributes: attributes)
    }

    public var attributes: MessageAttributes { storage.attributes }

    /// The root block length a sender acting at `version` writes: its fields' end, or the
    /// `blockLength` attribute once every field is there.
    public func blockLength(at version: Int) -> Int {
        blockLengthOf(fields, attribute: attributes.blockLength, at: version)
    }

    public func logicalFieldIndex(named name: String) -> Int? {
        logicalFields.firstIndex { $0.name == name }
    }

    public func rootField(named name: String) -> FieldSchema? {
        fields.first { $0.name == name }
    }

    /// The codec's layout of the type at `version`, which must be at least `since`.
    @inline(__always)
    func layout(at version: Int) -> VersionLayout { storage.layouts.layout(at: version) }
}

extension MessageSchema: Hashable {
    /// Equal when declared alike; the logical fields and layouts follow from the declaration.
    public static func == (lhs: MessageSchema, rhs: MessageSchema) -> Bool {
        lhs.storage === rhs.storage
            || (lhs.templateId == rhs.templateId && lhs.name == rhs.name && lhs.direction == rhs.direction
                && lhs.since == rhs.since && lhs.fields == rhs.fields && lhs.groups == rhs.groups && lhs.varData == rhs.varData
                && lhs.attributes == rhs.attributes)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(templateId)
        hasher.combine(name)
        hasher.combine(direction)
        hasher.combine(since)
        hasher.combine(fields)
        hasher.combine(groups)
        hasher.combine(varData)
        hasher.combine(attributes)
    }
}

/// What a message element says beyond its fields.
public struct MessageAttributes: Sendable, Hashable {
    /// The `blockLength` attribute, when the schema pads the root block beyond its fields.
    public var blockLength: Int?
    public var semanticType: String?
    public var deprecated: Int?
    public var description: String?

    public init(blockLength: Int? = nil, semanticType: String? = nil, deprecated: Int? = nil, description: String? = nil) {
        self.blockLength = blockLength
        self.semanticType = semanticType
        self.deprecated = deprecated
        self.description = description
    }
}

/// A whole protocol: every message and enum of every version, and what each released peer supports.
public struct Schema: Sendable, Hashable {
    public let schemaId: UInt16
    public let messages: [MessageSchema]
    public let enums: [EnumSchema]
    /// The sets and composites the schema declares, by name, in declaration order.
    public let sets: [SetSchema]
    public let composites: [CompositeSchema]
    /// The `package`, `version`, `semanticVersion`, `byteOrder` and `description` of the messageSchema element.
    public let package: String
    /// The schema's own `version` attribute: the newest version it describes.
    public let version: Int
    public let semanticVersion: String?
    public let byteOrder: ByteOrder
    public let description: String?
    /// The message header composite every frame starts with.
    public let header: HeaderSchema
    /// Released peer version → the versions it can negotiate.
    public let peerRanges: [Int: ClosedRange<Int>]
    public let maxFrameSize: Int
    public let maxVarDataLength: Int
    public let maxGroupEntries: Int
    /// `messages` index by template id (-1: no such type), so a decoder finds a type without a search.
    private let messageIndexByTemplate: [Int]
    /// The keys of `peerRanges`, oldest first.
    private let releasedVersions: [Int]
    /// Bit n set when version n (below 64) is released: the encoder asks on every message.
    private let releasedVersionBits: UInt64

    public init(
        schemaId: UInt16, messages: [MessageSchema], enums: [EnumSchema], peerRanges: [Int: ClosedRange<Int>],
        maxFrameSize: Int, maxVarDataLength: Int, maxGroupEntries: Int, sets: [SetSchema] = [], composites: [CompositeSchema] = [],
        package: String = "", version: Int? = nil, semanticVersion: String? = nil, byteOrder: ByteOrder = .littleEndian,
        description: String? = nil, header: HeaderSchema = .standard
    ) {
        self.schemaId = schemaId
        self.messages = messages
        self.enums = enums
        self.sets = sets
        self.composites = composites
        self.package = package
        self.version = version ?? peerRanges.keys.max() ?? 0
        self.semanticVersion = semanticVersion
        self.byteOrder = byteOrder
        self.description = description
        self.header = header
        self.peerRanges = peerRanges
        self.maxFrameSize = maxFrameSize
        self.maxVarDataLength = maxVarDataLength
        self.maxGroupEntries = maxGroupEntries
        var indexByTemplate = [Int](repeating: -1, count: Int(messages.map(\.templateId).max() ?? 0) + 1)
        for (index, message) in messages.enumerated().reversed() { indexByTemplate[Int(message.templateId)] = index }
        self.messageIndexByTemplate = indexByTemplate
        self.releasedVersions = peerRanges.keys.sorted()
        self.releasedVersionBits = releasedVersions.filter { (0..<64).contains($0) }.reduce(0) { $0 | 1 << UInt64($1) }
    }

    /// Whether `version` is one of the released versions (a key of `peerRanges`), without hashing.
    @inline(__always)
    func isVersion(_ version: Int) -> Bool {
        (0..<64).contains(version) ? releasedVersionBits & 1 << UInt64(version) != 0 : releasedVersions.contains(version)
    }

    /// Every released version, oldest first.
    public var versions: [Int] { releasedVersions }
    public var latestVersion: Int { peerRanges.keys.max() ?? 0 }

    public func message(templateId: UInt16) -> MessageSchema? {
        messageIndex(templateId: templateId).map { messages[$0] }
    }

    /// The index in `messages` of the type with `templateId`.
    func messageIndex(templateId: UInt16) -> Int? {
        let slot = Int(templateId)
        guard slot < messageIndexByTemplate.count, messageIndexByTemplate[slot] >= 0 else { return nil }
        return messageIndexByTemplate[slot]
    }
    public func message(named name: String) -> MessageSchema? { messages.first { $0.name == name } }
    public func enumeration(named name: String) -> EnumSchema? { enums.first { $0.name == name } }

    /// The message types a peer whose newest version is `version` knows.
    public func messages(knownAt version: Int) -> [MessageSchema] { messages.filter { $0.since <= version } }
}
