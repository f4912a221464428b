// `--json` on the commands that print a report: each output parses, with the keys the README
// names and the values the text output shows; the exit status is the text output's.

import BuiltBinaries
import CompatRunner
import Foundation
import MiniJSON
import TGP
import Testing

@Suite("--json outputs", .serialized)
struct JSONOutputTests {
    @Test("list --json: every peer with its version, range and roles; every message type with the versions that know it")
    func listJSON() throws {
        let matrix = try TestMatrix(extra: ["clients": ["v3", "v5"], "gateways": ["v5"]])
        let run = try runCompat(["list", "--json", "--matrix", matrix.path, "--fixtures", Built.fixtures])
        #expect(run.status == 0, "\(run.stderr)")
        let listing = try JSON.parse(run.stdout)
        #expect(listing["matrix"]?.stringValue == matrix.path)
        let peers = listing["peers"]?.arrayValue ?? []
        #expect(peers.compactMap { $0["name"]?.stringValue } == Schema.tgp.versions.map { "v\($0)" })
        let v5 = try #require(peers.last)
        #expect(v5["version"]?.intValue == 5 && v5["min"]?.intValue == 3 && v5["max"]?.intValue == 5)
        #expect(v5["roles"] == .array(["client", "gateway"]) && peers[2]["roles"] == .array(["client"]) && peers[0]["roles"] == .array([]))
        #expect(v5["argv"] == .array(Built.peer(5).map(JSON.string)))
        let messages = listing["messages"]?.arrayValue ?? []
        #expect(messages.compactMap { $0["name"]?.stringValue } == Schema.tgp.messages.map(\.name))
        let modify = try #require(messages.first { $0["name"]?.stringValue == "ModifyOrder" })
        #expect(modify["since"]?.intValue == 3 && modify["versions"] == .array([3, 4, 5]) && modify["templateId"]?.intValue == 16)
        #expect(modify["direction"]?.stringValue == Direction.clientToGateway.rawValue)
    }

    @Test("list: the peers' and the message types' columns line up, however long the names")
    func listColumns() throws {
        let matrix = try TestMatrix(
            json: .object([
                "peers": .array([
                    .object(["name": "v3", "version": 3, "argv": .array(Built.peer(3).map(JSON.string))]),
                    .object(["name": "a-much-longer-peer-name", "version": 5, "argv": .array(Built.peer(5).map(JSON.string))]),
                ])
            ]))
        let run = try runCompat(["list", "--matrix", matrix.path, "--fixtures", Built.fixtures])
        #expect(run.status == 0, "\(run.stderr)")
        let sections = run.stdout.components(separatedBy: "\n\n")
        let peerLines = sections[0].split(separator: "\n").dropFirst().map(String.init)
        #expect(peerLines.count == 2, "\(sections[0])")
        // Where each column starts on each peer's line: its version, range, roles and command.
        let starts = zip(peerLines, [3, 5]).map { line, version in
            ["  v\(version)  supports", "supports", "client+gateway", Built.peer(version).joined(separator: " ")].map { cell in
                line.range(of: cell).map { line.distance(from: line.startIndex, to: $0.lowerBound) + (cell.hasPrefix("  ") ? 2 : 0) }
            }
        }
        #expect(starts.count == 2 && starts[0] == starts[1] && !starts[0].contains(nil), "\(starts):\n\(sections[0])")

        let messageLines = sections[1].split(separator: "\n").dropFirst().map { Array($0) }
        #expect(messageLines.count == Schema.tgp.messages.count + 1)
        // Each column starts where its header does: the id, the direction, and every version's mark.
        let header = String(messageLines[0])
        for title in ["id", "dir", "v1", "v5"] {
            let start = try #require(header.range(of: " \(title)")).upperBound
            let column = header.distance(from: header.startIndex, to: start) - title.count
            for line in messageLines.dropFirst() {
                #expect(line[column - 1] == " " && line[column - 2] == " " && line[column] != " ", "\(title) at \(column): \(String(line))")
            }
        }
    }

