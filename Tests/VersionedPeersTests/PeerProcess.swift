// Test support: a peer-vN binary as a real child process, driven over its stdin/stdout
// JSON lines (docs/PEER-CONTRACT.md). Every wait has a deadline and fails with the
// events seen so far and the peer's stderr; a peer left running is killed and reaped.
import BuiltBinaries
import Foundation
import MiniJSON
import PeerContract
import TGP
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// How long any single wait on a peer may take before the test fails instead of hanging.
let peerTimeout: Double = 5

// MARK: - Temporary directory for ipc:// endpoints

/// A fresh directory under /tmp, removed on deinit. Short, as ipc paths are limited to ~107 bytes.
final class TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/vpt-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw SpawnError("mkdtemp failed: errno \(errno)") }
        path = String(cString: made)
    }

    func endpoint(_ name: String = "gw.sock") -> String { "ipc://\(path)/\(name)" }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

// MARK: - A child process with pipes

struct SpawnError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// What a child wrote: stdout split into lines, stderr as text; guarded by `condition`.
final class ChildOutput: @unchecked Sendable {
    private let condition = NSCondition()
    private var lines: [String] = []
    private var stderrBytes: [UInt8] = []
    private var stdoutOpen = true
    private var stderrOpen = true

    /// Reads `fd` until end of file on a thread of its own, then closes it.
    func startReading(stdout: Int32, stderr: Int32) {
        let stdoutThread = Thread { [self] in
            var pending: [UInt8] = []
            drain(stdout) { chunk in
                pending.append(contentsOf: chunk)
                var complete: [String] = []
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    complete.append(String(decoding: pending[..<newline], as: UTF8.self))
                    pending.removeSubrange(...newline)
                }
                if !complete.isEmpty { update { lines.append(contentsOf: complete) } }
            }
            update {
                if !pending.isEmpty { lines.append(String(decoding: pending, as: UTF8.self)) }
                stdoutOpen = false
            }
        }
        let stderrThread = Thread { [self] in
            drain(stderr) { chunk in update { stderrBytes.append(contentsOf: chunk) } }
            update { stderrOpen = false }
        }
        stdoutThread.start()
        stderrThread.start()
    }

    private func drain(_ fd: Int32, _ take: ([UInt8]) -> Void) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                take(Array(buffer[0..<count]))
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        close(fd)
    }

    private func update(_ change: () -> Void) {
        condition.lock()
        change()
        condition.broadcast()
        condition.unlock()
    }

    /// The stdout lines from index `start` on; waits until there is at least one, stdout
    /// closes, or the deadline passes.
    func lines(from start: Int, waitingUntil deadline: Date) -> (lines: [String], stdoutOpen: Bool) {
        condition.lock()
        defer { condition.unlock() }
        while lines.count <= start && stdoutOpen && condition.wait(until: deadline) {}
        return (start < lines.count ? Array(lines[start...]) : [], stdoutOpen)
    }

    /// Waits until both stdout and stderr reached end of file; false when the deadline passed first.
    func waitForEndOfOutput(until deadline: Date) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while stdoutOpen || stderrOpen {
            if !condition.wait(until: deadline) { return !(stdoutOpen || stderrOpen) }
        }
        return true
    }

    var allLines: [String] {
        condition.lock()
        defer { condition.unlock() }
        return lines
    }

    var stderr: String {
        condition.lock()
        defer { condition.unlock() }
        return String(decoding: stderrBytes, as: UTF8.self)
    }
}

/// A child started with posix_spawn: stdin, stdout and stderr are pipes (close-on-exec in
/// this process, so one child never holds another's pipe open). Killed and reaped on deinit.
final class ChildProcess {
    let pid: pid_t
    let output = ChildOutput()
    private var stdinFD: Int32
    /// The wait status once reaped.
    private var waitStatus: Int32?

    private static let spawnLock = NSLock()

