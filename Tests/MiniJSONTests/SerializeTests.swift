import MiniJSON
import Testing

@Suite("Serializing")
struct SerializeTests {
    @Test("compact output has no spaces and keeps key order")
    func compact() {
        let value: JSON = ["b": [1, "two", nil, true, false], "a": ["y": [:], "x": []], "c": -1.5]
        #expect(value.serialized == #"{"b":[1,"two",null,true,false],"a":{"y":{},"x":[]},"c":-1.5}"#)
        #expect(value.serialized(pretty: false) == value.serialized)
        #expect(value.description == value.serialized)
    }

    @Test("pretty output matches exactly")
    func pretty() {
        let value: JSON = [
            "name": "peer-v2",
            "ports": [5555, 5556],
            "empty": [],
            "none": [:],
            "nested": ["a": [true, nil], "b": 1.5, "c": ["deep": "x\ny"]],
        ]
        let expected = """
            {
              "name": "peer-v2",
              "ports": [
                5555,
                5556
              ],
              "empty": [],
              "none": {},
              "nested": {
                "a": [
                  true,
                  null
                ],
                "b": 1.5,
                "c": {
                  "deep": "x\\ny"
                }
              }
            }
            """
        #expect(value.serialized(pretty: true) == expected)
    }

    @Test(
        "pretty output of scalars and empty containers is one line",
        arguments: [(JSON.null, "null"), ("s", "\"s\""), (7, "7"), ([], "[]"), ([:], "{}"), ([[]], "[\n  []\n]")]
            as [(JSON, String)])
    func prettyScalars(value: JSON, expected: String) {
        #expect(value.serialized(pretty: true) == expected)
    }

    @Test("string escaping matches exactly")
    func escaping() {
        let value = JSON.string("a\nb\"c\\d\u{01}/é\u{1F}\t\r\u{08}\u{0C}\u{00}\u{7F}😀")
        #expect(value.serialized == #""a\nb\"c\\d\u0001/é\u001f\t\r\b\f\u0000"# + "\u{7F}😀\"")
    }

    @Test("`##[` and invisible controls (C1, bidi, line separators) are escaped: no CI command, no reversed text, the same string back")
    func ciAndBidiSafe() throws {
        let text = "x ##[error]forged ###[ \u{202E}desrever \u{2066}\u{2028}\u{9B}31m é 😀 [#]"
        let value: JSON = [text: .string(text)]
        #expect(JSON.string(text).serialized == #""x #\u0023[error]forged ##\u0023[ \u202edesrever \u2066\u2028\u009b31m é 😀 [#]""#)
        for output in [value.serialized, value.serialized(pretty: true)] {
            #expect(!output.contains("##["))
            #expect(try JSON.parse(output) == value)
        }
    }

    @Test("strings with every control character stay on one line and parse back equal")
    func controlCharactersStayOnOneLine() throws {
        var text = ""
        for scalar in 0..<0x20 { text.unicodeScalars.append(Unicode.Scalar(UInt8(scalar))) }
        text += "\r\n line two \n\n\"quoted\" \\ / é 😀 \u{2028}"
        let value: JSON = [text: [.string(text), ["k": .string(text)]]]
        for output in [value.serialized, JSON.array([value, value]).serialized] {
            #expect(!output.utf8.contains(0x0A))
            #expect(!output.utf8.contains(0x0D))
            #expect(!output.utf8.contains { $0 < 0x20 })
        }
        #expect(try JSON.parse(value.serialized) == value)
        #expect(try JSON.parse(value.serialized(pretty: true)) == value)
    }

    @Test(
        "integer() makes exact decimal text",
        arguments: [
            (JSON.integer(0), "0"), (.integer(-7 as Int8), "-7"), (.integer(UInt8.max), "255"),
            (.integer(Int64.min), "-9223372036854775808"), (.integer(UInt64.max), "18446744073709551615"),
            (.integer(Int.max), "9223372036854775807"), (42, "42"),
        ] as [(JSON, String)])
    func integers(value: JSON, text: String) throws {
        #expect(value == .number(text))
        #expect(value.serialized == text)
        #expect(try JSON.parse(text) == value)
    }

    @Test(
        "double() text reads back as the same Double",
        arguments: [0.0, -0.0, 1.0, -1.5, 0.1, 1e-7, 123456789.125, 1e21, .leastNonzeroMagnitude, .greatestFiniteMagnitude, .pi])
    func doubles(value: Double) throws {
        let json = JSON.double(value)
        let parsed = try JSON.parse(json.serialized)
        #expect(parsed == json)
        #expect(parsed.doubleValue == value)
        #expect(parsed.doubleValue?.sign == value.sign)
    }

    @Test("non-finite doubles become null", arguments: [Double.nan, .infinity, -.infinity])
    func nonFiniteDoubles(value: Double) {
        #expect(JSON.double(value) == .null)
    }

    @Test(
        "number text that is not a JSON number is written as null",
        arguments: ["", "abc", "01", "+1", "1.", ".5", "NaN", "inf", "0x10", "1e", "1 ", "1\n2", "--1"])
    func invalidNumberText(text: String) throws {
        let value = JSON.array([.number(text)])
        #expect(value.serialized == "[null]")
        #expect(try JSON.parse(value.serialized) == [nil])
        #expect(JSON.number(text).doubleValue == nil)
        #expect(JSON.number(text).int64Value == nil)
        #expect(JSON.number(text).uint64Value == nil)
    }

    @Test("float literals make numbers")
    func floatLiteral() {
        let value: JSON = 2.5
        #expect(value == .number("2.5"))
    }
}
