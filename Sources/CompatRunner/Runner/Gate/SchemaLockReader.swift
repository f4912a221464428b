// Reading fixtures/schema-lock.json strictly: unknown or missing keys and wrong types are
// errors naming the file and the key path. A key the writer leaves out at its default
// (SchemaLockJSON.swift) reads as that default.

import MiniJSON
import TGP

struct LockReader {
    let source: String

    func fail(_ key: String, _ problem: String) -> ConfigError { ConfigError("\(source): \(key): \(problem)") }

    /// The object at `key`, whose keys are all in `keys` (listed in that order in the error) and
    /// include every key not in `optional`.
    func object(_ json: JSON, _ key: String, keys: [String], optional: Set<String> = []) throws(ConfigError) -> JSONObject {
        guard let object = json.objectValue else { throw fail(key, "must be an object, got \(json.typeName)") }
        let prefix = key == "(top level)" ? "" : key + "."
        for name in object.keys where !keys.contains(name) {
            throw fail(prefix + name, "unknown key (expected \(keys.joined(separator: ", ")))")
        }
        for name in keys where !optional.contains(name) && object[name] == nil { throw fail(prefix + name, "missing") }
        return object
    }

    func int(_ json: JSON, _ key: String, min: Int = 1) throws(ConfigError) -> Int {
        guard let value = json.intValue, value >= min else {
            throw fail(key, "must be an integer of at least \(min), got \(json.serialized)")
        }
        return value
    }

    /// A `since` (SBE counts versions from 0).
    func since(_ json: JSON, _ key: String) throws(ConfigError) -> Int { try int(json, key, min: 0) }

    func string(_ json: JSON, _ key: String) throws(ConfigError) -> String {
        guard let value = json.stringValue, !value.isEmpty else { throw fail(key, "must be a non-empty string, got \(json.serialized)") }
        return value
    }

    /// A string that may be empty (a value: a constant's text may be "").
    func text(_ json: JSON, _ key: String) throws(ConfigError) -> String {
        guard let value = json.stringValue else { throw fail(key, "must be a string, got \(json.serialized)") }
        return value
    }

    func array(_ json: JSON, _ key: String) throws(ConfigError) -> [JSON] {
        guard let value = json.arrayValue else { throw fail(key, "must be an array, got \(json.typeName)") }
        return value
    }

    /// Each element of the array at `object[name]` read by `read`, the key naming its index.
    func list<T>(_ object: JSONObject, _ name: String, _ key: String, _ read: (JSON, String) throws(ConfigError) -> T) throws(ConfigError)
        -> [T]
    {
        guard let json = object[name] else { return [] }
        var items: [T] = []
        for (index, item) in try array(json, "\(key).\(name)").enumerated() { items.append(try read(item, "\(key).\(name)[\(index)]")) }
        return items
    }

    /// Names must be unique within a list.
    func unique(_ names: [String], _ key: String) throws(ConfigError) {
        var seen: Set<String> = []
        for (index, name) in names.enumerated() where !seen.insert(name).inserted {
            throw fail("\(key)[\(index)].name", "\"\(name)\" is listed twice")
        }
    }

    // MARK: The lock

    func lock(_ json: JSON) throws(ConfigError) -> SchemaLock {
        let root = try object(
            json, "(top level)", keys: ["about", "schemaId", "limits", "byteOrder", "header", "types", "versions"],
            optional: ["about", "byteOrder", "header", "types"])
        if let about = root["about"], about.stringValue == nil { throw fail("about", "must be a string") }
        let schemaId = try int(root["schemaId"]!, "schemaId", min: 0)
        let limits = try self.limits(root["limits"]!)
        guard let versionsObject = root["versions"]!.objectValue else {
            throw fail("versions", "must be an object of version number → snapshot")
        }
        let types = try typesByVersion(root["types"], versions: versionsObject.keys)
        var snapshots: [Int: SchemaSnapshot] = [:]
        for (key, value) in versionsObject {
            guard let version = Int(key), version >= 0, String(version) == key else {
                throw fail("versions.\(key)", "not a version number (1, 2, …)")
            }
            var snapshot = try self.snapshot(value, version: version, "versions.\(key)")
            (snapshot.sets, snapshot.composites) = types[key] ?? ([], [])
            snapshots[version] = snapshot
        }
        return SchemaLock(
            schemaId: schemaId, limits: limits, versions: snapshots,
            byteOrder: try root["byteOrder"].map { json throws(ConfigError) in try byteOrder(json) } ?? ByteOrder.littleEndian.rawValue,
            header: try root["header"].map { json throws(ConfigError) in try header(json) } ?? .standard)
    }

