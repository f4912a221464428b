import MiniJSON
import Testing

@Suite("Parsing values")
struct ParseTests {
    @Test(
        "compact documents serialize back to the same text",
        arguments: [
            "null", "true", "false", "0", "-0", "42", "-1.5e3", "1E+2", "0.000001", "\"\"", "\"text\"", "[]", "{}",
            "[null,true,false,1,\"a\",[],{}]",
            #"{"z":1,"a":[1,2,{"b":null,"c":[[[]]]}],"m":{"x":"y","é":"ü😀"},"e":{}}"#,
            #"[[1,[2,[3,[4,[5]]]]],{"a":{"b":{"c":{"d":"e"}}}}]"#,
        ])
    func compactRoundTrip(text: String) throws {
        let value = try JSON.parse(text)
        #expect(value.serialized == text)
        #expect(try JSON.parse(value.serialized) == value)
        #expect(try JSON.parse(value.serialized(pretty: true)) == value)
    }

    @Test("a nested value built in code survives serializing and parsing")
    func builtValueRoundTrip() throws {
        let value: JSON = [
            "name": "peer-v3",
            "ports": [5555, 5556],
            "limits": ["max": .integer(UInt64.max), "min": .integer(Int64.min), "ratio": 0.25],
            "flags": [true, false, nil],
            "nested": [[["deep": [[], [:], ""]]]],
        ]
        #expect(try JSON.parse(value.serialized) == value)
        #expect(try JSON.parse(value.serialized(pretty: true)) == value)
    }

    @Test("whitespace around and between tokens is allowed")
    func whitespace() throws {
        let value = try JSON.parse(" \t\r\n{ \"a\" :\r\n [ 1 ,\t2 ] , \"b\" : { } }\n\n")
        #expect(value == ["a": [1, 2], "b": [:]])
    }

