// Running peers driven in lockstep: a command goes to one peer, and the runner reads every
// peer's events until its answer arrives. Events nobody asked for wait in each peer's inbox
// until a check looks for them. A cell is a group of two (CellSession); a fleet, a gateway
// and many clients.

import Foundation
import MiniJSON
import PeerContract
import TGP

/// A peer as reports and aborts name it: `the client v3#2`.
struct PeerLabel: Sendable, Hashable, CustomStringConvertible {
    let role: Role
    let name: String

    var description: String { "the \(role.rawValue) \(name)" }
}

/// Why a check stopped early. All but `missing` end the cell: a peer died, stopped answering
/// its commands, or broke the contract.
enum CellAbort: Error {
    case crashed(PeerLabel, termination: Termination)
    case timeout(PeerLabel, waitingFor: String)
    case contractViolation(PeerLabel, String)
    /// An event `peer` was waiting for never came within `waited`, while every peer asked still
    /// answers its commands: `owedBy` owed it (the sender of an answer, or the peer that should have
    /// reported a frame on the wire). That check fails, the cell goes on. `afterPattern`: `owedBy`
    /// had not sent that kind before in this run, so the wait was short.
    case missing(PeerLabel, owedBy: PeerLabel, what: String, waited: Duration, afterPattern: Bool)
    /// The run's whole time (the matrix's pairSeconds) ran out while `peer` was waited on, before
    /// its own command time did: not a peer that stopped answering.
    case budgetSpent(PeerLabel, waitingFor: String)

    /// The peer it is about.
    var peer: PeerLabel {
        switch self {
        case .crashed(let peer, _), .timeout(let peer, _), .contractViolation(let peer, _), .missing(let peer, _, _, _, _),
            .budgetSpent(let peer, _):
            peer
        }
    }

    /// The state a cell (or fleet) it ends is in.
    var cellState: CellState {
        switch self {
        case .crashed(_, let termination) where !termination.isCleanExit: .crash
        case .timeout: .timeout
        default: .fail
        }
    }

    /// The problem as reports give it.
    var problem: String {
        switch self {
        case .crashed(let peer, let termination): "\(peer) \(termination.isCleanExit ? "exited early" : "died"): \(termination)"
        case .timeout(let peer, let what): "\(peer) stopped answering (\(what)); killed with its process group"
        default: description
        }
    }

    /// A sentence naming the peer by role and name.
    var description: String {
        switch self {
        case .crashed(let peer, let termination):
            "\(peer) \(termination.isCleanExit ? "exited early" : "died") (\(termination))"
        case .timeout(let peer, let what):
            "\(peer) gave no answer in time: waiting for \(what)"
        case .contractViolation(_, let message):
            message
        case .missing(let peer, let owner, let what, let waited, let afterPattern):
            "\(what) never came: \(owner) owed it"
                + (owner == peer ? " (P11: an event for each frame it receives)" : "")
                + (afterPattern
                    ? ", and has not sent one all along in this run (waited \(waited.milliseconds) ms)"
                    : " (waited \(waited.milliseconds) ms)")
                + "; every peer still answers its commands"
        case .budgetSpent(let peer, let what):
            "the run's time ran out (the matrix's pairSeconds) while \(peer) was waited on for \(what); the checks left are not run"
        }
    }
}

class PeerGroup {
    private(set) var peers: [PeerHandle]
    let commandTimeout: Duration
    /// Everything must end by then.
    let deadline: ContinuousClock.Instant

    /// The run's private folder: the only place an ipc endpoint a gateway reports may be.
    let folder: String

    /// How long a frame a peer owes is waited for, from what this run has measured.
    var frameWaits: FrameWaits

    init(
        peers: [PeerHandle], commandTimeout: Duration, deadline: ContinuousClock.Instant, folder: String,
        frameWaits policy: FrameWaits.Policy = .init()
    ) {
        self.folder = folder
        self.peers = peers
        self.commandTimeout = commandTimeout
        self.deadline = deadline
        self.frameWaits = FrameWaits(policy: policy, maximum: commandTimeout)
    }

    /// A peer started while the others run (the new gateway of an upgrade).
    func add(_ peer: PeerHandle) { peers.append(peer) }

