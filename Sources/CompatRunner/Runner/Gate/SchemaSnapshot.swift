// Snapshots of a schema at one version: what that version puts on the wire (message types,
// layouts, var-data, the enum values it knows, its peer range). The lock (SchemaLock.swift)
// holds one per released version; the diff (SchemaDiff.swift) compares them.

import TGP

/// A root-block or group-entry field as a version puts it on the wire.
public struct FieldSnapshot: Sendable, Hashable {
    public var name: String
    /// `u8` … `i64`, `char8`, or the enum's name.
    public var type: String
    public var offset: Int
    public var size: Int
    public var since: Int
    /// The narrower field this one carries the full width of (the v4 quantity widening).
    public var widens: String?

    public init(name: String, type: String, offset: Int, size: Int, since: Int, widens: String? = nil) {
        self.name = name
        self.type = type
        self.offset = offset
        self.size = size
        self.since = since
        self.widens = widens
    }

    init(_ field: FieldSchema) {
        self.init(
            name: field.name, type: field.type.name, offset: field.offset, size: field.type.size,
            since: field.since, widens: field.widens)
    }
}

/// A repeating group at one version: its entry length and entry fields at that version.
public struct GroupSnapshot: Sendable, Hashable {
    public var name: String
    public var since: Int
    public var blockLength: Int
    public var fields: [FieldSnapshot]

    public init(name: String, since: Int, blockLength: Int, fields: [FieldSnapshot]) {
        self.name = name
        self.since = since
        self.blockLength = blockLength
        self.fields = fields
    }
}

public struct VarDataSnapshot: Sendable, Hashable {
    public var name: String
    public var since: Int

    public init(name: String, since: Int) {
        self.name = name
        self.since = since
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

public struct EnumValueSnapshot: Sendable, Hashable {
    public var value: Int
    public var name: String
    public var since: Int

    public init(value: Int, name: String, since: Int) {
        self.value = value
        self.name = name
        self.since = since
    }
}

/// An enum used at one version: the values that version knows and the default (R1).
public struct EnumSnapshot: Sendable, Hashable {
    public var name: String
    public var defaultValue: Int
    public var values: [EnumValueSnapshot]

    public init(name: String, defaultValue: Int, values: [EnumValueSnapshot]) {
        self.name = name
        self.defaultValue = defaultValue
        self.values = values
    }
}

/// What one released version puts on the wire.
public struct SchemaSnapshot: Sendable, Hashable {
    public var version: Int
    /// The versions a peer of this version negotiates.
    public var peerRange: ClosedRange<Int>
    /// Every message type with `since <= version`, in schema order.
    public var messages: [MessageSnapshot]
    /// The enums the fields of this version use, with the values known at this version.
    public var enums: [EnumSnapshot]

    public init(version: Int, peerRange: ClosedRange<Int>, messages: [MessageSnapshot], enums: [EnumSnapshot]) {
        self.version = version
        self.peerRange = peerRange
        self.messages = messages
        self.enums = enums
    }

    /// The snapshot of `schema` at `version`; nil if the schema has no peer of that version.
    public init?(_ schema: Schema, version: Int) {
        guard let range = schema.peerRanges[version] else { return nil }
        var usedEnums: [EnumSchema] = []
        func use(_ field: FieldSchema) -> FieldSnapshot {
            if case .enumeration(let enumSchema) = field.type, !usedEnums.contains(where: { $0.name == enumSchema.name }) {
                usedEnums.append(enumSchema)
            }
            return FieldSnapshot(field)
        }
        messages = schema.messages(knownAt: version).map { type in
            MessageSnapshot(
                name: type.name, templateId: Int(type.templateId), direction: type.direction.rawValue, since: type.since,
                blockLength: type.blockLength(at: version),
                fields: type.fields.filter { $0.since <= version }.map(use),
                groups: type.groups.filter { $0.since <= version }.map { group in
                    GroupSnapshot(
                        name: group.name, since: group.since, blockLength: group.blockLength(at: version),
                        fields: group.fields.filter { $0.since <= version }.map(use))
                },
                varData: type.varData.filter { $0.since <= version }.map { VarDataSnapshot(name: $0.name, since: $0.since) })
        }
        // Schema order for the enums the schema lists; any other after them, as first used.
        let listed = schema.enums.map(\.name)
        usedEnums = usedEnums.enumerated().sorted { a, b in
            let (ia, ib) = (
                listed.firstIndex(of: a.element.name) ?? listed.count + a.offset,
                listed.firstIndex(of: b.element.name) ?? listed.count + b.offset
            )
            return ia < ib
        }.map(\.element)
        enums = usedEnums.map { enumSchema in
            EnumSnapshot(
                name: enumSchema.name, defaultValue: Int(enumSchema.defaultValue),
                values: enumSchema.values.filter { $0.since <= version }.map {
                    EnumValueSnapshot(value: Int($0.value), name: $0.name, since: $0.since)
                })
        }
        self.version = version
        peerRange = range
    }

    public func message(named name: String) -> MessageSnapshot? { messages.first { $0.name == name } }
    public func enumeration(named name: String) -> EnumSnapshot? { enums.first { $0.name == name } }
}
