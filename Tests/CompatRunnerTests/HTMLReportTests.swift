// report.html over a hand-built matrix and gate, read back with an XML parser (the page is
// well-formed XML on purpose): every cell with its state, a failure in full, nothing fetched,
// a peer's markup and control characters shown and never obeyed.
import Foundation
import Testing

@testable import CompatRunner

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A 2×2 matrix: v1×v1 PASS, v1×v2 FAIL (a failed check with frames, the same frame again,
/// a known failure, a skipped check), v2×v1 CRASH (a peer writing markup and escape sequences
/// on stderr), v2×v2 NOT RUN.
private enum HTMLFixture {
    static let frame = (0..<70).map { UInt8($0) }
    static let hostileStderr = "<script>alert(1)</script>\u{1B}[31mred\u{202E}reversed\nsecond line"

    static func cell(
        _ client: String, _ gateway: String, _ state: CellState, _ checks: [CheckResult],
        problem: String? = nil, stderr: String = ""
    ) -> CellResult {
        CellResult(
            client: client, gateway: gateway, clientVersion: Int(client.dropFirst())!, gatewayVersion: Int(gateway.dropFirst())!,
            expectedVersion: 1, state: state, checks: checks, problem: problem,
            peers: [
                PeerOutcome(
                    role: "gateway", name: gateway, argv: ["peer-\(gateway)", "--role", "gateway"],
                    termination: state == .crash ? "signal 11 (SIGSEGV)" : "exit 0", stderrTail: stderr)
            ],
            keptDirectory: nil, seconds: 0.25, reproduce: "compat pair \(client) \(gateway)")
    }

    static let failing = CheckResult(
        CheckID(.cell(client: "v1", gateway: "v2"), "NewOrder", .clientToGateway, "edge-wide-quantity"), status: .failed,
        failure: CheckFailure(
            "the gateway delivered a different quantity", field: "quantity", expected: "4294967296", actual: "0",
            sentFrame: frame, receivedFrame: frame),
        rules: ["E1", "P12"])

    static let matrix = MatrixResult(
        clients: ["v1", "v2"], gateways: ["v1", "v2"],
        cells: [
            cell(
                "v1", "v1", .pass,
                [
                    CheckResult(name: "client=v1/gateway=v1/session/handshake", status: .passed),
                    CheckResult(name: "client=v1/gateway=v1/NewOrder/c2g/sample", status: .passed),
                ]),
            cell(
                "v1", "v2", .fail,
                [
                    CheckResult(name: "client=v1/gateway=v2/session/handshake", status: .passed),
                    failing,
                    CheckResult(
                        name: "client=v1/gateway=v2/session/heartbeat-seq", status: .knownFailure,
                        failure: CheckFailure("seqNo missing"), knownReason: "v1 never echoes seqNo"),
                    CheckResult(
                        name: "client=v1/gateway=v2/bench/latency", status: .skipped,
                        reason: "the gateway keeps contract 1; the check needs 2"),
                ]),
            cell(
                "v2", "v1", .crash,
                [
                    CheckResult(name: "client=v2/gateway=v1/session/handshake", status: .passed),
                    CheckResult(name: "client=v2/gateway=v1/NewOrder/c2g/sample", status: .notRun),
                ], problem: "gateway v1 died: signal 11 (SIGSEGV) <b>", stderr: hostileStderr),
            cell("v2", "v2", .notRun, [], problem: "interrupted before it finished"),
        ], wallSeconds: 1.5, jobs: 2)

    static let runId = RunID("20260301T142205Z-3f09c2aa")
}

private func parse(_ html: String) throws -> XMLDocument {
    // Whitespace between elements is part of the text a reader sees.
    try XMLDocument(data: Data(html.utf8), options: [.nodePreserveWhitespace])
}

private func strings(_ document: XMLDocument, _ xpath: String) throws -> [String] {
    try document.nodes(forXPath: xpath).compactMap(\.stringValue)
}

/// Every address a page would load or link to outside itself.
private func externalReferences(_ html: String) -> [String] {
    let patterns = [
        #"\b(src|href|action|srcset|poster|data)\s*=\s*"(?!#)[^"]*""#, #"@import"#, #"url\("#, #"fetch\("#, #"://"#,
        #"XMLHttpRequest"#, #"<link\b"#, #"<iframe\b"#, #"<img\b"#,
    ]
    return patterns.flatMap { pattern in
        html.ranges(of: try! Regex(pattern)).map { String(html[$0]) }
    }
}

@Suite struct HTMLReportTests {
    let html = HTMLReport.render(HTMLFixture.matrix, stamp: ReportStamp(HTMLFixture.runId))

    @Test func everyCellIsInTheGridWithItsState() throws {
        let page = try parse(html)
        let cells = try page.nodes(forXPath: "//table[@id='grid']//td[@data-client]").compactMap { $0 as? XMLElement }
        let found = cells.map {
            [
                $0.attribute(forName: "data-client")?.stringValue, $0.attribute(forName: "data-gateway")?.stringValue,
                $0.attribute(forName: "data-state")?.stringValue, $0.stringValue.map { String($0.prefix { $0.isLetter || $0 == " " }) },
            ]
        }
        #expect(
            found == [
                ["v1", "v1", "PASS", "PASS"], ["v1", "v2", "FAIL", "FAIL"], ["v2", "v1", "CRASH", "CRASH"],
                ["v2", "v2", "NOT RUN", "NOT RUN"],
            ])
        #expect(
            try strings(page, "//table[@id='grid']//td[@data-client='v1'][@data-gateway='v2']/span[@class='counts']") == [
                "1/4 passed, 1 failed, 1 skipped"
            ])
        // Each grid cell links to its details, which carry the same state, closed until opened.
        #expect(
            try strings(page, "//table[@id='grid']//td/a/@href") == [
                "#client=v1/gateway=v1", "#client=v1/gateway=v2", "#client=v2/gateway=v1", "#client=v2/gateway=v2",
            ])
        #expect(
            try strings(page, "//details[@class='cell']/@id") == [
                "client=v1/gateway=v1", "client=v1/gateway=v2", "client=v2/gateway=v1", "client=v2/gateway=v2",
            ])
        #expect(try strings(page, "//details[@class='cell']/@data-state") == ["PASS", "FAIL", "CRASH", "NOT RUN"])
        #expect(try page.nodes(forXPath: "//details[@class='cell'][@open]").isEmpty)
        #expect(try strings(page, "//p[@class='totals']") == ["1 PASS 1 FAIL 1 CRASH 1 NOT RUN 4 cells · 8 checks · wall 1.50 s, 2 jobs"])
    }

    @Test func aFailingCheckShowsEverythingToActOn() throws {
        let page = try parse(html)
        let name = HTMLFixture.failing.name
        let check = try #require(
            try page.nodes(forXPath: "//details[@id='client=v1/gateway=v2']//details[@data-check='\(name)']").first as? XMLElement)
        #expect(check.attribute(forName: "data-status")?.stringValue == "failed")
        #expect(check.attribute(forName: "open") != nil, "a failure is shown open inside its cell")
        func fact(_ term: String) throws -> [String] {
            try check.nodes(forXPath: "dl/dt[.='\(term)']/following-sibling::dd[1]").compactMap(\.stringValue)
        }
        #expect(
            try check.nodes(forXPath: "p[@class='message']").compactMap(\.stringValue) == ["the gateway delivered a different quantity"])
        #expect(try fact("expected") == ["4294967296"])
        #expect(try fact("actual") == ["0"])
        #expect(try fact("field") == ["quantity"])
        #expect(try fact("rules") == ["E1 P12"])
        #expect(try fact("reproduce") == ["compat pair v1 v2 --message NewOrder"])
        // The frame as the terminal dumps it, once: the received frame is the same bytes.
        let dump = ["frame 1"] + ReportText.hexDump(HTMLFixture.frame)
        #expect(try fact("sent frame (70 bytes)") == [dump.joined(separator: "\n")])
        #expect(try fact("received frame (70 bytes)") == ["same as frame 1"])
        #expect(try strings(page, "//pre[@class='hex']/@id") == ["frame-1"])

        // The known failure is listed with its reason, closed; passing and skipped checks by name only.
        let known = try #require(try page.nodes(forXPath: "//details[@data-status='knownFailure']").first as? XMLElement)
        #expect(known.attribute(forName: "open") == nil)
        #expect(try known.nodes(forXPath: "p[@class='note']").compactMap(\.stringValue) == ["known failure: v1 never echoes seqNo"])
        #expect(try strings(page, "//details[@id='client=v1/gateway=v2']//li[@data-status='passed']") == ["session/handshake"])
        #expect(
            try strings(page, "//details[@id='client=v1/gateway=v2']//li[@data-status='skipped']")
                == ["bench/latency (skipped: the gateway keeps contract 1; the check needs 2)"])
        #expect(
            try strings(page, "//details[@id='client=v2/gateway=v1']//li[@data-status='notRun']")
                == ["NewOrder/c2g/sample (not run: the cell stopped before it)"])
        // Every check of every cell carries its name and status.
        let hooks = try page.nodes(forXPath: "//details[@class='cell']//*[@data-check]").compactMap { $0 as? XMLElement }
        #expect(
            hooks.compactMap { $0.attribute(forName: "data-check")?.stringValue }.sorted()
                == HTMLFixture.matrix.cells.flatMap { $0.checks.map(\.name) }.sorted())
    }

    @Test func nothingIsFetchedFromOutside() throws {
        #expect(externalReferences(html) == [])
        // The check itself finds what it looks for.
        #expect(
            externalReferences("<img src=\"https://example.com/x.png\"/><a href=\"#ok\">x</a><style>@import 'a.css'</style>").count == 4)
        let page = try parse(html)
        #expect(try page.nodes(forXPath: "//script[@src] | //link | //img | //iframe").isEmpty)
        #expect(try page.nodes(forXPath: "//script").count == 1)
        #expect(try page.nodes(forXPath: "//style").count == 1)
    }

    @Test func aPeersMarkupAndControlCharactersAreShownNotObeyed() throws {
        #expect(!html.contains("<script>alert"))
        #expect(!html.contains("\u{1B}") && !html.contains("\u{202E}"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;\\x1B[31mred\\u{202E}reversed\n"))
        let page = try parse(html)
        let peers = try strings(page, "//details[@id='client=v2/gateway=v1']//pre[@class='peers']")
        #expect(peers == [ReportText.peerLines(HTMLFixture.matrix.cells[2]).joined(separator: "\n").printable])
        #expect(try strings(page, "//details[@id='client=v2/gateway=v1']/dl/dd[1]") == ["gateway v1 died: signal 11 (SIGSEGV) <b>"])
        #expect(HTMLReport.escaped("a\"b'c&\u{0}\u{FFFF}") == "a&quot;b&apos;c&amp;\\x00\\u{FFFF}")
    }

    @Test func theRunIdIsCarried() throws {
        let page = try parse(html)
        #expect(try strings(page, "//meta[@name='compat-run-id']/@content") == [HTMLFixture.runId.value])
        #expect(try strings(page, "//footer/code") == [HTMLFixture.runId.value])
    }

    @Test func writtenWithTheOtherReports() throws {
        let directory = NSTemporaryDirectory() + "compat-html-tests-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try writeReports(
            HTMLFixture.matrix, run: RunInfo(runId: HTMLFixture.runId, command: "matrix run", arguments: []),
            to: ReportFolder.prepare(directory))
        #expect(try String(contentsOfFile: directory + "/report.html", encoding: .utf8) == html)
    }

    @Test func theGatePageHasEverySection() throws {
        var golden = GoldenReport(folder: "fixtures/golden")
        golden.fail("v3/NewOrder.json", "sample", "frame differs at byte 0")
        let change = BreakingChange(
            rule: .fieldInsertedInOlderBlock, location: "v6:NewOrder.extra", detail: "starts at 12, inside v5's block of 40")
        let schema = SchemaDiffReport(
            changes: [change], allowances: AllowedBreaks(), baselineDescription: "fixtures/schema-lock.json",
            lockedVersions: [1, 2, 3, 4, 5], unlockedVersions: [6])
        let fleet = CellResult(
            client: "fleet=v2", gateway: "v2", clientVersion: 2, gatewayVersion: 2, expectedVersion: nil, state: .fail,
            checks: [
                CheckResult(
                    name: "fleet=v2/client=v1#1/session/cut-off", status: .failed,
                    failure: CheckFailure("still logged on", expected: "LogonReject", actual: "LogonAck"))
            ],
            problem: nil, peers: [], keptDirectory: nil, seconds: 1, reproduce: "compat fleet v2")
        let gate = GateResult(schema: schema, fixtures: golden, matrix: HTMLFixture.matrix, scenarios: [fleet], seconds: 3)
        let html = gate.htmlReport(runId: HTMLFixture.runId)
        #expect(externalReferences(html) == [])
        let page = try parse(html)
        #expect(try strings(page, "//h1") == ["compat gate: FAIL"])
        #expect(try strings(page, "//section/h2") == gate.sections().map { "\($0.passed ? "PASS" : "FAIL") \($0.title)" })
        #expect(
            try strings(page, "//tr[@data-status='breaking']/td") == [
                "BREAKING", "field-inserted-in-older-block", "v6:NewOrder.extra", "starts at 12, inside v5's block of 40",
            ])
        #expect(try strings(page, "//section[@id='section-2']//tbody/tr/td") == ["v3/NewOrder.json", "sample", "frame differs at byte 0"])
        #expect(try page.nodes(forXPath: "//section[@id='section-3']//table[@id='grid']//td[@data-state]").count == 4)
        #expect(try strings(page, "//section[@id='section-4']//tr[@data-scenario='fleet=v2']/@data-state") == ["FAIL"])
        let fleetCheck = "//section[@id='section-4']//details[@id='fleet=v2']//details[@data-check='fleet=v2/client=v1#1/session/cut-off']"
        #expect(try strings(page, fleetCheck + "//code[@class='expected']") == ["LogonReject"])
        #expect(try strings(page, fleetCheck + "//code[@class='actual']") == ["LogonAck"])
    }
}
