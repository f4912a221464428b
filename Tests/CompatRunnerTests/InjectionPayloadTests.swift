// Text compat did not write — a peer's stderr and values, peer names, argv, knownFailures
// reasons, a shard's results read back by `report merge` — through every output compat writes:
// no line of it may become a GitHub Actions workflow command (`::…` after whitespace, `##[`
// anywhere), carry a raw escape sequence or bidi override, or mention or link from summary.md.

import BuiltBinaries
import Foundation
import MiniJSON
import Testing

@testable import CompatRunner

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// What a hostile peer or matrix file writes.
private enum Payload {
    static let lines = [
        "::stop-commands::pwn3d", "  ::error::forged", "x ##[error]forged", "::add-mask::secret", "\u{1B}[31mred",
        "\u{202E}desrever", "@octocat", "@org/team", "https://evil.example/login", "<script>alert(1)</script>",
    ]
    static let text = lines.joined(separator: "\n")
}

// MARK: - What no output may hold

/// The workflow commands compat itself writes, always at the start of a line.
private func isCompatAnnotation(_ line: Substring) -> Bool {
    line.hasPrefix("::error title=") || line.hasPrefix("::notice title=compat::")
}

private func isRawControl(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x0A, 0x09: false
    case 0x00...0x1F, 0x7F...0x9F, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
    default: false
    }
}

/// Each line of `output` that GitHub Actions would read as a command compat did not choose, or
/// that holds a raw control character.
private func ciProblems(_ output: String, _ name: String) -> [String] {
    var problems = [String]()
    for (number, line) in output.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        let place = "\(name) line \(number + 1): \(line.debugDescription)"
        if line.drop(while: \.isWhitespace).hasPrefix("::") && !isCompatAnnotation(line) { problems.append("workflow command, " + place) }
        if line.contains("##[") { problems.append("##[, " + place) }
        if line.unicodeScalars.contains(where: isRawControl) { problems.append("raw control character, " + place) }
    }
    return problems
}

/// A Markdown line without its code spans: a run of N backticks up to the next run of exactly N.
private func withoutCodeSpans(_ line: Substring) -> String {
    var out = ""
    var rest = line[...]
    while let character = rest.first {
        if character == "\\" {
            out += rest.prefix(2)
            rest = rest.dropFirst(2)
            continue
        }
        guard character == "`" else {
            out.append(character)
            rest = rest.dropFirst()
            continue
        }
        let fence = rest.prefix { $0 == "`" }
        let after = rest.dropFirst(fence.count)
        if let close = closingRun(of: fence.count, in: after) {
            rest = after[close...].dropFirst(fence.count)
        } else {
            out += fence
            rest = after
        }
    }
    return out
}

/// Where the next run of exactly `count` backticks starts.
private func closingRun(of count: Int, in text: Substring) -> Substring.Index? {
    var index = text.startIndex
    while index < text.endIndex {
        guard text[index] == "`" else {
            index = text.index(after: index)
            continue
        }
        let run = text[index...].prefix { $0 == "`" }
        if run.count == count { return index }
        index = run.endIndex
    }
    return nil
}

/// The Markdown text outside fenced code blocks and code spans, where GitHub mentions and links.
private func outsideCode(_ markdown: String) -> [String] {
    var lines = [String]()
    var fence: Int?
    for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
        let backticks = line.prefix { $0 == "`" }.count
        if let open = fence {
            if backticks >= open && line.allSatisfy({ $0 == "`" }) { fence = nil }
        } else if backticks >= 3 {
            fence = backticks
        } else {
            lines.append(withoutCodeSpans(line))
        }
    }
    return lines
}

