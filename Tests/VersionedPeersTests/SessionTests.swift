// Two or more real peers over ZeroMQ: negotiation, every message type of a version both
// ways, refusals (E2), incompatible versions, and one gateway serving several clients.
import MiniJSON
import PeerContract
import TGP
import Testing

@Suite struct SessionTests {
    let schema = Schema.tgp
    let codec = Codec()

    /// Logs `client` on and checks the gateway's side of it; returns the session id.
    @discardableResult
    func logOn(
        _ client: PeerProcess, to gateway: PeerProcess, expecting version: Int,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> String {
        let reply = try client.request(.logon(username: "u\(client.version)", min: nil, max: nil))
        let ack = try #require(reply.logonAck, "logon answered \(reply.line)", sourceLocation: sourceLocation)
        #expect(ack.version == version, sourceLocation: sourceLocation)
        let session = try #require(try gateway.nextSession("logged_on").session, sourceLocation: sourceLocation)
        #expect(session.version == version, sourceLocation: sourceLocation)
        #expect(session.sessionId == ack.sessionId, sourceLocation: sourceLocation)
        return ack.sessionId
    }

    // MARK: Every message of version 3, both ways

    @Test func v3ClientAndV5GatewayExchangeEveryVersion3MessageBothWays() throws {
        let version = 3
        let exchange = try Exchange(gateway: 5, auto: false)
        let gateway = exchange.gateway
        let client = try exchange.connectClient(3)
        try logOn(client, to: gateway, expecting: version)
        // The handshake itself: one received each, at the announced / negotiated version.
        #expect(try gateway.nextReceived("Logon").received?.version == 3)
        #expect(try client.nextReceived("LogonAck").received?.version == 3)

        /// Sends a sample of `type` from `sender` and checks both sides; returns the frame.
        func exchangeSample(_ type: MessageSchema, from sender: PeerProcess, to receiver: PeerProcess, seed: Int) throws -> [UInt8] {
            let sample = Samples.sessionSafe(type, at: version, seed: seed)
            let reply = try sender.send(message: sample.json(knownAt: version))
            let bytes = try #require(reply.sentBytes, "\(sender.label) send \(type.name): \(reply.line)")
            let header = try #require(bytes.header, "\(type.name): frame shorter than a header")
            #expect(header.version == UInt16(version), "\(type.name) header version")
            #expect(header.blockLength == UInt16(type.blockLength(at: version)), "\(type.name) blockLength")
            #expect(header.templateId == type.templateId && header.schemaId == schema.schemaId, "\(type.name) header")
            #expect(bytes == (try codec.encode(sample, at: version)), "\(type.name): the frame differs from the codec's encoding")

            let received = try #require(try receiver.nextReceived(bytes: bytes).received)
            #expect(received.type == type.name)
            #expect(received.version == version, "\(type.name) received version")
            let expected = sample.projected(onto: version).json(knownAt: receiver.version).fields
            #expect(
                received.fields.normalized == expected.normalized,
                "\(receiver.label) received \(type.name) fields \(received.fields) expected \(expected)")
            return bytes
        }

        let types = schema.messages(knownAt: version)
        let logout = schema.type("Logout")
        var sentByClient: [[UInt8]] = []
        var sentByGateway: [[UInt8]] = []

        // Client to gateway (Logout last: it ends the session).
        for (index, type) in types.enumerated() where type.direction.isSent(by: .client) && type != logout {
            sentByClient.append(try exchangeSample(type, from: client, to: gateway, seed: 10 + index))
            if type.name == "Logon" {
                // A Logon inside a session renegotiates; the sample keeps N at 3.
                #expect(try gateway.nextSession("logged_on").session?.version == version)
            }
        }

        // E2 on the client: a type newer than N, and a quantity N cannot carry; nothing goes on the wire.
        let massCancel = Samples.message(schema.type("MassCancel"), at: 4, seed: 1)
        let massCancelReply = try client.send(message: massCancel.json(knownAt: 4))
        #expect(massCancelReply.refusal?.reason == "UnsupportedInVersion", "MassCancel from a v3 client: \(massCancelReply.line)")
        var bigOrder = Samples.message(schema.type("NewOrder"), at: version, seed: 2)
        bigOrder["quantity"] = .unsigned(5_000_000_000)
        let bigJSON = bigOrder.json(knownAt: version)
        #expect(bigJSON.fields["quantity"] == .string("5000000000"))
        let bigReply = try client.send(message: bigJSON)
        #expect(bigReply.refusal?.reason == "NotRepresentable", "NewOrder quantity 5000000000 at N=3: \(bigReply.line)")
        var stopOrder = Samples.message(schema.type("NewOrder"), at: version, seed: 3)
        stopOrder["ordType"] = stopOrder.enumValue("Stop", of: "ordType")
        let stopReply = try client.send(message: stopOrder.json(knownAt: version))
        #expect(stopReply.refusal?.reason == "UnsupportedInVersion", "OrdType Stop (v4) at N=3: \(stopReply.line)")

        // Gateway to client.
        for (index, type) in types.enumerated() where type.direction.isSent(by: .gateway) && type != logout {
            sentByGateway.append(try exchangeSample(type, from: gateway, to: client, seed: 50 + index))
        }

        // E2 on the v5 gateway in an N=3 session: a newer type, a newer field set, a newer enum value.
        let riskReply = try gateway.send(message: Samples.message(schema.type("RiskLimitUpdate"), at: 5, seed: 4).json(knownAt: 5))
        #expect(riskReply.refusal?.reason == "UnsupportedInVersion", "RiskLimitUpdate at N=3: \(riskReply.line)")
        var report = Samples.message(schema.type("ExecutionReport"), at: version, seed: 5)
        report["liquidity"] = report.enumValue("Maker", of: "liquidity")
        let reportReply = try gateway.send(message: report.json(knownAt: 5))
        #expect(reportReply.refusal?.reason == "NotRepresentable", "ExecutionReport.liquidity (v4) at N=3: \(reportReply.line)")
        var throttled = Samples.message(schema.type("LogonReject"), at: version, seed: 6)
        throttled["reason"] = throttled.enumValue("Throttled", of: "reason")
        let throttledReply = try gateway.send(message: throttled.json(knownAt: 5))
        #expect(throttledReply.refusal?.reason == "UnsupportedInVersion", "LogonRejectReason Throttled (v4) at N=3: \(throttledReply.line)")

        // Logout both ways: the gateway's ends the client's session, so the client logs on again for its own.
        sentByGateway.append(try exchangeSample(logout, from: gateway, to: client, seed: 98))
        try logOn(client, to: gateway, expecting: version)
        sentByClient.append(try exchangeSample(logout, from: client, to: gateway, seed: 99))
        let loggedOff = try #require(try gateway.nextSession("logged_off").session)
        #expect(loggedOff.version == version)
        // The gateway answers Logout with Logout at N; it is the last frame, so everything before it has arrived.
        let answer = try #require(try client.nextReceived("Logout").received)
        #expect(answer.version == version)

        // Every type of the version went its allowed ways.
        #expect(sentByClient.count == types.filter { $0.direction.isSent(by: .client) }.count)
        #expect(sentByGateway.count == types.filter { $0.direction.isSent(by: .gateway) }.count)

        // Exactly one received per frame sent, nothing refused, and nothing else on the wire.
        for bytes in sentByClient {
            #expect(gateway.count { $0.received?.bytes == bytes } == 1, "gateway received \(bytes.hexString) not exactly once")
        }
        for bytes in sentByGateway {
            #expect(client.count { $0.received?.bytes == bytes } == 1, "client received \(bytes.hexString) not exactly once")
        }
        for peer in [client, gateway] {
            let trouble = peer.events { $0.rejectedInbound != nil || $0.errorMessage != nil }
            #expect(trouble.isEmpty, "\(peer.label): \(trouble.map(\.line))")
        }
        let heartbeat = try #require(sentByClient.first { $0.header?.templateId == schema.type("Heartbeat").templateId })
        #expect(client.count { $0.received?.bytes == heartbeat } == 1, "the gateway echoes the client's Heartbeat")
        // Controlled mode: besides what it was told to send, the gateway only answers session traffic.
        let unprompted = client.events { event in
            guard let received = event.received else { return false }
            return !sentByGateway.contains(received.bytes) && !["LogonAck", "Heartbeat", "Logout"].contains(received.type)
        }
        #expect(unprompted.isEmpty, "a gateway in controlled mode sent \(unprompted.map(\.line))")
        // The refused sends put nothing on the wire: the gateway got only the samples and the two logons.
        let extra = gateway.events { event in
            guard let received = event.received else { return false }
            return !sentByClient.contains(received.bytes) && received.type != "Logon"
        }
        #expect(extra.isEmpty, "frames the gateway should never have received: \(extra.map(\.line))")
        #expect(gateway.count { $0.received?.type == "Logon" } == 3)

        try client.shutdown()
        try gateway.shutdown()
    }

