// Change points of a benchmark history (Otava's E-divisive with a t-test) and `compat bench regressions`.

import Foundation
import MiniJSON
import Testing

@testable import CompatRunner

/// Noise from a fixed seed (a 64-bit LCG; the sum of four uniforms, roughly normal), scaled to `spread`.
private struct Noise {
    var state: UInt64

    mutating func next(_ spread: Double) -> Double {
        var sum = 0.0
        for _ in 0..<4 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            sum += Double(state >> 11) / Double(1 << 53)
        }
        return (sum - 2) * spread * 1.732
    }
}

/// Levels `(rows, mean)` one after the other, with noise.
private func series(_ levels: [(Int, Double)], spread: Double = 2, seed: UInt64 = 7) -> [Double] {
    var noise = Noise(state: seed)
    return levels.flatMap { count, mean in (0..<count).map { _ in mean + noise.next(spread) } }
}

/// A history file in a temporary folder, removed when the value goes away.
private final class HistoryFile {
    let folder: String
    var path: String { folder + "/history.csv" }

    init(_ text: String) throws {
        var template = Array("/tmp/compat-history-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        folder = String(cString: made)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }
}

/// CSV in Otava's layout: time, commit, machine, p99_us, throughput_per_s.
private func csv(p99: [Double], throughput: [Double]? = nil, machine: String = "ci-1") -> String {
    var text = "time,commit,machine,p99_us,throughput_per_s\n"
    for (i, value) in p99.enumerated() {
        text += "2026-01-01T00:\(i / 60):\(i % 60)Z,c\(i),\(machine),\(value),\(throughput?[i] ?? 1000)\n"
    }
    return text
}

@Suite("change points")
struct ChangePointTests {
    @Test("steps are found at the first row of each new level")
    func steps() {
        let values = series([(40, 100), (30, 125), (50, 110)])
        let points = ChangePoints.detect(values)
        #expect(points.map(\.index) == [40, 70])
        let first = points[0].stats
        #expect(abs(first.changePercent - 25) < 3 && first.pValue < 0.001)
        #expect(abs(first.meanBefore - 100) < 1.5 && abs(first.meanAfter - 125) < 1.5)
    }

    @Test("single spikes, up or down, are no change points, at the end either")
    func spikes() {
        var values = series([(90, 100)])
        for i in [10, 33, 60] { values[i] *= 1.6 }
        values[75] *= 0.5
        values[89] *= 1.8
        #expect(ChangePoints.detect(values).isEmpty)
    }

    @Test("no change point on fewer rows than the minimum segment; every segment at least that long")
    func minimumSegment() {
        let values = series([(40, 100), (3, 150)])
        #expect(ChangePoints.detect(values).isEmpty)
        var three = ChangePointOptions()
        three.minSegment = 3
        #expect(ChangePoints.detect(values, options: three).map(\.index) == [40])
        for seed in UInt64(1)...20 {
            let noisy = series([(17, 100), (6, 130), (30, 95), (4, 140), (23, 100)], spread: 8, seed: seed)
            let indices = [0] + ChangePoints.detect(noisy).map(\.index) + [noisy.count]
            #expect(zip(indices, indices.dropFirst()).allSatisfy { $1 - $0 >= 5 }, "seed \(seed): \(indices)")
        }
    }

    @Test("the same series gives the same change points and figures every time")
    func deterministic() {
        let values = series([(60, 100), (60, 104), (80, 97)], spread: 5, seed: 99)
        let first = ChangePoints.detect(values)
        #expect(!first.isEmpty)
        for _ in 0..<3 { #expect(ChangePoints.detect(values) == first) }
    }

    @Test("a missing value takes the previous one (the next at the start); the t-test's p is scipy's")
    func missingAndPValue() {
        let full = series([(30, 100), (30, 130)])
        let missing: [Double?] = full.enumerated().map { $0.offset % 7 == 3 || $0.offset == 0 ? nil : $0.element }
        var filled = full
        filled[0] = full[1]
        for i in filled.indices where i % 7 == 3 { filled[i] = filled[i - 1] }
        let points = ChangePoints.detect(missing)
        #expect(points == ChangePoints.detect(filled) && points.first?.index == 30)
        // 2 * scipy.stats.t.sf(2.0, 10) and 2 * t.sf(4.5, 3)
        #expect(abs(ChangePoints.twoSidedP(t: 2.0, df: 10) - 0.073_388_034_770_740_39) < 1e-12)
        #expect(abs(ChangePoints.twoSidedP(t: -4.5, df: 3) - 0.020_490_412_344_453_403) < 1e-12)
    }

    @Test("a bad row is an error naming the file and its line, never a crash")
    func badRows() throws {
        let cases: [(String, String)] = [
            ("time,commit,p99_us\nt1,a,10\nt2,b\n", "history.csv:3: 2 fields"),
            ("time,commit,p99_us\nt1,a,10\nt2,b,10,11\n", "history.csv:3: 4 fields"),
            ("time,commit,p99_us\nt1,a,10\nt2,b,fast\n", "history.csv:3: p99_us is \"fast\""),
            ("time,commit,p99_us\nt1,a,10\nt2,\"b,10\n", "history.csv:3: a quoted field is not closed"),
            ("commit,p99_us\na,10\n", "history.csv:1: no \"time\" column"),
            ("time,commit,p99_us\nt1,a,10\n,b,11\n", "history.csv:3: no time"),
        ]
        for (text, message) in cases {
            let file = try HistoryFile(text)
            do {
                var options = RegressionOptions()
                options.metrics = ["p99_us"]
                _ = try RegressionAnalysis.analyze(try BenchHistory.load(path: file.path), options: options)
                Issue.record("no error for \(text.debugDescription)")
            } catch {
                #expect(error.message.contains(message), "\(error.message)")
            }
        }
    }

    @Test("series: a machine's rows never mix with another's; throughput down and latency up are regressions")
    func seriesAndDirections() throws {
        let fast = csv(p99: series([(40, 100)]), throughput: series([(30, 1000), (10, 800)], spread: 5))
        let slow = csv(p99: series([(30, 300), (10, 400)], seed: 3), machine: "ci-2").split(separator: "\n").dropFirst()
        let file = try HistoryFile(fast + slow.joined(separator: "\n") + "\n")
        let analysis = try RegressionAnalysis.analyze(try BenchHistory.load(path: file.path), options: RegressionOptions())
        #expect(analysis.series.map(\.label) == ["machine=ci-1", "machine=ci-2"])
        let first = analysis.series[0].metrics
        #expect(first.map(\.metric) == ["p99_us", "throughput_per_s"])
        #expect(first[0].changePoints.isEmpty)
        #expect(first[1].direction == .higherIsBetter && first[1].changePoints.map(\.index) == [30] && first[1].lastSegmentRegresses)
        #expect(first[1].changePoints[0].commit == "c30" && first[1].changePoints[0].line == 32)
        let second = analysis.series[1].metrics[0]
        #expect(second.direction == .lowerIsBetter && second.changePoints.map(\.index) == [30] && second.lastSegmentRegresses)
        #expect(analysis.regresses)

        // A numeric column made an attribute separates series; without it, it is one more metric.
        var options = RegressionOptions()
        options.attributes = ["throughput_per_s"]
        let byThroughput = try RegressionAnalysis.analyze(try BenchHistory.load(path: file.path), options: options)
        #expect(byThroughput.series.count > 2 && byThroughput.series.allSatisfy { $0.metrics.map(\.metric) == ["p99_us"] })
    }

    @Test("compat's own history (bench --history) is one series per machine, cell and mix, whatever its warnings and other figures")
    func ownHistory() throws {
        let p50 = series([(8, 300), (8, 900)], spread: 10)
        var noise = Noise(state: 11)
        var text = BenchHistoryWriter.header + "\n"
        for (i, value) in p50.enumerated() {
            let attributes = [
                "2026-01-01T00:00:\(10 + i)Z", "c\(i)", "run\(i)", "vm; CPU; 2 cores", "swift 6.3.1", "v3/v5", "NewOrder=1", "key-1", "3",
                "3",
                "2000", i % 3 == 0 ? "machine loaded: 40%" : "",
            ]
            let metrics = BenchHistoryWriter.metricColumns.map { column in
                column == "p50_us" ? String(value) : String(100 + noise.next(20))
            }
            text += (attributes + metrics).joined(separator: ",") + "\n"
        }
        let file = try HistoryFile(text)
        for metrics in [[], ["p50_us"]] {
            var options = RegressionOptions()
            options.metrics = metrics
            let analysis = try RegressionAnalysis.analyze(try BenchHistory.load(path: file.path), options: options)
            #expect(analysis.series.count == 1, "\(analysis.series.map(\.label))")
            let p50Metric = analysis.series.first?.metrics.first { $0.metric == "p50_us" }
            #expect(p50Metric?.changePoints.map(\.index) == [8] && p50Metric?.lastSegmentRegresses == true)
        }
    }

    @Test("compat bench regressions: exit 1 on a regression at the end, 0 on an improvement or before --since, 2 on a bad file")
    func command() throws {
        let worse = try HistoryFile(csv(p99: series([(30, 100), (10, 130)])))
        let run = try runCompat(["bench", "regressions", worse.path])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("row 30 (line 32)") && run.stdout.contains("commit c30") && run.stdout.contains("REGRESSION"))
        let json = try runCompat(["bench", "regressions", worse.path, "--json", "--metric", "p99_us"])
        #expect(json.status == 1)
        let root = try JSON.parse(json.stdout)
        #expect(root["regression"]?.boolValue == true)
        #expect(root["series"]?[0]?["metrics"]?[0]?["changePoints"]?[0]?["commit"]?.stringValue == "c30")
        #expect(try runCompat(["bench", "regressions", worse.path, "--max-regression", "40"]).status == 0)
        #expect(try runCompat(["bench", "regressions", worse.path, "--since", "c31"]).status == 0)

        let better = try HistoryFile(csv(p99: series([(30, 130), (10, 100)])))
        #expect(try runCompat(["bench", "regressions", better.path]).status == 0)

        let bad = try HistoryFile("time,commit,p99_us\nt1,a,10\nt2,b\n")
        let failed = try runCompat(["bench", "regressions", bad.path])
        #expect(failed.status == 2 && failed.stderr.contains("history.csv:3"), "\(failed.stderr)")
    }

    @Test("compat bench regressions --report-dir: regressions.html, a plot per series and metric with the change point's row, text escaped")
    func reportDir() throws {
        let first = csv(p99: series([(30, 100), (10, 130)]), machine: "<i>ci-1</i>")
            .replacingOccurrences(of: ",c30,", with: ",<script>,")
        let second = csv(p99: series([(40, 100)], seed: 3), machine: "ci-2").split(separator: "\n").dropFirst()
        let file = try HistoryFile(first + second.joined(separator: "\n") + "\n")
        let folder = file.folder + "/reports/regressions"
        let run = try runCompat(["bench", "regressions", file.path, "--report-dir", folder])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        let page = try String(contentsOfFile: folder + "/regressions.html", encoding: .utf8)
        // Two series (machines) × two metrics (p99_us, throughput_per_s).
        #expect(page.components(separatedBy: "<svg ").count - 1 == 4)
        #expect(page.components(separatedBy: "class=\"change-point\"").count - 1 == 1)
        #expect(page.contains("class=\"change-point\" data-row=\"30\""))
        #expect(page.contains("row 30 (&lt;script&gt;): +"))
        #expect(page.contains("&lt;i&gt;ci-1&lt;/i&gt;"))
        #expect(!page.contains("<script") && !page.contains("<i>"))

        let notAFolder = try runCompat(["bench", "regressions", file.path, "--report-dir", file.path + "/reports"])
        #expect(notAFolder.status == 2 && notAFolder.stderr.contains("--report-dir"), "\(notAFolder.stderr)")
    }
}
