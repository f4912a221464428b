// Hello and handshake: each peer's hello against the schema (P3, N3), R9 before logon, the
// negotiation (N1–N3, E3), the Logon decoded forward (R10), and a clean shutdown (P9).

import MiniJSON
import PeerContract
import TGP

extension CellExecutor {
    func checkHello(_ role: Role) throws(CellAbort) -> CheckFailure? {
        let answer = try session.request(role, .hello)
        guard case .hello(_, let version, let min, let max, let helloRole, let messages, _) = answer.kind else {
            return CheckFailure("hello was answered with \(answer.json.serialized) (P3)")
        }
        noteContract(of: answer, role)
        let peerVersion = self.version(role)
        let schema = schema(of: role)
        let range = schema.peerRanges[peerVersion]!
        for (field, expected, actual) in [
            ("version", "\(peerVersion)", "\(version)"), ("min", "\(range.lowerBound)", "\(min)"),
            ("max", "\(range.upperBound)", "\(max)"), ("role", role.rawValue, helloRole),
        ]
        where expected != actual {
            return CheckFailure(
                "\(name(role))'s hello disagrees with the schema for version \(peerVersion) (P3, N3)", field: field, expected: expected,
                actual: actual)
        }
        let known = Set(schema.messages(knownAt: peerVersion).map(\.name))
        if let unknown = messages.first(where: { !known.contains($0) }) {
            return CheckFailure(
                "\(name(role))'s hello lists a message type version \(peerVersion) does not have (P3)", field: "messages",
                expected: known.sorted().joined(separator: ","), actual: unknown)
        }
        return nil
    }

    /// Once both peers said hello: the kinds their contract versions cannot take.
    private func noteContract(of hello: Event, _ role: Role) {
        contracts[role] = ContractGate.contract(of: hello)
        guard let client = contracts[.client], let gateway = contracts[.gateway] else { return }
        let gate = ContractGate(client: (peers.client, client), gateway: (peers.gateway, gateway), accepted: acceptedSkips)
        contractSkips = gate.skips(CheckKind.allCases.filter(\.isCellKind))
    }

    /// R9: a message before logon draws Reject{NotLoggedOn}, encoded at version 1 (RJ4), which
    /// the client, not logged on, still accepts.
    func beforeLogon(_ frame: [UInt8], refTemplateId: UInt16) throws(CellAbort) -> CheckFailure? {
        try session.connectPeers(endpoint: endpoint, allowRemote: allowRemote)
        return try expectRefusal(frame, from: .client, code: .notLoggedOn, refTemplateId: refTemplateId, rejectVersion: 1, heartbeat: false)
    }

    /// Logs on and checks the outcome against the schema's negotiation (N1, N2).
    func handshake() throws(CellAbort) -> CheckFailure? {
        if !session.connected { try session.connectPeers(endpoint: endpoint, allowRemote: allowRemote) }
        let answer = try session.request(.client, .logon(username: "compat", min: nil, max: nil))
        let gatewayRange = schema.peerRanges[peers.gatewayVersion]!
        switch (plan.negotiation!, answer.kind) {
        case (.accepted(let expected), .logonAck(let version, _)):
            guard version == expected else {
                return CheckFailure(
                    "negotiated version differs from min(client max, gateway max) (N1)", field: "version", expected: "\(expected)",
                    actual: "\(version)")
            }
            let state = try session.awaitUnsolicited(.gateway, causedBy: .gateway, what: "the gateway's session event (P14)") {
                if case .session = $0.kind { true } else { false }
            }
            guard case .session("logged_on", let sessionVersion, _) = state.kind, sessionVersion == expected else {
                return CheckFailure(
                    "the gateway did not report the session logged on at \(expected) (P14)", expected: "logged_on at \(expected)",
                    actual: state.json.serialized)
            }
            negotiated = version
            return try checkLogonAckFrame()
        case (.rejected(let supported), .logonRejected(let reason, let supportedMin, let supportedMax)):
            if reason != "UnsupportedVersion" {
                return CheckFailure("wrong LogonReject reason (N2)", field: "reason", expected: "UnsupportedVersion", actual: reason)
            }
            if supportedMin != supported.lowerBound || supportedMax != supported.upperBound {
                return CheckFailure(
                    "LogonReject must carry the gateway's range (N2)", field: "supportedMin..supportedMax",
                    expected: "\(supported.lowerBound)..\(supported.upperBound)", actual: "\(supportedMin)..\(supportedMax)")
            }
            return nil
        case (.accepted(let expected), _):
            return CheckFailure(
                "logon should be acknowledged at version \(expected) (N1)", expected: "logon_ack", actual: answer.json.serialized)
        case (.rejected, _):
            let clientRange = schema.peerRanges[peers.clientVersion]!
            return CheckFailure(
                "versions \(clientRange) and \(gatewayRange) do not overlap: logon must be refused (N1, N2)",
                expected: "logon_rejected UnsupportedVersion", actual: answer.json.serialized)
        }
    }

