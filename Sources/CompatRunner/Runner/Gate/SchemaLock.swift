// The released-schema lock, fixtures/schema-lock.json: for every released TGP version, a
// snapshot of what that version puts on the wire (message types, layouts, var-data, the
// enum values it knows, its peer range). `compat schema lock` writes an entry once, when a
// version is released; `compat schema diff` compares today's schema with the entries.
// Data reviewed in diffs: stable order, one field or value per line.

import Foundation
import MiniJSON
import TGP

// MARK: - Snapshots

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

// MARK: - The lock

/// The protocol-wide limits every version shares.
public struct SchemaLimits: Sendable, Hashable {
    public var maxFrameSize: Int
    public var maxVarDataLength: Int
    public var maxGroupEntries: Int

    public init(maxFrameSize: Int, maxVarDataLength: Int, maxGroupEntries: Int) {
        self.maxFrameSize = maxFrameSize
        self.maxVarDataLength = maxVarDataLength
        self.maxGroupEntries = maxGroupEntries
    }

    public init(_ schema: Schema) {
        self.init(
            maxFrameSize: schema.maxFrameSize, maxVarDataLength: schema.maxVarDataLength,
            maxGroupEntries: schema.maxGroupEntries)
    }

    /// (key, value) in file order.
    var entries: [(String, Int)] {
        [("maxFrameSize", maxFrameSize), ("maxVarDataLength", maxVarDataLength), ("maxGroupEntries", maxGroupEntries)]
    }
}

/// fixtures/schema-lock.json: the schema of every released version, as data.
public struct SchemaLock: Sendable, Hashable {
    public static let fileName = "schema-lock.json"

    public var schemaId: Int
    public var limits: SchemaLimits
    /// Released version → its snapshot.
    public var versions: [Int: SchemaSnapshot]

    public init(schemaId: Int, limits: SchemaLimits, versions: [Int: SchemaSnapshot]) {
        self.schemaId = schemaId
        self.limits = limits
        self.versions = versions
    }

    /// A lock of `schema` with an entry for each of `versions` (default: every version of the schema).
    public init(schema: Schema, versions: [Int]? = nil) {
        schemaId = Int(schema.schemaId)
        limits = SchemaLimits(schema)
        var snapshots: [Int: SchemaSnapshot] = [:]
        for version in versions ?? schema.versions {
            if let snapshot = SchemaSnapshot(schema, version: version) { snapshots[version] = snapshot }
        }
        self.versions = snapshots
    }

    /// The locked versions, oldest first.
    public var lockedVersions: [Int] { versions.keys.sorted() }

    // MARK: Reading

