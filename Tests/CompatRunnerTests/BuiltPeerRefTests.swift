// What a built peer's configuration may say, checked before anything builds: a ref resolves to one
// commit (a short SHA that is also a tag's or branch's name is refused), a product is a name and
// never an option of swift build; and a run leaves no temporary folder of the toolchain behind.

import BuiltBinaries
import CompatRunner
import Foundation
import Testing

@Suite("A built peer's ref and product, and what a build leaves in TMPDIR")
struct BuiltPeerRefTests {
    private func git(_ folder: String, _ arguments: [String]) throws {
        let run = try PeerProcess.run(["git", "-C", folder, "-c", "user.name=test", "-c", "user.email=test@example.com"] + arguments)
        try #require(run.termination.isCleanExit, "git \(arguments): \(run.stderr)")
    }

    @Test("a short SHA that is also a tag's name is exit 2 saying so; the full SHA is taken as it is")
    func ambiguousShortSHA() throws {
        let (matrix, first) = try BuiltPeerSupport.repositoryMatrix()
        let short = String(first.prefix(7))
        let text = try String(contentsOfFile: matrix.path, encoding: .utf8)
        try text.replacingOccurrences(of: "\"ref\": \"HEAD\"", with: "\"ref\": \"\(short)\"").write(
            toFile: matrix.path, atomically: true, encoding: .utf8)
        try git(matrix.folder, ["commit", "-qam", "r2"])
        try git(matrix.folder, ["tag", short])
        let second = try PeerProcess.run(["git", "-C", matrix.folder, "rev-parse", "HEAD"]).stdoutText.trimmingCharacters(
            in: .whitespacesAndNewlines)

        let run = try runCompat(["peers", "build", "--matrix", matrix.path])
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        #expect(
            run.stderr
                == "compat: peer \"v3@r1\": ref \(short) is ambiguous: it is the name of refs/tags/\(short) (commit \(second)) and the start of the SHA of \(first); write the full 40-hex commit, or the ref as refs/tags/\(short)\n"
        )
        #expect(!FileManager.default.fileExists(atPath: matrix.folder + "/" + PeerCache.folderName), "something was built")

        try text.replacingOccurrences(of: "\"ref\": \"HEAD\"", with: "\"ref\": \"\(first)\"").write(
            toFile: matrix.path, atomically: true, encoding: .utf8)
        let entry = try BuiltPeerSupport.cachedPeerV3(matrix, commit: first)
        let full = try runCompat(["peers", "build", "--matrix", matrix.path])
        #expect(full.status == 0, "\(full.stderr)")
        #expect(full.stdout == "v3@r1  peer-v3 at \(first)  \(entry)/peer-v3\n")
    }

    @Test(
        "a product that swift build would read as an option is exit 2 naming the peer and the key",
        arguments: ["--help", "-x", "a/b", ".."])
    func productLikeOption(product: String) throws {
        let (matrix, _) = try BuiltPeerSupport.repositoryMatrix()
        let text = try String(contentsOfFile: matrix.path, encoding: .utf8)
        try text.replacingOccurrences(of: "\"product\": \"peer-v3\"", with: "\"product\": \"\(product)\"").write(
            toFile: matrix.path, atomically: true, encoding: .utf8)

        let run = try runCompat(["peers", "build", "--matrix", matrix.path])
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        #expect(
            run.stderr.hasPrefix(
                "compat: \(matrix.path): peers[1].build.product: peer \"v3@r1\": \"\(product)\" is not the name of an executable product"),
            "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: matrix.folder + "/" + PeerCache.folderName), "something was built")
    }

    @Test("a run with built peers leaves nothing in TMPDIR: not swift --version's folder, not swift build's")
    func nothingLeftInTemporaryFolder() throws {
        let (matrix, commit) = try BuiltPeerSupport.repositoryMatrix()
        let temporary = matrix.folder + "/tmp"
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        // The build runs (and fails: the commit has no Package.swift)…
        let build = try runCompat(["peers", "build", "--matrix", matrix.path], environment: ["TMPDIR": temporary])
        #expect(build.status == 2, "\(build.stdout)\(build.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary) == [])
        // …and a run from the cache.
        _ = try BuiltPeerSupport.cachedPeerV3(matrix, commit: commit)
        let pair = try runCompat(
            ["pair", "v3@r1", "v3", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--message", "NewOrder"],
            environment: ["TMPDIR": temporary])
        #expect(pair.status == 0, "\(pair.stdout)\(pair.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary) == [])
    }
}
