// One value tshark shows as text, as P15's JSON gives a value of its type: integers up to 32
// bits as numbers and 64-bit ones as decimal strings, enums and set choices by name (from the
// schema: tshark shows the wire value), arrays element by element, floating point as numbers
// (`"nan"`, `"inf"`, `"-inf"` as strings).

import MiniJSON
import TGP

enum DissectorValues {
    /// Nil when `text` is not a value of `type`.
    static func json(_ text: String, as type: FieldType) -> JSON? {
        switch type {
        case .primitive(let primitive): primitiveJSON(text, primitive)
        case .chars: .string(text)
        case .array(let primitive, _): arrayJSON(text, primitive)
        case .enumeration(let enumSchema):
            unsigned(text).map { number in enumSchema.value(number).map { .string($0.name) } ?? .integer(number) }
        case .set(let setSchema): unsigned(text).map { setJSON($0, setSchema) }
        case .composite: nil
        }
    }

    private static func primitiveJSON(_ text: String, _ primitive: Primitive) -> JSON? {
        if primitive.isFloatingPoint {
            guard let number = Double(text) ?? Double(text.lowercased()) else { return nil }
            return number.isFinite ? .double(number) : .string(String(number))
        }
        if primitive.isSigned {
            guard let number = Int64(text) else { return nil }
            return primitive.size == 8 ? .string(String(number)) : .integer(number)
        }
        guard let number = unsigned(text) else { return nil }
        return primitive.size == 8 ? .string(String(number)) : .integer(number)
    }

    /// The dissector shows an array as `1, null, 3`.
    private static func arrayJSON(_ text: String, _ primitive: Primitive) -> JSON? {
        var elements: [JSON] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let element = part.trimmingCharacters(in: .whitespaces)
            if element == "null" {
                elements.append(.null)
            } else if let value = primitiveJSON(element, primitive) {
                elements.append(value)
            } else {
                return nil
            }
        }
        return .array(elements)
    }

    /// Text var-data as the dissector shows it, control bytes as `\xHH` and `\` doubled, back
    /// to its bytes; nil when an escape is broken or the bytes are not UTF-8.
    static func unescaped(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var rest = Substring(text).utf8[...]
        while let byte = rest.popFirst() {
            guard byte == UInt8(ascii: "\\") else {
                bytes.append(byte)
                continue
            }
            switch rest.popFirst() {
            case UInt8(ascii: "\\"): bytes.append(byte)
            case UInt8(ascii: "x"):
                guard let value = UInt8(String(decoding: rest.prefix(2), as: UTF8.self), radix: 16) else { return nil }
                bytes.append(value)
                rest = rest.dropFirst(2)
            default: return nil
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Decimal, or hex with 0x as tshark shows a field of a hexadecimal base.
    static func unsigned(_ text: String) -> UInt64? {
        text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
    }

    /// P15: the choices' names, a bit no choice names as its number.
    private static func setJSON(_ bits: UInt64, _ setSchema: SetSchema) -> JSON {
        .array(
            (0..<64).filter { bits & 1 << UInt64($0) != 0 }.map { bit in
                setSchema.choices.first { $0.bit == bit }.map { .string($0.name) } ?? .integer(bit)
            })
    }
}
