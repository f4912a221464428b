extension JSON {
    /// Compact JSON on a single line: no spaces, keys in order, never a newline
    /// (control characters in strings are escaped).
    public var serialized: String { serialized(pretty: false) }

    /// JSON text. `pretty: false` is ``serialized``; `pretty: true` puts one item per line,
    /// indented by two spaces, with `"key": value`, and empty containers as `[]` and `{}`
    /// (no trailing newline), for data files reviewed in diffs.
    ///
    /// Strings escape `"`, `\` and control characters (`\n`, `\r`, `\t`, `\b`, `\f`, else `\u00XX`);
    /// C1 controls, bidirectional overrides, isolates and marks, and line separators are `\uXXXX`
    /// too, and `##[` is `#\u0023[`: a string printed on a terminal or in a CI log cannot reverse
    /// the text around it or be read as a GitHub Actions command, and parses back the same.
    /// Everything else, including `/` and non-ASCII, is written as UTF-8 as is. A `.number` whose
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
        // Most strings (names, hex frames) need no escape: copied whole, not scalar by scalar.
        var text = text
        let plain = text.withUTF8 { bytes in
            guard bytes.allSatisfy(Self.isPlain) else { return false }
            output.append(contentsOf: bytes)
            return true
        }
        if !plain { writeEscaping(text) }
        output.append(UInt8(ascii: "\""))
    }

    /// Printable ASCII that is written as is wherever it stands (`[` may end a `##[`).
    private static func isPlain(_ byte: UInt8) -> Bool {
        byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") && byte != UInt8(ascii: "[")
    }

    private mutating func writeEscaping(_ text: String) {
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                writeASCII(UInt8(scalar.value))
            } else if Self.isInvisibleControl(scalar) {
                append("\\u")
                for shift in [12, 8, 4, 0] { output.append(Self.hexDigits[Int(scalar.value >> UInt32(shift)) & 0xF]) }
            } else {
                UTF8.encode(scalar) { output.append($0) }
            }
        }
    }

    /// C1 controls, bidi overrides, isolates and marks, and line and paragraph separators.
    private static func isInvisibleControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x80...0x9F, 0x061C, 0x200E, 0x200F, 0x2028...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    private mutating func writeASCII(_ byte: UInt8) {
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
        case UInt8(ascii: "[") where output.suffix(2).elementsEqual("##".utf8):
            // `##[` is a workflow command to GitHub Actions anywhere in a line.
            output.removeLast()
            append("\\u0023[")
        default:
            output.append(byte)
        }
    }

    private mutating func escape(_ letter: UInt8) {
        output.append(UInt8(ascii: "\\"))
        output.append(letter)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
