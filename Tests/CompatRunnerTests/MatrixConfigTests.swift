// matrix.json read strictly: every wrong file is a ConfigError naming the file and the key,
// a good file resolves its programs and fills in its defaults, programs are checked before
// anything runs, and the patterns of knownFailures and --run match as documented.

import BuiltBinaries
import CompatRunner
import Foundation
import TGP
import Testing

/// One peer entry as matrix.json text.
private func peer(_ name: String, _ version: Int, _ argv: String = #"["/bin/true"]"#) -> String {
    #"{"name": "\#(name)", "version": \#(version), "argv": \#(argv)}"#
}

/// Two good peers, v1 and v3, for files that are wrong elsewhere.
private let twoPeers = #""peers": [\#(peer("v1", 1)), \#(peer("v3", 3))]"#

/// A matrix file that must not load; `message(path)` is the whole message it must give.
struct BadMatrix: CustomTestStringConvertible, Sendable {
    let label: String
    let text: String
    let message: @Sendable (_ path: String) -> String

    var testDescription: String { label }

    static let all: [BadMatrix] = [
        BadMatrix(label: "a top-level array", text: "[\(peer("v1", 1))]") {
            "\($0): (top level): must be an object, got array"
        },
        BadMatrix(label: "an unknown top-level key", text: "{\(twoPeers), \"colour\": true}") {
            "\($0): colour: unknown key (expected one of acceptedSkips, clients, gateways, knownFailures, peers, profile, schema, support, timeouts, transport)"
        },
        BadMatrix(label: "an unknown profile", text: #"{\#(twoPeers), "profile": "fix"}"#) {
            #"\#($0): profile: must be one of "tgp", "sbe", got "fix""#
        },
        BadMatrix(label: "the sbe profile without a schema", text: #"{\#(twoPeers), "profile": "sbe"}"#) {
            #"\#($0): profile: "sbe" needs the protocol's schema: add "schema": "path/to/schema.xml""#
        },
        BadMatrix(label: "a schema outside the matrix file's folder", text: #"{\#(twoPeers), "schema": "../elsewhere/p.xml"}"#) {
            let folder = ($0 as NSString).deletingLastPathComponent
            return #"\#($0): schema: "../elsewhere/p.xml" is outside the matrix file's folder \#(folder)"#
        },
        BadMatrix(label: "a schema that is not there", text: #"{\#(twoPeers), "schema": "p.xml"}"#) {
            let folder = ($0 as NSString).deletingLastPathComponent
            return "\($0): schema: \(folder)/p.xml:1:1: cannot read the file: No such file or directory"
        },
        BadMatrix(
            label: "a peer's schema that is not a string",
            text: #"{"peers": [{"name": "v1", "version": 1, "argv": ["/bin/true"], "schema": 3}]}"#
        ) {
            "\($0): peers[0].schema: must be the path of an SBE XML schema file, relative to the matrix file's folder"
        },
        BadMatrix(label: "peers missing", text: #"{"transport": "ipc"}"#) {
            #"\#($0): peers: missing: list the peers, e.g. {"name": "v3", "version": 3, "argv": ["path/to/peer", "--schema-version", "3"]}"#
        },
        BadMatrix(label: "peers empty", text: #"{"peers": []}"#) {
            "\($0): peers: must be a non-empty array"
        },
        BadMatrix(label: "a peer name of 10,000 characters", text: #"{"peers": [\#(peer(String(repeating: "n", count: 10_000), 3))]}"#) {
            "\($0): peers[0].name: is 10000 characters long; at most 64 (it is part of every check name and cell folder name)"
        },
        BadMatrix(
            label: "a peer name of 65 characters", text: #"{"peers": [\#(peer("v1", 1)), \#(peer(String(repeating: "n", count: 65), 3))]}"#
        ) {
            "\($0): peers[1].name: is 65 characters long; at most 64 (it is part of every check name and cell folder name)"
        },
        BadMatrix(label: "a peer name with a slash", text: #"{"peers": [\#(peer("v1/x", 1))]}"#) {
            #"\#($0): peers[0].name: "v1/x" may hold only letters, digits, '-', '_', '.' and '@' (it is part of check names)"#
        },
        BadMatrix(label: "a peer name starting with '-'", text: #"{"peers": [\#(peer("-v1", 1))]}"#) {
            #"\#($0): peers[0].name: "-v1" may not start with '-' (compat pair would read it as an option)"#
        },
        BadMatrix(label: "a version that was never released", text: #"{"peers": [\#(peer("v1", 1)), \#(peer("v7", 7))]}"#) {
            "\($0): peers[1].version: 7 is not a released version of TGP (\(Schema.tgp.versions.map(String.init).joined(separator: ", ")))"
        },
        BadMatrix(label: "argv as a shell string", text: #"{"peers": [\#(peer("v1", 1, #""a string""#))]}"#) {
            "\($0): peers[0].argv: must be an array of strings (never a shell string)"
        },
        BadMatrix(label: "argv empty", text: #"{"peers": [\#(peer("v1", 1, "[]"))]}"#) {
            "\($0): peers[0].argv: must be a non-empty array of strings, the program first"
        },
        BadMatrix(label: "argv holding a number", text: #"{"peers": [\#(peer("v1", 1, #"["/bin/true", 3]"#))]}"#) {
            "\($0): peers[0].argv: must be a non-empty array of strings, the program first"
        },
        BadMatrix(label: "a peer name used twice", text: #"{"peers": [\#(peer("v3", 3)), \#(peer("v3", 3))]}"#) {
            #"\#($0): peers[1].name: "v3" is used twice"#
        },
        BadMatrix(
            label: "a JSON key given twice",
            text: "{\n  \"peers\": [\n    {\"name\": \"v1\", \"name\": \"v2\", \"version\": 1, \"argv\": [\"/bin/true\"]}\n  ]\n}\n"
        ) {
            #"\#($0): line 3, column 20: duplicate key "name""#
        },
        BadMatrix(label: "clients naming an unknown peer", text: #"{\#(twoPeers), "clients": ["v1", "v9"]}"#) {
            #"\#($0): clients[1]: "v9" is not the name of a peer (v1, v3)"#
        },
        BadMatrix(label: "gateways listing a peer twice", text: #"{\#(twoPeers), "gateways": ["v3", "v3"]}"#) {
            #"\#($0): gateways[1]: "v3" is listed twice"#
        },
        BadMatrix(label: "clients empty", text: #"{\#(twoPeers), "clients": []}"#) {
            "\($0): clients: is empty: name at least one peer, or leave the key out for every peer"
        },
        BadMatrix(label: "gateways empty", text: #"{\#(twoPeers), "gateways": []}"#) {
            "\($0): gateways: is empty: name at least one peer, or leave the key out for every peer"
        },
        BadMatrix(label: "transport udp", text: #"{\#(twoPeers), "transport": "udp"}"#) {
            #"\#($0): transport: must be "ipc" or "tcp" (loopback), got "udp""#
        },
        BadMatrix(label: "a negative command timeout", text: #"{\#(twoPeers), "timeouts": {"commandSeconds": -1}}"#) {
            "\($0): timeouts.commandSeconds: must be a number of seconds above 0 and at most 3600"
        },
        BadMatrix(label: "an unknown timeout", text: #"{\#(twoPeers), "timeouts": {"cellSeconds": 3}}"#) {
            "\($0): timeouts.cellSeconds: unknown key (expected pairSeconds, commandSeconds, frameWaitFloorSeconds, frameWaitMultiple)"
        },
        BadMatrix(label: "an unknown key in a peer", text: #"{"peers": [{"name": "v1", "version": 1, "argv": ["/bin/true"], "args": []}]}"#)
        {
            "\($0): peers[0].args: unknown key (expected name, version, argv or build, and schema)"
        },
        BadMatrix(label: "a peer with neither argv nor build", text: #"{"peers": [{"name": "v1", "version": 1}]}"#) {
            #"\#($0): peers[0].argv: missing: give argv (the program to run) or build ({"ref": COMMIT, "product": "peer-v3"})"#
        },
        BadMatrix(
            label: "a peer with argv and build",
            text: #"{"peers": [{"name": "v1", "version": 1, "argv": ["/bin/true"], "build": {"ref": "HEAD", "product": "peer-v1"}}]}"#
        ) {
            "\($0): peers[0].build: a peer has argv or build, not both"
        },
        BadMatrix(
            label: "a build ref that git would read as an option",
            text: #"{"peers": [{"name": "v1@r1", "version": 1, "build": {"ref": "--output=x", "product": "peer-v1"}}]}"#
        ) {
            #"\#($0): peers[0].build.ref: peer "v1@r1": "--output=x" is not a git ref (no leading '-', no spaces)"#
        },
        BadMatrix(
            label: "a build product that is a path",
            text: #"{"peers": [{"name": "v1@r1", "version": 1, "build": {"ref": "HEAD", "product": "../peer-v1"}}]}"#
        ) {
            #"\#($0): peers[0].build.product: peer "v1@r1": "../peer-v1" is not the name of an executable product of the package (letters, digits, '-', '_', '.', not starting with '-' or '.'), e.g. "peer-v3""#
        },
        BadMatrix(
            label: "an unknown key in a build",
            text: #"{"peers": [{"name": "v1@r1", "version": 1, "build": {"ref": "HEAD", "product": "peer-v1", "config": "debug"}}]}"#
        ) {
            "\($0): peers[0].build.config: peer \"v1@r1\": unknown key (expected ref, product, arguments)"
        },
        BadMatrix(
            label: "build arguments that are not strings",
            text:
                #"{"peers": [{"name": "v1@r2", "version": 1, "build": {"ref": "HEAD", "product": "peer", "arguments": ["--schema-version", 1]}}]}"#
        ) {
            #"\#($0): peers[0].build.arguments: peer "v1@r2": must be an array of strings, e.g. ["--schema-version", "3"]"#
        },
        BadMatrix(
            label: "a known failure without a reason",
            text: #"{\#(twoPeers), "knownFailures": [{"client": "v1", "gateway": "v3", "check": "NewOrder/*"}]}"#
        ) {
            "\($0): knownFailures[0].reason: must be a non-empty string"
        },
        BadMatrix(
            label: "an accepted skip without a reason",
            text: #"{\#(twoPeers), "acceptedSkips": [{"peer": "v1"}]}"#
        ) {
            "\($0): acceptedSkips[0].reason: must be a non-empty string: why the skip is acceptable"
        },
        BadMatrix(
            label: "an accepted skip whose peer pattern matches no peer",
            text: #"{\#(twoPeers), "acceptedSkips": [{"peer": "*@r1", "reason": "r"}]}"#
        ) {
            #"\#($0): acceptedSkips[0].peer: "*@r1" is not the name of a peer nor a pattern matching one"#
        },
        BadMatrix(
            label: "an accepted skip with a key of a known failure",
            text: #"{\#(twoPeers), "acceptedSkips": [{"peer": "v1", "check": "*", "reason": "r"}]}"#
        ) {
            "\($0): acceptedSkips[0].check: unknown key (expected peer, reason)"
        },
        BadMatrix(
            label: "a known failure whose client is not a peer",
            text: #"{\#(twoPeers), "knownFailures": [{"client": "v9", "gateway": "v3", "check": "NewOrder/*", "reason": "r"}]}"#
        ) {
            #"\#($0): knownFailures[0].client: "v9" is not the name of a peer"#
        },
        BadMatrix(
            label: "a known failure whose gateway pattern matches no peer",
            text: #"{\#(twoPeers), "knownFailures": [{"client": "*", "gateway": "*@r1", "check": "NewOrder/*", "reason": "r"}]}"#
        ) {
            #"\#($0): knownFailures[0].gateway: "*@r1" is not the name of a peer nor a pattern matching one"#
        },
        BadMatrix(
            label: "an intermittent flag that is not a boolean",
            text:
                #"{\#(twoPeers), "knownFailures": [{"client": "v1", "gateway": "v3", "check": "NewOrder/*", "reason": "r", "intermittent": "yes"}]}"#
        ) {
            "\($0): knownFailures[0].intermittent: must be true or false"
        },
    ]
}

/// `body` must throw a ConfigError whose message is exactly `expected`.
func expectConfigError(
    _ expected: String, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("no error; expected: \(expected)", sourceLocation: sourceLocation)
    } catch let error as ConfigError {
        #expect(error.message == expected, sourceLocation: sourceLocation)
    } catch {
        Issue.record("not a ConfigError: \(error)", sourceLocation: sourceLocation)
    }
}