    func commandDeadline() -> ContinuousClock.Instant { min(.now + commandTimeout, deadline) }

    /// Sends a command and returns its answer (the event with its id).
    @discardableResult
    func request(_ peer: PeerHandle, _ kind: Command.Kind) throws(CellAbort) -> Event {
        let sent = ContinuousClock.now
        let ids = try issue(peer, [kind])
        let answer = try answer(peer, id: ids[0], to: Command(id: ids[0], kind).name)
        frameWaits.observed(.now - sent)
        return answer
    }

    /// Writes commands to one peer in one write, without waiting for their answers (`answer`).
    func issue(_ peer: PeerHandle, _ kinds: [Command.Kind]) throws(CellAbort) -> [JSON] {
        let commands = kinds.map { Command(id: .integer(peer.takeId()), $0) }
        let lines = commands.map(\.json.serialized)
        for (command, line) in zip(commands, lines) {
            peer.record(line, outbound: true)
            if case .shutdown = command.kind { peer.expectsExit = true }
            peer.wire?.observe(command.kind)
        }
        do {
            try peer.process.send(lines: lines, deadline: commandDeadline())
        } catch {
            throw gone(peer, waitingFor: commands[0].name, error)
        }
        return commands.map(\.id)
    }

    /// The answer to a command already issued: the event with its id.
    func answer(_ peer: PeerHandle, id: JSON, to name: String) throws(CellAbort) -> Event {
        // An `error` answer is not an abort: the check that asked decides what it means.
        do throws(CellAbort) {
            return try waitFor(peer, what: "the answer to \(name)") { $0.id == id }
        } catch .timeout(let label, let what) where name == "hello" && label == peer.label {
            throw .timeout(label, waitingFor: what + Self.silentHelloHint(peer))
        }
    }

    /// Most often a peer that never answers `hello` answered into a buffer it does not flush:
    /// P1 says so, with what it did write of a line (bounded, escaped), or that it wrote nothing.
    static func silentHelloHint(_ peer: PeerHandle) -> String {
        let limit = 200
        let written = peer.process.unterminatedStdout(limit: limit + 1)
        let shown =
            written.isEmpty
            ? "it wrote nothing on stdout"
            : "all it wrote on stdout is a line it did not end: \"\(String(decoding: written.prefix(limit), as: UTF8.self).printableLine)\"\(written.count > limit ? "…" : "")"
        return "; P1: a peer flushes stdout after each line it writes, and \(shown)"
    }

    /// The first event from `peer` matching `predicate`, from its inbox or as it arrives, by
    /// `until` (default: one command's time from now).
    func waitFor(_ peer: PeerHandle, what: String, until: ContinuousClock.Instant? = nil, _ predicate: (Event) -> Bool) throws(CellAbort)
        -> Event
    {
        if let event = peer.inbox.takeFirst(where: predicate) { return event }
        let own = until ?? .now + commandTimeout
        let limit = min(own, deadline)
        do throws(CellAbort) {
            while true {
                try readAvailable(until: limit, waitingFor: what, on: peer)
                if let event = peer.inbox.takeFirst(where: predicate) { return event }
                // A peer that keeps writing other events must not keep the cell past its deadline.
                if ContinuousClock.now >= limit { throw CellAbort.timeout(peer.label, waitingFor: what) }
            }
        } catch .timeout(let waitedOn, let what) where deadline < own {
            // The run's time ran out before this wait's own: nobody was given the time to answer.
            throw .budgetSpent(waitedOn, waitingFor: what)
        }
    }

    /// Who owes an awaited event: the awaited peer, reporting a frame already on the wire (P11), or
    /// the other peer, whose answer (a Reject, an echo, a LogonAck) should have caused it.
    enum Owed {
        case report
        case answer
    }

    /// The next inbound-frame event (`received` or `rejected_inbound`) of `peer`, caused by a frame
    /// `sender` sent: `frame` when it is known, so an event left over from an earlier frame is passed by.
    func awaitInbound(
        _ peer: PeerHandle, causedBy sender: PeerHandle, what: String, frame: [UInt8]? = nil, owed: Owed = .report,
        kind: String? = nil, causedAt: ContinuousClock.Instant? = nil
    ) throws(CellAbort) -> Event {
        try awaitUnsolicited(peer, causedBy: sender, what: what, owed: owed, kind: kind, causedAt: causedAt) {
            switch $0.kind {
            case .received(_, _, let bytes), .rejectedInbound(_, _, let bytes, _): $0.id == nil && (frame == nil || frame == bytes)
            default: false
            }
        }
    }

