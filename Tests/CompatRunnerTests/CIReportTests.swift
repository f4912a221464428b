// The reports as CI consumes them, from real runs with a broken peer: summary.md within a
// pull-request comment's limit, junit.xml valid against the Jenkins xUnit junit-10.xsd
// (scripts/junit-10.xsd, checked with xmllint), and GitHub Actions annotations and step summary.

import BuiltBinaries
import Foundation
import MiniJSON
import TGP
import Testing

@testable import CompatRunner

/// Every peer with a var-data field cut at 255 bytes: most cells fail, with big frames.
private func brokenMatrix() throws -> TestMatrix {
    try TestMatrix(extraArguments: Dictionary(uniqueKeysWithValues: Schema.tgp.versions.map { ($0, ["--fault", "var-data-255"]) }))
}

/// `xmllint --noout --schema scripts/junit-10.xsd FILE`: nil when it validates, else why not.
/// xmllint missing is a failure, not a pass: it is what says the file is valid.
func junitSchemaProblem(_ file: String) throws -> String? {
    let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/xmllint" }
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    guard let xmllint = path else {
        return "xmllint is not installed: install libxml2-utils (scripts/install-deps does) to check junit.xml against scripts/junit-10.xsd"
    }
    let run = try PeerProcess.run(
        [xmllint, "--noout", "--schema", Built.repositoryRoot + "/scripts/junit-10.xsd", file],
        environment: ProcessInfo.processInfo.environment, workingDirectory: nil, timeout: .seconds(120))
    return run.termination.shellStatus == 0 ? nil : "xmllint: \(run.termination)\n\(run.stderr)"
}

private func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

/// The grid, the counts and every finding (one per broken peer) with an example and its
/// reproducer, within the limit: grouped, nothing needs leaving out.
private func expectCommentSized(_ summary: String, firstFailure: String) {
    #expect(summary.count <= 60_000 && summary.utf8.count <= 60_000, "summary.md is \(summary.utf8.count) bytes")
    #expect(summary.contains("| v3 | FAIL | FAIL | FAIL | FAIL | FAIL |"), "the grid")
    #expect(summary.contains("6 INCOMPATIBLE · 19 FAIL · 25 cells · "), "the counts")
    #expect(
        summary.contains("#### Finding 1: 24 checks in 9 cells, frames from v3\n\n") && summary.contains("**`\(firstFailure)`** failed"),
        "the first finding and its example")
    #expect(summary.components(separatedBy: "#### Finding ").count - 1 == 5, "one finding per broken peer")
    #expect(summary.contains("```sh\ncompat pair --matrix "), "a reproducer")
    #expect(summary.contains("<details><summary>sent frame: frame 1 ("), "frames collapsed")
    #expect(summary.contains("frame 1 above") || summary.contains("frame 2 above"), "a frame shown once, then referred to")
    #expect(!summary.contains("… and "), "nothing left out")
    #expect(summary.components(separatedBy: "```").count % 2 == 1, "every code fence closed")
    #expect(summary.components(separatedBy: "<details>").count == summary.components(separatedBy: "</details>").count)
}

@Suite(.serialized) struct CIReportTests {
    @Test(
        "matrix run with every peer broken: summary.md fits a comment, junit.xml is valid, GitHub Actions gets annotations and the summary")
    func brokenMatrixRun() throws {
        let matrix = try brokenMatrix()
        let reports = matrix.folder + "/reports"
        let stepSummary = matrix.folder + "/step-summary.md"
        try "## an earlier step\n".write(toFile: stepSummary, atomically: true, encoding: .utf8)
        let run = try runCompat(
            ["matrix", "run", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--report-dir", reports],
            environment: ["GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": stepSummary])
        #expect(run.status == 1, "\(run.stderr)")

        let summary = try read(reports + "/summary.md")
        expectCommentSized(summary, firstFailure: "client=v1/gateway=v3/Reject/g2c/edge-longest-strings")
        #expect(try read(stepSummary) == "## an earlier step\n" + summary, "summary.md appended to the step summary")

        let problem = try junitSchemaProblem(reports + "/junit.xml")
        #expect(problem == nil, "\(problem ?? "")")

        // One ::error per cause — each peer's cut var-data, in every cell it is in — the group
        // covering most checks first; together they cover every failing check, within GitHub's 10.
        let results = try JSON.parse(try read(reports + "/results.json"))
        let failing = results["totals"]?["checkStatuses"]?["failed"]?.intValue ?? 0
        let lines = run.stdout.split(separator: "\n")
        let errors = lines.filter { $0.hasPrefix("::error title=") }
        #expect(errors.count == 5, "one finding per broken peer: \(errors.map { $0.prefix(80) })")
        #expect(errors.count <= GitHubActions.maximumAnnotations)
        let covered = errors.map { Int($0.dropFirst("::error title=".count).prefix { $0.isNumber }) ?? 0 }
        #expect(covered == covered.sorted(by: >) && covered.reduce(0, +) == failing, "\(covered) of \(failing)")
        #expect(
            errors.first?.hasPrefix(
                "::error title=24 checks in 9 cells%2C e.g. client=v1/gateway=v3/Reject/g2c/edge-longest-strings::the sent Reject differs")
                == true, "\(errors.first ?? "")")
        #expect(errors.allSatisfy { $0.contains("%0Areproduce: compat pair --matrix ") }, "each with its reproducer")
        #expect(lines.filter { $0.hasPrefix("::notice ") }.isEmpty)
    }

