/// Why and where a JSON text could not be parsed.
public struct JSONParseError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Byte offset into the UTF-8 input, from 0.
    public var offset: Int
    /// Line, from 1; lines end at each line feed.
    public var line: Int
    /// Column, from 1, counted in Unicode scalars (characters, for ASCII; a tab counts as one).
    public var column: Int
    /// What is wrong, e.g. `duplicate key "name"`.
    public var reason: String

    public init(offset: Int, line: Int, column: Int, reason: String) {
        self.offset = offset
        self.line = line
        self.column = column
        self.reason = reason
    }

    /// E.g. `line 3, column 14: duplicate key "name"`.
    public var description: String { "line \(line), column \(column): \(reason)" }
}

extension JSON {
    /// Objects and arrays may be nested this deep; deeper input is an error.
    public static let maximumDepth = 64

    /// Parses exactly one JSON value (RFC 8259, strictly), with optional whitespace around it.
    public static func parse(_ text: String) throws(JSONParseError) -> JSON {
        try parse(text.utf8)
    }

    /// Parses exactly one JSON value (RFC 8259, strictly) from UTF-8 bytes, with optional
    /// whitespace around it. Invalid UTF-8 is an error.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSON {
        let result =
            bytes.withContiguousStorageIfAvailable { JSONParser.parseDocument($0) }
            ?? Array(bytes).withUnsafeBufferPointer { JSONParser.parseDocument($0) }
        return try result.get()
    }

    /// Whether `text` is exactly a JSON number: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    static func isValidNumberText(_ text: String) -> Bool {
        func check(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
            var parser = JSONParser(bytes: buffer)
            guard (try? parser.parseNumber()) != nil else { return false }
            return parser.position == buffer.count
        }
        return text.utf8.withContiguousStorageIfAvailable(check)
            ?? Array(text.utf8).withUnsafeBufferPointer(check)
    }
}

