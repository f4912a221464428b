// How a benchmark is shown: a table per pair, a grid for the matrix, JSON, and an HTML page
// plotting each pair's latency distribution (the HDR percentile curve) against the baseline.

import Foundation
import Histogram
import MiniJSON

public enum BenchReport {
    /// How long a run is: its messages, or its seconds of unlimited sending.
    static func perRun(_ options: BenchOptions) -> String {
        options.seconds > 0 ? "\(options.seconds) s per run" : "\(options.count) messages per run"
    }

    /// The table of one pair: medians over the runs, ours, the baseline and their ratios.
    public static func table(_ result: BenchResult) -> String {
        let options = result.options
        let load = options.rate > 0 ? "open loop at \(options.rate) msg/s" : "unlimited, window \(options.window)"
        var text =
            "bench client=\(result.client) gateway=\(result.gateway) at version \(result.version): \(perRun(options)) "
            + "(\(options.warmup) warm-up), mix \(options.mixText), payload \(options.payload) (\(sizes(result.frameBytes)) bytes), \(load)\n"
        text +=
            "medians of \(options.runs) run\(options.runs == 1 ? "" : "s")\(result.raw == nil ? "" : ", alternating with raw ZeroMQ frames of the same sizes")"
            + ", each with its lowest–highest over the runs; ours/raw run by run, then the median\n\n"
        let header = ["", "p50 µs", "p90 µs", "p99 µs", "p99.9 µs", "max µs", "msg/s", "client CPU s", "gateway CPU s"]
        var rows = [row("tgp", result.ours.median), rangeRow(result.ours.range)]
        if let raw = result.raw { rows += [row("raw zmq", raw.median), rangeRow(raw.range)] }
        if let ratios = result.ratios, let range = result.ratioRange {
            rows.append(["ours/raw"] + ratios.values.map(times))
            rows.append(["  range"] + zip(range.lowest.values, range.highest.values).map { "\(times($0))–\(times($1))" })
        }
        text += TextColumns.aligned([header] + rows)
        for warning in result.warnings { text += "warning: \(warning)\n" }
        return text
    }

    /// The matrix: for each compatible cell, p50 and throughput (and their ratios to the baseline).
    public static func grid(_ results: [BenchResult], clients: [String], gateways: [String]) -> String {
        let byCell = Dictionary(results.map { ("\($0.client) \($0.gateway)", $0) }, uniquingKeysWith: { a, _ in a })
        func section(_ title: String, _ cell: (BenchResult) -> String) -> String {
            var rows = [["client \\ gateway"] + gateways]
            for client in clients {
                rows.append([client] + gateways.map { gateway in byCell["\(client) \(gateway)"].map(cell) ?? "-" })
            }
            return title + "\n" + TextColumns.aligned(rows)
        }
        let p50 = section("round-trip p50 µs (ours/raw)") { result in
            microseconds(result.ours.median.p50) + (result.ratios.map { " (\(times($0.p50)))" } ?? "")
        }
        let throughput = section("throughput msg/s (ours/raw)") { result in
            thousands(result.ours.median.throughput) + (result.ratios.map { " (\(times($0.throughput)))" } ?? "")
        }
        return p50 + "\n" + throughput
    }

    /// The results as JSON; with the run's id when written to a report folder.
    public static func json(_ results: [BenchResult], runId: RunID? = nil) -> JSON {
        var root: JSONObject = ["tool": .string("compat bench"), "results": .array(results.map(\.json))]
        if let runId { root["runId"] = .string(runId.value) }
        return .object(root)
    }

    /// Writes bench.json, summary.md and bench.html, each carrying `runId`, and the latency
    /// distribution of every cell and series as an HdrHistogram `.hgrm` file, into `folder` as one set.
    public static func write(_ results: [BenchResult], text: String, runId: RunID, to folder: ReportFolder) throws {
        try folder.replace(
            with: [
                ReportFile("bench.json", json(results, runId: runId).serialized),
                ReportFile("summary.md", "# compat bench\n\n```\n" + text + "```\n\n" + runId.summaryLine + "\n"),
                ReportFile("bench.html", html(results, text: text, runId: runId)),
            ] + results.flatMap(percentileFiles))
    }

    /// `client=v3,gateway=v5,series=tgp.hgrm` (and `series=raw` for the baseline): the merged runs'
    /// latency by percentile in microseconds, as HdrHistogram's tools (and its plotter) read it.
    static func percentileFiles(_ result: BenchResult) -> [ReportFile] {
        let series = [("tgp", result.ours.merged)] + (result.raw.map { [("raw", $0.merged)] } ?? [])
        return series.map { name, histogram in
            var text = ""
            histogram.outputPercentileDistribution(to: &text, outputValueUnitScalingRatio: 1000)
            return ReportFile("client=\(result.client),gateway=\(result.gateway),series=\(name).hgrm", text)
        }
    }

    // MARK: HTML

    static func html(_ results: [BenchResult], text: String, runId: RunID) -> String {
        var page = pageStart("compat bench", text: text)
        for result in results {
            page += "<h2>client \(escaped(result.client)) → gateway \(escaped(result.gateway)), version \(result.version)</h2>\n"
            page += percentilePlot(ours: result.ours.merged, raw: result.raw?.merged)
        }
        return page + "<p>run id: <code>\(escaped(runId.value))</code></p>\n</body></html>\n"
    }

