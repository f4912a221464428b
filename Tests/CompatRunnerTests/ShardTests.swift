// --shard K/N and `compat report merge`: a deterministic, cost-balanced split, and shards that
// merge into exactly the results of the unsharded run; a merge of shards that do not make one
// run is refused (exit 2) with the folder and the problem.

import BuiltBinaries
import Foundation
import MiniJSON
import Testing

@testable import CompatRunner

/// results.json without what differs from run to run: ids, times, kept folders, arguments, the shard.
private func normalised(_ json: JSON) -> JSON {
    let runSpecific: Set<String> = ["runId", "startedAt", "arguments", "shard", "wallSeconds", "seconds", "keptDirectory"]
    switch json {
    case .object(let object):
        var out = JSONObject()
        for (key, value) in object { out[key] = runSpecific.contains(key) ? .null : normalised(value) }
        return .object(out)
    case .array(let items): return .array(items.map(normalised))
    default: return json
    }
}

private func results(_ folder: String) throws -> JSON {
    try JSON.parse(String(contentsOfFile: folder + "/results.json", encoding: .utf8))
}

/// A report file's text with its run id, times and wall time taken out.
private func withoutRunIdAndTimes(_ path: String) throws -> String {
    try String(contentsOfFile: path, encoding: .utf8)
        .replacing(#/(run id: |"runId" value=)["`][^"`]*["`]/#, with: "RUN-ID")
        .replacing(#/time="[0-9.]+"/#, with: "TIME")
        .replacing(#/wall [0-9.]+ s/#, with: "WALL")
}

/// The names of the cells (and scenarios) a results.json holds.
private func unitNames(_ json: JSON) -> [String] {
    ((json["cells"]?.arrayValue ?? []) + (json["gate"]?["scenarios"]?.arrayValue ?? [])).compactMap { $0["name"]?.stringValue }
}

@Suite("--shard and compat report merge", .serialized)
struct ShardTests {
    @Test(
        "--shard K/N: anything but 1 ≤ K ≤ N is refused with what to type",
        arguments: [
            ("0/3", "--shard 0/3: K must be between 1 and N (3)"),
            ("4/3", "--shard 4/3: K must be between 1 and N (3)"),
            ("1/0", "--shard 1/0: N must be at least 1"),
            ("1/", "--shard 1/: not K/N"),
            ("one/two", "--shard one/two: not K/N"),
            ("1/2/3", "--shard 1/2/3: not K/N"),
        ])
    func malformedShard(text: String, message: String) throws {
        let hint = "; type --shard K/N with 1 ≤ K ≤ N, e.g. --shard 1/3, --shard 2/3 and --shard 3/3 on three machines"
        expectConfigError(message + hint) { _ = try Shard.parse(text) }
        let matrix = try TestMatrix()
        let run = try runCompat(["matrix", "run", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--shard", text])
        #expect(run.status == 2)
        #expect(run.stderr == "compat: \(message)\(hint)\n")
        #expect(run.stdout.isEmpty)
    }

    @Test("the split: costliest first (ties by name), each to the lightest shard (ties to the lower)")
    func greedySplit() {
        let units = [("e", 1), ("c", 3), ("a", 5), ("d", 2), ("b", 3)]
        func shard(_ index: Int, of count: Int) -> [String] {
            Shard(index: index, count: count).pick(units, name: \.0, cost: \.1).map(\.0)
        }
        // a(5)→1; b(3)→2; c(3)→2 (3 < 5); d(2)→1 (5 < 6); e(1)→2 (6 < 7). Given order is kept.
        #expect(shard(1, of: 2) == ["a", "d"])
        #expect(shard(2, of: 2) == ["e", "c", "b"])
        #expect(shard(1, of: 1) == ["e", "c", "a", "d", "b"])
        #expect(shard(6, of: 6) == [])
    }

    @Test("shards agree on every argument but --shard, --report-dir, --jobs, --pin and --color")
    func configurationArguments() {
        let arguments = [
            "gate", "--shard", "1/3", "--jobs=4", "--matrix", "m.json", "--report-dir", "out", "--color", "--shard=2/3", "--jobs", "2",
            "--no-pin", "--baseline", "HEAD~1", "--pin",
        ]
        #expect(ShardRecord.configurationArguments(arguments) == ["gate", "--matrix", "m.json", "--baseline", "HEAD~1"])
    }

    @Test("every cell of the 5×5 matrix and every gate scenario in exactly one shard, for N = 1…7")
    func everyUnitOnce() throws {
        let matrix = try TestMatrix()
        let (config, samples) = try matrix.load()
        let runner = MatrixRunner(config: config, samples: samples)
        let units =
            config.clients.flatMap { client in config.gateways.map { ShardUnit.cell(client: client, gateway: $0) } }
            + FleetRunner(config: config, samples: samples).gateScenarioPlans().map(ShardUnit.scenario)
        for count in 1...7 {
            let shards = (1...count).map { Shard(index: $0, count: count).pick(units, runner: runner).map(\.name) }
            #expect(shards.flatMap { $0 }.sorted() == units.map(\.name).sorted(), "N=\(count)")
        }
    }

    @Test(
        "an empty shard of a run with fewer units than shards: exit 0 with a note that says so",
        arguments: [
            (["matrix", "run", "--shard", "2/2"], "shard 2/2 is empty: the matrix has 1 cell for 2 shards"),
            (["gate", "--shard", "5/5"], "shard 5/5 is empty: the gate has 1 cell and 1 fleet or upgrade for 5 shards"),
        ])
    func emptyShardOfASmallRunIsANote(command: [String], note: String) throws {
        let matrix = try TestMatrix(extra: ["clients": ["v3"], "gateways": ["v3"]])
        let run = try runCompat(command + ["--matrix", matrix.path, "--fixtures", Built.fixtures, "--report-dir", matrix.folder + "/r"])
        #expect(run.status == 0, "\(run.stdout.suffix(2000))\(run.stderr)")
        #expect(run.stderr == "compat: note: \(note)\n")
        #expect(unitNames(try results(matrix.folder + "/r")) == [])
    }

    @Test("an empty shard of a run with as many units as shards, or more, is misuse (exit 2)")
    func emptyShardOfALargeRunIsMisuse() throws {
        // Units that plan no checks all go to the first shard: the second would run nothing.
        let units = [("a", 0), ("b", 0), ("c", 0)]
        let second = Shard(index: 2, count: 2)
        let picked = second.pick(units, name: \.0, cost: \.1)
        #expect(picked.isEmpty)
        expectConfigError(
            "--shard 2/2 selects none of the run's units, though the matrix has 3 cells for 2 shards: a shard may be empty only when there are fewer units than shards"
        ) {
            _ = try second.noteIfEmpty(picked: picked.count, total: units.count, whole: "the matrix has 3 cells")
        }
        let fewer = try Shard(index: 3, count: 3).noteIfEmpty(picked: 0, total: 2, whole: "the matrix has 2 cells")
        #expect(fewer == "shard 3/3 is empty: the matrix has 2 cells for 3 shards")
        #expect(try second.noteIfEmpty(picked: 1, total: 3, whole: "the matrix has 3 cells") == nil)
    }

    @Test("matrix run --shard 1/3, 2/3, 3/3 merged: the unsharded run's results, exit status and grid")
    func matrixShardsMerge() throws {
        // v3 cuts strings at 255 bytes: cells with it fail, so the merge carries failures.
        let matrix = try TestMatrix(extraArguments: [3: ["--fault", "var-data-255"]], commandSeconds: 2)
        let environment: [String: String?] = ["TMPDIR": matrix.folder]
        let arguments = [
            "matrix", "run", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--clients", "v2,v3", "--gateways", "v3,v4,v5",
            "--jobs", "2",
        ]
        let whole = try runCompat(arguments + ["--report-dir", matrix.folder + "/whole"], environment: environment)
        #expect(whole.status == 1, "\(whole.stdout.suffix(2000))\(whole.stderr)")
        var shardNames: [[String]] = []
        for index in 1...3 {
            let shard = try runCompat(
                arguments + ["--shard", "\(index)/3", "--report-dir", matrix.folder + "/shard-\(index)"], environment: environment)
            #expect(shard.status <= 1, "\(shard.stdout.suffix(2000))\(shard.stderr)")
            let json = try results(matrix.folder + "/shard-\(index)")
            #expect(json["shard"]?["index"] == .integer(index))
            #expect(json["shard"]?["count"] == 3)
            shardNames.append(unitNames(json))
        }
        let everyCell = ["v2", "v3"].flatMap { client in ["v3", "v4", "v5"].map { "client=\(client)/gateway=\($0)" } }
        #expect(shardNames.flatMap { $0 }.sorted() == everyCell.sorted())
        #expect(shardNames.allSatisfy { !$0.isEmpty })
        // `list --checks --shard` names exactly the checks that shard ran.
        let listed = try runCompat([
            "list", "--checks", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--client", "v2,v3", "--gateway", "v3,v4,v5",
            "--shard", "2/3",
        ])
        let ran = try results(matrix.folder + "/shard-2")["cells"]?.arrayValue?.flatMap { $0["checks"]?.arrayValue ?? [] }.compactMap {
            $0["name"]?.stringValue
        }
        #expect(listed.stdout.split(separator: "\n").map(String.init) == ran, "\(listed.stderr)")

        // Given in any order, the shards merge to the whole run.
        let merged = try runCompat([
            "report", "merge", matrix.folder + "/shard-3", matrix.folder + "/shard-1", matrix.folder + "/shard-2",
            "--report-dir", matrix.folder + "/merged",
        ])
        #expect(merged.status == 1, "\(merged.stdout.suffix(2000))\(merged.stderr)")
        let wholeJSON = try results(matrix.folder + "/whole")
        let mergedJSON = try results(matrix.folder + "/merged")
        #expect(normalised(mergedJSON) == normalised(wholeJSON))
        #expect(unitNames(mergedJSON) == everyCell)
        #expect(mergedJSON["shard"] == .null)
        #expect(mergedJSON["arguments"]?.arrayValue?.compactMap(\.stringValue) == Array(arguments.dropLast(2)), "without --jobs 2")
        // The grid as matrix run prints it, before the failures.
        let grid = { (output: String) in output.components(separatedBy: "\n\n").first ?? "" }
        #expect(grid(merged.stdout) == grid(whole.stdout), "\(merged.stdout.prefix(500))")
        #expect(try reportRunIds(in: matrix.folder + "/merged").values.allSatisfy { $0 == mergedJSON["runId"]?.stringValue })
        // junit.xml and summary.md, written from the merged results, are the whole run's but for its id and times.
        #expect(try withoutRunIdAndTimes(matrix.folder + "/merged/junit.xml") == withoutRunIdAndTimes(matrix.folder + "/whole/junit.xml"))
        #expect(try withoutRunIdAndTimes(matrix.folder + "/merged/summary.md") == withoutRunIdAndTimes(matrix.folder + "/whole/summary.md"))

        try refusedMerges(matrix, arguments: arguments, environment: environment)
    }

    /// Shards missing, repeated, or of another run: exit 2, naming the folder and the problem.
    private func refusedMerges(_ matrix: TestMatrix, arguments: [String], environment: [String: String?]) throws {
        let shard = { (index: Int) in matrix.folder + "/shard-\(index)" }
        let other = try runCompat(
            arguments.filter { $0 != "v3,v4,v5" && $0 != "--gateways" } + ["--shard", "3/3", "--report-dir", matrix.folder + "/other"],
            environment: environment)
        #expect(other.status <= 1, "\(other.stderr)")
        let cases: [([String], String)] = [
            ([shard(1), shard(2)], "compat: shard 3/3 missing: give the report folder of each `compat matrix run --shard K/3` run\n"),
            (
                [shard(1), shard(2), shard(3), shard(2)],
                "compat: \(shard(2)): shard 2/3 again (\(shard(2)) holds it too); give each shard's folder once\n"
            ),
            (
                [shard(1), shard(2), matrix.folder + "/other"],
                "compat: \(matrix.folder)/other: not a shard of the same run as \(shard(1)): other arguments (\(arguments.filter { $0 != "v3,v4,v5" && $0 != "--gateways" && $0 != "--jobs" && $0 != "2" }.joined(separator: " "))), other cells\n"
            ),
            (
                [shard(1), shard(2), matrix.folder + "/none"],
                "compat: \(matrix.folder)/none/results.json: cannot read it (missing or not a file)\n"
            ),
            (
                [shard(1), matrix.folder + "/whole"],
                "compat: \(matrix.folder)/whole: results.json is not of a shard (its run had no --shard), unlike \(shard(1))\n"
            ),
        ]
        for (folders, message) in cases {
            let merge = try runCompat(["report", "merge"] + folders + ["--report-dir", matrix.folder + "/refused"])
            #expect(merge.status == 2, "\(folders)")
            #expect(merge.stderr == message)
            #expect(!FileManager.default.fileExists(atPath: matrix.folder + "/refused/results.json"))
        }
    }

    @Test("gate --shard 1/2 and 2/2 merged: the unsharded gate's results, schema and golden frames once")
    func gateShardsMerge() throws {
        let matrix = try TestMatrix(extra: ["clients": ["v4", "v5"], "gateways": ["v4", "v5"]])
        let arguments = ["gate", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--jobs", "2"]
        let whole = try runCompat(arguments + ["--report-dir", matrix.folder + "/whole"])
        #expect(whole.status == 0, "\(whole.stdout.suffix(2000))\(whole.stderr)")
        for index in 1...2 {
            let shard = try runCompat(arguments + ["--shard", "\(index)/2", "--report-dir", matrix.folder + "/shard-\(index)"])
            #expect(shard.status == 0, "\(shard.stdout.suffix(2000))\(shard.stderr)")
        }
        let shards = try (1...2).map { try results(matrix.folder + "/shard-\($0)") }
        let units = [
            "client=v4/gateway=v4", "client=v4/gateway=v5", "client=v5/gateway=v4", "client=v5/gateway=v5",
            "fleet=v4", "fleet=v5", "upgrade=v4-v5", "upgrade=v5-v4",
        ]
        #expect(shards.flatMap(unitNames).sorted() == units.sorted())
        #expect(shards.allSatisfy { $0["gate"]?["schema"] == shards[0]["gate"]?["schema"] })

        let merged = try runCompat([
            "report", "merge", matrix.folder + "/shard-1", matrix.folder + "/shard-2", "--report-dir", matrix.folder + "/merged",
        ])
        #expect(merged.status == 0, "\(merged.stdout.suffix(2000))\(merged.stderr)")
        #expect(merged.stdout.contains("\ngate: PASS ("))
        let mergedJSON = try results(matrix.folder + "/merged")
        #expect(normalised(mergedJSON) == normalised(try results(matrix.folder + "/whole")))
        #expect(unitNames(mergedJSON) == units)
    }
}
