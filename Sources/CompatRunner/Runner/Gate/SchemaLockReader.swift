// Reading fixtures/schema-lock.json strictly: unknown or missing keys and wrong types are
// errors naming the file and the key path.

import MiniJSON
import TGP

struct LockReader {
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