    /// Reads a lock file strictly: unknown or missing keys and wrong types are errors naming the key.
    public static func load(path: String) throws(ConfigError) -> SchemaLock {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError("\(path): cannot read the schema lock (write it with `compat schema lock`, or use --fixtures DIR)")
        }
        return try parse(data: Array(data), source: path)
    }

    /// Parses lock text; `source` names it in errors (a path, or `REF:fixtures/schema-lock.json`).
    public static func parse(data: [UInt8], source: String) throws(ConfigError) -> SchemaLock {
        let json: JSON
        do {
            json = try JSON.parse(data)
        } catch {
            throw ConfigError("\(source): \(error)")
        }
        return try SchemaLock(json: json, source: source)
    }

    public init(json: JSON, source: String) throws(ConfigError) {
        let reader = LockReader(source: source)
        let root = try reader.object(json, "(top level)", required: ["schemaId", "limits", "versions"], optional: ["about"])
        if let about = root["about"], about.stringValue == nil { throw reader.fail("about", "must be a string") }
        schemaId = try reader.int(root["schemaId"]!, "schemaId", min: 0)
        let limitsObject = try reader.object(
            root["limits"]!, "limits",
            required: ["maxFrameSize", "maxVarDataLength", "maxGroupEntries"])
        limits = SchemaLimits(
            maxFrameSize: try reader.int(limitsObject["maxFrameSize"]!, "limits.maxFrameSize", min: 0),
            maxVarDataLength: try reader.int(limitsObject["maxVarDataLength"]!, "limits.maxVarDataLength", min: 0),
            maxGroupEntries: try reader.int(limitsObject["maxGroupEntries"]!, "limits.maxGroupEntries", min: 0))
        guard let versionsObject = root["versions"]!.objectValue else {
            throw reader.fail("versions", "must be an object of version number → snapshot")
        }
        var snapshots: [Int: SchemaSnapshot] = [:]
        for (key, value) in versionsObject {
            guard let version = Int(key), version >= 1, String(version) == key else {
                throw reader.fail("versions.\(key)", "not a version number (1, 2, …)")
            }
            snapshots[version] = try reader.snapshot(value, version: version, "versions.\(key)")
        }
        versions = snapshots
    }

    // MARK: Writing

    public var json: JSON {
        var root: JSONObject = [
            "about":
                "The schema of every released TGP version, one snapshot per version. Written by `compat schema lock` when a version is released; a released entry never changes (see `compat schema diff`).",
            "schemaId": .integer(schemaId),
        ]
        root["limits"] = .object(JSONObject(limits.entries.map { ($0.0, JSON.integer($0.1)) }))
        var versionsObject = JSONObject()
        for version in lockedVersions { versionsObject[String(version)] = versions[version]!.json }
        root["versions"] = .object(versionsObject)
        return .object(root)
    }

    /// The file's text: pretty, one field, value or var-data per line, with a final newline.
    public var rendered: String { SchemaLockText.render(json, level: 0) + "\n" }

    public func write(to path: String) throws(ConfigError) {
        do {
            try rendered.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw ConfigError("\(path): cannot write the schema lock: \(error.localizedDescription)")
        }
    }
}

extension JSONObject {
    fileprivate init(_ pairs: [(String, JSON)]) {
        self.init()
        for (key, value) in pairs { self[key] = value }
    }
}

extension SchemaSnapshot {
    var json: JSON {
        .object([
            "peerRange": [.integer(peerRange.lowerBound), .integer(peerRange.upperBound)],
            "messages": .array(messages.map(\.json)),
            "enums": .array(enums.map(\.json)),
        ])
    }
}

extension MessageSnapshot {
    var json: JSON {
        .object([
            "name": .string(name),
            "templateId": .integer(templateId),
            "direction": .string(direction),
            "since": .integer(since),
            "blockLength": .integer(blockLength),
            "fields": .array(fields.map(\.json)),
            "groups": .array(groups.map(\.json)),
            "varData": .array(varData.map { ["name": .string($0.name), "since": .integer($0.since)] }),
        ])
    }
}

extension GroupSnapshot {
    var json: JSON {
        .object([
            "name": .string(name), "since": .integer(since), "blockLength": .integer(blockLength),
            "fields": .array(fields.map(\.json)),
        ])
    }
}

extension FieldSnapshot {
    var json: JSON {
        var object: JSONObject = [
            "name": .string(name), "type": .string(type), "offset": .integer(offset),
            "size": .integer(size), "since": .integer(since),
        ]
        if let widens { object["widens"] = .string(widens) }
        return .object(object)
    }
}

extension EnumSnapshot {
    var json: JSON {
        .object([
            "name": .string(name), "default": .integer(defaultValue),
            "values": .array(values.map { ["value": .integer($0.value), "name": .string($0.name), "since": .integer($0.since)] }),
        ])
    }
}

