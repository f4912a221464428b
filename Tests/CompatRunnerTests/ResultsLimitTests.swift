// What `compat report merge` reads is untrusted: a results.json cut, forged or huge is refused
// (exit 2) naming the file, the key and the limit, or its strings cut to what compat writes; a
// merge never writes into a folder it reads.

import BuiltBinaries
import Foundation
import MiniJSON
import Testing

@testable import CompatRunner

/// One step into a JSON value: an object's key or an array's index.
private enum Step {
    case key(String)
    case index(Int)
}

/// `json` with the value at `path` replaced by `value`.
private func replacing(_ json: JSON, at path: [Step], with value: JSON) -> JSON {
    guard let step = path.first else { return value }
    switch (step, json) {
    case (.key(let key), .object(var object)):
        object[key] = replacing(object[key] ?? .null, at: Array(path.dropFirst()), with: value)
        return .object(object)
    case (.index(let index), .array(var array)):
        array[index] = replacing(array[index], at: Array(path.dropFirst()), with: value)
        return .array(array)
    default:
        Issue.record("no \(step) in \(json.typeName)")
        return json
    }
}

@Suite("report merge reads untrusted results.json within limits", .serialized)
struct ResultsLimitTests {
    /// Two shards of a passing two-cell run: `folder`/shard-1 and shard-2.
    private func shards() throws -> TestMatrix {
        let matrix = try TestMatrix()
        for index in 1...2 {
            let run = try runCompat(
                [
                    "matrix", "run", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--clients", "v3", "--gateways", "v3,v5",
                    "--shard", "\(index)/2", "--report-dir", matrix.folder + "/shard-\(index)",
                ], environment: ["TMPDIR": matrix.folder])
            #expect(run.status == 0, "shard \(index)/2: \(run.stdout.suffix(1000))\(run.stderr)")
        }
        return matrix
    }

    private func resultsPath(_ matrix: TestMatrix, shard: Int) -> String { matrix.folder + "/shard-\(shard)/results.json" }