@Suite("matrix.json: strict reading")
struct MatrixConfigTests {
    /// Loads `text` from a file of its own: the file's path and the error, or nil when it loaded.
    private func loadError(_ text: String) throws -> (path: String, error: ConfigError?) {
        let matrix = try TestMatrix(text: text)
        do {
            _ = try MatrixConfig.load(path: matrix.path)
            return (matrix.path, nil)
        } catch {
            return (matrix.path, error)
        }
    }

    @Test("a wrong file is refused with the file and the key named", arguments: BadMatrix.all)
    func wrongFile(_ bad: BadMatrix) throws {
        let (path, error) = try loadError(bad.text)
        let found = try #require(error, "\(bad.label): loaded without an error")
        #expect(found.message == bad.message(path))
        #expect(found.description == found.message)
    }

    @Test("a file that is not JSON: the file, then the line and column of the first wrong character")
    func notJSON() throws {
        // The reader's own wording follows; the file and the position are what the person needs.
        let (path, error) = try loadError("{\n  \"peers\": [\n    oops\n  ]\n}\n")
        let message = try #require(error, "loaded without an error").message
        #expect(message.hasPrefix("\(path): line 3, column 5: unexpected character"), "\(message)")
        let (path2, error2) = try loadError("{\"peers\": [\n\n  ,]}")
        let message2 = try #require(error2, "loaded without an error").message
        #expect(message2.hasPrefix("\(path2): line 3, column 3: "), "\(message2)")
    }

