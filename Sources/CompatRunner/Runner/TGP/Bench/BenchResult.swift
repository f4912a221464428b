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

    /// Ours over the baseline: latency ratios above 1 and a throughput ratio below 1 are our cost.
    public var ratios: BenchRatios? {
        guard let raw else { return nil }
        let a = ours.median
        let b = raw.median
        func ratio(_ x: Double, _ y: Double) -> Double { y > 0 ? x / y : 0 }
        return BenchRatios(
            latency: zip(a.latencies, b.latencies).map { ratio(Double($0), Double($1)) },
            throughput: ratio(a.throughput, b.throughput),
            clientCPU: ratio(a.clientCPU, b.clientCPU), gatewayCPU: ratio(a.gatewayCPU, b.gatewayCPU))
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
        if let raw { object["raw"] = series(raw) }
        if let ratios {
            var ratio: JSONObject = [:]
            for (name, value) in zip(BenchFigures.latencyNames, ratios.latency) { ratio[name] = .double(value) }
            ratio["messagesPerSecond"] = .double(ratios.throughput)
            ratio["clientCpu"] = .double(ratios.clientCPU)
            ratio["gatewayCpu"] = .double(ratios.gatewayCPU)
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
}