    /// An event no command asked for, waited for as long as FrameWaits says. When it does not
    /// come, the peers are asked for a `hello`: one that does not answer is the one that stopped
    /// (TIMEOUT, named); if both answer and it has not come meanwhile, the event is `missing`, owed
    /// by the peer `owed` names, and only the check waiting for it fails. After a first miss of that kind from that peer, the
    /// wait is short and the peers are not asked again. `kind` names the kind of frame when waits
    /// described differently are for the same one (every Heartbeat echo); by default it is `what`.
    /// `causedAt`: when the runner read the event of what causes the frame (a refusal, for its
    /// Reject); the wait counts from then, so frames caused together (a batch's Rejects) share one.
    func awaitUnsolicited(
        _ peer: PeerHandle, causedBy sender: PeerHandle, what: String, owed: Owed = .report, kind: String? = nil,
        causedAt: ContinuousClock.Instant? = nil, _ predicate: (Event) -> Bool
    ) throws(CellAbort) -> Event {
        let owner = owed == .report ? peer : sender
        let kind = kind ?? what
        let (wait, afterPattern) = frameWaits.wait(for: kind, owedBy: owner.label)
        let started = ContinuousClock.now
        do {
            let event = try waitFor(peer, what: what, until: min(causedAt ?? started, started) + wait, predicate)
            frameWaits.observed(.now - started)
            return event
        } catch .timeout(let waitedOn, _) where waitedOn == peer.label {
            if !afterPattern {
                for asked in [sender, peer] { try request(asked, .hello) }
                // On a loaded machine the frame may have come while the peers were asked: late, not missing.
                if let late = peer.inbox.takeFirst(where: predicate) {
                    frameWaits.observed(.now - started)
                    return late
                }
            }
            frameWaits.missed(kind, owedBy: owner.label)
            throw .missing(peer.label, owedBy: owner.label, what: what, waited: wait, afterPattern: afterPattern)
        }
    }

    /// Takes every event of `peer` waiting in its inbox that matches, oldest first.
    func takeEvents(_ peer: PeerHandle, where predicate: (Event) -> Bool) -> [Event] {
        peer.inbox.takeAll(where: predicate)
    }

    /// Reads what `peer` has written so far without waiting, and takes every event it holds: a
    /// peer driven by something other than its commands (a replay) must not block on its stdout.
    func takePending(_ peer: PeerHandle) throws(CellAbort) -> [Event] {
        do {
            try readAvailable(until: .now, waitingFor: "nothing", on: peer)
        } catch .timeout {
            // Nothing was ready.
        }
        return peer.inbox.takeAll { _ in true }
    }

    /// Forgets unsolicited events left over from earlier checks.
    func clearInboxes() {
        for peer in peers { peer.inbox.removeAll() }
    }

    /// The ipc sockets gateways reported, held for the clients, by the endpoint clients are given.
    private var pinned: [String: PinnedSocket] = [:]

    /// The gateway listens on `endpoint` (for a new gateway taking over, the endpoint clients
    /// were given); returns where clients connect: the tcp endpoint it reports, or for ipc the
    /// socket it bound, held (PinnedSocket). Both must be safe for clients (T2).
    func listen(_ gateway: PeerHandle, on endpoint: String, allowRemote: Bool) throws(CellAbort) -> String {
        let asked = pinned[endpoint].map { "ipc://" + $0.path } ?? endpoint
        let listening = try request(gateway, .listen(endpoint: asked))
        guard case .listening(let bound) = listening.kind else {
            throw .contractViolation(gateway.label, "listen on \(endpoint) was answered with \(listening.json.serialized)")
        }
        // Safe by default: a client is only sent to its run's folder or to loopback, whatever the gateway says.
        do {
            guard case .ipc(let path) = try Endpoint.reported(bound, cellFolder: folder, allowRemote: allowRemote) else { return bound }
            return try pin(path)
        } catch {
            let shown = bound.count > 200 ? bound.prefix(200) + "…" : bound
            throw .contractViolation(gateway.label, "the gateway \(gateway.label.name) reported \(shown), refused: \(error)")
        }
    }

