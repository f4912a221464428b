// The rounds of a rolling upgrade: the fleet on FROM, FROM stopped, TO started on the same
// endpoint, every client's next request refused (S3), every client logged on again on the
// same connection (or cut off by design), traffic at the new N, and how long recovery took.

import Foundation
import MiniJSON
import PeerContract
import TGP

/// Milliseconds from TO listening to each client's LogonAck, beside the floor: the shortest
/// wait for a reconnected client's first frame plus the median round trip once reconnected.
public struct RecoveryTimes: Sendable {
    public var perClient: [(label: String, milliseconds: Double)] = []
    public var floorMilliseconds: Double?

    public var p50: Double? { perClient.isEmpty ? nil : perClient.map(\.milliseconds).sorted()[perClient.count / 2] }
    public var max: Double? { perClient.map(\.milliseconds).max() }

    public var summary: String {
        guard let p50, let max else { return "recovery: no client logged on again" }
        let floor = floorMilliseconds.map { String(format: "%.1f ms", $0) } ?? "—"
        return String(
            format: "recovery (TO listening → LogonAck): p50 %.1f ms, max %.1f ms, floor %@ (reconnect + one round trip), %d clients",
            p50, max, floor, perClient.count)
    }
}

extension FleetExecution {
    func runUpgrade(
        _ upgrade: UpgradePlan, endpoint: String, allowRemote: Bool,
        startTo: () throws(SpawnError) -> PeerHandle
    ) throws(CellAbort) -> RecoveryTimes {
        try helloRound()
        let bound = try start(endpoint: endpoint, allowRemote: allowRemote)
        try logonRound()
        try orderBookRound()
        let wasLoggedOn = activeMembers
        try stopFrom(kill: upgrade.kill)
        let newGateway: PeerHandle
        do {
            newGateway = try startTo()
        } catch {
            throw .contractViolation(PeerLabel(role: .gateway, name: upgrade.to.name), "\(upgrade.to.name) could not be started: \(error)")
        }
        group.add(newGateway)
        gateway = newGateway
        // Started and answering before it is asked to take over the endpoint.
        try group.request(gateway, .hello)
        _ = try group.listen(gateway, on: bound, allowRemote: allowRemote)
        let listening = ContinuousClock.now
        var recovery = RecoveryTimes()
        recovery.floorMilliseconds = try notLoggedOnRound(wasLoggedOn, since: listening)
        try relogonRound(upgrade, since: listening, recovery: &recovery)
        let roundTrip = try trafficAtNewVersion(upgrade)
        if let floor = recovery.floorMilliseconds, let roundTrip { recovery.floorMilliseconds = floor + roundTrip }
        let shouldRecover = plan.members.contains { member in
            if case .accepted = upgrade.after[member.index] { sessions[member.index].skipped == nil } else { false }
        }
        record(
            nil, .recovery,
            recovery.perClient.isEmpty && shouldRecover
                ? CheckFailure("no client logged on again after the upgrade (S3)") : nil)
        try shutdownAll()
        return recovery
    }

    /// FROM goes away: told to shut down, or killed as in a crash.
    private func stopFrom(kill: Bool) throws(CellAbort) {
        let from = gateway
        if kill {
            _ = from.process.kill()
        } else {
            let answer = try group.request(from, .shutdown)
            guard case .bye = answer.kind else {
                throw .contractViolation(from.label, "shutdown was answered with \(answer.json.serialized) (P9)")
            }
            _ = from.process.finish(grace: .seconds(2))
        }
        from.finished = true
    }

    /// S3/R9: each client that was logged on sends its next request; the new gateway has no
    /// session, so it draws Reject{NotLoggedOn} at version 1 (RJ4). Returns the shortest time
    /// from TO listening to a refusal reaching a client, in milliseconds.
    private func notLoggedOnRound(_ members: [FleetMember], since listening: ContinuousClock.Instant) throws(CellAbort) -> Double? {
        var sent: [(FleetMember, JSON)] = []
        for member in members where !client(member).finished {
            _ = try guarded(member) { () throws(CellAbort) in
                var order = sample(schema.message(named: "NewOrder")!, for: member, offset: 20)
                order["clOrdId"] = .unsigned(member.idBase + 21)
                sent.append(
                    (
                        member,
                        try group.issue(
                            client(member), [.send(message: order.json(knownAt: sessions[member.index].version!), session: nil)])[0]
                    ))
                return nil
            }
        }
        let deadline = roundDeadline()
        var firstRefusal: Double?
        for (member, id) in sent {
            let failure = try guarded(member) { () throws(CellAbort) in
                _ = try group.answer(client(member), id: id, to: "send NewOrder")
                guard
                    let reject = try collect(
                        member, until: deadline, what: "the new gateway's Reject", { Self.isInbound($0, type: "Reject") })
                else {
                    return CheckFailure(
                        "\(member.label)'s next request drew nothing from the new gateway: a restarted gateway has no sessions (S3, R9)")
                }
                let waited = (ContinuousClock.now - listening).seconds * 1000
                firstRefusal = min(firstRefusal ?? waited, waited)
                let expected = refusal(.notLoggedOn, for: member).projected(onto: 1)
                return checkReceived(reject, expected, version: 1, knownAt: member.spec.version, only: ["code"])
            }
            // The client is not logged on now, whatever it believed.
            sessions[member.index].version = nil
            record(member, .notLoggedOn, failure)
            if failure == nil { sessions[member.index].active = true }
        }
        gateway.inbox.removeAll()
        return firstRefusal
    }