/// A recursive-descent parser over UTF-8 bytes. Every read is checked against the end of the buffer.
struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0
    var depth = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    static func parseDocument(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<JSON, JSONParseError> {
        var parser = JSONParser(bytes: bytes)
        do throws(JSONParseError) {
            parser.skipWhitespace()
            let value = try parser.parseValue()
            parser.skipWhitespace()
            if parser.position < bytes.count {
                throw parser.unexpected(at: parser.position, " after the JSON value")
            }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }

    // MARK: Values

    mutating func parseValue() throws(JSONParseError) -> JSON {
        guard position < bytes.count else { throw unexpected(at: position, ", expected a value") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case UInt8(ascii: "t"):
            try parseLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try parseLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try parseLiteral("null")
            return .null
        default: throw unexpected(at: position, ", expected a value")
        }
    }

    private mutating func parseLiteral(_ word: StaticString) throws(JSONParseError) {
        let start = position
        let count = word.utf8CodeUnitCount
        var offset = 0
        while offset < count {
            guard position < bytes.count, bytes[position] == word.utf8Start[offset] else {
                throw error("invalid literal, expected '\(word)'", at: start)
            }
            position += 1
            offset += 1
        }
    }

    private mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        if depth > JSON.maximumDepth {
            throw error("nesting deeper than \(JSON.maximumDepth) levels", at: position)
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> JSON {
        try enterContainer()
        position += 1  // [
        var elements: [JSON] = []
        skipWhitespace()
        if position < bytes.count && bytes[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue())
            skipWhitespace()
            guard position < bytes.count else { throw unexpected(at: position, ", expected ',' or ']'") }
            switch bytes[position] {
            case UInt8(ascii: ","):
                let comma = position
                position += 1
                skipWhitespace()
                if position < bytes.count && bytes[position] == UInt8(ascii: "]") {
                    throw error("trailing comma", at: comma)
                }
            case UInt8(ascii: "]"):
                position += 1
                depth -= 1
                return .array(elements)
            default:
                throw unexpected(at: position, ", expected ',' or ']'")
            }
        }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSON {
        try enterContainer()
        position += 1  // {
        var object = JSONObject()
        skipWhitespace()
        if position < bytes.count && bytes[position] == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return .object(object)
        }
        while true {
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw unexpected(at: position, ", expected a string key")
            }
            let keyStart = position
            let key = try parseString()
            if object.position(of: key) != nil {
                throw error("duplicate key \(JSON.string(key).serialized)", at: keyStart)
            }
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw unexpected(at: position, ", expected ':' after the key")
            }
            position += 1
            skipWhitespace()
            object.append(key: key, value: try parseValue())
            skipWhitespace()
            guard position < bytes.count else { throw unexpected(at: position, ", expected ',' or '}'") }
            switch bytes[position] {
            case UInt8(ascii: ","):
                let comma = position
                position += 1
                skipWhitespace()
                if position < bytes.count && bytes[position] == UInt8(ascii: "}") {
                    throw error("trailing comma", at: comma)
                }
            case UInt8(ascii: "}"):
                position += 1
                depth -= 1
                return .object(object)
            default:
                throw unexpected(at: position, ", expected ',' or '}'")
            }
        }
    }

    // MARK: Numbers

    /// Reads `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` and returns its text.
    mutating func parseNumber() throws(JSONParseError) -> String {
        let start = position
        if position < bytes.count && bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard isDigit(at: position) else { throw unexpected(at: position, ", expected a digit") }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if isDigit(at: position) { throw error("leading zero in number", at: position - 1) }
        } else {
            skipDigits()
        }
        if position < bytes.count && bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard isDigit(at: position) else {
                throw unexpected(at: position, ", expected a digit after the decimal point")
            }
            skipDigits()
        }
        if position < bytes.count && (bytes[position] | 0x20) == UInt8(ascii: "e") {
            position += 1
            if position < bytes.count && (bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")) {
                position += 1
            }
            guard isDigit(at: position) else { throw unexpected(at: position, ", expected a digit in the exponent") }
            skipDigits()
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
    }

    @inline(__always)
    private func isDigit(at offset: Int) -> Bool {
        offset < bytes.count && bytes[offset] >= UInt8(ascii: "0") && bytes[offset] <= UInt8(ascii: "9")
    }

    private mutating func skipDigits() {
        while isDigit(at: position) { position += 1 }
    }

    // MARK: Strings

    /// Reads a string starting at its opening quote, validating UTF-8 and decoding escapes.
    private mutating func parseString() throws(JSONParseError) -> String {
        let quote = position
        position += 1
        var segmentStart = position
        var decoded: [UInt8] = []  // used once the string has an escape
        var hasEscape = false
        while true {
            guard position < bytes.count else { throw error("unterminated string", at: quote) }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                let segment = UnsafeBufferPointer(rebasing: bytes[segmentStart..<position])
                position += 1
                if !hasEscape { return String(decoding: segment, as: UTF8.self) }
                decoded.append(contentsOf: segment)
                return String(decoding: decoded, as: UTF8.self)
            case UInt8(ascii: "\\"):
                if !hasEscape {
                    hasEscape = true
                    decoded.reserveCapacity(position - segmentStart + 16)
                }
                decoded.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[segmentStart..<position]))
                try parseEscape(into: &decoded, quote: quote)
                segmentStart = position
            case 0..<0x20:
                throw error("unescaped control character \(JSONParser.scalarName(UInt32(byte))) in string", at: position)
            case 0..<0x80:
                position += 1
            default:
                guard let length = validSequenceLength(at: position) else {
                    throw error("invalid UTF-8 byte 0x\(JSONParser.hex(byte, digits: 2))", at: position)
                }
                position += length
            }
        }
    }

    /// Decodes the escape at `position` (a backslash) into UTF-8 and moves past it.
    private mutating func parseEscape(into decoded: inout [UInt8], quote: Int) throws(JSONParseError) {
        let backslash = position
        position += 1
        guard position < bytes.count else { throw error("unterminated string", at: quote) }
        let escaped = bytes[position]
        position += 1
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escaped)
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0C)
        case UInt8(ascii: "n"): decoded.append(0x0A)
        case UInt8(ascii: "r"): decoded.append(0x0D)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try readHex4(escape: backslash, quote: quote)
            if (0xDC00...0xDFFF).contains(scalar) {
                throw error("lone surrogate \(JSONParser.scalarName(scalar)) in string", at: backslash)
            }
            if (0xD800...0xDBFF).contains(scalar) {
                let high = scalar
                guard position < bytes.count else { throw error("unterminated string", at: quote) }
                guard bytes[position] == UInt8(ascii: "\\"), position + 1 < bytes.count,
                    bytes[position + 1] == UInt8(ascii: "u")
                else { throw error("lone surrogate \(JSONParser.scalarName(high)) in string", at: backslash) }
                let secondBackslash = position
                position += 2
                let low = try readHex4(escape: secondBackslash, quote: quote)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw error("lone surrogate \(JSONParser.scalarName(high)) in string", at: backslash)
                }
                scalar = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
            }
            JSONParser.appendUTF8(scalar, to: &decoded)
        default:
            let sequence = escaped > 0x20 && escaped < 0x7F ? " '\\\(Character(Unicode.Scalar(escaped)))'" : ""
            throw error("invalid escape sequence\(sequence) in string", at: backslash)
        }
    }

    /// Reads the four hex digits of a `\u` escape.
    private mutating func readHex4(escape: Int, quote: Int) throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard position < bytes.count else { throw error("unterminated string", at: quote) }
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid \\u escape, expected four hex digits", at: escape)
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    static func appendUTF8(_ scalar: UInt32, to bytes: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            bytes.append(UInt8(scalar))
        case 0x80..<0x800:
            bytes.append(0xC0 | UInt8(scalar >> 6))
            bytes.append(0x80 | UInt8(scalar & 0x3F))
        case 0x800..<0x10000:
            bytes.append(0xE0 | UInt8(scalar >> 12))
            bytes.append(0x80 | UInt8((scalar >> 6) & 0x3F))
            bytes.append(0x80 | UInt8(scalar & 0x3F))
        default:
            bytes.append(0xF0 | UInt8(truncatingIfNeeded: scalar >> 18))
            bytes.append(0x80 | UInt8((scalar >> 12) & 0x3F))
            bytes.append(0x80 | UInt8((scalar >> 6) & 0x3F))
            bytes.append(0x80 | UInt8(scalar & 0x3F))
        }
    }

    /// The length of the well-formed multi-byte UTF-8 sequence at `offset` (RFC 3629: no overlong
    /// forms, no surrogates, nothing above U+10FFFF), or `nil`.
    private func validSequenceLength(at offset: Int) -> Int? {
        func continuation(_ index: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
            index < bytes.count && bytes[index] >= low && bytes[index] <= high
        }
        switch bytes[offset] {
        case 0xC2...0xDF:
            return continuation(offset + 1) ? 2 : nil
        case 0xE0:
            return continuation(offset + 1, 0xA0) && continuation(offset + 2) ? 3 : nil
        case 0xE1...0xEC, 0xEE...0xEF:
            return continuation(offset + 1) && continuation(offset + 2) ? 3 : nil
        case 0xED:
            return continuation(offset + 1, 0x80, 0x9F) && continuation(offset + 2) ? 3 : nil
        case 0xF0:
            return continuation(offset + 1, 0x90) && continuation(offset + 2) && continuation(offset + 3) ? 4 : nil
        case 0xF1...0xF3:
            return continuation(offset + 1) && continuation(offset + 2) && continuation(offset + 3) ? 4 : nil
        case 0xF4:
            return continuation(offset + 1, 0x80, 0x8F) && continuation(offset + 2) && continuation(offset + 3)
                ? 4 : nil
        default:
            return nil
        }
    }

    // MARK: Whitespace

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    // MARK: Errors

    /// An error at `offset`, with its line and column.
    func error(_ reason: String, at offset: Int) -> JSONParseError {
        var line = 1
        var column = 1
        var index = 0
        let end = min(offset, bytes.count)
        while index < end {
            let byte = bytes[index]
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
            index += 1
        }
        return JSONParseError(offset: offset, line: line, column: column, reason: reason)
    }

    /// "unexpected character 'x'\(context)", "unexpected end of input\(context)", or an invalid UTF-8 error;
    /// `context` is e.g. ", expected a value" or " after the JSON value".
    func unexpected(at offset: Int, _ context: String) -> JSONParseError {
        guard offset < bytes.count else { return error("unexpected end of input\(context)", at: offset) }
        let byte = bytes[offset]
        if byte < 0x80 {
            return error("unexpected character \(describeByteBriefly(byte))\(context)", at: offset)
        }
        guard let length = validSequenceLength(at: offset) else {
            return error("invalid UTF-8 byte 0x\(JSONParser.hex(byte, digits: 2))", at: offset)
        }
        var scalar = UInt32(byte) & (0xFF >> (length + 1))
        for index in offset + 1..<offset + length {
            scalar = scalar << 6 | UInt32(bytes[index] & 0x3F)
        }
        return error("unexpected character \(JSONParser.scalarName(scalar))\(context)", at: offset)
    }

    /// `'x'` for printable ASCII, `U+XXXX` otherwise.
    private func describeByteBriefly(_ byte: UInt8) -> String {
        if byte > 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return JSONParser.scalarName(UInt32(byte))
    }

    static func scalarName(_ scalar: UInt32) -> String {
        "U+" + hex(scalar, digits: 4)
    }

    static func hex(_ value: some BinaryInteger, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
