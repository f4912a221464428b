// Provenance in every report: CI's variables before git, a merge's from its shards, and
// results.json read back with it, or without it as compat wrote it before.

import Foundation
import MiniJSON
import Testing

@testable import CompatRunner

@Suite struct ProvenanceTests {
    @Test("GitHub's and GitLab's variables name the commit and the branch; a pull request's head branch before the ref")
    func ciVariables() {
        let github = Provenance.current(environment: [
            "GITHUB_SHA": "abc", "GITHUB_HEAD_REF": "feature", "GITHUB_REF_NAME": "12/merge", "CI_COMMIT_SHA": "no",
        ])
        #expect(github.commit == "abc" && github.branch == "feature")
        let push = Provenance.current(environment: ["GITHUB_SHA": "abc", "GITHUB_HEAD_REF": "", "GITHUB_REF_NAME": "main"])
        #expect(push.branch == "main", "an empty GITHUB_HEAD_REF (a push) is no branch")
        let gitlab = Provenance.current(environment: ["CI_COMMIT_SHA": "def", "CI_COMMIT_REF_NAME": "mr-branch"])
        #expect(gitlab.commit == "def" && gitlab.branch == "mr-branch")
        #expect(gitlab.machine.hasSuffix(" cores") || gitlab.machine.hasSuffix(" core"))
    }

    @Test("outside CI, git in the working directory: this repository's HEAD, 40 hex digits")
    func fromGit() {
        let commit = Provenance.current(environment: [:]).commit
        #expect(commit.count == 40 && commit.allSatisfy(\.isHexDigit), "\(commit)")
    }

    @Test("a merge's provenance: each shard's value once, in shard order")
    func merged() {
        let shards = [
            Provenance(commit: "c", branch: "b", machine: "m1"), Provenance(commit: "c", branch: "b", machine: "m2"),
            Provenance(commit: "c", branch: "b", machine: "m1"),
        ]
        #expect(Provenance.merged(shards) == Provenance(commit: "c", branch: "b", machine: "m1; m2"))
        #expect(Provenance.merged([]) == nil)
    }

    @Test("results.json holds the provenance and reads it back; a results.json without the key (older compat) reads as none")
    func resultsJSON() throws {
        let provenance = Provenance(commit: "c0ffee", branch: "feat/x", machine: "host · Linux · 2 cores")
        let results = RunResults(
            run: RunInfo(command: "matrix run", arguments: [], provenance: provenance),
            findings: .matrix(MatrixResult(clients: [], gateways: [], cells: [], wallSeconds: 0, jobs: 1)))
        let bytes = ResultsJSON.render(results)
        #expect(try RunResults.parse(bytes, source: "r").run.provenance == provenance)
        guard case .object(var object) = try JSON.parse(bytes) else { throw CocoaError(.fileReadCorruptFile) }
        object["provenance"] = nil
        let older = Array(JSON.object(object).serialized.utf8)
        #expect(try RunResults.parse(older, source: "r").run.provenance == nil)
        object["provenance"] = .object(["commit": "c"])
        #expect(throws: ConfigError.self) { try RunResults.parse(Array(JSON.object(object).serialized.utf8), source: "r") }
    }

    @Test("summary.md's foot, report.html's footer and every junit suite carry it, foreign text inert")
    func inEveryReport() {
        let runId = RunID("20260301T142205Z-3f09c2aa")
        let provenance = Provenance(commit: "c0ffee", branch: "x`@team\n::error::y", machine: "m")
        var stamp = ReportStamp(RunID("20260301T142205Z-3f09c2aa"))
        stamp.facts = provenance.fields(compatVersion: "1.0")
        stamp.summaryLines = [provenance.summaryLine(compatVersion: "1.0")]
        let result = MatrixResult(clients: [], gateways: [], cells: [], wallSeconds: 1, jobs: 1)
        let summary = SummaryMarkdown.render(result, stamp: stamp)
        #expect(
            summary.hasSuffix(
                "\n\ncommit `c0ffee` · branch ``x`@team\\n::error::y`` · compat `1.0` · machine `m`\n\nrun id: `20260301T142205Z-3f09c2aa`\n"
            ),
            "\(summary)")
        stamp.facts = [("branch", "<b>")]
        let html = HTMLReport.render(result, stamp: stamp)
        #expect(html.contains(" · branch: <code>&lt;b&gt;</code></footer>"), "\(html)")
        stamp.facts = [("commit", "\"c\"")]
        let cell = CellResult(
            client: "v3", gateway: "v3", clientVersion: 3, gatewayVersion: 3, expectedVersion: 3, state: .pass, checks: [],
            problem: nil, peers: [], keptDirectory: nil, seconds: 1, reproduce: "compat pair v3 v3")
        let junit = JUnitXML.render(MatrixResult(clients: ["v3"], gateways: ["v3"], cells: [cell], wallSeconds: 1, jobs: 1), stamp: stamp)
        let suite = "      <property name=\"runId\" value=\"\(runId.value)\"/>\n"
        #expect(junit.contains(suite + "      <property name=\"commit\" value=\"&quot;c&quot;\"/>\n"), "\(junit)")
    }
}
