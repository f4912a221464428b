// The peer cache proves what it holds: a binary runs only with the SHA-256 its build recorded, and
// anything else in its place is rebuilt (here, where no build can succeed: exit 2), never run.
// Prune removes links, never what they point to, and never the work folder of a running build.

import BuiltBinaries
import CompatRunner
import Foundation
import Testing

@Suite("The built-peer cache checks what it holds, and prunes safely")
struct BuiltPeerCacheTests {
    /// Replaces the cached `peer-v3` with a script that would leave `marker` if it ever ran.
    private func replaceWithScript(_ binary: String, marker: String) throws {
        try "#!/bin/sh\ntouch '\(marker)'\nexit 0\n".write(toFile: binary, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: binary)
    }

    @Test("a script put in a cached binary's place is never run: it is rebuilt, and a build that fails is exit 2")
    func replacedBinary() throws {
        let (matrix, commit) = try BuiltPeerSupport.repositoryMatrix()
        let entry = try BuiltPeerSupport.cachedPeerV3(matrix, commit: commit)
        let recorded = try FileDigest.sha256(ofFile: entry + "/peer-v3")
        let marker = matrix.folder + "/ran"
        try replaceWithScript(entry + "/peer-v3", marker: marker)
        let actual = try FileDigest.sha256(ofFile: entry + "/peer-v3")

        let pair = try runCompat(["pair", "v3@r1", "v3", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--message", "NewOrder"])
        #expect(pair.status == 2, "\(pair.stdout)\(pair.stderr)")
        #expect(
            pair.stderr.hasPrefix(
                "compat: \(entry)/peer-v3 is not what its build made: peer-v3 has SHA-256 \(actual), not the \(recorded) its build recorded; rebuilding it\n"
                    + "compat: building peer-v3 at \(commit.prefix(7)) (HEAD) …\n"), "\(pair.stderr)")
        #expect(
            pair.stderr.contains("compat: peer \"v3@r1\": building peer-v3 at HEAD (commit \(commit.prefix(12))) failed"), "\(pair.stderr)")
        #expect(!FileManager.default.fileExists(atPath: marker), "the script ran")
    }

