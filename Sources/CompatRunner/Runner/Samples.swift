// The sample and edge values of every message type, read from fixtures/samples.json.
// Data, not code: reviewers change a sample by editing that file.

import Foundation
import MiniJSON
import PeerContract
import TGP

public struct MessageSamples: Sendable {
    public let sample: Message
    /// Edge cases by name (`wide-quantity`), each the sample with some fields overridden, in file order.
    public let edges: [(name: String, message: Message)]

    public init(sample: Message, edges: [(name: String, message: Message)]) {
        self.sample = sample
        self.edges = edges
    }
}

public struct SampleBook: Sendable {
    public let path: String
    private let byType: [String: MessageSamples]

    public subscript(type: MessageSchema) -> MessageSamples { byType[type.name]! }

    /// Samples made rather than read (`SchemaSamples`): `path` says where they came from, and
    /// `samples` must hold every message type of the schema they are used with.
    public init(path: String, samples: [String: MessageSamples]) {
        self.path = path
        self.byType = samples
    }

    /// Reads the samples; every message type of the schema must have one (a missing one is an error, not a skip).
    public static func load(path: String, schema: Schema = .tgp) throws(ConfigError) -> SampleBook {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError("\(path): cannot read the samples file (use --fixtures DIR)")
        }
        do {
            return try SampleBook(json: try JSON.parse(Array(data)), path: path, schema: schema)
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError("\(path): \(error)")
        }
    }

    init(json: JSON, path: String, schema: Schema) throws(ConfigError) {
        func fail(_ key: String, _ problem: String) -> ConfigError { ConfigError("\(path): \(key): \(problem)") }
        guard let root = json.objectValue else { throw fail("(top level)", "must be an object of message types") }
        var byType: [String: MessageSamples] = [:]
        for key in root.keys where schema.message(named: key) == nil {
            throw fail(key, "not a message type of the schema")
        }
        for type in schema.messages {
            guard let entry = root[type.name]?.objectValue else { throw fail(type.name, "missing: every message type needs a sample") }
            for key in entry.keys where key != "sample" && key != "edges" {
                throw fail("\(type.name).\(key)", "unknown key (expected sample, edges)")
            }
            guard let sampleFields = entry["sample"]?.objectValue else {
                throw fail("\(type.name).sample", "missing: an object of field values")
            }
            func message(_ fields: JSONObject, key: String) throws(ConfigError) -> Message {
                do {
                    let expanded = try Self.expand(.object(fields), key: key)
                    return try Message(
                        json: .object(["type": .string(type.name), "fields": expanded]), schema: schema, knownAt: schema.latestVersion)
                } catch let error as ConfigError {
                    throw error
                } catch {
                    throw fail(key, "\(error)")
                }
            }
            let sample = try message(sampleFields, key: "\(type.name).sample")
            var edges: [(String, Message)] = []
            if let edgesJSON = entry["edges"] {
                guard let edgeObject = edgesJSON.objectValue else {
                    throw fail("\(type.name).edges", "must be an object of named edge cases")
                }
                for (edgeName, overrides) in edgeObject {
                    guard let overrideFields = overrides.objectValue else {
                        throw fail("\(type.name).edges.\(edgeName)", "must be an object of field values")
                    }
                    var fields = sampleFields
                    for (name, value) in overrideFields { fields[name] = value }
                    edges.append((edgeName, try message(fields, key: "\(type.name).edges.\(edgeName)")))
                }
            }
            byType[type.name] = MessageSamples(sample: sample, edges: edges)
        }
        self.path = path
        self.byType = byType
    }

    /// `{"$repeat": X, "count": N}` stands for X repeated N times: a string or an array.
    static func expand(_ json: JSON, key: String) throws(ConfigError) -> JSON {
        switch json {
        case .object(let object):
            if let pattern = object["$repeat"] {
                guard object.count == 2, let count = object["count"]?.intValue, (0...4096).contains(count) else {
                    throw ConfigError("\(key): $repeat needs exactly \"count\", an integer from 0 to 4096")
                }
                if let text = pattern.stringValue { return .string(String(repeating: text, count: count)) }
                let item = try expand(pattern, key: key)
                return .array(Array(repeating: item, count: count))
            }
            var result = JSONObject()
            for (name, value) in object { result[name] = try expand(value, key: "\(key).\(name)") }
            return .object(result)
        case .array(let items):
            var result: [JSON] = []
            for (index, item) in items.enumerated() { result.append(try expand(item, key: "\(key)[\(index)]")) }
            return .array(result)
        default:
            return json
        }
    }
}

extension SampleBook {
    /// The samples as samples.json holds them, in the schema's message order: each type's sample
    /// with every field, and each edge case with only the fields where it differs from the sample
    /// (what `load` reads back as the same messages).
    public func json(schema: Schema) -> JSON {
        let newest = schema.latestVersion
        var root = JSONObject()
        for type in schema.messages {
            let samples = self[type]
            let sampleFields = samples.sample.json(knownAt: newest)["fields"]?.objectValue ?? JSONObject()
            var entry: JSONObject = ["sample": .object(sampleFields)]
            var edges = JSONObject()
            for (name, message) in samples.edges {
                var overrides = JSONObject()
                for (field, value) in message.json(knownAt: newest)["fields"]?.objectValue ?? JSONObject()
                where sampleFields[field] != value {
                    overrides[field] = value
                }
                edges[name] = .object(overrides)
            }
            if !edges.isEmpty { entry["edges"] = .object(edges) }
            root[type.name] = .object(entry)
        }
        return .object(root)
    }
}
