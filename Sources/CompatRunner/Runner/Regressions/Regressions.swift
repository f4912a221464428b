// `compat bench regressions`: a history's rows grouped into series, each metric's change points,
// and the verdict: a regression when the last segment of a series is worse than the one before by
// more than a bound.

import Foundation
import MiniJSON

/// Which way a metric gets worse, decided by its name.
public enum MetricDirection: String, Sendable {
    case lowerIsBetter = "lower-is-better"
    case higherIsBetter = "higher-is-better"

    /// Higher is better for a throughput: a name containing "throughput", or ending in per_s,
    /// per_sec, per_second, /s, _ops, _rps, _mps or _qps. Lower is better for everything else
    /// (latencies such as p50, p99.9, max, durations, spreads).
    public static func of(_ metric: String) -> MetricDirection {
        let name = metric.lowercased()
        let higher = ["per_s", "per_sec", "per_second", "/s", "_ops", "_rps", "_mps", "_qps"]
        return name.contains("throughput") || higher.contains(where: name.hasSuffix) ? .higherIsBetter : .lowerIsBetter
    }

    /// Whether a change of `percent` (after against before) is worse by more than `bound` %.
    func isRegression(percent: Double, bound: Double) -> Bool {
        switch self {
        case .lowerIsBetter: percent > bound
        case .higherIsBetter: percent < -bound
        }
    }
}

public struct RegressionOptions: Sendable {
    public var detection = ChangePointOptions()
    /// The metric columns to analyse; empty: every numeric column but `attributes`.
    public var metrics: [String] = []
    /// Numeric columns that are attributes (part of a series' key), e.g. a rate.
    public var attributes: [String] = []
    /// Only change points from the first row of this commit on are reported and gated.
    public var since: String?
    /// A last segment worse than this, in %, is a regression (exit 1).
    public var maxRegressionPercent = 5.0

    public init() {}
}

/// A change point with the row it starts at.
public struct ReportedChangePoint: Sendable {
    /// The index of the new regime's first row within its series.
    public var index: Int
    /// That row's line in the file.
    public var line: Int
    public var time: String
    public var commit: String?
    public var stats: ChangePointStats
    /// Worse than the bound, in the metric's bad direction.
    public var isRegression: Bool
}

public struct MetricAnalysis: Sendable {
    public var metric: String
    public var direction: MetricDirection
    public var changePoints: [ReportedChangePoint]
    /// The metric's value in each row of the series, in row order (nil: the row has none).
    public var values: [Double?] = []
    /// The last change point reported is a regression: the series is worse now than before it.
    public var lastSegmentRegresses: Bool { changePoints.last?.isRegression ?? false }
}

public struct SeriesAnalysis: Sendable {
    /// The attributes that make the series: name and value, in the file's column order.
    public var key: [(name: String, value: String)]
    public var rowCount: Int
    public var metrics: [MetricAnalysis]

    public var label: String { key.isEmpty ? "(all rows)" : key.map { "\($0.name)=\($0.value)" }.joined(separator: " ") }
}

public struct RegressionAnalysis: Sendable {
    public var path: String
    public var options: RegressionOptions
    public var series: [SeriesAnalysis]

    /// Some series ends in a regression beyond the bound.
    public var regresses: Bool { series.contains { $0.metrics.contains(where: \.lastSegmentRegresses) } }

    /// Reads the history and analyses it. Metrics: `options.metrics`, or every numeric column but
    /// time and `options.attributes`. Series: the rows with the same values of every other column except the per-run ones
    /// (time, commit, run, run_id, toolchain), in file order.
    public static func analyze(_ history: BenchHistory, options: RegressionOptions) throws(ConfigError) -> RegressionAnalysis {
        let header = history.header
        let path = history.path
        var metricColumns: [Int] = []
        for name in options.attributes where !header.contains(name) || options.metrics.contains(name) {
            throw ConfigError("\(path): --attribute \(name): \(header.contains(name) ? "also a --metric" : "no such column")")
        }
        if options.metrics.isEmpty {
            metricColumns = header.indices.filter {
                header[$0] != BenchHistory.timeColumn && !options.attributes.contains(header[$0])
                    && !BenchHistory.numericAttributes.contains(header[$0]) && history.isNumeric(column: $0)
            }
            guard !metricColumns.isEmpty || history.rows.isEmpty else {
                throw ConfigError("\(path): no column is a metric (every value a number)")
            }
        } else {
            for name in options.metrics {
                guard let column = header.firstIndex(of: name), name != BenchHistory.timeColumn else {
                    throw ConfigError("\(path): no metric column \"\(name)\" (columns: \(header.joined(separator: ", ")))")
                }
                metricColumns.append(column)
            }
        }
        let commitColumn = header.firstIndex(of: BenchHistory.commitColumn)
        let timeColumn = header.firstIndex(of: BenchHistory.timeColumn)!
        // A series is told by what was run (text columns and the attributes named), never by another metric's values.
        let keyColumns = header.indices.filter { column in
            let name = header[column]
            guard !metricColumns.contains(column), !BenchHistory.perRunColumns.contains(name) else { return false }
            return options.attributes.contains(name) || BenchHistory.numericAttributes.contains(name) || !history.isNumeric(column: column)
        }
        var sinceLine: Int?
        if let since = options.since {
            guard let commitColumn else { throw ConfigError("\(path): --since needs a \"commit\" column") }
            guard let row = history.rows.first(where: { $0.fields[commitColumn] == since }) else {
                throw ConfigError("\(path): no row of commit \"\(since)\" (--since)")
            }
            sinceLine = row.line
        }

        var order: [[String]] = []
        var groups: [[String]: [BenchHistory.Row]] = [:]
        for row in history.rows {
            let key = keyColumns.map { row.fields[$0] }
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(row)
        }
        var series: [SeriesAnalysis] = []
        for key in order {
            let rows = groups[key]!
            var metrics: [MetricAnalysis] = []
            for column in metricColumns {
                var values: [Double?] = []
                for row in rows { values.append(try history.number(row, column: column)) }
                let direction = MetricDirection.of(header[column])
                let points = ChangePoints.detect(values, options: options.detection).compactMap { point -> ReportedChangePoint? in
                    let row = rows[point.index]
                    if let sinceLine, row.line < sinceLine { return nil }
                    return ReportedChangePoint(
                        index: point.index, line: row.line, time: row.fields[timeColumn], commit: commitColumn.map { row.fields[$0] },
                        stats: point.stats,
                        isRegression: direction.isRegression(percent: point.stats.changePercent, bound: options.maxRegressionPercent))
                }
                metrics.append(MetricAnalysis(metric: header[column], direction: direction, changePoints: points, values: values))
            }
            series.append(
                SeriesAnalysis(key: zip(keyColumns, key).map { (header[$0.0], $0.1) }, rowCount: rows.count, metrics: metrics))
        }
        return RegressionAnalysis(path: path, options: options, series: series)
    }

