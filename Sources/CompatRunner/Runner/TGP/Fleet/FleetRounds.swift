// The rounds of a fleet, in order: everyone logs on at once; each session places orders and
// sends every type it may, the gateway sends each session every type it may; everyone logs on
// again with a narrower range; then one session sends bad input, one logs out and one is
// killed, and the others must not notice. Expectations come from the schema and the samples,
// and every answer of the gateway's from its rules (TGP's ReferenceGateway) over each session's book.

import Foundation
import MiniJSON
import PeerContract
import TGP

extension FleetExecution {
    func run(endpoint: String, allowRemote: Bool) throws(CellAbort) {
        try helloRound()
        try start(endpoint: endpoint, allowRemote: allowRemote)
        try logonRound()
        try orderBookRound()
        for type in FleetPlan.requests(schema) { try requestRound(type) }
        for type in FleetPlan.sends(schema) { try sendRound(type) }
        try renegotiateRound()
        for member in plan.members {
            if let isolation = plan.isolation(of: member), sessions[member.index].active { try isolate(member, isolation) }
        }
        try strayFrames()
        try shutdownAll()
    }

    // MARK: Start and logon

    /// The gateway listens; every client connects (commands to all first, then the answers).
    /// Returns the endpoint the gateway reported.
    @discardableResult
    func start(endpoint: String, allowRemote: Bool) throws(CellAbort) -> String {
        let bound = try group.listen(gateway, on: endpoint, allowRemote: allowRemote)
        var pending: [(FleetMember, JSON)] = []
        for member in plan.members where !plan.joinsLater.contains(member.index) {
            let failure = try guarded(member) { () throws(CellAbort) in
                pending.append((member, try group.issue(client(member), [.connect(endpoint: bound)])[0]))
                return nil
            }
            if let failure { record(member, .handshake, failure) }
        }
        for (member, id) in pending where !client(member).finished {
            let failure = try guarded(member) { () throws(CellAbort) in
                let answer = try group.answer(client(member), id: id, to: "connect")
                guard case .connected = answer.kind else { return CheckFailure("connect was answered with \(answer.json.serialized) (P4)") }
                return nil
            }
            if let failure {
                drop(member, because: failure.message)
                record(member, .handshake, failure)
            }
        }
        return bound
    }

    /// N1/N2/S1: every client logs on at once; each gets N from its own range, or a clean LogonReject.
    func logonRound() throws(CellAbort) {
        let ready = plan.members.filter {
            !client($0).finished && !plan.joinsLater.contains($0.index) && sessions[$0.index].skipped == nil
        }
        var ids: [Int: JSON] = [:]
        for member in ready {
            _ = try guarded(member) { () throws(CellAbort) in
                ids[member.index] = try group.issue(client(member), [.logon(username: "fleet-\(member.index)", min: nil, max: nil)])[0]
                return nil
            }
        }
        for member in ready {
            guard let id = ids[member.index], !client(member).finished else { continue }
            let failure = try guarded(member) { () throws(CellAbort) in
                try handshake(member, answer: try group.answer(client(member), id: id, to: "logon"))
            }
            record(member, .handshake, failure)
            if failure == nil, sessions[member.index].active, !isSkipped(member, .sessionReported) {
                record(member, .sessionReported, try guarded(member) { () throws(CellAbort) in try sessionReported(member) })
            }
        }
        gateway.inbox.removeAll { Self.isInbound($0, type: "Logon") }
    }

    /// S1/P14: the gateway reports the member's session, told apart by its sessionId, at its N.
    private func sessionReported(_ member: FleetMember) throws(CellAbort) -> CheckFailure? {
        let session = sessions[member.index]
        let sessionId = session.sessionId ?? ""
        let state = try group.waitFor(gateway, what: "the gateway's session event for \(member.label) (P14)") {
            if case .session("logged_on", _, sessionId?) = $0.kind { true } else { false }
        }
        guard case .session(_, let version, _) = state.kind, version == session.version else {
            return CheckFailure(
                "the gateway reported \(member.label)'s session at another version (S1)", expected: "logged_on at \(session.version ?? 0)",
                actual: state.json.serialized)
        }
        return nil
    }

