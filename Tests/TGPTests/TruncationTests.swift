// R8's "never read past the buffer, never crash, never hang": every prefix of every sample
// frame at every receiver version, then a seeded stream of byte mutations.

import SeededRandom
import Testing

@testable import TGP

@Suite("Truncation and mutation")
struct TruncationTests {
    /// The round-trip samples (every type × version) and the golden frames.
    static let corpus: [[UInt8]] = {
        let samples = TypeAtVersion.all.map { c in
            try! codec.encode(sampleMessage(c.type, at: c.version), at: c.version)
        }
        return samples + GoldenFrame.all.map(\.bytes)
    }()

    @Test func corpusCoversEveryTypeAndVersion() {
        #expect(Self.corpus.count == 69 + GoldenFrame.all.count)
    }

    /// A prefix of a valid frame lacks bytes but has no bad value: it decodes (the cut fell
    /// after everything the receiver reads), is Malformed, or its type is unknown to the
    /// receiver. One exception: a sample may carry an enum value newer than an older receiver
    /// (R7 on the whole frame); a prefix that still holds the whole block gets that same refusal.
    @Test(arguments: allVersions)
    func everyPrefixAtEveryReceiver(receiver: Int) {
        var failures: [String] = []
        var decodedCount = 0
        for frame in Self.corpus {
            let whole = decodeError(frame, asVersion: receiver)
            if let whole, whole.code != .unknownTemplate {
                // Only a value newer than the receiver may refuse a whole sample frame.
                guard case .unknownEnumValue = whole.reason, let sent = FrameHeader(of: frame), Int(sent.version) > receiver else {
                    failures.append("whole \(frame.hexString) at v\(receiver): \(whole)")
                    continue
                }
            }
            for length in 0..<frame.count {
                let prefix = Array(frame.prefix(length))
                do {
                    _ = try codec.decode(prefix, asVersion: receiver)
                    decodedCount += 1
                } catch {
                    let allowed =
                        error.code == .malformed || error.code == .unknownTemplate
                        || (whole?.code == .invalidValue && error == whole)
                    if !allowed {
                        failures.append("\(prefix.hexString) at v\(receiver): \(error)")
                    }
                    if error.offset < 0 || error.offset > tgp.maxFrameSize {
                        failures.append("\(prefix.hexString) at v\(receiver): offset \(error.offset)")
                    }
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
        // Below v5 some prefixes do decode: those cut inside var-data the receiver does not know.
        // A v5 receiver reads every byte of every sample, so every cut is Malformed.
        #expect(receiver < 5 ? decodedCount > 0 : decodedCount == 0)
    }

    /// The same over samples any receiver can read: no exception at all.
    @Test(arguments: allVersions)
    func everyPrefixOfPortableSamplesAtEveryReceiver(receiver: Int) {
        var failures: [String] = []
        for c in TypeAtVersion.all {
            let frame = try! codec.encode(sampleMessage(c.type, at: c.version, portable: true), at: c.version)
            for length in 0...frame.count {
                if let error = decodeError(Array(frame.prefix(length)), asVersion: receiver),
                    error.code != .malformed && error.code != .unknownTemplate
                {
                    failures.append("\(c.testDescription) cut at \(length), v\(receiver): \(error)")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
    }

    /// Cutting a frame anywhere before its last byte always loses something a same-version
    /// receiver reads (the corpus frames end with a field every such receiver knows).
    @Test func prefixesOfTheGoldenFramesAreAllMalformed() {
        for golden in GoldenFrame.all {
            for length in 0..<golden.bytes.count {
                let error = decodeError(Array(golden.bytes.prefix(length)), asVersion: golden.version)
                #expect(error?.code == .malformed, "\(golden.name) cut at \(length)")
            }
        }
    }

    /// Seeded byte flips, overwrites, cuts and extensions: decoding terminates with a value
    /// or a DecodeError, and what it delivers is valid for the receiver.
    @Test func seededMutationsNeverCrash() {
        var random = SeededGenerator(seed: 0x5447_2025)
        var failures: [String] = []
        var outcomes: [RejectCode?: Int] = [:]
        for _ in 0..<4000 {
            var frame = Self.corpus[Int.random(in: 0..<Self.corpus.count, using: &random)]
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                switch Int.random(in: 0..<6, using: &random) {
                case 0 where !frame.isEmpty:  // flip one bit
                    frame[Int.random(in: 0..<frame.count, using: &random)] ^= 1 << UInt8.random(in: 0...7, using: &random)
                case 1 where !frame.isEmpty:  // overwrite a byte
                    frame[Int.random(in: 0..<frame.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                case 2 where frame.count > 8:  // overwrite a header length or version byte
                    frame[[0, 1, 6, 7].randomElement(using: &random)!] = UInt8.random(in: 0...255, using: &random)
                case 3:  // cut
                    frame = Array(frame.prefix(Int.random(in: 0...frame.count, using: &random)))
                case 4:  // extend
                    frame += (0..<Int.random(in: 1...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                default:  // a length word somewhere set to a large value
                    if frame.count > 2 {
                        let at = Int.random(in: 0..<(frame.count - 1), using: &random)
                        frame[at] = 0xFF
                        frame[at + 1] = UInt8.random(in: 0...0x10, using: &random)
                    }
                }
            }
            let receiver = allVersions.randomElement(using: &random)!
            do {
                let decoded = try codec.decode(frame, asVersion: receiver)
                outcomes[nil, default: 0] += 1
                if let problem = Self.invalidContent(decoded.message, receiver: receiver) {
                    failures.append("\(frame.hexString) at v\(receiver): \(problem)")
                }
                if decoded.header != FrameHeader(of: frame) {
                    failures.append("\(frame.hexString) at v\(receiver): header \(decoded.header)")
                }
            } catch {
                outcomes[error.code, default: 0] += 1
                if error.offset < 0 || error.offset > tgp.maxFrameSize {
                    failures.append("\(frame.hexString) at v\(receiver): offset \(error.offset)")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
        // The mutations reach every outcome, so the loop exercises the whole decoder.
        #expect(outcomes[nil, default: 0] > 0)
        #expect(outcomes[.malformed, default: 0] > 0)
        #expect(outcomes[.invalidValue, default: 0] > 0)
        #expect(outcomes[.unknownTemplate, default: 0] > 0)
    }

    /// What a receiver delivers is valid at its version: enum values it knows, char8 text of
    /// printable ASCII, var-data within the limit, at most 64 group entries.
    static func invalidContent(_ message: Message, receiver: Int) -> String? {
        func check(_ field: FieldSchema, _ value: FieldValue) -> String? {
            switch (field.type, value) {
            case (.enumeration(let enumSchema), .unsigned(let raw)):
                guard let known = enumSchema.value(raw), raw <= 255, known.since <= receiver else {
                    return "\(field.name) = \(raw)"
                }
            case (.char8, .text(let text)):
                guard text.utf8.count <= 8, text.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else { return "\(field.name) = \(text)" }
            case (.u8, .unsigned), (.u16, .unsigned), (.u32, .unsigned), (.u64, .unsigned), (.i64, .signed):
                break
            default:
                return "\(field.name) has \(value)"
            }
            return nil
        }
        for (field, value) in zip(message.type.logicalFields, message.values) {
            switch (field.kind, value) {
            case (.scalar(let narrow, let wide), _):
                if let problem = check(wide ?? narrow, value) { return problem }
            case (.group(let group), .group(let entries)):
                guard entries.count <= 64 else { return "\(field.name): \(entries.count) entries" }
                for entry in entries {
                    for (entryField, entryValue) in zip(group.fields, entry) {
                        if let problem = check(entryField, entryValue) { return problem }
                    }
                }
            case (.varData, .text(let text)):
                guard text.utf8.count <= 1024 else { return "\(field.name): \(text.utf8.count) bytes" }
            default:
                return "\(field.name) has \(value)"
            }
        }
        return nil
    }
}