    /// Every client logs on again on the same connection, all at once: N from TO's range, or a
    /// clean LogonReject (cut off, which the support policy may forbid).
    private func relogonRound(_ upgrade: UpgradePlan, since listening: ContinuousClock.Instant, recovery: inout RecoveryTimes)
        throws(CellAbort)
    {
        let members = plan.members.filter { member in
            guard !client(member).finished, sessions[member.index].skipped == nil else { return false }
            return !skipsLogon(member, Self.relogonCheck(upgrade, member))
        }
        var ids: [Int: JSON] = [:]
        for member in members {
            _ = try guarded(member) { () throws(CellAbort) in
                ids[member.index] = try group.issue(client(member), [.logon(username: "fleet-\(member.index)", min: nil, max: nil)])[0]
                return nil
            }
        }
        for member in members {
            guard let id = ids[member.index], !client(member).finished else { continue }
            var recovered = false
            let failure = try guarded(member) { () throws(CellAbort) in
                let reply = try group.answer(client(member), id: id, to: "logon")
                switch (upgrade.after[member.index], reply.kind) {
                case (.accepted(let expected), .logonAck(let version, let sessionId)):
                    guard version == expected else {
                        return CheckFailure(
                            "the new gateway negotiated another N (N1)", field: "version", expected: "\(expected)", actual: "\(version)")
                    }
                    recovery.perClient.append((member.label, (ContinuousClock.now - listening).seconds * 1000))
                    _ = try group.waitFor(client(member), what: "the LogonAck") { Self.isInbound($0, type: "LogonAck") }
                    sessions[member.index] = Session(version: version, sessionId: sessionId, active: true)
                    recovered = true
                    return nil
                case (.rejected(let supported), .logonRejected(let reason, let supportedMin, let supportedMax)):
                    sessions[member.index].active = false
                    sessions[member.index].stopReason = "cut off by \(upgrade.to.name)"
                    if reason != "UnsupportedVersion" || supportedMin != supported.lowerBound || supportedMax != supported.upperBound {
                        return CheckFailure(
                            "a cut-off client gets a clean LogonReject with the gateway's range (N2)",
                            expected: "UnsupportedVersion \(supported)", actual: "\(reason) \(supportedMin)..\(supportedMax)")
                    }
                    if upgrade.unsupported.contains(member.index) {
                        return CheckFailure(
                            "support-cut-off@gateway=\(upgrade.to.name):client=\(member.spec.name): matrix.json's support policy says \(upgrade.to.name) must serve \(member.spec.name), but their ranges do not overlap"
                        )
                    }
                    return nil
                default:
                    return CheckFailure(
                        "logging on to the new gateway should end in \(upgrade.after[member.index])", actual: reply.json.serialized)
                }
            }
            record(member, Self.relogonCheck(upgrade, member), failure)
            if failure != nil && recovered { sessions[member.index].active = false }
        }
        gateway.inbox.removeAll()
    }

    /// The check a member's logon to TO is: a relogon, or a cut-off by design.
    private static func relogonCheck(_ upgrade: UpgradePlan, _ member: FleetMember) -> FleetCheck {
        if case .accepted = upgrade.after[member.index] { .relogon } else { .cutOff }
    }

    /// S3/G1: traffic goes on at the new N (a new order book: orderId 1); a type newer than the
    /// new N is refused (E2), a type or an enum value. Returns the median order round trip in milliseconds.
    private func trafficAtNewVersion(_ upgrade: UpgradePlan) throws(CellAbort) -> Double? {
        var roundTrips: [Double] = []
        for member in activeMembers {
            let version = sessions[member.index].version!
            let failure = try guarded(member) { () throws(CellAbort) in
                var order = sample(schema.message(named: "NewOrder")!, for: member, offset: 30)
                order["clOrdId"] = .unsigned(member.idBase + 31)
                let started = ContinuousClock.now
                let reply = try group.request(client(member), .send(message: order.json(knownAt: version), session: nil))
                guard case .sent = reply.kind else {
                    return CheckFailure("the order was not sent at \(version)", actual: reply.json.serialized)
                }
                return try expectAnswer(to: order, from: member, at: version, what: "from the new gateway") {
                    roundTrips.append((ContinuousClock.now - started).seconds * 1000)
                }
            }
            record(member, .traffic, failure)
            guard failure == nil, let newer = UpgradePlan.newerThanN(schema, samples, for: member, at: version), let message = newer.message
            else { continue }
            let refusal = try guarded(member) { () throws(CellAbort) in
                let reply = try group.request(
                    client(member), .send(message: message.json(knownAt: max(version, message.type.since)), session: nil))
                guard case .sendRefused("UnsupportedInVersion", _) = reply.kind else {
                    return CheckFailure(
                        "\(newer.what) is newer than the new N \(version): the client must refuse it (E2)",
                        expected: "send_refused UnsupportedInVersion", actual: reply.json.serialized)
                }
                return nil
            }
            record(member, .newerRefused, refusal)
        }
        gateway.inbox.removeAll()
        return roundTrips.isEmpty ? nil : roundTrips.sorted()[roundTrips.count / 2]
    }
}

