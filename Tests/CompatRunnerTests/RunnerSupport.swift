// Shared by the runner's tests: matrix files written for a test (the built binaries and the
// fixtures are found by `Built`, in Tests/Shared/BuiltBinaries).

import BuiltBinaries
import CompatRunner
import Foundation
import MiniJSON
import TGP

/// An argv as a matrix file writes it: a JSON array of strings.
func argvJSON(_ argv: [String]) -> String { JSON.array(argv.map(JSON.string)).serialized }

/// The names of the test matrix's peers, one per version of the schema: "v1, v2, v3, v4, v5".
let versionNames = Schema.tgp.versions.map { "v\($0)" }.joined(separator: ", ")

/// A matrix file in its own temporary folder, removed when the value goes away.
final class TestMatrix {
    let folder: String
    var path: String { folder + "/matrix.json" }

    /// The reference peer of each version of the schema (`v1` … `v5`), each with `extraArguments[version]` appended.
    convenience init(extraArguments: [Int: [String]] = [:], extra: JSONObject = JSONObject(), commandSeconds: Double = 5) throws {
        let peers: [JSON] = Schema.tgp.versions.map { version in
            .object([
                "name": .string("v\(version)"), "version": .integer(version),
                "argv": .array((Built.peer(version) + (extraArguments[version] ?? [])).map(JSON.string)),
            ])
        }
        var root: JSONObject = [
            "peers": .array(peers), "timeouts": .object(["pairSeconds": 120, "commandSeconds": .double(commandSeconds)]),
        ]
        for (key, value) in extra { root[key] = value }
        try self.init(json: .object(root))
    }

    init(json: JSON) throws {
        var template = Array("/tmp/compat-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        folder = String(cString: made)
        try json.serialized(pretty: true).write(toFile: folder + "/matrix.json", atomically: true, encoding: .utf8)
    }

    /// Raw text, for files that are wrong on purpose.
    init(text: String) throws {
        var template = Array("/tmp/compat-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        folder = String(cString: made)
        try text.write(toFile: folder + "/matrix.json", atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    func load() throws -> (MatrixConfig, SampleBook) {
        (try MatrixConfig.load(path: path), try SampleBook.load(path: Built.fixtures + "/samples.json"))
    }

    /// Every cell of the matrix, in grid order.
    func runAll(jobs: Int = 2) throws -> MatrixResult {
        let (config, samples) = try load()
        let cells = config.clients.flatMap { client in config.gateways.map { (client: client, gateway: $0) } }
        // Cells keep their folders when they fail: inside this matrix's folder, they go with it.
        return MatrixRunner(config: config, samples: samples).run(cells: cells, options: RunOptions(jobs: jobs, temporaryRoot: folder))
    }
}

/// Runs the built `compat` with arguments; returns its exit status and output.
func runCompat(_ arguments: [String], in directory: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
    let run = try runCompat(arguments, in: directory, environment: [:])
    return (run.status, run.stdout, run.stderr)
}

/// `runCompat`, with changes to the child's environment (a nil value removes the variable) and a
/// time limit: past `timeout` the command is killed and `timedOut` is true. It runs through the
/// runner's own spawner, which reads its stdout and stderr as they come.
func runCompat(
    _ arguments: [String], in directory: String? = nil, environment changes: [String: String?],
    timeout: Duration = .seconds(600)
) throws -> (status: Int32, stdout: String, stderr: String, timedOut: Bool) {
    var environment = ProcessInfo.processInfo.environment
    for (name, value) in changes { environment[name] = value }
    let run = try PeerProcess.run([Built.compat] + arguments, environment: environment, workingDirectory: directory, timeout: timeout)
    return (run.termination.shellStatus, run.stdoutText, run.stderr, run.termination == .killedAfterTimeout)
}

/// The misbehaving test peers in Tests/CompatRunnerTests/Peers (POSIX sh, version 3: each
/// answers `hello`, then crashes, hangs, exits, writes non-JSON or floods; see common.sh there).
enum TestPeers {
    static let directory = Built.repositoryRoot + "/Tests/CompatRunnerTests/Peers"

    /// The script of the peer `name` (`segv`, `abort`, `hang`, `exits`, `exit3`, `nonjson`, `flood`, `longline`;
    /// `reports`, a gateway that reports an endpoint of the test's choosing; `badcontract`, a hello whose contract is no integer).
    static func script(_ name: String) -> String { directory + "/\(name).sh" }

    /// A matrix.json peer entry for it, version 3; `pids` is a file where it notes its pids.
    static func entry(_ name: String, pids: String) -> JSON {
        .object(["name": .string(name), "version": 3, "argv": .array([.string(script(name)), "--pids", .string(pids)])])
    }
}
