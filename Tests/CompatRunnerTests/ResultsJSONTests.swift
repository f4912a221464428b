// results.json: lossless (read back, it gives the values it was written from), strict to read
// (a damaged file is an error naming the file and the key), and exactly what
// docs/results.schema.json and docs/REPORTS.md say, for real runs of matrix run, gate and fleet.

import BuiltBinaries
import Foundation
import MiniJSON
import Testing

@testable import CompatRunner

/// A run holding every kind of value results.json carries.
private enum Sample {
    static let frame: [UInt8] = [0x0f, 0x00, 0xab, 0xcd, 0x00, 0xff]

    static func peers(_ client: String, _ gateway: String, end: String? = "exit 0") -> [PeerOutcome] {
        [
            PeerOutcome(role: "client", name: client, argv: ["peer-\(client)", "--role", "client"], termination: "exit 0", stderrTail: ""),
            PeerOutcome(
                role: "gateway", name: gateway, argv: ["peer-\(gateway)", "--role", "gateway"], termination: end,
                stderrTail: "line 1\n\"quoted\" \u{1}\n"),
        ]
    }

    static let failing = CellResult(
        client: "v3", gateway: "v5", clientVersion: 3, gatewayVersion: 5, expectedVersion: 3, state: .fail,
        checks: [
            CheckResult(name: "client=v3/gateway=v5/session/handshake", status: .passed, rules: ["N1", "N2"], seconds: 0.001),
            CheckResult(
                name: "client=v3/gateway=v5/NewOrder/c2g/sample", status: .failed,
                failure: CheckFailure("differs", field: "side", expected: "Buy", actual: "Sell", sentFrame: frame, receivedFrame: []),
                rules: ["E1"], seconds: 0.25),
            CheckResult(
                name: "client=v3/gateway=v5/Reject/g2c/sample", status: .knownFailure, failure: CheckFailure("late"),
                knownReason: "JIRA-1", rules: ["E1"]),
            CheckResult(name: "client=v3/gateway=v5/Logout/c2g/sample", status: .stalePass, knownReason: "JIRA-2"),
            CheckResult(
                name: "client=v3/gateway=v5/bad-input/c2g/frame-4097", status: .skipped, reason: "the gateway keeps contract 1; it needs 2"),
        ], problem: nil, peers: peers("v3", "v5"), keptDirectory: "/tmp/compat-v3-v5-x", seconds: 1.5, reproduce: "compat pair v3 v5")

    static let crashed = CellResult(
        client: "v5", gateway: "v5", clientVersion: 5, gatewayVersion: 5, expectedVersion: nil, state: .crash,
        checks: [
            CheckResult(name: "client=v5/gateway=v5/NewOrder/c2g/sample", status: .notRun, reason: "the gateway died")
        ], problem: "gateway v5 died: signal 11 (SIGSEGV)", peers: peers("v5", "v5", end: nil), keptDirectory: nil, seconds: 0.125,
        reproduce: "compat pair v5 v5")

    static let matrix = MatrixResult(clients: ["v3", "v5"], gateways: ["v5"], cells: [failing, crashed], wallSeconds: 2.0625, jobs: 2)

    static let run = RunInfo(
        runId: RunID("20260301T142205Z-3f09c2aa"), startedAt: "2026-03-01T14:22:05Z", command: "gate",
        arguments: ["gate", "--shard", "2/3"], compatVersion: "9.9.9",
        shard: ShardRecord(
            shard: Shard(index: 2, count: 3), units: ["client=v3/gateway=v5", "fleet=v5"],
            matrixDigest: "fnv1a64:0123456789abcdef", arguments: ["gate"]))

