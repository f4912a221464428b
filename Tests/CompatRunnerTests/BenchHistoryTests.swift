// `compat bench --history FILE`: the CSV history a run appends to (one row per cell and series,
// Apache Otava's layout), the files it refuses, and the warnings that say when a bench's figures
// are doubtful. Benchmarks are measured, never asserted on: only the rows' shape is checked.

import BuiltBinaries
import Foundation
import Testing

@testable import CompatRunner

@Suite("compat bench --history", .serialized)
struct BenchHistoryTests {
    private func bench(_ arguments: [String], matrix: TestMatrix) throws -> (status: Int32, stdout: String, stderr: String) {
        try runCompat(["bench"] + arguments + ["--matrix", matrix.path, "--fixtures", Built.fixtures])
    }

    private let small = ["--runs", "2", "--count", "600", "--warmup", "100"]

    private func lines(_ path: String) throws -> [Substring] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
    }

    @Test("a new file gets the header and one row per cell and series; a second run appends one more, the first untouched")
    func writesAndAppends() throws {
        let matrix = try TestMatrix()
        let history = matrix.folder + "/history.csv"
        let first = try bench(["v3", "v5"] + small + ["--history", history], matrix: matrix)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("1 row appended to \(history)"), "\(first.stderr)")
        // Every figure is printed with its range over the runs.
        #expect(first.stdout.split(separator: "\n").filter { $0.hasPrefix("  range ") }.count == 3, "\(first.stdout)")
        let written = try lines(history)
        #expect(written.count == 3 && written.last == "", "header, one row, and the final line break: \(written)")
        #expect(written[0] == Substring(BenchHistoryWriter.header))
        let row = BenchHistoryWriter.fields(of: written[1])
        #expect(row.count == BenchHistoryWriter.columns.count, "\(row)")
        let value = Dictionary(uniqueKeysWithValues: zip(BenchHistoryWriter.columns, row))
        #expect(value["cell"] == "v3/v5" && value["series"] == "NewOrder=1 sample window=256" && value["runs"] == "2")
        #expect(value["time"]?.hasSuffix("Z") == true && value["time"]?.count == 20, "ISO-8601 UTC: \(value["time"] ?? "")")
        #expect(value["commit"] == "unknown" || value["commit"]?.count == 40)
        #expect(
            value["key"]?.hasPrefix(value["machine"]! + " | v3/v5 | ") == true, "the series key holds the machine: \(value["key"] ?? "")")
        for column in BenchHistoryWriter.metricColumns {
            #expect(Double(value[column] ?? "") != nil, "\(column) is a number: \(value[column] ?? "missing")")
        }
        #expect((Double(value["p50_us"]!) ?? 0) > 0 && (Double(value["raw_throughput"]!) ?? 0) > 0)
        #expect((Double(value["ratio_p50"]!) ?? 0) > 0)

        let second = try bench(["v3", "v5"] + small + ["--history", history], matrix: matrix)
        #expect(second.status == 0, "\(second.stderr)")
        let again = try lines(history)
        #expect(again.count == 4 && Array(again.prefix(2)) == Array(written.prefix(2)), "appended after the rows before, which stay")
        #expect(BenchHistoryWriter.fields(of: again[2])[2] != row[2], "each run has its own run id")
    }

    @Test("--grid: one row per compatible cell")
    func gridRows() throws {
        let matrix = try TestMatrix()
        let history = matrix.folder + "/history.csv"
        let run = try bench(["--grid", "--runs", "1", "--count", "300", "--warmup", "50", "--history", history], matrix: matrix)
        #expect(run.status == 0, "\(run.stderr)")
        let rows = try lines(history).dropFirst().filter { !$0.isEmpty }
        #expect(rows.count == 19, "the 19 compatible cells")
        #expect(Set(rows.map { BenchHistoryWriter.fields(of: $0)[5] }).count == 19)
    }

    @Test("a file with another header: exit 2 naming it, the file untouched")
    func otherHeader() throws {
        let matrix = try TestMatrix()
        let history = matrix.folder + "/other.csv"
        let text = "time,commit,p50\n2026-01-01T00:00:00Z,abc,1.0\n"
        try text.write(toFile: history, atomically: true, encoding: .utf8)
        let run = try bench(["v3", "v5"] + small + ["--history", history], matrix: matrix)
        #expect(run.status == 2, "exit \(run.status)\n\(run.stderr)")
        #expect(run.stderr.contains(history) && run.stderr.contains("header"), "\(run.stderr)")
        #expect(try String(contentsOfFile: history, encoding: .utf8) == text)
    }

    @Test("a truncated last line, or a row with missing columns: exit 2 naming the line, the rows before intact")
    func damagedRows() throws {
        let matrix = try TestMatrix()
        let history = matrix.folder + "/history.csv"
        let run = try bench(["v3", "v5"] + small + ["--history", history], matrix: matrix)
        #expect(run.status == 0, "\(run.stderr)")
        let good = try String(contentsOfFile: history, encoding: .utf8)
        let row = good.split(separator: "\n")[1]

        // Cut short in the middle of a row, as a crash during a write would leave it.
        let truncated = good + row.prefix(row.count / 2)
        try truncated.write(toFile: history, atomically: true, encoding: .utf8)
        let cut = try bench(["v3", "v5"] + small + ["--history", history], matrix: matrix)
        #expect(cut.status == 2, "exit \(cut.status)\n\(cut.stderr)")
        #expect(cut.stderr.contains("\(history): line 3 is truncated"), "\(cut.stderr)")
        #expect(try String(contentsOfFile: history, encoding: .utf8) == truncated, "nothing rewritten or appended")

        // A whole line with columns missing.
        let short = good + row.split(separator: ",").dropLast(3).joined(separator: ",") + "\n"
        try short.write(toFile: history, atomically: true, encoding: .utf8)
        let missing = try bench(["v3", "v5"] + small + ["--history", history], matrix: matrix)
        #expect(missing.status == 2, "exit \(missing.status)\n\(missing.stderr)")
        #expect(missing.stderr.contains("\(history): line 3 has"), "\(missing.stderr)")
        #expect(try String(contentsOfFile: history, encoding: .utf8) == short)
    }

    @Test("--history needs the raw baseline")
    func needsBaseline() throws {
        let matrix = try TestMatrix()
        let history = matrix.folder + "/history.csv"
        let run = try bench(["v3", "v5"] + small + ["--baseline", "none", "--history", history], matrix: matrix)
        #expect(run.status == 2 && run.stderr.contains("needs the raw baseline"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: history))
    }

    @Test("CSV fields: quoted when they hold a comma or a quote, read back the same")
    func csvFields() {
        let texts = ["plain", "NewOrder=8,CancelOrder=1 sample window=256", "say \"hi\", twice", ""]
        let line = texts.map(BenchHistoryWriter.field).joined(separator: ",")
        #expect(BenchHistoryWriter.fields(of: Substring(line)) == texts, "\(line)")
        #expect(BenchHistoryWriter.field("two\nlines") == "two lines")
    }
}

