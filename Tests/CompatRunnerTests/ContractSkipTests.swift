// Peer contract versions seen by the runner (docs/PEER-CONTRACT.md, P17): a peer that keeps
// contract 1 (`--fault contract-1`: no `contract` in hello, no sessionId in session events, no
// logon on a logged-on client) has exactly the checks that need contract 2 reported skipped with
// the reason, in every report, and the run still exits 0; today's peers skip nothing; a hello
// whose contract is no positive integer fails its cell (P3).

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

    func checks(_ reports: String) throws -> [String: (status: String, reason: String?)] {
        let results = try JSON.parse(String(contentsOfFile: reports + "/results.json", encoding: .utf8))
        var checks: [String: (String, String?)] = [:]
        for cell in results["cells"]?.arrayValue ?? [] {
            #expect(
                cell["state"]?.stringValue == "PASS" || cell["state"]?.stringValue == "INCOMPATIBLE",
                "\(cell["name"]?.serialized ?? "") \(cell["problem"]?.serialized ?? "")")
            for check in cell["checks"]?.arrayValue ?? [] {
                checks[check["name"]!.stringValue!] = (check["status"]!.stringValue!, check["reason"]?.stringValue)
            }
        }
        return checks
    }

    @Test(
        "a contract-1 client: exactly its logon-again checks skipped with the reason, in every report; exit 0; nothing skipped for today's peers"
    )
    func oldClientInTheMatrix() throws {
        let matrix = try TestMatrix(extraArguments: [4: ["--fault", "contract-1"]])
        let reports = matrix.folder + "/reports"
        let run = try runCompat([
            "matrix", "run", "--clients", "v4,v5", "--gateways", "v4,v5", "--matrix", matrix.path,
            "--fixtures", Built.fixtures, "--report-dir", reports,
        ])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
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
        let found = try checks(reports)
        let skipped = Set(found.filter { $0.value.status == "skipped" }.keys)
        #expect(skipped == expected)
        #expect(
            expected.count == 6, "v4 × v4 and v4 × v5 (N = 4): reference-ack, reference-mass-cancel, relogon each: \(expected.sorted())")
        let reason = Self.reason("client", "v4", needs: "logon on a logged-on client, P5")
        for name in skipped { #expect(found[name]?.reason == reason, "\(name): \(found[name]?.reason ?? "no reason")") }
        #expect(found.filter { $0.value.status != "passed" && $0.value.status != "skipped" }.isEmpty)
        // Never silent: under the grid (one line for the reason, with its cells), in summary.md and in junit.xml.
        #expect(run.stdout.contains("6 checks in 2 cells (client=v4/gateway=v4, client=v4/gateway=v5) \(reason)"), "\(run.stdout)")
        #expect(run.stdout.contains("6 skipped (peer contract too old"), "\(run.stdout)")
        let summary = try String(contentsOfFile: reports + "/summary.md", encoding: .utf8)
        #expect(summary.contains("### Skipped checks") && summary.contains("`client=v4/gateway=v5`: 3 checks \(reason)"), "\(summary)")
        let junit = try String(contentsOfFile: reports + "/junit.xml", encoding: .utf8)
        #expect(junit.components(separatedBy: "<skipped message=\"\(reason)\"/>").count - 1 == 6)

        // One cell in depth: each skipped check on its line with its reason, and counted.
        let pair = try runCompat(["pair", "v4", "v5", "--matrix", matrix.path, "--fixtures", Built.fixtures])
        #expect(pair.status == 0, "\(pair.stdout)\(pair.stderr)")
        #expect(pair.stdout.contains("SKIPPED  client=v4/gateway=v5/Logon/c2g/relogon  (\(reason))"), "\(pair.stdout)")
        #expect(pair.stdout.contains(", 3 skipped (N=4"), "\(pair.stdout)")
    }

    @Test("a contract-1 gateway cannot tell a fleet's sessions apart: every check but shutdown skipped, exit 0")
    func oldGatewayFleet() throws {
        let matrix = try TestMatrix(extraArguments: [5: ["--fault", "contract-1"]])
        let reports = matrix.folder + "/reports"
        let run = try runCompat([
            "fleet", "v5", "--clients", "v3,v4", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--report-dir", reports,
        ])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let found = try checks(reports)
        let reason = Self.reason("gateway", "v5", needs: "session with sessionId, P14")
        #expect(Set(found.filter { $0.value.status == "passed" }.keys) == ["fleet=v5/session/shutdown"])
        #expect(
            found.filter { $0.value.status != "passed" }.allSatisfy { $0.value.status == "skipped" && $0.value.reason == reason },
            "\(found)")
        #expect(run.stdout.contains("fleet=v5: \(found.count - 1) checks \(reason)"), "\(run.stdout)")
    }

    @Test("a contract-1 client in a fleet and in an upgrade: only what logs it on again is skipped (and what follows), exit 0")
    func oldClientInFleetAndUpgrade() throws {
        // Only the v3 peers keep contract 1; the gateways are of other versions.
        let matrix = try TestMatrix(extraArguments: [3: ["--fault", "contract-1"]])
        let reason = Self.reason("client", "v3#1", needs: "logon on a logged-on client, P5")
        let fleetReports = matrix.folder + "/fleet"
        let fleet = try runCompat([
            "fleet", "v5", "--clients", "v3,v5", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--report-dir", fleetReports,
        ])
        #expect(fleet.status == 0, "\(fleet.stdout)\(fleet.stderr)")
        let fleetChecks = try checks(fleetReports)
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
        let upgradeChecks = try checks(upgradeReports)
        let skipped = upgradeChecks.filter { $0.value.status == "skipped" }
        // v3 keeps N = 3 on both gateways: no type it knows is newer than N, so no newer-refused check.
        #expect(
            Set(skipped.keys) == ["upgrade=v4-v5/client=v3#1/Logon/c2g/relogon", "upgrade=v4-v5/client=v3#1/NewOrder/c2g/traffic"],
            "\(skipped.keys.sorted())")
        #expect(skipped.values.allSatisfy { $0.reason == reason })
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