/// Pretty JSON where a container holding only scalars sits on one line (`{"name": "side", …}`,
/// `[1, 3]`), so each field, enum value and var-data field is one line of the file.
enum SchemaLockText {
    static func render(_ value: JSON, level: Int) -> String {
        switch value {
        case .array(let elements):
            if elements.isEmpty { return "[]" }
            if elements.allSatisfy(isScalar) { return "[" + elements.map(\.serialized).joined(separator: ", ") + "]" }
            let indent = String(repeating: "  ", count: level + 1)
            return "[\n" + elements.map { indent + render($0, level: level + 1) }.joined(separator: ",\n")
                + "\n" + String(repeating: "  ", count: level) + "]"
        case .object(let object):
            if object.isEmpty { return "{}" }
            if object.values.allSatisfy(isScalar) {
                return "{" + object.map { JSON.string($0.key).serialized + ": " + $0.value.serialized }.joined(separator: ", ") + "}"
            }
            let indent = String(repeating: "  ", count: level + 1)
            return "{\n"
                + object.map { indent + JSON.string($0.key).serialized + ": " + render($0.value, level: level + 1) }
                .joined(separator: ",\n") + "\n" + String(repeating: "  ", count: level) + "}"
        default:
            return value.serialized
        }
    }

    static func isScalar(_ value: JSON) -> Bool {
        switch value {
        case .array(let elements): elements.isEmpty
        case .object(let object): object.isEmpty
        default: true
        }
    }
}

// MARK: - Strict reading

/// Reads the lock's JSON; every error names the file and the key path.
private struct LockReader {
    let source: String

    func fail(_ key: String, _ problem: String) -> ConfigError { ConfigError("\(source): \(key): \(problem)") }

    func object(_ json: JSON, _ key: String, required: [String], optional: [String] = []) throws(ConfigError) -> JSONObject {
        guard let object = json.objectValue else { throw fail(key, "must be an object, got \(json.typeName)") }
        let prefix = key == "(top level)" ? "" : key + "."
        for name in object.keys where !required.contains(name) && !optional.contains(name) {
            throw fail(prefix + name, "unknown key (expected \((required + optional).joined(separator: ", ")))")
        }
        for name in required where object[name] == nil { throw fail(prefix + name, "missing") }
        return object
    }

    func int(_ json: JSON, _ key: String, min: Int = 1) throws(ConfigError) -> Int {
        guard let value = json.intValue, value >= min else {
            throw fail(key, "must be an integer of at least \(min), got \(json.serialized)")
        }
        return value
    }

    func string(_ json: JSON, _ key: String) throws(ConfigError) -> String {
        guard let value = json.stringValue, !value.isEmpty else { throw fail(key, "must be a non-empty string, got \(json.serialized)") }
        return value
    }

    func array(_ json: JSON, _ key: String) throws(ConfigError) -> [JSON] {
        guard let value = json.arrayValue else { throw fail(key, "must be an array, got \(json.typeName)") }
        return value
    }

    /// Names must be unique within a list.
    func unique(_ names: [String], _ key: String) throws(ConfigError) {
        var seen: Set<String> = []
        for (index, name) in names.enumerated() where !seen.insert(name).inserted {
            throw fail("\(key)[\(index)].name", "\"\(name)\" is listed twice")
        }
    }

    func snapshot(_ json: JSON, version: Int, _ key: String) throws(ConfigError) -> SchemaSnapshot {
        let object = try self.object(json, key, required: ["peerRange", "messages", "enums"])
        let range = try array(object["peerRange"]!, "\(key).peerRange")
        guard range.count == 2, let low = range[0].intValue, let high = range[1].intValue, 1 <= low, low <= high else {
            throw fail("\(key).peerRange", "must be [min, max] with 1 <= min <= max, got \(object["peerRange"]!.serialized)")
        }
        var messages: [MessageSnapshot] = []
        for (index, item) in try array(object["messages"]!, "\(key).messages").enumerated() {
            messages.append(try message(item, "\(key).messages[\(index)]"))
        }
        try unique(messages.map(\.name), "\(key).messages")
        var ids: Set<Int> = []
        for (index, message) in messages.enumerated() where !ids.insert(message.templateId).inserted {
            throw fail("\(key).messages[\(index)].templateId", "\(message.templateId) is used twice")
        }
        var enums: [EnumSnapshot] = []
        for (index, item) in try array(object["enums"]!, "\(key).enums").enumerated() {
            enums.append(try enumeration(item, "\(key).enums[\(index)]"))
        }
        try unique(enums.map(\.name), "\(key).enums")
        return SchemaSnapshot(version: version, peerRange: low...high, messages: messages, enums: enums)
    }