    private static let ignoreSIGPIPE: Void = {
        // A peer that died must not kill the test run when we write to its stdin.
        signal(SIGPIPE, SIG_IGN)
    }()

    init(_ arguments: [String]) throws {
        _ = Self.ignoreSIGPIPE
        // Pipes are made and marked close-on-exec under one lock with the spawn, so a child
        // started by another test at the same moment never inherits them.
        Self.spawnLock.lock()
        defer { Self.spawnLock.unlock() }
        var input: [Int32] = [-1, -1], out: [Int32] = [-1, -1], err: [Int32] = [-1, -1]
        guard pipe(&input) == 0, pipe(&out) == 0, pipe(&err) == 0 else {
            throw SpawnError("pipe failed: errno \(errno)")
        }
        for fd in input + out + err { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)

        // The child starts with default signal handling and nothing blocked, whatever the test runner set.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, environ)
        close(input[0])
        close(out[1])
        close(err[1])
        guard rc == 0 else {
            [input[1], out[0], err[0]].forEach { close($0) }
            throw SpawnError("cannot start \(arguments[0]): \(String(cString: strerror(rc)))")
        }
        self.pid = pid
        self.stdinFD = input[1]
        output.startReading(stdout: out[0], stderr: err[0])
    }

    deinit {
        kill()
    }

    /// Writes all of `bytes` to the child's stdin.
    func write(_ bytes: [UInt8]) throws {
        guard stdinFD >= 0 else { throw SpawnError("stdin is already closed") }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(stdinFD, $0.baseAddress, $0.count) }
            if written > 0 {
                offset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                throw SpawnError("writing to the child's stdin failed: \(String(cString: strerror(errno)))")
            }
        }
    }

    func closeStdin() {
        if stdinFD >= 0 { close(stdinFD) }
        stdinFD = -1
    }

    /// Waits for the child to exit: its exit status (128 + signal when killed), nil if it is still running at the deadline.
    func waitForExit(timeout: Double = peerTimeout) -> Int32? {
        let deadline = Date(timeIntervalSinceNow: timeout)
        // The pipes reach end of file when the child is gone; then waitpid returns at once.
        _ = output.waitForEndOfOutput(until: deadline)
        while waitStatus == nil {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                waitStatus = status
            } else if result < 0 && errno != EINTR {
                waitStatus = -1
            } else if Date() >= deadline {
                return nil
            } else {
                usleep(1000)
            }
        }
        return exitStatus
    }

    var exitStatus: Int32? {
        guard let status = waitStatus else { return nil }
        if status < 0 { return -1 }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }

    /// Kills the child if it is still running and reaps it.
    func kill() {
        closeStdin()
        guard waitStatus == nil else { return }
        _ = Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        waitStatus = status
    }

    /// Runs `arguments` with an empty stdin to completion: exit status, stdout and stderr.
    static func run(_ arguments: [String], timeout: Double = peerTimeout) throws -> (status: Int32?, stdout: String, stderr: String) {
        let child = try ChildProcess(arguments)
        child.closeStdin()
        let status = child.waitForExit(timeout: timeout)
        _ = child.output.waitForEndOfOutput(until: Date(timeIntervalSinceNow: 1))
        return (status, child.output.allLines.joined(separator: "\n"), child.output.stderr)
    }
}

// MARK: - A peer

/// A wait that ran out of time, with everything the peer said so far.
struct PeerTimeout: Error, CustomStringConvertible {
    let description: String
}

/// One `peer-vN --role …` process. Commands get consecutive integer ids; events are kept in
/// order, and each wait takes the first event not taken yet that matches.
final class PeerProcess {
    let version: Int
    let role: Role
    let label: String
    let child: ChildProcess
    /// Every event so far, in order.
    private(set) var seen: [Event] = []
    private var taken: [Bool] = []
    private var linesParsed = 0
    private var stdoutOpen = true
    private var nextId = 1

