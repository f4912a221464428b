// --report-dir holds one run's reports as a set: every file carries the run's id, concurrent
// runs sharing the folder end with one run's complete set, and a folder that cannot take the
// reports is refused (exit 2) before the first cell starts.

import BuiltBinaries
import Foundation
import MiniJSON
import Synchronization
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The run id each report file of `folder` carries, by file name (nil where a file has none).
/// junit.xml counts only when every one of its suites carries the same id.
func reportRunIds(in folder: String) throws -> [String: String?] {
    let results = try JSON.parse(String(contentsOfFile: folder + "/results.json", encoding: .utf8))
    let junit = try XMLDocument(contentsOf: URL(fileURLWithPath: folder + "/junit.xml"))
    let suites = try junit.nodes(forXPath: "/testsuites/testsuite").count
    let junitIds = try junit.nodes(forXPath: "/testsuites/testsuite/properties/property[@name='runId']/@value").compactMap(\.stringValue)
    let summary = try String(contentsOfFile: folder + "/summary.md", encoding: .utf8)
    // report.html is well-formed XML: its run id is a meta element's content.
    let page = try XMLDocument(contentsOf: URL(fileURLWithPath: folder + "/report.html"))
    let pageIds = try page.nodes(forXPath: "//meta[@name='compat-run-id']/@content").compactMap(\.stringValue)
    return [
        "results.json": results["runId"]?.stringValue,
        "junit.xml": Set(junitIds).count == 1 && junitIds.count == suites ? junitIds.first : nil,
        "summary.md": summaryRunId(summary),
        "report.html": pageIds.count == 1 ? pageIds.first : nil,
    ]
}

/// The id of summary.md's "run id: `ID`" line.
func summaryRunId(_ summary: String) -> String? {
    summary.split(separator: "\n").compactMap { line in
        line.hasPrefix("run id: `") && line.hasSuffix("`") ? String(line.dropFirst("run id: `".count).dropLast()) : nil
    }.first
}

/// The run id a command printed with "reports written to FOLDER (run ID)".
func printedRunId(_ output: String) -> String? {
    output.split(separator: "\n").compactMap { line -> String? in
        guard line.hasPrefix("reports written to "), let open = line.range(of: " (run ", options: .backwards), line.hasSuffix(")") else {
            return nil
        }
        return String(line[open.upperBound...].dropLast())
    }.first
}

/// Entries of `folder` whose names start with `prefix`.
func entries(in folder: String, startingWith prefix: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix(prefix) }.sorted()
}

@Suite("reports as a set: one run's complete set, checked before the first cell", .serialized)
struct ReportSetTests {
    @Test("two concurrent `compat pair` runs sharing --report-dir end with one run's complete set")
    func concurrentRunsLeaveOneCompleteSet() throws {
        let matrix = try TestMatrix()
        let reports = matrix.folder + "/reports"
        let temporary = matrix.folder
        let arguments = [
            "pair", "v3", "v5", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--message", "Heartbeat", "--report-dir", reports,
        ]
        for round in 1...6 {
            let outputs = Mutex<[Int: (status: Int32, stdout: String, stderr: String)]>([:])
            DispatchQueue.concurrentPerform(iterations: 2) { index in
                let run = try? runCompat(arguments, environment: ["TMPDIR": temporary], timeout: .seconds(300))
                outputs.withLock { $0[index] = run.map { ($0.status, $0.stdout, $0.stderr) } }
            }
            let runs = outputs.withLock { $0 }
            #expect(
                runs.count == 2 && runs.values.allSatisfy { $0.status == 0 },
                "round \(round): \(runs.values.map { "exit \($0.status): \($0.stderr)" })")
            let printed = Set(runs.values.compactMap { printedRunId($0.stdout) })
            #expect(printed.count == 2, "round \(round): the runs printed the ids \(printed)")
            let ids = try reportRunIds(in: reports)
            let distinct = Set(ids.values)
            #expect(
                distinct.count == 1 && printed.contains((distinct.first ?? nil) ?? ""),
                "round \(round): the files carry \(ids), the runs were \(printed)")
            #expect(Set(entries(in: reports, startingWith: "")) == ["results.json", "junit.xml", "summary.md", "report.html"])
            #expect(
                entries(in: matrix.folder, startingWith: "reports.").isEmpty,
                "left beside the reports: \(entries(in: matrix.folder, startingWith: "reports."))")
        }
    }

    /// Each command that takes --report-dir, on a small part of the matrix.
    static let commands: [[String]] = [
        ["pair", "v3", "v5", "--message", "Heartbeat"],
        ["matrix", "run", "--clients", "v3", "--gateways", "v5", "--message", "Heartbeat"],
        ["gate"],
        ["bench", "v3", "v5", "--runs", "1", "--count", "200", "--warmup", "10"],
    ]

    @Test(
        "a --report-dir whose parent is a file: exit 2 naming the folder and the reason, before any cell or benchmark starts",
        arguments: commands)
    func unusableFolderStopsTheRunFirst(command: [String]) throws {
        let matrix = try TestMatrix()
        let blocker = matrix.folder + "/a-file"
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        let reports = blocker + "/reports"
        let run = try compatRun(command, matrix: matrix, reportDir: reports)
        #expect(run.status == 2, "\(command): exit \(run.status)\n\(run.stdout.prefix(2000))\n\(run.stderr)")
        #expect(run.stderr.contains(reports) && run.stderr.contains("not a directory"), "\(command): \(run.stderr)")
        #expect(run.stdout.isEmpty, "\(command) ran before refusing the folder: \(run.stdout.prefix(2000))")
        #expect(entries(in: matrix.folder + "/tmp", startingWith: "compat-").isEmpty, "\(command) started a cell or benchmark")
    }

    @Test(
        "a --report-dir that is a file, or a folder holding files compat did not write: exit 2 before any cell, nothing touched",
        arguments: ["file", "foreign"])
    func folderNotOursIsRefused(kind: String) throws {
        let matrix = try TestMatrix()
        let reports = matrix.folder + "/reports"
        let foreign = kind == "file" ? reports : reports + "/notes.txt"
        try FileManager.default.createDirectory(atPath: (foreign as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: foreign))
        let run = try compatRun(["pair", "v3", "v5", "--message", "Heartbeat"], matrix: matrix, reportDir: reports)
        #expect(run.status == 2, "exit \(run.status)\n\(run.stdout.prefix(2000))\n\(run.stderr)")
        #expect(run.stderr.contains(reports), "\(run.stderr)")
        #expect(run.stderr.contains(kind == "file" ? "not a directory" : "notes.txt"), "\(run.stderr)")
        #expect(run.stdout.isEmpty, "the cell ran: \(run.stdout.prefix(2000))")
        #expect(try String(contentsOfFile: foreign, encoding: .utf8) == "mine")
        #expect(
            entries(in: kind == "file" ? matrix.folder : reports, startingWith: kind == "file" ? "reports." : "").sorted()
                == (kind == "file" ? [] : ["notes.txt"]))
    }

    /// `compat COMMAND` on `matrix` with the repository's fixtures, cells in `matrix.folder/tmp`.
    private func compatRun(_ command: [String], matrix: TestMatrix, reportDir: String) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        try FileManager.default.createDirectory(atPath: matrix.folder + "/tmp", withIntermediateDirectories: true)
        let run = try runCompat(
            command + ["--matrix", matrix.path, "--fixtures", Built.fixtures, "--report-dir", reportDir],
            environment: ["TMPDIR": matrix.folder + "/tmp"], timeout: .seconds(300))
        #expect(!run.timedOut)
        return (run.status, run.stdout, run.stderr)
    }
}
