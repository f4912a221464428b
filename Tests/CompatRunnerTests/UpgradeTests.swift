// `compat upgrade` and `compat plan upgrade`: a live fleet's gateway replaced by a newer or an
// older one (shut down or killed); every client recovers on the same connection or is cut off
// as the ranges say; the support policy turns a cut-off into a failure; an interrupt in the
// middle leaves nothing running.

import BuiltBinaries
import CompatRunner
import Foundation
import MiniJSON
import TGP
import Testing

@Suite("Rolling upgrades and downgrades of a live gateway", .serialized)
struct UpgradeTests {
    @Test(
        "upgrade and downgrade between adjacent versions: exit 0, each client's N before and after, cut-offs as the ranges say",
        arguments: [
            (["v4", "v5"], ["v1#1": "cut off → cut off", "v2#1": "2 → cut off", "v5#1": "4 → 5"]),
            (["v5", "v4"], ["v1#1": "cut off → cut off", "v2#1": "cut off → 2", "v5#1": "5 → 4"]),
            (["v4", "v5", "--kill"], ["v2#1": "2 → cut off", "v3#1": "3 → 3"]),
        ])
    func upgrade(arguments: [String], sessions: [String: String]) throws {
        let matrix = try TestMatrix()
        let reports = matrix.folder + "/reports"
        let run = try runCompat(["upgrade"] + arguments + ["--matrix", matrix.path, "--fixtures", Built.fixtures, "--report-dir", reports])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        for (session, outcome) in sessions {
            #expect(lines.contains { $0.hasPrefix("  \(session) ") && $0.contains(outcome) }, "\(session) \(outcome):\n\(run.stdout)")
        }
        #expect(run.stdout.contains("recovery (TO listening → LogonAck): p50"), "\(run.stdout)")
        let (config, _) = try matrix.load()
        let plan = UpgradePlan(
            from: config.peer(named: arguments[0])!, to: config.peer(named: arguments[1])!,
            clients: config.clients.map { config.peer(named: $0)! }, kill: arguments.contains("--kill"))
        let results = try JSON.parse(String(contentsOfFile: reports + "/results.json", encoding: .utf8))
        let checks = results["cells"]?.arrayValue?.first?["checks"]?.arrayValue ?? []
        #expect(checks.compactMap { $0["name"]?.stringValue } == plan.fleet.names)
        #expect(checks.allSatisfy { $0["status"]?.stringValue == "passed" })
        if arguments == ["v4", "v5"] {
            // Together the upgrade and downgrade plans use every upgrade kind of the catalogue.
            let downgrade = UpgradePlan(
                from: config.peer(named: "v5")!, to: config.peer(named: "v4")!, clients: config.clients.map { config.peer(named: $0)! })
            let clientSide = UpgradePlan(
                client: config.peer(named: "v3")!, by: config.peer(named: "v5")!, gateway: config.peer(named: "v4")!,
                clients: config.clients.map { config.peer(named: $0)! })
            let kinds = Set((plan.fleet.checks + downgrade.fleet.checks + clientSide.fleet.checks).map(\.kind.id))
            #expect(Set(CheckKind.allCases.filter { $0.family == .upgrade }.map(\.id)).isSubset(of: kinds))
        }
    }

