// `compat bench`: gateway latency and throughput for one pair or every compatible cell,
// against raw ZeroMQ on the same processes and sockets; `compat bench codec`: the codec alone.

import ArgumentParser
import CompatRunner
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measures gateway latency and throughput against the raw ZeroMQ baseline, or the codec alone.",
        subcommands: [BenchPairCommand.self, BenchCodecCommand.self, BenchSchemaCommand.self, BenchRegressionsCommand.self],
        defaultSubcommand: BenchPairCommand.self
    )
}

struct BenchPairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pair",
        abstract: "Loads GATEWAY from CLIENT (names from the matrix file), or every compatible cell with --grid.",
        discussion: """
            After logon at the negotiated version the client streams the mix (default: NewOrders) and the gateway \
            answers each (OrderAck). Without --rate the client sends as fast as --window unanswered messages allow \
            (throughput); with --rate it sends on a fixed schedule and each latency counts from the message's due \
            time, so a stall is not hidden. Runs of ours alternate with runs of raw ZeroMQ frames of the same sizes \
            through the same two processes and sockets (--baseline raw); figures are medians over --runs, each with its \
            lowest–highest, and ours/raw is taken run by run. A warning says when the baseline varied too much or the \
            machine was busy with other work. --history FILE appends the figures to a CSV history (docs/BENCH.md).
            Benchmarks want a release build of the peers and a quiet machine.
            """
    )

    @Argument(help: "The client peer's name in the matrix.")
    var client: String?

    @Argument(help: "The gateway peer's name in the matrix.")
    var gateway: String?

    @Flag(name: .customLong("grid"), help: "Every compatible cell of the matrix, one after the other, as a grid.")
    var allCells = false

    @OptionGroup var matrixOptions: MatrixOptions

    @Option(name: .long, help: "Messages per second on a fixed schedule (open loop); 0 or absent: unlimited.")
    var rate = 0

    @Option(name: .long, help: "Messages per run, warm-up included.")
    var count: Int?

    @Option(
        name: .long,
        help:
            "Seconds per run: at --rate, sets the count; without, sends as fast as it can for that long (at most 1000000 messages a second, warm-up 1000 unless told)."
    )
    var seconds: Double?

    @Option(name: .long, help: "Messages at the start of each run left out of the figures.")
    var warmup: Int?

    @Option(name: .long, help: "Unanswered messages allowed in flight without --rate.")
    var window = 256

    @Option(name: .long, help: "Runs of ours (and as many of the baseline).")
    var runs = 5

    @Option(name: .long, help: "Message types and weights, e.g. NewOrder=8,CancelOrder=1,ModifyOrder=1.")
    var mix = "NewOrder"

    @Option(name: .long, help: "sample, or an edge of the samples, e.g. longest-strings (long var-data), max-integers.")
    var payload = "sample"

    @Option(name: .long, help: "raw: alternate with raw ZeroMQ frames of the same sizes; none: ours only.")
    var baseline = "raw"

    @Flag(name: .long, help: "Print the results as JSON instead of the table.")
    var json = false

    @Option(name: .long, help: "Write bench.json, summary.md and bench.html (latency percentile plots) here.")
    var reportDir: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Append one row per cell and series to this CSV history (Apache Otava's layout; see docs/BENCH.md).", valueName: "file"))
    var history: String?

    @Flag(name: .long, help: "Let a gateway report an endpoint off this machine (default: ipc and loopback only).")
    var allowRemote = false

    /// With --seconds and no --rate: the most messages a second a run makes room for.
    static let ceilingPerSecond = 1_000_000  // as --seconds' help says

    func options() throws(ConfigError) -> BenchOptions {
        var options = BenchOptions()
        guard rate >= 0 else { throw ConfigError("--rate must be 0 or more, got \(rate)") }
        options.rate = rate
        if let seconds {
            guard seconds > 0, count == nil else { throw ConfigError("--seconds must be positive, and not given with --count") }
            if rate > 0 {
                options.count = Int((seconds * Double(rate)).rounded())
            } else {
                // Unlimited for that long: the count is only the ceiling the client sizes its arrays by.
                options.seconds = seconds
                options.count = max(2, Int((seconds * Double(Self.ceilingPerSecond)).rounded()))
            }
        } else if let count {
            options.count = count
        }
        options.warmup = warmup ?? (options.seconds > 0 ? min(1_000, options.count - 1) : options.count / 10)
        guard options.count >= 1, options.warmup >= 0, options.warmup < options.count else {
            throw ConfigError("--count must be at least 1 and --warmup less than it (count \(options.count), warmup \(options.warmup))")
        }
        guard window >= 1, runs >= 1 else { throw ConfigError("--window and --runs must be at least 1") }
        options.window = window
        options.runs = runs
        options.mix = try BenchOptions.parseMix(mix)
        options.payload = payload
        switch baseline {
        case "raw": options.baseline = true
        case "none": options.baseline = false
        default: throw ConfigError("--baseline must be raw or none, got \(baseline)")
        }
        options.allowRemote = allowRemote
        if let history {
            guard options.baseline else {
                throw ConfigError("--history \(history) needs the raw baseline (not --baseline none): each row holds ours/raw")
            }
        }
        return options
    }

    func run() throws {
        let options = try options()
        // A history that cannot take the rows is refused before anything is measured.
        if let history { try BenchHistoryWriter.check(path: history) }
        var (config, samples) = try matrixOptions.load()
        try requireTGPSessions(config, for: "compat bench")
        let planner = BenchRunner(config: config, samples: samples)
        let cells: [(String, String)]
        if allCells {
            guard client == nil, gateway == nil else { throw ConfigError("give either CLIENT GATEWAY or --grid, not both") }
            try config.requireCellLimit(clients: config.clients.count, gateways: config.gateways.count)
            cells = config.clients.flatMap { client in
                config.gateways.compactMap { planner.negotiatedVersion(client: client, gateway: $0) == nil ? nil : (client, $0) }
            }
            guard !cells.isEmpty else {
                throw ConfigError(
                    "no client × gateway cell of \(config.path) shares a version (clients \(config.clients.joined(separator: ", ")), "
                        + "gateways \(config.gateways.joined(separator: ", "))): nothing to measure")
            }
        } else {
            guard let client, let gateway else { throw ConfigError("give CLIENT GATEWAY (names from \(matrixOptions.matrix)), or --grid") }
            for name in [client, gateway] where config.peer(named: name) == nil {
                throw ConfigError("\(config.path): no peer named \"\(name)\" (peers: \(config.peers.map(\.name).joined(separator: ", ")))")
            }
            cells = [(client, gateway)]
        }
        try checkBeforeStarting(&config, peers: Set(cells.flatMap { [$0.0, $0.1] }))
        let runner = BenchRunner(config: config, samples: samples)
        let reports = try reportDir.map(ReportFolder.prepare)
        let runId = RunID()
        let historyContext = history.map { _ in BenchHistoryWriter.Context.current(runId: runId) }

        var results: [BenchResult] = []
        var text = ""
        for (client, gateway) in cells {
            let result: BenchResult
            do {
                result = try runner.run(client: client, gateway: gateway, options: options) { step in
                    FileHandle.standardError.write(Data("bench \(client) → \(gateway): \(step)\n".utf8))
                }
            } catch let error as BenchError {
                parkIfInterrupted()
                emitError("compat: \(error.message.printable)\n")
                throw ExitCode(1)
            }
            parkIfInterrupted()
            results.append(result)
            let table = BenchReport.table(result)
            text += (text.isEmpty ? "" : "\n") + table
            if !json && !allCells { emit(table) }
        }
        if allCells {
            text += "\n" + BenchReport.grid(results, clients: config.clients, gateways: config.gateways)
            if !json { emit(text) }
        }
        if json { emit(BenchReport.json(results, runId: runId).serialized + "\n") }
        if let history, let historyContext {
            let rows = BenchHistoryWriter.rows(results, context: historyContext)
            try BenchHistoryWriter.append(rows, to: history)
            FileHandle.standardError.write(Data("compat: \(rows.count) row\(rows.count == 1 ? "" : "s") appended to \(history)\n".utf8))
        }
        if let reports {
            try BenchReport.write(results, text: text, runId: runId, to: reports)
            FileHandle.standardError.write(Data(reportsWritten(reports, runId).utf8))
        }
    }
}