    /// `arguments` follow `--role` (a `--fault NAME`, say).
    init(version: Int, role: Role, arguments: [String] = []) throws {
        self.version = version
        self.role = role
        self.label = "peer-v\(version) \(role.rawValue)" + arguments.map { " " + $0 }.joined()
        self.child = try ChildProcess([Built.peer(version), "--role", role.rawValue] + arguments)
    }

    // MARK: Commands

    /// Writes one raw line (a newline is added).
    func write(line: String) throws {
        try child.write(Array(line.utf8) + [UInt8(ascii: "\n")])
    }

    /// Sends a command without waiting; returns its id.
    @discardableResult
    func send(_ kind: Command.Kind) throws -> JSON {
        let id = JSON.integer(nextId)
        nextId += 1
        try write(line: Command(id: id, kind).json.serialized)
        return id
    }

    /// Sends a command and waits for its reply.
    @discardableResult
    func request(_ kind: Command.Kind, timeout: Double = peerTimeout) throws -> Event {
        try reply(to: try send(kind), timeout: timeout)
    }

    /// `send` of a message in the contract's JSON; the reply (`sent` or `send_refused`).
    @discardableResult
    func send(message: JSON, session: String? = nil) throws -> Event {
        try request(.send(message: message, session: session))
    }

    /// Waits for the reply to the command with `id`.
    func reply(to id: JSON, timeout: Double = peerTimeout) throws -> Event {
        try take("the reply to command \(id.serialized)", timeout: timeout) { $0.id == id }
    }

    /// Waits for the first unsolicited event (no id) not taken yet that matches.
    func next(_ what: String, timeout: Double = peerTimeout, where match: (Event) -> Bool) throws -> Event {
        try take(what, timeout: timeout) { $0.id == nil && match($0) }
    }

    /// Waits for the next `received` of a frame with exactly these bytes.
    func nextReceived(bytes: [UInt8], timeout: Double = peerTimeout) throws -> Event {
        try next("a received of \(bytes.hexString)", timeout: timeout) { $0.received?.bytes == bytes }
    }

    /// Waits for the next `received` of a message of this type.
    func nextReceived(_ type: String, timeout: Double = peerTimeout) throws -> Event {
        try next("a received \(type)", timeout: timeout) { $0.received?.type == type }
    }

    /// Waits for the next `session` event in this state.
    func nextSession(_ state: String, timeout: Double = peerTimeout) throws -> Event {
        try next("a session \(state) event", timeout: timeout) { $0.session?.state == state }
    }

    /// Waits for the next `rejected_inbound`.
    func nextRejectedInbound(timeout: Double = peerTimeout) throws -> Event {
        try next("a rejected_inbound", timeout: timeout) { $0.rejectedInbound != nil }
    }

    /// Every event so far (without waiting) that matches.
    func events(where match: (Event) -> Bool) -> [Event] {
        parseNewLines(waitingUntil: nil)
        return seen.filter(match)
    }

    /// How many events so far (without waiting) match.
    func count(where match: (Event) -> Bool) -> Int {
        events(where: match).count
    }

    /// Waits for the first event not taken yet (solicited or not) that matches, and takes it.
    func take(_ what: String, timeout: Double = peerTimeout, where match: (Event) -> Bool) throws -> Event {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while true {
            if let index = seen.indices.first(where: { !taken[$0] && match(seen[$0]) }) {
                taken[index] = true
                return seen[index]
            }
            guard stdoutOpen, Date() < deadline else {
                let why = stdoutOpen ? "timed out after \(timeout) s" : "stdout closed (exit status \(child.waitForExit(timeout: 1).map(String.init) ?? "?"))"
                throw PeerTimeout(description: "\(label): \(why) waiting for \(what)\n\(transcript)")
            }
            parseNewLines(waitingUntil: deadline)
        }
    }

