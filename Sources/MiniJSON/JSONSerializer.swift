extension JSON {
    /// Compact JSON on a single line: no spaces, keys in order, never a newline
    /// (control characters in strings are escaped).
    public var serialized: String { serialized(pretty: false) }

    /// JSON text. `pretty: false` is ``serialized``; `pretty: true` puts one item per line,
    /// indented by two spaces, with `"key": value`, and empty containers as `[]` and `{}`
    /// (no trailing newline), for data files reviewed in diffs.
    ///
    /// Strings escape `"`, `\` and control characters (`\n`, `\r`, `\t`, `\b`, `\f`, else `\u00XX`);
    /// everything else, including `/` and non-ASCII, is written as UTF-8 as is. A `.number` whose
    /// text is not a JSON number is written as `null`, so the output is always valid JSON.
    public func serialized(pretty: Bool) -> String {
        var writer = JSONWriter(pretty: pretty)
        writer.write(self, level: 0)
        return String(decoding: writer.output, as: UTF8.self)
    }
}

private struct JSONWriter {
    let pretty: Bool
    var output: [UInt8] = []

    init(pretty: Bool) {
        self.pretty = pretty
        output.reserveCapacity(256)
    }

    mutating func write(_ value: JSON, level: Int) {
        switch value {
        case .null:
            append("null")
        case .bool(let flag):
            append(flag ? "true" : "false")
        case .number(let text):
            if JSON.isValidNumberText(text) {
                output.append(contentsOf: text.utf8)
            } else {
                append("null")
            }
        case .string(let text):
            writeString(text)
        case .array(let elements):
            guard !elements.isEmpty else { return append("[]") }
            output.append(UInt8(ascii: "["))
            for (offset, element) in elements.enumerated() {
                if offset > 0 { output.append(UInt8(ascii: ",")) }
                newline(level: level + 1)
                write(element, level: level + 1)
            }
            newline(level: level)
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            guard !object.isEmpty else { return append("{}") }
            output.append(UInt8(ascii: "{"))
            for (offset, (key, member)) in object.enumerated() {
                if offset > 0 { output.append(UInt8(ascii: ",")) }
                newline(level: level + 1)
                writeString(key)
                output.append(UInt8(ascii: ":"))
                if pretty { output.append(UInt8(ascii: " ")) }
                write(member, level: level + 1)
            }
            newline(level: level)
            output.append(UInt8(ascii: "}"))
        }
    }

    private mutating func append(_ text: StaticString) {
        output.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private mutating func newline(level: Int) {
        guard pretty else { return }
        output.append(0x0A)
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * level))
    }

    private mutating func writeString(_ text: String) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                output.append(UInt8(ascii: "\\"))
                output.append(byte)
            case 0x0A: escape(UInt8(ascii: "n"))
            case 0x0D: escape(UInt8(ascii: "r"))
            case 0x09: escape(UInt8(ascii: "t"))
            case 0x08: escape(UInt8(ascii: "b"))
            case 0x0C: escape(UInt8(ascii: "f"))
            case 0..<0x20:
                append("\\u00")
                output.append(Self.hexDigits[Int(byte >> 4)])
                output.append(Self.hexDigits[Int(byte & 0xF)])
            default:
                output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    private mutating func escape(_ letter: UInt8) {
        output.append(UInt8(ascii: "\\"))
        output.append(letter)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
