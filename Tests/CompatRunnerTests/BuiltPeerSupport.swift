// What the tests of peers built from a git commit share: a matrix in a git repository of its own,
// a stand-in for a binary a build made, and the cache entry it goes to.

import BuiltBinaries
import CompatRunner
import Foundation
import Testing

enum BuiltPeerSupport {
    /// A matrix of today's v3 and a v3 built at `ref`, in a git repository of its own with one commit.
    static func repositoryMatrix(ref: String = "HEAD") throws -> (matrix: TestMatrix, commit: String) {
        let matrix = try TestMatrix(
            text: """
                {"peers": [{"name": "v3", "version": 3, "argv": \(argvJSON(Built.peer(3)))},
                           {"name": "v3@r1", "version": 3, "build": {"ref": "\(ref)", "product": "peer-v3"}}]}
                """)
        for arguments in [
            ["init", "-q"], ["add", "matrix.json"], ["-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-qm", "r1"],
        ] {
            let run = try PeerProcess.run(["git", "-C", matrix.folder] + arguments)
            try #require(run.termination.isCleanExit, "git \(arguments): \(run.stderr)")
        }
        let head = try PeerProcess.run(["git", "-C", matrix.folder, "rev-parse", "HEAD"])
        return (matrix, head.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Puts at `path` what a commit of the one-product-per-version era built as `peer-v3`: a program
    /// that plays version 3 when started with `--role` alone (today's peer, as version 3).
    static func installPeerV3(at path: String) throws {
        try "#!/bin/sh\nexec '\(Built.peerProgram)' --schema-version 3 \"$@\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    /// The cache folder the commit's peers go to with the toolchain on PATH.
    static func entryFolder(_ matrix: TestMatrix, commit: String) throws -> String {
        let cache = try PeerCache.of(folder: matrix.folder)
        return cache.entryFolder(commit: commit, toolchain: try Toolchain.current())
    }

    /// Records `products` of `entry` as its build does, so that the cache uses them.
    static func recordBuild(_ products: [String] = ["peer-v3"], in entry: String, commit: String) throws {
        try BuildManifest.record(products, in: entry, commit: commit, toolchain: try Toolchain.current())
    }

    /// An entry of the cache holding the stand-in `peer-v3`, recorded as its build does.
    static func cachedPeerV3(_ matrix: TestMatrix, commit: String) throws -> String {
        let entry = try entryFolder(matrix, commit: commit)
        try FileManager.default.createDirectory(atPath: entry, withIntermediateDirectories: true)
        try installPeerV3(at: entry + "/peer-v3")
        try recordBuild(in: entry, commit: commit)
        return entry
    }
}
