// `compat bench regressions --report-dir`: regressions.html, a plot per series and metric of the
// values in row order with each change point marked, in bench.html's style (inline SVG, no assets).
// Every text from the history (column names, commits, machine names) is escaped.

import Foundation

public enum RegressionsReport {
    /// Writes regressions.html into `folder` as a set of its own.
    public static func write(_ analysis: RegressionAnalysis, to folder: ReportFolder) throws {
        try folder.replace(with: [ReportFile("regressions.html", html(analysis))])
    }

    static func html(_ analysis: RegressionAnalysis) -> String {
        var page = BenchReport.pageStart("compat bench regressions", text: analysis.text)
        for series in analysis.series {
            page += "<h2>series \(BenchReport.escaped(series.label)) (\(series.rowCount) rows)</h2>\n"
            for metric in series.metrics {
                page += "<h3>\(BenchReport.escaped(metric.metric)) (\(metric.direction.rawValue))</h3>\n"
                page += plot(metric, rowCount: series.rowCount)
            }
        }
        return page + "</body></html>\n"
    }

    /// The values against their row; at each change point a vertical line at the new regime's first
    /// row (`data-row`), labelled with the change in % and p; each segment's mean as a horizontal line.
    static func plot(_ metric: MetricAnalysis, rowCount: Int) -> String {
        let width = 720.0
        let height = 300.0
        let left = 70.0
        let bottom = 40.0
        let top = 20.0
        let right = 20.0
        let known = metric.values.compactMap { $0 }
        let base = Swift.min(0, known.min() ?? 0)
        let yTicks = BenchReport.latencyTicks(upTo: (known.max() ?? 1) - base).map { $0 + base }
        let minY = yTicks.first!
        let maxY = yTicks.last!
        let lastRow = Double(Swift.max(rowCount - 1, 1))
        func x(_ row: Int) -> Double { left + (width - left - right) * Double(row) / lastRow }
        func y(_ value: Double) -> Double { height - bottom - (height - bottom - top) * (value - minY) / (maxY - minY) }
        let f: (Double) -> String = { String(format: "%.1f", $0) }

        var svg = "<svg width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">\n"
        for value in yTicks {
            svg += "<line x1=\"\(left)\" y1=\"\(f(y(value)))\" x2=\"\(width - right)\" y2=\"\(f(y(value)))\" stroke=\"#eee\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(f(y(value) + 4))\" text-anchor=\"end\">\(BenchReport.tickLabel(value))</text>\n"
        }
        for row in rowTicks(rowCount) {
            svg += "<text x=\"\(f(x(row)))\" y=\"\(height - bottom + 16)\" text-anchor=\"middle\">\(row)</text>\n"
        }
        let middle = top + (height - bottom - top) / 2
        svg += "<text x=\"14\" y=\"\(middle)\" transform=\"rotate(-90 14 \(middle))\" text-anchor=\"middle\">"
        svg += "\(BenchReport.escaped(metric.metric))</text>\n"
        svg += "<text x=\"\(left + (width - left - right) / 2)\" y=\"\(height - 6)\" text-anchor=\"middle\">row</text>\n"

        let points = metric.values.enumerated().compactMap { row, value in value.map { "\(f(x(row))),\(f(y($0)))" } }
        svg += "<polyline fill=\"none\" stroke=\"#2471a3\" stroke-width=\"1.5\" points=\"\(points.joined(separator: " "))\"/>\n"

        // Segment means: between the change points reported, over the rows that have a value.
        let bounds = [0] + metric.changePoints.map(\.index) + [rowCount]
        for (from, to) in zip(bounds, bounds.dropFirst()) where from < to {
            let values = metric.values[from..<Swift.min(to, metric.values.count)].compactMap { $0 }
            guard !values.isEmpty else { continue }
            let mean = y(values.reduce(0, +) / Double(values.count))
            svg += "<line class=\"mean\" x1=\"\(f(x(from)))\" y1=\"\(f(mean))\" x2=\"\(f(x(to - 1)))\" y2=\"\(f(mean))\" "
            svg += "stroke=\"#555\" stroke-width=\"2\"/>\n"
        }
        for (number, point) in metric.changePoints.enumerated() {
            let color = point.isRegression ? "#c0392b" : "#1e8449"
            let s = point.stats
            var label = "row \(point.index)"
            if let commit = point.commit { label += " (\(commit))" }
            label += ": " + (s.changePercent >= 0 ? "+" : "") + RegressionAnalysis.format(s.changePercent) + "%"
            label += " p=" + RegressionAnalysis.formatP(s.pValue)
            svg += "<line class=\"change-point\" data-row=\"\(point.index)\" x1=\"\(f(x(point.index)))\" y1=\"\(top)\" "
            svg += "x2=\"\(f(x(point.index)))\" y2=\"\(height - bottom)\" stroke=\"\(color)\" stroke-dasharray=\"4 3\"/>"
            let anchor = x(point.index) > width / 2 ? "end" : "start"
            let labelX = x(point.index) + (anchor == "end" ? -4 : 4)
            svg += "<text x=\"\(f(labelX))\" y=\"\(top + 12 + Double(number % 4) * 14)\" text-anchor=\"\(anchor)\" fill=\"\(color)\">"
            svg += "\(BenchReport.escaped(label))</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// Row numbers to label: about eight, in round steps.
    static func rowTicks(_ rowCount: Int) -> [Int] {
        guard rowCount > 1 else { return [0] }
        let step = Swift.max(1, Int(BenchReport.latencyTicks(upTo: Double(rowCount - 1)).dropFirst().first ?? 1))
        return Array(stride(from: 0, through: rowCount - 1, by: step))
    }
}
