// A message as applications see it: a type from the schema and one value per logical field.

/// The value of one logical field.
public enum FieldValue: Sendable, Hashable {
    /// u8, u16, u32, u64, and enums by their wire value.
    case unsigned(UInt64)
    case signed(Int64)
    /// Character arrays and text var-data.
    case text(String)
    /// A group's entries, each holding one value per logical field of an entry.
    case group([[FieldValue]])
    /// float and double.
    case double(Double)
    /// An optional field at its null value: no value.
    case null
    /// Binary var-data (no characterEncoding).
    case bytes([UInt8])
    /// A fixed array of a primitive type other than char, one value per element.
    case array([FieldValue])
    /// A composite's members, one value per member in offset order.
    case composite([FieldValue])

    /// `==`, with the scalar cases compared in place: the encoder asks it of every field a
    /// version leaves out, and the general comparison copies both values first.
    @inline(__always)
    func isSame(as other: FieldValue) -> Bool {
        switch (self, other) {
        case (.unsigned(let a), .unsigned(let b)): a == b
        case (.signed(let a), .signed(let b)): a == b
        default: self == other
        }
    }
}

public struct Message: Sendable {
    public internal(set) var type: MessageSchema
    /// One value per `type.logicalFields`, in that order.
    public var values: [FieldValue]

    /// A message with every field at its default (R1).
    public init(_ type: MessageSchema) {
        self.type = type
        self.values = type.storage.defaultValues
    }

    /// A message with its values as decoded, one per logical field.
    init(_ type: MessageSchema, values: [FieldValue]) {
        self.type = type
        self.values = values
    }

    /// A message with the named fields set and the rest at their defaults.
    public init(_ type: MessageSchema, _ fields: KeyValuePairs<String, FieldValue>) {
        self.init(type)
        for (name, value) in fields {
            guard let index = type.logicalFieldIndex(named: name) else {
                preconditionFailure("\(type.name) has no field \(name)")
            }
            values[index] = value
        }
    }

    public subscript(name: String) -> FieldValue? {
        get { type.logicalFieldIndex(named: name).map { values[$0] } }
        set {
            guard let index = type.logicalFieldIndex(named: name), let newValue else { return }
            values[index] = newValue
        }
    }

    /// The message with the fields added after `version` at their defaults (R1), in groups
    /// too: what a receiver delivers from a frame encoded at `version`. Values are kept as
    /// they are — a quantity above u32 stays whole, so encoding it below v4 is refused (E2)
    /// rather than silently capped.
    public func projected(onto version: Int) -> Message {
        guard type.hasFields(after: version) else { return self }
        var copy = self
        copy.values = Self.projected(values, of: type.logicalFields, onto: version)
        return copy
    }

    /// `values`, one per field of `fields`, with the fields added after `version` at their
    /// defaults, and each group's entries projected the same way (nested groups too).
    private static func projected(_ values: [FieldValue], of fields: [LogicalField], onto version: Int) -> [FieldValue] {
        // Copied only when a value changes: an answer filled at its version already has its newer fields at their defaults.
        var projected = values
        for (index, field) in zip(fields.indices, fields) where index < values.count {
            if field.since > version {
                if values[index] != field.defaultValue { projected[index] = field.defaultValue }
            } else if case .group(let group) = field.kind, case .group(let entries) = values[index] {
                let entryFields = group.logicalFields
                // An entry keeps one value per field of the group.
                projected[index] = .group(
                    entries.map { Self.projected(Array($0.prefix(entryFields.count)), of: entryFields, onto: version) })
            }
        }
        return projected
    }
}

extension Message: Hashable {
    public static func == (lhs: Message, rhs: Message) -> Bool {
        lhs.type.templateId == rhs.type.templateId && lhs.values == rhs.values
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(type.templateId)
        hasher.combine(values)
    }
}

extension LogicalField {
    public var defaultValue: FieldValue {
        switch kind {
        case .scalar(let field, _): field.defaultValue
        case .group: .group([])
        case .varData(let varData): varData.defaultValue
        }
    }
}

extension MessageSchema {
    /// Whether a field, group, entry field or var-data of the type was added after `version`:
    /// when none was, a message of the type is whole at that version and `projected(onto:)`
    /// returns it as it is.
    func hasFields(after version: Int) -> Bool {
        version < storage.layouts.newest
    }

    /// The wire value of an enum field's value by name (`enumValue("Replaced", of: "status")`), for building messages.
    public func enumValue(_ name: String, of field: String) -> FieldValue? {
        guard case .enumeration(let enumSchema) = rootField(named: field)?.type, let value = enumSchema.value(named: name) else {
            return nil
        }
        return .unsigned(value.value)
    }
}
