// Messages in the contract's JSON: u8/u16/u32 as numbers, u64/i64 as decimal strings,
// enums by name, char8 and var-data as strings, groups as arrays of objects.

import MiniJSON
import TGP

extension Message {
    /// The message as `{"type": …, "fields": {…}}`, listing every field a peer of
    /// `knownVersion` knows (newer ones are left out, as that peer would not know them).
    public func json(knownAt knownVersion: Int) -> JSON {
        var fields = JSONObject()
        for (field, value) in zip(type.logicalFields, values) where field.since <= knownVersion {
            switch field.kind {
            case .scalar(let scalar, let widenedBy):
                fields[field.name] = PeerContract.json(value, as: widenedBy?.type ?? scalar.type)
            case .group(let group):
                guard case .group(let entries) = value else { continue }
                fields[field.name] = .array(
                    entries.map { entry in
                        var object = JSONObject()
                        for (entryField, entryValue) in zip(group.fields, entry) where entryField.since <= knownVersion {
                            object[entryField.name] = PeerContract.json(entryValue, as: entryField.type)
                        }
                        return .object(object)
                    })
            case .varData:
                fields[field.name] = PeerContract.json(value, as: .char8)
            }
        }
        return .object(["type": .string(type.name), "fields": .object(fields)])
    }

    /// Reads `{"type": …, "fields": {…}}` as a peer of `knownVersion` would: fields it does
    /// not know are an error, fields left out take their defaults.
    public init(json: JSON, schema: Schema = .tgp, knownAt knownVersion: Int) throws(ContractError) {
        guard let object = json.objectValue else { throw ContractError("message must be an object, got \(json.typeName)") }
        guard let typeName = object["type"]?.stringValue else { throw ContractError("message needs \"type\", a string") }
        guard let type = schema.message(named: typeName) else { throw ContractError("unknown message type \"\(typeName)\"") }
        for key in object.keys where key != "type" && key != "fields" {
            throw ContractError("message has an unknown key \"\(key)\"")
        }
        self.init(type)
        guard let fieldsJSON = object["fields"] else { return }
        guard let fields = fieldsJSON.objectValue else {
            throw ContractError("\(typeName).fields must be an object, got \(fieldsJSON.typeName)")
        }
        for (name, value) in fields {
            guard let index = type.logicalFieldIndex(named: name), type.logicalFields[index].since <= knownVersion else {
                throw ContractError("\(typeName) has no field \"\(name)\" in version \(knownVersion)")
            }
            let field = type.logicalFields[index]
            switch field.kind {
            case .scalar(let scalar, let widenedBy):
                values[index] = try PeerContract.fieldValue(value, as: widenedBy?.type ?? scalar.type, path: "\(typeName).\(name)")
            case .group(let group):
                guard let entries = value.arrayValue else {
                    throw ContractError("\(typeName).\(name) must be an array, got \(value.typeName)")
                }
                var decoded: [[FieldValue]] = []
                for (position, entry) in entries.enumerated() {
                    let path = "\(typeName).\(name)[\(position)]"
                    guard let entryObject = entry.objectValue else {
                        throw ContractError("\(path) must be an object, got \(entry.typeName)")
                    }
                    var entryValues = group.fields.map(\.defaultValue)
                    for (entryName, entryValue) in entryObject {
                        guard let fieldIndex = group.fields.firstIndex(where: { $0.name == entryName && $0.since <= knownVersion }) else {
                            throw ContractError("\(path) has no field \"\(entryName)\" in version \(knownVersion)")
                        }
                        entryValues[fieldIndex] = try PeerContract.fieldValue(
                            entryValue, as: group.fields[fieldIndex].type, path: "\(path).\(entryName)")
                    }
                    decoded.append(entryValues)
                }
                values[index] = .group(decoded)
            case .varData:
                guard let text = value.stringValue else {
                    throw ContractError("\(typeName).\(name) must be a string, got \(value.typeName)")
                }
                values[index] = .text(text)
            }
        }
    }
}

enum PeerContract {
    static func json(_ value: FieldValue, as type: FieldType) -> JSON {
        switch (value, type) {
        case (.unsigned(let number), .enumeration(let enumSchema)):
            enumSchema.value(number).map { .string($0.name) } ?? .integer(number)
        case (.unsigned(let number), .u64): .string(String(number))
        case (.unsigned(let number), _): .integer(number)
        case (.signed(let number), _): .string(String(number))
        case (.text(let text), _): .string(text)
        default: .null
        }
    }

    static func fieldValue(_ json: JSON, as type: FieldType, path: String) throws(ContractError) -> FieldValue {
        switch type {
        case .u8, .u16, .u32, .u64:
            // Large integers come as decimal strings; numbers are taken when exact.
            guard let number = json.uint64Value ?? json.stringValue.flatMap({ UInt64($0) }) else {
                throw ContractError("\(path) must be an unsigned integer (a decimal string for u64), got \(json.serialized)")
            }
            guard number <= type.unsignedMax! else { throw ContractError("\(path): \(number) does not fit \(type.name)") }
            return .unsigned(number)
        case .i64:
            guard let number = json.int64Value ?? json.stringValue.flatMap({ Int64($0) }) else {
                throw ContractError("\(path) must be a signed integer as a decimal string, got \(json.serialized)")
            }
            return .signed(number)
        case .char8:
            guard let text = json.stringValue else { throw ContractError("\(path) must be a string, got \(json.typeName)") }
            return .text(text)
        case .enumeration(let enumSchema):
            guard let name = json.stringValue else {
                throw ContractError("\(path) must be a \(enumSchema.name) name, got \(json.serialized)")
            }
            guard let value = enumSchema.value(named: name) else {
                throw ContractError(
                    "\(path): \"\(name)\" is not a \(enumSchema.name) value (\(enumSchema.values.map(\.name).joined(separator: ", ")))")
            }
            return .unsigned(value.value)
        default:
            throw ContractError("\(path): \(type.name) values are not carried in JSON yet")
        }
    }
}
