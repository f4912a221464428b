// Peer contract versions seen by the runner (docs/PEER-CONTRACT.md, P17): a peer that keeps
// contract 1 (`--fault contract-1`: no `contract` in hello, no sessionId in session events, no
// logon on a logged-on client) has exactly the checks that need contract 2 reported skipped with
// the reason, in every report; its cells are PARTIAL (exit 1) unless matrix.json's acceptedSkips
// accepts that peer, and then PASS with the skips counted as accepted; today's peers skip
// nothing; a check needs only what it judges, so a contract-1 gateway's fleet and upgrade still
// run every client-side check; a hello whose contract is no positive integer fails its cell (P3).

import BuiltBinaries
import CompatRunner
import Foundation
import MiniJSON
import Testing

@Suite("Peer contract versions: checks a peer's contract cannot take are skipped, visibly")
struct ContractSkipTests {
    /// The kinds whose checks a contract-1 client cannot take in a cell: each logs on again (P5, contract 2).
    static let logonAgainKinds: Set = ["reference-ack", "reference-mass-cancel", "relogon"]
    static func reason(_ role: String, _ peer: String, needs: String) -> String {
        "skipped: needs peer contract 2 (\(needs)); \(role) \(peer) speaks contract 1"
    }

    static let acceptance = "released before contract 2"

    /// The matrix with `acceptedSkips` accepting `peer`'s older contract.
    static func accepting(_ peer: String, in matrix: TestMatrix) throws -> TestMatrix {
        var root = try JSON.parse(String(contentsOfFile: matrix.path, encoding: .utf8)).objectValue!
        root["acceptedSkips"] = .array([.object(["peer": .string(peer), "reason": .string(acceptance)])])
        return try TestMatrix(json: .object(root))
    }

    /// Each cell's state by name, and each check's status, skip reason and acceptance by name.
    func read(_ reports: String) throws -> (
        states: [String: String], checks: [String: (status: String, reason: String?, accepted: String?)]
    ) {
        let results = try JSON.parse(String(contentsOfFile: reports + "/results.json", encoding: .utf8))
        var states: [String: String] = [:]
        var checks: [String: (String, String?, String?)] = [:]
        for cell in results["cells"]?.arrayValue ?? [] {
            states[cell["name"]!.stringValue!] = cell["state"]!.stringValue!
            for check in cell["checks"]?.arrayValue ?? [] {
                checks[check["name"]!.stringValue!] = (
                    check["status"]!.stringValue!, check["reason"]?.stringValue, check["knownReason"]?.stringValue
                )
            }
        }
        return (states, checks)
    }

