// The released-schema lock, fixtures/schema-lock.json: for every released TGP version, a
// snapshot of what that version puts on the wire (message types, layouts, var-data, the
// enum values it knows, its peer range). `compat schema lock` writes an entry once, when a
// version is released; `compat schema diff` compares today's schema with the entries.
// Data reviewed in diffs: stable order, one field or value per line.

import Foundation
import MiniJSON
import TGP

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
