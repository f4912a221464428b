// Messages in the contract's JSON (P15): integers up to 32 bits as numbers, 64-bit integers as
// decimal strings, floating point as numbers, enums by name, sets as lists of choice names,
// character arrays and text var-data as strings, binary var-data as hex, arrays as arrays,
// composites as objects, groups as arrays of objects, an optional field's null as null.

import MiniJSON
import SBE

extension Message {
    /// The message as `{"type": …, "fields": {…}}`, listing every field a peer of
    /// `knownVersion` knows (newer ones are left out, as that peer would not know them).
    public func json(knownAt knownVersion: Int) -> JSON {
        let fields = PeerContract.object(values, of: type.logicalFields, knownAt: knownVersion)
        return .object(["type": .string(type.name), "fields": .object(fields)])
    }

    /// Reads `{"type": …, "fields": {…}}` with every name any version of `schema` has, as a
    /// sender judges names (E2): a type, field, enum value or set choice the schema does not have
    /// is an error, one newer than the version it acts at is not (its encoder refuses what that
    /// version cannot carry). Fields left out take their defaults.
    public init(json: JSON, schema: Schema) throws(ContractError) {
        try self.init(json: json, schema: schema, knownAt: PeerContract.everyVersion)
    }

    /// Reads `{"type": …, "fields": {…}}` as a peer of `knownVersion` would: fields it does
    /// not know are an error, fields left out take their defaults.
    public init(json: JSON, schema: Schema, knownAt knownVersion: Int) throws(ContractError) {
        guard let object = json.objectValue else { throw ContractError("message must be an object, got \(json.typeName)") }
        guard let typeName = object["type"]?.stringValue else { throw ContractError("message needs \"type\", a string") }
        guard let type = schema.message(named: typeName) else { throw ContractError("unknown message type \"\(typeName)\"") }
        for key in object.keys where key != "type" && key != "fields" {
            throw ContractError("message has an unknown key \"\(key)\"")
        }
        self.init(type)
        guard let fieldsJSON = object["fields"] else { return }
        values = try PeerContract.values(fieldsJSON, of: type.logicalFields, defaults: values, knownAt: knownVersion, path: typeName)
    }
}

enum PeerContract {
    /// The `knownAt` of a reader that knows every version of its schema.
    static let everyVersion = Int.max

    /// The fields a peer of `knownVersion` knows, by name.
    static func object(_ values: [FieldValue], of fields: [LogicalField], knownAt knownVersion: Int) -> JSONObject {
        var object = JSONObject()
        for (field, value) in zip(fields, values) where field.since <= knownVersion {
            object[field.name] = json(value, of: field, knownAt: knownVersion)
        }
        return object
    }

    static func json(_ value: FieldValue, of field: LogicalField, knownAt knownVersion: Int) -> JSON {
        switch field.kind {
        case .scalar(let scalar, let widenedBy):
            return json(value, as: widenedBy?.type ?? scalar.type)
        case .group(let group):
            guard case .group(let entries) = value else { return .null }
            return .array(entries.map { .object(object($0, of: group.logicalFields, knownAt: knownVersion)) })
        case .varData:
            return json(value, as: .chars(0))
        }
    }

    static func json(_ value: FieldValue, as type: FieldType) -> JSON {
        switch (value, type) {
        case (.null, _): .null
        case (.unsigned(let number), .enumeration(let enumSchema)): enumSchema.value(number).map { .string($0.name) } ?? .integer(number)
        case (.unsigned(let bits), .set(let setSchema)): setJSON(bits, setSchema)
        case (.unsigned(let number), _) where type.size == 8: .string(String(number))
        case (.unsigned(let number), _): .integer(number)
        case (.signed(let number), _) where type.size == 8: .string(String(number))
        case (.signed(let number), _): .integer(number)
        case (.double(let number), _): number.isFinite ? .double(number) : .string(String(number))
        case (.text(let text), _): .string(text)
        case (.bytes(let bytes), _): .string(bytes.hexString)
        case (.array(let elements), .array(let primitive, _)): .array(elements.map { json($0, as: .primitive(primitive)) })
        case (.composite(let members), .composite(let composite)): compositeJSON(members, composite)
        case (.array, _), (.composite, _), (.group, _): .null
        }
    }

    private static func compositeJSON(_ members: [FieldValue], _ composite: CompositeSchema) -> JSON {
        var object = JSONObject()
        for (member, value) in zip(composite.members, members) { object[member.name] = json(value, as: member.type) }
        return .object(object)
    }

    /// The names of the set's bits, in bit order; a bit the set does not name as its number.
    private static func setJSON(_ bits: UInt64, _ setSchema: SetSchema) -> JSON {
        .array(
            (0..<64).filter { bits & 1 << UInt64($0) != 0 }.map { bit in
                setSchema.choices.first { $0.bit == bit }.map { .string($0.name) } ?? .integer(bit)
            })
    }

    /// `json`, an object of fields by name, read over `defaults`.
    static func values(
        _ json: JSON, of fields: [LogicalField], defaults: [FieldValue], knownAt knownVersion: Int, path: @autoclosure () -> String
    ) throws(ContractError) -> [FieldValue] {
        guard let object = json.objectValue else { throw ContractError("\(path()).fields must be an object, got \(json.typeName)") }
        var values = defaults
        for (name, value) in object {
            guard let index = fields.firstIndex(where: { $0.name == name }), fields[index].since <= knownVersion else {
                throw ContractError(
                    "\(path()) has no field \"\(name)\"" + (knownVersion == everyVersion ? "" : " in version \(knownVersion)"))
            }
            values[index] = try fieldValue(value, of: fields[index], knownAt: knownVersion, path: "\(path()).\(name)")
        }
        return values
    }

