// `compat fleet`: one gateway serving clients of every version at once. The clean fleet passes
// with the by-design cut-offs named; each gateway session defect makes it exit 1 at the check
// that shows it; a fleet's results are exactly its plan.

import BuiltBinaries
import CompatRunner
import Foundation
import MiniJSON
import TGP
import Testing

@Suite("Fleets: one gateway, many sessions")
struct FleetTests {
    static let clients = "v1,v2,v3,v4,v5,v5"

    @Test("fleet v5 with every client version: exit 0, v1 and v2 cut off, results exactly the plan")
    func cleanFleet() throws {
        let matrix = try TestMatrix()
        let reports = matrix.folder + "/reports"
        let run = try runCompat([
            "fleet", "v5", "--clients", Self.clients, "--matrix", matrix.path, "--fixtures", Built.fixtures, "--report-dir", reports,
        ])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        for session in ["v1#1", "v2#1"] {
            #expect(run.stdout.split(separator: "\n").contains { $0.contains(session) && $0.contains("cut off") }, "\(run.stdout)")
        }
        let (config, _) = try matrix.load()
        let plan = FleetPlan(
            gateway: config.peer(named: "v5")!, clients: Self.clients.split(separator: ",").map { config.peer(named: String($0))! })
        let results = try JSON.parse(String(contentsOfFile: reports + "/results.json", encoding: .utf8))
        let checks = results["cells"]?.arrayValue?.first?["checks"]?.arrayValue ?? []
        #expect(checks.compactMap { $0["name"]?.stringValue } == plan.names)
        let listed = try runCompat([
            "list", "--checks", "--fleet", "v5", "--client", Self.clients, "--matrix", matrix.path, "--fixtures", Built.fixtures,
        ])
        #expect(listed.stdout.split(separator: "\n").map(String.init) == plan.names, "\(listed.stderr)")
        #expect(checks.allSatisfy { $0["status"]?.stringValue == "passed" })
        #expect(Set(plan.checks.map(\.kind.id)) == Set(CheckKind.allCases.filter { $0.family == .fleet }.map(\.id)))
    }

    /// The sessions log on in whatever order the gateway reads their Logons, so which session a
    /// defect hits first can differ; the kind of check that shows it cannot.
    @Test(
        "a gateway session defect makes compat fleet exit 1 at the check that shows it",
        arguments: [
            ("single-negotiated-version", "/Logon/c2g/handshake"),
            ("keep-version-on-relogon", "/Logon/c2g/renegotiate"),
            ("answer-wrong-session", "/NewOrder/c2g/order-book"),
            ("session-survives-logout", "/Logout/c2g/isolated"),
        ])
    func faultyGateway(fault: String, failingCheck: String) throws {
        let matrix = try TestMatrix(extraArguments: [5: ["--fault", fault]], commandSeconds: 2)
        let reports = matrix.folder + "/reports"
        // The failing fleet keeps its folder: inside the matrix's folder, it goes with it.
        let run = try runCompat(
            ["fleet", "v5", "--clients", "v3,v4,v5,v5", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--report-dir", reports],
            environment: ["TMPDIR": matrix.folder])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        let results = try JSON.parse(String(contentsOfFile: reports + "/results.json", encoding: .utf8))
        let cell = try #require(results["cells"]?.arrayValue?.first)
        #expect(cell["state"]?.stringValue == "FAIL", "\(cell["problem"]?.serialized ?? "")")
        let failed = (cell["checks"]?.arrayValue ?? []).filter { $0["status"]?.stringValue == "failed" }.compactMap {
            $0["name"]?.stringValue
        }
        #expect(failed.contains { $0.hasSuffix(failingCheck) }, "\(failed)")
    }

    @Test("clients that are not clients of the matrix, or none, exit 2")
    func badClients() throws {
        let matrix = try TestMatrix()
        for clients in ["v9", ""] {
            let run = try runCompat(["fleet", "v5", "--clients", clients, "--matrix", matrix.path, "--fixtures", Built.fixtures])
            #expect(run.status == 2, "\(clients): \(run.stdout)\(run.stderr)")
        }
    }
}