    @Test("schema diff --json: each finding by rule id and location, exit 1 when one is not allowed, 0 when it is")
    func schemaDiffJSON() throws {
        let folder = try SchemaTestFolder()
        let wider = Schema.tgp.with(range: 1...4, of: 4)
        try SchemaLock(schema: wider).write(to: folder.path + "/schema-lock.json")
        let breaking = try runCompat(["schema", "diff", "--json", "--fixtures", folder.path])
        #expect(breaking.status == 1, "\(breaking.stderr)")
        let report = try JSON.parse(breaking.stdout)
        #expect(report["passed"] == .bool(false) && report["lockedVersions"] == .array(Schema.tgp.versions.map { .integer($0) }))
        let finding = try #require(report["breaking"]?.arrayValue?.first { $0["id"]?.stringValue == "range-narrowed@v4:peer-range" })
        #expect(finding["rule"]?.stringValue == "range-narrowed" && finding["location"]?.stringValue == "v4:peer-range")
        #expect(finding["detail"]?.stringValue?.isEmpty == false)

        try #"[{"id": "range-narrowed@v4:peer-range", "reason": "v4 gateways drop v1 clients"}]"#
            .write(toFile: folder.path + "/allowed-breaks.json", atomically: true, encoding: .utf8)
        let allowed = try runCompat(["schema", "diff", "--json", "--fixtures", folder.path])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        let allowedReport = try JSON.parse(allowed.stdout)
        #expect(allowedReport["passed"] == .bool(true) && allowedReport["breaking"] == .array([]))
        #expect(allowedReport["allowed"]?[0]?["reason"]?.stringValue == "v4 gateways drop v1 clients")
    }

    @Test("fixtures verify --json: the counts, and a changed frame as a problem naming its file and case with exit 1")
    func fixturesVerifyJSON() throws {
        let clean = try runCompat([
            "fixtures", "verify", "--json", "--matrix", Built.repositoryRoot + "/matrix.json", "--fixtures", Built.fixtures,
        ])
        #expect(clean.status == 0, "\(clean.stderr)")
        let report = try JSON.parse(clean.stdout)
        #expect(report["passed"] == .bool(true) && report["problems"] == .array([]))
        for key in ["files", "frames", "refusals", "decodes"] { #expect((report[key]?.intValue ?? 0) > 0, "\(key)") }

        let copy = try SchemaTestFolder()
        try FileManager.default.removeItem(atPath: copy.path)
        try FileManager.default.copyItem(atPath: Built.fixtures, toPath: copy.path)
        let golden = copy.path + "/golden/v3/NewOrder.json"
        let text = try String(contentsOfFile: golden, encoding: .utf8)
        try text.replacingOccurrences(of: "\"sample\"", with: "\"sample-renamed\"").write(toFile: golden, atomically: true, encoding: .utf8)
        let broken = try runCompat([
            "fixtures", "verify", "--json", "--matrix", Built.repositoryRoot + "/matrix.json", "--fixtures", copy.path,
        ])
        #expect(broken.status == 1, "\(broken.stdout)\(broken.stderr)")
        let problems = try JSON.parse(broken.stdout)["problems"]?.arrayValue ?? []
        #expect(!problems.isEmpty && problems.allSatisfy { $0["file"]?.stringValue?.hasSuffix("v3/NewOrder.json") == true }, "\(problems)")
    }

    @Test("matrix floor --json: the runs, their medians and the ratio, and whether the matrix was pinned", arguments: [true, false])
    func floorJSON(pin: Bool) throws {
        let matrix = try TestMatrix(extra: ["clients": ["v3"], "gateways": ["v3", "v5"]])
        let run = try runCompat(
            ["matrix", "floor", "--json", "--runs", "1", "--jobs", "2", pin ? "--pin" : "--no-pin", "--matrix", matrix.path]
                + ["--fixtures", Built.fixtures],
            environment: ["TMPDIR": matrix.folder])
        #expect(run.status == 0, "\(run.stderr)")
        let floor = try JSON.parse(run.stdout)
        #expect(
            floor["cells"]?.intValue == 2 && floor["peerProcesses"]?.intValue == 4 && floor["jobs"]?.intValue == 2
                && floor["runs"]?.intValue == 1)
        #expect(floor["pinned"] == .bool(pin && CellPinning.pays(workers: 2)))
        #expect((floor["checks"]?.intValue ?? 0) > 100)
        let matrixRun = try #require(floor["matrixSeconds"]?["median"]?.doubleValue)
        let floorRun = try #require(floor["floorSeconds"]?["median"]?.doubleValue)
        #expect(floor["matrixSeconds"]?["runs"] == .array([.double(matrixRun)]))
        #expect(floor["ratio"]?.doubleValue == matrixRun / floorRun)
    }