    static var gate: GateResult {
        let moved = BreakingChange(rule: .fieldMoved, location: "v3:NewOrder.side", detail: "offset 20 → 21")
        let renamed = BreakingChange(rule: .enumValueRenamed, location: "v2:Side.Buy", detail: "Buy → Bid")
        let allowances = AllowedBreaks([
            AllowedBreak(id: renamed.id, reason: "decided in JIRA-3"),
            AllowedBreak(id: "field-moved@v9:Nothing.here", reason: "old"),
        ])
        let schema = SchemaDiffReport(
            changes: [moved, renamed], allowances: allowances, baselineDescription: "fixtures/schema-lock.json",
            lockedVersions: [1, 2, 3], unlockedVersions: [4, 5])
        var golden = GoldenReport(folder: "fixtures/golden")
        golden.files = 3
        golden.frames = 10
        golden.refusals = 1
        golden.decodes = 50
        golden.fail("fixtures/golden/v3/NewOrder.json", "sample", "frame differs at byte 0")
        golden.fail("fixtures/golden/v9", "unexpected folder")
        var scenario = failing
        scenario.client = "fleet=v5"
        scenario.clientVersion = 0
        return GateResult(schema: schema, fixtures: golden, matrix: matrix, scenarios: [scenario], seconds: 3.5)
    }
}

private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

/// The JSON Schema of results.json and its documentation, from the repository.
let schemaValidator = {
    let text = try! String(contentsOfFile: Built.repositoryRoot + "/docs/results.schema.json", encoding: .utf8)
    return JSONSchemaValidator(root: try! JSON.parse(text))
}()

@Suite("results.json")
struct ResultsJSONTests {
    @Test("a matrix run's results.json reads back to the values it was written from")
    func matrixReadsBack() throws {
        var run = Sample.run
        run.command = "matrix run"
        let written = ResultsJSON.render(RunResults(run: run, findings: .matrix(Sample.matrix)))
        let read = try RunResults.parse(written, source: "results.json")
        #expect(read.matrix == Sample.matrix)
        #expect(read.run == run)
        #expect(read.gate == nil)
        #expect(text(ResultsJSON.render(read)) == text(written))
    }

    @Test("a gate's results.json holds its schema findings, golden frames and scenarios, and reads back")
    func gateReadsBack() throws {
        let written = ResultsJSON.render(RunResults(run: Sample.run, findings: .gate(Sample.gate)))
        let json = try JSON.parse(written)
        #expect(json["gate"]?["schema"]?["breaking"]?[0]?["id"] == "field-moved@v3:NewOrder.side")
        #expect(json["gate"]?["schema"]?["allowed"]?[0]?["reason"] == "decided in JIRA-3")
        #expect(json["gate"]?["schema"]?["unusedAllowances"]?[0]?["id"] == "field-moved@v9:Nothing.here")
        #expect(json["gate"]?["goldenFrames"]?["problems"]?[1]?["case"] == .null)
        #expect(json["gate"]?["scenarios"]?[0]?["name"] == "fleet=v5")
        #expect(json["cells"]?[0]?["checks"]?[1]?["failure"]?["sentFrame"] == "0f00abcd00ff")
        let read = try RunResults.parse(written, source: "results.json")
        let gate = try #require(read.gate)
        #expect(gate.schema.breaking == Sample.gate.schema.breaking)
        #expect(gate.schema.allowed.map(\.change) == Sample.gate.schema.allowed.map(\.change))
        #expect(gate.schema.unusedAllowances == Sample.gate.schema.unusedAllowances)
        #expect(gate.fixtures.problems == Sample.gate.fixtures.problems)
        #expect(gate.scenarios == Sample.gate.scenarios)
        #expect(gate.matrix == Sample.matrix)
        // Every report written from what was read is the one written from the run.
        #expect(text(ResultsJSON.render(read)) == text(written))
        #expect(gate.summaryMarkdown(runId: read.run.runId) == Sample.gate.summaryMarkdown(runId: Sample.run.runId))
        #expect(gate.junitXML(runId: read.run.runId) == Sample.gate.junitXML(runId: Sample.run.runId))
    }

