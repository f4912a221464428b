// Faults of the machine, not of the peers, are configuration errors (exit 2) found before the
// first cell starts, never a grid of CRASH and FAIL: a TMPDIR that is missing, not a folder or
// not writable; a TMPDIR too long for a cell's unix socket path (cells then go in /tmp); a
// program whose `#!` interpreter cannot run; a peer name too long or oddly spelled.

import BuiltBinaries
import Foundation
import MiniJSON
import Testing

@testable import CompatRunner

@Suite("Environment faults are configuration errors, found before any cell starts")
struct EnvironmentFaultTests {
    /// The commands that start peers.
    static let starting = CompatInvocation.every.filter { $0.words[0] != "list" }

    private func run(
        _ command: CompatInvocation, _ matrix: TestMatrix, tmpdir: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        let run = try runCompat(command.arguments(matrix: matrix.path), environment: ["TMPDIR": tmpdir], timeout: .seconds(300))
        #expect(!run.timedOut, sourceLocation: sourceLocation)
        return (run.status, run.stdout, run.stderr)
    }

    @Test("a TMPDIR that does not exist exits 2 naming TMPDIR", arguments: starting)
    func missingTemporaryFolder(_ command: CompatInvocation) throws {
        let matrix = try TestMatrix()
        let missing = matrix.folder + "/no-such-folder"
        let run = try run(command, matrix, tmpdir: missing)
        #expect(run.status == 2, "\(run.stdout.prefix(2000))\(run.stderr)")
        #expect(
            run.stderr == "compat: TMPDIR=\(missing): does not exist: each cell makes its private folder there; "
                + "set TMPDIR to a folder you can write to, or unset it\n")
        #expect(run.stdout.isEmpty, "a cell started: \(run.stdout.prefix(2000))")
    }

    @Test("a TMPDIR that is a file exits 2 naming TMPDIR")
    func temporaryFolderIsAFile() throws {
        let matrix = try TestMatrix()
        let run = try run(CompatInvocation(words: ["pair", "v3", "v5"]), matrix, tmpdir: matrix.path)
        #expect(run.status == 2, "\(run.stdout.prefix(2000))\(run.stderr)")
        #expect(
            run.stderr == "compat: TMPDIR=\(matrix.path): is not a folder: each cell makes its private folder there; "
                + "set TMPDIR to a folder you can write to, or unset it\n")
    }

    @Test("a TMPDIR this user cannot write to exits 2 naming TMPDIR")
    func readOnlyTemporaryFolder() throws {
        let matrix = try TestMatrix()
        // Root writes into a mode-0555 folder anyway; no one can make a folder in /proc.
        let readOnly = getuid() == 0 ? "/proc" : matrix.folder + "/read-only"
        if getuid() != 0 {
            try FileManager.default.createDirectory(
                atPath: readOnly, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o555])
        }
        let run = try run(CompatInvocation(words: ["pair", "v3", "v5"]), matrix, tmpdir: readOnly)
        #expect(run.status == 2, "\(run.stdout.prefix(2000))\(run.stderr)")
        #expect(run.stderr.hasPrefix("compat: TMPDIR=\(readOnly): is not writable by this user: "), "\(run.stderr)")
    }

    @Test("a TMPDIR too long for a unix socket path: cells go in /tmp, the note says so, and they pass")
    func longTemporaryFolder() throws {
        let matrix = try TestMatrix(extra: ["clients": ["v3"], "gateways": ["v5"]])
        // 100 bytes and more before the cell's own folder: its socket path would pass the 107-byte limit.
        let long = matrix.folder + "/" + String(repeating: "t", count: 100)
        try FileManager.default.createDirectory(atPath: long, withIntermediateDirectories: false)
        let run = try run(CompatInvocation(words: ["matrix", "run"]), matrix, tmpdir: long)
        #expect(run.status == 0, "\(run.stdout.prefix(3000))\(run.stderr)")
        #expect(run.stdout.contains("1 PASS · 1 cell"), "\(run.stdout.prefix(3000))")
        #expect(run.stderr.hasPrefix("compat: note: TMPDIR=\(long) is too long for a cell's unix socket path"), "\(run.stderr)")
        #expect(run.stderr.hasSuffix(": cells make their private folders in /tmp instead\n"), "\(run.stderr)")
    }

    @Test("two 64-character peer names still fit a cell's socket path")
    func longPeerNames() throws {
        let client = String(repeating: "c", count: 64)
        let gateway = String(repeating: "g", count: 64)
        let peers: [JSON] = [(client, 3), (gateway, 5)].map { name, version in
            .object(["name": .string(name), "version": .integer(version), "argv": .array(Built.peer(version).map(JSON.string))])
        }
        let matrix = try TestMatrix(json: .object(["peers": .array(peers), "clients": [.string(client)], "gateways": [.string(gateway)]]))
        let run = try runCompat(
            ["pair", client, gateway, "--matrix", matrix.path, "--fixtures", Built.fixtures], environment: ["TMPDIR": nil])
        #expect(run.status == 0, "\(run.stdout.suffix(3000))\(run.stderr)")
    }

    @Test("a cell folder keeps the peers' names as far as its socket path allows")
    func cellFolderNames() throws {
        let root = try TestMatrix(text: "{}")
        let short = try makeCellFolder(prefix: "compat-v3-v5", in: root.folder)
        #expect(short.hasPrefix(root.folder + "/compat-v3-v5-") && short.count == (root.folder + "/compat-v3-v5-XXXXXX").count, "\(short)")
        let names = "compat-" + String(repeating: "c", count: 64) + "-" + String(repeating: "g", count: 64)
        let long = try makeCellFolder(prefix: names, in: root.folder)
        #expect(long.hasPrefix(root.folder + "/compat-ccc"), "\(long)")
        #expect((long + "/gateway.sock").utf8.count == Endpoint.ipcPathLimit, "\(long)")
        var info = stat()
        #expect(stat(long, &info) == 0 && info.st_mode & 0o777 == 0o700)
    }

    // MARK: Programs that cannot run

    /// A matrix of the reference v3 and a peer `bad` whose program is a script starting with `shebang`.
    private func scriptPeer(_ shebang: String) throws -> (matrix: TestMatrix, script: String) {
        let matrix = try TestMatrix(text: "{}")
        let script = matrix.folder + "/bad-peer"
        try write("\(shebang)\necho never\n", to: script, mode: 0o755)
        let peers: JSON = .array([
            .object(["name": "v3", "version": 3, "argv": .array(Built.peer(3).map(JSON.string))]),
            .object(["name": "bad", "version": 3, "argv": .array([.string(script)])]),
        ])
        try JSON.object(["peers": peers]).serialized.write(toFile: matrix.path, atomically: true, encoding: .utf8)
        return (matrix, script)
    }

    @Test("a #! interpreter that does not exist exits 2 naming the peer, the program and the interpreter", arguments: starting)
    func missingInterpreter(_ command: CompatInvocation) throws {
        let (matrix, script) = try scriptPeer("#!/nonexistent/sh")
        let bad = CompatInvocation(words: command.words.map { $0 == "v5" ? "bad" : $0 })
        let run = try run(bad, matrix, tmpdir: matrix.folder)
        #expect(run.status == 2, "\(run.stdout.prefix(2000))\(run.stderr)")
        #expect(
            run.stderr
                == "compat: \(matrix.path): peer \"bad\": program \(script) starts with #!/nonexistent/sh, and /nonexistent/sh does not exist\n"
        )
        #expect(run.stdout.isEmpty, "a cell started: \(run.stdout.prefix(2000))")
    }

    @Test("a #! interpreter that is not executable, or is not on PATH for env, exits 2")
    func unusableInterpreter() throws {
        let folder = try TestMatrix(text: "{}")
        let interpreter = folder.folder + "/interpreter"
        try write("not a program\n", to: interpreter, mode: 0o644)
        let nested = folder.folder + "/nested"
        try write("#!/nonexistent/perl -w\n", to: nested, mode: 0o755)
        let cases = [
            ("#!\(interpreter)", "starts with #!\(interpreter), and \(interpreter) is not executable"),
            ("#! \(interpreter) -x", "starts with #!\(interpreter) -x, and \(interpreter) is not executable"),
            ("#!\(folder.folder)", "starts with #!\(folder.folder), and \(folder.folder) is a folder, not a program"),
            (
                "#!/usr/bin/env no-such-interpreter-\(getpid())",
                "starts with #!/usr/bin/env no-such-interpreter-\(getpid()), and no-such-interpreter-\(getpid()) is not on PATH"
            ),
            (
                "#!\(nested)",
                "starts with #!\(nested), and \(nested) starts with #!/nonexistent/perl -w, and /nonexistent/perl does not exist"
            ),
            ("#!", "starts with #! but names no interpreter"),
        ]
        for (shebang, problem) in cases {
            let (matrix, script) = try scriptPeer(shebang)
            let run = try runCompat(
                ["pair", "v3", "bad", "--matrix", matrix.path, "--fixtures", Built.fixtures], environment: ["TMPDIR": matrix.folder])
            #expect(run.status == 2, "\(shebang): \(run.stdout.prefix(2000))\(run.stderr)")
            #expect(run.stderr == "compat: \(matrix.path): peer \"bad\": program \(script) \(problem)\n", "\(shebang)")
        }
    }

    @Test("a #! line that can run passes: /bin/sh, and env with a program on PATH")
    func usableInterpreter() throws {
        for shebang in ["#!/bin/sh", "#! /bin/sh -e", "#!/usr/bin/env sh"] {
            let (matrix, _) = try scriptPeer(shebang)
            let config = try MatrixConfig.load(path: matrix.path)
            #expect(throws: Never.self, "\(shebang)") { try config.validatePrograms(for: ["bad"]) }
        }
    }
}

/// Writes `text` to the file `path` with permissions `mode`.
private func write(_ text: String, to path: String, mode: Int) throws {
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
}
