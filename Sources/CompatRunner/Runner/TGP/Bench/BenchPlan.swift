// What `compat bench` sends: the message mix and payload turned into messages at the
// negotiated version, and the raw frames of the same sizes for the baseline.

import MiniJSON
import PeerContract
import TGP

/// Options of one benchmark, as the command line gave them.
public struct BenchOptions: Sendable {
    /// Messages per run, warm-up included.
    public var count = 100_000
    public var warmup = 10_000
    /// Messages per second (open loop); 0 = as fast as the window allows.
    public var rate = 0
    /// Above 0 (with no rate): each run sends for this long, `count` its ceiling.
    public var seconds = 0.0
    public var window = 256
    /// Runs of each kind, alternating ours and the baseline.
    public var runs = 5
    /// Type weights, e.g. [("NewOrder", 8), ("CancelOrder", 1)].
    public var mix: [(type: String, weight: Int)] = [("NewOrder", 1)]
    /// `sample`, or the name of an edge in the samples (e.g. `longest-strings`).
    public var payload = "sample"
    /// Run the raw ZeroMQ baseline alternately with ours.
    public var baseline = true
    public var allowRemote = false

    public init() {}

    /// The mix as written on the command line.
    public var mixText: String { mix.map { "\($0.type)=\($0.weight)" }.joined(separator: ",") }

    /// Parses `NewOrder=8,CancelOrder=1,ModifyOrder=1` (a bare name weighs 1).
    public static func parseMix(_ text: String) throws(ConfigError) -> [(type: String, weight: Int)] {
        var mix: [(type: String, weight: Int)] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard let name = pieces.first, !name.isEmpty else {
                throw ConfigError("--mix \(text): an empty entry; write TYPE=WEIGHT,TYPE=WEIGHT")
            }
            let weight = pieces.count == 2 ? Int(pieces[1]) : 1
            guard let weight, (1...1000).contains(weight) else {
                throw ConfigError("--mix \(text): the weight of \(name) must be an integer from 1 to 1000")
            }
            mix.append((name, weight))
        }
        return mix
    }
}

/// The messages of one cell's benchmark, at the negotiated version.
struct BenchPlan {
    /// One cycle of the mix, interleaved by weight.
    let messages: [Message]
    /// Their frames at the negotiated version: the raw baseline sends these sizes.
    let frames: [[UInt8]]
    /// The size of the answer to the first message: what the raw gateway sends back.
    let replyBytes: Int

    /// The requests a mix may hold: the order requests of the reference gateway's rules (G1–G4),
    /// each answered with one message matched to it by clOrdId.
    static let requests = ReferenceGateway.Request.allCases.filter(\.isOrderRequest)

    init(options: BenchOptions, samples: SampleBook, schema: Schema, version: Int) throws(ConfigError) {
        let codec = Codec(schema: schema)
        let rules = ReferenceGateway(schema: schema)
        var byType: [(message: Message, weight: Int)] = []
        var payloadFound = options.payload == "sample"
        for (name, weight) in options.mix {
            guard let type = schema.message(named: name) else { throw ConfigError("--mix: no message type \(name) in the schema") }
            guard let request = rules.request(of: type), Self.requests.contains(request) else {
                throw ConfigError(
                    "--mix: \(name) is not answered by the reference gateway's order rules (G1–G4); use \(Self.requests.map(\.rawValue).sorted().joined(separator: ", "))"
                )
            }
            guard type.since <= version else {
                throw ConfigError("--mix: \(name) was added in version \(type.since); this session is at version \(version)")
            }
            var message = samples[type].sample
            if options.payload != "sample", let edge = samples[type].edges.first(where: { $0.name == options.payload }) {
                message = edge.message
                payloadFound = true
            }
            byType.append((message.projected(onto: version), weight))
        }
        guard payloadFound else {
            throw ConfigError(
                "--payload \(options.payload): no message of the mix has that edge in \(samples.path) (use sample or an edge name)")
        }
        // Smooth weighted round robin: NewOrder=2,CancelOrder=1 gives N C N, not N N C.
        var credit = [Int](repeating: 0, count: byType.count)
        let total = byType.reduce(0) { $0 + $1.weight }
        var cycle: [Message] = []
        for _ in 0..<total {
            for index in byType.indices { credit[index] += byType[index].weight }
            let best = credit.indices.max { credit[$0] < credit[$1] }!
            credit[best] -= total
            cycle.append(byType[best].message)
        }
        var frames: [[UInt8]] = []
        for message in cycle {
            do {
                frames.append(try codec.encode(message, at: version))
            } catch {
                throw ConfigError("--payload \(options.payload): \(message.type.name) cannot be sent at version \(version): \(error)")
            }
        }
        // The answer to an order it names that is open: the benchmark's cancels and modifies name its last NewOrder.
        let answerType = schema.message(named: rules.request(of: cycle[0].type)!.answerTypeName)!
        let answer: [UInt8]
        do {
            answer = try codec.encode(samples[answerType].sample.projected(onto: version), at: version)
        } catch {
            throw ConfigError("\(samples.path): the \(answerType.name) sample cannot be encoded at version \(version): \(error)")
        }
        self.messages = cycle
        self.frames = frames
        self.replyBytes = answer.count
    }

    func request(raw: Bool, options: BenchOptions, clientVersion: Int) -> BenchRequest {
        let load: BenchRequest.Load = raw ? .raw(frames: frames) : .tgp(messages: messages.map { $0.json(knownAt: clientVersion) })
        return BenchRequest(
            load: load, count: options.count, warmup: options.warmup, rate: options.rate, window: options.window, drainSeconds: 5,
            seconds: options.seconds)
    }
}