    private func handshake(_ member: FleetMember, answer: Event) throws(CellAbort) -> CheckFailure? {
        let gatewayRange = schema.peerRanges[plan.gateway.version]!
        switch (member.negotiation, answer.kind) {
        case (.accepted(let expected), .logonAck(let version, let sessionId)):
            guard version == expected else {
                return CheckFailure(
                    "negotiated version differs from min(client max, gateway max) (N1)", field: "version", expected: "\(expected)",
                    actual: "\(version)")
            }
            _ = try group.waitFor(client(member), what: "the LogonAck") { Self.isInbound($0, type: "LogonAck") }
            sessions[member.index] = Session(version: version, sessionId: sessionId, active: true)
            return nil
        case (.rejected(let supported), .logonRejected(let reason, let supportedMin, let supportedMax)):
            _ = try group.waitFor(client(member), what: "the LogonReject") { Self.isInbound($0, type: "LogonReject") }
            sessions[member.index].stopReason = "cut off: versions do not overlap (LogonReject)"
            if reason != "UnsupportedVersion" || supportedMin != supported.lowerBound || supportedMax != supported.upperBound {
                return CheckFailure(
                    "LogonReject must carry UnsupportedVersion and the gateway's range (N2)",
                    expected: "UnsupportedVersion \(gatewayRange)",
                    actual: "\(reason) \(supportedMin)..\(supportedMax)")
            }
            return nil
        default:
            return CheckFailure("the logon should end in \(member.negotiation) (N1, N2)", actual: answer.json.serialized)
        }
    }

    // MARK: Traffic

    /// A member's sample of `type` at its N, with the ids that make its frames its own.
    func sample(_ type: MessageSchema, for member: FleetMember, offset: UInt64 = 0) -> Message {
        var message = samples[type].sample.projected(onto: sessions[member.index].version ?? 1)
        let base = member.idBase + offset
        for (field, value) in [("clOrdId", base + 1), ("origClOrdId", base + 1), ("refClOrdId", base + 8), ("timestamp", base + 7)]
        where message[field] != nil { message[field] = .unsigned(value) }
        return message
    }

    /// G1/S1: each session places two orders; each gets orderIds 1 and 2, at its own N, alone.
    func orderBookRound() throws(CellAbort) {
        let newOrder = schema.message(named: "NewOrder")!
        try trafficRound(.orderBook, members: activeMembers) { member in
            let first = sample(newOrder, for: member)
            var second = first
            second["clOrdId"] = .unsigned(member.idBase + 2)
            return [first, second].map { ($0, referenceAnswer(to: $0, for: member)) }
        }
    }

    /// S1, S4, G2–G4: each session sends `type`; the gateway delivers it at that session's N and
    /// answers only that session, as its rules say.
    private func requestRound(_ type: MessageSchema) throws(CellAbort) {
        let members = activeMembers.filter { type.since <= sessions[$0.index].version! }
        try trafficRound(.sample(type.name, .clientToGateway), members: members) { member in
            var message = sample(type, for: member)
            switch rules.request(of: type) {
            case .cancelOrder?:
                // The first order of the order-book round (the sample's origClOrdId).
                message["clOrdId"] = .unsigned(member.idBase + 4)
            case .modifyOrder?:
                // The second order of the order-book round.
                message["clOrdId"] = .unsigned(member.idBase + 3)
                message["origClOrdId"] = .unsigned(member.idBase + 2)
            case .massCancel?:
                message["clOrdId"] = .unsigned(member.idBase + 5)
                message["scope"] = type.enumValue("All", of: "scope")
            case .heartbeat?, .newOrder?:
                // The sample as it is: echoed (S4); NewOrders are the order-book round's.
                break
            case nil:
                // A type no rule answers (a Reject: never answered, RJ3): delivered, and nothing comes back.
                break
            }
            return [(message, referenceAnswer(to: message, for: member))]
        }
    }

