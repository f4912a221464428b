// Values written in the XML (nullValue, minValue, maxValue, constants, enum values, attribute
// numbers) read as the primitive type they belong to, refusing what does not fit it.

import SBE

extension Primitive {
    /// Every primitive by its XML name (`uint16`), for `primitiveType` and field types.
    static let byName = Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0) })

    /// `text` as a value of this type: decimal integers for the integer types (range-checked),
    /// any `Double` literal for float and double (`NaN`, `-Infinity` and `1e-3` included), one
    /// ASCII character for `char`. Nil when it is not one or does not fit.
    func value(of text: String) -> FieldValue? {
        switch self {
        case .char:
            guard text.unicodeScalars.count == 1, let scalar = text.unicodeScalars.first, scalar.isASCII else { return nil }
            return .unsigned(UInt64(scalar.value))
        case .float, .double:
            guard let number = Double(text) else { return nil }
            if self == .float && number.isFinite && abs(number) > Double(Float.greatestFiniteMagnitude) { return nil }
            return .double(number)
        case .int8, .int16, .int32, .int64:
            guard let number = Int64(text), number >= Int64.min >> (64 - size * 8), number <= Int64.max >> (64 - size * 8) else {
                return nil
            }
            return .signed(number)
        case .uint8, .uint16, .uint32, .uint64:
            guard let number = UInt64(text), number <= unsignedMax! else {
                return nil
            }
            return .unsigned(number)
        }
    }

    /// An unsigned integer type that can hold a length, a count or an id (not `char`).
    var isUnsignedInteger: Bool { isUnsigned && self != .char }
}
