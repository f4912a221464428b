// Shared by the runner's tests: matrix files written for a test (the built binaries and the
// fixtures are found by `Built`, in Tests/Shared/BuiltBinaries).

import BuiltBinaries
import CompatRunner
import Foundation
import MiniJSON

/// A matrix file in its own temporary folder, removed when the value goes away.
final class TestMatrix {
    let folder: String
    var path: String { folder + "/matrix.json" }

    /// The five reference peers (`v1` … `v5`), each with `extraArguments[version]` appended.
    convenience init(extraArguments: [Int: [String]] = [:], extra: JSONObject = JSONObject(), commandSeconds: Double = 5) throws {
        let peers: [JSON] = (1...5).map { version in
            .object(["name": .string("v\(version)"), "version": .integer(version),
                     "argv": .array(([Built.peer(version)] + (extraArguments[version] ?? [])).map(JSON.string))])
        }
        var root: JSONObject = ["peers": .array(peers), "timeouts": .object(["pairSeconds": 120, "commandSeconds": .double(commandSeconds)])]
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
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Built.compat)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}

/// `runCompat`, with changes to the child's environment (a nil value removes the variable) and a
/// time limit: past `timeout` the command is killed and `timedOut` is true. stdout and stderr are
/// read at the same time, so neither pipe can fill up and stall the command.
func runCompat(_ arguments: [String], in directory: String? = nil, environment changes: [String: String?],
               timeout: Duration = .seconds(600)) throws -> (status: Int32, stdout: String, stderr: String, timedOut: Bool) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Built.compat)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    var environment = ProcessInfo.processInfo.environment
    for (name, value) in changes { environment[name] = value }
    process.environment = environment
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()

    final class Box: @unchecked Sendable { var data = Data() }
    let stderrBox = Box()
    let readers = DispatchGroup()
    readers.enter()
    Thread.detachNewThread {
        stderrBox.data = err.fileHandleForReading.readDataToEndOfFile()
        readers.leave()
    }
    // The watchdog kills the command if it outlives the limit; `exited` tells it not to.
    let exited = DispatchSemaphore(value: 0)
    final class Flag: @unchecked Sendable { var value = false }
    let timedOut = Flag()
    let pid = process.processIdentifier
    let watchdog = Thread {
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        if exited.wait(timeout: .now() + seconds) == .timedOut {
            timedOut.value = true
            kill(pid, SIGKILL)
        }
    }
    watchdog.start()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    readers.wait()
    process.waitUntilExit()
    exited.signal()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderrBox.data, as: UTF8.self), timedOut.value)
}

/// The misbehaving test peers in Tests/CompatRunnerTests/Peers (POSIX sh, version 3: each
/// answers `hello`, then crashes, hangs, exits, writes non-JSON or floods; see common.sh there).
enum TestPeers {
    static let directory = Built.repositoryRoot + "/Tests/CompatRunnerTests/Peers"

    /// The script of the peer `name` (`segv`, `abort`, `hang`, `exits`, `exit3`, `nonjson`, `flood`, `longline`;
    /// `reports`, a gateway that reports an endpoint of the test's choosing).
    static func script(_ name: String) -> String { directory + "/\(name).sh" }

    /// A matrix.json peer entry for it, version 3; `pids` is a file where it notes its pids.
    static func entry(_ name: String, pids: String) -> JSON {
        .object(["name": .string(name), "version": 3, "argv": .array([.string(script(name)), "--pids", .string(pids)])])
    }
}
