// The two running peers of one cell, driven in lockstep: a command goes to one peer, and
// the runner reads both peers' events until its answer arrives. Events nobody asked for
// wait in each peer's inbox until a check looks for them.

import Foundation
import MiniJSON
import PeerContract
import TGP

/// Why a check stopped early. All but `missing` end the cell: a peer died, stopped answering
/// its commands, or broke the contract.
enum CellAbort: Error {
    case crashed(role: Role, termination: Termination)
    case timeout(role: Role, waitingFor: String)
    case contractViolation(role: Role, String)
    /// An event that `sender`'s frame should have caused on `role` never came, while both
    /// peers still answer their commands: that check fails, the cell goes on.
    case missing(role: Role, sender: Role, what: String)

    /// A sentence naming the peer by role and name.
    func describe(peerName: (Role) -> String) -> String {
        switch self {
        case .crashed(let role, let termination):
            "the \(role.rawValue) \(peerName(role)) \(termination.isCleanExit ? "exited early" : "died") (\(termination))"
        case .timeout(let role, let what):
            "the \(role.rawValue) \(peerName(role)) gave no answer in time: waiting for \(what)"
        case .contractViolation(_, let message):
            message
        case .missing(let role, let sender, let what):
            "\(what) never came: the \(sender.rawValue) \(peerName(sender)) did not send it, or the \(role.rawValue) \(peerName(role)) did not report it; both still answer their commands"
        }
    }
}

/// One peer process of a cell and what it has said.
final class PeerHandle {
    let spec: PeerSpec
    let role: Role
    let process: PeerProcess
    /// Unsolicited events (and late answers) not yet looked at, oldest first.
    var inbox: [Event] = []
    private var nextId = 1
    /// Set once it was told to shut down: its stdout closing is then expected.
    var expectsExit = false
    /// Its stdout has closed after a shutdown.
    var finished = false
    /// Every line it wrote, for the kept folder (the first `transcriptLimit` of them).
    private(set) var transcript: [String] = []
    private var transcriptDropped = 0

    /// A peer that writes more events than this nobody has asked for is flooding, not talking.
    static let inboxLimit = 10_000
    /// Enough for any honest cell; a flooding peer must not grow the runner without bound.
    static let transcriptLimit = 50_000

    init(spec: PeerSpec, role: Role, stderrPath: String) throws(SpawnError) {
        self.spec = spec
        self.role = role
        self.process = try PeerProcess(argv: spec.resolvedArgv, arguments: ["--role", role.rawValue], stderrPath: stderrPath)
    }

    func takeId() -> Int {
        defer { nextId += 1 }
        return nextId
    }

    func record(_ line: String, outbound: Bool) {
        guard transcript.count < Self.transcriptLimit else {
            transcriptDropped += 1
            return
        }
        transcript.append((outbound ? "> " : "< ") + line)
    }

    /// The transcript as kept in a failing cell's folder.
    var transcriptText: String {
        var text = transcript.joined(separator: "\n")
        if transcriptDropped > 0 { text += "\n… \(transcriptDropped) more lines not kept" }
        return text
    }
}

final class CellSession {
    let client: PeerHandle
    let gateway: PeerHandle
    let commandTimeout: Duration
    /// The whole cell must end by then.
    let cellDeadline: ContinuousClock.Instant
    /// The cell's private folder: the only place an ipc endpoint may be.
    let folder: String

    init(client: PeerHandle, gateway: PeerHandle, commandTimeout: Duration, cellDeadline: ContinuousClock.Instant, folder: String) {
        self.client = client
        self.gateway = gateway
        self.commandTimeout = commandTimeout
        self.cellDeadline = cellDeadline
        self.folder = folder
    }

    func peer(_ role: Role) -> PeerHandle { role == .client ? client : gateway }

    private func deadline() -> ContinuousClock.Instant { min(.now + commandTimeout, cellDeadline) }

    /// Sends a command and returns its answer (the event with its id).
    @discardableResult
    func request(_ role: Role, _ kind: Command.Kind) throws(CellAbort) -> Event {
        let ids = try issue(role, [kind])
        return try answer(role, id: ids[0], to: Command(id: ids[0], kind).name)
    }

    /// Writes commands to one peer in one write, without waiting for their answers (`answer`).
    func issue(_ role: Role, _ kinds: [Command.Kind]) throws(CellAbort) -> [JSON] {
        let peer = peer(role)
        let commands = kinds.map { Command(id: .integer(peer.takeId()), $0) }
        let lines = commands.map(\.json.serialized)
        for (command, line) in zip(commands, lines) {
            peer.record(line, outbound: true)
            if case .shutdown = command.kind { peer.expectsExit = true }
        }
        do {
            try peer.process.send(lines: lines, deadline: deadline())
        } catch {
            throw gone(peer, waitingFor: commands[0].name, error)
        }
        return commands.map(\.id)
    }

    /// The answer to a command already issued: the event with its id.
    func answer(_ role: Role, id: JSON, to name: String) throws(CellAbort) -> Event {
        // An `error` answer is not an abort: the check that asked decides what it means.
        try waitFor(role, what: "the answer to \(name)") { $0.id == id }
    }

    /// The first event from `role` matching `predicate`, from its inbox or as it arrives.
    func waitFor(_ role: Role, what: String, _ predicate: (Event) -> Bool) throws(CellAbort) -> Event {
        let peer = peer(role)
        if let index = peer.inbox.firstIndex(where: predicate) { return peer.inbox.remove(at: index) }
        let until = deadline()
        while true {
            try readAvailable(until: until, waitingFor: what, on: role)
            if let index = peer.inbox.firstIndex(where: predicate) { return peer.inbox.remove(at: index) }
            // A peer that keeps writing other events must not keep the cell past its deadline.
            if ContinuousClock.now >= until { throw .timeout(role: role, waitingFor: what) }
        }
    }

