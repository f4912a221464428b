// `compat bench` against real peer processes: what one pair and the whole matrix report, the
// files of --report-dir, and misuse. Benchmarks are measured, never asserted on: these tests
// check the figures' shape and consistency only (debug builds, small counts).

import BuiltBinaries
import Foundation
import MiniJSON
import Testing

@Suite("compat bench", .serialized)
struct BenchTests {
    /// `compat bench` on the test matrix of the five reference peers.
    private func bench(_ arguments: [String], matrix: TestMatrix) throws -> (status: Int32, stdout: String, stderr: String) {
        try runCompat(["bench"] + arguments + ["--matrix", matrix.path, "--fixtures", Built.fixtures])
    }

    private func benchFolders() -> Set<String> {
        Set(((try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []).filter { $0.hasPrefix("compat-bench-") })
    }

    @Test("one pair, unlimited: ours and the baseline per run, medians, ratios, JSON and the HTML plot")
    func onePair() throws {
        let matrix = try TestMatrix()
        let before = benchFolders()
        let reports = matrix.folder + "/reports"
        let run = try bench(
            ["v3", "v5", "--runs", "2", "--count", "3000", "--warmup", "500", "--json", "--report-dir", reports], matrix: matrix)
        #expect(run.status == 0, "\(run.stderr)")
        let result = try #require(try JSON.parse(run.stdout)["results"]?.arrayValue?.first)
        #expect(result["client"]?.stringValue == "v3" && result["gateway"]?.stringValue == "v5")
        #expect(result["version"]?.intValue == 3, "v3 and v5 settle on version 3")
        #expect(result["frameBytes"]?.arrayValue?.first?.intValue == 47, "a NewOrder at version 3 is 47 bytes")
        for side in ["ours", "raw"] {
            let runs = result[side]?["runs"]?.arrayValue ?? []
            #expect(runs.count == 2, "\(side): \(runs.count) runs")
            for figures in runs + [result[side]?["median"] ?? .null] {
                // Every message after the warm-up has a latency, and the percentiles are ordered.
                #expect(figures["measured"]?.intValue == 2500, "\(side): \(figures.serialized)")
                let latencies = ["p50Ns", "p90Ns", "p99Ns", "p99.9Ns", "maxNs"].map { figures[$0]?.uint64Value ?? 0 }
                #expect(latencies[0] > 0 && latencies == latencies.sorted(), "\(side): \(latencies)")
                #expect((figures["messagesPerSecond"]?.doubleValue ?? 0) > 0)
            }
        }
        let ratios = try #require(result["ratios"])
        #expect((ratios["p50"]?.doubleValue ?? 0) > 0 && (ratios["messagesPerSecond"]?.doubleValue ?? 0) > 0)

        let html = try String(contentsOfFile: reports + "/bench.html", encoding: .utf8)
        #expect(html.contains("<svg") && html.components(separatedBy: "<polyline").count == 3, "ours and the baseline plotted")
        let written = try JSON.parse(try String(contentsOfFile: reports + "/bench.json", encoding: .utf8))
        #expect(written["results"]?.arrayValue?.count == 1)
        // Every file carries the run's id, the one printed and in the JSON on stdout.
        let runId = try #require(printedRunId(run.stderr), "\(run.stderr.suffix(300))")
        #expect(try JSON.parse(run.stdout)["runId"]?.stringValue == runId)
        #expect(written["runId"]?.stringValue == runId)
        #expect(summaryRunId(try String(contentsOfFile: reports + "/summary.md", encoding: .utf8)) == runId)
        #expect(html.contains("<p>run id: <code>\(runId)</code></p>"))
        #expect(benchFolders().subtracting(before).isEmpty, "a bench folder was left in /tmp")

        // Each series' distribution as an .hgrm file: ordered percentiles up to every measured message (2 runs × 2500).
        for series in ["tgp", "raw"] {
            let rows = try hgrmRows(reports + "/client=v3,gateway=v5,series=\(series).hgrm")
            #expect(rows.count > 10, "\(series): \(rows.count) rows")
            #expect(
                rows.map(\.percentile) == rows.map(\.percentile).sorted() && rows.allSatisfy { (0...1).contains($0.percentile) },
                "\(series)")
            #expect(rows.map(\.value) == rows.map(\.value).sorted() && rows.first!.value > 0, "\(series)")
            #expect(rows.last?.percentile == 1 && rows.last?.totalCount == 5000, "\(series): \(rows.last.map { "\($0)" } ?? "none")")
        }
        // The latency axis is labelled in round steps (1, 2 or 5 times a power of ten) from 0.
        let labels = html.components(separatedBy: "text-anchor=\"end\">").dropFirst().compactMap { Double($0.prefix { $0 != "<" }) }
        #expect(labels.count >= 5 && labels.first == 0, "\(labels)")
        let step = labels.count > 1 ? labels[1] : 0
        let mantissa = step / pow(10, floor(log10(step)))
        #expect([1, 2, 5].contains { abs(mantissa - $0) < 1e-9 }, "step \(step)")
        #expect(labels.enumerated().allSatisfy { abs($0.element - Double($0.offset) * step) < step * 1e-9 }, "\(labels)")
        #expect(html.contains(">99.9%</text>") && html.contains(">99.999%</text>"))
    }