    // MARK: Incompatible versions

    @Test func v5GatewayRefusesV1ClientCleanly() throws {
        let exchange = try Exchange(gateway: 5)
        let gateway = exchange.gateway
        let client = try exchange.connectClient(1)

        let reply = try client.request(.logon(username: "old", min: nil, max: nil))
        guard case .logonRejected(let reason, let supportedMin, let supportedMax) = reply.kind else {
            Issue.record("logon of a v1 client to a v5 gateway answered \(reply.line)")
            return
        }
        #expect(reason == "UnsupportedVersion")
        #expect(supportedMin == 3 && supportedMax == 5)

        // E3: the LogonReject travels at min(client max, gateway max) = 1.
        let received = try #require(try client.nextReceived("LogonReject").received)
        #expect(received.version == 1)
        #expect(received.bytes.header?.version == 1)
        #expect(received.fields["reason"] == .string("UnsupportedVersion"))
        #expect(received.fields["supportedMin"] == .integer(3) && received.fields["supportedMax"] == .integer(5))

        #expect(try gateway.nextReceived("Logon").received?.version == 1, "a v1 Logon is encoded at 1")
        let session = try #require(try gateway.nextSession("rejected").session)
        #expect(session.version == 1)
        #expect(gateway.count { $0.session?.state == "logged_on" } == 0)

        // No session on the client side, and the gateway keeps serving others.
        let refused = try client.send(message: Samples.named("Heartbeat", ["timestamp": .unsigned(1)]).json(knownAt: 1))
        #expect(refused.refusal?.reason == "NotLoggedOn", "send after a rejected logon: \(refused.line)")
        let other = try exchange.connectClient(3)
        try logOn(other, to: gateway, expecting: 3)

        try client.shutdown()
        try other.shutdown()
        try gateway.shutdown()
    }