    func limits(_ json: JSON) throws(ConfigError) -> SchemaLimits {
        let object = try self.object(json, "limits", keys: ["maxFrameSize", "maxVarDataLength", "maxGroupEntries"])
        return SchemaLimits(
            maxFrameSize: try int(object["maxFrameSize"]!, "limits.maxFrameSize", min: 0),
            maxVarDataLength: try int(object["maxVarDataLength"]!, "limits.maxVarDataLength", min: 0),
            maxGroupEntries: try int(object["maxGroupEntries"]!, "limits.maxGroupEntries", min: 0))
    }

    func byteOrder(_ json: JSON) throws(ConfigError) -> String {
        let value = try string(json, "byteOrder")
        guard ByteOrder(rawValue: value) != nil else {
            throw fail("byteOrder", "must be littleEndian or bigEndian, got \(json.serialized)")
        }
        return value
    }

    func header(_ json: JSON) throws(ConfigError) -> HeaderSnapshot {
        let object = try self.object(json, "header", keys: ["size", "blockLength", "templateId", "schemaId", "version"])
        func slot(_ name: String) throws(ConfigError) -> String { try self.slot(object[name]!, "header.\(name)") }
        return HeaderSnapshot(
            size: try int(object["size"]!, "header.size"), blockLength: try slot("blockLength"), templateId: try slot("templateId"),
            schemaId: try slot("schemaId"), version: try slot("version"))
    }

    /// `u16@0`: an unsigned type at an offset.
    func slot(_ json: JSON, _ key: String) throws(ConfigError) -> String {
        let text = try string(json, key)
        let parts = text.split(separator: "@")
        guard parts.count == 2, Primitive.allCases.contains(where: { $0.shortName == parts[0] }), Int(parts[1]).map({ $0 >= 0 }) == true
        else { throw fail(key, "must be TYPE@OFFSET, e.g. u16@0, got \(json.serialized)") }
        return text
    }

    // MARK: A version

    func snapshot(_ json: JSON, version: Int, _ key: String) throws(ConfigError) -> SchemaSnapshot {
        let object = try self.object(json, key, keys: ["peerRange", "messages", "enums"], optional: ["peerRange"])
        let messages = try list(object, "messages", key, message)
        try unique(messages.map(\.name), "\(key).messages")
        var ids: Set<Int> = []
        for (index, message) in messages.enumerated() where !ids.insert(message.templateId).inserted {
            throw fail("\(key).messages[\(index)].templateId", "\(message.templateId) is used twice")
        }
        let enums = try list(object, "enums", key, enumeration)
        try unique(enums.map(\.name), "\(key).enums")
        return SchemaSnapshot(
            version: version, peerRange: try object["peerRange"].map { json throws(ConfigError) in try peerRange(json, key) },
            messages: messages, enums: enums)
    }

    func peerRange(_ json: JSON, _ key: String) throws(ConfigError) -> ClosedRange<Int> {
        let range = try array(json, "\(key).peerRange")
        guard range.count == 2, let low = range[0].intValue, let high = range[1].intValue, 0 <= low, low <= high else {
            throw fail("\(key).peerRange", "must be [min, max] with 0 <= min <= max, got \(json.serialized)")
        }
        return low...high
    }

    func message(_ json: JSON, _ key: String) throws(ConfigError) -> MessageSnapshot {
        let object = try self.object(
            json, key, keys: ["name", "templateId", "direction", "since", "blockLength", "fields", "groups", "varData"])
        let (fields, groups, varData) = try blockParts(object, key)
        let templateId = try int(object["templateId"]!, "\(key).templateId", min: 0)
        guard templateId <= Int(UInt16.max) else { throw fail("\(key).templateId", "must fit in a u16, got \(templateId)") }
        return MessageSnapshot(
            name: try string(object["name"]!, "\(key).name"), templateId: templateId,
            direction: try string(object["direction"]!, "\(key).direction"), since: try since(object["since"]!, "\(key).since"),
            blockLength: try int(object["blockLength"]!, "\(key).blockLength", min: 0),
            fields: fields, groups: groups, varData: varData)
    }