struct BenchCodecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codec",
        abstract: "Nanoseconds per encode and per decode of each message type at each version (use a release build)."
    )

    @Option(name: .long, help: "Only this message type (repeatable).")
    var message: [String] = []

    @Option(name: .long, help: "Only this version (repeatable).")
    var version: [Int] = []

    @Option(name: .long, help: "Runs per figure; the median is shown.")
    var runs = 5

    @Option(name: .long, help: "The fixtures folder, for the samples.")
    var fixtures = "fixtures"

    @Flag(name: .long, help: "Print the results as JSON instead of the table.")
    var json = false

    func run() throws {
        let samples = try SampleBook.load(path: fixtures + "/samples.json")
        let results = try CodecBenchmark.run(
            messages: message.isEmpty ? nil : message, versions: version.isEmpty ? nil : version,
            runs: runs, samples: samples)
        emit(json ? CodecBenchmark.json(results).serialized(pretty: true) + "\n" : CodecBenchmark.table(results))
    }
}

struct BenchSchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Milliseconds to read an SBE XML schema, and to diff two (use a release build).",
        discussion: """
            Medians over --runs. With OLD.xml NEW.xml, those files; without, a made-up schema of --bytes \
            (fields of every primitive, enums, sets, composites, nested groups, var-data) and its next version.
            """
    )

    @Argument(help: ArgumentHelp("OLD.xml NEW.xml (default: made-up schemas).", valueName: "file"))
    var files: [String] = []

    @Option(name: .long, help: "The size of the made-up schema, in bytes.")
    var bytes = 300_000

    @Option(name: .long, help: "Runs per figure; the median is shown.")
    var runs = 9

    @Flag(name: .long, help: "Print the results as JSON instead of text.")
    var json = false

    func validate() throws {
        guard files.isEmpty || files.count == 2 else { throw ValidationError("give OLD.xml NEW.xml, or no file for made-up schemas") }
        guard runs >= 1, bytes >= 1_000, bytes <= 64 << 20 else { throw ValidationError("--runs at least 1; --bytes from 1000 to 64 MiB") }
    }

    func run() throws {
        let result = try SchemaBenchmark.run(old: files.first, new: files.last, bytes: bytes, runs: runs)
        emit(json ? result.json.serialized(pretty: true) + "\n" : result.text)
    }
}
