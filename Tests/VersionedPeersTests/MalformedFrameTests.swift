// Hand-made frames from a raw DEALER socket to a v5 gateway: each bad frame draws the
// right Reject and `rejected_inbound`, and the session goes on (a Heartbeat is echoed).
import MiniJSON
import PeerContract
import TGP
import Testing
import ZeroMQ

/// A bare DEALER socket playing the client, so frames can be anything.
final class RawClient {
    let context: ZMQContext
    let socket: ZMQSocket

    init(endpoint: String) throws {
        context = try ZMQContext()
        socket = try ZMQSocket(context, .dealer)
        try socket.connect(endpoint)
    }

    func send(_ frame: [UInt8]) throws { try socket.send(frame) }

    /// The next frame from the gateway, or an error after `peerTimeout`.
    func receive(_ what: String) throws -> [UInt8] {
        guard let parts = try socket.receive(timeoutMilliseconds: Int32(peerTimeout * 1000)) else {
            throw PeerTimeout(description: "no frame from the gateway while waiting for \(what)")
        }
        guard parts.count == 1 else { throw PeerTimeout(description: "\(what): a message of \(parts.count) frames") }
        return parts[0]
    }

    deinit {
        socket.close()
        context.terminate()
    }
}

@Suite struct MalformedFrameTests {
    let schema = Schema.tgp
    let codec = Codec()

    /// A valid NewOrder at v5 with an account, the base of the bad frames.
    var order: Message {
        let type = schema.type("NewOrder")
        return Message(
            type,
            [
                "clOrdId": .unsigned(77), "price": .signed(1_005_000), "quantity": .unsigned(10),
                "side": type.enumValue("Buy", of: "side")!, "ordType": type.enumValue("Limit", of: "ordType")!,
                "symbol": .text("ACME"), "account": .text("ab"),
            ])
    }

    func offset(of field: String, in type: String) -> Int {
        FrameHeader.size + schema.type(type).rootField(named: field)!.offset
    }