@Suite("bench warnings: a loaded machine, an unstable baseline")
struct BenchWarningTests {
    @Test("other processes' share of the machine: its busy time less our own, over wall time × cores")
    func loadedMachine() {
        // 2 cores for 10 s: 20 core-seconds. We used 9; the machine was busy 15: others 6, 30%.
        let loaded = BenchLoad(machineBusySeconds: 15, ownSeconds: 9, wallSeconds: 10, cores: 2)
        #expect(abs(loaded.otherShare - 0.3) < 1e-9)
        let warning = BenchWarnings.loadedMachine(loaded)
        #expect(warning == "machine loaded: other processes used 30% of its 2 cores over 10.0 s (bound 20%)", "\(warning ?? "none")")
        // Others at 10%: quiet enough.
        #expect(BenchWarnings.loadedMachine(BenchLoad(machineBusySeconds: 11, ownSeconds: 9, wallSeconds: 10, cores: 2)) == nil)
        // Our own processes alone at full load are no warning.
        #expect(BenchWarnings.loadedMachine(BenchLoad(machineBusySeconds: 20, ownSeconds: 20, wallSeconds: 10, cores: 2)) == nil)
        // Clock-tick rounding that makes ours exceed the machine's busy time is no negative share.
        #expect(BenchLoad(machineBusySeconds: 8, ownSeconds: 9, wallSeconds: 10, cores: 2).otherShare == 0)
        #expect(BenchLoad(machineBusySeconds: 8, ownSeconds: 0, wallSeconds: 0, cores: 2).otherShare == 0)
    }

    @Test("the raw baseline's own spread over the bound")
    func unstableBaseline() {
        #expect(BenchWarnings.unstableBaseline(p50Spread: 0.1, throughputSpread: 0.2) == nil)
        #expect(
            BenchWarnings.unstableBaseline(p50Spread: 0.4, throughputSpread: 0.1)
                == "raw baseline unstable: its p50 varies 40% across runs (bound 25%)")
        #expect(
            BenchWarnings.unstableBaseline(p50Spread: 0.3, throughputSpread: 0.5)
                == "raw baseline unstable: its p50 varies 30%, throughput varies 50% across runs (bound 25%)")
    }
}

@Suite("gateway-delay: a performance-only fault", .serialized)
struct GatewayDelayFaultTests {
    @Test("it changes no check's result: the matrix with a delayed v5 still gives 19 PASS, 6 INCOMPATIBLE")
    func changesNoCheck() throws {
        let result = try TestMatrix(extraArguments: [5: ["--fault", "gateway-delay"]]).runAll()
        let states = result.cells.map { "\($0.client)/\($0.gateway)=\($0.state.rawValue)" }
        #expect(result.cells.filter { $0.state == .pass }.count == 19, "\(states)")
        #expect(result.cells.filter { $0.state == .incompatible }.count == 6, "\(states)")
        #expect(result.allExpected)
    }

    @Test("a bench of the delayed gateway runs to the end and records its rows")
    func benchWithDelay() throws {
        let matrix = try TestMatrix(extraArguments: [5: ["--fault", "gateway-delay"]])
        let history = matrix.folder + "/history.csv"
        let run = try runCompat(
            [
                "bench", "v3", "v5", "--runs", "1", "--count", "300", "--warmup", "50", "--history", history, "--matrix", matrix.path,
                "--fixtures", Built.fixtures,
            ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try String(contentsOfFile: history, encoding: .utf8).split(separator: "\n").count == 2)
    }
}
