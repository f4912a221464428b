// MiniJSON: a small, strict JSON value type with a parser and a serializer, without Foundation.
//
// Peers start many times per run and exchange one JSON object per line; importing Foundation
// would cost milliseconds of start-up each time. The runner uses the same module for those lines
// and for its configuration file, where it needs duplicate-key detection and exact error positions.

/// A JSON value.
///
/// Numbers keep the literal text exactly as written (`.number("18446744073709551615")`,
/// `.number("-1.5e3")`), so no precision is ever lost; use ``int64Value``, ``uint64Value``,
/// ``intValue`` or ``doubleValue`` to read them, and ``integer(_:)`` or ``double(_:)`` to make them.
///
/// Equality is structural: numbers compare by their text (`1.0` is not `1`), objects compare
/// their keys in order, and strings compare as Swift strings (canonical equivalence).
///
/// Values built in code can be nested arbitrarily, but equality, hashing and serialization
/// recurse once per level; parsed values are never nested deeper than ``maximumDepth``.
public enum JSON: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number's literal text, e.g. `"42"`, `"-1.5e3"`. It should follow the JSON number
    /// grammar; text that does not is serialized as `null` so the output is always valid JSON.
    case number(String)
    case string(String)
    case array([JSON])
    /// An object whose keys keep their insertion order.
    case object(JSONObject)
}

// MARK: - Making numbers

extension JSON {
    /// A number holding the decimal text of an integer, e.g. `.integer(42)` is `.number("42")`.
    public static func integer<T: BinaryInteger>(_ value: T) -> JSON {
        .number(String(value))
    }

    /// A number holding the shortest text that reads back as exactly `value`, e.g. `"1.5"`, `"1e-07"`.
    ///
    /// JSON has no NaN or infinity: like JavaScript's `JSON.stringify`, a non-finite `value` gives `.null`.
    public static func double(_ value: Double) -> JSON {
        value.isFinite ? .number(value.description) : .null
    }
}

// MARK: - Reading values

extension JSON {
    /// The member named `key` if this is an object that has one; `nil` otherwise.
    public subscript(key: String) -> JSON? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    /// The element at `index` if this is an array and `index` is in range; `nil` otherwise.
    public subscript(index: Int) -> JSON? {
        if case .array(let array) = self, array.indices.contains(index) { return array[index] }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var arrayValue: [JSON]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The literal text if this is a number.
    public var numberText: String? {
        if case .number(let text) = self { return text }
        return nil
    }

    /// The value if this is an integer literal (no fraction, no exponent) within `Int64`; `nil` otherwise.
    /// `1.5`, `1e3` and `1.0` give `nil`.
    public var int64Value: Int64? {
        guard let (negative, magnitude) = integerLiteralParts else { return nil }
        if negative {
            if magnitude == UInt64(Int64.max) + 1 { return .min }
            return magnitude <= UInt64(Int64.max) ? -Int64(magnitude) : nil
        }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }

    /// The value if this is an integer literal (no fraction, no exponent) within `UInt64`; `nil` otherwise.
    public var uint64Value: UInt64? {
        guard let (negative, magnitude) = integerLiteralParts else { return nil }
        if negative { return magnitude == 0 ? 0 : nil }
        return magnitude
    }

    /// The value if this is an integer literal (no fraction, no exponent) within `Int`; `nil` otherwise.
    public var intValue: Int? {
        int64Value.flatMap { Int(exactly: $0) }
    }

    /// The nearest `Double` if this is a number; `nil` if it is not a number, or its magnitude
    /// is too large for a `Double`.
    public var doubleValue: Double? {
        guard case .number(let text) = self, JSON.isValidNumberText(text), let value = Double(text),
            value.isFinite
        else { return nil }
        return value
    }

    /// The kind of value, for error messages: `"null"`, `"boolean"`, `"number"`, `"string"`, `"array"` or `"object"`.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// Sign and magnitude of an integer literal `-?(0|[1-9][0-9]*)` that fits in `UInt64`.
    private var integerLiteralParts: (negative: Bool, magnitude: UInt64)? {
        guard case .number(let text) = self else { return nil }
        var negative = false
        var magnitude: UInt64 = 0
        var digits = 0
        var leadingZero = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: "-") && digits == 0 && !negative {
                negative = true
                continue
            }
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"), !leadingZero else { return nil }
            if digits == 0 && byte == UInt8(ascii: "0") { leadingZero = true }
            digits += 1
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte &- UInt8(ascii: "0")))
            if overflow1 || overflow2 { return nil }
            magnitude = sum
        }
        return digits > 0 ? (negative, magnitude) : nil
    }
}

// MARK: - Literals

extension JSON: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }

    /// An object with the keys in source order. Repeating a key is a programming error and traps,
    /// as it does for `Dictionary`.
    public init(dictionaryLiteral elements: (String, JSON)...) {
        var object = JSONObject()
        for (key, value) in elements { object.appendNew(key: key, value: value) }
        self = .object(object)
    }
}

extension JSON: CustomStringConvertible {
    /// The compact serialization.
    public var description: String { serialized }
}
