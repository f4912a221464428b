// Runs one cell's plan against its two live peers, check by check, and records a result for
// every planned check the selection includes: passed, failed (with the rules it broke), or not
// run after the cell stopped. The checks themselves are in one file per family.

import MiniJSON
import PeerContract
import TGP

final class CellExecutor {
    typealias Flow = CheckName.Flow

    let schema: Schema
    let codec: Codec
    /// The schema each peer was built from (the matrix's, unless its entry names its own).
    let peerSchemas: [Role: Schema]
    let samples: SampleBook
    let plan: CheckPlan
    let selection: CheckSelection
    let session: CellSession
    let endpoint: String
    /// Whether a gateway may report an endpoint off this machine (`--allow-remote`).
    let allowRemote: Bool
    private(set) var results: [CheckResult] = []
    /// The negotiated version N, once the handshake found it as the schema says.
    var negotiated = 0
    /// Set when the rest of the cell cannot run (the logon failed): why, for the checks left.
    var skipReason: String?
    /// The contract version each peer's hello stated (none: contract 1).
    var contracts: [Role: Int] = [:]
    /// The kinds the peers' contract versions cannot take, with the reason; empty for current peers.
    var contractSkips: [CheckKind: ContractSkip] = [:]
    /// The peers whose older contract matrix.json accepts.
    let acceptedSkips: AcceptedSkips
    /// The gateway's mode: auto (the contract's default) until the first check after the handshake.
    var autoMode = true
    /// Heartbeats sent so far, so each carries a timestamp of its own.
    var heartbeats: UInt64 = 0
    /// The last check failed: events it left in flight may still arrive.
    var unsettled = false
    /// Commands already written for checks ahead, by plan index (see `issueBatch`).
    var issued: [Int: [(role: Role, id: JSON, kind: Command.Kind)]] = [:]
    /// Commands issued ahead for the check being run, taken in order by its `command`s.
    private var queued: [(role: Role, id: JSON, kind: Command.Kind)] = []
    /// When the last check that ran was recorded: each check's time runs from there to its own
    /// result (one clock read a check), so each check of a batch issued in one write gets the
    /// time from the result before it to its own.
    private var lastRecorded = ContinuousClock.now

    init(
        schema: Schema, samples: SampleBook, plan: CheckPlan, selection: CheckSelection, session: CellSession, endpoint: String,
        allowRemote: Bool = false, peerSchemas: [Role: Schema] = [:], acceptedSkips: AcceptedSkips = AcceptedSkips()
    ) {
        self.schema = schema
        self.acceptedSkips = acceptedSkips
        self.peerSchemas = peerSchemas
        self.codec = Codec(schema: schema)
        self.samples = samples
        self.plan = plan
        self.selection = selection
        self.session = session
        self.endpoint = endpoint
        self.allowRemote = allowRemote
    }

    var peers: CellPeers { plan.peers }
    func name(_ role: Role) -> String { role == .client ? peers.client : peers.gateway }
    func version(_ role: Role) -> Int { peers.version(role) }
    func schema(of role: Role) -> Schema { peerSchemas[role] ?? schema }

    /// Runs the plan in order; an abort records the check it happened in as failed and every
    /// selected check after it as not run, then ends the cell.
    func run() throws(CellAbort) {
        lastRecorded = .now
        for (index, planned) in plan.checks.enumerated() {
            do {
                if issued[index] == nil { try issueBatch(from: index) }
                queued = issued.removeValue(forKey: index) ?? []
                try perform(planned, inBatch: !queued.isEmpty)
            } catch {
                let reason = "not run: the cell stopped at \(planned.name) (\(error.description))"
                for later in plan.checks[(index + 1)...] where selection.includes(later.id) {
                    record(later, .notRun, CheckFailure(reason))
                }
                throw error
            }
        }
    }

    private func record(_ planned: PlannedCheck, _ status: CheckStatus, _ failure: CheckFailure?) {
        var seconds: Double?
        var reason: String?
        if status == .notRun {
            reason = failure?.message
        } else {
            let now = ContinuousClock.now
            seconds = (now - lastRecorded).seconds
            lastRecorded = now
        }
        results.append(
            CheckResult(planned.id, status: status, failure: failure, rules: planned.rules.map(\.id), reason: reason, seconds: seconds))
    }

