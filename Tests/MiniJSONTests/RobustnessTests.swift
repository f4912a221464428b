import MiniJSON
import SeededRandom
import Testing

@Suite("Robustness")
struct RobustnessTests {
    static let document = """
        {
          "name": "peer-v3", "version": 3, "ratio": -1.25e-3, "big": 18446744073709551615,
          "escapes": "\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0041 \\ud83d\\ude00",
          "raw": "é ü 😀",
          "list": [true, false, null, [], {}, [0, -0, 1.5, 2E+10]],
          "nested": {"a": {"b": {"c": [1, {"d": "e"}]}}}
        }
        """

    /// Checks the error's position is inside the input and its line and column agree with its offset.
    static func checkPosition(_ error: JSONParseError, in bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(error.offset >= 0 && error.offset <= bytes.count, sourceLocation: sourceLocation)
        guard error.offset >= 0 && error.offset <= bytes.count else { return }
        let before = bytes[..<error.offset]
        let line = 1 + before.count(where: { $0 == 0x0A })
        let lineStart = before.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        let column = 1 + bytes[lineStart..<error.offset].count(where: { $0 & 0xC0 != 0x80 })
        #expect(error.line == line && error.column == column, "\(error)", sourceLocation: sourceLocation)
        #expect(!error.reason.isEmpty, sourceLocation: sourceLocation)
    }

    /// Parses `bytes`; a success must round-trip through both serializations, a failure must be well-placed.
    @discardableResult
    static func check(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> JSON? {
        do {
            let value = try JSON.parse(bytes)
            let compact = value.serialized
            #expect(!compact.utf8.contains(0x0A), sourceLocation: sourceLocation)
            #expect((try? JSON.parse(compact)) == value, sourceLocation: sourceLocation)
            #expect((try? JSON.parse(value.serialized(pretty: true))) == value, sourceLocation: sourceLocation)
            return value
        } catch {
            checkPosition(error, in: bytes, sourceLocation: sourceLocation)
            return nil
        }
    }

    @Test("every prefix of a valid document fails cleanly until the whole value is there")
    func prefixes() throws {
        let bytes = Array((Self.document + "\n ").utf8)
        let valueEnd = bytes.count - 2
        let full = try JSON.parse(bytes)
        for length in 0...bytes.count {
            let value = Self.check(Array(bytes[..<length]))
            #expect((value != nil) == (length >= valueEnd), "prefix of \(length) bytes")
            if let value { #expect(value == full) }
        }
        // Prefixes inside a multi-byte character are reported as invalid UTF-8, not as a crash.
        let emoji = Array("\"😀\"".utf8)
        for length in 2..<5 {
            #expect(throws: JSONParseError(offset: 1, line: 1, column: 2, reason: "invalid UTF-8 byte 0xF0")) {
                try JSON.parse(emoji[..<length])
            }
        }
    }

    @Test("thousands of pseudo-random byte strings never crash", arguments: [UInt64(1), 2, 3, 0xDEAD_BEEF])
    func randomBytes(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let alphabet =
            Array(#"{}[],:"\\/ubfnrt0123456789-+.eEaslxd"#.utf8) + [0x20, 0x0A, 0x09, 0x00, 0x1F, 0x7F]
            + [0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80, 0xED, 0xA0, 0xFF, 0xC0]
        let tokens = [
            "{", "}", "[", "]", ",", ":", "\"", "\"a\"", "\"b\"", "1", "-0", "1.5e3", "true", "false", "null",
            "\\u", "\\ud83d", "\\ude00", "\\n", " ", "\n", "é", "😀",
        ].map { Array($0.utf8) }
        var parsedCount = 0
        for round in 0..<1500 {
            var bytes: [UInt8] = []
            let length = Int.random(in: 0...48, using: &random)
            switch round % 3 {
            case 0:
                for _ in 0..<length { bytes.append(UInt8.random(in: 0...255, using: &random)) }
            case 1:
                for _ in 0..<length { bytes.append(alphabet.randomElement(using: &random)!) }
            default:
                for _ in 0..<(length / 2) { bytes += tokens.randomElement(using: &random)! }
            }
            if Self.check(bytes) != nil { parsedCount += 1 }
        }
        // Garbage is mostly rejected; the check above verifies every acceptance round-trips.
        #expect(parsedCount < 1500)
    }

    @Test("random mutations of a valid document never crash", arguments: [UInt64(7), 8])
    func mutations(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let original = Array(Self.document.utf8)
        var rejected = 0
        for _ in 0..<1000 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes.remove(at: index)
                default: bytes.insert(UInt8.random(in: 0...255, using: &random), at: index)
                }
            }
            if Self.check(bytes) == nil { rejected += 1 }
        }
        #expect(rejected > 0)
    }

    @Test("random strings of any scalars serialize to one line and parse back equal", arguments: [UInt64(11), 12])
    func randomStrings(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        for _ in 0..<500 {
            var text = ""
            for _ in 0..<Int.random(in: 0...24, using: &random) {
                let scalar: Unicode.Scalar?
                switch Int.random(in: 0..<4, using: &random) {
                case 0: scalar = Unicode.Scalar(UInt32.random(in: 0..<0x20, using: &random))
                case 1: scalar = Unicode.Scalar(UInt32.random(in: 0x20..<0x80, using: &random))
                case 2: scalar = Unicode.Scalar(UInt32.random(in: 0x80..<0x10000, using: &random))
                default: scalar = Unicode.Scalar(UInt32.random(in: 0x10000...0x10FFFF, using: &random))
                }
                if let scalar { text.unicodeScalars.append(scalar) }
            }
            let value: JSON = [text: .string(text)]
            let line = value.serialized
            #expect(!line.utf8.contains { $0 < 0x20 })
            let parsed = try JSON.parse(line)
            #expect(parsed == value)
            // Byte-exact, not only canonically equivalent.
            #expect(Array(parsed.objectValue!.keys[0].utf8) == Array(text.utf8))
            #expect(Array(parsed[text]!.stringValue!.utf8) == Array(text.utf8))
        }
    }
}
