// The figures of a benchmark: each run's latency histogram (HDR, nanoseconds), throughput
// and CPU time, the medians over runs, and ours against the raw baseline as ratios.

import Histogram
import MiniJSON

/// One run of one kind (ours or the baseline).
public struct BenchRun: Sendable {
    public let histogram: Histogram<UInt64>
    public let sent: Int
    public let seconds: Double
    public let clientCPU: Double
    public let gatewayCPU: Double

    /// 1 ns to 60 s at three significant digits.
    static func emptyHistogram() -> Histogram<UInt64> {
        Histogram(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
    }

    public var figures: BenchFigures {
        BenchFigures(
            measured: histogram.totalCount, p50: histogram.valueAtPercentile(50), p90: histogram.valueAtPercentile(90),
            p99: histogram.valueAtPercentile(99),
            p999: histogram.valueAtPercentile(99.9), max: histogram.max,
            throughput: seconds > 0 ? Double(sent) / seconds : 0, clientCPU: clientCPU, gatewayCPU: gatewayCPU)
    }
}

/// The figures a table shows: latencies in nanoseconds, throughput in messages per second, CPU in seconds.
public struct BenchFigures: Sendable, Equatable {
    /// Latencies behind the percentiles (the warm-up left out).
    public var measured: UInt64
    public var p50: UInt64
    public var p90: UInt64
    public var p99: UInt64
    public var p999: UInt64
    public var max: UInt64
    public var throughput: Double
    public var clientCPU: Double
    public var gatewayCPU: Double

    static let latencyNames = ["p50", "p90", "p99", "p99.9", "max"]
    /// In the order of `latencyNames`.
    var latencies: [UInt64] { [p50, p90, p99, p999, max] }
    /// The latencies, the throughput and the two CPU times, in the order of the table's columns.
    var values: [Double] { latencies.map { Double($0) } + [throughput, clientCPU, gatewayCPU] }

    var json: JSON {
        var object: JSONObject = ["measured": .integer(measured)]
        for (name, value) in zip(Self.latencyNames, latencies) { object[name + "Ns"] = .integer(value) }
        object["messagesPerSecond"] = .double(throughput.rounded())
        object["clientCpuSeconds"] = .double(clientCPU)
        object["gatewayCpuSeconds"] = .double(gatewayCPU)
        return .object(object)
    }
}

/// Several runs of one kind.
public struct BenchSeries: Sendable {
    public let runs: [BenchRun]

    /// Each figure's median over the runs.
    public var median: BenchFigures {
        let all = runs.map(\.figures)
        func middle<T: Comparable>(_ values: [T]) -> T { values.sorted()[values.count / 2] }
        return BenchFigures(
            measured: middle(all.map(\.measured)), p50: middle(all.map(\.p50)), p90: middle(all.map(\.p90)), p99: middle(all.map(\.p99)),
            p999: middle(all.map(\.p999)), max: middle(all.map(\.max)), throughput: middle(all.map(\.throughput)),
            clientCPU: middle(all.map(\.clientCPU)), gatewayCPU: middle(all.map(\.gatewayCPU)))
    }

    /// Each figure's lowest and highest over the runs, in the order of `BenchFigures.values`.
    public var range: (lowest: [Double], highest: [Double]) {
        let all = runs.map(\.figures.values)
        guard let first = all.first else { return ([], []) }
        return (
            first.indices.map { index in all.map { $0[index] }.min()! }, first.indices.map { index in all.map { $0[index] }.max()! }
        )
    }

    /// Each figure's spread over the runs, (highest − lowest) / median, in the order of `BenchFigures.values`; 0 for one run.
    public var spread: [Double] {
        let (lowest, highest) = range
        return zip(median.values, zip(lowest, highest)).map { median, range in median > 0 ? (range.1 - range.0) / median : 0 }
    }

    /// Every run's latencies together, for the distribution plot.
    public var merged: Histogram<UInt64> {
        var histogram = BenchRun.emptyHistogram()
        for run in runs { histogram.add(run.histogram) }
        return histogram
    }
}

/// One pair's benchmark.
public struct BenchResult: Sendable {
    public let client: String
    public let gateway: String
    public let version: Int
    public let options: BenchOptions
    /// Frame sizes of one cycle of the mix, and of the answer the raw gateway sends.
    public let frameBytes: [Int]
    public let replyBytes: Int
    public let ours: BenchSeries
    public let raw: BenchSeries?

    /// Measured around the runs by the runner: how busy the machine was with other work.
    public var load: BenchLoad?

