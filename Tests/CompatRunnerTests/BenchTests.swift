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
        let run = try bench(["v3", "v5", "--runs", "2", "--count", "3000", "--warmup", "500", "--json", "--report-dir", reports], matrix: matrix)
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
    }

    @Test("open loop at a rate, a mix with long var-data: every message answered, the table printed")
    func rateAndMix() throws {
        let matrix = try TestMatrix()
        let run = try bench(["v5", "v5", "--runs", "1", "--rate", "2000", "--seconds", "0.5", "--mix", "NewOrder=8,CancelOrder=1,ModifyOrder=1",
                             "--payload", "longest-strings"], matrix: matrix)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("1000 messages per run (100 warm-up), mix NewOrder=8,CancelOrder=1,ModifyOrder=1, payload longest-strings"), "\(run.stdout)")
        #expect(run.stdout.contains("open loop at 2000 msg/s"))
        for row in ["tgp", "raw zmq", "ours/raw"] {
            #expect(run.stdout.split(separator: "\n").contains { $0.hasPrefix(row + " ") }, "no \(row) row:\n\(run.stdout)")
        }
    }

    @Test("--grid: every compatible cell, and only those, in a grid")
    func matrixGrid() throws {
        let matrix = try TestMatrix()
        let run = try bench(["--grid", "--runs", "1", "--count", "300", "--warmup", "50", "--baseline", "none", "--json"], matrix: matrix)
        #expect(run.status == 0, "\(run.stderr)")
        let results = try JSON.parse(run.stdout)["results"]?.arrayValue ?? []
        let cells = Set(results.compactMap { result in result["client"]?.stringValue.map { "\($0)/\(result["gateway"]?.stringValue ?? "")" } })
        #expect(cells.count == 19, "the 19 compatible cells: \(cells.sorted())")
        #expect(!cells.contains("v1/v5") && !cells.contains("v5/v1"))
        #expect(results.allSatisfy { $0["raw"] == nil && $0["ratios"] == nil }, "--baseline none measures ours only")
    }

    @Test("misuse exits 2 with the reason", arguments: [
        (["v1", "v5"], "share no version"),
        (["v3", "v5", "--seconds", "1"], "--seconds needs --rate"),
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
