// The example workflow (.github/workflows/compat.yml) run locally, as far as it runs without
// GitHub: its gate shards, its merge and the step that builds the pull-request comment, each
// its `run:` line as written there, in a folder laid out as the checkout (.build/release/compat,
// scripts/, fixtures/, matrix.json), under GITHUB_ACTIONS=true with a step summary file per job.
// The matrix has one peer with a seeded defect (v4 cuts var-data at 255 bytes) and a stale
// knownFailures entry.

import BuiltBinaries
import CompatRunner
import Foundation
import MiniJSON
import Testing

/// The `run:` line of the step named `name` in a workflow file (one-line runs only).
private func runLine(ofStep name: String, in workflow: String) throws -> String {
    let lines = workflow.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    guard let start = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "- name: " + name }) else {
        throw ConfigError("no step named \(name)")
    }
    for line in lines[(start + 1)...] {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("- name: ") { break }
        if trimmed.hasPrefix("run: ") { return String(trimmed.dropFirst("run: ".count)) }
    }
    throw ConfigError("the step \(name) has no one-line run")
}

/// The checkout the workflow's steps run in.
private final class Checkout {
    let folder: String

    init() throws {
        var template = Array("/tmp/compat-workflow-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        folder = String(cString: made)
        let files = FileManager.default
        try files.createDirectory(atPath: folder + "/.build/release", withIntermediateDirectories: true)
        try files.createSymbolicLink(atPath: folder + "/.build/release/compat", withDestinationPath: Built.compat)
        try files.createSymbolicLink(atPath: folder + "/scripts", withDestinationPath: Built.repositoryRoot + "/scripts")
        try files.createSymbolicLink(atPath: folder + "/fixtures", withDestinationPath: Built.fixtures)
        let peer = { (version: Int, extra: String) in
            "{\"name\": \"v\(version)\", \"version\": \(version), \"argv\": \(argvJSON(Built.peer(version)))\(extra)}"
        }
        // Line 4: v4's definition; line 9: the stale entry.
        let matrix = """
            {
              "peers": [
                \(peer(3, "")),
                \(peer(4, "")),
                \(peer(5, ""))
              ],
              "timeouts": {"pairSeconds": 120, "commandSeconds": 5},
              "knownFailures": [
                {"client": "v3", "gateway": "v5", "check": "Logout/c2g/edge-longest-strings", "reason": "stale on purpose"}
              ]
            }

            """
        let faulty = matrix.replacingOccurrences(
            of: argvJSON(Built.peer(4)), with: argvJSON(Built.peer(4) + ["--fault", "var-data-255"]))
        try faulty.write(toFile: folder + "/matrix.json", atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    /// Runs a step's line as the runner does (a shell in the checkout), with GitHub's variables.
    func step(_ line: String, summary: String) throws -> (status: Int32, stdout: String, stderr: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["GITHUB_ACTIONS"] = "true"
        environment["GITHUB_STEP_SUMMARY"] = folder + "/" + summary
        environment["GITHUB_SHA"] = "0123456789abcdef0123456789abcdef01234567"
        environment["GITHUB_HEAD_REF"] = "feature/ci"
        environment["GITHUB_REF_NAME"] = "7/merge"
        let run = try PeerProcess.run(["/bin/sh", "-c", line], environment: environment, workingDirectory: folder, timeout: .seconds(600))
        return (run.termination.shellStatus, run.stdoutText, run.stderr)
    }

    func read(_ path: String) throws -> String { try String(contentsOfFile: folder + "/" + path, encoding: .utf8) }
    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: folder + "/" + path) }
    func list(_ path: String) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: folder + "/" + path)) ?? []).sorted() }
}