    @Test("bench codec --json: one result per message type and version asked for, with its figures")
    func codecJSON() throws {
        let run = try runCompat([
            "bench", "codec", "--json", "--message", "NewOrder", "--message", "Heartbeat", "--version", "3", "--version", "5",
            "--runs", "1", "--fixtures", Built.fixtures,
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let codec = try JSON.parse(run.stdout)
        #expect(codec["tool"]?.stringValue == "compat bench codec")
        let results = codec["results"]?.arrayValue ?? []
        let cells = Set(
            results.compactMap { result in result["message"]?.stringValue.map { "\($0)@v\(result["version"]?.intValue ?? 0)" } })
        #expect(cells == ["NewOrder@v3", "NewOrder@v5", "Heartbeat@v3", "Heartbeat@v5"])
        for result in results {
            for key in ["encodeNanoseconds", "decodeNanoseconds", "encodeDecodeNanoseconds", "allocatingEncodeDecodeNanoseconds"] {
                #expect((result[key]?.doubleValue ?? 0) > 0, "\(key): \(result.serialized)")
            }
            #expect((result["frameBytes"]?.intValue ?? 0) > 0)
        }
        #expect(codec["checksum"]?.uint64Value != nil)
    }

    @Test(
        "--json on matrix run, pair, gate, fleet and upgrade: stdout is the run's results.json alone, valid against its schema, same exit status",
        arguments: [
            (["matrix", "run", "--clients", "v4", "--gateways", "v5", "--message", "NewOrder"], "matrix run"),
            (["pair", "v4", "v5", "--message", "NewOrder"], "pair"),
            (["gate"], "gate"),
            (["fleet", "v5", "--clients", "v4,v4"], "fleet"),
            (["upgrade", "v4", "v5", "--clients", "v4"], "upgrade"),
        ])
    func runResultsJSON(command: [String], name: String) throws {
        let matrix = try TestMatrix(extra: ["clients": ["v4"], "gateways": ["v4", "v5"]])
        let reports = matrix.folder + "/reports"
        let run = try runCompat(
            command + ["--json", "--report-dir", reports, "--matrix", matrix.path, "--fixtures", Built.fixtures],
            environment: ["TMPDIR": matrix.folder, "GITHUB_ACTIONS": nil])
        #expect(run.status == 0, "\(run.stdout.suffix(2000))\(run.stderr)")
        let written = try String(contentsOfFile: reports + "/results.json", encoding: .utf8)
        #expect(run.stdout == written)
        let json = try JSON.parse(run.stdout)
        #expect(schemaValidator.errors(in: json) == [])
        #expect(json["command"] == .string(name))
        #expect(run.stderr.contains("reports written to \(reports)"), "\(run.stderr)")
    }

    @Test("--json keeps the exit status: a failing cell is exit 1 with its results on stdout, GitHub annotations on stderr")
    func failingRunJSON() throws {
        let faulty = try TestMatrix(extraArguments: [3: ["--fault", "var-data-255"]], commandSeconds: 2)
        let run = try runCompat(
            [
                "matrix", "run", "--json", "--matrix", faulty.path, "--fixtures", Built.fixtures, "--clients", "v3", "--gateways", "v3",
            ],
            environment: ["TMPDIR": faulty.folder, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": faulty.folder + "/step-summary.md"])
        #expect(run.status == 1, "\(run.stdout.suffix(2000))\(run.stderr)")
        let json = try JSON.parse(run.stdout)
        #expect(schemaValidator.errors(in: json) == [])
        #expect(json["allExpected"] == .bool(false))
        // On GitHub Actions the annotations go to stderr, which the runner reads for them too.
        #expect(run.stderr.contains("::error title="), "\(run.stderr)")
    }
}
