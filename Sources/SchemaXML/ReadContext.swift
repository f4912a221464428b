// What every part of the reader shares: the schema's versions, how absent fields read (R1),
// and the attribute readers every element uses, each failing with the element's position.

import SBE

/// How a receiver delivers a field its frame's version does not have (R1).
enum AbsentValue: String {
    /// The type's zero, or the enum's default (TGP's rule).
    case zero
    /// SBE's rule: the null value, for a type that has one; a constant its value.
    case null
}

struct ReadContext {
    /// The oldest version: what an element without `sinceVersion` gets.
    let oldestVersion: Int
    /// The schema's `version`: no element may be newer.
    let schemaVersion: Int
    let absentValue: AbsentValue
    /// Enum name → the name of its default value (R1), from the sidecar.
    let enumDefaults: [String: String]

    /// An element's `since`: its `sinceVersion`, or the oldest version, and never before its parent's.
    /// One above the schema's version is read as written: `schema lint` and `schema diff` name it
    /// (`since-not-a-version`), as they name every other inconsistency with its rule id.
    func since(of node: Node, parent: Int) throws(SchemaFileError) -> Int {
        guard let since = try node.integer("sinceVersion", in: 0...Int(Int32.max)) else {
            return max(oldestVersion, parent)
        }
        return max(since, parent)
    }

    func deprecated(of node: Node) throws(SchemaFileError) -> Int? {
        try node.integer("deprecated", in: 0...Int(Int32.max))
    }

    /// R1's value of a field, nil to take `FieldSchema`'s own (a constant's value, else the type's zero).
    func absentValue(of type: FieldType, presence: Presence) -> FieldValue? {
        guard absentValue == .null, !presence.isConstant else { return nil }
        switch type {
        case .primitive, .array, .enumeration, .chars: return .null
        // A set has no null value; a composite's zero is its members' absent values.
        case .set, .composite: return nil
        }
    }
}

extension Node {
    /// The attribute, which must be there and not be empty.
    func required(_ key: String) throws(SchemaFileError) -> String {
        guard let value = attribute(key), !value.isEmpty else {
            throw SchemaFileError("\(key) is missing", at: self)
        }
        return value
    }

    /// The attribute as a decimal integer in `range`; nil when it is absent.
    func integer(_ key: String, in range: ClosedRange<Int>) throws(SchemaFileError) -> Int? {
        guard let text = attribute(key) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw SchemaFileError("\(key) \"\(text)\" is not a whole number from \(range.lowerBound) to \(range.upperBound)", at: self)
        }
        return value
    }

    /// Whether the element is in no namespace or an SBE one: `<sbe:message>` and `<message>` alike.
    var isSBE: Bool { namespace.isEmpty || SchemaSource.namespaces.contains(namespace) }

    /// The element's name as the reader dispatches on it: its local name for an SBE element,
    /// nil for any other namespace (which no reader accepts).
    var sbeName: String? { isSBE ? name : nil }
}
