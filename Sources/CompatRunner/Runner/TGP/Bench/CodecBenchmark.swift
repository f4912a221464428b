// The codec micro-benchmark: how long the one codec engine takes to encode and to decode
// a typical message of each type at each version, as medians of calibrated timed runs.

import MiniJSON
import TGP

/// The timing of one message type at one version: medians over the runs, nanoseconds per operation.
public struct CodecBenchmarkResult: Sendable, Hashable {
    /// The message type (`NewOrder`).
    public let message: String
    /// The acting version: the frame is encoded at it and decoded by a receiver of it.
    public let version: Int
    /// The size of the encoded frame.
    public let frameBytes: Int
    /// Median `Codec.encode(_:at:into:)` time, into one reused buffer (as the peers send).
    public let encodeNanoseconds: Double
    /// Median `Codec.decode(_:asVersion:into:)` time, into one reused message (as the peers receive).
    public let decodeNanoseconds: Double
    /// Median `Codec.encode(_:at:)` plus `Codec.decode(_:asVersion:)` time: a new array for every frame and message.
    public let allocatingEncodeDecodeNanoseconds: Double
    /// A sum over every frame and decoded message of the timed loops, so the optimizer must keep the work.
    public let checksum: UInt64

    /// Encode plus decode: a message's round trip through the codec.
    public var encodeDecodeNanoseconds: Double { encodeNanoseconds + decodeNanoseconds }

    public init(
        message: String, version: Int, frameBytes: Int, encodeNanoseconds: Double, decodeNanoseconds: Double,
        allocatingEncodeDecodeNanoseconds: Double, checksum: UInt64
    ) {
        self.message = message
        self.version = version
        self.frameBytes = frameBytes
        self.encodeNanoseconds = encodeNanoseconds
        self.decodeNanoseconds = decodeNanoseconds
        self.allocatingEncodeDecodeNanoseconds = allocatingEncodeDecodeNanoseconds
        self.checksum = checksum
    }
}

public enum CodecBenchmark {
    /// Times every message type of `messages` (nil: all of the schema's) at every version of
    /// `versions` (nil: all) where the type exists. The message is the type's sample from
    /// `samples` (loaded for `schema`) projected onto the version (R1), or without samples one
    /// built from the schema.
    /// Each operation is timed on its own: its iteration count is calibrated so that one run
    /// lasts at least `minimumSeconds`, then `runs` runs are timed and the median kept.
    /// Throws for an unknown message type or version, or a message the codec refuses.
    public static func run(
        messages: [String]? = nil, versions: [Int]? = nil, runs: Int = 5, minimumSeconds: Double = 0.05,
        samples: SampleBook? = nil, schema: Schema = .tgp
    ) throws(ConfigError) -> [CodecBenchmarkResult] {
        let types = try selectedTypes(messages, schema)
        let selectedVersions = try selectedVersions(versions, schema)
        let codec = Codec(schema: schema)
        let runs = max(1, runs)
        let minimumSeconds = minimumSeconds.isFinite ? max(0, minimumSeconds) : 0.05
        var results: [CodecBenchmarkResult] = []
        for type in types {
            let base = samples.map { $0[type].sample } ?? typicalMessage(type)
            for version in selectedVersions where type.since <= version {
                let message = base.projected(onto: version)
                // Once untimed: the loops then need not handle a refusal.
                let frame: [UInt8]
                do throws(EncodeError) {
                    frame = try codec.encode(message, at: version)
                } catch {
                    throw ConfigError("\(type.name) at version \(version): the codec refuses the benchmark message: \(error)")
                }
                do throws(DecodeError) {
                    _ = try codec.decode(frame, asVersion: version)
                } catch {
                    throw ConfigError("\(type.name) at version \(version): the codec rejects its own frame: \(error)")
                }

                var checksum: UInt64 = 0
                let encode = measure(runs: runs, minimumSeconds: minimumSeconds, checksum: &checksum) { iterations in
                    encodeLoop(codec, message, version, iterations)
                }
                let decode = measure(runs: runs, minimumSeconds: minimumSeconds, checksum: &checksum) { iterations in
                    decodeLoop(codec, frame, version, iterations)
                }
                let allocating = measure(runs: runs, minimumSeconds: minimumSeconds, checksum: &checksum) { iterations in
                    allocatingLoop(codec, message, version, iterations)
                }
                results.append(
                    CodecBenchmarkResult(
                        message: type.name, version: version, frameBytes: frame.count, encodeNanoseconds: encode,
                        decodeNanoseconds: decode, allocatingEncodeDecodeNanoseconds: allocating, checksum: checksum))
            }
        }
        return results
    }

    /// The results as an aligned text table, one line per message type and version, with the checksum
    /// of all the timed work on the last line.
    public static func table(_ results: [CodecBenchmarkResult]) -> String {
        let header = ["message", "version", "bytes", "encode ns", "decode ns", "enc+dec ns", "new arrays ns"]
        let rows = results.map { result in
            [
                result.message, "v\(result.version)", String(result.frameBytes), format(result.encodeNanoseconds),
                format(result.decodeNanoseconds), format(result.encodeDecodeNanoseconds),
                format(result.allocatingEncodeDecodeNanoseconds),
            ]
        }
        // The message name to the left, the figures to the right. The checksum (what keeps the
        // measured work from being optimised away) is in --json only: nobody reads it here.
        return TextColumns.aligned([header] + rows)
            + "encode and decode reuse one buffer and one message, as the peers do; new arrays: both allocate per call\n"
    }

