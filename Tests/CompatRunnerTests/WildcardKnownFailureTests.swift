// A knownFailures entry with a wildcard is broad on purpose: a check it matches that passes is
// a pass, and the entry is stale only when it matched checks and none of them failed — reported
// once, naming the entry. An entry naming one check exactly that passes is stale as before.

import BuiltBinaries
import Foundation
import MiniJSON
import Testing

@testable import CompatRunner

private func knownFailures(_ entries: [(client: String, gateway: String, check: String)], extraArguments: [Int: [String]] = [:]) throws
    -> TestMatrix
{
    try TestMatrix(
        extraArguments: extraArguments,
        extra: [
            "knownFailures": .array(
                entries.enumerated().map { index, entry in
                    .object([
                        "client": .string(entry.client), "gateway": .string(entry.gateway), "check": .string(entry.check),
                        "reason": .string("e\(index)"),
                    ])
                })
        ])
}

@Suite struct WildcardKnownFailureTests {
    @Test(
        "applied to results: a wildcard's passing checks stay passes, an exact name's is stale; the entry is stale over the run only when none failed"
    )
    func appliedToResults() throws {
        let matrix = try knownFailures([
            ("v3", "v3", "*/edge-longest-strings"), ("v3", "v3", "NewOrder/c2g/sample"),
            ("*", "*", "Heartbeat/*"), ("v3", "v3", "*/edge-wide-*"),
        ])
        let (config, samples) = try matrix.load()
        let runner = MatrixRunner(config: config, samples: samples)
        let prefix = "client=v3/gateway=v3/"
        let outcomes: [(String, CheckStatus)] = [
            ("Logout/c2g/edge-longest-strings", .failed), ("CancelOrder/c2g/edge-longest-strings", .passed),
            ("NewOrder/c2g/sample", .passed), ("Heartbeat/c2g/sample", .passed), ("Heartbeat/g2c/sample", .passed),
            ("NewOrder/c2g/edge-wide-quantity", .notRun),
        ]
        let applied = runner.applyKnownFailures(
            to: outcomes.map { CheckResult(name: prefix + $0.0, status: $0.1) }, client: "v3", gateway: "v3")
        #expect(applied.map(\.status) == [.knownFailure, .passed, .stalePass, .passed, .passed, .notRun])
        #expect(applied.map(\.knownReason) == ["e0", nil, "e1", nil, nil, "e3"])

        let cell = CellResult(
            client: "v3", gateway: "v3", clientVersion: 3, gatewayVersion: 3, expectedVersion: 3, state: .known,
            checks: applied, problem: nil, peers: [], keptDirectory: nil, seconds: 0, reproduce: "compat pair v3 v3")
        // e0 matched a failure: not stale. e2 matched two passes only: stale, once. e3 matched nothing that ran.
        let stale = staleWildcardEntries(config.knownFailures, in: [cell])
        #expect(stale.map(\.check) == ["Heartbeat/*"])
        #expect(stale.first?.passedChecks == 2)
        #expect(
            stale.first?.message
                == #"knownFailures entry {"client": "*", "gateway": "*", "check": "Heartbeat/*"} (e2) matched 2 checks and every one passed: remove it from matrix.json"#
        )
    }

    @Test("a run whose every failure a wildcard lists, among checks it matches that pass: every cell KNOWN, exit 0")
    func wildcardAmongPasses() throws {
        // With var-data cut at 255 bytes, v3 fails 5 of the 7 edge-longest-strings checks of its cell.
        let matrix = try knownFailures([("*", "*", "*/edge-longest-strings")], extraArguments: [3: ["--fault", "var-data-255"]])
        let reports = matrix.folder + "/reports"
        let run = try runCompat([
            "matrix", "run", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--clients", "v3", "--gateways", "v3",
            "--report-dir", reports,
        ])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(!run.stdout.contains("STALE"), "\(run.stdout)")
        let results = try JSON.parse(try String(contentsOfFile: reports + "/results.json", encoding: .utf8))
        let cell = try #require(results["cells"]?[0])
        #expect(cell["state"]?.stringValue == "KNOWN")
        let edges = (cell["checks"]?.arrayValue ?? []).filter { $0["name"]?.stringValue?.hasSuffix("/edge-longest-strings") == true }
        #expect(edges.count == 7)
        #expect(edges.filter { $0["status"]?.stringValue == "knownFailure" }.count == 5)
        #expect(edges.filter { $0["status"]?.stringValue == "passed" }.count == 2)
    }

    @Test("a wildcard entry whose every matched check passes: exit 1, the entry reported stale once")
    func wildcardAllPass() throws {
        let matrix = try knownFailures([("*", "*", "*/edge-longest-strings")])
        let reports = matrix.folder + "/reports"
        let run = try runCompat([
            "matrix", "run", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--clients", "v3,v4", "--gateways", "v3",
            "--report-dir", reports,
        ])
        #expect(run.status == 1, "\(run.stdout)\n\(run.stderr)")
        let staleLines = run.stdout.split(separator: "\n").filter { $0.hasPrefix("STALE") }
        #expect(
            staleLines == [
                #"STALE  knownFailures entry {"client": "*", "gateway": "*", "check": "*/edge-longest-strings"} (e0) matched 14 checks and every one passed: remove it from matrix.json"#
            ],
            "\(run.stdout)")
        #expect(run.stdout.contains("2 PASS · 1 stale known failure · 2 cells"), "\(run.stdout)")
        let summary = try String(contentsOfFile: reports + "/summary.md", encoding: .utf8)
        #expect(summary.hasPrefix("## Compatibility matrix: not as expected (1 stale known failure)\n"), "\(summary)")
        #expect(
            summary.contains(
                "**stale knownFailures entry** `{\"client\": \"*\", \"gateway\": \"*\", \"check\": \"*/edge-longest-strings\"}`"))
        let junit = try String(contentsOfFile: reports + "/junit.xml", encoding: .utf8)
        #expect(junit.contains("<testsuite name=\"knownFailures\" tests=\"1\" failures=\"1\""), "\(junit)")
    }

    @Test("compat pair says why it exits 1 for a wildcard entry all of whose checks in its cell passed")
    func pairNamesTheStaleEntry() throws {
        let matrix = try knownFailures([("v3", "v3", "*/edge-longest-strings")])
        let run = try runCompat(["pair", "v3", "v3", "--matrix", matrix.path, "--fixtures", Built.fixtures])
        #expect(run.status == 1, "\(run.stdout)\n\(run.stderr)")
        #expect(
            run.stdout.split(separator: "\n").filter { $0.hasPrefix("STALE") } == [
                #"STALE  knownFailures entry {"client": "v3", "gateway": "v3", "check": "*/edge-longest-strings"} (e0) matched 7 checks and every one passed: remove it from matrix.json"#
            ], "\(run.stdout.suffix(2000))")
    }
}
