// The last rounds of a fleet: every session starts over with a second Logon (S2), one session
// each sends bad input, logs out and is killed while the others must go on undisturbed, no
// client got a frame meant for another, and everyone shuts down cleanly.

import Foundation
import MiniJSON
import PeerContract
import TGP

extension FleetExecution {
    /// S2: each session logs on again, narrowing its range where that gives another N; its new
    /// session has a new N and a new order book (the next order is orderId 1).
    func renegotiateRound() throws(CellAbort) {
        let gatewayRange = schema.peerRanges[plan.gateway.version]!
        for member in activeMembers where !isSkipped(member, .renegotiate) {
            let clientRange = schema.peerRanges[member.spec.version]!
            let current = sessions[member.index].version!
            let lowest = max(clientRange.lowerBound, gatewayRange.lowerBound)
            let newMax = current - 1 >= lowest ? current - 1 : current
            let failure = try guarded(member) { () throws(CellAbort) in
                let answer = try group.request(
                    client(member), .logon(username: "fleet-\(member.index)", min: clientRange.lowerBound, max: newMax))
                guard case .logonAck(let version, let sessionId) = answer.kind else {
                    return CheckFailure(
                        "a second Logon must be acknowledged (S2, P5)", expected: "logon_ack at \(newMax)", actual: answer.json.serialized)
                }
                if version != newMax {
                    return CheckFailure(
                        "a second Logon negotiates N again from its range (S2, N1)", field: "version", expected: "\(newMax)",
                        actual: "\(version)")
                }
                _ = try group.waitFor(client(member), what: "the new LogonAck") { Self.isInbound($0, type: "LogonAck") }
                sessions[member.index].version = version
                sessions[member.index].sessionId = sessionId
                sessions[member.index].book = OrderBook()
                return try firstOrderOfNewSession(member)
            }
            record(member, .renegotiate, failure)
        }
        gateway.inbox.removeAll()
    }

    private func firstOrderOfNewSession(_ member: FleetMember) throws(CellAbort) -> CheckFailure? {
        var order = sample(schema.message(named: "NewOrder")!, for: member, offset: 10)
        order["clOrdId"] = .unsigned(member.idBase + 11)
        let reply = try group.request(client(member), .send(message: order.json(knownAt: sessions[member.index].version!), session: nil))
        guard case .sent = reply.kind else {
            return CheckFailure("the first order of the new session was not sent", actual: reply.json.serialized)
        }
        return try expectAnswer(to: order, from: member, at: sessions[member.index].version!, what: "in the new session")
    }

    /// Does one disturbing thing to `member`, then every other session must still work.
    func isolate(_ member: FleetMember, _ isolation: Isolation) throws(CellAbort) {
        // Skipped for a peer's contract: not run at all, so nothing waits for what it cannot give.
        guard !isSkipped(member, isolation.check) else { return }
        let failure = try guarded(member) { () throws(CellAbort) in
            switch isolation {
            case .badInput: return try sendBadInput(member)
            case .logout: return try logOut(member)
            case .killed:
                drop(member, because: "killed on purpose")
                sessions[member.index].stopReason = "not run: killed on purpose"
                return nil
            }
        }
        let others = activeMembers.filter { $0.index != member.index }
        let disturbed = try heartbeatRound(others, after: isolation.check.path)
        record(member, isolation.check, failure ?? disturbed)
    }

    /// R8: a 7-byte frame draws a Reject{Malformed} to that session only.
    private func sendBadInput(_ member: FleetMember) throws(CellAbort) -> CheckFailure? {
        let reply = try group.request(client(member), .sendRaw(bytes: [0x1E, 0x00, 0x0A, 0x00, 0x47, 0x54, 0x05], session: nil))
        guard case .sent = reply.kind else { return CheckFailure("send_raw was not carried out", actual: reply.json.serialized) }
        guard
            let reject = try collect(
                member, until: roundDeadline(), what: "the Reject of the bad frame", { Self.isInbound($0, type: "Reject") })
        else {
            return CheckFailure("\(member.label) got no Reject for its 7-byte frame (R8)")
        }
        let expected = refusal(.malformed, refTemplateId: 0, for: member)
        return checkReceived(
            reject, expected, version: sessions[member.index].version!, knownAt: member.spec.version, only: ["code", "refTemplateId"])
    }