    /// The fields, groups and var-data of a message or a group entry, each list's names unique.
    func blockParts(_ object: JSONObject, _ key: String) throws(ConfigError) -> ([FieldSnapshot], [GroupSnapshot], [VarDataSnapshot]) {
        let fields = try list(object, "fields", key, field)
        try unique(fields.map(\.name), "\(key).fields")
        let groups = try list(object, "groups", key, group)
        try unique(groups.map(\.name), "\(key).groups")
        let varData = try list(object, "varData", key, varData)
        try unique(varData.map(\.name), "\(key).varData")
        return (fields, groups, varData)
    }

    func group(_ json: JSON, _ key: String) throws(ConfigError) -> GroupSnapshot {
        let object = try self.object(
            json, key, keys: ["name", "since", "blockLength", "fields", "groups", "varData", "dimension"],
            optional: ["groups", "varData", "dimension"])
        let (fields, groups, varData) = try blockParts(object, key)
        return GroupSnapshot(
            name: try string(object["name"]!, "\(key).name"), since: try since(object["since"]!, "\(key).since"),
            blockLength: try int(object["blockLength"]!, "\(key).blockLength", min: 0), fields: fields, groups: groups,
            varData: varData,
            dimension: try object["dimension"].map { json throws(ConfigError) in try dimension(json, "\(key).dimension") }
                ?? .standard)
    }

    func dimension(_ json: JSON, _ key: String) throws(ConfigError) -> DimensionSnapshot {
        let object = try self.object(json, key, keys: ["size", "blockLength", "numInGroup", "maxEntries"])
        return DimensionSnapshot(
            size: try int(object["size"]!, "\(key).size"), blockLength: try slot(object["blockLength"]!, "\(key).blockLength"),
            numInGroup: try slot(object["numInGroup"]!, "\(key).numInGroup"),
            maxEntries: try int(object["maxEntries"]!, "\(key).maxEntries", min: 0))
    }

    func varData(_ json: JSON, _ key: String) throws(ConfigError) -> VarDataSnapshot {
        let object = try self.object(
            json, key, keys: ["name", "since", "length", "maxLength", "characterEncoding"],
            optional: ["length", "maxLength", "characterEncoding"])
        let standard = VarDataSnapshot.standardEncoding
        var encoding = standard.characterEncoding
        if let json = object["characterEncoding"] { encoding = json.isNull ? nil : try string(json, "\(key).characterEncoding") }
        return VarDataSnapshot(
            name: try string(object["name"]!, "\(key).name"), since: try since(object["since"]!, "\(key).since"),
            length: try object["length"].map { json throws(ConfigError) in try slot(json, "\(key).length") }
                ?? standard.length.snapshotText,
            maxLength: try object["maxLength"].map { json throws(ConfigError) in try int(json, "\(key).maxLength", min: 0) }
                ?? standard.maxLength,
            characterEncoding: encoding)
    }

    func field(_ json: JSON, _ key: String) throws(ConfigError) -> FieldSnapshot {
        let valueKeys = ["value", "nullValue", "minValue", "maxValue"]
        let object = try self.object(
            json, key, keys: ["name", "type", "offset", "size", "since", "widens", "presence"] + valueKeys,
            optional: Set(["widens", "presence"] + valueKeys))
        func value(_ name: String) throws(ConfigError) -> String? {
            try object[name].map { json throws(ConfigError) in try text(json, "\(key).\(name)") }
        }
        let presence = try object["presence"].map { json throws(ConfigError) in try string(json, "\(key).presence") } ?? "required"
        guard ["required", "optional", "constant"].contains(presence) else {
            throw fail("\(key).presence", "must be required, optional or constant, got \(presence)")
        }
        return FieldSnapshot(
            name: try string(object["name"]!, "\(key).name"), type: try string(object["type"]!, "\(key).type"),
            offset: try int(object["offset"]!, "\(key).offset", min: 0), size: try int(object["size"]!, "\(key).size"),
            since: try since(object["since"]!, "\(key).since"),
            widens: try object["widens"].map { json throws(ConfigError) in try string(json, "\(key).widens") }, presence: presence,
            value: try value("value"), nullValue: try value("nullValue"), minValue: try value("minValue"), maxValue: try value("maxValue"))
    }

    // MARK: Types

