// Peers built from a git commit (`"build": {"ref", "product"}`): the cache is used when it has
// the binary, a ref git does not know and a build that fails are exit 2 with what to do, the
// list commands build nothing, prune keeps what a matrix names. Each test's repository is a
// folder of its own with one commit and no Package.swift, so a build that runs there fails:
// a command that succeeds used the cache. (The build of a real commit of this repository is
// scripts/check-released-peer-drift, which CI runs.)

import BuiltBinaries
import CompatRunner
import Foundation
import MiniJSON
import Testing

@Suite("Peers built from a git commit")
struct BuiltPeerTests {
    @Test("a cached binary is used as it is: nothing builds, and the peer runs")
    func cacheHit() throws {
        let (matrix, commit) = try BuiltPeerSupport.repositoryMatrix()
        let entry = try BuiltPeerSupport.cachedPeerV3(matrix, commit: commit)

        let build = try runCompat(["peers", "build", "--matrix", matrix.path])
        #expect(build.status == 0, "\(build.stderr)")
        #expect(build.stderr.isEmpty, "it built: \(build.stderr)")
        #expect(build.stdout == "v3@r1  peer-v3 at HEAD (commit \(commit))  \(entry)/peer-v3\n")

        let pair = try runCompat(["pair", "v3@r1", "v3", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--message", "NewOrder"])
        #expect(pair.status == 0, "\(pair.stdout)\(pair.stderr)")
        #expect(pair.stdout.contains("client=v3@r1/gateway=v3/NewOrder/c2g/sample"), "\(pair.stdout.prefix(2000))")
        let list = try runCompat(["peers", "list", "--matrix", matrix.path])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("  peer-v3  "), "\(list.stdout)")
        #expect(list.stdout.contains("named by \(matrix.path): v3@r1\n"), "\(list.stdout)")
        let listed = try runCompat(["peers", "list", "--json", "--matrix", matrix.path])
        #expect(listed.status == 0, "\(listed.stderr)")
        let entries = try JSON.parse(listed.stdout).arrayValue ?? []
        #expect(entries.count == 1, "\(listed.stdout)")
        #expect(entries.first?["commit"] == .string(commit) && entries.first?["folder"] == .string(entry))
        #expect(entries.first?["currentToolchain"] == .bool(true))
        let product = entries.first?["products"]?[0]
        #expect(product?["name"] == .string("peer-v3") && product?["namedBy"] == .array([.string("\(matrix.path): v3@r1")]))
    }

    @Test("a ref git does not know is exit 2 naming the peer and the ref, before anything is built")
    func unknownRef() throws {
        let (matrix, _) = try BuiltPeerSupport.repositoryMatrix(ref: "no-such-release")
        let run = try runCompat(["matrix", "run", "--matrix", matrix.path, "--fixtures", Built.fixtures])
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.hasPrefix("compat: peer \"v3@r1\": ref no-such-release is not a commit of "), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: matrix.folder + "/" + PeerCache.folderName))
    }

    @Test("a build that fails is exit 2 naming the peer, the ref and the log, with the log's tail; nothing is installed")
    func failedBuild() throws {
        let (matrix, commit) = try BuiltPeerSupport.repositoryMatrix()
        let entry = try BuiltPeerSupport.entryFolder(matrix, commit: commit)
        let run = try runCompat(["peers", "build", "--matrix", matrix.path])
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.hasPrefix("compat: building peer-v3 at \(commit.prefix(7)) (HEAD) …\n"), "\(run.stderr)")
        #expect(
            run.stderr.contains(
                "compat: peer \"v3@r1\": building peer-v3 at HEAD (commit \(commit.prefix(12))) failed (exit 1); full log: \(entry)/build.log; its last lines:\n"
            ), "\(run.stderr)")
        // The commit has no Package.swift: swift build's own words are in the tail.
        #expect(run.stderr.contains("Package.swift"), "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: entry + "/build.log"))
        #expect(!FileManager.default.fileExists(atPath: entry + "/peer-v3"))
        let cache = try PeerCache.of(folder: matrix.folder)
        #expect(cache.leftoverWork().isEmpty, "the private export was not removed")
    }

    @Test("listing a matrix's peers and checks builds nothing")
    func listingBuildsNothing() throws {
        let (matrix, _) = try BuiltPeerSupport.repositoryMatrix()
        let run = try runCompat(["list", "--matrix", matrix.path, "--fixtures", Built.fixtures])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("peer-v3 built at HEAD"), "\(run.stdout.prefix(1000))")
        #expect(!FileManager.default.fileExists(atPath: matrix.folder + "/" + PeerCache.folderName))
    }

    @Test("prune removes the commits no matrix names and keeps the ones it does")
    func prune() throws {
        let (matrix, commit) = try BuiltPeerSupport.repositoryMatrix()
        let kept = try BuiltPeerSupport.entryFolder(matrix, commit: commit)
        let unnamed = kept.replacingOccurrences(of: commit, with: String(repeating: "0", count: 40))
        for folder in [kept, unnamed] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try BuiltPeerSupport.installPeerV3(at: folder + "/peer-v3")
        }
        let dry = try runCompat(["peers", "prune", "--matrix", matrix.path, "--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout == "would remove \(unnamed)\n")
        #expect(FileManager.default.fileExists(atPath: unnamed))
        let run = try runCompat(["peers", "prune", "--matrix", matrix.path])
        #expect(run.stdout == "removed \(unnamed)\n")
        #expect(!FileManager.default.fileExists(atPath: unnamed))
        #expect(FileManager.default.isExecutableFile(atPath: kept + "/peer-v3"))
    }
}