    private func parseNewLines(waitingUntil deadline: Date?) {
        let (lines, open) = child.output.lines(from: linesParsed, waitingUntil: deadline ?? Date.distantPast)
        stdoutOpen = open
        linesParsed += lines.count
        for line in lines {
            do {
                seen.append(try Event(json: try JSON.parse(line)))
                taken.append(false)
            } catch {
                Issue.record("\(label) wrote a line that is not a contract event (\(error)): \(line.prefix(300))")
            }
        }
    }

    // MARK: Ending

    func closeStdin() { child.closeStdin() }

    /// `shutdown`: expects `bye`, then exit status 0.
    func shutdown(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let reply = try request(.shutdown)
        #expect(reply.kind == .bye, "\(label): shutdown answered \(reply.json.serialized)", sourceLocation: sourceLocation)
        let status = child.waitForExit()
        #expect(status == 0, "\(label): exit status after shutdown \(status.map(String.init) ?? "none: still running")\n\(transcript)",
                sourceLocation: sourceLocation)
    }

    /// Every stdout line and the stderr text, for failure messages.
    var transcript: String {
        let lines = child.output.allLines
        let shown = lines.suffix(60).map { "  " + String($0.prefix(400)) }
        return "events (\(lines.count)\(lines.count > 60 ? ", last 60" : "")):\n" + shown.joined(separator: "\n")
            + "\nstderr:\n" + child.output.stderr
    }
}

// MARK: - Reading events

extension Event {
    var received: (type: String, fields: JSON, version: Int, bytes: [UInt8])? {
        guard case .received(let message, let version, let bytes) = kind else { return nil }
        return (message["type"]?.stringValue ?? "", message["fields"] ?? .null, version, bytes)
    }

    var sentBytes: [UInt8]? {
        if case .sent(let bytes) = kind { bytes } else { nil }
    }

    var refusal: (reason: String, detail: String)? {
        if case .sendRefused(let reason, let detail) = kind { (reason, detail) } else { nil }
    }

    var session: (state: String, version: Int, sessionId: String?)? {
        if case .session(let state, let version, let sessionId) = kind { (state, version, sessionId) } else { nil }
    }

    var rejectedInbound: (code: String, refTemplateId: Int, bytes: [UInt8])? {
        if case .rejectedInbound(let code, let refTemplateId, let bytes, _) = kind { (code, refTemplateId, bytes) } else { nil }
    }

    var logonAck: (version: Int, sessionId: String)? {
        if case .logonAck(let version, let sessionId) = kind { (version, sessionId) } else { nil }
    }

    var errorMessage: String? {
        if case .error(let message) = kind { message } else { nil }
    }

    /// The event as its JSON line, for messages.
    var line: String { json.serialized }
}

// MARK: - A gateway and clients on a private endpoint

/// A listening gateway of `version` on an ipc endpoint in a fresh temporary directory.
struct Exchange {
    let directory: TemporaryDirectory
    let endpoint: String
    let gateway: PeerProcess

    init(gateway version: Int, auto: Bool = true, arguments: [String] = []) throws {
        directory = try TemporaryDirectory()
        gateway = try PeerProcess(version: version, role: .gateway, arguments: arguments)
        let listening = try gateway.request(.listen(endpoint: directory.endpoint()))
        guard case .listening(let bound) = listening.kind else {
            throw PeerTimeout(description: "listen answered \(listening.line)\n\(gateway.transcript)")
        }
        endpoint = bound
        if !auto {
            let reply = try gateway.request(.mode(auto: false))
            guard reply.kind == .ok else { throw PeerTimeout(description: "mode answered \(reply.line)") }
        }
    }

    /// A client of `version`, connected (not logged on).
    func connectClient(_ version: Int, arguments: [String] = []) throws -> PeerProcess {
        let client = try PeerProcess(version: version, role: .client, arguments: arguments)
        let reply = try client.request(.connect(endpoint: endpoint))
        guard reply.kind == .connected else { throw PeerTimeout(description: "connect answered \(reply.line)\n\(client.transcript)") }
        return client
    }
}
