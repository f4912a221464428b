// A v5 gateway under attack, as a real process: a raw DEALER socket floods it with 10,000
// malformed and random frames of every kind in R5–R9 (and oversized ones); the gateway
// answers each with one `rejected_inbound` (and a Reject back, but never to a Reject), its
// memory stays bounded, and afterwards a good client logs on and trades normally.
import Foundation
import MiniJSON
import PeerContract
import SeededRandom
import TGP
import Testing
import ZeroMQ

#if canImport(Glibc)
    import Glibc
#endif

/// The resident set size of a process in kilobytes (VmRSS of /proc/PID/status), nil when it is gone.
func residentKilobytes(_ pid: pid_t) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Int(line.dropFirst("VmRSS:".count).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
    }
    return nil
}

/// The attack: frames of each bad kind, built from the schema, with the code R5–R9 gives them.
struct FloodFrames {
    enum Kind: String, CaseIterable {
        case short, oversize4097, oversize60K, wrongSchemaId, shortBlockLength, truncatedGroup, truncatedVarData
        case groupCount65, varData1025, unknownTemplate, badEnum, badChar8, badUTF8
        /// R9: a valid message before logon (phase A only).
        case beforeLogon
        /// R6: a valid message newer than the session's version (phase B only, at N = 3).
        case newerThanSession
        case random
    }

    struct Frame {
        let kind: Kind
        let bytes: [UInt8]
        /// The Reject code the rules give it; nil for random bytes (any refusal will do).
        let expected: RejectCode?
    }

    let schema = Schema.tgp
    let codec = Codec()
    var rng: SeededGenerator

    init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