    func enumeration(_ json: JSON, _ key: String) throws(ConfigError) -> EnumSnapshot {
        let object = try self.object(json, key, keys: ["name", "encoding", "default", "values"], optional: ["encoding"])
        let encoding = try object["encoding"].map { json throws(ConfigError) in try primitive(json, "\(key).encoding") } ?? .uint8
        let values = try list(object, "values", key) { (item, valueKey) throws(ConfigError) in
            let valueObject = try self.object(item, valueKey, keys: ["value", "name", "since"])
            guard let value = valueObject["value"]!.uint64Value, value <= encoding.unsignedMax ?? UInt64.max else {
                throw fail("\(valueKey).value", "must fit in a \(encoding.shortName), got \(valueObject["value"]!.serialized)")
            }
            return EnumValueSnapshot(
                value: value, name: try string(valueObject["name"]!, "\(valueKey).name"),
                since: try since(valueObject["since"]!, "\(valueKey).since"))
        }
        try unique(values.map(\.name), "\(key).values")
        var seen: Set<UInt64> = []
        for (index, value) in values.enumerated() where !seen.insert(value.value).inserted {
            throw fail("\(key).values[\(index)].value", "\(value.value) is used twice")
        }
        guard let defaultValue = object["default"]!.uint64Value else {
            throw fail("\(key).default", "must be an integer of at least 0, got \(object["default"]!.serialized)")
        }
        return EnumSnapshot(
            name: try string(object["name"]!, "\(key).name"), defaultValue: defaultValue, values: values, encoding: encoding.shortName)
    }

    func primitive(_ json: JSON, _ key: String) throws(ConfigError) -> Primitive {
        let name = try string(json, key)
        guard let primitive = Primitive.allCases.first(where: { $0.shortName == name }) else {
            throw fail(
                key, "must be a primitive type (\(Primitive.allCases.map(\.shortName).joined(separator: ", "))), got \(json.serialized)")
        }
        return primitive
    }

    /// The top-level `types`: version → the sets and composites its fields use (beside
    /// `versions`, which TGP's lock has always spelled with messages and enums only).
    func typesByVersion(_ json: JSON?, versions: [String]) throws(ConfigError) -> [String: ([SetSnapshot], [CompositeSnapshot])] {
        guard let json else { return [:] }
        guard let object = json.objectValue else { throw fail("types", "must be an object of version number → sets and composites") }
        var types: [String: ([SetSnapshot], [CompositeSnapshot])] = [:]
        for (version, value) in object {
            let key = "types.\(version)"
            guard versions.contains(version) else { throw fail(key, "no such version in versions") }
            let entry = try self.object(value, key, keys: ["sets", "composites"], optional: ["sets", "composites"])
            let sets = try list(entry, "sets", key, set)
            try unique(sets.map(\.name), "\(key).sets")
            let composites = try list(entry, "composites", key, composite)
            try unique(composites.map(\.name), "\(key).composites")
            types[version] = (sets, composites)
        }
        return types
    }

    func set(_ json: JSON, _ key: String) throws(ConfigError) -> SetSnapshot {
        let object = try self.object(json, key, keys: ["name", "encoding", "choices"])
        let encoding = try primitive(object["encoding"]!, "\(key).encoding")
        let choices = try list(object, "choices", key) { (item, choiceKey) throws(ConfigError) in
            let choice = try self.object(item, choiceKey, keys: ["name", "bit", "since"])
            let bit = try int(choice["bit"]!, "\(choiceKey).bit", min: 0)
            guard bit < encoding.size * 8 else { throw fail("\(choiceKey).bit", "must be below \(encoding.size * 8), got \(bit)") }
            return SetChoiceSnapshot(
                name: try string(choice["name"]!, "\(choiceKey).name"), bit: bit, since: try since(choice["since"]!, "\(choiceKey).since"))
        }
        try unique(choices.map(\.name), "\(key).choices")
        return SetSnapshot(name: try string(object["name"]!, "\(key).name"), encoding: encoding.shortName, choices: choices)
    }

    func composite(_ json: JSON, _ key: String) throws(ConfigError) -> CompositeSnapshot {
        let object = try self.object(json, key, keys: ["name", "size", "members"])
        let members = try list(object, "members", key, field)
        try unique(members.map(\.name), "\(key).members")
        return CompositeSnapshot(
            name: try string(object["name"]!, "\(key).name"), size: try int(object["size"]!, "\(key).size", min: 0), members: members)
    }
}