    @Test(
        "a client replaced by another version while the gateway and the others go on: the newcomer's N, or cut off, others undisturbed",
        arguments: [("v5", "N=4"), ("v1", "cut off")])
    func clientSide(newcomer: String, outcome: String) throws {
        let matrix = try TestMatrix()
        let reports = matrix.folder + "/reports"
        let run = try runCompat([
            "upgrade", "v3", newcomer, "--side", "client", "--gateway", "v4", "--clients", "v3,v4,v5",
            "--matrix", matrix.path, "--fixtures", Built.fixtures, "--report-dir", reports,
        ])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("joins: \(outcome)"), "\(run.stdout)")
        let (config, _) = try matrix.load()
        let plan = UpgradePlan(
            client: config.peer(named: "v3")!, by: config.peer(named: newcomer)!, gateway: config.peer(named: "v4")!,
            clients: ["v3", "v4", "v5"].map { config.peer(named: $0)! })
        let results = try JSON.parse(String(contentsOfFile: reports + "/results.json", encoding: .utf8))
        let checks = results["cells"]?.arrayValue?.first?["checks"]?.arrayValue ?? []
        #expect(checks.compactMap { $0["name"]?.stringValue } == plan.fleet.names)
        #expect(checks.allSatisfy { $0["status"]?.stringValue == "passed" })
        #expect(plan.fleet.names.contains("upgrade=v3-\(newcomer)/side=client/gateway=v4/session/others-undisturbed"))
    }

    @Test("a supported client cut off by the upgrade: plan upgrade and upgrade exit 1 with support-cut-off")
    func supportPolicy() throws {
        let support: JSON = .array([.object(["gateway": "v5", "clients": .array(["v2", "v3", "v4", "v5"])])])
        let matrix = try TestMatrix(extra: ["support": support])
        let planned = try runCompat(["plan", "upgrade", "v4", "v5", "--matrix", matrix.path, "--fixtures", Built.fixtures])
        #expect(planned.status == 1, "\(planned.stdout)\(planned.stderr)")
        #expect(planned.stdout.contains("v2#1") && planned.stdout.contains("support-cut-off"), "\(planned.stdout)")
        let kept = try runCompat(["plan", "upgrade", "v5", "v4", "--matrix", matrix.path, "--fixtures", Built.fixtures])
        #expect(kept.status == 0, "\(kept.stdout)\(kept.stderr)")
        // The failing upgrade keeps its folder: inside the matrix's folder, it goes with it.
        let run = try runCompat(
            ["upgrade", "v4", "v5", "--matrix", matrix.path, "--fixtures", Built.fixtures], environment: ["TMPDIR": matrix.folder])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(
            run.stdout.contains("FAIL upgrade=v4-v5/client=v2#1/cut-off") && run.stdout.contains("support-cut-off@gateway=v5:client=v2"),
            "\(run.stdout)")
        // The ranges themselves already break the policy: schema diff says so with the same rule id.
        let diff = try runCompat(["schema", "diff", "--matrix", matrix.path, "--fixtures", Built.fixtures])
        #expect(diff.status == 1, "\(diff.stdout)\(diff.stderr)")
        #expect(diff.stdout.contains("support-cut-off@gateway=v5:client=v2"), "\(diff.stdout)")
        #expect(!diff.stdout.contains("support-cut-off@gateway=v5:client=v3"), "\(diff.stdout)")
    }

    @Test("SIGINT in the middle of an upgrade: exit 130 and no process left")
    func interruptMidUpgrade() throws {
        // The new gateway hangs after its hello, so the upgrade is caught with the old one gone and the clients waiting.
        let matrix = try misbehavingMatrix(
            reference: [3, 4, 5], testPeers: ["hang"], clients: ["v3", "v4", "v5"], gateways: ["v4", "hang"],
            pairSeconds: 120, commandSeconds: 60)
        let compat = try CompatRun(
            ["upgrade", "v4", "hang", "--matrix", matrix.path, "--fixtures", Built.fixtures], temporaryFolder: matrix.folder + "/tmp")
        let deadline = ContinuousClock.now + .seconds(60)
        while compat.isRunning && ContinuousClock.now < deadline && notedPids(matrix.folder + "/hang.pids").count < 2 { usleep(5_000) }
        #expect(compat.isRunning, "compat ended before the signal")
        compat.send(SIGINT)
        let outcome = compat.wait(limit: .seconds(60))
        #expect(!outcome.timedOut && outcome.status == 130, "exit \(outcome.status)\n\(outcome.stdout)\n\(outcome.stderr)")
        // The hang peer and its sleep carry the run's marker: leftovers() finds them if alive.
        let left = compat.leftovers()
        #expect(left.isEmpty, "\(left.joined(separator: "\n"))")
    }
}