extension FleetExecution {
    /// A client-side upgrade: the fleet logs on to the gateway and opens orders; one client
    /// stops (or is killed) and a client of another version joins in its place, logs on and
    /// trades at its own N (or is cut off); every other session goes on undisturbed (S1).
    func runClientUpgrade(_ upgrade: UpgradePlan, replaced: Int, newcomer: Int, endpoint: String, allowRemote: Bool) throws(CellAbort) {
        try helloRound()
        let bound = try start(endpoint: endpoint, allowRemote: allowRemote)
        try logonRound()
        try orderBookRound()
        let old = plan.members[replaced]
        if upgrade.kill {
            drop(old, because: "killed on purpose")
        } else {
            _ = try guarded(old) { () throws(CellAbort) in
                try group.request(client(old), .shutdown)
                _ = client(old).process.finish(grace: .seconds(2))
                client(old).finished = true
                return nil
            }
        }
        sessions[replaced].active = false
        sessions[replaced].stopReason = "replaced by \(upgrade.to.name)"
        let member = plan.members[newcomer]
        let what: FleetCheck = member.negotiated == nil ? .cutOff : .relogon
        if sessions[member.index].skipped == nil && !skipsLogon(member, what) {
            let failure = try guarded(member) { () throws(CellAbort) in
                try group.connect(client(member), to: bound)
                let reply = try group.request(client(member), .logon(username: "fleet-\(member.index)", min: nil, max: nil))
                return try joined(member, reply: reply, upgrade: upgrade)
            }
            record(member, what, failure)
            if failure == nil, member.negotiated != nil { record(member, .traffic, try firstOrder(member)) }
        }
        let others = activeMembers.filter { $0.index != newcomer }
        record(nil, .othersUndisturbed, try heartbeatRound(others, after: "\(old.label) was replaced by \(member.label)"))
        try shutdownAll()
    }

    /// The new client's logon: N from its range, or a clean LogonReject (which the support policy may forbid).
    private func joined(_ member: FleetMember, reply: Event, upgrade: UpgradePlan) throws(CellAbort) -> CheckFailure? {
        switch (member.negotiation, reply.kind) {
        case (.accepted(let expected), .logonAck(let version, let sessionId)):
            guard version == expected else {
                return CheckFailure(
                    "the gateway negotiated another N (N1)", field: "version", expected: "\(expected)", actual: "\(version)")
            }
            _ = try group.waitFor(client(member), what: "the LogonAck") { Self.isInbound($0, type: "LogonAck") }
            sessions[member.index] = Session(version: version, sessionId: sessionId, active: true)
            return nil
        case (.rejected(let supported), .logonRejected(let reason, let supportedMin, let supportedMax)):
            if reason != "UnsupportedVersion" || supportedMin != supported.lowerBound || supportedMax != supported.upperBound {
                return CheckFailure(
                    "a cut-off client gets a clean LogonReject with the gateway's range (N2)", expected: "UnsupportedVersion \(supported)",
                    actual: "\(reason) \(supportedMin)..\(supportedMax)")
            }
            if upgrade.unsupported.contains(member.index) {
                return CheckFailure(
                    "support-cut-off@gateway=\(plan.gateway.name):client=\(member.spec.name): matrix.json's support policy says \(plan.gateway.name) must serve \(member.spec.name), but their ranges do not overlap"
                )
            }
            return nil
        default:
            return CheckFailure("the new client's logon should end in \(member.negotiation)", actual: reply.json.serialized)
        }
    }

    /// G1: the new session's first order gets orderId 1, at its N.
    private func firstOrder(_ member: FleetMember) throws(CellAbort) -> CheckFailure? {
        try guarded(member) { () throws(CellAbort) in
            let version = sessions[member.index].version!
            let order = sample(schema.message(named: "NewOrder")!, for: member)
            let reply = try group.request(client(member), .send(message: order.json(knownAt: version), session: nil))
            guard case .sent = reply.kind else {
                return CheckFailure("the order was not sent at \(version)", actual: reply.json.serialized)
            }
            return try expectAnswer(to: order, from: member, at: version, what: "for the new client")
        }
    }
}
