// Where a run's results come from: the commit and branch checked, and the machine that ran them,
// so a report read later (a PR comment, an artifact) says what it is about. CI's variables win
// over git: a CI checkout is often detached, and a merge job's checkout is not the shards'.

import Foundation

public struct Provenance: Sendable, Hashable {
    /// The commit checked (40 hex digits from git or CI), or `unknown`.
    public var commit: String
    /// The branch, or `unknown` (a detached checkout outside CI).
    public var branch: String
    /// `host · OS · N cores`; a merge lists its shards' machines, each once, joined by `; `.
    public var machine: String

    public init(commit: String, branch: String, machine: String) {
        self.commit = commit
        self.branch = branch
        self.machine = machine
    }

    /// This process's, found once, when first asked.
    public static let ofThisProcess = current()

    /// This process's: CI's variables first (GitHub Actions, GitLab CI), else git in the
    /// current directory (at most 10 s each), else `unknown`. Never fails.
    public static func current(environment: [String: String] = ProcessInfo.processInfo.environment) -> Provenance {
        func variable(_ names: String...) -> String? {
            names.lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
        }
        let commit = variable("GITHUB_SHA", "CI_COMMIT_SHA") ?? gitLine(["rev-parse", "HEAD"]) ?? "unknown"
        let gitBranch = { gitLine(["rev-parse", "--abbrev-ref", "HEAD"]).flatMap { $0 == "HEAD" ? nil : $0 } }
        let branch = variable("GITHUB_HEAD_REF", "GITHUB_REF_NAME", "CI_COMMIT_REF_NAME") ?? gitBranch() ?? "unknown"
        return Provenance(commit: commit, branch: branch, machine: machine())
    }

    /// The provenance of shards merged: each value once, in shard order, joined by `; `.
    public static func merged(_ shards: [Provenance]) -> Provenance? {
        guard !shards.isEmpty else { return nil }
        func joined(_ values: [String]) -> String {
            var seen = Set<String>()
            return values.filter { seen.insert($0).inserted }.joined(separator: "; ")
        }
        return Provenance(
            commit: joined(shards.map(\.commit)), branch: joined(shards.map(\.branch)), machine: joined(shards.map(\.machine)))
    }

    static func machine() -> String {
        let info = ProcessInfo.processInfo
        let cores = info.activeProcessorCount
        return "\(info.hostName) · \(info.operatingSystemVersionString) · \(cores) core\(cores == 1 ? "" : "s")"
    }

    /// git's one line of output, or nil when git is missing, fails, is slow or says nothing.
    /// Through the runner's one spawner: no shell.
    static func gitLine(_ arguments: [String]) -> String? {
        guard let result = try? PeerProcess.run(["git"] + arguments, timeout: .seconds(10), maxOutput: 4096),
            result.termination.isCleanExit
        else { return nil }
        let line = result.stdoutText.split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) }
        return line?.isEmpty == false ? line : nil
    }

    /// The fields as junit.xml's properties and report.html's footer name them.
    func fields(compatVersion: String) -> [(String, String)] {
        [("commit", commit), ("branch", branch), ("compatVersion", compatVersion), ("machine", machine)]
    }

    /// summary.md's last line but the run id's: every value foreign text in a code span.
    func summaryLine(compatVersion: String) -> String {
        "commit \(SummaryMarkdown.code(commit.printableLine)) · branch \(SummaryMarkdown.code(branch.printableLine))"
            + " · compat \(SummaryMarkdown.code(compatVersion.printableLine)) · machine \(SummaryMarkdown.code(machine.printableLine))"
    }
}