    /// Decodes the gateway's answer and checks it is a Reject with this code, at `version`.
    func expectReject(
        _ frame: [UInt8], code: RejectCode, refTemplateId: Int, refClOrdId: UInt64? = nil, version: Int,
        _ what: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        // A Reject's layout is the same at every version, so decoding as version 1 reads any of them.
        let decoded = try codec.decode(frame, asVersion: 1)
        #expect(decoded.message.type.name == "Reject", "\(what): answered \(decoded.message.type.name)", sourceLocation: sourceLocation)
        #expect(
            decoded.header.version == UInt16(version), "\(what): Reject encoded at \(decoded.header.version)",
            sourceLocation: sourceLocation)
        #expect(
            decoded.message["code"]?.unsigned == UInt64(code.rawValue),
            "\(what): code \(String(describing: decoded.message["code"])), expected \(code.name)", sourceLocation: sourceLocation)
        #expect(
            decoded.message["refTemplateId"]?.unsigned == UInt64(refTemplateId), "\(what): refTemplateId", sourceLocation: sourceLocation)
        if let refClOrdId {
            #expect(decoded.message["refClOrdId"]?.unsigned == refClOrdId, "\(what): refClOrdId", sourceLocation: sourceLocation)
        }
    }

    @Test func badFramesDrawRejectsAndTheSessionGoesOn() throws {
        let exchange = try Exchange(gateway: 5)
        let gateway = exchange.gateway
        let raw = try RawClient(endpoint: exchange.endpoint)
        var heartbeats: UInt64 = 0

        /// Sends `frame`, expects a Reject and `rejected_inbound` with `code`, then a Heartbeat round trip at `version`.
        func check(
            _ what: String, _ frame: [UInt8], _ code: RejectCode, refTemplateId: Int, refClOrdId: UInt64? = nil,
            version: Int, sourceLocation: SourceLocation = #_sourceLocation
        ) throws {
            try raw.send(frame)
            try expectReject(
                try raw.receive("the Reject of \(what)"), code: code, refTemplateId: refTemplateId,
                refClOrdId: refClOrdId, version: version, what, sourceLocation: sourceLocation)
            let event = try #require(try gateway.nextRejectedInbound().rejectedInbound, sourceLocation: sourceLocation)
            #expect(event.code == code.name, "\(what): rejected_inbound \(event.code)", sourceLocation: sourceLocation)
            #expect(event.refTemplateId == refTemplateId, "\(what): rejected_inbound refTemplateId", sourceLocation: sourceLocation)
            #expect(event.bytes == frame, "\(what): rejected_inbound bytes", sourceLocation: sourceLocation)

            heartbeats += 1
            let heartbeat = Samples.named("Heartbeat", ["timestamp": .unsigned(1_000 + heartbeats), "seqNo": .unsigned(heartbeats)])
            let sent = try codec.encode(heartbeat, at: version)
            try raw.send(sent)
            let echo = try codec.decode(try raw.receive("the Heartbeat echo after \(what)"), asVersion: 5)
            #expect(echo.message == heartbeat, "\(what): echo \(echo.message.values)", sourceLocation: sourceLocation)
            #expect(echo.header.version == UInt16(version), "\(what): echo at \(echo.header.version)", sourceLocation: sourceLocation)
            #expect(try gateway.nextReceived(bytes: sent).received?.type == "Heartbeat", sourceLocation: sourceLocation)
        }

        // R9 before logon; the Reject is at version 1.
        let orderFrame = try codec.encode(order, at: 5)
        try raw.send(orderFrame)
        // RJ2: nothing was delivered, so the Reject names no clOrdId.
        try expectReject(
            try raw.receive("the Reject of a NewOrder before logon"), code: .notLoggedOn, refTemplateId: 10,
            refClOrdId: 0, version: 1, "NewOrder before logon")
        let notLoggedOn = try #require(try gateway.nextRejectedInbound().rejectedInbound)
        #expect(notLoggedOn.code == "NotLoggedOn" && notLoggedOn.refTemplateId == 10 && notLoggedOn.bytes == orderFrame)

        // Log on at 5 with a Logon encoded by hand.
        let logon = Samples.named(
            "Logon",
            [
                "minVersion": .unsigned(3), "maxVersion": .unsigned(5), "heartbeatMs": .unsigned(1000),
                "username": .text("raw"),
            ])
        try raw.send(try codec.encode(logon, at: 5))
        let ack = try codec.decode(try raw.receive("the LogonAck"), asVersion: 5)
        #expect(ack.message.type.name == "LogonAck")
        #expect(ack.message["version"]?.unsigned == 5 && ack.header.version == 5)
        #expect(try gateway.nextSession("logged_on").session?.version == 5)

        let heartbeatFrame = try codec.encode(Samples.named("Heartbeat", ["timestamp": .unsigned(5)]), at: 5)
        let wrongSchema = heartbeatFrame.settingU16(0x4754, at: 4)  // 0x5447 byte-swapped
        let oversized = orderFrame + [UInt8](repeating: 0, count: 4097 - orderFrame.count)
        let accountBytes = FrameHeader.size + schema.type("NewOrder").blockLength(at: 5) + 2

        try check(
            "unknown template 99", FrameHeader(blockLength: 0, templateId: 99, schemaId: schema.schemaId, version: 5).bytes,
            .unknownTemplate, refTemplateId: 99, version: 5)
        // RJ1: a frame shorter than the header names no template, readable or not.
        try check("a 7-byte frame", Array(orderFrame.prefix(7)), .malformed, refTemplateId: 0, version: 5)
        try check("a wrong schemaId", wrongSchema, .malformed, refTemplateId: 4, version: 5)
        try check("a 4097-byte frame", oversized, .malformed, refTemplateId: 10, version: 5)
        try check("blockLength 39 for a v5 NewOrder (40)", orderFrame.settingU16(39, at: 0), .malformed, refTemplateId: 10, version: 5)
        try check(
            "Side 9", orderFrame.settingByte(9, at: offset(of: "side", in: "NewOrder")), .invalidValue, refTemplateId: 10,
            refClOrdId: 0, version: 5)
        try check(
            "a char8 byte 0x01", orderFrame.settingByte(0x01, at: offset(of: "symbol", in: "NewOrder") + 1), .invalidValue,
            refTemplateId: 10, refClOrdId: 0, version: 5)
        try check(
            "invalid UTF-8 in account", orderFrame.settingByte(0xFF, at: accountBytes), .invalidValue, refTemplateId: 10,
            refClOrdId: 0, version: 5)
        #expect(gateway.count { $0.received?.type == "NewOrder" } == 0, "a refused NewOrder was delivered")

        // R10/R2/R4: a newer encoding (version 6, a longer block, an extra var-data) is decoded, not
        // rejected; the auto-mode answer is at N, and the refused orders did not use up order ids.
        let v5Block = schema.type("NewOrder").blockLength(at: 5)
        let blockEnd = FrameHeader.size + v5Block
        var newer = FrameHeader(blockLength: UInt16(v5Block + 4), templateId: 10, schemaId: schema.schemaId, version: 6).bytes
        newer += orderFrame[FrameHeader.size..<blockEnd]
        newer += [0xAB, 0xAB, 0xAB, 0xAB]
        newer += orderFrame[blockEnd...]
        newer += [3, 0] + Array("new".utf8)
        try raw.send(newer)
        let delivered = try #require(try gateway.nextReceived(bytes: newer).received)
        #expect(delivered.version == 6)
        #expect(
            delivered.fields.normalized == order.json(knownAt: 5).fields.normalized,
            "a version-6 NewOrder read as \(delivered.fields.serialized)")
        let orderAck = try codec.decode(try raw.receive("the OrderAck of a version-6 NewOrder"), asVersion: 5)
        #expect(orderAck.message.type.name == "OrderAck" && orderAck.header.version == 5)
        #expect(orderAck.message["orderId"]?.unsigned == 1 && orderAck.message["clOrdId"]?.unsigned == 77)

        // R6: a session at N=3 (log on again with max 3) and a MassCancel (since 4).
        let logon3 = Samples.named(
            "Logon",
            [
                "minVersion": .unsigned(3), "maxVersion": .unsigned(3), "heartbeatMs": .unsigned(1000),
                "username": .text("raw3"),
            ])
        try raw.send(try codec.encode(logon3, at: 3))
        let ack3 = try codec.decode(try raw.receive("the LogonAck at 3"), asVersion: 5)
        #expect(ack3.message["version"]?.unsigned == 3 && ack3.header.version == 3)
        #expect(try gateway.nextSession("logged_on").session?.version == 3)
        let massCancel = Samples.named("MassCancel", ["clOrdId": .unsigned(88), "scope": .unsigned(1), "symbol": .text("ACME")])
        try check(
            "MassCancel at N=3", try codec.encode(massCancel, at: 4), .unsupportedInVersion, refTemplateId: 17, refClOrdId: 0,
            version: 3)
        #expect(gateway.count { $0.received?.type == "MassCancel" } == 0)
        // One event per inbound frame: a rejected_inbound for each of the 10 bad frames, nothing else refused.
        #expect(gateway.count { $0.rejectedInbound != nil } == 10)

        try gateway.shutdown()
    }
}