    /// S4/P14: a Logout is answered and ends that session only; the gateway then refuses to send to it.
    private func logOut(_ member: FleetMember) throws(CellAbort) -> CheckFailure? {
        let sessionId = sessions[member.index].sessionId
        let logout = Message(schema.message(named: "Logout")!, ["reason": .text("leaving \(member.label)")])
        let reply = try group.request(client(member), .send(message: logout.json(knownAt: sessions[member.index].version!), session: nil))
        guard case .sent = reply.kind else { return CheckFailure("the Logout was not sent", actual: reply.json.serialized) }
        sessions[member.index].active = false
        sessions[member.index].stopReason = "not run: logged out on purpose"
        guard try collect(member, until: roundDeadline(), what: "the Logout answer", { Self.isInbound($0, type: "Logout") }) != nil else {
            return CheckFailure("\(member.label) got no Logout back (S4)")
        }
        let ended = try? group.waitFor(gateway, what: "the gateway's logged_off for \(member.label)", until: roundDeadline()) {
            if case .session("logged_off", _, sessionId) = $0.kind { true } else { false }
        }
        if ended == nil { return CheckFailure("the gateway did not report \(member.label)'s session logged off (S4, P14)") }
        let heartbeat = Message(schema.message(named: "Heartbeat")!, ["timestamp": .unsigned(member.idBase + 99)])
        let refused = try group.request(gateway, .send(message: heartbeat.json(knownAt: 1), session: sessionId))
        guard case .sendRefused(let reason, _) = refused.kind, reason == "NotLoggedOn" else {
            return CheckFailure(
                "after its Logout, \(member.label)'s session must be gone: a send to it is refused (S4, P7)",
                expected: "send_refused NotLoggedOn", actual: refused.json.serialized)
        }
        return nil
    }

    /// Every member of `members` sends a Heartbeat at once and must get its own echo at its N (S4).
    func heartbeatRound(_ members: [FleetMember], after what: String) throws(CellAbort) -> CheckFailure? {
        var sent: [(FleetMember, Message, Message, JSON)] = []
        for member in members {
            _ = try guarded(member) { () throws(CellAbort) in
                var heartbeat = sample(schema.message(named: "Heartbeat")!, for: member)
                heartbeat["timestamp"] = .unsigned(member.idBase + 50 + UInt64(sent.count))
                // The rules answer every Heartbeat (S4).
                let echo = referenceAnswer(to: heartbeat, for: member)!
                sent.append(
                    (
                        member, heartbeat, echo,
                        try group.issue(
                            client(member), [.send(message: heartbeat.json(knownAt: sessions[member.index].version!), session: nil)])[0]
                    ))
                return nil
            }
        }
        let deadline = roundDeadline()
        var disturbed: [String] = []
        for (member, heartbeat, expected, id) in sent {
            let failure = try guarded(member) { () throws(CellAbort) in
                _ = try group.answer(client(member), id: id, to: "send Heartbeat")
                guard
                    let echo = try collect(
                        member, until: deadline, what: "the Heartbeat echo",
                        {
                            Self.isInbound($0, type: "Heartbeat")
                                && ($0.json["message"]?["fields"]?["timestamp"] == heartbeat.json(knownAt: 1)["fields"]?["timestamp"])
                        })
                else { return CheckFailure("no echo") }
                return checkReceived(echo, expected, version: sessions[member.index].version!, knownAt: member.spec.version)
            }
            if let failure { disturbed.append("\(member.label): \(failure.message)") }
        }
        gateway.inbox.removeAll()
        guard disturbed.isEmpty else {
            return CheckFailure("after \(what), other sessions were disturbed (S1)", actual: disturbed.joined(separator: "; "))
        }
        return nil
    }

    /// S1: no client received a frame no round expected (one meant for another session).
    func strayFrames() throws(CellAbort) {
        // A last heartbeat each: anything sent before it on a connection has arrived by its echo.
        _ = try heartbeatRound(activeMembers, after: "the rounds")
        var strays: [String] = []
        for member in activeMembers {
            for event in client(member).inbox {
                guard case .received(let json, _, _) = event.kind, event.id == nil else { continue }
                strays.append("\(member.label) got \(json["type"]?.stringValue ?? "?") \(json["fields"]?.serialized.prefix(120) ?? "")")
            }
        }
        record(
            nil, .noStrayFrames,
            strays.isEmpty
                ? nil
                : CheckFailure("frames reached sessions that did not ask for them (S1)", actual: strays.prefix(10).joined(separator: "; ")))
    }

    /// P9: every peer still running answers `bye` and exits 0.
    func shutdownAll() throws(CellAbort) {
        var problems: [String] = []
        for handle in clients.filter({ !$0.finished }) + [gateway] {
            do {
                let answer = try group.request(handle, .shutdown)
                guard case .bye = answer.kind else {
                    problems.append("\(handle.label) answered \(answer.json.serialized)")
                    continue
                }
            } catch {
                guard handle !== gateway else { throw error }
                problems.append(error.description)
                continue
            }
            let termination = handle.process.finish(grace: .seconds(2))
            if !termination.isCleanExit { problems.append("\(handle.label): \(termination)") }
        }
        record(
            nil, .shutdown,
            problems.isEmpty
                ? nil : CheckFailure("every peer answers shutdown with bye and exits 0 (P9)", actual: problems.joined(separator: "; ")))
    }
}
