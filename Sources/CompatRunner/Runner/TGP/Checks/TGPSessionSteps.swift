// The TGP session's side of running a cell: issuing runs of checks' commands in one write,
// settling after a failure with a Heartbeat round trip, and the gateway's mode (P6). Under the
// plain profile `negotiated` stays 0, so none of this applies.

import PeerContract
import TGP

extension CellExecutor {
    /// The most checks issued in one batch.
    static let batchLimit = 256

    /// Writes the commands of the checks from `start` on, as long as each is selected, sends only
    /// to the same sender and leaves the session as it was, in one write: the peers then work
    /// through them without a round trip each. Their events are told apart by their bytes
    /// (received, rejected_inbound) or come in order (the Rejects sent back, the answers).
    func issueBatch(from start: Int) throws(CellAbort) {
        guard negotiated > 0, skipReason == nil, let first = batchCommands(plan.checks[start]) else { return }
        var members: [(index: Int, kinds: [Command.Kind])] = []
        for index in start..<min(plan.checks.count, start + Self.batchLimit) {
            let planned = plan.checks[index]
            guard selection.includes(planned.id), let commands = batchCommands(planned), commands.role == first.role else { break }
            members.append((index, commands.kinds))
        }
        guard members.count > 1 else { return }
        if unsettled { try settle() }
        session.clearInboxes()
        try setMode(for: plan.checks[start].kind)
        var ids = try session.issue(first.role, members.flatMap(\.kinds))[...]
        for member in members {
            issued[member.index] = zip(ids.prefix(member.kinds.count), member.kinds).map { (first.role, $0, $1) }
            ids = ids.dropFirst(member.kinds.count)
        }
    }

    /// The commands a check sends, if it can run in a batch: all to one sender, none of them a
    /// Logout (it ends the session) nor waiting on anything but its own answer and events.
    func batchCommands(_ planned: PlannedCheck) -> (role: Role, kinds: [Command.Kind])? {
        if !contractSkips.isEmpty && contractSkips[planned.kind] != nil { return nil }
        switch planned.step {
        case .enumValues(let sample, let field, let values, let flow):
            // Heartbeat and Logout have answers of their own.
            guard !["Heartbeat", "Logout"].contains(sample.type.name) else { return nil }
            return (flow.sender, enumMessages(sample.projected(onto: negotiated), field, values).map(sendAtN))
        case .enumNewerRefused(let sample, let field, let values, let flow):
            guard sample.type.name != "Logout" else { return nil }
            return (flow.sender, enumMessages(sample, field, values).map(sendAtN))
        case .newerField(let absent, let set, let flow):
            return (flow.sender, [absent, set].map(sendListingEveryField))
        default:
            return batchCommand(planned).map { ($0.role, [$0.kind]) }
        }
    }

    /// The one command a check sends, if it can run in a batch.
    private func batchCommand(_ planned: PlannedCheck) -> (role: Role, kind: Command.Kind)? {
        // Every step says whether it can: a Logout ends the session, and the steps not batched
        // wait on something else than their answers and events (a Reject's missing Reject among them).
        switch planned.step {
        case .deliver(let message, let flow):
            guard message.type.name != "Logout" else { return nil }
            return (flow.sender, .send(message: message.projected(onto: negotiated).json(knownAt: negotiated), session: nil))
        case .encodedAt(let frame, _, let expected, let flow):
            guard expected.type.name != "Logout" else { return nil }
            return (flow.sender, .sendRaw(bytes: frame, session: nil))
        case .badInput(let input, let flow):
            switch input.outcome {
            case .delivered(let message):
                guard message.type.name != "Logout" else { return nil }
                return (flow.sender, .sendRaw(bytes: input.frame, session: nil))
            case .refused(_, _, let answeredWithReject):
                return answeredWithReject ? (flow.sender, .sendRaw(bytes: input.frame, session: nil)) : nil
            }
        case .typeForced(let frame, _, _, let flow):
            return (flow.sender, .sendRaw(bytes: frame, session: nil))
        case .typeRefused(let message, let flow):
            return (flow.sender, .send(message: message.json(knownAt: max(negotiated, message.type.since)), session: nil))
        case .hello, .beforeLogon, .handshake, .logonForwardDecoding, .logonRejectRefusal, .enumValues, .enumNewerRefused, .newerField,
            .reference, .shutdown, .plain:
            return nil
        }
    }

    /// After a failed check: a heartbeat round trip, after which nothing the failed check caused
    /// can still be in flight (each connection keeps its order), then clean inboxes.
    func settle() throws(CellAbort) {
        unsettled = false
        guard negotiated > 0 else { return }
        do {
            _ = try heartbeatRoundTrip()
        } catch .missing {
            // The next check meets the broken session itself and says so.
        }
        session.clearInboxes()
    }

    /// The reference family runs in auto mode, every other check after the handshake in
    /// controlled mode, where the gateway sends only what it is told (P6).
    func setMode(for kind: CheckKind) throws(CellAbort) {
        guard negotiated > 0, kind != .shutdown else { return }
        let auto = kind.family == .reference
        guard auto != autoMode else { return }
        let answer = try session.request(.gateway, .mode(auto: auto))
        guard case .ok = answer.kind else {
            throw .contractViolation(session.label(.gateway), "mode was answered with \(answer.json.serialized) (P6)")
        }
        autoMode = auto
    }
}