@Suite(.serialized) struct CIWorkflowTests {
    @Test("the example workflow's gate shards, merge and PR comment: one set of annotations, the comment body, the kept cells")
    func workflowStepsLocally() throws {
        let workflow = try String(contentsOfFile: Built.repositoryRoot + "/.github/workflows/compat.yml", encoding: .utf8)
        let checkout = try Checkout()

        // The gate job, once per shard: each fails (v4's cells are spread over them) and says
        // nothing to GitHub, leaving that to the merge.
        let gate = try runLine(ofStep: "Gate, shard ${{ matrix.shard }} of 3", in: workflow)
        for shard in 1...3 {
            let run = try checkout.step(gate.replacingOccurrences(of: "${{ matrix.shard }}", with: "\(shard)"), summary: "step-\(shard).md")
            #expect(run.status == 1, "shard \(shard): \(run.stderr)")
            #expect(!run.stdout.split(separator: "\n").contains { $0.hasPrefix("::") }, "shard \(shard) annotates nothing")
            #expect(!checkout.exists("step-\(shard).md"), "shard \(shard) writes no step summary")
            #expect(checkout.exists("reports/shard-\(shard)/summary.md"))
        }

        // The merge job: the one set of annotations, each within GitHub's limits, two pointing at their line of matrix.json.
        let merge = try checkout.step(try runLine(ofStep: "Merge the shards", in: workflow), summary: "step-merge.md")
        #expect(merge.status == 1, "\(merge.stderr)")
        let commands = merge.stdout.split(separator: "\n").filter { $0.hasPrefix("::") }
        #expect(commands.count == 2, "\(commands.map { $0.prefix(120) })")
        #expect(
            commands.first?.hasPrefix(
                "::error file=matrix.json,line=4,title=15 checks in 5 cells%2C e.g. client=v3/gateway=v4/Reject/g2c/edge-longest-strings::")
                == true, "the group of v4's defect, at v4's line: \(commands.first ?? "")")
        #expect(
            commands.last?.hasPrefix(
                "::error file=matrix.json,line=9,title=client=v3/gateway=v5/Logout/c2g/edge-longest-strings::listed as a known failure (stale on purpose) but passed"
            ) == true, "the stale entry, at its line: \(commands.last ?? "")")
        #expect(commands.count <= GitHubActions.maximumAnnotations)

        // The step summary and the comment: summary.md as written, the comment with its marker first.
        let summary = try checkout.read("reports/merged/summary.md")
        #expect(try checkout.read("step-merge.md") == summary)
        #expect(summary.contains("## compat gate: FAIL"))
        #expect(summary.contains("Kept: the folders of 6 cells (stderr, transcripts, capture) in `cells/` beside this summary."))
        #expect(
            summary.contains(
                "commit `0123456789abcdef0123456789abcdef01234567` · branch `feature/ci` · compat `\(CompatVersion.current)` · machine `"))
        let comment = try checkout.step(try runLine(ofStep: "Build the pull-request comment", in: workflow), summary: "step-comment.md")
        #expect(comment.status == 0, "\(comment.stderr)")
        #expect(try checkout.read("reports/pr-comment.md") == "<!-- compat-summary -->\n" + summary)
        #expect(summary.count + "<!-- compat-summary -->\n".count <= 65_536, "within GitHub's comment limit")
        #expect(workflow.contains("const marker = '<!-- compat-summary -->';"), "the posting step finds the comment by the same marker")

        // The merged folder the workflow uploads holds every failing cell's folder: v4's five cells and the stale entry's.
        #expect(
            checkout.list("reports/merged/cells") == [
                "client=v3,gateway=v4", "client=v3,gateway=v5", "client=v4,gateway=v3", "client=v4,gateway=v4", "client=v4,gateway=v5",
                "client=v5,gateway=v4",
            ])
        for cell in checkout.list("reports/merged/cells") {
            #expect(
                checkout.list("reports/merged/cells/" + cell) == [
                    "capture.pcapng", "client.stderr", "client.transcript", "gateway.stderr", "gateway.transcript",
                ], "\(cell)")
        }
        let results = try JSON.parse(try checkout.read("reports/merged/results.json"))
        let kept = (results["cells"]?.arrayValue ?? []).compactMap { $0["keptDirectory"]?.stringValue }
        #expect(kept.count == 6 && kept.allSatisfy { $0.hasPrefix("cells/client=") })
        #expect(try checkout.read("reports/merged/junit.xml").contains("<property name=\"branch\" value=\"feature/ci\"/>"))
        #expect(try checkout.read("reports/merged/report.html").contains("branch: <code>feature/ci</code>"))
    }

    @Test("with no summary.md (a merge refused), the comment says so under the same marker")
    func commentWithoutSummary() throws {
        let workflow = try String(contentsOfFile: Built.repositoryRoot + "/.github/workflows/compat.yml", encoding: .utf8)
        let checkout = try Checkout()
        // The downloaded shards' folders are there; the merged one is not.
        try FileManager.default.createDirectory(atPath: checkout.folder + "/reports/shard-1", withIntermediateDirectories: true)
        let run = try checkout.step(try runLine(ofStep: "Build the pull-request comment", in: workflow), summary: "step.md")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            try checkout.read("reports/pr-comment.md")
                == "<!-- compat-summary -->\n## compat: no report\n\nThe merge wrote no summary.md: see the merge job's log.\n")
    }
}