    private func perform(_ planned: PlannedCheck, inBatch: Bool) throws(CellAbort) {
        let selected = selection.includes(planned.id)
        guard selected || planned.kind.isPrerequisite else { return }
        if !contractSkips.isEmpty, let skip = contractSkips[planned.kind] {
            if selected { results.append(CheckResult(planned.id, skipped: skip, rules: planned.rules.map(\.id))) }
            return
        }
        if let skipReason, planned.kind != .shutdown {
            if selected { record(planned, .notRun, CheckFailure(skipReason)) }
            return
        }
        // Each check starts from a clean inbox, except those that read what the handshake caused
        // and those of a batch, whose events may have come already (a batch starts clean).
        if !inBatch && planned.kind != .logonForwardDecoding && planned.kind != .logonRejectRefusal { session.clearInboxes() }
        let failure: CheckFailure?
        do {
            if unsettled && !inBatch { try settle() }
            try setMode(for: planned.kind)
            failure = try execute(planned.step, kind: planned.kind)
        } catch .missing(let peer, let owner, let what, let waited, let afterPattern) {
            failure = CheckFailure(
                CellAbort.missing(peer, owedBy: owner, what: what, waited: waited, afterPattern: afterPattern).description)
        } catch {
            record(planned, .failed, CheckFailure(error.description))
            throw error
        }
        if planned.kind == .handshake, negotiated == 0, plan.negotiated != nil {
            skipReason = "not run: the logon did not end as the schema says (\(planned.name))"
        }
        unsettled = failure != nil
        if selected { record(planned, failure == nil ? .passed : .failed, failure) }
    }

    /// A check's command to `role`: the next one issued ahead for it, else sent now. `kind` is only
    /// built when it is sent now: one issued ahead was built by its batch.
    func command(_ role: Role, _ kind: @autoclosure () -> Command.Kind) throws(CellAbort) -> Event {
        if let next = queued.first, next.role == role {
            queued.removeFirst()
            assert(next.kind == kind(), "a check sent another command than was issued for it")
            return try session.answer(role, id: next.id, to: Command(id: next.id, next.kind).name)
        }
        return try session.request(role, kind())
    }

    /// Writes the commands a check is about to send one by one (with `command`) in one go,
    /// unless its batch already did.
    func issueAhead(_ role: Role, _ kinds: [Command.Kind]) throws(CellAbort) {
        guard kinds.count > 1, queued.isEmpty else { return }
        let ids = try session.issue(role, kinds)
        queued += zip(ids, kinds).map { (role, $0, $1) }
    }

    /// One step of the plan, by its family.
    private func execute(_ step: PlannedCheck.Step, kind: CheckKind) throws(CellAbort) -> CheckFailure? {
        switch step {
        case .hello(let role): return try checkHello(role)
        case .beforeLogon(let frame, let refTemplateId): return try beforeLogon(frame, refTemplateId: refTemplateId)
        case .handshake: return try handshake()
        case .logonForwardDecoding: return try logonForwardDecoding()
        case .logonRejectRefusal: return try logonRejectRefusal()
        case .shutdown: return try shutdown()
        case .deliver(let message, let flow): return try deliver(message, flow: flow)
        case .enumValues(let message, let field, let values, let flow):
            return try enumValues(message, field: field, values: values, flow: flow)
        case .enumNewerRefused(let message, let field, let values, let flow):
            return try enumNewerRefused(message, field: field, values: values, flow: flow)
        case .typeRefused(let message, let flow): return try expectSendRefused(message, from: flow.sender, reason: .unsupportedInVersion)
        case .newerField(let absent, let set, let flow): return try newerField(absent: absent, set: set, flow: flow)
        case .typeForced(let frame, let code, let refTemplateId, let flow):
            return try expectRefusal(frame, from: flow.sender, code: code, refTemplateId: refTemplateId, rejectVersion: negotiated)
        case .encodedAt(let frame, let version, let expected, let flow):
            return try encodedAt(frame, version: version, expected: expected, flow: flow)
        case .badInput(let input, let flow): return try badInput(input, flow: flow)
        case .reference(let check): return try reference(check)
        case .plain(let step): return try executePlain(step)
        }
    }
}