    @Test(
        "a damaged results.json is an error naming the file and the key",
        arguments: [
            ("schemaVersion", JSON.integer(1), "r.json: schemaVersion: is 1; this compat (\(CompatVersion.current)) reads version 3"),
            ("cells", JSON.string("none"), "r.json: cells: must be an array of objects, got string"),
            (
                "extra", JSON.integer(1),
                "r.json: extra: unknown key (expected schemaVersion, runId, startedAt, command, arguments, compatVersion, shard, allExpected, clients, gateways, wallSeconds, jobs, totals, cells, staleEntries, gate, provenance)"
            ),
        ])
    func damagedTopLevel(key: String, value: JSON, message: String) throws {
        var json = try #require(
            try JSON.parse(ResultsJSON.render(RunResults(run: Sample.run, findings: .matrix(Sample.matrix)))).objectValue)
        json[key] = value
        expectConfigError(message) { _ = try RunResults.parse(Array(JSON.object(json).serialized.utf8), source: "r.json") }
    }

    @Test("a damaged cell, check or failure names its path in the file")
    func damagedInside() throws {
        let good = text(ResultsJSON.render(RunResults(run: Sample.run, findings: .matrix(Sample.matrix))))
        let cases: [(String, String, String)] = [
            (
                "\"status\": \"skipped\"", "\"status\": \"maybe\"",
                "r.json: cells[0].checks[4].status: \"maybe\" is not a check status (passed, failed, knownFailure, stalePass, notRun, skipped)"
            ),
            (
                "\"sentFrame\": \"0f00abcd00ff\"", "\"sentFrame\": \"0g\"",
                "r.json: cells[0].checks[1].failure.sentFrame: must be bytes as hex digits"
            ),
            ("\"state\": \"CRASH\"", "\"state\": 3", "r.json: cells[1].state: must be a string, got number"),
            ("\"keptDirectory\": null,", "", "r.json: cells[1].keptDirectory: missing"),
        ]
        for (find, replace, message) in cases {
            #expect(good.contains(find), "\(find)")
            let damaged = good.replacingOccurrences(of: find, with: replace)
            expectConfigError(message) { _ = try RunResults.parse(Array(damaged.utf8), source: "r.json") }
        }
        expectConfigError("r.json: not JSON: line 1, column 1: unexpected end of input, expected a value") {
            _ = try RunResults.parse([], source: "r.json")
        }
    }

    // MARK: The schema and the documentation

    @Test("every key the schema names is described in docs/REPORTS.md, and the schema refuses an undocumented key")
    func schemaAndDocumentationAgree() throws {
        let reports = try String(contentsOfFile: Built.repositoryRoot + "/docs/REPORTS.md", encoding: .utf8)
        let undocumented = schemaValidator.propertyNames.filter { !reports.contains("`\($0)`") }
        #expect(undocumented.isEmpty, "not in docs/REPORTS.md: \(undocumented.sorted())")
        #expect(schemaValidator.propertyNames.count > 60)
        // The hand-built runs with every kind of value are valid, and stop being so with one key more.
        for findings in [RunResults.Findings.matrix(Sample.matrix), .gate(Sample.gate)] {
            var json = try #require(try JSON.parse(ResultsJSON.render(RunResults(run: Sample.run, findings: findings))).objectValue)
            #expect(schemaValidator.errors(in: .object(json)) == [])
            json["undocumented"] = true
            #expect(schemaValidator.errors(in: .object(json)) == ["$: key undocumented is not in the schema"])
        }
    }

    @Test("results.json of a failing matrix run, a gate with a breaking change and a fleet follow docs/results.schema.json")
    func realRunsFollowTheSchema() throws {
        let faulty = try TestMatrix(extraArguments: [3: ["--fault", "var-data-255"]], commandSeconds: 2)
        let environment: [String: String?] = ["TMPDIR": faulty.folder]
        let matrixRun = try runCompat(
            [
                "matrix", "run", "--matrix", faulty.path, "--fixtures", Built.fixtures, "--clients", "v2,v3", "--gateways", "v3",
                "--report-dir", faulty.folder + "/matrix",
            ], environment: environment)
        #expect(matrixRun.status == 1, "\(matrixRun.stdout.suffix(2000))\(matrixRun.stderr)")

        // The lock as released, with NewOrder.side of v3 one byte further on: today's schema moved it.
        var lock = try JSON.parse(String(contentsOfFile: Built.fixtures + "/schema-lock.json", encoding: .utf8))
        lock = try moveNewOrderSide(in: lock, version: "3")
        try lock.serialized(pretty: true).write(toFile: faulty.folder + "/lock.json", atomically: true, encoding: .utf8)
        let small = try TestMatrix(extra: ["clients": ["v4"], "gateways": ["v4", "v5"]])
        let gate = try runCompat(
            [
                "gate", "--matrix", small.path, "--fixtures", Built.fixtures, "--baseline", faulty.folder + "/lock.json",
                "--report-dir", faulty.folder + "/gate",
            ], environment: environment)
        #expect(gate.status == 1, "\(gate.stdout.suffix(2000))\(gate.stderr)")

        let fleet = try runCompat(
            [
                "fleet", "v5", "--clients", "v4,v4", "--matrix", small.path, "--fixtures", Built.fixtures,
                "--report-dir", faulty.folder + "/fleet",
            ], environment: environment)
        #expect(fleet.status == 0, "\(fleet.stdout.suffix(2000))\(fleet.stderr)")

        for (folder, command) in [("matrix", "matrix run"), ("gate", "gate"), ("fleet", "fleet")] {
            let path = faulty.folder + "/" + folder + "/results.json"
            let json = try JSON.parse(String(contentsOfFile: path, encoding: .utf8))
            #expect(schemaValidator.errors(in: json) == [], "\(folder)")
            #expect(json["command"] == .string(command))
            #expect(json["compatVersion"] == .string(CompatVersion.current))
            // What compat writes, it reads back, and writes again the same.
            let read = try RunResults.read(path: path)
            #expect(text(ResultsJSON.render(read)) == (try String(contentsOfFile: path, encoding: .utf8)), "\(folder)")
        }
        let matrixJSON = try JSON.parse(String(contentsOfFile: faulty.folder + "/matrix/results.json", encoding: .utf8))
        #expect(matrixJSON["totals"]?["states"]?["FAIL"] == 2)
        #expect(matrixJSON["arguments"]?[0] == "matrix" && matrixJSON["arguments"]?[1] == "run")
        let gateJSON = try JSON.parse(String(contentsOfFile: faulty.folder + "/gate/results.json", encoding: .utf8))
        #expect(gateJSON["gate"]?["passed"] == false)
        #expect(
            gateJSON["gate"]?["schema"]?["breaking"]?.arrayValue?.compactMap { $0["id"]?.stringValue }.contains(
                "field-moved@v3:NewOrder.side") == true,
            "\(gateJSON["gate"]?["schema"] ?? .null)")
        #expect(
            gateJSON["gate"]?["scenarios"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
                == ["fleet=v4", "fleet=v5", "upgrade=v4-v5", "upgrade=v5-v4"])
    }

    /// `lock` with NewOrder's `side` field of `version` one byte later.
    private func moveNewOrderSide(in lock: JSON, version: String) throws -> JSON {
        var root = try #require(lock.objectValue)
        var versions = try #require(root["versions"]?.objectValue)
        var entry = try #require(versions[version]?.objectValue)
        var messages = try #require(entry["messages"]?.arrayValue)
        let index = try #require(messages.firstIndex { $0["name"] == "NewOrder" })
        var message = try #require(messages[index].objectValue)
        var fields = try #require(message["fields"]?.arrayValue)
        let side = try #require(fields.firstIndex { $0["name"] == "side" })
        var field = try #require(fields[side].objectValue)
        field["offset"] = .integer(try #require(field["offset"]?.intValue) + 1)
        fields[side] = .object(field)
        message["fields"] = .array(fields)
        messages[index] = .object(message)
        entry["messages"] = .array(messages)
        versions[version] = .object(entry)
        root["versions"] = .object(versions)
        return .object(root)
    }
}
