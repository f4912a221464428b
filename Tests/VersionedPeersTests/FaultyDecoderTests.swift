// The decoder faults of docs/FAULTS.md, seen on real peers: the same frame goes to a correct
// receiver and to one started with `--fault`; the correct one refuses it (or reads it right),
// the faulty one delivers the wrong thing.
import MiniJSON
import PeerContract
import TGP
import Testing

/// One logged-on session whose `receiver` side is fed frames by the other side's `send_raw`.
struct RawLink {
    let exchange: Exchange
    let client: PeerProcess
    let sessionId: String
    let receiverRole: Role

    var receiver: PeerProcess { receiverRole == .client ? client : exchange.gateway }
    var sender: PeerProcess { receiverRole == .client ? exchange.gateway : client }

    /// A receiver of `version` in `role` (started with `--fault fault` when one is given) and a
    /// correct peer of `peer` on the other side, logged on.
    init(receiver role: Role, version: Int, peer: Int, fault: String? = nil) throws {
        let faultArguments = fault.map { ["--fault", $0] } ?? []
        exchange = try Exchange(gateway: role == .gateway ? version : peer, auto: false, arguments: role == .gateway ? faultArguments : [])
        client = try exchange.connectClient(role == .client ? version : peer, arguments: role == .client ? faultArguments : [])
        let reply = try client.request(.logon(username: "raw", min: nil, max: nil))
        guard let ack = reply.logonAck else { throw PeerTimeout(description: "logon answered \(reply.line)\n\(client.transcript)") }
        sessionId = ack.sessionId
        receiverRole = role
    }

    /// Puts `frame` on the wire to the receiver: its `received` or `rejected_inbound` of exactly these bytes.
    func deliver(_ frame: [UInt8]) throws -> Event {
        let reply = try sender.request(.sendRaw(bytes: frame, session: receiverRole == .client ? sessionId : nil))
        guard reply.sentBytes == frame else { throw PeerTimeout(description: "send_raw answered \(reply.line)") }
        return try receiver.next("the receiver's event for \(frame.hexString)") {
            $0.received?.bytes == frame || $0.rejectedInbound?.bytes == frame
        }
    }
}

@Suite struct FaultyDecoderTests {
    let schema = Schema.tgp
    let codec = Codec()
    let layout = FrameLayout()

    /// A correct and a faulty receiver of `version` in `role`, each with its own peer of `peer`.
    func links(_ role: Role, version: Int, peer: Int, fault: String) throws -> (correct: RawLink, faulty: RawLink) {
        (try RawLink(receiver: role, version: version, peer: peer), try RawLink(receiver: role, version: version, peer: peer, fault: fault))
    }