    /// The change points as text: a block per series, a line per change point.
    public var text: String {
        var out = ""
        let detection = options.detection
        out += "change points in \(path): window \(detection.windowLength), p < \(detection.maxPValue), "
        out += "min segment \(detection.minSegment) rows, regression beyond \(Self.format(options.maxRegressionPercent))%\n"
        for series in series {
            out += "\nseries \(series.label) (\(series.rowCount) rows)\n"
            for metric in series.metrics {
                guard !metric.changePoints.isEmpty else {
                    out += "  \(metric.metric): no change point\n"
                    continue
                }
                out += "  \(metric.metric) (\(metric.direction.rawValue)):\n"
                for point in metric.changePoints {
                    let s = point.stats
                    let change = (s.changePercent >= 0 ? "+" : "") + Self.format(s.changePercent) + "%"
                    out += "    row \(point.index) (line \(point.line)) \(point.time)"
                    if let commit = point.commit { out += " commit \(commit)" }
                    out += ": \(change)  \(Self.format(s.meanBefore)) ±\(Self.format(s.stddevBefore))"
                    out += " → \(Self.format(s.meanAfter)) ±\(Self.format(s.stddevAfter))  p=\(Self.formatP(s.pValue))"
                    out += point.isRegression ? "  REGRESSION\n" : "\n"
                }
                if metric.lastSegmentRegresses { out += "    the last segment is a regression\n" }
            }
        }
        out +=
            regresses
            ? "\nregression: a series ends worse than before by more than the bound\n" : "\nno regression in the last segments\n"
        return out
    }

    public var json: JSON {
        let detection = options.detection
        var parameters: JSONObject = [
            "window": .integer(detection.windowLength), "maxPValue": .double(detection.maxPValue),
            "minMagnitude": .double(detection.minMagnitude), "minSegment": .integer(detection.minSegment),
            "maxRegressionPercent": .double(options.maxRegressionPercent),
        ]
        if let since = options.since { parameters["since"] = .string(since) }
        let series: [JSON] = series.map { series in
            var key = JSONObject()
            for (name, value) in series.key { key[name] = .string(value) }
            let metrics: [JSON] = series.metrics.map { metric in
                let points: [JSON] = metric.changePoints.map { point in
                    let s = point.stats
                    var object: JSONObject = [
                        "index": .integer(point.index), "line": .integer(point.line), "time": .string(point.time),
                        "changePercent": .double(s.changePercent), "meanBefore": .double(s.meanBefore),
                        "stddevBefore": .double(s.stddevBefore), "meanAfter": .double(s.meanAfter),
                        "stddevAfter": .double(s.stddevAfter), "pValue": .double(s.pValue), "regression": .bool(point.isRegression),
                    ]
                    if let commit = point.commit { object["commit"] = .string(commit) }
                    return .object(object)
                }
                return .object([
                    "metric": .string(metric.metric), "direction": .string(metric.direction.rawValue), "changePoints": .array(points),
                    "lastSegmentRegression": .bool(metric.lastSegmentRegresses),
                ])
            }
            return .object(["key": .object(key), "rows": .integer(series.rowCount), "metrics": .array(metrics)])
        }
        return .object([
            "tool": .string("compat bench regressions"), "file": .string(path), "parameters": .object(parameters),
            "series": .array(series), "regression": .bool(regresses),
        ])
    }

    static func format(_ value: Double) -> String {
        let magnitude = abs(value)
        let digits = magnitude >= 100 ? 1 : magnitude >= 1 ? 2 : 4
        return String(format: "%.\(digits)f", value)
    }

    static func formatP(_ p: Double) -> String { p < 0.0001 ? String(format: "%.1e", p) : String(format: "%.4f", p) }
}