    private func le16(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF)] }

    private func header(blockLength: Int, templateId: Int, version: Int) -> [UInt8] {
        FrameHeader(blockLength: UInt16(blockLength), templateId: UInt16(templateId), schemaId: schema.schemaId, version: UInt16(version))
            .bytes
    }

    private func offset(of field: String, in type: String) -> Int {
        FrameHeader.size + schema.type(type).rootField(named: field)!.offset
    }

    /// A valid NewOrder at v5 with an account and a client tag, the base of most bad frames.
    private mutating func newOrder() -> (frame: [UInt8], account: String, clientTag: String) {
        let type = schema.type("NewOrder")
        let account = "acct-\(UInt16.random(in: 0...999, using: &rng))"
        let clientTag = "tag-\(UInt16.random(in: 0...999, using: &rng))"
        let order = Message(
            type,
            [
                "clOrdId": .unsigned(UInt64.random(in: 1...1_000_000, using: &rng)), "price": .signed(1_005_000),
                "quantity": .unsigned(UInt64.random(in: 1...1000, using: &rng)),
                "side": type.enumValue("Buy", of: "side")!, "ordType": type.enumValue("Limit", of: "ordType")!,
                "symbol": .text("ACME"), "account": .text(account), "clientTag": .text(clientTag),
            ])
        return (try! codec.encode(order, at: 5), account, clientTag)
    }

    /// A MarketDataSnapshot at v5 with two price levels (a group).
    private func snapshot() -> [UInt8] {
        try! codec.encode(Samples.message(schema.type("MarketDataSnapshot"), at: 5, seed: 3), at: 5)
    }

    /// A valid client-to-gateway message of another type than Logon.
    private mutating func validClientMessage() -> [UInt8] {
        let names = ["NewOrder", "CancelOrder", "ModifyOrder", "MassCancel", "Heartbeat", "Logout"]
        let name = names[Int.random(in: 0..<names.count, using: &rng)]
        if name == "NewOrder" { return newOrder().frame }
        return try! codec.encode(Samples.sessionSafe(schema.type(name), at: 5, seed: Int.random(in: 1...50, using: &rng)), at: 5)
    }

    /// One frame of `kind`. In phase B (logged on at 3) random frames never carry the right
    /// schemaId, so none can be a valid message that would change the session.
    mutating func make(_ kind: Kind, loggedOn: Bool) -> Frame {
        switch kind {
        case .short:
            return Frame(kind: kind, bytes: rng.bytes(Int.random(in: 0..<FrameHeader.size, using: &rng)), expected: .malformed)
        case .oversize4097:
            let base = newOrder().frame
            let size = Int.random(in: 4097...4200, using: &rng)
            return Frame(kind: kind, bytes: base + [UInt8](repeating: 0, count: size - base.count), expected: .malformed)
        case .oversize60K:
            return Frame(kind: kind, bytes: newOrder().frame + rng.bytes(60 * 1024 - newOrder().frame.count), expected: .malformed)
        case .wrongSchemaId:
            var schemaId = UInt16.random(in: 0...UInt16.max, using: &rng)
            if schemaId == schema.schemaId { schemaId ^= 1 }
            return Frame(kind: kind, bytes: validClientMessage().settingU16(schemaId, at: 4), expected: .malformed)
        case .shortBlockLength:
            let required = schema.type("NewOrder").blockLength(at: 5)
            return Frame(
                kind: kind, bytes: newOrder().frame.settingU16(UInt16.random(in: 0..<UInt16(required), using: &rng), at: 0),
                expected: .malformed)
        case .truncatedGroup:
            // Cut inside the group: its header or one of its entries is incomplete.
            let frame = snapshot()
            let groupStart = FrameHeader.size + schema.type("MarketDataSnapshot").blockLength(at: 5)
            return Frame(
                kind: kind, bytes: Array(frame.prefix(Int.random(in: (groupStart + 1)..<frame.count, using: &rng))),
                expected: .malformed)
        case .truncatedVarData:
            // Cut inside a var-data length or inside its bytes: the length says more than is left.
            let (frame, account, clientTag) = newOrder()
            let accountAt = FrameHeader.size + schema.type("NewOrder").blockLength(at: 5)
            let tagAt = accountAt + 2 + account.utf8.count
            let cuts =
                [accountAt + 1, tagAt + 1] + Array((accountAt + 3)..<tagAt) + Array((tagAt + 3)..<(tagAt + 2 + clientTag.utf8.count))
            return Frame(kind: kind, bytes: Array(frame.prefix(cuts[Int.random(in: 0..<cuts.count, using: &rng)])), expected: .malformed)
        case .groupCount65:
            let count = Bool.random(using: &rng) ? 65 : UInt16.random(in: 65...UInt16.max, using: &rng)
            return Frame(
                kind: kind,
                bytes: FrameLayout().settingGroupCount(snapshot(), type: schema.type("MarketDataSnapshot"), version: 5, to: count),
                expected: .malformed)
        case .varData1025:
            // A Logout whose reason claims (and holds) 1025 bytes or more.
            let length = Int.random(in: 1025...1100, using: &rng)
            return Frame(
                kind: kind,
                bytes: header(blockLength: 0, templateId: 5, version: 5) + le16(length) + [UInt8](repeating: 0x61, count: length),
                expected: .malformed)
        case .unknownTemplate:
            let known = Set(schema.messages.map(\.templateId))
            var templateId = UInt16.random(in: 0...UInt16.max, using: &rng)
            while known.contains(templateId) { templateId &+= 1 }
            let body = rng.bytes(Int.random(in: 0...64, using: &rng))
            return Frame(
                kind: kind,
                bytes: header(blockLength: body.count, templateId: Int(templateId), version: Int.random(in: 1...6, using: &rng)) + body,
                expected: .unknownTemplate)
        case .badEnum:
            // Side has 1 Buy, 2 Sell, 3 SellShort; 0 and 4… are no Side.
            let value: UInt8 = Bool.random(using: &rng) ? 0 : UInt8.random(in: 4...255, using: &rng)
            return Frame(
                kind: kind, bytes: newOrder().frame.settingByte(value, at: offset(of: "side", in: "NewOrder")), expected: .invalidValue)
        case .badChar8:
            // A control character or a byte above 0x7E inside "ACME".
            let bad: UInt8 =
                Bool.random(using: &rng) ? UInt8.random(in: 0x01...0x1F, using: &rng) : UInt8.random(in: 0x7F...0xFF, using: &rng)
            let at = offset(of: "symbol", in: "NewOrder") + Int.random(in: 0..<4, using: &rng)
            return Frame(kind: kind, bytes: newOrder().frame.settingByte(bad, at: at), expected: .invalidValue)
        case .badUTF8:
            // The account's first byte: 0xFF, 0xFE, a lone continuation byte, or a lead byte without its continuation.
            let bad: [UInt8] = [0xFF, 0xFE, 0x80, 0xBF, 0xC0, 0xC3, 0xE2, 0xF0]
            let accountData = FrameHeader.size + schema.type("NewOrder").blockLength(at: 5) + 2
            return Frame(
                kind: kind, bytes: newOrder().frame.settingByte(bad[Int.random(in: 0..<bad.count, using: &rng)], at: accountData),
                expected: .invalidValue)
        case .beforeLogon:
            return Frame(kind: kind, bytes: validClientMessage(), expected: .notLoggedOn)
        case .newerThanSession:
            let massCancel = Samples.named(
                "MassCancel",
                [
                    "clOrdId": .unsigned(UInt64.random(in: 1...1000, using: &rng)), "scope": .unsigned(1),
                    "symbol": .text("ACME"),
                ])
            return Frame(
                kind: kind, bytes: try! codec.encode(massCancel, at: Int.random(in: 4...5, using: &rng)), expected: .unsupportedInVersion)
        case .random:
            // Mostly short, sometimes long; half of them (before logon) with a valid-looking header
            // so the decoder gets past it. Never a Logon: that would log the attacker on.
            let length =
                Int.random(in: 0..<20, using: &rng) == 0 ? Int.random(in: 300...5000, using: &rng) : Int.random(in: 0...300, using: &rng)
            var bytes = rng.bytes(length)
            if bytes.count >= FrameHeader.size && !loggedOn && Bool.random(using: &rng) {
                let templates = schema.messages.map(\.templateId).filter { $0 != 1 }
                let templateId = templates[Int.random(in: 0..<templates.count, using: &rng)]
                let blockLength = Int.random(in: 0...min(64, bytes.count - FrameHeader.size), using: &rng)
                bytes.replaceSubrange(
                    0..<FrameHeader.size,
                    with: header(
                        blockLength: blockLength, templateId: Int(templateId),
                        version: Int.random(in: 1...6, using: &rng)))
            } else if bytes.count >= 6 && loggedOn {
                bytes[4] = 0  // a schemaId 0x..00, never TGP's 0x5447
            }
            if bytes.count >= 4 && bytes[2] == 1 && bytes[3] == 0 { bytes[2] = 2 }
            return Frame(kind: kind, bytes: bytes, expected: nil)
        }
    }

    /// `count` frames: about a third random, every 200th one 60 KB, the rest spread over the bad kinds.
    mutating func attack(_ count: Int, loggedOn: Bool) -> [Frame] {
        let crafted = Kind.allCases.filter { ![.random, .oversize60K, loggedOn ? .beforeLogon : .newerThanSession].contains($0) }
        return (0..<count).map { index in
            if index % 200 == 199 { return make(.oversize60K, loggedOn: loggedOn) }
            if Int.random(in: 0..<3, using: &rng) == 0 { return make(.random, loggedOn: loggedOn) }
            return make(crafted[Int.random(in: 0..<crafted.count, using: &rng)], loggedOn: loggedOn)
        }
    }
}

