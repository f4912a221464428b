// The optional benchmark part of the contract (docs/PEER-CONTRACT.md, "Benchmark commands"):
// a gateway serves load quietly, a client streams it and reports each message's latency.

import MiniJSON
import TGP

/// How a gateway under load treats frames.
public enum BenchServeMode: String, Sendable, Hashable, CaseIterable {
    /// Decoded and answered by the reference behaviour, as in auto mode, without per-frame events.
    case tgp
    /// Not decoded: each frame is answered by `replyBytes` zero bytes (the transport's floor).
    case raw
    /// Back to normal: events for every frame.
    case off
}

/// What a client streams in one `bench` command.
public struct BenchRequest: Sendable, Hashable {
    public enum Load: Sendable, Hashable {
        /// Contract message JSON, cycled; each gets a fresh clOrdId and is encoded at the session's version.
        case tgp(messages: [JSON])
        /// Frames sent as they are, cycled; answers are matched in order.
        case raw(frames: [[UInt8]])
    }

    public var load: Load
    /// Messages to send, warm-up included.
    public var count: Int
    /// The first messages, left out of the latencies.
    public var warmup: Int
    /// Messages per second on a fixed schedule (open loop); 0 sends as fast as `window` allows.
    public var rate: Int
    /// At most this many unanswered messages when `rate` is 0.
    public var window: Int
    /// How long to wait for the last answers before giving up on them.
    public var drainSeconds: Double
    /// Above 0: the client stops sending this long after its start, or at `count`, whichever comes first.
    public var seconds: Double

    public init(load: Load, count: Int, warmup: Int, rate: Int, window: Int, drainSeconds: Double, seconds: Double = 0) {
        self.load = load
        self.count = count
        self.warmup = warmup
        self.rate = rate
        self.window = window
        self.drainSeconds = drainSeconds
        self.seconds = seconds
    }

    var json: JSONObject {
        var object: JSONObject = [
            "count": .integer(count), "warmup": .integer(warmup), "rate": .integer(rate),
            "window": .integer(window), "drainSeconds": .double(drainSeconds),
        ]
        if seconds > 0 { object["seconds"] = .double(seconds) }
        switch load {
        case .tgp(let messages):
            object["mode"] = .string("tgp")
            object["messages"] = .array(messages)
        case .raw(let frames):
            object["mode"] = .string("raw")
            object["frames"] = .array(frames.map { .string($0.hexString) })
        }
        return object
    }

    static let keys: Set<String> = ["mode", "messages", "frames", "count", "warmup", "rate", "window", "drainSeconds", "seconds"]

    init(json object: JSONObject, fail: (String) -> CommandError) throws(CommandError) {
        func integer(_ key: String, default value: Int, minimum: Int) throws(CommandError) -> Int {
            guard let json = object[key] else { return value }
            guard let number = json.intValue, number >= minimum else {
                throw fail("bench: \"\(key)\" must be an integer of at least \(minimum), got \(json.serialized)")
            }
            return number
        }
        let load: Load
        switch object["mode"]?.stringValue {
        case "tgp":
            guard let messages = object["messages"]?.arrayValue, !messages.isEmpty else {
                throw fail("bench: mode tgp needs \"messages\", a non-empty array")
            }
            load = .tgp(messages: messages)
        case "raw":
            guard let hexes = object["frames"]?.arrayValue, !hexes.isEmpty else {
                throw fail("bench: mode raw needs \"frames\", a non-empty array")
            }
            var frames: [[UInt8]] = []
            for hex in hexes {
                guard let text = hex.stringValue, let frame = bytes(fromHex: text), !frame.isEmpty else {
                    throw fail("bench: \"frames\" must hold non-empty hex strings")
                }
                frames.append(frame)
            }
            load = .raw(frames: frames)
        default:
            throw fail("bench needs \"mode\", \"tgp\" or \"raw\"")
        }
        let drain = object["drainSeconds"].map { $0.doubleValue } ?? 5
        guard let drain, drain >= 0 else { throw fail("bench: \"drainSeconds\" must be a number of at least 0") }
        let seconds = object["seconds"].map { $0.doubleValue } ?? 0
        guard let seconds, seconds >= 0 else { throw fail("bench: \"seconds\" must be a number of at least 0") }
        self.init(
            load: load, count: try integer("count", default: 10_000, minimum: 1), warmup: try integer("warmup", default: 0, minimum: 0),
            rate: try integer("rate", default: 0, minimum: 0), window: try integer("window", default: 256, minimum: 1),
            drainSeconds: drain, seconds: seconds)
    }
}