    /// The answer the gateway's rules give `request` in `member`'s session, at its N; the
    /// session's book goes on from it.
    func referenceAnswer(to request: Message, for member: FleetMember) -> Message? {
        rules.answer(to: request, in: &sessions[member.index].book, at: sessions[member.index].version ?? 1)
    }

    /// After `member` sent `request` at `version`: its answer must be the one the rules give, on
    /// the fields its rule decides; `what` says where it is awaited, `arrived` runs when it came.
    func expectAnswer(
        to request: Message, from member: FleetMember, at version: Int, what: String, arrived: () -> Void = {}
    ) throws(CellAbort) -> CheckFailure? {
        guard let rule = rules.request(of: request.type)?.rule, let expected = referenceAnswer(to: request, for: member) else {
            return CheckFailure("no rule of the reference gateway answers \(request.type.name) in this schema")
        }
        let type = expected.type.name
        guard let answer = try collect(member, until: roundDeadline(), what: "the \(type) \(what)", { Self.isInbound($0, type: type) })
        else {
            return CheckFailure("no \(type) \(what) (\(rule))")
        }
        arrived()
        return checkReceived(
            answer, expected, version: version, knownAt: member.spec.version, only: Set(rules.decidedFields(of: expected.type)))
    }

    /// The Reject a refusal by R5–R9 draws, at `member`'s N: its code, naming `refTemplateId` (RJ1).
    func refusal(_ code: RejectCode, refTemplateId: UInt16 = 0, for member: FleetMember) -> Message {
        let type = schema.message(named: "Reject")!
        var reject = Message(type)
        reject["code"] = type.enumValue(code.name, of: "code") ?? .unsigned(UInt64(code.rawValue))
        reject["refTemplateId"] = .unsigned(UInt64(refTemplateId))
        return reject.projected(onto: sessions[member.index].version ?? 1)
    }

    /// One round: every member sends its messages at once; then, by one deadline, the gateway
    /// must have delivered each at the member's N, and each member must have got exactly its
    /// expected answers (fields the reference gateway chooses, like transactTime, aside).
    private func trafficRound(_ what: FleetCheck, members: [FleetMember], _ messages: (FleetMember) -> [(Message, Message?)])
        throws(CellAbort)
    {
        var sent: [Int: [(message: Message, expected: Message?, id: JSON)]] = [:]
        for member in members {
            let failure = try guarded(member) { () throws(CellAbort) in
                let version = sessions[member.index].version!
                let batch = messages(member)
                let ids = try group.issue(client(member), batch.map { .send(message: $0.0.json(knownAt: version), session: nil) })
                sent[member.index] = zip(batch, ids).map { ($0.0, $0.1, $1) }
                return nil
            }
            if let failure { record(member, what, failure) }
        }
        let deadline = roundDeadline()
        var missing = false
        for member in members {
            guard let batch = sent[member.index], sessions[member.index].active else { continue }
            let failure = try guarded(member) { () throws(CellAbort) in
                try checkTraffic(member, batch, until: deadline, missing: &missing)
            }
            record(member, what, failure)
        }
        if missing { try gatewayStillAnswers() }
        gateway.inbox.removeAll()
    }

    private func checkTraffic(
        _ member: FleetMember, _ batch: [(message: Message, expected: Message?, id: JSON)],
        until deadline: ContinuousClock.Instant, missing: inout Bool
    ) throws(CellAbort) -> CheckFailure? {
        let version = sessions[member.index].version!
        for item in batch {
            let reply = try group.answer(client(member), id: item.id, to: "send \(item.message.type.name)")
            guard case .sent(let bytes) = reply.kind else {
                return CheckFailure(
                    "\(member.label) did not send \(item.message.type.name) at \(version)", expected: "sent", actual: reply.json.serialized)
            }
            guard
                let delivered = try collectAtGateway(
                    bytes, until: deadline, what: "the gateway's event for \(member.label)'s \(item.message.type.name)")
            else {
                missing = true
                return CheckFailure("the gateway reported no \(item.message.type.name) from \(member.label) (P11)", sentFrame: bytes)
            }
            if let failure = checkReceived(delivered, item.message, version: version, knownAt: plan.gateway.version) { return failure }
            guard let expected = item.expected else { continue }
            guard
                let answer = try collect(
                    member, until: deadline, what: "the gateway's \(expected.type.name) to \(member.label)",
                    { Self.isInbound($0, type: expected.type.name) })
            else {
                missing = true
                return CheckFailure(
                    "\(member.label) got no \(expected.type.name): the gateway did not answer this session, or answered another (S1)",
                    expected: expected.type.name, sentFrame: bytes)
            }
            if let failure = checkReceived(
                answer, expected, version: version, knownAt: member.spec.version, only: Set(rules.decidedFields(of: expected.type)))
            {
                return failure
            }
        }
        return nil
    }

