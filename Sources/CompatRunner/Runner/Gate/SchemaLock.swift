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

/// The message header composite, as its slots (`u16@0`: type at offset).
public struct HeaderSnapshot: Sendable, Hashable {
    public var size: Int
    public var blockLength: String
    public var templateId: String
    public var schemaId: String
    public var version: String

    public init(size: Int, blockLength: String, templateId: String, schemaId: String, version: String) {
        self.size = size
        self.blockLength = blockLength
        self.templateId = templateId
        self.schemaId = schemaId
        self.version = version
    }

    public init(_ header: HeaderSchema) {
        self.init(
            size: header.size, blockLength: header.blockLength.snapshotText, templateId: header.templateId.snapshotText,
            schemaId: header.schemaId.snapshotText, version: header.version.snapshotText)
    }

    /// SBE's usual header, four uint16 (TGP's W2): not written to the lock.
    public static let standard = HeaderSnapshot(.standard)

    /// (key, value) in file order.
    var entries: [(String, JSON)] {
        [
            ("size", .integer(size)), ("blockLength", .string(blockLength)), ("templateId", .string(templateId)),
            ("schemaId", .string(schemaId)), ("version", .string(version)),
        ]
    }
}

/// fixtures/schema-lock.json: the schema of every released version, as data.
public struct SchemaLock: Sendable, Hashable {
    public static let fileName = "schema-lock.json"

    public var schemaId: Int
    public var limits: SchemaLimits
    /// `littleEndian` (the default, TGP's) or `bigEndian`: every multi-byte value of every version.
    public var byteOrder: String
    /// The message header every frame of every version starts with.
    public var header: HeaderSnapshot
    /// Released version → its snapshot.
    public var versions: [Int: SchemaSnapshot]

    public init(
        schemaId: Int, limits: SchemaLimits, versions: [Int: SchemaSnapshot], byteOrder: String = ByteOrder.littleEndian.rawValue,
        header: HeaderSnapshot = .standard
    ) {
        self.schemaId = schemaId
        self.limits = limits
        self.byteOrder = byteOrder
        self.header = header
        self.versions = versions
    }

    /// A lock of `schema` with an entry for each of `versions` (default: every version the schema defines).
    public init(schema: Schema, versions: [Int]? = nil) {
        schemaId = Int(schema.schemaId)
        limits = SchemaLimits(schema)
        byteOrder = schema.byteOrder.rawValue
        header = HeaderSnapshot(schema.header)
        var snapshots: [Int: SchemaSnapshot] = [:]
        for version in versions ?? schema.definedVersions {
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
        self = try LockReader(source: source).lock(json)
    }

    // MARK: Writing

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