    /// The value, percentile and total count columns of an HdrHistogram percentile file.
    private func hgrmRows(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [(
        value: Double, percentile: Double, totalCount: Int
    )] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(
            lines.first?.split(separator: " ") == ["Value", "Percentile", "TotalCount", "1/(1-Percentile)"], sourceLocation: sourceLocation)
        return lines.dropFirst().filter { !$0.hasPrefix("#") }.compactMap { line in
            let columns = line.split(separator: " ")
            guard columns.count == 3 || columns.count == 4, let value = Double(columns[0]), let percentile = Double(columns[1]),
                let total = Int(columns[2])
            else {
                Issue.record("\(path): not a percentile row: \(line)", sourceLocation: sourceLocation)
                return nil
            }
            return (value, percentile, total)
        }
    }

    @Test("open loop at a rate, a mix with long var-data: every message answered, the table printed")
    func rateAndMix() throws {
        let matrix = try TestMatrix()
        let run = try bench(
            [
                "v5", "v5", "--runs", "1", "--rate", "2000", "--seconds", "0.5", "--mix", "NewOrder=8,CancelOrder=1,ModifyOrder=1",
                "--payload", "longest-strings",
            ], matrix: matrix)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            run.stdout.contains("1000 messages per run (100 warm-up), mix NewOrder=8,CancelOrder=1,ModifyOrder=1, payload longest-strings"),
            "\(run.stdout)")
        #expect(run.stdout.contains("open loop at 2000 msg/s"))
        for row in ["tgp", "raw zmq", "ours/raw"] {
            #expect(run.stdout.split(separator: "\n").contains { $0.hasPrefix(row + " ") }, "no \(row) row:\n\(run.stdout)")
        }
    }

    @Test("--seconds without --rate: unlimited for that long, every message sent answered, the run's length said")
    func secondsWithoutRate() throws {
        let matrix = try TestMatrix()
        let run = try bench(["v3", "v5", "--runs", "1", "--seconds", "0.3", "--baseline", "none", "--json"], matrix: matrix)
        #expect(run.status == 0, "\(run.stderr)")
        let result = try #require(try JSON.parse(run.stdout)["results"]?[0])
        #expect(result["mode"] == .string("unlimited") && result["seconds"] == .double(0.3) && result["warmup"] == .integer(1_000))
        // Every message after the warm-up measured: the run ended on time, not at its ceiling of 300,000.
        let measured = try #require(result["ours"]?["runs"]?[0]?["measured"]?.intValue, "\(run.stdout)")
        #expect(measured > 0 && measured < 300_000 - 1_000, "\(run.stdout)")
        let text = try bench(["v3", "v5", "--runs", "1", "--seconds", "0.3", "--baseline", "none"], matrix: matrix)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains(": 0.3 s per run (1000 warm-up), mix NewOrder=1"), "\(text.stdout)")
        #expect(text.stdout.contains("unlimited, window 256"), "\(text.stdout)")
    }

    @Test("--grid: every compatible cell, and only those, in a grid")
    func matrixGrid() throws {
        let matrix = try TestMatrix()
        let run = try bench(["--grid", "--runs", "1", "--count", "300", "--warmup", "50", "--baseline", "none", "--json"], matrix: matrix)
        #expect(run.status == 0, "\(run.stderr)")
        let results = try JSON.parse(run.stdout)["results"]?.arrayValue ?? []
        let cells = Set(
            results.compactMap { result in result["client"]?.stringValue.map { "\($0)/\(result["gateway"]?.stringValue ?? "")" } })
        #expect(cells.count == 19, "the 19 compatible cells: \(cells.sorted())")
        #expect(!cells.contains("v1/v5") && !cells.contains("v5/v1"))
        #expect(results.allSatisfy { $0["raw"] == nil && $0["ratios"] == nil }, "--baseline none measures ours only")
    }

    @Test(
        "misuse exits 2 with the reason",
        arguments: [
            (["v1", "v5"], "share no version"),
            (["v3", "v5", "--seconds", "1", "--count", "10"], "--seconds must be positive, and not given with --count"),
            (["v3", "v5", "--mix", "Heartbeat"], "not answered by the reference gateway"),
            (["v3", "v5", "--mix", "MassCancel"], "was added in version"),
            (["v3", "v5", "--payload", "no-such-edge"], "no message of the mix has that edge"),
            (["v3", "nope"], "no peer named \"nope\""),
            (["v3"], "give CLIENT GATEWAY"),
        ])
    func misuse(arguments: [String], reason: String) throws {
        let matrix = try TestMatrix()
        let run = try bench(arguments, matrix: matrix)
        #expect(run.status == 2, "\(arguments): exit \(run.status)\n\(run.stderr)")
        #expect(run.stderr.contains(reason), "\(arguments): \(run.stderr)")
    }
}