@Suite(.serialized) struct FloodTests {
    let schema = Schema.tgp
    let codec = Codec()
    /// How much the gateway's resident memory may grow over the flood.
    let maximumGrowthKB = 32 * 1024

    /// Waits until the gateway has emitted `count` rejected_inbound events. A gateway that is
    /// slow (a loaded machine) is waited for as long as it makes progress; false once `stalled`
    /// seconds pass without a new one: it stopped.
    func awaitRejections(_ gateway: PeerProcess, count: Int, stalled seconds: Double = 30) -> Bool {
        gateway.awaitCount(count, stalled: seconds) { $0.rejectedInbound != nil }
    }

    /// A good v5 client logs on, places an order (OrderAck, orderId 1) and has a Heartbeat echoed.
    func goodClientTrades(_ exchange: Exchange) throws {
        let gateway = exchange.gateway
        let client = try exchange.connectClient(5)
        let logon = try client.request(.logon(username: "good", min: nil, max: nil))
        let ack = try #require(logon.logonAck, "the good client's logon was answered \(logon.line)\n\(gateway.transcript)")
        #expect(ack.version == 5)
        let session = try #require(try gateway.nextSession("logged_on").session)
        #expect(session.version == 5 && session.sessionId == ack.sessionId)

        let type = schema.type("NewOrder")
        let order = Message(
            type,
            [
                "clOrdId": .unsigned(4242), "price": .signed(1_005_000), "quantity": .unsigned(100),
                "side": type.enumValue("Buy", of: "side")!, "ordType": type.enumValue("Limit", of: "ordType")!, "symbol": .text("ACME"),
            ])
        let sent = try client.send(message: order.json(knownAt: 5))
        #expect(sent.sentBytes?.header?.version == 5, "NewOrder: \(sent.line)")
        let orderAck = try #require(try client.nextReceived("OrderAck").received)
        #expect(orderAck.fields["orderId"] == .string("1"), "OrderAck \(orderAck.fields)")
        #expect(orderAck.fields["clOrdId"] == .string("4242"))
        #expect(orderAck.fields["status"] == .string("New"))

        let heartbeat = Samples.named("Heartbeat", ["timestamp": .unsigned(777), "seqNo": .unsigned(9)])
        let heartbeatSent = try #require(try client.send(message: heartbeat.json(knownAt: 5)).sentBytes)
        let echo = try #require(try client.nextReceived("Heartbeat").received)
        #expect(echo.fields.normalized == heartbeat.json(knownAt: 5).fields.normalized, "Heartbeat echo \(echo.fields)")
        #expect(try gateway.nextReceived(bytes: heartbeatSent).received?.type == "Heartbeat")
        #expect(client.count { $0.rejectedInbound != nil } == 0, "the good client refused a frame:\n\(client.transcript)")
        try client.shutdown()
    }