    @Test("a truncated cached binary is rebuilt, not run and blamed on the peer")
    func truncatedBinary() throws {
        let (matrix, commit) = try BuiltPeerSupport.repositoryMatrix()
        let entry = try BuiltPeerSupport.cachedPeerV3(matrix, commit: commit)
        let handle = try #require(FileHandle(forWritingAtPath: entry + "/peer-v3"))
        try handle.truncate(atOffset: 10)
        try handle.close()

        let run = try runCompat(["matrix", "run", "--matrix", matrix.path, "--fixtures", Built.fixtures])
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.hasPrefix("compat: \(entry)/peer-v3 is not what its build made: peer-v3 has SHA-256 "), "\(run.stderr)")
        #expect(run.stdout.isEmpty, "a cell ran: \(run.stdout.prefix(1000))")
    }

    @Test("a cached binary no build recorded (an older compat's cache) is rebuilt, not run")
    func unrecordedBinary() throws {
        let (matrix, commit) = try BuiltPeerSupport.repositoryMatrix()
        let entry = try BuiltPeerSupport.entryFolder(matrix, commit: commit)
        try FileManager.default.createDirectory(atPath: entry, withIntermediateDirectories: true)
        let marker = matrix.folder + "/ran"
        try replaceWithScript(entry + "/peer-v3", marker: marker)

        let run = try runCompat(["peers", "build", "--matrix", matrix.path])
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        #expect(
            run.stderr.hasPrefix(
                "compat: \(entry)/peer-v3 is not what its build made: it has no manifest.json (a build records one); rebuilding it\n"),
            "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: marker), "the script ran")
    }

    @Test("an entry that is a link to a folder outside the cache is not used, and the build does not write through it")
    func linkedEntry() throws {
        let (matrix, commit) = try BuiltPeerSupport.repositoryMatrix()
        let entry = try BuiltPeerSupport.entryFolder(matrix, commit: commit)
        let outside = matrix.folder + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        let marker = matrix.folder + "/ran"
        try replaceWithScript(outside + "/peer-v3", marker: marker)
        try BuiltPeerSupport.recordBuild(in: outside, commit: commit)
        try FileManager.default.createDirectory(atPath: (entry as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: entry, withDestinationPath: outside)

        let run = try runCompat(["peers", "build", "--matrix", matrix.path])
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        #expect(
            run.stderr.hasPrefix("compat: \(entry) is not a folder of the cache but a link or a file; rebuilding it\n"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: marker), "the script ran")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).sorted() == ["manifest.json", "peer-v3"])
        let type = try FileManager.default.attributesOfItem(atPath: entry)[.type] as? FileAttributeType
        #expect(type == .typeDirectory, "the link is still there")
    }

    @Test("SHA-256 is the standard's: the NIST test vectors")
    func nistVectors() throws {
        let scratch = try TestMatrix(text: "{}")
        let folder = scratch.folder
        let vectors = [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            ),
            (String(repeating: "a", count: 1_000_000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
        ]
        for (index, (message, digest)) in vectors.enumerated() {
            let path = "\(folder)/message\(index)"
            try message.write(toFile: path, atomically: true, encoding: .utf8)
            #expect(try FileDigest.sha256(ofFile: path) == digest, "message \(index)")
        }
        try FileManager.default.createSymbolicLink(atPath: folder + "/link", withDestinationPath: folder + "/message1")
        #expect(throws: FileDigest.Failure.self) { try FileDigest.sha256(ofFile: folder + "/link") }
    }

    @Test("prune removes links in the cache, never what they point to")
    func pruneFollowsNoLink() throws {
        let (matrix, commit) = try BuiltPeerSupport.repositoryMatrix()
        let cache = try PeerCache.of(folder: matrix.folder)
        let outside = matrix.folder + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        for name in ["precious", "peer-v3", "peer-v9"] { try BuiltPeerSupport.installPeerV3(at: "\(outside)/\(name)") }
        // A named commit's entry that is a link to a folder outside: its unnamed peer-v9 is not the cache's.
        let named = try BuiltPeerSupport.entryFolder(matrix, commit: commit)
        try FileManager.default.createDirectory(atPath: cache.folder, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: named, withDestinationPath: outside)
        // An unnamed entry holding links to a file and a folder outside.
        let unnamed = named.replacingOccurrences(of: commit, with: String(repeating: "0", count: 40))
        try FileManager.default.createDirectory(atPath: unnamed, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: unnamed + "/peer-v3", withDestinationPath: outside + "/precious")
        try FileManager.default.createSymbolicLink(atPath: unnamed + "/escape", withDestinationPath: outside)
        // A leftover work folder that is a link.
        let work = cache.folder + "/work.1-abc"
        try FileManager.default.createSymbolicLink(atPath: work, withDestinationPath: outside)

        let run = try runCompat(["peers", "prune", "--matrix", matrix.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Set(run.stdout.split(separator: "\n")) == ["removed \(work)", "removed \(unnamed)", "removed \(named)"], "\(run.stdout)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).sorted() == ["peer-v3", "peer-v9", "precious"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.folder) == [])
    }

    @Test("prune keeps the work folder of a build that is running, and removes it once that build is gone")
    func pruneKeepsRunningBuild() throws {
        let (matrix, _) = try BuiltPeerSupport.repositoryMatrix()
        let cache = try PeerCache.of(folder: matrix.folder)
        let work = cache.folder + "/work.77-abc"
        try FileManager.default.createDirectory(atPath: work + "/src", withIntermediateDirectories: true)
        // This test holds the lock as a running build does.
        var lock: WorkLock? = nil
        if case .taken(let taken) = try WorkLock.claim(WorkLock.path(ofWork: work), create: true) { lock = taken }
        try #require(lock != nil)

        let dry = try runCompat(["peers", "prune", "--matrix", matrix.path, "--dry-run"])
        #expect(dry.stdout == "would keep \(work): a build is running\n", "\(dry.stdout)\(dry.stderr)")
        let whileRunning = try runCompat(["peers", "prune", "--matrix", matrix.path])
        #expect(whileRunning.status == 0, "\(whileRunning.stderr)")
        #expect(whileRunning.stdout == "kept \(work): a build is running\n")
        #expect(FileManager.default.fileExists(atPath: work + "/src"))

        lock = nil
        let afterwards = try runCompat(["peers", "prune", "--matrix", matrix.path])
        #expect(afterwards.stdout == "removed \(work)\n", "\(afterwards.stdout)\(afterwards.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.folder) == [])
    }
}
