// The two running peers of one cell, driven in lockstep: a command goes to one peer, and
// the runner reads both peers' events until its answer arrives. Events nobody asked for
// wait in each peer's inbox until a check looks for them.

import Foundation
import MiniJSON
import PeerContract
import TGP

/// One peer process of a cell and what it has said.
final class PeerHandle {
    let spec: PeerSpec
    let role: Role
    let process: PeerProcess
    /// Unsolicited events (and late answers) not yet looked at, oldest first.
    var inbox = PeerInbox()
    private var nextId = 1
    /// Set once it was told to shut down: its stdout closing is then expected.
    var expectsExit = false
    /// Its stdout has closed after a shutdown.
    var finished = false
    /// Every line it wrote and was sent, streamed to the cell's folder (none when nil).
    private let transcript: Transcript?
    /// The most bytes of its stdout lines the runner holds for it at once (its inbox and what is read but not yet a line).
    let stdoutBudget: Int

    /// A peer that writes more events than this nobody has asked for is flooding, not talking.
    static let inboxLimit = 10_000

    /// How reports and aborts name it: its role and matrix name (with `#k` in a fleet).
    let label: PeerLabel

    init(
        spec: PeerSpec, role: Role, stderrPath: String, transcriptPath: String?, label: String? = nil,
        stdoutBudget: StdoutBudget = .alone
    ) throws(SpawnError) {
        self.spec = spec
        self.role = role
        self.label = PeerLabel(role: role, name: label ?? spec.name)
        self.process = try PeerProcess(
            argv: spec.resolvedArgv, arguments: ["--role", role.rawValue], stderrPath: stderrPath, workingDirectory: spec.folder,
            maxLineLength: stdoutBudget.lineLength)
        self.transcript = transcriptPath.flatMap(Transcript.init(path:))
        self.stdoutBudget = stdoutBudget.bytes
    }

    func takeId() -> Int {
        defer { nextId += 1 }
        return nextId
    }

    func record(_ line: String, outbound: Bool) {
        transcript?.record(line, outbound: outbound)
    }

    /// Completes its transcript file.
    func endTranscript() {
        transcript?.finish()
    }

    /// Where the frames it reports go, for the run's capture (nil: not recorded).
    var wire: WireTap?

    /// The bytes of its stdout the runner holds now.
    var heldStdoutBytes: Int { inbox.bytes + process.bufferedStdoutBytes }
}

/// The two peers of one cell, named by their roles.
final class CellSession: PeerGroup {
    let client: PeerHandle
    let gateway: PeerHandle

    init(
        client: PeerHandle, gateway: PeerHandle, commandTimeout: Duration, cellDeadline: ContinuousClock.Instant, folder: String,
        frameWaits: FrameWaits.Policy = .init()
    ) {
        self.client = client
        self.gateway = gateway
        super.init(
            peers: [gateway, client], commandTimeout: commandTimeout, deadline: cellDeadline, folder: folder, frameWaits: frameWaits)
    }

    func peer(_ role: Role) -> PeerHandle { role == .client ? client : gateway }
    func label(_ role: Role) -> PeerLabel { peer(role).label }

    @discardableResult
    func request(_ role: Role, _ kind: Command.Kind) throws(CellAbort) -> Event { try request(peer(role), kind) }

    func issue(_ role: Role, _ kinds: [Command.Kind]) throws(CellAbort) -> [JSON] { try issue(peer(role), kinds) }

    func answer(_ role: Role, id: JSON, to name: String) throws(CellAbort) -> Event { try answer(peer(role), id: id, to: name) }

    func waitFor(_ role: Role, what: String, _ predicate: (Event) -> Bool) throws(CellAbort) -> Event {
        try waitFor(peer(role), what: what, predicate)
    }

    /// The next inbound-frame event of `role`, caused by a frame the other peer sent.
    func awaitInbound(
        _ role: Role, what: String, frame: [UInt8]? = nil, owed: Owed = .report, kind: String? = nil,
        causedAt: ContinuousClock.Instant? = nil
    ) throws(CellAbort) -> Event {
        try awaitInbound(
            peer(role), causedBy: peer(role == .client ? .gateway : .client), what: what, frame: frame, owed: owed, kind: kind,
            causedAt: causedAt)
    }

    /// `awaitInbound`, with when the runner read the event: what that frame causes (a Reject, an
    /// echo) is waited for from then (`causedAt`).
    func awaitCause(_ role: Role, what: String, frame: [UInt8]? = nil) throws(CellAbort) -> (event: Event, readAt: ContinuousClock.Instant?)
    {
        let event = try awaitInbound(role, what: what, frame: frame)
        return (event, peer(role).inbox.lastTakenArrival)
    }

    func awaitUnsolicited(
        _ role: Role, causedBy sender: Role, what: String, owed: Owed = .report, _ predicate: (Event) -> Bool
    ) throws(CellAbort) -> Event {
        try awaitUnsolicited(peer(role), causedBy: peer(sender), what: what, owed: owed, predicate)
    }

    func takeEvents(_ role: Role, where predicate: (Event) -> Bool) -> [Event] { takeEvents(peer(role), where: predicate) }

    /// Whether the client has connected to the gateway.
    private(set) var connected = false

    /// The gateway listens on `endpoint` and the client connects to what it reports.
    func connectPeers(endpoint: String, allowRemote: Bool) throws(CellAbort) {
        let bound = try listen(gateway, on: endpoint, allowRemote: allowRemote)
        try connect(client, to: bound)
        connected = true
    }
}
