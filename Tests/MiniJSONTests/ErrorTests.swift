import MiniJSON
import Testing

/// One malformed input and the exact error it must give.
struct ErrorCase: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]
    var offset: Int
    var line: Int
    var column: Int
    var reason: String

    init(_ name: String, _ text: String, offset: Int, line: Int, column: Int, _ reason: String) {
        self.init(name, bytes: Array(text.utf8), offset: offset, line: line, column: column, reason)
    }

    init(_ name: String, bytes: [UInt8], offset: Int, line: Int, column: Int, _ reason: String) {
        self.name = name
        self.bytes = bytes
        self.offset = offset
        self.line = line
        self.column = column
        self.reason = reason
    }

    var expected: JSONParseError { JSONParseError(offset: offset, line: line, column: column, reason: reason) }
    var testDescription: String { name }
}

@Suite("Parse errors")
struct ErrorTests {
    static let structural: [ErrorCase] = [
        ErrorCase(
            "duplicate key", "{\n  \"id\": 1,\n  \"name\": \"a\", \"name\": \"b\"\n}",
            offset: 28, line: 3, column: 16, #"duplicate key "name""#),
        ErrorCase(
            "duplicate key after CRLF", "{\r\n\"a\":1,\r\n\"a\":2}",
            offset: 11, line: 3, column: 1, #"duplicate key "a""#),
        ErrorCase(
            "duplicate key spelled with an escape", #"{"ab":1,"a\u0062":2}"#,
            offset: 8, line: 1, column: 9, #"duplicate key "ab""#),
        ErrorCase(
            "duplicate key in a nested object", #"{"a":{"x":1},"b":{"x":1,"x":2}}"#,
            offset: 24, line: 1, column: 25, #"duplicate key "x""#),
        ErrorCase("trailing comma in array", "[1,2,]", offset: 4, line: 1, column: 5, "trailing comma"),
        ErrorCase("trailing comma in object", "{\"a\":1,\n}", offset: 6, line: 1, column: 7, "trailing comma"),
        ErrorCase("leading zero", "[01]", offset: 1, line: 1, column: 2, "leading zero in number"),
        ErrorCase("negative leading zero", "-012", offset: 1, line: 1, column: 2, "leading zero in number"),
        ErrorCase("double zero", "00", offset: 0, line: 1, column: 1, "leading zero in number"),
        ErrorCase(
            "trailing garbage", "{\"a\":1} x", offset: 8, line: 1, column: 9,
            "unexpected character 'x' after the JSON value"),
        ErrorCase("second value", "1 2", offset: 2, line: 1, column: 3, "unexpected character '2' after the JSON value"),
        ErrorCase(
            "garbage after a literal", "truex", offset: 4, line: 1, column: 5,
            "unexpected character 'x' after the JSON value"),
        ErrorCase("hex number", "0x1F", offset: 1, line: 1, column: 2, "unexpected character 'x' after the JSON value"),
        ErrorCase("empty input", "", offset: 0, line: 1, column: 1, "unexpected end of input, expected a value"),
        ErrorCase("only whitespace", " \n\t ", offset: 4, line: 2, column: 3, "unexpected end of input, expected a value"),
        ErrorCase(
            "depth 65", String(repeating: "[", count: 65) + String(repeating: "]", count: 65),
            offset: 64, line: 1, column: 65, "nesting deeper than 64 levels"),
        ErrorCase(
            "depth 65 with objects", String(repeating: #"{"a":"#, count: 64) + "{}" + String(repeating: "}", count: 64),
            offset: 320, line: 1, column: 321, "nesting deeper than 64 levels"),
        ErrorCase(
            "depth 100000 without a stack overflow", String(repeating: "[", count: 100_000),
            offset: 64, line: 1, column: 65, "nesting deeper than 64 levels"),
        ErrorCase("unclosed array", "[1,2", offset: 4, line: 1, column: 5, "unexpected end of input, expected ',' or ']'"),
        ErrorCase("unclosed object", "{\"a\":1", offset: 6, line: 1, column: 7, "unexpected end of input, expected ',' or '}'"),
        ErrorCase("missing comma", "[1 2]", offset: 3, line: 1, column: 4, "unexpected character '2', expected ',' or ']'"),
        ErrorCase("missing colon", "{\"a\" 1}", offset: 5, line: 1, column: 6, "unexpected character '1', expected ':' after the key"),
        ErrorCase("key not a string", "{1:2}", offset: 1, line: 1, column: 2, "unexpected character '1', expected a string key"),
        ErrorCase("single-quoted key", "{'a':2}", offset: 1, line: 1, column: 2, "unexpected character ''', expected a string key"),
        ErrorCase("missing value", "{\"a\":}", offset: 5, line: 1, column: 6, "unexpected character '}', expected a value"),
        ErrorCase("empty element", "[1,,2]", offset: 3, line: 1, column: 4, "unexpected character ',', expected a value"),
        ErrorCase("lone minus", "-", offset: 1, line: 1, column: 2, "unexpected end of input, expected a digit"),
        ErrorCase("minus letter", "-a", offset: 1, line: 1, column: 2, "unexpected character 'a', expected a digit"),
        ErrorCase("plus sign", "+1", offset: 0, line: 1, column: 1, "unexpected character '+', expected a value"),
        ErrorCase("bare fraction", ".5", offset: 0, line: 1, column: 1, "unexpected character '.', expected a value"),
        ErrorCase(
            "empty fraction", "1.]", offset: 2, line: 1, column: 3,
            "unexpected character ']', expected a digit after the decimal point"),
        ErrorCase("empty exponent", "1e+", offset: 3, line: 1, column: 4, "unexpected end of input, expected a digit in the exponent"),
        ErrorCase("NaN", "NaN", offset: 0, line: 1, column: 1, "unexpected character 'N', expected a value"),
        ErrorCase("Infinity", "-Infinity", offset: 1, line: 1, column: 2, "unexpected character 'I', expected a digit"),
        ErrorCase("short literal", "[tru]", offset: 1, line: 1, column: 2, "invalid literal, expected 'true'"),
        ErrorCase("truncated literal", "nul", offset: 0, line: 1, column: 1, "invalid literal, expected 'null'"),
        ErrorCase("capitalized literal", "False", offset: 0, line: 1, column: 1, "unexpected character 'F', expected a value"),
        ErrorCase("comment", "[1] // one", offset: 4, line: 1, column: 5, "unexpected character '/' after the JSON value"),
        ErrorCase(
            "column counts characters, not bytes", "[\"é😀\", x]", offset: 11, line: 1, column: 8,
            "unexpected character 'x', expected a value"),
        ErrorCase(
            "non-ASCII outside strings", "[é]", offset: 1, line: 1, column: 2,
            "unexpected character U+00E9, expected a value"),
        ErrorCase(
            "byte order mark", "\u{FEFF}{}", offset: 0, line: 1, column: 1,
            "unexpected character U+FEFF, expected a value"),
        ErrorCase(
            "control character outside strings", "[\u{01}]", offset: 1, line: 1, column: 2,
            "unexpected character U+0001, expected a value"),
    ]

    static let strings: [ErrorCase] = [
        ErrorCase("unterminated string", "{\"a\":\"abc", offset: 5, line: 1, column: 6, "unterminated string"),
        ErrorCase("unterminated string on a later line", "[\n\"abc\\\"]", offset: 2, line: 2, column: 1, "unterminated string"),
        ErrorCase("unterminated key", "{\"ab", offset: 1, line: 1, column: 2, "unterminated string"),
        ErrorCase("string ends in a backslash", "\"ab\\", offset: 0, line: 1, column: 1, "unterminated string"),
        ErrorCase("string ends inside \\u", "\"\\u12", offset: 0, line: 1, column: 1, "unterminated string"),
        ErrorCase("lone high surrogate", #""\ud83d""#, offset: 1, line: 1, column: 2, "lone surrogate U+D83D in string"),
        ErrorCase("lone low surrogate", #""x\ude00""#, offset: 2, line: 1, column: 3, "lone surrogate U+DE00 in string"),
        ErrorCase("high surrogate before a letter", #""\ud83dx""#, offset: 1, line: 1, column: 2, "lone surrogate U+D83D in string"),
        ErrorCase(
            "high surrogate before another escape", #""\ud83d\n""#, offset: 1, line: 1, column: 2,
            "lone surrogate U+D83D in string"),
        ErrorCase("two high surrogates", #""\ud83d\ud83d""#, offset: 1, line: 1, column: 2, "lone surrogate U+D83D in string"),
        ErrorCase("reversed surrogate pair", #""\ude00\ud83d""#, offset: 1, line: 1, column: 2, "lone surrogate U+DE00 in string"),
        ErrorCase("raw tab in string", "\"a\tb\"", offset: 2, line: 1, column: 3, "unescaped control character U+0009 in string"),
        ErrorCase(
            "raw newline in string", "[\"a\nb\"]", offset: 3, line: 1, column: 4,
            "unescaped control character U+000A in string"),
        ErrorCase("raw NUL in string", "\"\u{00}\"", offset: 1, line: 1, column: 2, "unescaped control character U+0000 in string"),
        ErrorCase("unknown escape", #""\x""#, offset: 1, line: 1, column: 2, #"invalid escape sequence '\x' in string"#),
        ErrorCase("escaped apostrophe", #""\'""#, offset: 1, line: 1, column: 2, #"invalid escape sequence '\'' in string"#),
        ErrorCase("bad hex digit", #""\u12G4""#, offset: 1, line: 1, column: 2, #"invalid \u escape, expected four hex digits"#),
        ErrorCase(
            "bad hex in the low surrogate", #""\ud83d\uZZZZ""#, offset: 7, line: 1, column: 8,
            #"invalid \u escape, expected four hex digits"#),
    ]

    static let invalidUTF8: [ErrorCase] = [
        ErrorCase("0xFF in a string", bytes: [0x22, 0x61, 0xFF, 0x22], offset: 2, line: 1, column: 3, "invalid UTF-8 byte 0xFF"),
        ErrorCase("lone continuation byte", bytes: [0x22, 0x80, 0x22], offset: 1, line: 1, column: 2, "invalid UTF-8 byte 0x80"),
        ErrorCase("overlong NUL", bytes: [0x22, 0xC0, 0x80, 0x22], offset: 1, line: 1, column: 2, "invalid UTF-8 byte 0xC0"),
        ErrorCase("overlong slash", bytes: [0x22, 0xE0, 0x80, 0xAF, 0x22], offset: 1, line: 1, column: 2, "invalid UTF-8 byte 0xE0"),
        ErrorCase(
            "encoded surrogate", bytes: [0x22, 0xED, 0xA0, 0x80, 0x22], offset: 1, line: 1, column: 2,
            "invalid UTF-8 byte 0xED"),
        ErrorCase(
            "above U+10FFFF", bytes: [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], offset: 1, line: 1, column: 2,
            "invalid UTF-8 byte 0xF4"),
        ErrorCase(
            "0xF5 lead byte", bytes: [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], offset: 1, line: 1, column: 2,
            "invalid UTF-8 byte 0xF5"),
        ErrorCase(
            "truncated sequence before the quote", bytes: [0x22, 0xE2, 0x82, 0x22], offset: 1, line: 1, column: 2,
            "invalid UTF-8 byte 0xE2"),
        ErrorCase(
            "truncated sequence at the end", bytes: [0x22, 0xF0, 0x9F], offset: 1, line: 1, column: 2,
            "invalid UTF-8 byte 0xF0"),
        ErrorCase(
            "invalid byte after valid text", bytes: Array("{\"é\":\"".utf8) + [0xC3, 0x28, 0x22, 0x7D], offset: 7,
            line: 1, column: 7, "invalid UTF-8 byte 0xC3"),
        ErrorCase(
            "invalid byte in a key", bytes: [0x7B, 0x22, 0xFE, 0x22, 0x3A, 0x31, 0x7D], offset: 2, line: 1, column: 3,
            "invalid UTF-8 byte 0xFE"),
        ErrorCase(
            "invalid byte outside strings", bytes: [0x5B, 0x31, 0x2C, 0xFF, 0x5D], offset: 3, line: 1, column: 4,
            "invalid UTF-8 byte 0xFF"),
        ErrorCase("invalid byte as the whole input", bytes: [0x80], offset: 0, line: 1, column: 1, "invalid UTF-8 byte 0x80"),
        ErrorCase(
            "invalid byte after the value", bytes: [0x31, 0x20, 0xC1, 0xBF], offset: 2, line: 1, column: 3,
            "invalid UTF-8 byte 0xC1"),
    ]

    @Test("structural errors have the exact location", arguments: structural)
    func structuralErrors(_ errorCase: ErrorCase) {
        expectError(errorCase)
    }

    @Test("string errors have the exact location", arguments: strings)
    func stringErrors(_ errorCase: ErrorCase) {
        expectError(errorCase)
    }

    @Test("invalid UTF-8 is an error with the exact location", arguments: invalidUTF8)
    func invalidUTF8Errors(_ errorCase: ErrorCase) {
        expectError(errorCase)
    }

    private func expectError(_ errorCase: ErrorCase, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(throws: errorCase.expected, sourceLocation: sourceLocation) { try JSON.parse(errorCase.bytes) }
        // The same bytes through the non-contiguous path.
        #expect(throws: errorCase.expected, sourceLocation: sourceLocation) {
            try JSON.parse(errorCase.bytes.lazy.map { $0 })
        }
        if let text = String(validating: errorCase.bytes, as: UTF8.self) {
            #expect(throws: errorCase.expected, sourceLocation: sourceLocation) { try JSON.parse(text) }
        }
    }

    @Test("description gives line, column and reason")
    func description() {
        let text = "{\n  \"id\": 1,\n  \"name\": \"a\", \"name\": \"b\"\n}"
        do {
            _ = try JSON.parse(text)
            Issue.record("expected a duplicate key error")
        } catch {
            #expect(error.description == #"line 3, column 16: duplicate key "name""#)
            #expect("\(error)" == #"line 3, column 16: duplicate key "name""#)
        }
    }

    @Test("a key with a control character is quoted with escapes in the message")
    func duplicateKeyMessageEscapes() {
        #expect(throws: JSONParseError(offset: 10, line: 1, column: 11, reason: #"duplicate key "a\nb""#)) {
            try JSON.parse(#"{"a\nb":1,"a\u000ab":2}"#)
        }
    }
}