    func message(_ json: JSON, _ key: String) throws(ConfigError) -> MessageSnapshot {
        let object = try self.object(
            json, key, required: ["name", "templateId", "direction", "since", "blockLength", "fields", "groups", "varData"])
        var fields: [FieldSnapshot] = []
        for (index, item) in try array(object["fields"]!, "\(key).fields").enumerated() {
            fields.append(try field(item, "\(key).fields[\(index)]"))
        }
        try unique(fields.map(\.name), "\(key).fields")
        var groups: [GroupSnapshot] = []
        for (index, item) in try array(object["groups"]!, "\(key).groups").enumerated() {
            let groupKey = "\(key).groups[\(index)]"
            let groupObject = try self.object(item, groupKey, required: ["name", "since", "blockLength", "fields"])
            var entryFields: [FieldSnapshot] = []
            for (fieldIndex, fieldItem) in try array(groupObject["fields"]!, "\(groupKey).fields").enumerated() {
                entryFields.append(try field(fieldItem, "\(groupKey).fields[\(fieldIndex)]"))
            }
            try unique(entryFields.map(\.name), "\(groupKey).fields")
            groups.append(
                GroupSnapshot(
                    name: try string(groupObject["name"]!, "\(groupKey).name"),
                    since: try int(groupObject["since"]!, "\(groupKey).since"),
                    blockLength: try int(groupObject["blockLength"]!, "\(groupKey).blockLength", min: 0),
                    fields: entryFields))
        }
        try unique(groups.map(\.name), "\(key).groups")
        var varData: [VarDataSnapshot] = []
        for (index, item) in try array(object["varData"]!, "\(key).varData").enumerated() {
            let varKey = "\(key).varData[\(index)]"
            let varObject = try self.object(item, varKey, required: ["name", "since"])
            varData.append(
                VarDataSnapshot(
                    name: try string(varObject["name"]!, "\(varKey).name"),
                    since: try int(varObject["since"]!, "\(varKey).since")))
        }
        try unique(varData.map(\.name), "\(key).varData")
        let templateId = try int(object["templateId"]!, "\(key).templateId", min: 0)
        guard templateId <= Int(UInt16.max) else { throw fail("\(key).templateId", "must fit in a u16, got \(templateId)") }
        return MessageSnapshot(
            name: try string(object["name"]!, "\(key).name"), templateId: templateId,
            direction: try string(object["direction"]!, "\(key).direction"), since: try int(object["since"]!, "\(key).since"),
            blockLength: try int(object["blockLength"]!, "\(key).blockLength", min: 0),
            fields: fields, groups: groups, varData: varData)
    }

    func field(_ json: JSON, _ key: String) throws(ConfigError) -> FieldSnapshot {
        let object = try self.object(json, key, required: ["name", "type", "offset", "size", "since"], optional: ["widens"])
        return FieldSnapshot(
            name: try string(object["name"]!, "\(key).name"), type: try string(object["type"]!, "\(key).type"),
            offset: try int(object["offset"]!, "\(key).offset", min: 0), size: try int(object["size"]!, "\(key).size"),
            since: try int(object["since"]!, "\(key).since"),
            widens: try object["widens"].map { json throws(ConfigError) in try string(json, "\(key).widens") })
    }

