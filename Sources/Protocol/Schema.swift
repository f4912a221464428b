// The shape of a TGP schema: messages, fields with offsets and `since`, groups, var-data,
// enums and the version range of each released peer. The data itself is in TGPSchema.swift.

/// The wire type of a root-block or group-entry field.
public enum FieldType: Sendable, Hashable {
    case u8, u16, u32, u64, i64
    /// 8 bytes of printable ASCII (0x20...0x7E), right-padded with 0x00.
    case char8
    /// A `u8` whose values are those of the enum.
    case enumeration(EnumSchema)

    /// Bytes the field takes in its block.
    public var size: Int {
        switch self {
        case .u8, .enumeration: 1
        case .u16: 2
        case .u32: 4
        case .u64, .i64, .char8: 8
        }
    }

    /// The largest unsigned value the wire type can carry (nil for signed and text types).
    public var unsignedMax: UInt64? {
        switch self {
        case .u8, .enumeration: UInt64(UInt8.max)
        case .u16: UInt64(UInt16.max)
        case .u32: UInt64(UInt32.max)
        case .u64: UInt64.max
        case .i64, .char8: nil
        }
    }

    /// The name used in the protocol's own tables (`u32`, `char8`, `Side`).
    public var name: String {
        switch self {
        case .u8: "u8"
        case .u16: "u16"
        case .u32: "u32"
        case .u64: "u64"
        case .i64: "i64"
        case .char8: "char8"
        case .enumeration(let enumSchema): enumSchema.name
        }
    }
}

/// A fixed field at a fixed offset of a root block or group entry.
public struct FieldSchema: Sendable, Hashable {
    public let name: String
    public let type: FieldType
    public let offset: Int
    /// The version that added the field.
    public let since: Int
    /// For a field that carries the full width of an older, narrower one (the v4 quantity
    /// widening), the name of that narrower field.
    public let widens: String?

    public init(_ name: String, _ type: FieldType, at offset: Int, since: Int = 1, widens: String? = nil) {
        self.name = name
        self.type = type
        self.offset = offset
        self.since = since
        self.widens = widens
    }

    public var end: Int { offset + type.size }
}

/// A repeating group: `u16 blockLength`, `u16 numInGroup`, then the entries.
public struct GroupSchema: Sendable, Hashable {
    public let name: String
    public let since: Int
    public let fields: [FieldSchema]

    public init(_ name: String, since: Int = 1, fields: [FieldSchema]) {
        self.name = name
        self.since = since
        self.fields = fields
    }

    /// The entry length a sender acting at `version` writes.
    public func blockLength(at version: Int) -> Int {
        fields.lazy.filter { $0.since <= version }.map(\.end).max() ?? 0
    }
}

/// A var-data field: `u16` length and that many UTF-8 bytes, after the groups.
public struct VarDataSchema: Sendable, Hashable {
    public let name: String
    public let since: Int

    public init(_ name: String, since: Int = 1) {
        self.name = name
        self.since = since
    }
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
    public let value: UInt8
    public let name: String
    public let since: Int

    public init(_ value: UInt8, _ name: String, since: Int = 1) {
        self.value = value
        self.name = name
        self.since = since
    }
}

public struct EnumSchema: Sendable, Hashable {
    public let name: String
    public let values: [EnumValue]
    /// R1: the value of an absent field; the first value listed unless the table names one.
    public let defaultValue: UInt8

    public init(_ name: String, _ values: [EnumValue], default defaultName: String? = nil) {
        self.name = name
        self.values = values
        self.defaultValue = values.first { $0.name == defaultName }?.value ?? values[0].value
    }

    public func value(_ wire: UInt8) -> EnumValue? { values.first { $0.value == wire } }
    public func value(named name: String) -> EnumValue? { values.first { $0.name == name } }
}

/// A field of a message as an application sees it: a root field (the widened quantity
/// is one logical u64), a group, or a var-data field. `Message.values` follow this order.
public struct LogicalField: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
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
        /// R1: the value of each logical field when it is absent, in `logicalFields` order.
        let defaultValues: [FieldValue]
        /// Where every field sits and how it travels, for each version the type has.
        let layouts: MessageLayouts

        init(
            templateId: UInt16, name: String, direction: Direction, since: Int, fields: [FieldSchema],
            groups: [GroupSchema], varData: [VarDataSchema], logicalFields: [LogicalField]
        ) {
            self.templateId = templateId
            self.name = name
            self.direction = direction
            self.since = since
            self.fields = fields
            self.groups = groups
            self.varData = varData
            self.logicalFields = logicalFields
            self.defaultValues = logicalFields.map(\.defaultValue)
            self.layouts = MessageLayouts(
                since: since, fields: fields, groups: groups, varData: varData,
                logicalFields: logicalFields, defaultValues: defaultValues)
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

    /// Fields, groups and var-data listed without a `since` take the message's own.
    public init(
        _ templateId: UInt16, _ name: String, _ direction: Direction, since: Int,
        fields: [FieldSchema] = [], groups: [GroupSchema] = [], varData: [VarDataSchema] = []
    ) {
        func lift(_ field: FieldSchema, to floor: Int) -> FieldSchema {
            FieldSchema(field.name, field.type, at: field.offset, since: max(field.since, floor), widens: field.widens)
        }
        let fields = fields.map { lift($0, to: since) }.sorted { $0.offset < $1.offset }
        let groups = groups.map { group in
            let groupSince = max(group.since, since)
            return GroupSchema(group.name, since: groupSince, fields: group.fields.map { lift($0, to: groupSince) })
        }
        let varData = varData.map { VarDataSchema($0.name, since: max($0.since, since)) }

        let wideners = Dictionary(uniqueKeysWithValues: fields.compactMap { f in f.widens.map { ($0, f) } })
        let logicalFields =
            fields.filter { $0.widens == nil }.map {
                LogicalField(name: $0.name, since: $0.since, kind: .scalar($0, widenedBy: wideners[$0.name]))
            }
            + groups.map { LogicalField(name: $0.name, since: $0.since, kind: .group($0)) }
            + varData.map { LogicalField(name: $0.name, since: $0.since, kind: .varData($0)) }
        storage = Storage(
            templateId: templateId, name: name, direction: direction, since: since, fields: fields,
            groups: groups, varData: varData, logicalFields: logicalFields)
    }

    /// The root block length a sender acting at `version` writes.
    public func blockLength(at version: Int) -> Int {
        fields.lazy.filter { $0.since <= version }.map(\.end).max() ?? 0
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
                && lhs.since == rhs.since && lhs.fields == rhs.fields && lhs.groups == rhs.groups && lhs.varData == rhs.varData)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(templateId)
        hasher.combine(name)
        hasher.combine(direction)
        hasher.combine(since)
        hasher.combine(fields)
        hasher.combine(groups)
        hasher.combine(varData)
    }
}

/// A whole protocol: every message and enum of every version, and what each released peer supports.
public struct Schema: Sendable, Hashable {
    public let schemaId: UInt16
    public let messages: [MessageSchema]
    public let enums: [EnumSchema]
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
        maxFrameSize: Int, maxVarDataLength: Int, maxGroupEntries: Int
    ) {
        self.schemaId = schemaId
        self.messages = messages
        self.enums = enums
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
