// Test support: the peer of version N (`peer --schema-version N`) as a real child process, driven over its stdin/stdout
// JSON lines (docs/PEER-CONTRACT.md) through the runner's own spawner (CompatRunner's
// PeerProcess). Every wait has a deadline and fails with the events seen so far and the
// peer's stderr; a peer left running is killed and reaped.
import BuiltBinaries
import CompatRunner
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
        guard let made = mkdtemp(&template) else { throw PeerTimeout(description: "mkdtemp failed: errno \(errno)") }
        path = String(cString: made)
    }

    func endpoint(_ name: String = "gw.sock") -> String { "ipc://\(path)/\(name)" }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

// MARK: - A program run to its end

/// `arguments` run with stdin closed until they end: the exit status (128 + a signal; nil when
/// it had to be killed after `peerTimeout`), stdout and stderr.
func runToEnd(_ arguments: [String]) throws -> (status: Int32?, stdout: String, stderr: String) {
    let run = try CompatRunner.PeerProcess.run(arguments, timeout: .seconds(peerTimeout))
    return (exitStatus(run.termination), run.stdoutText, run.stderr)
}

/// As a shell shows it (the exit code, or 128 + the signal); nil when it was killed for taking too long.
private func exitStatus(_ termination: Termination) -> Int32? {
    termination == .killedAfterTimeout ? nil : termination.shellStatus
}

// MARK: - A peer

/// A wait that ran out of time, with everything the peer said so far.
struct PeerTimeout: Error, CustomStringConvertible {
    let description: String
}

/// One `peer --schema-version N --role …` (or `sbe-peer --schema FILE --version N --role …`)
/// process. Commands get consecutive integer ids; events are kept in
/// order, and each wait takes the first event not taken yet that matches.
final class PeerProcess {
    let version: Int
    let role: Role
    let label: String
    let child: CompatRunner.PeerProcess
    /// Every event so far, in order.
    private(set) var seen: [Event] = []
    private var taken: [Bool] = []
    /// Every stdout line so far, for failure messages.
    private var lines: [String] = []
    private var stdoutOpen = true
    private var nextId = 1

    /// `arguments` follow `--role` (a `--fault NAME`, say).
    convenience init(version: Int, role: Role, arguments: [String] = []) throws {
        try self.init(argv: Built.peer(version), version: version, role: role, name: "peer-v\(version)", arguments: arguments)
    }

    /// The program of `argv` (a matrix entry's, before `--role`), playing `version`; `name` starts its label.
    init(argv: [String], version: Int, role: Role, name: String, arguments: [String] = []) throws {
        self.version = version
        self.role = role
        self.label = "\(name) \(role.rawValue)" + arguments.map { " " + $0 }.joined()
        self.child = try CompatRunner.PeerProcess(argv: argv + ["--role", role.rawValue] + arguments, stderrPath: nil)
    }

    // MARK: Commands

    /// Writes one raw line (a newline is added).
    func write(line: String) throws {
        try child.send(line: line, deadline: .now + .seconds(peerTimeout))
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
        readLines(waitingUntil: nil)
        return seen.filter(match)
    }

    /// How many events so far (without waiting) match.
    func count(where match: (Event) -> Bool) -> Int {
        events(where: match).count
    }

    /// Waits, as the peer's lines arrive, until `count` events match, as long as they keep coming:
    /// false once `stalled` seconds pass without a new match (or stdout closes first).
    func awaitCount(_ count: Int, stalled: Double, where match: (Event) -> Bool) -> Bool {
        readLines(waitingUntil: nil)
        var matched = seen.count(where: match)
        var deadline = ContinuousClock.now + .seconds(stalled)
        while matched < count {
            guard stdoutOpen, ContinuousClock.now < deadline else { return false }
            let scanned = seen.count
            readLines(waitingUntil: deadline)
            let new = seen[scanned...].count(where: match)
            if new > 0 {
                matched += new
                deadline = .now + .seconds(stalled)
            }
        }
        return true
    }

    /// Waits for the first event not taken yet (solicited or not) that matches, and takes it.
    func take(_ what: String, timeout: Double = peerTimeout, where match: (Event) -> Bool) throws -> Event {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while true {
            if let index = seen.indices.first(where: { !taken[$0] && match(seen[$0]) }) {
                taken[index] = true
                return seen[index]
            }
            guard stdoutOpen, ContinuousClock.now < deadline else {
                let why =
                    stdoutOpen
                    ? "timed out after \(timeout) s" : "stdout closed (exit status \(waitForExit(timeout: 1).map(String.init) ?? "?"))"
                throw PeerTimeout(description: "\(label): \(why) waiting for \(what)\n\(transcript)")
            }
            readLines(waitingUntil: deadline)
        }
    }

    /// Reads the lines there are; with a deadline, waits until there is one (or the deadline).
    private func readLines(waitingUntil deadline: ContinuousClock.Instant?) {
        guard stdoutOpen else { return }
        do {
            if let deadline { parse([try child.readLine(deadline: deadline)]) }
            parse(try child.availableLines())
        } catch .timeout {
        } catch .closed {
            stdoutOpen = false
        } catch {
            Issue.record("\(label): \(error)")
            stdoutOpen = false
        }
    }

    private func parse(_ new: [String]) {
        lines += new
        for line in new {
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

    /// Closes stdin and waits for the peer to exit: its exit status (128 + signal), nil if it
    /// still ran after `timeout` (it is then killed). The lines it wrote meanwhile are kept.
    func waitForExit(timeout: Double = peerTimeout) -> Int32? {
        let status = exitStatus(child.finish(grace: .seconds(timeout)))
        readLines(waitingUntil: nil)
        return status
    }

    /// `shutdown`: expects `bye`, then exit status 0.
    func shutdown(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let reply = try request(.shutdown)
        #expect(reply.kind == .bye, "\(label): shutdown answered \(reply.json.serialized)", sourceLocation: sourceLocation)
        let status = waitForExit()
        #expect(
            status == 0, "\(label): exit status after shutdown \(status.map(String.init) ?? "none: still running")\n\(transcript)",
            sourceLocation: sourceLocation)
    }

    /// Every stdout line and the stderr text, for failure messages.
    var transcript: String {
        let shown = lines.suffix(60).map { "  " + String($0.prefix(400)) }
        return "events (\(lines.count)\(lines.count > 60 ? ", last 60" : "")):\n" + shown.joined(separator: "\n")
            + "\nstderr:\n" + child.stderrText
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