    // The limit only keeps a hung test from holding up the run: the waits inside end on a stall.
    @Test(.timeLimit(.minutes(10)))
    func floodOfBadFramesLeavesTheGatewayServingAndItsMemoryBounded() throws {
        let exchange = try Exchange(gateway: 5)
        let gateway = exchange.gateway
        let pid = gateway.child.pid
        let raw = try RawClient(endpoint: exchange.endpoint)
        var generator = FloodFrames(seed: 0x5447_0005)
        let phaseA = generator.attack(8_000, loggedOn: false)
        let phaseB = generator.attack(2_000, loggedOn: true)
        #expect(Set(phaseA.map(\.kind)).count == FloodFrames.Kind.allCases.count - 1, "phase A lacks a kind")
        #expect(Set(phaseB.map(\.kind)).count == FloodFrames.Kind.allCases.count - 1, "phase B lacks a kind")

        // Warm up (the connection exists, the codec has run once), then the baseline.
        let ping = try codec.encode(Samples.named("Heartbeat", ["timestamp": .unsigned(1)]), at: 5)
        try raw.send(ping)
        _ = try raw.receive("the Reject of a Heartbeat before logon")
        #expect(awaitRejections(gateway, count: 1))
        let before = try #require(residentKilobytes(pid), "the gateway is gone")

        // The Rejects coming back are read as they come, like any DEALER would.
        var replies: [[UInt8]] = []
        func drain() throws { while let parts = try raw.socket.receive() { replies.append(contentsOf: parts) } }
        var peak = before
        /// Every 1000 frames, lets the gateway's events catch up: its stdout queue (unbounded by
        /// design, until the reader reads) then measures the reader, not the gateway.
        func pace(_ sent: Int) {
            guard sent % 1000 == 0 else { return }
            _ = awaitRejections(gateway, count: 1 + sent)
            peak = max(peak, residentKilobytes(pid) ?? 0)
        }
        for (index, frame) in phaseA.enumerated() {
            try raw.send(frame.bytes)
            try drain()
            pace(1 + index)
        }
        #expect(
            awaitRejections(gateway, count: 1 + phaseA.count),
            "the gateway refused \(gateway.count { $0.rejectedInbound != nil }) of \(1 + phaseA.count) frames")

