// The reports over a hand-built matrix: the terminal grid and failure listing, results.json,
// junit.xml and summary.md, and how the files are written.
import Foundation
import Testing

@testable import CompatRunner

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A 2×2 matrix: v1×v1 PASS, v1×v5 INCOMPATIBLE, v5×v1 FAIL (a failed check with frames, a
/// known failure, a stale known failure, and a check whose name needs XML escaping),
/// v5×v5 CRASH (a peer killed by a signal, two checks not run).
private enum Fixture {
    static let awkwardName = "client=v5/gateway=v1/bad-input/<&\"'>\u{1}tail"
    /// 70 bytes: one full hex line of 64 and a second of 6.
    static let sentFrame = (0..<70).map { UInt8($0) }
    static let receivedFrame: [UInt8] = [0x0f, 0x00, 0xab, 0xcd]

    static func peers(
        _ client: String, _ gateway: String, gatewayEnd: String = "exit 0",
        gatewayStderr: String = ""
    ) -> [PeerOutcome] {
        [
            PeerOutcome(
                role: "client", name: client, argv: [".build/debug/peer-\(client)", "--role", "client"],
                termination: "exit 0", stderrTail: ""),
            PeerOutcome(
                role: "gateway", name: gateway, argv: [".build/debug/peer-\(gateway)", "--role", "gateway"],
                termination: gatewayEnd, stderrTail: gatewayStderr),
        ]
    }

    static func cell(
        _ client: String, _ gateway: String, n: Int?, _ state: CellState, _ checks: [CheckResult],
        problem: String? = nil, peers: [PeerOutcome]? = nil, kept: String? = nil
    ) -> CellResult {
        CellResult(
            client: client, gateway: gateway,
            clientVersion: Int(client.dropFirst())!, gatewayVersion: Int(gateway.dropFirst())!,
            expectedVersion: n, state: state, checks: checks, problem: problem,
            peers: peers ?? Self.peers(client, gateway), keptDirectory: kept, seconds: 0.125,
            reproduce: "compat pair \(client) \(gateway)")
    }

    static let failingCheck = CheckResult(
        CheckID(.cell(client: "v5", gateway: "v1"), "NewOrder", .clientToGateway, "edge-wide-quantity"), status: .failed,
        failure: CheckFailure(
            "the gateway delivered a different quantity", field: "quantity",
            expected: "4294967296", actual: "0", sentFrame: sentFrame, receivedFrame: receivedFrame))

    static let failCell = cell(
        "v5", "v1", n: 1, .fail,
        [
            CheckResult(name: "client=v5/gateway=v1/session/handshake", status: .passed),
            failingCheck,
            CheckResult(
                name: "client=v5/gateway=v1/session/heartbeat-seq", status: .knownFailure,
                failure: CheckFailure("seqNo missing"), knownReason: "v1 gateways never echo seqNo"),
            CheckResult(
                name: "client=v5/gateway=v1/Reject/g2c/sample", status: .stalePass,
                knownReason: "issue 12: Reject text truncated"),
            CheckResult(
                name: awkwardName, status: .failed,
                failure: CheckFailure(
                    "no Reject <InvalidValue> & \"quotes\"", expected: "Reject{InvalidValue}",
                    actual: "nothing")),
        ], kept: "/tmp/compat-cell-v5-v1")

    static let crashCell = cell(
        "v5", "v5", n: 5, .crash,
        [
            CheckResult(name: "client=v5/gateway=v5/session/handshake", status: .passed),
            CheckResult(name: "client=v5/gateway=v5/NewOrder/c2g/sample", status: .notRun),
            CheckResult(name: "client=v5/gateway=v5/CancelOrder/c2g/sample", status: .notRun),
        ], problem: "gateway v5 died: signal 11 (SIGSEGV)",
        peers: peers("v5", "v5", gatewayEnd: "signal 11 (SIGSEGV)", gatewayStderr: "decoding NewOrder\nFatal error: index out of range\n"),
        kept: "/tmp/compat-cell-v5-v5")

    static let matrix = MatrixResult(
        clients: ["v1", "v5"], gateways: ["v1", "v5"],
        cells: [
            cell(
                "v1", "v1", n: 1, .pass,
                [
                    CheckResult(name: "client=v1/gateway=v1/session/handshake", status: .passed),
                    CheckResult(name: "client=v1/gateway=v1/NewOrder/c2g/sample", status: .passed),
                ]),
            cell(
                "v1", "v5", n: nil, .incompatible,
                [
                    CheckResult(name: "client=v1/gateway=v5/session/logon-reject", status: .passed)
                ]),
            failCell,
            crashCell,
        ], wallSeconds: 0.84, jobs: 2)

    /// One KNOWN cell: everything as expected.
    static let clean = MatrixResult(
        clients: ["v2"], gateways: ["v3"],
        cells: [
            cell(
                "v2", "v3", n: 2, .known,
                [
                    CheckResult(name: "client=v2/gateway=v3/session/handshake", status: .passed),
                    CheckResult(
                        name: "client=v2/gateway=v3/Heartbeat/both/sample", status: .knownFailure,
                        failure: CheckFailure("late"), knownReason: "slow timer in v2"),
                ])
        ], wallSeconds: 1, jobs: 1)

    static let runId = RunID("20260301T142205Z-3f09c2aa")
}

private func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "compat-report-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

private func read(_ path: String) throws -> String {
    try String(contentsOfFile: path, encoding: .utf8)
}

/// The reports of `result` under the fixture's run id, written to `directory` as `compat` writes them.
private func write(_ result: MatrixResult, to directory: String, runId: RunID = Fixture.runId) throws {
    try writeReports(
        result, run: RunInfo(runId: runId, command: "matrix run", arguments: ["matrix", "run"]), to: ReportFolder.prepare(directory))
}

@Suite struct ReportTests {
    // MARK: Terminal

    @Test func plainGridIsExact() {
        let expected = """
            client \\ gateway  v1        v5
            v1                PASS      INCOMPAT
            v5                FAIL      CRASH

            1 PASS · 1 INCOMPATIBLE · 1 FAIL · 1 CRASH · 1 stale known failure · 4 cells · 11 checks · wall 0.84 s, 2 jobs

            """
        #expect(renderGrid(Fixture.matrix, color: false) == expected)
    }

    @Test func gridMarksMissingCellsAndSingularJobs() {
        let matrix = MatrixResult(
            clients: ["v1"], gateways: ["v1", "v2"],
            cells: [
                Fixture.cell("v1", "v1", n: 1, .pass, [CheckResult(name: "client=v1/gateway=v1/session/handshake", status: .passed)])
            ], wallSeconds: 0.5, jobs: 1)
        let expected = """
            client \\ gateway  v1    v2
            v1                PASS  -

            1 PASS · 1 cell · 1 check · wall 0.50 s, 1 job

            """
        #expect(renderGrid(matrix, color: false) == expected)
    }

    @Test func colourOnlyWhenAsked() {
        #expect(!renderGrid(Fixture.matrix, color: false).contains("\u{1B}"))
        let coloured = renderGrid(Fixture.matrix, color: true)
        #expect(coloured.contains("\u{1B}[32mPASS\u{1B}[0m"))
        #expect(coloured.contains("\u{1B}[31mFAIL\u{1B}[0m"))
        #expect(!renderFailures(Fixture.matrix).contains("\u{1B}"))
        #expect(!renderCell(Fixture.failCell, verbose: true).contains("\u{1B}"))
    }

    @Test func reproduceCommandNamesTheMessageType() {
        let cell = Fixture.failCell
        #expect(reproduceCommand(for: Fixture.failingCheck, in: cell) == "compat pair v5 v1 --message NewOrder")
        #expect(reproduceCommand(for: cell.checks[0], in: cell) == "compat pair v5 v1")
        #expect(reproduceCommand(for: CheckResult(name: Fixture.awkwardName, status: .failed), in: cell) == "compat pair v5 v1")
        #expect(reproduceCommand(for: CheckResult(name: "client=v5/gateway=v1", status: .failed), in: cell) == "compat pair v5 v1")
    }

    @Test func failuresListEveryDetail() {
        let text = renderFailures(Fixture.matrix, verbose: true)
        // Only the FAIL and CRASH cells.
        #expect(!text.contains("client=v1/gateway=v1"))
        #expect(!text.contains("client=v1/gateway=v5"))
        #expect(text.contains("FAIL  client=v5/gateway=v1"))
        #expect(text.contains("CRASH  client=v5/gateway=v5"))
        #expect(text.contains("kept: /tmp/compat-cell-v5-v1"))
        #expect(text.contains("problem: gateway v5 died: signal 11 (SIGSEGV)"))
        #expect(text.contains("    field:    quantity\n    expected: 4294967296\n    actual:   0\n"))
        // 16 bytes a line in pairs, the bytes as text ('.' for all but letters, digits and a few
        // marks), and the first byte where the two frames differ marked under both.
        let marker = String(repeating: " ", count: 12) + "^^ byte 0: the first that differs\n"
        let padded = { (hex: String) in hex.padding(toLength: 39, withPad: " ", startingAt: 0) }
        #expect(
            text.contains(
                "    sent frame (70 bytes):\n      0000  0001 0203 0405 0607 0809 0a0b 0c0d 0e0f  ................\n" + marker
                    + "      0010  1011 1213 1415 1617 1819 1a1b 1c1d 1e1f  ................\n"
                    + "      0020  2021 2223 2425 2627 2829 2a2b 2c2d 2e2f   .......().+,-./\n"
                    + "      0030  3031 3233 3435 3637 3839 3a3b 3c3d 3e3f  0123456789:;.=..\n"
                    + "      0040  \(padded("4041 4243 4445"))  .ABCDE\n"), "\(text)")
        #expect(text.contains("    received frame (4 bytes):\n      0000  \(padded("0f00 abcd"))  ....\n" + marker))
        #expect(text.contains("reproduce: compat pair v5 v1 --message NewOrder"))
        #expect(text.contains("STALE client=v5/gateway=v1/Reject/g2c/sample"))
        #expect(text.contains("issue 12: Reject text truncated"))
        #expect(text.contains("KNOWN client=v5/gateway=v1/session/heartbeat-seq: v1 gateways never echo seqNo"))
        #expect(text.contains("gateway v5: signal 11 (SIGSEGV)"))
        #expect(text.contains("        Fatal error: index out of range"))
        #expect(text.contains("2 checks not run"))
        #expect(text.contains("reproduce the cell: compat pair v5 v5"))
        #expect(renderFailures(Fixture.clean, verbose: true).contains("KNOWN"))
        #expect(renderFailures(MatrixResult(clients: [], gateways: [], cells: [], wallSeconds: 0, jobs: 1), verbose: true) == "")
    }

    @Test("by default the failures are grouped by cause: one finding each, the cells with a problem of their own in full")
    func failuresGroupedByCause() {
        let text = renderFailures(Fixture.matrix)
        let finding = text.components(separatedBy: "\n\n")[0]
        #expect(finding.hasPrefix("FINDING 1: 1 check in 1 cell, frames from v5: "), "\(text)")
        #expect(text.contains("  e.g. client=v5/gateway=v1/"), "\(text)")
        #expect(text.contains("  cells:  client=v5/gateway=v1\n"), "\(text)")
        // The crashed cell is a finding of its own, in full: its problem and the peers' stderr.
        #expect(text.contains("CRASH  client=v5/gateway=v5"))
        #expect(text.contains("problem: gateway v5 died: signal 11 (SIGSEGV)"))
        #expect(text.contains("        Fatal error: index out of range"))
        #expect(
            text.contains("kept: 1 cell folder with the peers' stderr, transcripts and capture, e.g. /tmp/compat-cell-v5-v1\n"), "\(text)")
        #expect(renderFailures(Fixture.clean).contains("KNOWN"))
        #expect(renderFailures(MatrixResult(clients: [], gateways: [], cells: [], wallSeconds: 0, jobs: 1)) == "")
        // Causes: the message type and the numbers set aside, the sender and the rules kept.
        #expect(
            FailureGrouping.normalised(
                "the sent Logout differs from its encoding at version 3 from byte 8 (Logout var-data)", message: "Logout")
                == "the sent <message> differs from its encoding at version # from byte # (<message> var-data)")
        // The cell's peers by role, before numbers: `v5@drift` is not `v#@drift`, nor `v5` plus the rest.
        let drift = CellResult(
            client: "v5", gateway: "v5@drift", clientVersion: 5, gatewayVersion: 5, expectedVersion: 5, state: .fail, checks: [],
            problem: nil, peers: [], keptDirectory: nil, seconds: 0, reproduce: "")
        #expect(
            FailureGrouping.normalised("v5@drift must refuse this frame, which v5 sent", message: nil, in: drift)
                == "<gateway> must refuse this frame, which <client> sent")
    }

    @Test func cellListsEveryCheckThenTheVerdict() {
        let lines = renderCell(Fixture.failCell, verbose: false).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "PASS     client=v5/gateway=v1/session/handshake")
        #expect(lines[1] == "FAIL     client=v5/gateway=v1/NewOrder/c2g/edge-wide-quantity")
        #expect(lines[2] == "KNOWN    client=v5/gateway=v1/session/heartbeat-seq  (known: v1 gateways never echo seqNo)")
        #expect(lines[3] == "STALE    client=v5/gateway=v1/Reject/g2c/sample  (known: issue 12: Reject text truncated)")
        #expect(lines[4].hasPrefix("FAIL     client=v5/gateway=v1/bad-input/"))
        #expect(lines.contains { $0.contains("expected: 4294967296") })
        #expect(lines.dropLast().last == "FAIL  client=v5/gateway=v1: 1 passed, 2 failed, 1 known, 1 stale (N=1, 0.12 s)")

        let crash = renderCell(Fixture.crashCell, verbose: false)
        #expect(crash.contains("NOT RUN  client=v5/gateway=v5/NewOrder/c2g/sample"))
        #expect(crash.hasSuffix("CRASH  client=v5/gateway=v5: 1 passed, 2 not run (N=5, 0.12 s)\n"))

        // A passing cell shows no details unless asked.
        let pass = Fixture.matrix.cells[0]
        #expect(!renderCell(pass, verbose: false).contains("stderr"))
        #expect(renderCell(pass, verbose: true).contains("command: "))
        #expect(!renderCell(pass, verbose: true).contains("stderr"))
        #expect(
            renderCell(Fixture.matrix.cells[1], verbose: false).hasSuffix(
                "INCOMPATIBLE  client=v1/gateway=v5: 1 passed (incompatible by design, 0.12 s)\n"))
    }

    // MARK: Files

    @Test func resultsJSONParsesBackWithHexFrames() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try write(Fixture.matrix, to: directory)
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/results.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(root["schemaVersion"] as? Int == 3)
        #expect(root["command"] as? String == "matrix run")
        #expect(root["arguments"] as? [String] == ["matrix", "run"])
        #expect(root["runId"] as? String == Fixture.runId.value)
        #expect(root["allExpected"] as? Bool == false)
        #expect(root["wallSeconds"] as? Double == 0.84)
        #expect(root["jobs"] as? Int == 2)
        let totals = try #require(root["totals"] as? [String: Any])
        #expect(totals["cells"] as? Int == 4)
        #expect(totals["checks"] as? Int == 11)
        #expect((totals["states"] as? [String: Int])?["FAIL"] == 1)
        #expect((totals["states"] as? [String: Int])?["TIMEOUT"] == 0)
        #expect((totals["checkStatuses"] as? [String: Int])?["stalePass"] == 1)

        let cells = try #require(root["cells"] as? [[String: Any]])
        #expect(
            cells.map { $0["name"] as? String } == [
                "client=v1/gateway=v1", "client=v1/gateway=v5", "client=v5/gateway=v1", "client=v5/gateway=v5",
            ])
        #expect(cells[1]["expectedVersion"] is NSNull)
        let fail = cells[2]
        #expect(fail["state"] as? String == "FAIL")
        let checks = try #require(fail["checks"] as? [[String: Any]])
        #expect(checks.count == 5)
        let failure = try #require(checks[1]["failure"] as? [String: Any])
        #expect(failure["sentFrame"] as? String == Fixture.sentFrame.map { String(format: "%02x", $0) }.joined())
        #expect(failure["receivedFrame"] as? String == "0f00abcd")
        #expect(failure["field"] as? String == "quantity")
        #expect(checks[1]["reproduce"] as? String == "compat pair v5 v1 --message NewOrder")
        #expect(checks[0]["reproduce"] is NSNull)
        #expect(checks[4]["name"] as? String == Fixture.awkwardName)
        let crashPeers = try #require(cells[3]["peers"] as? [[String: Any]])
        #expect(crashPeers[1]["termination"] as? String == "signal 11 (SIGSEGV)")
    }

    @Test func junitParsesWithMatchingCounts() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try write(Fixture.matrix, to: directory)
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/junit.xml"))
        let collector = JUnitCollector()
        let parser = XMLParser(data: data)
        parser.delegate = collector
        #expect(parser.parse(), "junit.xml does not parse: \(String(describing: parser.parserError))")

        #expect(collector.suites.count == 4)
        #expect(collector.runIds == Array(repeating: Fixture.runId.value, count: 4), "every suite carries the run id")
        #expect(collector.suites[2]["name"] == "client=v5/gateway=v1")
        #expect(collector.counts["testcase"] == 12)
        #expect(collector.counts["failure"] == 3)
        #expect(collector.counts["error"] == 1)
        #expect(collector.counts["skipped"] == 3)
        let root = try #require(collector.root)
        #expect(root["tests"] == "12")
        #expect(root["failures"] == "3")
        #expect(root["errors"] == "1")
        #expect(root["skipped"] == nil, "junit-10.xsd has no skipped on <testsuites>")
        #expect(root["time"] == "0.840")
        #expect(collector.testcases.contains { $0["name"] == "client=v5/gateway=v5/process" })
        #expect(collector.testcases.allSatisfy { $0["classname"]?.hasPrefix("client=") == true })
        #expect(collector.messages.contains("known: v1 gateways never echo seqNo"))
        #expect(collector.messages.contains("stale known failure: issue 12: Reject text truncated (it passed)"))
        #expect(collector.messages.contains("CRASH: gateway v5 died: signal 11 (SIGSEGV)"))
        #expect(collector.text.contains("expected: 4294967296"))
        #expect(collector.text.contains("Fatal error: index out of range"))
    }

    @Test func junitEscapesMarkupQuotesAndControlCharacters() throws {
        let xml = JUnitXML.render(Fixture.matrix, stamp: ReportStamp(Fixture.runId))
        #expect(xml.contains("name=\"client=v5/gateway=v1/bad-input/&lt;&amp;&quot;&apos;&gt;\\x01tail\""))
        #expect(!xml.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        #expect(JUnitXML.attribute("a\nb\tc\rd\u{7F}e\u{9B}f\u{202E}") == "a&#10;b&#9;c\\x0Dd\\x7Fe\\u{9B}f\\u{202E}")
        #expect(JUnitXML.text("x]]>y") == "x]]&gt;y")

        let collector = JUnitCollector()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = collector
        #expect(parser.parse())
        #expect(collector.testcases.contains { $0["name"] == "client=v5/gateway=v1/bad-input/<&\"'>\\x01tail" })
        #expect(collector.messages.contains("no Reject <InvalidValue> & \"quotes\""))
    }

    @Test func summaryHasTheTableAndReproduceCommands() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try write(Fixture.matrix, to: directory)
        let summary = try read(directory + "/summary.md")
        #expect(summary.hasPrefix("## Compatibility matrix: not as expected (1 FAIL, 1 CRASH, 1 stale known failure)\n"))
        #expect(
            summary.contains(
                """
                | client \\ gateway | v1 | v5 |
                | --- | --- | --- |
                | v1 | PASS | INCOMPATIBLE |
                | v5 | FAIL | CRASH |
                """))
        #expect(summary.contains("4 cells · 11 checks"))
        #expect(summary.contains("### Failures"))
        #expect(summary.contains("**`client=v5/gateway=v1/NewOrder/c2g/edge-wide-quantity`** failed"))
        #expect(summary.contains("field `quantity` · expected `4294967296` · actual `0`"))
        #expect(summary.contains("```sh\ncompat pair v5 v1 --message NewOrder\n```"))
        #expect(summary.contains("```sh\ncompat pair v5 v5\n```"))
        #expect(summary.contains("no Reject &lt;InvalidValue&gt; &amp; \"quotes\""))
        #expect(summary.contains("### Known failures"))
        #expect(!summary.contains("All 4 cells"))
        #expect(!summary.contains("\u{1B}"))
        #expect(!summary.contains("\n\n\n"))
        #expect(summary.hasSuffix("\n\nrun id: `\(Fixture.runId.value)`\n"))

        let clean = SummaryMarkdown.render(Fixture.clean, stamp: ReportStamp(Fixture.runId))
        #expect(clean.hasPrefix("## Compatibility matrix: as expected\n"))
        #expect(clean.contains("All 1 cells as expected."))
        #expect(!clean.contains("### Failures"))
    }

    @Test func writesIntoANewDirectoryLeavingNoTemporaries() throws {
        let scratch = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let directory = scratch + "/nested/reports"
        try write(Fixture.clean, to: directory)
        // Writing again replaces the set.
        try write(Fixture.matrix, to: directory, runId: RunID("second"))
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(names == ["junit.xml", "report.html", "results.json", "summary.md"])
        #expect(try read(directory + "/summary.md").contains("not as expected"))
        #expect(try reportRunIds(in: directory).values.allSatisfy { $0 == "second" })
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch + "/nested") == ["reports"], "a staging folder was left")
    }

    @Test func aFolderThatCannotTakeReportsIsRefusedNamingIt() throws {
        let scratch = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let blocker = scratch + "/a-file"
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        let target = blocker + "/reports"
        let error = #expect(throws: ConfigError.self) { try ReportFolder.prepare(target) }
        #expect(error?.message == "--report-dir \(target): cannot create its parent folder: \(blocker) is not a directory")

        let notADirectory = #expect(throws: ConfigError.self) { try ReportFolder.prepare(blocker) }
        #expect(notADirectory?.message == "--report-dir \(blocker): it is not a directory")
        #expect(try read(blocker) == "x")

        // A parent that takes no new folder (nothing can be made in /proc).
        let unwritable = #expect(throws: ConfigError.self) { try ReportFolder.prepare("/proc/compat-reports") }
        #expect(
            unwritable?.message.hasPrefix("--report-dir /proc/compat-reports: cannot create a temporary folder in /proc: ") == true,
            "\(String(describing: unwritable))")
    }

    @Test func aFailedWriteLeavesThePreviousSetInPlace() throws {
        let scratch = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let directory = scratch + "/reports"
        try write(Fixture.clean, to: directory)
        let before = try setContents(directory)

        // The second file of the new set cannot be created (its folder does not exist), after the first was written.
        let folder = try ReportFolder.prepare(directory)
        let error = #expect(throws: ReportWriteError.self) {
            try folder.replace(with: [ReportFile("results.json", "{}"), ReportFile("missing/junit.xml", "<testsuites/>")])
        }
        #expect(
            error?.path.hasPrefix(directory + ".staging-") == true && error?.path.hasSuffix("/missing/junit.xml") == true,
            "\(String(describing: error))")
        #expect(try setContents(directory) == before, "the previous set changed")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch) == ["reports"], "the staging folder was left")
    }
}

/// Each file of a report folder and its bytes.
private func setContents(_ directory: String) throws -> [String: Data] {
    var files: [String: Data] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
        files[name] = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))
    }
    return files
}

/// Counts what junit.xml holds, element by element.
private final class JUnitCollector: NSObject, XMLParserDelegate {
    var counts: [String: Int] = [:]
    var root: [String: String]?
    var suites: [[String: String]] = []
    var testcases: [[String: String]] = []
    var messages: [String] = []
    /// The value of each `runId` property, in document order.
    var runIds: [String] = []
    var text = ""

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
    ) {
        counts[elementName, default: 0] += 1
        switch elementName {
        case "testsuites": root = attributeDict
        case "testsuite": suites.append(attributeDict)
        case "testcase": testcases.append(attributeDict)
        default: break
        }
        if let message = attributeDict["message"] { messages.append(message) }
        if elementName == "property", attributeDict["name"] == "runId", let value = attributeDict["value"] { runIds.append(value) }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
    }
}