    @Test("object keys keep document order")
    func keyOrder() throws {
        let value = try JSON.parse(#"{"zebra":1,"apple":2,"mango":3,"banana":4}"#)
        #expect(value.objectValue?.keys == ["zebra", "apple", "mango", "banana"])
        #expect(value.objectValue?.map(\.key) == ["zebra", "apple", "mango", "banana"])
        #expect(value.serialized == #"{"zebra":1,"apple":2,"mango":3,"banana":4}"#)
        // Same members in another order is another value.
        #expect(value != (try JSON.parse(#"{"apple":2,"zebra":1,"mango":3,"banana":4}"#)))
    }

    @Test("order is kept and lookups work past the linear-search size")
    func manyKeys() throws {
        let keys = (0..<50).map { "k\(49 - $0)" }
        let text = "{" + keys.enumerated().map { "\"\($1)\":\($0)" }.joined(separator: ",") + "}"
        let value = try JSON.parse(text)
        #expect(value.objectValue?.keys == keys)
        #expect(value["k49"]?.intValue == 0)
        #expect(value["k0"]?.intValue == 49)
        #expect(value["k50"] == nil)
        #expect(value.serialized == text)
    }

    @Test("u64 max and i64 min survive as text and as integers")
    func integerExtremes() throws {
        let big = try JSON.parse("18446744073709551615")
        #expect(big == .number("18446744073709551615"))
        #expect(big.uint64Value == UInt64.max)
        #expect(big.int64Value == nil)
        #expect(big.serialized == "18446744073709551615")

        let small = try JSON.parse("-9223372036854775808")
        #expect(small == .number("-9223372036854775808"))
        #expect(small.int64Value == Int64.min)
        #expect(small.intValue == Int.min)
        #expect(small.uint64Value == nil)
        #expect(small.serialized == "-9223372036854775808")

        let array = try JSON.parse("[18446744073709551615,-9223372036854775808,9223372036854775807]")
        #expect(array[0]?.uint64Value == UInt64.max)
        #expect(array[1]?.int64Value == Int64.min)
        #expect(array[2]?.int64Value == Int64.max)
        #expect(array[2]?.uint64Value == UInt64(Int64.max))
    }

    struct NumberCase: Sendable, CustomTestStringConvertible {
        var text: String
        var int64: Int64?
        var uint64: UInt64?
        var double: Double?
        var testDescription: String { text }
    }

    @Test(
        "numbers keep their text; integer accessors accept exact integer literals only",
        arguments: [
            NumberCase(text: "0", int64: 0, uint64: 0, double: 0),
            NumberCase(text: "-0", int64: 0, uint64: 0, double: -0.0),
            NumberCase(text: "42", int64: 42, uint64: 42, double: 42),
            NumberCase(text: "-42", int64: -42, uint64: nil, double: -42),
            NumberCase(text: "1.5", int64: nil, uint64: nil, double: 1.5),
            NumberCase(text: "1e3", int64: nil, uint64: nil, double: 1000),
            NumberCase(text: "1.0", int64: nil, uint64: nil, double: 1),
            NumberCase(text: "-1.5E-3", int64: nil, uint64: nil, double: -0.0015),
            NumberCase(text: "9223372036854775808", int64: nil, uint64: 9_223_372_036_854_775_808, double: 9.223372036854775808e18),
            NumberCase(text: "-9223372036854775809", int64: nil, uint64: nil, double: -9.223372036854775809e18),
            NumberCase(text: "18446744073709551616", int64: nil, uint64: nil, double: 18_446_744_073_709_551_616),
            NumberCase(text: "1e400", int64: nil, uint64: nil, double: nil),
        ])
    func numbers(_ number: NumberCase) throws {
        let value = try JSON.parse(number.text)
        #expect(value == .number(number.text))
        #expect(value.numberText == number.text)
        #expect(value.int64Value == number.int64)
        #expect(value.uint64Value == number.uint64)
        #expect(value.intValue == number.int64.map { Int($0) })
        #expect(value.doubleValue == number.double)
        #expect(value.serialized == number.text)
    }

    @Test(
        "every escape decodes",
        arguments: [
            (#""\"""#, "\""),
            (#""\\""#, "\\"),
            (#""\/""#, "/"),
            (#""\b""#, "\u{08}"),
            (#""\f""#, "\u{0C}"),
            (#""\n""#, "\n"),
            (#""\r""#, "\r"),
            (#""\t""#, "\t"),
            (#""\u0041\u00e9\u00E9""#, "Aéé"),
            (#""\u0000""#, "\u{00}"),
            (#""\u001f\u007F""#, "\u{1F}\u{7F}"),
            (#""\u20AC""#, "€"),
            (#""\ud83d\ude00""#, "😀"),
            (#""\uD83D\uDE00""#, "😀"),
            (#""\udbff\udfff""#, "\u{10FFFF}"),
            (#""a\"b\\c\/d\be\ff\ng\rh\ti\u0041j\ud83d\ude00k""#, "a\"b\\c/d\u{08}e\u{0C}f\ng\rh\ti" + "Aj😀k"),
            (#""raw é ü 😀 stays""#, "raw é ü 😀 stays"),
        ])
    func escapes(text: String, expected: String) throws {
        #expect(try JSON.parse(text) == .string(expected))
        #expect(try JSON.parse("{\(text):1}").objectValue?.keys == [expected])
    }

    @Test("bytes parse the same from an array, a slice and a non-contiguous collection")
    func byteInputs() throws {
        let text = #"{"a":[1,"é😀",{"b":null}]}"#
        let expected = try JSON.parse(text)
        let bytes = Array(text.utf8)
        #expect(try JSON.parse(bytes) == expected)
        let padded = Array("xx".utf8) + bytes + Array("yy".utf8)
        #expect(try JSON.parse(padded[2..<(padded.count - 2)]) == expected)
        #expect(try JSON.parse(bytes.lazy.map { $0 }) == expected)
        #expect(try JSON.parse(text.utf8) == expected)
    }

    @Test("errors in a slice report offsets from the slice's start")
    func sliceErrorOffset() {
        let padded = Array("xx[1,]yy".utf8)
        #expect(throws: JSONParseError(offset: 2, line: 1, column: 3, reason: "trailing comma")) {
            try JSON.parse(padded[2..<6])
        }
    }

    @Test("64 levels of nesting parse")
    func maximumDepth() throws {
        let arrays = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(try JSON.parse(arrays).serialized == arrays)
        let objects = String(repeating: #"{"a":"#, count: 63) + "[1]" + String(repeating: "}", count: 63)
        #expect(try JSON.parse(objects).serialized == objects)
    }
}
