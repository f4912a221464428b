// Lua text from values: every name a schema gives is untrusted, so it only ever reaches the
// generated Lua as a string literal built here, byte by byte, never as code or an identifier.

import TGP

enum LuaText {
    /// `"…"`: printable ASCII as it is, `"` and `\` escaped, every other byte (newlines, `]]`'s
    /// neighbours, UTF-8) as a decimal escape, so no schema text can end the literal or the line.
    static func string(_ text: String) -> String {
        var out = "\""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += "\\" + String(UnicodeScalar(byte))
            case 0x20...0x7E: out.unicodeScalars.append(UnicodeScalar(byte))
            default: out += "\\" + threeDigits(byte)
            }
        }
        return out + "\""
    }

    /// A decimal escape always takes three digits, so a digit after it cannot join it.
    private static func threeDigits(_ byte: UInt8) -> String {
        let digits = String(byte)
        return String(repeating: "0", count: 3 - digits.count) + digits
    }

    /// A Lua value for `value` as a field of `type` would be added to the tree: numbers up to 32
    /// bits as numbers, 64-bit ones as UInt64/Int64 objects (a Lua 5.2 number loses precision),
    /// text as a literal. Nil for values a constant never takes.
    static func value(_ value: FieldValue, size: Int) -> String? {
        switch value {
        case .unsigned(let number):
            size == 8 ? "UInt64.fromhex(\"\(String(number, radix: 16))\")" : String(number)
        case .signed(let number):
            size == 8 ? "Int64.fromhex(\"\(String(UInt64(bitPattern: number), radix: 16))\")" : String(number)
        case .double(let number): number.isFinite ? "\(number)" : number.isNaN ? "(0/0)" : number > 0 ? "(1/0)" : "(-1/0)"
        case .text(let text): string(text)
        case .null, .group, .bytes, .array, .composite: nil
        }
    }

    /// `{a, b, c}`, each item already Lua text.
    static func table(_ items: [String]) -> String { "{" + items.joined(separator: ", ") + "}" }
}