    func enumeration(_ json: JSON, _ key: String) throws(ConfigError) -> EnumSnapshot {
        let object = try self.object(json, key, required: ["name", "default", "values"])
        var values: [EnumValueSnapshot] = []
        for (index, item) in try array(object["values"]!, "\(key).values").enumerated() {
            let valueKey = "\(key).values[\(index)]"
            let valueObject = try self.object(item, valueKey, required: ["value", "name", "since"])
            let value = try int(valueObject["value"]!, "\(valueKey).value", min: 0)
            guard value <= 255 else { throw fail("\(valueKey).value", "must fit in a u8, got \(value)") }
            values.append(
                EnumValueSnapshot(
                    value: value, name: try string(valueObject["name"]!, "\(valueKey).name"),
                    since: try int(valueObject["since"]!, "\(valueKey).since")))
        }
        try unique(values.map(\.name), "\(key).values")
        var seen: Set<Int> = []
        for (index, value) in values.enumerated() where !seen.insert(value.value).inserted {
            throw fail("\(key).values[\(index)].value", "\(value.value) is used twice")
        }
        return EnumSnapshot(
            name: try string(object["name"]!, "\(key).name"),
            defaultValue: try int(object["default"]!, "\(key).default", min: 0), values: values)
    }
}

// MARK: - Baselines

/// The lock a diff compares with: the fixtures' file, another file, or the file at a git ref.
public enum SchemaBaseline {
    /// Reads the baseline: nil is `FIXTURES/schema-lock.json`; an existing file is read as is;
    /// anything else is a git ref, read with `git show REF:./schema-lock.json` in the fixtures
    /// folder (its path in the repository at that ref). Returns the lock and how to name it.
    public static func load(_ baseline: String?, fixtures: String) throws(ConfigError) -> (lock: SchemaLock, description: String) {
        let defaultPath = fixtures + "/" + SchemaLock.fileName
        guard let baseline else { return (try SchemaLock.load(path: defaultPath), defaultPath) }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: baseline, isDirectory: &isDirectory), !isDirectory.boolValue {
            return (try SchemaLock.load(path: baseline), baseline)
        }
        guard !baseline.isEmpty, !baseline.hasPrefix("-"), !baseline.contains(":"), !baseline.contains(where: \.isWhitespace) else {
            throw ConfigError("--baseline \(baseline): not a lock file, nor a git ref")
        }
        let source = "\(baseline):\(relativeToRepository(fixtures) ?? fixtures)/\(SchemaLock.fileName)"
        let text = try gitShow("\(baseline):./\(SchemaLock.fileName)", in: fixtures, baseline: baseline)
        return (try SchemaLock.parse(data: text, source: source), "\(source) (git ref \(baseline))")
    }

    /// `git show SPEC` in `folder`: its output, or an error naming the baseline.
    static func gitShow(_ spec: String, in folder: String, baseline: String) throws(ConfigError) -> [UInt8] {
        let result = runGit(["show", spec], in: folder)
        guard let result, result.termination == .exited(0) else {
            let why = result.map { $0.stderr.trimmingCharacters(in: .whitespacesAndNewlines) } ?? "cannot run git"
            throw ConfigError(
                "--baseline \(baseline): not a lock file, and no \(SchemaLock.fileName) in the fixtures folder at git ref \(baseline) (git: \(why))"
            )
        }
        return result.stdout
    }

    /// The fixtures folder's path inside its git repository (`fixtures`), if git knows it.
    static func relativeToRepository(_ folder: String) -> String? {
        guard let result = runGit(["rev-parse", "--show-prefix"], in: folder), result.termination == .exited(0) else { return nil }
        var prefix = String(decoding: result.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if prefix.hasSuffix("/") { prefix.removeLast() }
        return prefix.isEmpty ? "." : prefix
    }

    /// Runs git read-only in `folder`, through the runner's spawner (killed with the rest on an
    /// interrupt); nil if it cannot start.
    static func runGit(_ arguments: [String], in folder: String) -> CompletedProcess? {
        try? PeerProcess.run(["git", "-C", folder] + arguments)
    }
}