    /// A self-contained page's start, in the bench's style: `title` as its heading, then `text` preformatted.
    static func pageStart(_ title: String, text: String) -> String {
        """
        <!doctype html>
        <html><head><meta charset="utf-8"><title>\(escaped(title))</title>
        <style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}pre{background:#f6f6f6;padding:1em;overflow:auto}
        svg{background:#fff;border:1px solid #ddd}text{font-size:12px}</style>
        </head><body><h1>\(escaped(title))</h1>
        <pre>\(escaped(text))</pre>

        """
    }

    /// Latency against percentile on the usual HDR axis, 1/(1-p) on a log scale, so the tail has room.
    static func percentilePlot(ours: Histogram<UInt64>, raw: Histogram<UInt64>?) -> String {
        let width = 720.0
        let height = 360.0
        let left = 70.0
        let bottom = 40.0
        let top = 20.0
        let right = 20.0
        let curves = [("tgp (ours)", ours)] + (raw.map { [("raw zmq", $0)] } ?? [])
        let points = curves.map { curve in
            curve.1.percentiles(ticksPerHalfDistance: 5).map { (min($0.percentile, 99.9999), Double($0.value) / 1000) }
        }
        let maxX = log10(1 / (1 - 99.9999 / 100))
        let yTicks = latencyTicks(upTo: points.joined().map(\.1).max() ?? 1)
        let maxY = yTicks.last!
        func x(_ percentile: Double) -> Double { left + (width - left - right) * log10(1 / (1 - percentile / 100)) / maxX }
        func y(_ microseconds: Double) -> Double { height - bottom - (height - bottom - top) * microseconds / maxY }
        var svg = "<svg width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">\n"
        for percentile in percentileTicks {
            svg += "<line x1=\"\(x(percentile))\" y1=\"\(top)\" x2=\"\(x(percentile))\" y2=\"\(height - bottom)\" stroke=\"#eee\"/>"
            svg += "<text x=\"\(x(percentile))\" y=\"\(height - bottom + 16)\" text-anchor=\"middle\">\(tickLabel(percentile))%</text>\n"
        }
        for value in yTicks {
            svg += "<line x1=\"\(left)\" y1=\"\(y(value))\" x2=\"\(width - right)\" y2=\"\(y(value))\" stroke=\"#eee\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(y(value) + 4)\" text-anchor=\"end\">\(tickLabel(value))</text>\n"
        }
        svg +=
            "<text x=\"14\" y=\"\(top + (height - bottom - top) / 2)\" transform=\"rotate(-90 14 \(top + (height - bottom - top) / 2))\" text-anchor=\"middle\">latency µs</text>\n"
        svg += "<text x=\"\(left + (width - left - right) / 2)\" y=\"\(height - 6)\" text-anchor=\"middle\">percentile</text>\n"
        for (index, curve) in curves.enumerated() {
            let path = points[index].map { String(format: "%.1f,%.1f", x($0.0), y($0.1)) }.joined(separator: " ")
            let color = index == 0 ? "#c0392b" : "#2471a3"
            svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(path)\"/>\n"
            svg += "<text x=\"\(left + 10)\" y=\"\(top + 14 + Double(index) * 16)\" fill=\"\(color)\">\(curve.0)</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// The percentile axis: round percentiles, each a nine more than the one before.
    static let percentileTicks: [Double] = [0, 90, 99, 99.9, 99.99, 99.999]

    /// The latency axis from 0 to at least `maximum`, in round steps (1, 2 or 5 times a power of ten), four to ten of them.
    static func latencyTicks(upTo maximum: Double) -> [Double] {
        let top = Swift.max(maximum, 1e-3)
        let magnitude = pow(10, floor(log10(top / 4)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { top / $0 <= 10 }!
        let count = Int((top / step).rounded(.up))
        return (0...Swift.max(count, 1)).map { Double($0) * step }
    }

    /// A tick's value without float noise: `0.3`, not `0.30000000000000004`; `250`, not `250.0`.
    static func tickLabel(_ value: Double) -> String {
        var text = String(format: "%.6f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    // MARK: Formatting

    private static func row(_ name: String, _ figures: BenchFigures) -> [String] {
        [name] + figures.latencies.map(microseconds)
            + [thousands(figures.throughput), String(format: "%.2f", figures.clientCPU), String(format: "%.2f", figures.gatewayCPU)]
    }

    /// Each figure's lowest–highest over the runs, under its median.
    private static func rangeRow(_ range: (lowest: [Double], highest: [Double])) -> [String] {
        let cpu: (Double) -> String = { String(format: "%.2f", $0) }
        let formats: [(Double) -> String] = Array(repeating: { microseconds(UInt64($0)) }, count: 5) + [thousands, cpu, cpu]
        return ["  range"] + zip(formats, zip(range.lowest, range.highest)).map { format, pair in "\(format(pair.0))–\(format(pair.1))" }
    }

    static func microseconds(_ nanoseconds: UInt64) -> String { String(format: "%.1f", Double(nanoseconds) / 1000) }
    static func times(_ ratio: Double) -> String { String(format: "%.2f×", ratio) }
    static func thousands(_ value: Double) -> String {
        value >= 10_000 ? String(format: "%.0fk", value / 1000) : String(format: "%.0f", value)
    }

    private static func sizes(_ bytes: [Int]) -> String {
        let distinct = Array(Set(bytes)).sorted()
        return distinct.count == 1 ? "\(distinct[0])" : "\(distinct.first!)–\(distinct.last!)"
    }

    /// HTML text needs what XML text needs.
    static func escaped(_ text: String) -> String { JUnitXML.text(text) }
}