    @Test("past GitHub's 10 error annotations a step: one notice counting the findings and the failing checks left out")
    func annotationsWithinGitHubsLimit() {
        let findings = (1...13).map { GitHubFinding(title: "finding \($0)", message: "m", checks: $0) }
        let lines = GitHubActions().workflowCommands(findings).split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("::error title=finding ") }.count == 10)
        #expect(
            lines.last
                == "::notice title=compat::3 more findings (36 failing checks) not shown as annotations: see the step summary and the reports"
        )
    }

    @Test("gate with every peer broken: summary.md fits a comment, junit.xml holds every section and is valid")
    func brokenGate() throws {
        let matrix = try brokenMatrix()
        let reports = matrix.folder + "/reports"
        let run = try runCompat(
            ["gate", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--report-dir", reports],
            environment: ["GITHUB_ACTIONS": nil, "GITHUB_STEP_SUMMARY": nil])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(!run.stdout.contains("::error"), "no workflow commands outside GitHub Actions")

        let summary = try read(reports + "/summary.md")
        expectCommentSized(summary, firstFailure: "client=v1/gateway=v3/Reject/g2c/edge-longest-strings")
        for section in [
            "Schema against the released lock: PASS", "Golden frames: PASS", "Compatibility matrix: FAIL",
            "Fleets and upgrades: PASS", "Stale known failures: PASS",
        ] {
            #expect(summary.contains("### " + section), "\(section)")
        }

        let junit = try read(reports + "/junit.xml")
        for suite in ["schema", "fixtures", "client=v3/gateway=v5", "fleet=v3", "upgrade=v3-v4", "stale-known-failures"] {
            #expect(junit.contains("<testsuite name=\"\(suite)\""), "\(suite)")
        }
        let problem = try junitSchemaProblem(reports + "/junit.xml")
        #expect(problem == nil, "\(problem ?? "")")
    }

    @Test("junit.xml of an interrupted run is an error, checks not run are skipped with their reason, every test case has a time")
    func interruptedRunJUnit() throws {
        let folder = try TestMatrix()
        let checks = [
            CheckResult(name: "client=v3/gateway=v3/session/handshake", status: .passed, seconds: 0.0125),
            CheckResult(
                name: "client=v3/gateway=v3/NewOrder/c2g/sample", status: .notRun, reason: "not run: the cell stopped at handshake"),
            CheckResult(name: "client=v3/gateway=v3/NewOrder/c2g/edge-utf8", status: .skipped, reason: "the client's contract is older"),
        ]
        let done = CellResult(
            client: "v3", gateway: "v3", clientVersion: 3, gatewayVersion: 3, expectedVersion: 3, state: .pass,
            checks: checks, problem: nil, peers: [], keptDirectory: nil, seconds: 0.5, reproduce: "compat pair v3 v3")
        let config = try MatrixConfig.load(path: folder.path)
        let result = MatrixResult.interrupted(cells: [("v3", "v3"), ("v3", "v4")], finished: [done], config: config, seconds: 1, jobs: 1)
        let xml = JUnitXML.render(result, stamp: ReportStamp(RunID("20260301T142205Z-3f09c2aa")))
        #expect(xml.contains("<testsuites name=\"compat\" tests=\"4\" failures=\"0\" errors=\"1\" time=\"1.000\">"), "\(xml)")
        #expect(xml.contains("<testsuite name=\"run 20260301T142205Z-3f09c2aa\" tests=\"1\" failures=\"0\" errors=\"1\""))
        #expect(
            xml.contains(
                "<error message=\"the run was interrupted: 1 cell of 2 not run\" type=\"interrupted\">client=v3/gateway=v4</error>"))
        #expect(xml.contains("name=\"client=v3/gateway=v3/session/handshake\" time=\"0.013\"/>"))
        #expect(xml.contains("time=\"0.000\">\n      <skipped message=\"not run: the cell stopped at handshake\"/>"))
        #expect(xml.contains("<skipped message=\"the client&apos;s contract is older\"/>"))
        let testcases = xml.components(separatedBy: "<testcase ").dropFirst()
        #expect(testcases.count == 4 && testcases.allSatisfy { $0.contains(" time=\"") })

        let file = folder.folder + "/junit.xml"
        try xml.write(toFile: file, atomically: true, encoding: .utf8)
        let problem = try junitSchemaProblem(file)
        #expect(problem == nil, "\(problem ?? "")")
    }

    @Test("summary.md of a huge failing run: within the limit, whole blocks only, the failing rows of the grid, the rest counted")
    func hugeRunSummary() {
        let names = (1...60).map { "peer-with-a-long-name-\($0)" }
        let frame = (0..<5_000).map { UInt8($0 % 256) }
        let stderr = (1...2_000).map { "line \($0) \u{1B}[31mred\u{1B}[0m " + String(repeating: "x", count: 30) }.joined(separator: "\n")
        var cells = [CellResult]()
        for (row, client) in names.enumerated() {
            for gateway in names {
                let failing = row % 2 == 1
                let checks = (1...3).map { index in
                    CheckResult(
                        name: "client=\(client)/gateway=\(gateway)/NewOrder/c2g/edge-\(index)", status: failing ? .failed : .passed,
                        failure: failing
                            ? CheckFailure(
                                String(repeating: "m", count: 5_000), expected: String(repeating: "e", count: 9_000),
                                actual: "a", sentFrame: frame, receivedFrame: frame + [UInt8(index)]) : nil)
                }
                cells.append(
                    CellResult(
                        client: client, gateway: gateway, clientVersion: 3, gatewayVersion: 3, expectedVersion: 3,
                        state: failing ? (gateway == names[0] ? .crash : .fail) : .pass, checks: checks,
                        problem: failing ? "a peer died" : nil,
                        peers: [PeerOutcome(role: "gateway", name: gateway, argv: [], termination: "signal 11", stderrTail: stderr)],
                        keptDirectory: nil, seconds: 1, reproduce: "compat pair \(client) \(gateway)"))
            }
        }
        let result = MatrixResult(clients: names, gateways: names, cells: cells, wallSeconds: 1, jobs: 2)
        let summary = SummaryMarkdown.render(result, stamp: ReportStamp(RunID("20260301T142205Z-3f09c2aa")))
        #expect(summary.utf8.count <= 60_000, "\(summary.utf8.count) bytes")
        #expect(summary.components(separatedBy: "```").count % 2 == 1, "every code fence closed")
        #expect(summary.components(separatedBy: "<details>").count == summary.components(separatedBy: "</details>").count)
        #expect(!summary.contains("\u{1B}"), "a peer's escape sequences are shown, not sent")
        #expect(summary.contains("| peer-with-a-long-name-2 | CRASH | FAIL |"), "a failing row")
        #expect(!summary.contains("| peer-with-a-long-name-1 | PASS |"), "rows all as expected give way")
        #expect(summary.contains("more rows of 60 not shown; the rows shown hold the cells not as expected: see results.json.)"))
        #expect(
            summary.contains("#### client=peer\\-with\\-a\\-long\\-name\\-2/gateway=peer\\-with\\-a\\-long\\-name\\-1: CRASH")
                || summary.contains("#### client=peer-with-a-long-name-2/gateway=peer-with-a-long-name-1: CRASH"), "the first crashed cell")
        #expect(summary.contains("(last 20 of 2000 lines; all in the cell's kept folder):"))
        #expect(
            summary.range(
                of:
                    #"… and \d+ more failing checks in \d+ cells: see results\.json and report\.html\.\n\nrun id: `20260301T142205Z-3f09c2aa`\n$"#,
                options: .regularExpression) != nil)
    }

    @Test("workflow command escaping: % CR LF in messages, and : , too in properties")
    func workflowCommandEscaping() {
        let actions = GitHubActions(environment: ["GITHUB_ACTIONS": "true"])
        let text = actions.workflowCommands([GitHubFinding(title: "a:b,c%d", message: "50% done\r\nnext: x,y\u{1B}[31m")])
        #expect(text == "::error title=a%3Ab%2Cc%25d::50%25 done\\x0D%0Anext: x,y\\x1B[31m\n")
        #expect(GitHubActions.data("a\rb\nc%") == "a%0Db%0Ac%25")
        #expect(GitHubActions.property("a\rb\nc%d:e,f") == "a%0Db%0Ac%25d%3Ae%2Cf")
        #expect(!GitHubActions(environment: [:]).isActive)
        #expect(GitHubActions(environment: ["GITHUB_ACTIONS": "true"]).appendStepSummary("x") == nil, "no file named: nothing to do")
    }
}