    /// The next inbound-frame event (`received` or `rejected_inbound`) of `role`, caused by a frame
    /// the other peer sent: `frame` when it is known, so an event left over from an earlier frame is passed by.
    func awaitInbound(_ role: Role, what: String, frame: [UInt8]? = nil) throws(CellAbort) -> Event {
        try awaitUnsolicited(role, causedBy: role == .client ? .gateway : .client, what: what) {
            switch $0.kind {
            case .received(_, _, let bytes), .rejectedInbound(_, _, let bytes, _): $0.id == nil && (frame == nil || frame == bytes)
            default: false
            }
        }
    }

    /// An event no command asked for. When it does not come in time, the peers are asked for a
    /// `hello`: one that does not answer is the one that stopped (TIMEOUT, named); if both answer,
    /// the event is `missing` and only the check waiting for it fails.
    func awaitUnsolicited(_ role: Role, causedBy sender: Role, what: String, _ predicate: (Event) -> Bool) throws(CellAbort) -> Event {
        do {
            return try waitFor(role, what: what, predicate)
        } catch .timeout(let waitedOn, _) where waitedOn == role && ContinuousClock.now < cellDeadline {
            for peer in [sender, role] { try request(peer, .hello) }
            throw .missing(role: role, sender: sender, what: what)
        }
    }

    /// Whether the client has connected to the gateway.
    private(set) var connected = false

    /// The gateway listens on `endpoint` and the client connects to what it reports.
    func connectPeers(endpoint: String, allowRemote: Bool) throws(CellAbort) {
        let listening = try request(.gateway, .listen(endpoint: endpoint))
        guard case .listening(let bound) = listening.kind else {
            throw .contractViolation(role: .gateway, "listen on \(endpoint) was answered with \(listening.json.serialized)")
        }
        // Safe by default: the client is only sent to its cell's folder or to loopback, whatever the gateway says.
        do {
            _ = try Endpoint.reported(bound, cellFolder: folder, allowRemote: allowRemote)
        } catch {
            let shown = bound.count > 200 ? bound.prefix(200) + "…" : bound
            throw .contractViolation(role: .gateway, "the gateway \(gateway.spec.name) reported \(shown), refused: \(error)")
        }
        let connected = try request(.client, .connect(endpoint: bound))
        guard case .connected = connected.kind else {
            throw .contractViolation(role: .client, "connect to \(bound) was answered with \(connected.json.serialized)")
        }
        self.connected = true
    }

    /// Takes every event of `role` waiting in its inbox that matches, oldest first.
    func takeEvents(_ role: Role, where predicate: (Event) -> Bool) -> [Event] {
        let peer = peer(role)
        let taken = peer.inbox.filter(predicate)
        peer.inbox.removeAll(where: predicate)
        return taken
    }

    /// Forgets unsolicited events left over from earlier checks.
    func clearInboxes() {
        client.inbox.removeAll()
        gateway.inbox.removeAll()
    }

    /// Reads whatever lines are ready on either peer, waiting until one has something.
    private func readAvailable(until: ContinuousClock.Instant, waitingFor what: String, on role: Role) throws(CellAbort) {
        let awaited = peer(role)
        if awaited.finished { throw .contractViolation(role: role, "the \(role.rawValue) \(awaited.spec.name) has exited; \(what) cannot come") }
        let live = [client, gateway].filter { !$0.finished }
        let ready = waitForAnyLine(live.map(\.process), deadline: until)
        if ready.isEmpty {
            // Nothing before the deadline: a dead peer explains it better than a timeout.
            for handle in live {
                if let termination = handle.process.pollExit() { throw .crashed(role: handle.role, termination: termination) }
            }
            throw .timeout(role: role, waitingFor: what)
        }
        for index in ready {
            let handle = live[index]
            let lines: [String]
            do {
                lines = try handle.process.availableLines()
            } catch .closed where handle.expectsExit {
                handle.finished = true
                continue
            } catch {
                throw gone(handle, waitingFor: what, error)
            }
            for line in lines {
                handle.record(line, outbound: false)
                do {
                    handle.inbox.append(try Event(json: try JSON.parse(line)))
                } catch {
                    throw .contractViolation(role: handle.role, "\(handle.role.rawValue) \(handle.spec.name) wrote a line that is not a contract event (\(error)): \(line.prefix(200))")
                }
                if handle.inbox.count > PeerHandle.inboxLimit {
                    throw .contractViolation(role: handle.role, "\(handle.role.rawValue) \(handle.spec.name) floods its stdout: more than \(PeerHandle.inboxLimit) events nobody asked for (the last: \(line.prefix(200)))")
                }
            }
        }
    }

    /// A peer whose pipe broke: report how it ended.
    private func gone(_ peer: PeerHandle, waitingFor what: String, _ error: PeerIOError) -> CellAbort {
        switch error {
        case .timeout:
            return .timeout(role: peer.role, waitingFor: what)
        case .lineTooLong(let length):
            return .contractViolation(role: peer.role, "\(peer.role.rawValue) \(peer.spec.name) wrote a line of \(length) bytes without a newline")
        case .closed, .io:
            // Give a dying process a moment to be reaped so its signal is reported.
            for _ in 0..<50 {
                if let termination = peer.process.pollExit() { return .crashed(role: peer.role, termination: termination) }
                usleep(2000)
            }
            return .contractViolation(role: peer.role, "\(peer.role.rawValue) \(peer.spec.name) closed its stdout while \(what) was awaited (\(error))")
        }
    }
}