    /// The event delivered `expected` at `version` (E1), as a peer of `knownAt` lists it (P12).
    func checkReceived(_ event: Event, _ expected: Message, version: Int, knownAt: Int, only fields: Set<String>? = nil) -> CheckFailure? {
        guard case .received(let json, let reportedVersion, let bytes) = event.kind else {
            return CheckFailure("\(expected.type.name) was refused", expected: "received", actual: event.json.serialized)
        }
        if json["type"]?.stringValue != expected.type.name {
            return CheckFailure(
                "another message type arrived", field: "type", expected: expected.type.name, actual: json["type"]?.serialized ?? "missing",
                receivedFrame: bytes)
        }
        if reportedVersion != version {
            return CheckFailure(
                "a session's frames are encoded at its own N (S1, E1)", field: "version", expected: "\(version)",
                actual: "\(reportedVersion)", receivedFrame: bytes)
        }
        let actual: Message
        do {
            actual = try Message(json: json, schema: schema, knownAt: knownAt)
        } catch {
            return CheckFailure(
                "the message does not read as version \(knownAt) knows it (P12): \(error)", actual: json.serialized, receivedFrame: bytes)
        }
        for (index, field) in expected.type.logicalFields.enumerated()
        where field.since <= knownAt && (fields?.contains(field.name) ?? true) {
            if expected.values[index] != actual.values[index] {
                let render = { (message: Message) in message.json(knownAt: knownAt)["fields"]?[field.name]?.serialized ?? "missing" }
                return CheckFailure(
                    "\(expected.type.name).\(field.name) arrived with another value", field: "\(expected.type.name).\(field.name)",
                    expected: render(expected), actual: render(actual), receivedFrame: bytes)
            }
        }
        return nil
    }

    /// S1/P7: the gateway sends each session `type`, naming the session; only that client gets it, at its N.
    private func sendRound(_ type: MessageSchema) throws(CellAbort) {
        let members = activeMembers.filter { type.since <= sessions[$0.index].version! }
        guard !members.isEmpty else { return }
        let messages = members.map { sample(type, for: $0) }
        let ids = try group.issue(
            gateway,
            zip(members, messages).map { member, message in
                .send(message: message.json(knownAt: sessions[member.index].version!), session: sessions[member.index].sessionId)
            })
        let deadline = roundDeadline()
        var missing = false
        for (member, (message, id)) in zip(members, zip(messages, ids)) {
            let reply = try group.answer(gateway, id: id, to: "send \(type.name) to \(member.label)")
            guard case .sent(let bytes) = reply.kind else {
                record(
                    member, .sample(type.name, .gatewayToClient),
                    CheckFailure(
                        "the gateway did not send \(type.name) to session \(sessions[member.index].sessionId ?? "?") (P7)",
                        expected: "sent", actual: reply.json.serialized))
                continue
            }
            let failure = try guarded(member) { () throws(CellAbort) in
                guard
                    let event = try collect(
                        member, until: deadline, what: "\(type.name) sent to \(member.label)", { Self.isInbound($0, type: type.name) })
                else {
                    missing = true
                    return CheckFailure(
                        "\(member.label) got no \(type.name): the gateway sent it to another session, or not at all (S1, P7)",
                        sentFrame: bytes)
                }
                return checkReceived(event, message, version: sessions[member.index].version!, knownAt: member.spec.version)
            }
            record(member, .sample(type.name, .gatewayToClient), failure)
        }
        if missing { try gatewayStillAnswers() }
    }
}
