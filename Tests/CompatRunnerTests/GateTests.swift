// `compat gate` as CI runs it: all four sections in one report, one exit code.

import BuiltBinaries
import Foundation
import FoundationXML
import MiniJSON
import TGP
import Testing

@Suite("compat gate", .serialized)
struct GateTests {
    @Test("the gate passes on the repository's schema, fixtures and the reference peers, and writes its reports")
    func gatePasses() throws {
        let matrix = try TestMatrix()
        let reports = matrix.folder + "/reports"
        let run = try runCompat(["gate", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--report-dir", reports])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        for section in [
            "Schema against the released lock: PASS", "Golden frames: PASS", "Compatibility matrix: PASS", "Fleets and upgrades: PASS",
            "Stale known failures: PASS", "gate: PASS",
        ] {
            #expect(run.stdout.contains(section), "missing \(section) in \(run.stdout)")
        }
        let summary = try String(contentsOfFile: reports + "/summary.md", encoding: .utf8)
        #expect(summary.hasPrefix("## compat gate: PASS"))
        let junit = try XMLDocument(contentsOf: URL(fileURLWithPath: reports + "/junit.xml"))
        let suites = try junit.nodes(forXPath: "/testsuites/testsuite/@name").compactMap(\.stringValue)
        #expect(suites.prefix(2) == ["schema", "fixtures"])
        // A cell per client × gateway, a fleet on each gateway, and both ways of each upgrade to the next version.
        let versions = Schema.tgp.versions
        let scenarios =
            versions.map { "fleet=v\($0)" }
            + zip(versions, versions.dropFirst()).flatMap { ["upgrade=v\($0)-v\($1)", "upgrade=v\($1)-v\($0)"] }
        // Then the stale known failures section, last.
        #expect(suites.count == 2 + versions.count * versions.count + scenarios.count + 1)
        #expect(Set(suites.dropLast().suffix(scenarios.count)) == Set(scenarios))
        #expect(suites.last == "stale-known-failures")
        let runId = try #require(printedRunId(run.stdout), "\(run.stdout.suffix(300))")
        #expect(try reportRunIds(in: reports) == ["results.json": runId, "junit.xml": runId, "summary.md": runId, "report.html": runId])
    }

    @Test("a known failure that now passes fails the gate as stale")
    func staleKnownFailureFailsTheGate() throws {
        let known: JSON = .array([.object(["client": "v3", "gateway": "v5", "check": "NewOrder/c2g/sample", "reason": "fixed long ago"])])
        let matrix = try TestMatrix(extra: ["knownFailures": known, "clients": ["v3"], "gateways": ["v5"]])
        // The stale cell keeps its folder: inside the matrix's folder, it goes with it.
        let run = try runCompat(["gate", "--matrix", matrix.path, "--fixtures", Built.fixtures], environment: ["TMPDIR": matrix.folder])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("== Stale known failures: FAIL"))
        #expect(run.stdout.contains("client=v3/gateway=v5/NewOrder/c2g/sample passed; remove it from knownFailures (fixed long ago)"))
        #expect(
            run.stdout.contains("gate: FAIL — Compatibility matrix; Stale known failures")
                || run.stdout.contains("gate: FAIL — Stale known failures"))
    }

    @Test("a flipped golden byte fails the gate's fixtures section with the file and offset")
    func flippedGoldenByteFailsTheGate() throws {
        let matrix = try TestMatrix(extra: ["clients": ["v3"], "gateways": ["v3"]])
        let copy = matrix.folder + "/fixtures"
        try FileManager.default.copyItem(atPath: Built.fixtures, toPath: copy)
        let file = copy + "/golden/v3/NewOrder.json"
        var text = try String(contentsOfFile: file, encoding: .utf8)
        // The first frame row of the first case: "0000  1f00 0a00 …" → its first byte flipped.
        let row = try #require(text.range(of: "\"0000  1f"))
        text.replaceSubrange(row, with: "\"0000  2f")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let run = try runCompat(["gate", "--matrix", matrix.path, "--fixtures", copy])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("== Golden frames: FAIL"))
        #expect(run.stdout.contains("v3/NewOrder.json [sample]: frame differs at byte 0"), "\(run.stdout)")
    }

    @Test("misuse exits 2: a baseline that does not exist")
    func missingBaselineIsMisuse() throws {
        let matrix = try TestMatrix(extra: ["clients": ["v3"], "gateways": ["v3"]])
        let run = try runCompat([
            "gate", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--baseline", matrix.folder + "/no-such-lock.json",
        ])
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("no-such-lock.json"))
    }

    @Test("gate --clients/--gateways: only those cells, the fleets on those gateways, and a note naming what it left out")
    func narrowedByPeers() throws {
        let matrix = try TestMatrix(extra: ["clients": ["v3", "v4"], "gateways": ["v4", "v5"]])
        let run = try runCompat(
            ["gate", "--json", "--clients", "v4", "--gateways", "v5", "--matrix", matrix.path, "--fixtures", Built.fixtures],
            environment: ["TMPDIR": matrix.folder, "GITHUB_ACTIONS": nil])
        #expect(run.status == 0, "\(run.stdout.suffix(2000))\(run.stderr)")
        let results = try JSON.parse(run.stdout)
        #expect(results["cells"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["client=v4/gateway=v5"])
        let scenarios = results["gate"]?["scenarios"]?.arrayValue ?? []
        #expect(scenarios.compactMap { $0["gateway"]?.stringValue } == ["v5"], "\(scenarios.map(\.serialized))")
        #expect(
            run.stderr.contains(
                "compat: note: the gate leaves out fleet=v4, upgrade=v4-v5, upgrade=v5-v4 (their gateways are not in --gateways)\n"),
            "\(run.stderr)")
    }

    @Test("an unaccepted skip fails the gate (PARTIAL, exit 1); accepted in matrix.json with a reason, the same gate passes")
    func unacceptedSkipFailsTheGate() throws {
        let arguments = ["gate", "--json", "--clients", "v4", "--gateways", "v5", "--fixtures", Built.fixtures]
        let narrowed: JSONObject = ["clients": ["v4"], "gateways": ["v4", "v5"]]
        let old = try TestMatrix(extraArguments: [4: ["--fault", "contract-1"]], extra: narrowed)
        let run = try runCompat(arguments + ["--matrix", old.path], environment: ["TMPDIR": old.folder, "GITHUB_ACTIONS": nil])
        #expect(run.status == 1, "\(run.stdout.suffix(2000))\(run.stderr)")
        let results = try JSON.parse(run.stdout)
        #expect(results["cells"]?.arrayValue?.compactMap { $0["state"]?.stringValue } == ["PARTIAL"])
        #expect(results["gate"]?["passed"]?.boolValue == false)

        var root = try JSON.parse(String(contentsOfFile: old.path, encoding: .utf8)).objectValue!
        root["acceptedSkips"] = .array([.object(["peer": "v4", "reason": "built before contract 2"])])
        let accepted = try TestMatrix(json: .object(root))
        let again = try runCompat(
            arguments + ["--matrix", accepted.path], environment: ["TMPDIR": accepted.folder, "GITHUB_ACTIONS": nil])
        #expect(again.status == 0, "\(again.stdout.suffix(2000))\(again.stderr)")
        #expect(try JSON.parse(again.stdout)["cells"]?.arrayValue?.compactMap { $0["state"]?.stringValue } == ["PASS"])
    }

    @Test("gate --message/--run: only the matrix's selected checks; fleets and upgrades left out, and said so")
    func narrowedByChecks() throws {
        let matrix = try TestMatrix(extra: ["clients": ["v4"], "gateways": ["v5"]])
        let run = try runCompat(
            ["gate", "--json", "--message", "Heartbeat", "--matrix", matrix.path, "--fixtures", Built.fixtures],
            environment: ["TMPDIR": matrix.folder, "GITHUB_ACTIONS": nil])
        #expect(run.status == 0, "\(run.stdout.suffix(2000))\(run.stderr)")
        let results = try JSON.parse(run.stdout)
        let checks = results["cells"]?[0]?["checks"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        #expect(!checks.isEmpty && checks.allSatisfy { $0.hasPrefix("client=v4/gateway=v5/Heartbeat/") }, "\(checks)")
        #expect(results["gate"]?["scenarios"] == .array([]))
        #expect(
            run.stderr.contains("compat: note: the gate leaves out fleet=v5 (--run and --message select matrix checks)\n"), "\(run.stderr)")

        let typo = try runCompat(["gate", "--message", "Heartbeet", "--matrix", matrix.path, "--fixtures", Built.fixtures])
        #expect(typo.status == 2 && typo.stderr.contains("--message Heartbeet: not a message type"), "\(typo.stderr)")
    }
}
