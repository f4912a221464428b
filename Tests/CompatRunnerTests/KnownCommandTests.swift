// `compat known --from results.json`: a run's failing checks become knownFailures entries, printed
// or added to the matrix file, after which the same run is KNOWN (exit 0).

import BuiltBinaries
import Foundation
import MiniJSON
import Testing

@testable import CompatRunner

@Suite("compat known: a run's failures recorded as knownFailures", .serialized)
struct KnownCommandTests {
    @Test("printed, then written: the failing pair is then KNOWN, and a second write adds nothing")
    func recordAndWrite() throws {
        // v3 cuts strings at 255 bytes: its own cell fails on every longest-strings check.
        let matrix = try TestMatrix(extraArguments: [3: ["--fault", "var-data-255"]], commandSeconds: 2)
        let environment: [String: String?] = ["TMPDIR": matrix.folder]
        let pair = ["pair", "v3", "v3", "--matrix", matrix.path, "--fixtures", Built.fixtures]
        let failing = try runCompat(pair + ["--report-dir", matrix.folder + "/reports"], environment: environment)
        #expect(failing.status == 1, "\(failing.stderr)")
        let results = try RunResults.read(path: matrix.folder + "/reports/results.json")
        let failed = results.matrix.cells[0].checks.filter { $0.status == .failed }.map(\.name)
        #expect(!failed.isEmpty)

        let printed = try runCompat(["known", "--from", matrix.folder + "/reports/results.json", "--reason", "cut at 255 on purpose"])
        #expect(printed.status == 0, "\(printed.stderr)")
        let entries = try #require(try JSON.parse(Array(printed.stdout.utf8))["knownFailures"]?.arrayValue)
        #expect(
            entries.map {
                "client=\($0["client"]?.stringValue ?? "")/gateway=\($0["gateway"]?.stringValue ?? "")/\($0["check"]?.stringValue ?? "")"
            } == failed)
        #expect(entries.allSatisfy { $0["reason"] == "cut at 255 on purpose" })

        let write = ["known", "--from", matrix.folder + "/reports/results.json", "--write", "--matrix", matrix.path]
        let written = try runCompat(write)
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.stdout == "\(failed.count) knownFailures entries added to \(matrix.path) (0 listed already)\n")
        let known = try runCompat(pair, environment: environment)
        #expect(known.status == 0, "\(known.stdout.suffix(2000))\(known.stderr)")
        #expect(known.stdout.contains("KNOWN  client=v3/gateway=v3"), "\(known.stdout.suffix(1000))")
        // The default reason names the run and quotes the failure, to be edited into a why.
        let again = try runCompat(write)
        #expect(again.stdout == "0 knownFailures entries added to \(matrix.path) (\(failed.count) listed already)\n")
        let reasons = try MatrixConfig.load(path: matrix.path).knownFailures.map(\.reason)
        #expect(reasons.count == failed.count)
        #expect(reasons.allSatisfy { $0.hasPrefix("found in run \(results.run.runId): ") }, "\(reasons.first ?? "")")
    }

    @Test("a PARTIAL cell gets no knownFailures entry: a note points at acceptedSkips instead")
    func partialCellPointsAtAcceptedSkips() throws {
        let matrix = try TestMatrix(extraArguments: [4: ["--fault", "contract-1"]])
        let run = try runCompat(
            ["pair", "v4", "v5", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--report-dir", matrix.folder + "/reports"],
            environment: ["TMPDIR": matrix.folder])
        #expect(run.status == 1, "\(run.stderr)")
        let known = try runCompat(["known", "--from", matrix.folder + "/reports/results.json"])
        #expect(known.status == 0, "\(known.stderr)")
        #expect(try JSON.parse(Array(known.stdout.utf8))["knownFailures"]?.arrayValue == [])
        #expect(
            known.stderr
                == "compat: note: no entry for client=v4/gateway=v5 PARTIAL: 3 checks skipped for a peer's older contract; "
                + "matrix.json's acceptedSkips accepts that, with the peer and a reason (README: acceptedSkips)\n", "\(known.stderr)")
    }

    @Test("a results.json that cannot be read, or a matrix file that would not load: exit 2, the file unchanged")
    func refusals() throws {
        let matrix = try TestMatrix()
        let missing = try runCompat(["known", "--from", matrix.folder + "/none.json"])
        #expect(missing.status == 2)
        #expect(missing.stderr == "compat: \(matrix.folder)/none.json: cannot read it (missing or not a file)\n")
        let notMatrix = matrix.folder + "/not-a-matrix.json"
        try "[1, 2]".write(toFile: notMatrix, atomically: true, encoding: .utf8)
        let quick = try runCompat(
            [
                "pair", "v3", "v3", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--message", "Heartbeat",
                "--report-dir", matrix.folder + "/reports",
            ], environment: ["TMPDIR": matrix.folder])
        #expect(quick.status == 0, "\(quick.stderr)")
        let results = matrix.folder + "/reports/results.json"
        let refused = try runCompat(["known", "--from", results, "--write", "--matrix", notMatrix])
        #expect(refused.status == 2)
        #expect(refused.stderr == "compat: \(notMatrix): cannot read it as a matrix file (use --matrix FILE)\n")
        #expect(try String(contentsOfFile: notMatrix, encoding: .utf8) == "[1, 2]")
    }
}