    /// R3: a v2 client reads a v5 MarketDataSnapshot (28-byte entries) at its own 24-byte entries.
    @Test func ignoreGroupBlockLengthMisreadsLongerEntries() throws {
        let (correct, faulty) = try links(.client, version: 2, peer: 3, fault: "ignore-group-block-length")
        let snapshot = Samples.message(schema.type("MarketDataSnapshot"), at: 5, seed: 7)
        let frame = try codec.encode(snapshot, at: 5)
        let expected = snapshot.json(knownAt: 2).fields
        let entryLength = schema.type("MarketDataSnapshot").groups[0].blockLength(at: 5)
        #expect(entryLength == 28 && entryLength > schema.type("MarketDataSnapshot").groups[0].blockLength(at: 2))

        let read = try #require(try correct.deliver(frame).received, "the correct v2 refused a v5 MarketDataSnapshot")
        #expect(read.version == 5)
        #expect(read.fields.normalized == expected.normalized, "the correct v2 read \(read.fields.serialized)")

        let misread = try #require(try faulty.deliver(frame).received, "the faulty v2 refused it instead of misreading it")
        #expect(misread.fields.normalized != expected.normalized, "the faulty v2 read the entries right: \(misread.fields.serialized)")
        // The first entry starts where it should; the second is read 4 bytes early.
        let levels = try #require(misread.fields["levels"]?.arrayValue)
        let expectedLevels = try #require(expected["levels"]?.arrayValue)
        #expect(levels.count == 2 && levels[0].normalized == expectedLevels[0].normalized)
        #expect(levels.last?.normalized != expectedLevels[1].normalized)

        // Entries of its own length are read right by both.
        let own = try codec.encode(Samples.message(schema.type("MarketDataSnapshot"), at: 2, seed: 8), at: 2)
        for link in [correct, faulty] {
            let event = try link.deliver(own)
            #expect(
                event.received?.fields.normalized == (try codec.decode(own, asVersion: 2)).message.json(knownAt: 2).fields.normalized,
                "\(link.receiver.label): \(event.line)")
        }
    }

    /// R8: 65 entries are Malformed; the faulty v4 delivers them. 64 are delivered by both. Both directions.
    @Test(arguments: [Role.client, .gateway])
    func accept65EntriesDeliversOneTooMany(_ role: Role) throws {
        let (correct, faulty) = try links(role, version: 4, peer: 4, fault: "accept-65-entries")
        let type = schema.type("MarketDataSnapshot")
        var snapshot = Samples.message(type, at: 4, seed: 9)
        let entry = try #require(snapshot["levels"].flatMap { if case .group(let entries) = $0 { entries.first } else { nil } })
        snapshot["levels"] = .group(Array(repeating: entry, count: schema.maxGroupEntries))
        let full = try codec.encode(snapshot, at: 4)
        // The codec will not encode 65: the 64-entry frame with one more entry and its count raised.
        let entryLength = type.groups[0].blockLength(at: 4)
        let tooMany =
            layout.settingGroupCount(full, type: type, version: 4, to: UInt16(schema.maxGroupEntries + 1)) + full.suffix(entryLength)

        for link in [correct, faulty] {
            let event = try link.deliver(full)
            #expect(
                event.received?.fields["levels"]?.arrayValue?.count == 64,
                "\(link.receiver.label) and 64 entries: \(event.line.prefix(300))")
        }
        let refused = try correct.deliver(tooMany)
        #expect(refused.rejectedInbound?.code == "Malformed", "the correct v4 \(role.rawValue) and 65 entries: \(refused.line.prefix(300))")
        let accepted = try faulty.deliver(tooMany)
        #expect(
            accepted.received?.fields["levels"]?.arrayValue?.count == 65,
            "the faulty v4 \(role.rawValue) and 65 entries: \(accepted.line.prefix(300))")
        // One more is still too many for it.
        let far =
            layout.settingGroupCount(tooMany, type: type, version: 4, to: UInt16(schema.maxGroupEntries + 2)) + full.suffix(entryLength)
        #expect(try faulty.deliver(far).rejectedInbound?.code == "Malformed")
    }

    /// R7: var-data with UTF-16 surrogates in UTF-8 form is InvalidValue; the faulty v4 delivers it.
    /// Every other kind of invalid UTF-8 it still refuses. Both directions.
    @Test(arguments: [Role.client, .gateway])
    func acceptUTF16SurrogatesDeliversThemAlone(_ role: Role) throws {
        let (correct, faulty) = try links(role, version: 4, peer: 4, fault: "accept-utf16-surrogates")
        let newOrder = schema.type("NewOrder")
        let order = try codec.encode(Samples.message(newOrder, at: 4, seed: 11), at: 4)
        func withAccount(_ bytes: [UInt8]) -> [UInt8] { layout.replacingVarData(order, type: newOrder, with: bytes) }

        // U+D800 and U+DFFF, the first and last surrogates, between ASCII.
        let surrogates = withAccount(Array("a".utf8) + [0xED, 0xA0, 0x80] + Array("b".utf8) + [0xED, 0xBF, 0xBF])
        let refused = try correct.deliver(surrogates)
        #expect(refused.rejectedInbound?.code == "InvalidValue", "the correct v4 \(role.rawValue) and surrogates: \(refused.line)")
        let accepted = try #require(try faulty.deliver(surrogates).received, "the faulty v4 \(role.rawValue) refused surrogates")
        #expect(
            accepted.type == "NewOrder" && accepted.fields["account"]?.stringValue == "a\u{FFFD}b\u{FFFD}", "\(accepted.fields.serialized)")

        let stillInvalid: [(String, [UInt8])] = [
            ("an overlong '/'", [0xC0, 0xAF]),
            ("an overlong 3-byte form", [0xE0, 0x80, 0xAF]),
            ("U+110000", [0xF4, 0x90, 0x80, 0x80]),
            ("a truncated sequence", [0x61, 0xE2, 0x82]),
            ("a truncated surrogate", [0xED, 0xA0]),
            ("a stray continuation byte", [0x61, 0x80]),
            ("a surrogate and an overlong form", [0xED, 0xA0, 0x80, 0xC0, 0xAF]),
        ]
        for (what, bytes) in stillInvalid {
            let event = try faulty.deliver(withAccount(bytes))
            #expect(event.rejectedInbound?.code == "InvalidValue", "the faulty v4 \(role.rawValue) and \(what): \(event.line)")
        }
        // Valid text beside the surrogate range (U+D7FF, U+E000) is delivered by both.
        let beside = withAccount([0xED, 0x9F, 0xBF, 0xEE, 0x80, 0x80])
        for link in [correct, faulty] {
            #expect(try link.deliver(beside).received?.fields["account"]?.stringValue == "\u{D7FF}\u{E000}", "\(link.receiver.label)")
        }
    }
}
