// The state of a running fleet and what every round shares: which sessions still take part,
// the result of every check, and the rule that one client's trouble ends only its own part
// (an abort about the gateway ends the fleet).

import Foundation
import MiniJSON
import PeerContract
import TGP

final class FleetExecution {
    let schema: Schema
    let codec: Codec
    let samples: SampleBook
    let plan: FleetPlan
    let selection: CheckSelection
    let group: PeerGroup
    /// The gateway serving the fleet now (an upgrade replaces it).
    var gateway: PeerHandle
    let clients: [PeerHandle]

    /// One member's session as the fleet goes on.
    struct Session {
        /// The negotiated version N, while logged on.
        var version: Int?
        var sessionId: String?
        /// Still takes part: alive, logged on, and no check of it failed (later ones are then not run).
        var active = false
        /// Why it stopped taking part, for the checks it did not reach.
        var stopReason: String?
        /// Set when a check of its own was skipped for a peer's contract version: its later checks are skipped too.
        var skipped: ContractSkip?
        /// Its order book as the reference gateway's rules keep it from what it was sent: a new
        /// session's is new (S1, S2).
        var book = OrderBook()
    }
    var sessions: [Session]
    /// The rules the gateway answers by (G1–G4, S4): every expected answer comes from them.
    var rules: ReferenceGateway
    private var results: [String: CheckResult] = [:]
    /// When the last check was recorded: each check's time runs from there to its own result.
    private var lastRecorded = ContinuousClock.now
    /// The checks the peers' contract versions cannot take, by name, with the reason (FleetContracts.swift).
    var contractSkips: [String: ContractSkip] = [:]
    /// The peers whose older contract matrix.json accepts.
    let acceptedSkips: AcceptedSkips

    init(
        schema: Schema, samples: SampleBook, plan: FleetPlan, selection: CheckSelection, group: PeerGroup,
        gateway: PeerHandle, clients: [PeerHandle], acceptedSkips: AcceptedSkips = AcceptedSkips()
    ) {
        self.schema = schema
        self.acceptedSkips = acceptedSkips
        self.codec = Codec(schema: schema)
        self.samples = samples
        self.plan = plan
        self.selection = selection
        self.group = group
        self.gateway = gateway
        self.clients = clients
        self.sessions = Array(repeating: Session(), count: plan.members.count)
        self.rules = ReferenceGateway(schema: schema)
    }

    var activeMembers: [FleetMember] { plan.members.filter { sessions[$0.index].active } }

    func client(_ member: FleetMember) -> PeerHandle { clients[member.index] }

    func name(_ member: FleetMember?, _ check: FleetCheck) -> String {
        plan.name(member, check)
    }

    // MARK: Results

    /// Records a check's outcome; a failure takes the member out of the rounds that follow.
    func record(_ member: FleetMember?, _ check: FleetCheck, _ failure: CheckFailure?) {
        record(plan.id(member, check), member: member, failure)
    }

    private func record(_ id: CheckID, member: FleetMember?, _ failure: CheckFailure?) {
        guard contractSkips.isEmpty || contractSkips[id.name] == nil else { return }
        if let planned = plan.checks.first(where: { $0.id == id }), selection.includes(id) {
            let now = ContinuousClock.now
            results[id.name] = CheckResult(
                id, status: failure == nil ? .passed : .failed, failure: failure,
                rules: planned.kind.rules.map(\.id), seconds: (now - lastRecorded).seconds)
            lastRecorded = now
        }
        if let member, failure != nil, sessions[member.index].active {
            sessions[member.index].active = false
            sessions[member.index].stopReason = "not run: \(id.name) failed earlier"
        }
    }

    /// Every planned check in plan order: its result, or not run and why.
    func results(abort: CellAbort?) -> [CheckResult] {
        plan.checks.filter { selection.includes($0.id) }.map { planned in
            if let result = results[planned.name] { return result }
            let member = plan.members.first { $0.label == planned.id.member }
            if let skip = contractSkips[planned.name] ?? member.flatMap({ sessions[$0.index].skipped }) {
                return CheckResult(planned.id, skipped: skip, rules: planned.kind.rules.map(\.id))
            }
            let reason =
                abort.map { "not run: the fleet stopped (\($0.description))" }
                ?? member.flatMap { sessions[$0.index].stopReason } ?? "not run"
            return CheckResult(
                planned.id, status: .notRun, failure: CheckFailure(reason), rules: planned.kind.rules.map(\.id),
                reason: reason)
        }
    }

    // MARK: One client's trouble is its own

    /// Runs `body` for `member`. An abort about a client takes that client out (it is killed and
    /// its check fails); about the member itself, `body`'s check fails with it; about the
    /// gateway, the fleet ends.
    func guarded(_ member: FleetMember, _ body: () throws(CellAbort) -> CheckFailure?) throws(CellAbort) -> CheckFailure? {
        while true {
            do {
                return try body()
            } catch {
                guard error.peer.role == .client, let culprit = plan.members.first(where: { $0.label == error.peer.name }) else {
                    throw error
                }
                drop(culprit, because: error.description)
                if culprit.index == member.index { return CheckFailure(error.description) }
                failNextCheck(of: culprit, CheckFailure(error.description))
            }
        }
    }

    /// A member that broke while another was being served fails the first of its checks that has
    /// no result yet: a fleet with a dead client is never a PASS.
    private func failNextCheck(of member: FleetMember, _ failure: CheckFailure) {
        guard
            let next = plan.checks.first(where: {
                $0.id.member == member.label && results[$0.name] == nil && contractSkips[$0.name] == nil
            })
        else { return }
        record(next.id, member: member, failure)
    }

    /// Takes a member out of the fleet: its process is killed, its later checks are not run.
    func drop(_ member: FleetMember, because reason: String) {
        let handle = client(member)
        _ = handle.process.kill()
        handle.finished = true
        if sessions[member.index].stopReason == nil {
            sessions[member.index].stopReason = "not run: \(member.label) was taken out (\(reason))"
        }
        sessions[member.index].active = false
    }

    /// A round's common deadline: everyone's frames are awaited together.
    func roundDeadline() -> ContinuousClock.Instant { group.commandDeadline() }

    /// The first event of `member`'s client matching, by the round's deadline; nil when none came.
    func collect(
        _ member: FleetMember, until: ContinuousClock.Instant, what: String,
        _ predicate: (Event) -> Bool
    ) throws(CellAbort) -> Event? {
        do {
            return try group.waitFor(client(member), what: what, until: until, predicate)
        } catch .timeout(let peer, _) where peer == client(member).label {
            return nil
        }
    }

    /// The gateway's event for a frame `member` sent, by the round's deadline; nil when none came.
    func collectAtGateway(_ frame: [UInt8], until: ContinuousClock.Instant, what: String) throws(CellAbort) -> Event? {
        do {
            return try group.waitFor(gateway, what: what, until: until) {
                switch $0.kind {
                case .received(_, _, let bytes), .rejectedInbound(_, _, let bytes, _): $0.id == nil && bytes == frame
                default: false
                }
            }
        } catch .timeout(let peer, _) where peer == gateway.label {
            return nil
        }
    }

    /// After a round in which something did not come: the gateway must still answer a command.
    func gatewayStillAnswers() throws(CellAbort) {
        try group.request(gateway, .hello)
    }

    static func isInbound(_ event: Event, type: String) -> Bool {
        if case .received(let json, _, _) = event.kind, event.id == nil { json["type"]?.stringValue == type } else { false }
    }
}