    @Test(
        "a contract-1 client: exactly its logon-again checks skipped with the reason, in every report; PARTIAL and exit 1 until accepted, then PASS with the skips shown"
    )
    func oldClientInTheMatrix() throws {
        let matrix = try TestMatrix(extraArguments: [4: ["--fault", "contract-1"]])
        let reports = matrix.folder + "/reports"
        let run = try runCompat([
            "matrix", "run", "--clients", "v4,v5", "--gateways", "v4,v5", "--matrix", matrix.path,
            "--fixtures", Built.fixtures, "--report-dir", reports,
        ])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        let samples = try SampleBook.load(path: Built.fixtures + "/samples.json")
        var expected: Set<String> = []
        for client in [4, 5] {
            for gateway in [4, 5] {
                let plan = CheckPlan(
                    samples: samples,
                    peers: CellPeers(client: "v\(client)", clientVersion: client, gateway: "v\(gateway)", gatewayVersion: gateway))
                if client == 4 { expected.formUnion(plan.checks.filter { Self.logonAgainKinds.contains($0.kind.id) }.map(\.name)) }
            }
        }
        let (states, found) = try read(reports)
        #expect(
            states == [
                "client=v4/gateway=v4": "PARTIAL", "client=v4/gateway=v5": "PARTIAL", "client=v5/gateway=v4": "PASS",
                "client=v5/gateway=v5": "PASS",
            ])
        let skipped = Set(found.filter { $0.value.status == "skipped" }.keys)
        #expect(skipped == expected)
        #expect(
            expected.count == 6, "v4 × v4 and v4 × v5 (N = 4): reference-ack, reference-mass-cancel, relogon each: \(expected.sorted())")
        let reason = Self.reason("client", "v4", needs: "logon on a logged-on client, P5")
        for name in skipped {
            #expect(found[name]?.reason == reason && found[name]?.accepted == nil, "\(name): \(found[name]?.reason ?? "no reason")")
        }
        #expect(found.filter { $0.value.status != "passed" && $0.value.status != "skipped" }.isEmpty)
        // Never silent: under the grid (one line for the reason, with its cells), in summary.md and in junit.xml.
        #expect(run.stdout.contains("6 checks in 2 cells (client=v4/gateway=v4, client=v4/gateway=v5) \(reason)\n"), "\(run.stdout)")
        #expect(run.stdout.contains("2 PASS · 2 PARTIAL · 4 cells"), "\(run.stdout)")
        #expect(run.stdout.contains("6 skipped (peer contract too old, none accepted"), "\(run.stdout)")
        let summary = try String(contentsOfFile: reports + "/summary.md", encoding: .utf8)
        #expect(summary.contains("## Compatibility matrix: not as expected (2 PARTIAL)"), "\(summary)")
        #expect(summary.contains("### Skipped checks") && summary.contains("`client=v4/gateway=v5`: 3 checks \(reason)"), "\(summary)")
        let junit = try String(contentsOfFile: reports + "/junit.xml", encoding: .utf8)
        #expect(junit.components(separatedBy: "<skipped message=\"\(reason)\"/>").count - 1 == 6)
        // A CI test report that reads only failures still sees the cell is not green.
        #expect(junit.components(separatedBy: "name=\"client=v4/gateway=v5/skipped\"").count - 1 == 1)
        #expect(junit.components(separatedBy: "type=\"partial\"").count - 1 == 2)

        // One cell in depth: each skipped check on its line with its reason, and counted.
        let pair = try runCompat(["pair", "v4", "v5", "--matrix", matrix.path, "--fixtures", Built.fixtures])
        #expect(pair.status == 1, "\(pair.stdout)\(pair.stderr)")
        #expect(pair.stdout.contains("SKIPPED  client=v4/gateway=v5/Logon/c2g/relogon  (\(reason))"), "\(pair.stdout)")
        #expect(pair.stdout.contains("PARTIAL  client=v4/gateway=v5: "), "\(pair.stdout)")
        #expect(pair.stdout.contains(", 3 skipped (N=4"), "\(pair.stdout)")

        // Accepted: PASS and exit 0, the skips still listed, with the reason matrix.json gives.
        let accepted = try Self.accepting("v4", in: matrix)
        let acceptedReports = accepted.folder + "/reports"
        let again = try runCompat([
            "matrix", "run", "--clients", "v4,v5", "--gateways", "v4,v5", "--matrix", accepted.path,
            "--fixtures", Built.fixtures, "--report-dir", acceptedReports,
        ])
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        let (acceptedStates, acceptedChecks) = try read(acceptedReports)
        #expect(Set(acceptedStates.values) == ["PASS"])
        #expect(Set(acceptedChecks.filter { $0.value.status == "skipped" && $0.value.accepted == Self.acceptance }.keys) == expected)
        #expect(again.stdout.contains("6 skipped (peer contract too old, all accepted"), "\(again.stdout)")
        #expect(
            again.stdout.contains("\(reason) (accepted)\naccepted by matrix.json's acceptedSkips: \(Self.acceptance)\n"), "\(again.stdout)")
        let acceptedPair = try runCompat(["pair", "v4", "v5", "--matrix", accepted.path, "--fixtures", Built.fixtures])
        #expect(acceptedPair.status == 0, "\(acceptedPair.stdout)\(acceptedPair.stderr)")
        #expect(acceptedPair.stdout.contains(", 3 skipped, accepted (N=4"), "\(acceptedPair.stdout)")
    }

    @Test(
        "a contract-1 gateway's fleet: its sessions are told apart only where that is judged; every client-side check runs; PARTIAL until accepted"
    )
    func oldGatewayFleet() throws {
        let matrix = try TestMatrix(extraArguments: [5: ["--fault", "contract-1"]])
        let reports = matrix.folder + "/reports"
        let arguments = ["fleet", "v5", "--clients", "v3,v4", "--fixtures", Built.fixtures]
        let run = try runCompat(arguments + ["--matrix", matrix.path, "--report-dir", reports])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        let (states, found) = try read(reports)
        #expect(states == ["fleet=v5": "PARTIAL"])
        let reason = Self.reason("gateway", "v5", needs: "session with sessionId, P14")
        // The gateway's session events name no session; the fleet's logout round needs them. Nothing else is skipped.
        let skipped = found.filter { $0.value.status == "skipped" }
        #expect(
            Set(skipped.keys) == [
                "fleet=v5/client=v3#1/Logon/c2g/session-reported", "fleet=v5/client=v4#1/Logon/c2g/session-reported",
                "fleet=v5/client=v4#1/Logout/c2g/isolated",
            ], "\(skipped.keys.sorted())")
        #expect(skipped.values.allSatisfy { $0.reason == reason })
        #expect(found.filter { $0.value.status != "skipped" }.allSatisfy { $0.value.status == "passed" }, "\(found)")
        #expect(found["fleet=v5/client=v4#1/Logon/c2g/handshake"]?.status == "passed")
        #expect(run.stdout.contains("fleet=v5: 3 checks \(reason)\n"), "\(run.stdout)")

        let accepted = try Self.accepting("v5", in: matrix)
        let again = try runCompat(arguments + ["--matrix", accepted.path])
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(again.stdout.contains("fleet=v5: PASS · 2 sessions"), "\(again.stdout)")
        #expect(again.stdout.contains("checks (3 skipped, accepted)"), "\(again.stdout)")
    }

    @Test(
        "upgrading from and downgrading to a contract-1 gateway checks every client's handshake, NotLoggedOn, re-logon and traffic; only the session events are skipped"
    )
    func oldGatewayUpgrade() throws {
        let matrix = try Self.accepting("v4", in: try TestMatrix(extraArguments: [4: ["--fault", "contract-1"]]))
        for (from, to) in [("v4", "v5"), ("v5", "v4")] {
            let reports = matrix.folder + "/\(from)-\(to)"
            let run = try runCompat([
                "upgrade", from, to, "--clients", "v3,v5", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--report-dir", reports,
            ])
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            let (states, found) = try read(reports)
            #expect(states == ["upgrade=\(from)-\(to)": "PASS"])
            let scenario = "upgrade=\(from)-\(to)"
            var clientChecks: Set<String> = []
            for client in ["v3#1", "v5#1"] {
                for check in [
                    "Logon/c2g/handshake", "NewOrder/c2g/order-book", "session/not-logged-on", "Logon/c2g/relogon", "NewOrder/c2g/traffic",
                ] {
                    clientChecks.insert("\(scenario)/client=\(client)/\(check)")
                }
            }
            #expect(clientChecks.isSubset(of: Set(found.filter { $0.value.status == "passed" }.keys)), "\(found.keys.sorted())")
            // Only FROM's hello is asked before the fleet logs on: a contract-1 FROM cannot tell its sessions apart.
            let skipped = Set(found.filter { $0.value.status == "skipped" }.keys)
            #expect(
                skipped
                    == (from == "v4"
                        ? ["\(scenario)/client=v3#1/Logon/c2g/session-reported", "\(scenario)/client=v5#1/Logon/c2g/session-reported"]
                        : []),
                "\(skipped.sorted())")
            #expect(found.filter { $0.value.status != "skipped" }.allSatisfy { $0.value.status == "passed" }, "\(found)")
        }
    }

    @Test("a contract-1 client in a fleet and in an upgrade: only what logs it on again is skipped (and what follows)")
    func oldClientInFleetAndUpgrade() throws {
        // Only the v3 peers keep contract 1; the gateways are of other versions.
        let matrix = try Self.accepting("v3", in: try TestMatrix(extraArguments: [3: ["--fault", "contract-1"]]))
        let reason = Self.reason("client", "v3#1", needs: "logon on a logged-on client, P5")
        let fleetReports = matrix.folder + "/fleet"
        let fleet = try runCompat([
            "fleet", "v5", "--clients", "v3,v5", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--report-dir", fleetReports,
        ])
        #expect(fleet.status == 0, "\(fleet.stdout)\(fleet.stderr)")
        let fleetChecks = try read(fleetReports).checks
        #expect(
            fleetChecks.filter { $0.value.status == "skipped" }.mapValues(\.reason) == [
                "fleet=v5/client=v3#1/Logon/c2g/renegotiate": reason
            ])
        #expect(fleetChecks.filter { $0.value.status != "skipped" }.allSatisfy { $0.value.status == "passed" })

        let upgradeReports = matrix.folder + "/upgrade"
        let upgrade = try runCompat([
            "upgrade", "v4", "v5", "--clients", "v3,v5", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--report-dir",
            upgradeReports,
        ])
        #expect(upgrade.status == 0, "\(upgrade.stdout)\(upgrade.stderr)")
        let upgradeChecks = try read(upgradeReports).checks
        let skipped = upgradeChecks.filter { $0.value.status == "skipped" }
        // v3 keeps N = 3 on both gateways: no type it knows is newer than N, so no newer-refused check.
        #expect(
            Set(skipped.keys) == ["upgrade=v4-v5/client=v3#1/Logon/c2g/relogon", "upgrade=v4-v5/client=v3#1/NewOrder/c2g/traffic"],
            "\(skipped.keys.sorted())")
        #expect(skipped.values.allSatisfy { $0.reason == reason && $0.accepted == Self.acceptance })
        #expect(upgradeChecks.filter { $0.value.status != "skipped" }.allSatisfy { $0.value.status == "passed" })
    }

    @Test("a hello whose contract is no positive integer fails the cell, naming the peer and P3")
    func badContractFailsTheCell() throws {
        let matrix = try TestMatrix()
        var root = try JSON.parse(String(contentsOfFile: matrix.path, encoding: .utf8)).objectValue!
        let bad: JSON = .object([
            "name": "bad", "version": 3, "argv": .array([.string(TestPeers.script("badcontract")), "--peer", .string(Built.peerProgram)]),
        ])
        root["peers"] = .array((root["peers"]?.arrayValue ?? []) + [bad])
        let edited = try TestMatrix(json: .object(root))
        let run = try runCompat(
            ["pair", "v3", "bad", "--matrix", edited.path, "--fixtures", Built.fixtures], environment: ["TMPDIR": edited.folder])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("FAIL  client=v3/gateway=bad"), "\(run.stdout)")
        #expect(
            run.stdout.contains(
                "gateway bad wrote a line that is not a contract event (hello event: \"contract\" must be a positive integer"),
            "\(run.stdout)")
        #expect(run.stdout.contains("(P3), got \"three\""), "\(run.stdout)")
    }
}