    /// Ours over the baseline of the same run, run by run (a run of ours and the baseline run after it).
    public var ratioRuns: [BenchRatios] {
        guard let raw else { return [] }
        return zip(ours.runs, raw.runs).map { BenchRatios(ours: $0.figures, raw: $1.figures) }
    }

    /// The median of the run-by-run ratios, figure by figure (not the medians divided): latency
    /// ratios above 1 and a throughput ratio below 1 are our cost.
    public var ratios: BenchRatios? {
        let runs = ratioRuns.map(\.values)
        guard let first = runs.first else { return nil }
        return BenchRatios(values: first.indices.map { index in runs.map { $0[index] }.sorted()[runs.count / 2] })
    }

    /// The lowest and highest run-by-run ratio of each figure.
    public var ratioRange: (lowest: BenchRatios, highest: BenchRatios)? {
        let runs = ratioRuns.map(\.values)
        guard let first = runs.first else { return nil }
        return (
            BenchRatios(values: first.indices.map { index in runs.map { $0[index] }.min()! }),
            BenchRatios(values: first.indices.map { index in runs.map { $0[index] }.max()! })
        )
    }

    /// What makes these figures doubtful: an unstable baseline, a loaded machine.
    public var warnings: [String] {
        var warnings: [String] = []
        if let raw, let warning = BenchWarnings.unstableBaseline(raw) { warnings.append(warning) }
        if let load, let warning = BenchWarnings.loadedMachine(load) { warnings.append(warning) }
        return warnings
    }

    public init(
        client: String, gateway: String, version: Int, options: BenchOptions, frameBytes: [Int], replyBytes: Int, ours: BenchSeries,
        raw: BenchSeries?, load: BenchLoad? = nil
    ) {
        self.client = client
        self.gateway = gateway
        self.version = version
        self.options = options
        self.frameBytes = frameBytes
        self.replyBytes = replyBytes
        self.ours = ours
        self.raw = raw
        self.load = load
    }

    public var json: JSON {
        var object: JSONObject = [
            "client": .string(client), "gateway": .string(gateway), "version": .integer(version),
            "mode": .string(options.rate > 0 ? "rate" : "unlimited"), "rate": .integer(options.rate), "window": .integer(options.window),
            "count": .integer(options.count), "warmup": .integer(options.warmup), "runs": .integer(options.runs),
            "mix": .string(options.mixText), "payload": .string(options.payload),
            "frameBytes": .array(frameBytes.map { .integer($0) }), "replyBytes": .integer(replyBytes),
            "ours": series(ours),
        ]
        // A run of --seconds without --rate: its length; `count` is then only its ceiling.
        if options.seconds > 0 { object["seconds"] = .double(options.seconds) }
        if let raw { object["raw"] = series(raw) }
        object["warnings"] = .array(warnings.map { .string($0) })
        if let ratios {
            var ratio: JSONObject = [:]
            for (name, value) in zip(BenchFigures.latencyNames, ratios.latency) { ratio[name] = .double(value) }
            ratio["messagesPerSecond"] = .double(ratios.throughput)
            ratio["clientCpu"] = .double(ratios.clientCPU)
            ratio["gatewayCpu"] = .double(ratios.gatewayCPU)
            ratio["perRun"] = .array(
                ratioRuns.map { run in
                    var object = JSONObject()
                    for (name, value) in zip(BenchRatios.names, run.values) { object[name] = .double(value) }
                    return .object(object)
                })
            object["ratios"] = .object(ratio)
        }
        return .object(object)
    }

    private func series(_ series: BenchSeries) -> JSON {
        .object(["median": series.median.json, "runs": .array(series.runs.map(\.figures.json))])
    }
}

/// Ours divided by the baseline, figure by figure.
public struct BenchRatios: Sendable {
    /// In the order of `BenchFigures.latencyNames`.
    public let latency: [Double]
    public let throughput: Double
    public let clientCPU: Double
    public let gatewayCPU: Double

    public var p50: Double { latency[0] }

    /// The names of `values`, as the JSON's per-run ratios name them.
    static let names = BenchFigures.latencyNames + ["messagesPerSecond", "clientCpu", "gatewayCpu"]

    /// In the order of `BenchFigures.values`.
    var values: [Double] { latency + [throughput, clientCPU, gatewayCPU] }

    init(values: [Double]) {
        latency = Array(values[0..<5])
        throughput = values[5]
        clientCPU = values[6]
        gatewayCPU = values[7]
    }

    /// One run of ours over the baseline run of the same index.
    init(ours: BenchFigures, raw: BenchFigures) {
        self.init(values: zip(ours.values, raw.values).map { $1 > 0 ? $0 / $1 : 0 })
    }
}