/// Mentions, links and markup in summary.md outside code.
private func markdownProblems(_ markdown: String) -> [String] {
    outsideCode(markdown).flatMap { line -> [String] in
        var problems = [String]()
        if line.contains(#/(^|[^A-Za-z0-9_])@[A-Za-z0-9]/#) { problems.append("a mention: \(line.debugDescription)") }
        if line.contains(#/(?i)(https?|ftp)://|www\./#) { problems.append("a link: \(line.debugDescription)") }
        if line.contains("<script") { problems.append("markup: \(line.debugDescription)") }
        return problems
    }
}

/// Why an XML document is not well-formed, or nil.
private func xmlProblem(_ document: String) -> String? {
    let parser = XMLParser(data: Data(document.utf8))
    return parser.parse() ? nil : "\(parser.parserError.map { "\($0)" } ?? "not well-formed")"
}

/// No output lets foreign text act, summary.md neither mentions nor links, and both XML documents are well-formed with the markup escaped.
private func expectNeutral(printed outputs: [(String, String)], summary: String, junit: String, html: String) {
    for (name, text) in outputs + [("summary.md", summary), ("junit.xml", junit), ("report.html", html)] {
        let problems = ciProblems(text, name)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }
    let markdown = markdownProblems(summary)
    #expect(markdown.isEmpty, "\(markdown.joined(separator: "\n"))")
    #expect(xmlProblem(junit) == nil, "junit.xml: \(xmlProblem(junit) ?? "")")
    #expect(xmlProblem(html) == nil, "report.html: \(xmlProblem(html) ?? "")")
    for (name, text) in [("junit.xml", junit), ("report.html", html)] {
        #expect(!text.contains("<script>alert"), "\(name) carries the peer's markup")
    }
}

// MARK: - A result full of payloads

/// A 2×2 result whose names, values, reasons, argv and stderr are all payloads, as a forged
/// results.json gives `report merge`.
private enum HostileResult {
    static let clients = ["@octocat", "::add-mask::secret\u{1B}[31m"]
    static let gateways = ["  ::error::forged", "x ##[error]forged\u{202E}"]

    static func cell(_ client: String, _ gateway: String, _ state: CellState, checks: [CheckResult]) -> CellResult {
        let name = "client=\(client)/gateway=\(gateway)"
        return CellResult(
            client: client, gateway: gateway, clientVersion: 3, gatewayVersion: 3, expectedVersion: 3, state: state,
            checks: checks.map { check in
                var check = check
                check.name = name + "/" + check.name
                return check
            }, problem: Payload.text,
            peers: [
                PeerOutcome(
                    role: "gateway", name: gateway, argv: ["peer"] + Payload.lines, termination: Payload.text, stderrTail: Payload.text)
            ],
            keptDirectory: Payload.lines[0], seconds: 0.5, reproduce: "compat pair \(client) \(gateway)")
    }

    static let checks = [
        CheckResult(
            name: "NewOrder/c2g/::stop-commands::pwn3d", status: .failed,
            failure: CheckFailure(Payload.text, field: Payload.text, expected: Payload.text, actual: Payload.text, sentFrame: [1, 2]),
            rules: Payload.lines),
        CheckResult(name: "Logon/c2g/known", status: .knownFailure, failure: CheckFailure("x"), knownReason: Payload.text),
        CheckResult(name: "Logon/c2g/stale", status: .stalePass, knownReason: Payload.text),
        CheckResult(name: "bench/skipped", status: .skipped, reason: Payload.text),
        CheckResult(name: "session/passed", status: .passed),
    ]

    static let matrix = MatrixResult(
        clients: clients, gateways: gateways,
        cells: [
            cell(clients[0], gateways[0], .crash, checks: checks),
            cell(clients[0], gateways[1], .fail, checks: checks),
            cell(clients[1], gateways[0], .notRun, checks: [CheckResult(name: "x", status: .notRun)]),
            cell(clients[1], gateways[1], .known, checks: [checks[1]]),
        ], wallSeconds: 1, jobs: 2,
        staleKnownFailures: [
            StaleKnownFailure(
                client: clients[0], gateway: gateways[0], check: Payload.lines[1] + "/*", reason: Payload.text, passedChecks: 2)
        ])
}

private func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

/// The printed text and report files of a run: stdout, stderr, the step summary, and the folder's files.
private func expectNeutralRun(_ run: (status: Int32, stdout: String, stderr: String, timedOut: Bool), reports: String, stepSummary: String)
    throws
{
    expectNeutral(
        printed: [("stdout", run.stdout), ("stderr", run.stderr), ("step summary", try read(stepSummary))],
        summary: try read(reports + "/summary.md"), junit: try read(reports + "/junit.xml"), html: try read(reports + "/report.html"))
}

@Suite("foreign text never acts on a CI log or a pull-request comment", .serialized)
struct InjectionPayloadTests {
    @Test("every output of a result whose names, values, reasons, argv and stderr are payloads")
    func everyRenderer() {
        let result = HostileResult.matrix
        let runId = RunID()
        expectNeutral(
            printed: [
                ("grid", renderGrid(result, color: false)), ("failures", renderFailures(result)),
                ("annotations", GitHubActions(environment: [:]).workflowCommands(result.gitHubFindings)),
            ] + result.cells.map { ("compat pair \(ReportText.cellName($0))", renderCell($0, verbose: true)) },
            summary: SummaryMarkdown.render(result, stamp: ReportStamp(runId)), junit: JUnitXML.render(result, stamp: ReportStamp(runId)),
            html: HTMLReport.render(result, stamp: ReportStamp(runId)))
    }

    @Test("what compat shows of a payload: escaped where it would act, otherwise as written")
    func shownVisibly() {
        let failures = renderFailures(HostileResult.matrix, verbose: true)
        // Grouped by cause (the default), the same text is as inert.
        let grouped = renderFailures(HostileResult.matrix)
        #expect(grouped.contains("FINDING 1: "), "\(grouped)")
        for line in grouped.split(separator: "\n") {
            #expect(!line.drop { $0.isWhitespace }.hasPrefix("::") && !line.contains("##[") && !line.contains("\u{1B}"), "\(line)")
        }
        for line in [
            "        \\x3A:stop-commands::pwn3d", "          \\x3A:error::forged", "        x #\\x23[error]forged",
            "        \\x1B[31mred", "        \\u{202E}desrever", "        @octocat", "        <script>alert(1)</script>",
        ] {
            #expect(failures.contains("\n" + line + "\n"), "\(line.debugDescription) in\n\(failures)")
        }
        let summary = SummaryMarkdown.render(HostileResult.matrix, stamp: ReportStamp(RunID()))
        #expect(
            summary.contains("| client \\ gateway |   \\\\x3A:error::forged | x \\#\\\\x23\\[error\\]forged\\\\u{202E} |"), "\(summary)")
        #expect(summary.contains("| `@octocat` | CRASH | FAIL |"), "\(summary)")
        #expect(
            SummaryMarkdown.escaped("ask @octocat or @org/team at https://evil.example/login <b>")
                == "ask `@octocat` or `@org/team` at `https://evil.example/login` &lt;b&gt;")
    }

    @Test("matrix run: a peer named @octocat writing payloads on stderr, knownFailures reasons that are payloads")
    func matrixRun() throws {
        let matrix = try TestMatrix(json: .object([:]))
        let reason = JSON.string(Payload.text)
        let root: JSON = .object([
            "peers": [
                .object(["name": "v3", "version": 3, "argv": .array(Built.peer(3).map(JSON.string))]),
                .object(["name": "@octocat", "version": 3, "argv": .array([.string(TestPeers.script("injection"))])]),
            ],
            "clients": ["v3"], "gateways": ["v3", "@octocat"],
            "knownFailures": [
                .object(["client": "v3", "gateway": "v3", "check": "session/hello-gateway", "reason": reason]),
                .object(["client": "v3", "gateway": "v3", "check": "Logon/*", "reason": reason]),
            ],
            "timeouts": .object(["pairSeconds": 120, "commandSeconds": 60]),
        ])
        try root.serialized(pretty: true).write(toFile: matrix.path, atomically: true, encoding: .utf8)
        let reports = matrix.folder + "/reports"
        let stepSummary = matrix.folder + "/step-summary.md"
        let run = try runCompat(
            ["matrix", "run", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--report-dir", reports],
            environment: ["TMPDIR": matrix.folder, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": stepSummary])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("\\x3A:stop-commands::pwn3d"), "the peer's stderr is shown: \(run.stdout)")
        #expect(run.stdout.contains("::error title="), "compat's own annotations stay: \(run.stdout)")
        try expectNeutralRun(run, reports: reports, stepSummary: stepSummary)
    }

    @Test("report merge of a results.json whose names, argv, stderr and reasons are payloads")
    func reportMerge() throws {
        let scratch = try TestMatrix(json: .object([:]))
        let shard = scratch.folder + "/shard"
        try FileManager.default.createDirectory(atPath: shard, withIntermediateDirectories: true)
        let run = RunInfo(command: "matrix", arguments: ["matrix", "run"] + Payload.lines)
        try Data(ResultsJSON.render(RunResults(run: run, findings: .matrix(HostileResult.matrix))))
            .write(to: URL(fileURLWithPath: shard + "/results.json"))
        let reports = scratch.folder + "/merged"
        let stepSummary = scratch.folder + "/step-summary.md"
        let merged = try runCompat(
            ["report", "merge", shard, "--report-dir", reports],
            environment: ["GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": stepSummary])
        #expect(merged.status == 1, "\(merged.stdout)\(merged.stderr)")
        #expect(merged.stdout.contains("::error title="), "compat's own annotations stay: \(merged.stdout)")
        try expectNeutralRun(merged, reports: reports, stepSummary: stepSummary)
    }

    @Test("report merge refusing shards of other runs: their arguments and command shown escaped")
    func refusedMerge() throws {
        let scratch = try TestMatrix(json: .object([:]))
        for (index, arguments) in [(1, ["matrix", "run"]), (2, Payload.lines)] {
            let folder = scratch.folder + "/shard-\(index)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let record = ShardRecord(shard: Shard(index: index, count: 2), units: [], matrixDigest: "d", arguments: arguments)
            let run = RunInfo(command: index == 1 ? "matrix" : Payload.text, arguments: arguments, shard: record)
            let empty = MatrixResult(clients: [], gateways: [], cells: [], wallSeconds: 0, jobs: 1)
            try Data(ResultsJSON.render(RunResults(run: run, findings: .matrix(empty))))
                .write(to: URL(fileURLWithPath: folder + "/results.json"))
        }
        let merged = try runCompat(["report", "merge", scratch.folder + "/shard-1", scratch.folder + "/shard-2"])
        #expect(merged.status == 2, "\(merged.stdout)\(merged.stderr)")
        #expect(
            merged.stderr.contains("other arguments (::stop-commands::pwn3d   ::error::forged x #\\x23[error]forged "), "\(merged.stderr)")
        let problems = ciProblems(merged.stderr, "stderr")
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }
}
