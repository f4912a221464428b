// The baseline `compat schema diff` compares with: the fixtures' lock, another lock file, or
// the lock at a git ref.

import Foundation
import TGP

/// The lock a diff compares with: the fixtures' file, another file, or the file at a git ref.
public enum SchemaBaseline {
    /// Reads the baseline: nil is `FIXTURES/schema-lock.json`; an existing file is read as is;
    /// anything else is a git ref, read with `git show REF:./schema-lock.json` in the fixtures
    /// folder (its path in the repository at that ref). Returns the lock and how to name it.
    public static func load(_ baseline: String?, fixtures: String) throws(ConfigError) -> (lock: SchemaLock, description: String) {
        let defaultPath = fixtures + "/" + SchemaLock.fileName
        guard let baseline else { return (try SchemaLock.load(path: defaultPath), defaultPath) }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: baseline, isDirectory: &isDirectory), !isDirectory.boolValue {
            return (try SchemaLock.load(path: baseline), baseline)
        }
        guard !baseline.isEmpty, !baseline.hasPrefix("-"), !baseline.contains(":"), !baseline.contains(where: \.isWhitespace) else {
            throw ConfigError("--baseline \(baseline): not a lock file, nor a git ref")
        }
        let source = "\(baseline):\(relativeToRepository(fixtures) ?? fixtures)/\(SchemaLock.fileName)"
        let text = try gitShow("\(baseline):./\(SchemaLock.fileName)", in: fixtures, baseline: baseline)
        return (try SchemaLock.parse(data: text, source: source), "\(source) (git ref \(baseline))")
    }

    /// `git show SPEC` in `folder`: its output, or an error naming the baseline.
    static func gitShow(_ spec: String, in folder: String, baseline: String) throws(ConfigError) -> [UInt8] {
        let result = runGit(["show", spec], in: folder)
        guard let result, result.termination == .exited(0) else {
            let why = result.map { $0.stderr.trimmingCharacters(in: .whitespacesAndNewlines) } ?? "cannot run git"
            throw ConfigError(
                "--baseline \(baseline): not a lock file, and no \(SchemaLock.fileName) in the fixtures folder at git ref \(baseline) (git: \(why))"
            )
        }
        return result.stdout
    }

    /// The fixtures folder's path inside its git repository (`fixtures`), if git knows it.
    static func relativeToRepository(_ folder: String) -> String? {
        guard let result = runGit(["rev-parse", "--show-prefix"], in: folder), result.termination == .exited(0) else { return nil }
        var prefix = String(decoding: result.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if prefix.hasSuffix("/") { prefix.removeLast() }
        return prefix.isEmpty ? "." : prefix
    }

    /// Runs git read-only in `folder`, through the runner's spawner (killed with the rest on an
    /// interrupt); nil if it cannot start.
    static func runGit(_ arguments: [String], in folder: String) -> CompletedProcess? {
        try? PeerProcess.run(["git", "-C", folder] + arguments)
    }
}