    /// The endpoint clients are given for the socket at `path`: the one they already have when
    /// a new gateway bound the same path.
    private func pin(_ path: String) throws(Endpoint.Refusal) -> String {
        if let held = pinned.values.first(where: { $0.path == path }) {
            try held.repin(folder: folder)
            return held.endpoint
        }
        let socket = try PinnedSocket(path: path, folder: folder)
        pinned[socket.endpoint] = socket
        return socket.endpoint
    }

    func connect(_ client: PeerHandle, to endpoint: String) throws(CellAbort) {
        let connected = try request(client, .connect(endpoint: endpoint))
        guard case .connected = connected.kind else {
            throw .contractViolation(client.label, "connect to \(endpoint) was answered with \(connected.json.serialized)")
        }
    }

    /// Reads whatever lines are ready on any peer, waiting until one has something.
    private func readAvailable(until: ContinuousClock.Instant, waitingFor what: String, on awaited: PeerHandle) throws(CellAbort) {
        if awaited.finished { throw .contractViolation(awaited.label, "\(awaited.label) has exited; \(what) cannot come") }
        let live = peers.filter { !$0.finished }
        let ready = waitForAnyLine(live.map(\.process), deadline: until)
        if ready.isEmpty {
            // Nothing before the deadline: a dead peer explains it better than a timeout.
            for handle in live {
                if let termination = handle.process.pollExit() { throw .crashed(handle.label, termination: termination) }
            }
            throw .timeout(awaited.label, waitingFor: what)
        }
        for index in ready {
            let handle = live[index]
            let lines: [String]
            do {
                // waitForAnyLine has just read what was there; more is read on the next wait.
                lines = try handle.process.bufferedLines()
            } catch .closed where handle.expectsExit {
                handle.finished = true
                continue
            } catch {
                throw gone(handle, waitingFor: what, error)
            }
            let arrived = ContinuousClock.now
            for line in lines {
                handle.record(line, outbound: false)
                do {
                    let event = try Event(json: try JSON.parse(line))
                    handle.wire?.observe(event)
                    handle.inbox.append(event, lineLength: line.utf8.count + 1, arrived: arrived)
                } catch {
                    throw .contractViolation(
                        handle.label, "\(handle.label) wrote a line that is not a contract event (\(error)): \(line.prefix(200))")
                }
                try checkBounds(handle, last: line)
            }
        }
    }

    /// A peer that makes the runner hold more than it may (events nobody asked for, bytes of stdout) breaks the contract.
    private func checkBounds(_ handle: PeerHandle, last line: String) throws(CellAbort) {
        if handle.inbox.count > PeerHandle.inboxLimit {
            throw .contractViolation(
                handle.label,
                "\(handle.label) floods its stdout: more than \(PeerHandle.inboxLimit) events nobody asked for (the last: \(line.prefix(200)))"
            )
        }
        let held = handle.heldStdoutBytes
        if held > handle.stdoutBudget {
            throw .contractViolation(
                handle.label,
                "\(handle.label) wrote \(held) bytes of stdout nobody asked for yet (\(handle.inbox.count) events), over the \(handle.stdoutBudget) bytes a peer may have waiting (the last: \(line.prefix(200))…)"
            )
        }
    }

    /// A peer whose pipe broke: report how it ended.
    private func gone(_ peer: PeerHandle, waitingFor what: String, _ error: PeerIOError) -> CellAbort {
        switch error {
        case .timeout:
            return .timeout(peer.label, waitingFor: what)
        case .lineTooLong(let length):
            return .contractViolation(peer.label, "\(peer.label) wrote a line of \(length) bytes without a newline")
        case .closed, .io:
            // Give a dying process a moment to be reaped so its signal is reported.
            for _ in 0..<50 {
                if let termination = peer.process.pollExit() { return .crashed(peer.label, termination: termination) }
                usleep(2000)
            }
            return .contractViolation(peer.label, "\(peer.label) closed its stdout while \(what) was awaited (\(error))")
        }
    }
}