    /// The results as `--json` gives them: one object per message type and version, nanoseconds per operation.
    public static func json(_ results: [CodecBenchmarkResult]) -> JSON {
        .object([
            "tool": .string("compat bench codec"),
            "results": .array(
                results.map { result in
                    .object([
                        "message": .string(result.message), "version": .integer(result.version), "frameBytes": .integer(result.frameBytes),
                        "encodeNanoseconds": .double(result.encodeNanoseconds), "decodeNanoseconds": .double(result.decodeNanoseconds),
                        "encodeDecodeNanoseconds": .double(result.encodeDecodeNanoseconds),
                        "allocatingEncodeDecodeNanoseconds": .double(result.allocatingEncodeDecodeNanoseconds),
                    ])
                }),
            "checksum": .integer(results.reduce(UInt64(0)) { $0 &+ $1.checksum }),
        ])
    }

    // MARK: Choosing what to time

    private static func selectedTypes(_ names: [String]?, _ schema: Schema) throws(ConfigError) -> [MessageSchema] {
        guard let names else { return schema.messages }
        var types: [MessageSchema] = []
        for name in names {
            guard let type = schema.message(named: name) else {
                throw ConfigError("\(name) is not a message type (\(schema.messages.map(\.name).joined(separator: ", ")))")
            }
            types.append(type)
        }
        return types
    }

    private static func selectedVersions(_ versions: [Int]?, _ schema: Schema) throws(ConfigError) -> [Int] {
        guard let versions else { return schema.versions }
        for version in versions where !schema.versions.contains(version) {
            throw ConfigError("\(version) is not a version of the schema (\(schema.versions.map(String.init).joined(separator: ", ")))")
        }
        return versions
    }

    /// A message with every field set to a non-default value every version can carry: the
    /// first enum value listed, a short symbol and text, two group entries.
    static func typicalMessage(_ type: MessageSchema) -> Message {
        func scalar(_ field: FieldSchema, _ index: Int) -> FieldValue {
            switch field.type {
            case .u8, .u16, .u32, .u64: .unsigned(UInt64(min(field.type.unsignedMax ?? 0, 100 + UInt64(index))))
            case .i64: .signed(-1_005_000 - Int64(index))
            case .char8: .text("ACME")
            case .enumeration(let enumSchema): .unsigned(enumSchema.values[0].value)
            default: field.type.zeroValue
            }
        }
        var message = Message(type)
        for (index, field) in type.logicalFields.enumerated() {
            switch field.kind {
            case .scalar(let narrow, _):
                message.values[index] = scalar(narrow, index)
            case .group(let group):
                let entry = group.fields.enumerated().map { scalar($1, $0) }
                message.values[index] = .group([entry, entry])
            case .varData(let varData):
                message.values[index] = .text("\(varData.name)-1")
            }
        }
        return message
    }

    // MARK: Timing

    /// The median nanoseconds per iteration of `runs` runs of `body`, each of enough iterations to last
    /// `minimumSeconds`. `body` runs the given number of iterations and returns its checksum.
    private static func measure(
        runs: Int, minimumSeconds: Double, checksum: inout UInt64, _ body: (Int) -> UInt64
    ) -> Double {
        let clock = ContinuousClock()
        func timed(_ iterations: Int) -> Double {
            let start = clock.now
            checksum &+= body(iterations)
            return seconds(start.duration(to: clock.now))
        }
        // Calibrate: grow the count until one run lasts long enough, aiming a little above the minimum.
        var iterations = 1
        while true {
            let elapsed = timed(iterations)
            if elapsed >= minimumSeconds { break }
            let factor = elapsed > 0 ? minimumSeconds * 1.2 / elapsed : 100
            iterations = Int(Double(iterations) * min(100, max(2, factor)))
        }
        let perOperation = (0..<runs).map { _ in timed(iterations) * 1e9 / Double(iterations) }.sorted()
        let middle = perOperation.count / 2
        return perOperation.count.isMultiple(of: 2) ? (perOperation[middle - 1] + perOperation[middle]) / 2 : perOperation[middle]
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }

    // Out of line, so every iteration is a real call of the codec and the loop is what is timed.
    @inline(never)
    private static func encodeLoop(_ codec: Codec, _ message: Message, _ version: Int, _ iterations: Int) -> UInt64 {
        var checksum: UInt64 = 0
        var frame: [UInt8] = []
        for _ in 0..<iterations {
            guard (try? codec.encode(message, at: version, into: &frame)) != nil else { continue }
            checksum &+= UInt64(frame.count) &+ UInt64(frame[frame.count - 1])
        }
        return checksum
    }

    @inline(never)
    private static func decodeLoop(_ codec: Codec, _ frame: [UInt8], _ version: Int, _ iterations: Int) -> UInt64 {
        var checksum: UInt64 = 0
        var message = Message(codec.schema.messages[0])
        for _ in 0..<iterations {
            guard let header = try? codec.decode(frame, asVersion: version, into: &message) else { continue }
            checksum &+= digest(header, message)
        }
        return checksum
    }

    @inline(never)
    private static func allocatingLoop(_ codec: Codec, _ message: Message, _ version: Int, _ iterations: Int) -> UInt64 {
        var checksum: UInt64 = 0
        for _ in 0..<iterations {
            guard let frame = try? codec.encode(message, at: version), let decoded = try? codec.decode(frame, asVersion: version)
            else { continue }
            checksum &+= UInt64(frame.count) &+ digest(decoded.header, decoded.message)
        }
        return checksum
    }

    @inline(__always)
    private static func digest(_ header: FrameHeader, _ message: Message) -> UInt64 {
        var digest = UInt64(header.blockLength) &+ UInt64(message.values.count)
        if case .unsigned(let first)? = message.values.first { digest &+= first }
        return digest
    }

    private static func format(_ nanoseconds: Double) -> String {
        let tenths = (nanoseconds * 10).rounded()
        return "\(Int(tenths) / 10).\(Int(tenths) % 10)"
    }
}