    @Test("a file that cannot be read names the file and the option")
    func unreadableFile() throws {
        let path = "/nonexistent-\(getpid())/matrix.json"
        expectConfigError("\(path): cannot read the matrix file (use --matrix FILE)") {
            _ = try MatrixConfig.load(path: path)
        }
    }

    // MARK: A good file

    @Test("relative programs resolve against the matrix file's folder, absolute ones stay")
    func relativeProgram() throws {
        let matrix = try TestMatrix(
            text: #"""
                {"peers": [
                  {"name": "rel", "version": 3, "argv": ["bin/peer", "--fault", "x"]},
                  {"name": "dots", "version": 4, "argv": ["./tools/../bin/peer"]},
                  {"name": "abs", "version": 5, "argv": ["/opt/peer", "bin/not-a-program"]}
                ]}
                """#)
        let config = try MatrixConfig.load(path: matrix.path)
        #expect(config.path == matrix.path)
        #expect(config.peers.map(\.name) == ["rel", "dots", "abs"])
        #expect(config.peers.map(\.version) == [3, 4, 5])
        // As written, for reports; resolved, to run.
        #expect(config.peers[0].argv == ["bin/peer", "--fault", "x"])
        #expect(config.peers[0].resolvedArgv == [matrix.folder + "/bin/peer", "--fault", "x"])
        #expect(config.peers[1].resolvedArgv == [matrix.folder + "/bin/peer"])
        // An argument naming nothing in the matrix's folder stays as written.
        #expect(config.peers[2].resolvedArgv == ["/opt/peer", "bin/not-a-program"])
    }

    @Test("every argument naming a file in the matrix's folder is resolved against it, not only the program")
    func relativeArguments() throws {
        let matrix = try TestMatrix(
            text: #"""
                {"peers": [
                  {"name": "script", "version": 3, "argv": ["sh", "peer.sh", "--data", "data/peer.jar", "missing.jar", "-x", "/abs"]}
                ]}
                """#)
        try FileManager.default.createDirectory(atPath: matrix.folder + "/data", withIntermediateDirectories: true)
        for file in ["peer.sh", "data/peer.jar"] { try "".write(toFile: matrix.folder + "/" + file, atomically: true, encoding: .utf8) }
        let config = try MatrixConfig.load(path: matrix.path)
        #expect(
            Array(config.peers[0].resolvedArgv.dropFirst())
                == [matrix.folder + "/peer.sh", "--data", matrix.folder + "/data/peer.jar", "missing.jar", "-x", "/abs"])
        #expect(config.peers[0].argv == ["sh", "peer.sh", "--data", "data/peer.jar", "missing.jar", "-x", "/abs"])
    }

    @Test("a bare program name is found on PATH")
    func programOnPath() throws {
        let matrix = try TestMatrix(text: #"{"peers": [{"name": "shell", "version": 1, "argv": ["sh", "-c", "exit 0"]}]}"#)
        let config = try MatrixConfig.load(path: matrix.path)
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let expected = try #require(
            path.split(separator: ":").map { "\($0)/sh" }.first { FileManager.default.isExecutableFile(atPath: $0) })
        #expect(config.peers[0].resolvedArgv == [expected, "-c", "exit 0"])
        #expect(config.peers[0].argv == ["sh", "-c", "exit 0"])
        try config.validatePrograms(for: ["shell"])
    }

    @Test("clients and gateways default to every peer in file order; transport ipc; timeouts 60 s and 5 s")
    func defaults() throws {
        let matrix = try TestMatrix(text: #"{"peers": [\#(peer("b", 5)), \#(peer("a", 1)), \#(peer("c", 3))]}"#)
        let config = try MatrixConfig.load(path: matrix.path)
        #expect(config.clients == ["b", "a", "c"])
        #expect(config.gateways == ["b", "a", "c"])
        #expect(config.transport == .ipc)
        #expect(config.pairTimeout == .seconds(60))
        #expect(config.commandTimeout == .seconds(5))
        #expect(config.knownFailures.isEmpty)
        #expect(config.peer(named: "a")?.version == 1)
        #expect(config.peer(named: "z") == nil)
    }

    @Test("given roles, transport, timeouts and known failures are read as written")
    func explicitValues() throws {
        let matrix = try TestMatrix(
            text: #"""
                {"peers": [\#(peer("v1", 1)), \#(peer("v3", 3)), \#(peer("v5", 5))],
                 "clients": ["v5", "v1"], "gateways": ["v3"], "transport": "tcp",
                 "timeouts": {"pairSeconds": 2.5, "commandSeconds": 0.25},
                 "knownFailures": [{"client": "*", "gateway": "v3", "check": "NewOrder/c2g/*", "reason": "issue 7"}]}
                """#)
        let config = try MatrixConfig.load(path: matrix.path)
        #expect(config.clients == ["v5", "v1"])
        #expect(config.gateways == ["v3"])
        #expect(config.transport == .tcp)
        #expect(config.pairTimeout == .milliseconds(2500))
        #expect(config.commandTimeout == .milliseconds(250))
        #expect(config.knownFailures.map { [$0.client, $0.gateway, $0.check, $0.reason] } == [["*", "v3", "NewOrder/c2g/*", "issue 7"]])
    }

    @Test(
        "the repository's matrix.json loads: today's peer of each version and release r1's five, in both roles, r1's not built by loading")
    func repositoryMatrix() throws {
        let config = try MatrixConfig.load(path: Built.repositoryRoot + "/matrix.json")
        let today = Schema.tgp.versions
        // Release r1 had five versions, each its own product at its commit.
        let r1 = Array(1...5)
        #expect(config.peers.map(\.name) == today.map { "v\($0)" } + r1.map { "v\($0)@r1" })
        #expect(config.peers.map(\.version) == today + r1)
        #expect(config.clients == config.gateways)
        for (peer, version) in zip(config.peers, today) {
            #expect(peer.resolvedArgv == [Built.repositoryRoot + "/.build/release/peer", "--schema-version", "\(version)"])
        }
        let released = config.peers.dropFirst(today.count)
        #expect(Set(released.map { $0.build?.ref }) == ["a50ba317117c790a540bdb0662fc9c6e4a44321f"])
        #expect(released.map { $0.build?.product } == r1.map { "peer-v\($0)" })
        #expect(released.allSatisfy { $0.resolvedArgv.isEmpty })
    }

    @Test("a peer built from a commit of the one-program peer starts with its build arguments, then --role")
    func builtPeerArguments() throws {
        let folder = NSTemporaryDirectory() + "compat-build-arguments-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let text =
            #"{"peers": [{"name": "v3@r2", "version": 3, "build": {"ref": "HEAD", "product": "peer", "arguments": ["--schema-version", "3"]}}]}"#
        try text.write(toFile: folder + "/matrix.json", atomically: true, encoding: .utf8)
        var config = try MatrixConfig.load(path: folder + "/matrix.json")
        #expect(config.peers[0].build == PeerBuildSpec(ref: "HEAD", product: "peer", arguments: ["--schema-version", "3"]))
        config.useBuiltPrograms(["v3@r2": "/cache/peer"])
        #expect(config.peers[0].resolvedArgv == ["/cache/peer", "--schema-version", "3"])
    }

    // MARK: Programs checked before any cell

    @Test("a missing program names the peer and the resolved path")
    func missingProgram() throws {
        let matrix = try TestMatrix(text: #"{"peers": [\#(peer("ok", 1, #"["/bin/sh"]"#)), \#(peer("ghost", 3, #"["bin/peer-ghost"]"#))]}"#)
        let config = try MatrixConfig.load(path: matrix.path)
        expectConfigError(#"\#(matrix.path): peer "ghost": program \#(matrix.folder)/bin/peer-ghost does not exist"#) {
            try config.validatePrograms(for: ["ok", "ghost"])
        }
        // Only the peers that will run are checked.
        try config.validatePrograms(for: ["ok"])
    }

    @Test("a missing program under .build says to build the peers")
    func missingBuiltProgram() throws {
        let matrix = try TestMatrix(text: #"{"peers": [\#(peer("v3", 3, #"[".build/release/peer", "--schema-version", "3"]"#))]}"#)
        let config = try MatrixConfig.load(path: matrix.path)
        expectConfigError(
            #"\#(matrix.path): peer "v3": program \#(matrix.folder)/.build/release/peer does not exist (build the peers first: swift build -c release)"#
        ) {
            try config.validatePrograms(for: ["v3"])
        }
    }

    @Test("a file that is not executable, or a folder, is refused")
    func notExecutable() throws {
        let matrix = try TestMatrix(text: #"{"peers": [\#(peer("plain", 3, #"["./peer.txt"]"#)), \#(peer("dir", 4, #"["./adir"]"#))]}"#)
        try "#!/bin/sh\n".write(toFile: matrix.folder + "/peer.txt", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: matrix.folder + "/peer.txt")
        try FileManager.default.createDirectory(atPath: matrix.folder + "/adir", withIntermediateDirectories: false)
        let config = try MatrixConfig.load(path: matrix.path)
        expectConfigError(#"\#(matrix.path): peer "plain": program \#(matrix.folder)/peer.txt is not executable"#) {
            try config.validatePrograms(for: ["plain"])
        }
        expectConfigError(#"\#(matrix.path): peer "dir": program \#(matrix.folder)/adir is a folder, not a program"#) {
            try config.validatePrograms(for: ["dir"])
        }
        // Made executable, it passes.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: matrix.folder + "/peer.txt")
        try config.validatePrograms(for: ["plain"])
    }

    // MARK: Patterns

    /// The known failures of a file, read through MatrixConfig as `compat` reads them.
    private func knownFailures(_ entries: [(client: String, gateway: String, check: String)]) throws -> [KnownFailure] {
        let list = entries.map { #"{"client": "\#($0.client)", "gateway": "\#($0.gateway)", "check": "\#($0.check)", "reason": "r"}"# }
        let peers = Schema.tgp.versions.map { peer("v\($0)", $0) }.joined(separator: ", ")
        let matrix = try TestMatrix(text: #"{"peers": [\#(peers)], "knownFailures": [\#(list.joined(separator: ", "))]}"#)
        return try MatrixConfig.load(path: matrix.path).knownFailures
    }

    @Test("a known failure by full check name matches that check of that cell only")
    func knownFailureFullName() throws {
        let known = try #require(try knownFailures([("v3", "v5", "client=v3/gateway=v5/NewOrder/c2g/sample")]).first)
        #expect(known.matches("client=v3/gateway=v5/NewOrder/c2g/sample", client: "v3", gateway: "v5"))
        #expect(!known.matches("client=v3/gateway=v5/NewOrder/c2g/sample2", client: "v3", gateway: "v5"))
        #expect(!known.matches("client=v3/gateway=v5/NewOrder/c2g/edge-utf8", client: "v3", gateway: "v5"))
        #expect(!known.matches("client=v4/gateway=v5/NewOrder/c2g/sample", client: "v4", gateway: "v5"))
        #expect(!known.matches("client=v3/gateway=v4/NewOrder/c2g/sample", client: "v3", gateway: "v4"))
    }

    @Test("a known failure by the name after the cell prefix, with a wildcard")
    func knownFailureSuffix() throws {
        let known = try #require(try knownFailures([("v3", "v5", "NewOrder/c2g/*")]).first)
        #expect(known.matches("client=v3/gateway=v5/NewOrder/c2g/sample", client: "v3", gateway: "v5"))
        #expect(known.matches("client=v3/gateway=v5/NewOrder/c2g/edge-wide-quantity", client: "v3", gateway: "v5"))
        #expect(!known.matches("client=v3/gateway=v5/CancelOrder/c2g/sample", client: "v3", gateway: "v5"))
        #expect(!known.matches("client=v3/gateway=v5/session/c2g/before-logon", client: "v3", gateway: "v5"))
        // The same check of another cell is not this entry's.
        #expect(!known.matches("client=v2/gateway=v5/NewOrder/c2g/sample", client: "v2", gateway: "v5"))
        // The suffix stands for the part after the cell's own prefix, not any tail of the name.
        #expect(!known.matches("client=v3/gateway=v5/x/NewOrder/c2g/sample", client: "v3", gateway: "v5"))
    }

    @Test("a known failure for every client of one gateway")
    func knownFailureAnyClient() throws {
        let known = try #require(try knownFailures([("*", "v5", "Heartbeat/*")]).first)
        for client in ["v1", "v3", "v5"] {
            #expect(known.matches("client=\(client)/gateway=v5/Heartbeat/g2c/sample", client: client, gateway: "v5"), "\(client)")
        }
        #expect(!known.matches("client=v3/gateway=v4/Heartbeat/g2c/sample", client: "v3", gateway: "v4"))
        #expect(!known.matches("client=v3/gateway=v5/Logout/g2c/sample", client: "v3", gateway: "v5"))
    }

    @Test("a full-name known failure with `*` roles still belongs to its own cell")
    func knownFailureFullNameAnyRoles() throws {
        let known = try #require(try knownFailures([("*", "*", "client=v3/gateway=v5/NewOrder/c2g/sample")]).first)
        #expect(known.matches("client=v3/gateway=v5/NewOrder/c2g/sample", client: "v3", gateway: "v5"))
        #expect(!known.matches("client=v4/gateway=v5/NewOrder/c2g/sample", client: "v4", gateway: "v5"))
    }

    @Test("Glob: `*` anywhere, over the whole string")
    func glob() {
        let ab = Glob("a*b")
        for text in ["ab", "axb", "a/x/y/b", "abab"] { #expect(ab.matches(text), "a*b ~ \(text)") }
        for text in ["", "a", "b", "ba", "abc", "xab"] { #expect(!ab.matches(text), "a*b !~ \(text)") }

        for text in ["", "x", "client=v3/gateway=v5/NewOrder/c2g/sample"] { #expect(Glob("*").matches(text), "* ~ \(text)") }

        let exact = Glob("NewOrder")
        #expect(exact.matches("NewOrder"))
        for text in ["", "NewOrde", "NewOrders", "xNewOrder", "neworder"] { #expect(!exact.matches(text), "exact !~ \(text)") }
        #expect(Glob("").matches(""))
        #expect(!Glob("").matches("a"))

        // The prefix and the suffix may not share characters.
        #expect(!Glob("a*a").matches("a"))
        #expect(Glob("a*a").matches("aa"))
        #expect(!Glob("ab*ba").matches("aba"))
        #expect(Glob("*b*bc").matches("bbc"))
        #expect(!Glob("*b*bc").matches("bc"))
        #expect(Glob("**").matches(""))
        // A middle part may not reach into the suffix.
        #expect(Glob("a*bc*c").matches("abcc"))
        #expect(!Glob("a*bc*c").matches("abc"))
        #expect(Glob("*/c2g/*").matches("NewOrder/c2g/sample"))
        #expect(!Glob("*/c2g/*").matches("NewOrder/g2c/sample"))
        #expect(Glob("é*ü").matches("éxü"))

        let checks = Glob("client=v3/*/edge-*")
        #expect(checks.matches("client=v3/gateway=v5/NewOrder/c2g/edge-wide-quantity"))
        #expect(checks.matches("client=v3/gateway=v1/Logout/g2c/edge-utf8"))
        #expect(!checks.matches("client=v3/gateway=v5/NewOrder/c2g/sample"))
        #expect(!checks.matches("client=v4/gateway=v5/NewOrder/c2g/edge-wide-quantity"))
        #expect(!checks.matches("client=v3/edge-"))
    }
}
