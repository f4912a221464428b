// Writing the lock as JSON. An attribute at its default (TGP's: required fields, u8 enums,
// standard header, dimensions and var-data encodings, no sets, composites or nested groups)
// is left out, so a TGP lock is the same file it always was and a lock reads as it was written.

import MiniJSON
import TGP

extension SchemaLock {
    public var json: JSON {
        var root: JSONObject = [
            "about":
                "The schema of every released TGP version, one snapshot per version. Written by `compat schema lock` when a version is released; a released entry never changes (see `compat schema diff`).",
            "schemaId": .integer(schemaId),
        ]
        root["limits"] = .object(JSONObject(limits.entries.map { ($0.0, JSON.integer($0.1)) }))
        if byteOrder != ByteOrder.littleEndian.rawValue { root["byteOrder"] = .string(byteOrder) }
        if header != .standard { root["header"] = .object(JSONObject(header.entries)) }
        if let types = typesJSON { root["types"] = types }
        var versionsObject = JSONObject()
        for version in lockedVersions { versionsObject[String(version)] = versions[version]!.json }
        root["versions"] = .object(versionsObject)
        return .object(root)
    }

    /// Version → the sets and composites its fields use, for the versions that use any; nil if none does.
    /// They sit beside `versions`, whose entries TGP's lock has always spelled with messages and enums only.
    private var typesJSON: JSON? {
        var object = JSONObject()
        for version in lockedVersions {
            let snapshot = versions[version]!
            var entry = JSONObject()
            entry.setUnlessEmpty("sets", snapshot.sets.map(\.json))
            entry.setUnlessEmpty("composites", snapshot.composites.map(\.json))
            if !entry.isEmpty { object[String(version)] = .object(entry) }
        }
        return object.isEmpty ? nil : .object(object)
    }
}

extension JSONObject {
    fileprivate init(_ pairs: [(String, JSON)]) {
        self.init()
        for (key, value) in pairs { self[key] = value }
    }

    /// Sets `key` to the list, unless it is empty (the default).
    fileprivate mutating func setUnlessEmpty(_ key: String, _ list: [JSON]) {
        if !list.isEmpty { self[key] = .array(list) }
    }
}

extension SchemaSnapshot {
    var json: JSON {
        var object = JSONObject()
        if let peerRange { object["peerRange"] = [.integer(peerRange.lowerBound), .integer(peerRange.upperBound)] }
        object["messages"] = .array(messages.map(\.json))
        object["enums"] = .array(enums.map(\.json))
        return .object(object)
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
            "varData": .array(varData.map(\.json)),
        ])
    }
}

extension GroupSnapshot {
    var json: JSON {
        var object: JSONObject = [
            "name": .string(name), "since": .integer(since), "blockLength": .integer(blockLength),
            "fields": .array(fields.map(\.json)),
        ]
        object.setUnlessEmpty("groups", groups.map(\.json))
        object.setUnlessEmpty("varData", varData.map(\.json))
        if dimension != .standard { object["dimension"] = dimension.json }
        return .object(object)
    }
}

extension DimensionSnapshot {
    var json: JSON {
        .object([
            "size": .integer(size), "blockLength": .string(blockLength), "numInGroup": .string(numInGroup),
            "maxEntries": .integer(maxEntries),
        ])
    }
}

extension VarDataSnapshot {
    var json: JSON {
        var object: JSONObject = ["name": .string(name), "since": .integer(since)]
        let standard = Self.standardEncoding
        if length != standard.length.snapshotText { object["length"] = .string(length) }
        if maxLength != standard.maxLength { object["maxLength"] = .integer(maxLength) }
        if characterEncoding != standard.characterEncoding { object["characterEncoding"] = characterEncoding.map(JSON.string) ?? .null }
        return .object(object)
    }
}

extension FieldSnapshot {
    var json: JSON {
        var object: JSONObject = [
            "name": .string(name), "type": .string(type), "offset": .integer(offset),
            "size": .integer(size), "since": .integer(since),
        ]
        if let widens { object["widens"] = .string(widens) }
        if presence != Presence.required.name { object["presence"] = .string(presence) }
        for (key, value) in [("value", value), ("nullValue", nullValue), ("minValue", minValue), ("maxValue", maxValue)] {
            if let value { object[key] = .string(value) }
        }
        return .object(object)
    }
}

extension EnumSnapshot {
    var json: JSON {
        var object: JSONObject = ["name": .string(name)]
        if encoding != Primitive.uint8.shortName { object["encoding"] = .string(encoding) }
        object["default"] = .integer(defaultValue)
        object["values"] = .array(values.map { ["value": .integer($0.value), "name": .string($0.name), "since": .integer($0.since)] })
        return .object(object)
    }
}

extension SetSnapshot {
    var json: JSON {
        .object([
            "name": .string(name), "encoding": .string(encoding),
            "choices": .array(choices.map { ["name": .string($0.name), "bit": .integer($0.bit), "since": .integer($0.since)] }),
        ])
    }
}

extension CompositeSnapshot {
    var json: JSON {
        .object(["name": .string(name), "size": .integer(size), "members": .array(members.map(\.json))])
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