    // MARK: Several clients at once

    @Test func v5GatewayServesV3V4AndV5ClientsAtOnce() throws {
        let exchange = try Exchange(gateway: 5)
        let gateway = exchange.gateway
        let versions = [3, 4, 5]
        let clients = try versions.map { try exchange.connectClient($0) }

        // Log on concurrently: every logon is sent before any answer is awaited.
        let logonIds = try clients.map { try $0.send(.logon(username: "c\($0.version)", min: nil, max: nil)) }
        var sessionIds: [String] = []
        for (client, id) in zip(clients, logonIds) {
            let reply = try client.reply(to: id)
            let ack = try #require(reply.logonAck, "\(client.label) logon: \(reply.line)")
            #expect(ack.version == client.version, "\(client.label) negotiated \(ack.version)")
            sessionIds.append(ack.sessionId)
        }
        #expect(Set(sessionIds).count == 3, "session ids \(sessionIds)")
        let loggedOn = try (0..<3).map { _ in try #require(try gateway.nextSession("logged_on").session) }
        #expect(Set(loggedOn.map { "\($0.sessionId ?? "-")@\($0.version)" }) == Set(zip(sessionIds, versions).map { "\($0)@\($1)" }))

        // One NewOrder each, all in flight together: each session counts its own orders.
        let orderType = schema.type("NewOrder")
        let orderIds = try clients.map { client in
            let order = Message(
                orderType,
                [
                    "clOrdId": .unsigned(UInt64(100 + client.version)), "price": .signed(1_005_000), "quantity": .unsigned(100),
                    "side": orderType.enumValue("Buy", of: "side")!, "ordType": orderType.enumValue("Limit", of: "ordType")!,
                    "symbol": .text("ACME"),
                ])
            return try client.send(.send(message: order.json(knownAt: client.version), session: nil))
        }
        for (client, id) in zip(clients, orderIds) {
            let reply = try client.reply(to: id)
            #expect(reply.sentBytes?.header?.version == UInt16(client.version), "\(client.label) NewOrder: \(reply.line)")
            let ack = try #require(try client.nextReceived("OrderAck").received)
            #expect(ack.version == client.version)
            #expect(ack.bytes.header?.version == UInt16(client.version))
            #expect(ack.bytes.header?.blockLength == UInt16(schema.type("OrderAck").blockLength(at: client.version)))
            #expect(ack.fields["orderId"] == .string("1"), "\(client.label) OrderAck \(ack.fields)")
            #expect(ack.fields["clOrdId"] == .string(String(100 + client.version)))
            #expect(ack.fields["status"] == .string("New"))
        }

        // Cancelling an order nobody placed: Reject UnknownOrder, at the session's N.
        for client in clients {
            let cancel = Samples.named(
                "CancelOrder",
                [
                    "clOrdId": .unsigned(UInt64(200 + client.version)), "origClOrdId": .unsigned(999),
                    "symbol": .text("ACME"),
                ])
            #expect(try client.send(message: cancel.json(knownAt: client.version)).sentBytes != nil)
        }
        for client in clients {
            let reject = try #require(try client.nextReceived("Reject").received)
            #expect(reject.version == client.version)
            #expect(reject.fields["code"] == .string("UnknownOrder"), "\(client.label) Reject \(reject.fields)")
            #expect(reject.fields["refTemplateId"] == .integer(Int(schema.type("CancelOrder").templateId)))
            #expect(reject.fields["refClOrdId"] == .string(String(200 + client.version)))
        }

        // Logout: Logout back, and the gateway ends each session.
        for client in clients {
            #expect(
                try client.send(message: Samples.named("Logout", ["reason": .text("done")]).json(knownAt: client.version)).sentBytes != nil)
        }
        for client in clients {
            let answer = try #require(try client.nextReceived("Logout").received)
            #expect(answer.version == client.version)
        }
        let loggedOff = try (0..<3).map { _ in try #require(try gateway.nextSession("logged_off").session) }
        #expect(Set(loggedOff.map { "\($0.sessionId ?? "-")@\($0.version)" }) == Set(zip(sessionIds, versions).map { "\($0)@\($1)" }))
        #expect(gateway.count { $0.rejectedInbound != nil } == 0)

        for client in clients { try client.shutdown() }
        try gateway.shutdown()
    }
}
