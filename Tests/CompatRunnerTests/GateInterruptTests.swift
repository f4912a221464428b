// An interrupted `compat gate` reports what finished, as `compat matrix run` does: the terminal,
// results.json, junit.xml, summary.md and report.html with the finished cells, fleets and
// upgrades and the rest NOT RUN; it exits 128 + the signal and leaves no process behind.
//
// The gate runs one client (v3) against two gateways: v2, and `slow`, which is the reference
// v3 peer for its first starts and hangs from a chosen start on (Peers/hangfrom.sh). With one
// job, the gate's units run one at a time in a known order, so the one that hangs, and so
// which finished, is known: the test waits for `slow` to say it hangs, then sends the signal.

import BuiltBinaries
import Foundation
import FoundationXML
import MiniJSON
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("an interrupted gate reports what finished", .serialized)
struct GateInterruptTests {
    /// Where the gate is when the signal comes: which start of `slow` hangs.
    enum Moment: Int, CaseIterable, CustomTestStringConvertible {
        /// The cell client=v3/gateway=slow, after client=v3/gateway=v2 finished.
        case cells = 1
        /// The fleet on slow, after both cells and the fleet on v2.
        case fleets = 2
        /// The upgrade from v2 to slow, after the cells and both fleets.
        case upgrades = 3

        var testDescription: String { "during the \(self)" }

        /// Each unit of the gate, in the order it runs, and whether it finished by this moment.
        var expectedStates: [String: String] {
            let order = [
                "client=v3/gateway=v2", "client=v3/gateway=slow", "fleet=v2", "fleet=slow", "upgrade=v2-slow", "upgrade=slow-v2",
            ]
            let finished = [Moment.cells: 1, .fleets: 3, .upgrades: 4][self]!
            return Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0 < finished ? "PASS" : "NOT RUN") })
        }
    }

    @Test(
        "SIGINT, SIGTERM, SIGHUP to a running gate: 130, 143, 129, the finished units reported, the rest NOT RUN, junit.xml valid",
        arguments: Moment.allCases, [SIGINT, SIGTERM, SIGHUP])
    func interruptedGateReports(moment: Moment, signal: Int32) throws {
        let (matrix, starts) = try slowMatrix(hangFrom: moment.rawValue)
        let reports = matrix.folder + "/reports"
        let compat = try CompatRun(
            ["gate", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--jobs", "1", "--report-dir", reports],
            temporaryFolder: matrix.folder + "/tmp")
        let hangs = awaitLine("hangs", inFile: starts, while: compat)
        #expect(hangs, "compat ended before slow hung")
        compat.send(signal)
        let outcome = compat.wait(limit: .seconds(120))
        #expect(
            !outcome.timedOut && !outcome.killedBySignal && outcome.status == 128 + signal,
            "exit \(outcome.status)\(outcome.killedBySignal ? " (signal)" : ""), expected \(128 + signal)\n\(outcome.stdout.suffix(3000))\n\(outcome.stderr)"
        )

        let expected = moment.expectedStates
        #expect(try unitStates(reports) == expected)
        let notRun = expected.filter { $0.value == "NOT RUN" }.keys.sorted()
        let interrupted = try interruptedError(reports)
        #expect(interrupted.notRun == notRun)
        #expect(interrupted.message == "the run was interrupted: \(notRun.count) of its 6 cells, fleets and upgrades not run")
        let invalid = try junitSchemaProblem(reports + "/junit.xml")
        #expect(invalid == nil, "junit.xml is not valid against junit-10.xsd: \(invalid ?? "")")
        #expect(fileNames(in: reports) == ["results.json", "junit.xml", "summary.md", "report.html"])
        let summary = try String(contentsOfFile: reports + "/summary.md", encoding: .utf8)
        #expect(summary.hasPrefix("## compat gate: FAIL"), "\(summary.prefix(300))")
        for name in notRun {
            #expect(outcome.stdout.contains(name), "the terminal does not name \(name): \(outcome.stdout.suffix(3000))")
        }
        #expect(outcome.stdout.contains("NOT RUN") && outcome.stdout.contains("gate: FAIL"), "\(outcome.stdout.suffix(3000))")
        let left = compat.leftovers()
        #expect(left.isEmpty, "\(left.joined(separator: "\n"))")
    }

    /// The matrix for `hangFrom`, and the file where slow counts its starts.
    func slowMatrix(hangFrom: Int) throws -> (TestMatrix, String) {
        let matrix = try TestMatrix(json: .object([:]))
        let starts = matrix.folder + "/slow.starts"
        let slow: JSON = .object([
            "name": "slow", "version": 3,
            "argv": .array(
                [
                    TestPeers.script("hangfrom"), "--peer", Built.peerProgram, "--hang-from", "\(hangFrom)", "--starts", starts,
                    "--pids", matrix.folder + "/slow.pids",
                ].map(JSON.string)),
        ])
        let peers: [JSON] =
            [2, 3].map { version in
                .object([
                    "name": .string("v\(version)"), "version": .integer(version), "argv": .array(Built.peer(version).map(JSON.string)),
                ])
            } + [slow]
        let root: JSON = .object([
            "peers": .array(peers), "clients": ["v3"], "gateways": ["v2", "slow"],
            "timeouts": .object(["pairSeconds": 1200, "commandSeconds": 600]),
        ])
        try root.serialized(pretty: true).write(toFile: matrix.path, atomically: true, encoding: .utf8)
        return (matrix, starts)
    }

    /// Waits until `file` holds the line `line`; false if compat ended first.
    func awaitLine(_ line: String, inFile file: String, while compat: CompatRun) -> Bool {
        func written() -> Bool {
            ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").split(separator: "\n").contains { $0 == line }
        }
        while !written() {
            guard compat.isRunning else { return false }
            usleep(2_000)
        }
        return true
    }

    /// The state of each cell, fleet and upgrade in results.json, by name.
    func unitStates(_ reports: String) throws -> [String: String] {
        let data = try #require(FileManager.default.contents(atPath: reports + "/results.json"), "no results.json in \(reports)")
        let root = try JSON.parse(Array(data))
        let units = (root["cells"]?.arrayValue ?? []) + (root["gate"]?["scenarios"]?.arrayValue ?? [])
        return Dictionary(
            units.map { ($0["name"]?.stringValue ?? "?", $0["state"]?.stringValue ?? "?") }, uniquingKeysWith: { first, _ in first })
    }

    /// junit.xml parsed: its `interrupted` error's message and the names it lists as not run
    /// (sorted); no other error is there.
    func interruptedError(_ reports: String) throws -> (message: String, notRun: [String]) {
        let junit = try XMLDocument(contentsOf: URL(fileURLWithPath: reports + "/junit.xml"))
        let errors = try junit.nodes(forXPath: "/testsuites/testsuite/testcase/error")
        #expect(errors.count == 1, "junit.xml errors: \(errors.map { $0.xmlString })")
        let interrupted = try #require(errors.first as? XMLElement)
        #expect(interrupted.attribute(forName: "type")?.stringValue == "interrupted")
        let notRun = (interrupted.stringValue ?? "").split(separator: "\n").map(String.init).sorted()
        return (interrupted.attribute(forName: "message")?.stringValue ?? "", notRun)
    }
}