        // Phase B: the attacker logs on at 3, then goes on (R6 now applies, R9 no longer).
        let logon = Samples.named(
            "Logon",
            [
                "minVersion": .unsigned(3), "maxVersion": .unsigned(3), "heartbeatMs": .unsigned(1000),
                "username": .text("attacker"),
            ])
        try raw.send(try codec.encode(logon, at: 3))
        let attackerSession = try #require(try gateway.nextSession("logged_on", timeout: 30).session)
        #expect(attackerSession.version == 3)
        for (index, frame) in phaseB.enumerated() {
            try raw.send(frame.bytes)
            try drain()
            pace(phaseA.count + 1 + index)
        }
        let frames = phaseA + phaseB
        #expect(
            awaitRejections(gateway, count: 1 + frames.count),
            "the gateway refused \(gateway.count { $0.rejectedInbound != nil }) of \(1 + frames.count) frames")
        let after = try #require(residentKilobytes(pid), "the gateway died during the flood:\n\(gateway.transcript)")
        peak = max(peak, after)
        #expect(after - before <= maximumGrowthKB, "the gateway's VmRSS grew from \(before) kB to \(after) kB (peak \(peak) kB)")

        // Exactly one rejected_inbound per frame, in order, with its bytes and the rules' code.
        let rejections = gateway.events { $0.rejectedInbound != nil }.compactMap(\.rejectedInbound).dropFirst()
        #expect(rejections.count == frames.count)
        var wrong: [String] = []
        for (index, (frame, event)) in zip(frames, rejections).enumerated() {
            if event.bytes != frame.bytes {
                wrong.append(
                    "#\(index) \(frame.kind): rejected_inbound of other bytes (\(event.bytes.count) bytes, sent \(frame.bytes.count))")
            } else if let expected = frame.expected, event.code != expected.name {
                wrong.append("#\(index) \(frame.kind): \(event.code), expected \(expected.name), frame \(frame.bytes.prefix(64).hexString)")
            }
            if wrong.count >= 10 { break }
        }
        #expect(wrong.isEmpty, "\(wrong.joined(separator: "\n"))")
        #expect(gateway.count { $0.received != nil } == 1, "only the attacker's Logon is delivered")
        #expect(gateway.count { $0.errorMessage != nil } == 0, "error events:\n\(gateway.transcript)")

        // A Reject back for each, except for frames that are themselves Rejects; at 1 before logon, at 3 after.
        let answered = zip(frames.indices, rejections).filter {
            SessionRules.answersRefusal(ofTemplate: UInt16(clamping: $0.1.refTemplateId))
        }
        let deadline = Date(timeIntervalSinceNow: 30)
        while replies.count < answered.count + 1 && Date() < deadline {
            if let parts = try raw.socket.receive(timeoutMilliseconds: 100) { replies.append(contentsOf: parts) }
        }
        // The attacker's LogonAck is among the replies, between phase A's Rejects and phase B's.
        let rejects = replies.filter { (try? codec.decode($0, asVersion: 5))?.message.type.name != "LogonAck" }
        #expect(rejects.count == answered.count, "\(rejects.count) Rejects came back for \(answered.count) refused frames")
        var wrongRejects: [String] = []
        for (reply, (index, event)) in zip(rejects, answered) {
            let decoded = try? codec.decode(reply, asVersion: 1)
            let version = index < phaseA.count ? 1 : 3
            if decoded?.message.type.name != "Reject"
                || decoded?.message["code"]?.unsigned != UInt64(RejectCode(name: event.code)?.rawValue ?? 0)
                || decoded?.header.version != UInt16(version)
            {
                wrongRejects.append(
                    "#\(index): \(reply.prefix(32).hexString) for a rejected_inbound \(event.code), expected a Reject at \(version)")
                if wrongRejects.count >= 10 { break }
            }
        }
        #expect(wrongRejects.isEmpty, "\(wrongRejects.joined(separator: "\n"))")

        // Someone else now logs on and trades as if nothing happened.
        try goodClientTrades(exchange)
        try gateway.shutdown()
    }

    /// An attacker that never reads the Rejects it provokes must not stall the gateway for
    /// everyone else: its queue fills, but the gateway goes on serving other clients.
    // The limit only keeps a hung test from holding up the run: the waits inside end on a stall.
    @Test(.timeLimit(.minutes(10)))
    func flooderThatNeverReadsItsRejectsDoesNotStallTheGateway() throws {
        let exchange = try Exchange(gateway: 5)
        let gateway = exchange.gateway
        let pid = gateway.child.pid
        // A bare DEALER whose queues have no limit (set before it connects): our own sends never block the test.
        let context = try ZMQContext()
        let raw = try ZMQSocket(context, .dealer)
        try raw.setSendHighWaterMark(0)
        try raw.connect(exchange.endpoint)
        defer {
            raw.close()
            context.terminate()
        }
        let before = try #require(residentKilobytes(pid))
        var generator = FloodFrames(seed: 0x5447_0006)
        let frames = generator.attack(10_000, loggedOn: false)
        for frame in frames { try raw.send(frame.bytes) }
        let refused = awaitRejections(gateway, count: frames.count)
        #expect(
            refused,
            "the gateway refused \(gateway.count { $0.rejectedInbound != nil }) of \(frames.count) frames, then stopped (is it blocked sending Rejects to a client that does not read them?)"
        )
        if let after = residentKilobytes(pid) {
            #expect(after - before <= maximumGrowthKB, "the gateway's VmRSS grew from \(before) kB to \(after) kB")
        }
        try goodClientTrades(exchange)
        try gateway.shutdown()
    }
}