    private func read(_ path: String) throws -> JSON { try JSON.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path)))) }

    private func write(_ json: JSON, to path: String) throws {
        try json.serialized(pretty: true).write(toFile: path, atomically: true, encoding: .utf8)
    }

    private func merge(_ matrix: TestMatrix, into output: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        try runCompat(
            [
                "report", "merge", matrix.folder + "/shard-1", matrix.folder + "/shard-2", "--report-dir",
                output ?? matrix.folder + "/merged",
            ])
    }

    @Test("forged values: exit 2 naming the file and the key, nothing written")
    func forgedValues() throws {
        let matrix = try shards()
        let path = resultsPath(matrix, shard: 1)
        let original = try read(path)
        #expect(try merge(matrix).status == 0, "the shards as written merge")
        let forgeries: [(String, [Step], JSON, String)] = [
            (
                "a PASS cell holding a failed check", [.key("cells"), .index(0), .key("checks"), .index(1), .key("status")], "failed",
                "cells[0].state: PASS, yet its check"
            ),
            (
                "a PASS cell holding a skip nothing accepts", [.key("cells"), .index(0), .key("checks"), .index(1), .key("status")],
                "skipped", "cells[0].state: PASS, yet its check"
            ),
            (
                "a PARTIAL cell without a skip", [.key("cells"), .index(0), .key("state")], "PARTIAL",
                "cells[0].state: PARTIAL, yet none of its checks is a skip matrix.json does not accept"
            ),
            ("wallSeconds 1e308", [.key("wallSeconds")], .double(1e308), "wallSeconds: 1e+308 is not a number of seconds (0…100000000.0)"),
            ("wallSeconds -5", [.key("wallSeconds")], .double(-5), "wallSeconds: -5.0 is not a number of seconds (0…100000000.0)"),
            (
                "a cell's seconds -1", [.key("cells"), .index(0), .key("seconds")], .double(-1),
                "cells[0].seconds: -1.0 is not a number of seconds"
            ),
            ("jobs 0", [.key("jobs")], 0, "jobs: 0 is out of range (1…100000)"),
            (
                "a version of 70,000", [.key("cells"), .index(0), .key("clientVersion")], 70_000,
                "cells[0].clientVersion: 70000 is out of range (0…65535)"
            ),
            (
                "a run id of 100 KB", [.key("runId")], .string(String(repeating: "r", count: 100_000)),
                "runId: is not a run id compat writes"
            ),
            ("a run id with an escape", [.key("runId")], "20260301T142205Z-\u{1B}[31m", "runId: is not a run id compat writes"),
        ]
        for (what, at, value, message) in forgeries {
            try write(replacing(original, at: at, with: value), to: path)
            let merged = try merge(matrix, into: matrix.folder + "/refused")
            #expect(merged.status == 2, "\(what): exit \(merged.status)")
            #expect(merged.stderr.contains("\(path): \(message)"), "\(what): \(merged.stderr)")
            #expect(!FileManager.default.fileExists(atPath: matrix.folder + "/refused/results.json"), "\(what): a report was written")
        }
    }

    @Test("long strings read back are cut as compat writes them: a stderr tail to its last 4096 bytes, any other text to 64 KiB")
    func longStringsAreCut() throws {
        let matrix = try shards()
        let path = resultsPath(matrix, shard: 1)
        let original = try read(path)
        let tail = (1...20_000).map { "stderr line \($0)\n" }.joined()
        var forged = replacing(original, at: [.key("cells"), .index(0), .key("peers"), .index(0), .key("stderrTail")], with: .string(tail))
        forged = replacing(
            forged, at: [.key("cells"), .index(0), .key("reproduce")], with: .string(String(repeating: "x", count: 1 << 20)))
        try write(forged, to: path)
        let merged = try merge(matrix)
        #expect(merged.status == 0, "\(merged.stderr)")
        let cell = try #require(try read(matrix.folder + "/merged/results.json")["cells"]?[0])
        let kept = try #require(cell["peers"]?[0]?["stderrTail"]?.stringValue)
        #expect(kept.utf8.count <= 4096 && kept.hasSuffix("stderr line 20000\n") && kept.hasPrefix("stderr line "), "\(kept.prefix(100))")
        let reproduce = try #require(cell["reproduce"]?.stringValue)
        #expect(reproduce.hasPrefix(String(repeating: "x", count: 65_536) + "… (cut when read back: 1048576 bytes)"))
        #expect(reproduce.utf8.count < 65_536 + 100)
        let html = try #require(FileManager.default.attributesOfItem(atPath: matrix.folder + "/merged/report.html")[.size] as? Int)
        #expect(html < 1 << 20, "report.html is \(html) bytes")
    }

    @Test("a merge into one of its own shard folders: exit 2, the shard untouched")
    func mergeIntoItsInput() throws {
        let matrix = try shards()
        let before = try Data(contentsOf: URL(fileURLWithPath: resultsPath(matrix, shard: 1)))
        for output in [matrix.folder + "/shard-1", matrix.folder + "/shard-1/", matrix.folder + "/./shard-1"] {
            let merged = try merge(matrix, into: output)
            #expect(merged.status == 2, "\(output): exit \(merged.status)")
            #expect(
                merged.stderr.contains("is the shard folder \(matrix.folder)/shard-1: a merge never writes into what it reads"),
                "\(merged.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: resultsPath(matrix, shard: 1))) == before)
    }

    @Test("a results.json over 256 MiB, or shards over 512 MiB together: exit 2 before reading them")
    func oversizedFiles() throws {
        let matrix = try TestMatrix(json: .object([:]))
        for index in 1...3 {
            try FileManager.default.createDirectory(atPath: matrix.folder + "/s\(index)", withIntermediateDirectories: true)
        }
        // Sparse files: their size is what is checked, before a byte is read.
        func sparse(_ path: String, bytes: Int) throws {
            #expect(FileManager.default.createFile(atPath: path, contents: nil))
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.truncate(atOffset: UInt64(bytes))
            try handle.close()
        }
        try sparse(matrix.folder + "/s1/results.json", bytes: (256 << 20) + 1)
        let one = try runCompat(["report", "merge", matrix.folder + "/s1"])
        #expect(one.status == 2)
        #expect(
            one.stderr
                == "compat: \(matrix.folder)/s1/results.json: 268435457 bytes, over the 268435456 bytes (256 MiB) a results.json may have\n"
        )
        for index in 1...3 { try sparse(matrix.folder + "/s\(index)/results.json", bytes: 200 << 20) }
        let three = try runCompat(["report", "merge"] + (1...3).map { matrix.folder + "/s\($0)" })
        #expect(three.status == 2)
        #expect(
            three.stderr
                == "compat: the shards' results.json files hold 629145600 bytes together, over the 536870912 bytes (512 MiB) a merge reads\n"
        )
    }
}