    static func fieldValue(_ json: JSON, of field: LogicalField, knownAt knownVersion: Int, path: @autoclosure () -> String)
        throws(ContractError)
        -> FieldValue
    {
        switch field.kind {
        case .scalar(let scalar, let widenedBy):
            return try fieldValue(json, as: widenedBy?.type ?? scalar.type, path: path())
        case .group(let group):
            guard let entries = json.arrayValue else { throw ContractError("\(path()) must be an array, got \(json.typeName)") }
            var decoded: [[FieldValue]] = []
            for (position, entry) in entries.enumerated() {
                guard entry.objectValue != nil else {
                    throw ContractError("\(path())[\(position)] must be an object, got \(entry.typeName)")
                }
                let entryFields = group.logicalFields
                decoded.append(
                    try values(
                        entry, of: entryFields, defaults: entryFields.map(\.defaultValue), knownAt: knownVersion,
                        path: "\(path())[\(position)]"))
            }
            return .group(decoded)
        case .varData(let varData):
            guard let text = json.stringValue else { throw ContractError("\(path()) must be a string, got \(json.typeName)") }
            guard !varData.encoding.isText else { return .text(text) }
            guard let data = bytes(fromHex: text) else { throw ContractError("\(path()) must be hex (binary var-data), got \"\(text)\"") }
            return .bytes(data)
        }
    }

    static func fieldValue(_ json: JSON, as type: FieldType, path: @autoclosure () -> String) throws(ContractError) -> FieldValue {
        if json.isNull { return .null }
        switch type {
        case .primitive(let primitive):
            return try primitiveValue(json, primitive, path: path())
        case .chars:
            guard let text = json.stringValue else { throw ContractError("\(path()) must be a string, got \(json.typeName)") }
            return .text(text)
        case .array(let primitive, let length):
            guard let elements = json.arrayValue, elements.count == length else {
                throw ContractError("\(path()) must be an array of \(length) \(primitive.rawValue) values, got \(json.serialized)")
            }
            var values: [FieldValue] = []
            for (index, element) in elements.enumerated() {
                values.append(try primitiveValue(element, primitive, path: "\(path())[\(index)]"))
            }
            return .array(values)
        case .enumeration(let enumSchema):
            guard let name = json.stringValue else {
                throw ContractError("\(path()) must be a \(enumSchema.name) name, got \(json.serialized)")
            }
            guard let value = enumSchema.value(named: name) else {
                throw ContractError(
                    "\(path()): \"\(name)\" is not a \(enumSchema.name) value (\(enumSchema.values.map(\.name).joined(separator: ", ")))")
            }
            return .unsigned(value.value)
        case .set(let setSchema):
            return try setValue(json, setSchema, path: path())
        case .composite(let composite):
            guard let object = json.objectValue else { throw ContractError("\(path()) must be an object, got \(json.typeName)") }
            var members = composite.members.map(\.defaultValue)
            for (name, value) in object {
                guard let index = composite.members.firstIndex(where: { $0.name == name }) else {
                    throw ContractError("\(path()) has no member \"\(name)\" (\(composite.name))")
                }
                members[index] = try fieldValue(value, as: composite.members[index].type, path: "\(path()).\(name)")
            }
            return .composite(members)
        }
    }

    /// Integers come as numbers or decimal strings (64-bit ones as strings, so no JSON reader
    /// loses precision); floating point as numbers, or "nan", "inf", "-inf".
    private static func primitiveValue(_ json: JSON, _ primitive: Primitive, path: @autoclosure () -> String) throws(ContractError)
        -> FieldValue
    {
        if primitive.isFloatingPoint {
            guard let number = json.doubleValue ?? json.stringValue.flatMap(Double.init) else {
                throw ContractError("\(path()) must be a number, got \(json.serialized)")
            }
            return .double(number)
        }
        if primitive.isSigned {
            guard let number = json.int64Value ?? json.stringValue.flatMap({ Int64($0) }) else {
                throw ContractError("\(path()) must be a signed integer (a decimal string for 64 bits), got \(json.serialized)")
            }
            return .signed(number)
        }
        guard let number = json.uint64Value ?? json.stringValue.flatMap({ UInt64($0) }) else {
            throw ContractError("\(path()) must be an unsigned integer (a decimal string for 64 bits), got \(json.serialized)")
        }
        guard number <= primitive.unsignedMax! else { throw ContractError("\(path()): \(number) does not fit \(primitive.rawValue)") }
        return .unsigned(number)
    }

    /// A set as a list of its choices' names (or bit numbers).
    private static func setValue(_ json: JSON, _ setSchema: SetSchema, path: @autoclosure () -> String) throws(ContractError) -> FieldValue
    {
        guard let items = json.arrayValue else {
            throw ContractError("\(path()) must be a list of \(setSchema.name) choices, got \(json.serialized)")
        }
        var bits: UInt64 = 0
        for item in items {
            if let name = item.stringValue {
                guard let choice = setSchema.choice(named: name) else {
                    throw ContractError(
                        "\(path()): \"\(name)\" is not a \(setSchema.name) choice (\(setSchema.choices.map(\.name).joined(separator: ", ")))"
                    )
                }
                bits |= 1 << UInt64(choice.bit)
            } else if let bit = item.intValue, (0..<setSchema.encoding.size * 8).contains(bit) {
                bits |= 1 << UInt64(bit)
            } else {
                throw ContractError("\(path()): \(item.serialized) is not a \(setSchema.name) choice name or bit")
            }
        }
        return .unsigned(bits)
    }
}

extension LogicalField {
    /// A value of this field in the contract's JSON (P15), as a peer of `knownVersion` lists it.
    public func json(_ value: FieldValue, knownAt knownVersion: Int) -> JSON {
        PeerContract.json(value, of: self, knownAt: knownVersion)
    }
}