    /// E3: LogonAck at N, carrying N.
    private func checkLogonAckFrame() throws(CellAbort) -> CheckFailure? {
        let inbound = try session.awaitUnsolicited(.client, causedBy: .gateway, what: "the client's received LogonAck (P11)") {
            Self.isInbound($0, type: "LogonAck")
        }
        guard case .received(let json, let version, let bytes) = inbound.kind else { return nil }
        let logonAck = schema.message(named: "LogonAck")!
        if let failure = checkHeader(bytes, type: logonAck, version: negotiated) { return failure }
        if version != negotiated {
            return CheckFailure(
                "LogonAck is encoded at N (E3)", field: "version", expected: "\(negotiated)", actual: "\(version)", receivedFrame: bytes)
        }
        if json["fields"]?["version"]?.intValue != negotiated {
            return CheckFailure(
                "LogonAck.version must be N (N1)", field: "LogonAck.version", expected: "\(negotiated)",
                actual: json["fields"]?["version"]?.serialized ?? "missing", receivedFrame: bytes)
        }
        return nil
    }

    /// E3/R10: the gateway decoded the Logon the client encoded at its maximum.
    func logonForwardDecoding() throws(CellAbort) -> CheckFailure? {
        let clientRange = schema.peerRanges[peers.clientVersion]!
        let inbound = try session.awaitUnsolicited(.gateway, causedBy: .client, what: "the gateway's received Logon (P11)") {
            Self.isInbound($0, type: "Logon") || Self.isRefusal($0)
        }
        guard case .received(let json, let version, let bytes) = inbound.kind else {
            return CheckFailure("the gateway refused the Logon (R10)", expected: "received Logon", actual: inbound.json.serialized)
        }
        if version != clientRange.upperBound {
            return CheckFailure(
                "Logon must be encoded at the client's maximum (E3)", field: "header.version", expected: "\(clientRange.upperBound)",
                actual: "\(version)", sentFrame: bytes)
        }
        let logon = schema.message(named: "Logon")!
        var expected = Message(
            logon,
            [
                "minVersion": .unsigned(UInt64(clientRange.lowerBound)), "maxVersion": .unsigned(UInt64(clientRange.upperBound)),
                "username": .text("compat"),
            ])
        // The client chooses heartbeatMs and capabilities: take them from the frame as decoded by the schema.
        if let decoded = try? codec.decode(bytes, asVersion: peers.gatewayVersion).message {
            expected["heartbeatMs"] = decoded["heartbeatMs"]
            expected["capabilities"] = decoded["capabilities"]
        }
        return compare(json, expected.projected(onto: min(version, peers.gatewayVersion)), receiver: .gateway, frame: bytes)
    }

    static func isRefusal(_ event: Event) -> Bool {
        if case .rejectedInbound = event.kind { event.id == nil } else { false }
    }

    /// N2/E3: the LogonReject frame, at min(client max, gateway max), with the gateway's range.
    func logonRejectRefusal() throws(CellAbort) -> CheckFailure? {
        let clientRange = schema.peerRanges[peers.clientVersion]!
        let gatewayRange = schema.peerRanges[peers.gatewayVersion]!
        let inbound = try session.awaitUnsolicited(.client, causedBy: .gateway, what: "the client's received LogonReject (P11)") {
            Self.isInbound($0, type: "LogonReject") || Self.isRefusal($0)
        }
        guard case .received(let json, let version, let bytes) = inbound.kind else {
            return CheckFailure("the client refused the LogonReject", expected: "received LogonReject", actual: inbound.json.serialized)
        }
        let expectedVersion = Negotiation.logonRejectVersion(clientMax: clientRange.upperBound, gatewayMax: gatewayRange.upperBound)
        if version != expectedVersion {
            return CheckFailure(
                "LogonReject is encoded at min(client max, gateway max) (E3)", field: "header.version", expected: "\(expectedVersion)",
                actual: "\(version)", receivedFrame: bytes)
        }
        guard let fields = json["fields"], fields["reason"]?.stringValue == "UnsupportedVersion",
            fields["supportedMin"]?.intValue == gatewayRange.lowerBound, fields["supportedMax"]?.intValue == gatewayRange.upperBound
        else {
            return CheckFailure(
                "the LogonReject frame must carry UnsupportedVersion and the gateway's range (N2)",
                expected: "UnsupportedVersion \(gatewayRange)", actual: json.serialized, receivedFrame: bytes)
        }
        let state = try session.awaitUnsolicited(.gateway, causedBy: .gateway, what: "the gateway's session event (P14)") {
            if case .session = $0.kind { true } else { false }
        }
        guard case .session("rejected", _, _) = state.kind else {
            return CheckFailure("the gateway must report the session rejected (P14)", expected: "rejected", actual: state.json.serialized)
        }
        return nil
    }

    /// P9: both peers answer `bye` and exit 0.
    func shutdown() throws(CellAbort) -> CheckFailure? {
        // Both are told at once, so they wind down side by side; their answers are read in turn.
        var issued: [(role: Role, id: JSON)] = []
        for role in [Role.client, .gateway] { issued.append((role, try session.issue(role, [.shutdown])[0])) }
        for (role, id) in issued {
            let answer = try session.answer(role, id: id, to: Command(id: id, .shutdown).name)
            guard case .bye = answer.kind else {
                return CheckFailure("shutdown is answered with bye (P9)", expected: "bye", actual: answer.json.serialized)
            }
        }
        for role in [Role.client, .gateway] {
            let termination = session.peer(role).process.finish(grace: .seconds(2))
            guard termination.isCleanExit else {
                return CheckFailure(
                    "the \(role.rawValue) \(name(role)) must exit 0 after shutdown (P1, P9)", expected: "exit 0", actual: "\(termination)")
            }
        }
        return nil
    }
}
