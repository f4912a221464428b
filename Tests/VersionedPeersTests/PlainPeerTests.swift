// The peer of a schema file, `sbe-peer --schema FILE --version N`: RFQ (protocols/rfq, profile
// sbe, versions 0 to 2) played by two real processes of different versions over ipc://. Plain SBE
// (PROTOCOL.md SB1–SB5): no logon, each side encodes at its own version, every inbound frame gives
// one `received` or one `rejected_inbound`, and nothing goes back on the wire. And TGP's own
// tgp.xml (profile tgp), played as `peer --schema-version N` plays it.
import BuiltBinaries
import Foundation
import MiniJSON
import PeerContract
import SchemaXML
import TGP
import Testing

@Suite struct PlainPeerTests {
    static let rfqPath = Built.repositoryRoot + "/protocols/rfq/rfq.xml"
    let rfq: Schema
    let codec: Codec

    init() throws {
        rfq = try SchemaSource.load(xml: Self.rfqPath)
        codec = Codec(schema: rfq)
    }

    /// `sbe-peer --schema protocols/rfq/rfq.xml --version N --role ROLE`.
    func rfqPeer(_ version: Int, _ role: Role) throws -> PeerProcess {
        try PeerProcess(
            argv: Built.sbePeer(schema: Self.rfqPath, version: version), version: version, role: role, name: "sbe-peer rfq-v\(version)")
    }

    /// A gateway of `gatewayVersion` listening in a fresh folder and a client of `clientVersion` connected to it.
    struct Pair {
        let directory: TemporaryDirectory
        let client: PeerProcess
        let gateway: PeerProcess

        func shutdown() throws {
            try client.shutdown()
            try gateway.shutdown()
        }
    }

    func pair(client clientVersion: Int, gateway gatewayVersion: Int) throws -> Pair {
        let directory = try TemporaryDirectory()
        let gateway = try rfqPeer(gatewayVersion, .gateway)
        let listening = try gateway.request(.listen(endpoint: directory.endpoint()))
        guard case .listening(let endpoint) = listening.kind else {
            throw PeerTimeout(description: "listen answered \(listening.line)\n\(gateway.transcript)")
        }
        let client = try rfqPeer(clientVersion, .client)
        let connected = try client.request(.connect(endpoint: endpoint))
        guard connected.kind == .connected else {
            throw PeerTimeout(description: "connect answered \(connected.line)\n\(client.transcript)")
        }
        return Pair(directory: directory, client: client, gateway: gateway)
    }

    /// A contract message.
    func message(_ type: String, _ fields: JSONObject) -> JSON {
        .object(["type": .string(type), "fields": .object(fields)])
    }

    /// A QuoteRequest with the fields of version 0, and `extra`.
    func quoteRequest(_ extra: JSONObject = [:]) -> JSON {
        var fields: JSONObject = [
            "rfqId": "4200000000000000001", "symbol": "ESZ5", "side": "Buy", "quantity": 100,
            "legs": [["legSymbol": "ESZ5", "ratio": 1, "venues": [["venueId": 7], ["venueId": 9]]]], "note": "two legs é",
        ]
        for (key, value) in extra { fields[key] = value }
        return message("QuoteRequest", fields)
    }

    /// A Quote with every field of version 2 set: expiresAt and the tiers' venue are since 1.
    func quote() -> JSON {
        message(
            "Quote",
            [
                "rfqId": "4200000000000000001", "quoteId": "77", "bid": ["mantissa": "1234500"], "offer": ["mantissa": "-1234600"],
                "expiresAt": "1700000000123", "tiers": [["size": 10, "bid": ["mantissa": "1"], "offer": ["mantissa": "2"], "venue": 3]],
                "dealerText": "firm", "signature": "00ff10",
            ])
    }

    /// The frames a peer received or refused, in order.
    func frames(of peer: PeerProcess) -> [Event] {
        peer.events { $0.received != nil || $0.rejectedInbound != nil }
    }

    // MARK: hello

    @Test("hello: the version, its range, the role, the types of that version and contract 3", arguments: [0, 1, 2])
    func hello(version: Int) throws {
        for role in Role.allCases {
            let peer = try rfqPeer(version, role)
            let hello = try peer.request(.hello)
            guard
                case .hello(let implementation, let helloVersion, let min, let max, let helloRole, let messages, let contract) = hello.kind
            else {
                Issue.record("\(peer.label): hello answered \(hello.line)")
                continue
            }
            #expect(implementation == "compat-swift")
            #expect(helloVersion == version && min == 0 && max == version, "\(peer.label): \(hello.line)")
            #expect(helloRole == role.rawValue)
            let expected = ["QuoteRequest", "Quote", "QuoteStatusReport", "Heartbeat"] + (version >= 2 ? ["QuoteCancel"] : [])
            #expect(messages == expected, "\(peer.label): \(hello.line)")
            #expect(contract == 3)
            // No logon and no modes under profile sbe.
            #expect(try peer.request(role == .client ? .logon(username: "u", min: nil, max: nil) : .mode(auto: false)).errorMessage != nil)
            try peer.shutdown()
        }
    }

    // MARK: Each side at its own version

    @Test("v0 client and v2 gateway: each encodes at its own version and reads the other's frames (SB1, SB2)")
    func oldClientNewGateway() throws {
        let pair = try pair(client: 0, gateway: 2)
        // A QuoteRequest of version 0 arrives at v2 with the fields added since at their absent values.
        let sent = try #require(try pair.client.send(message: quoteRequest()).sentBytes, "the v0 client's send")
        #expect(sent.header?.version == 0)
        #expect(Int(sent.header?.blockLength ?? 0) == rfq.message(named: "QuoteRequest")!.blockLength(at: 0))
        let received = try #require(try pair.gateway.nextReceived(bytes: sent).received)
        #expect(received.type == "QuoteRequest" && received.version == 0)
        let fields = try #require(received.fields.objectValue)
        #expect(
            fields["rfqId"] == "4200000000000000001" && fields["symbol"] == "ESZ5" && fields["side"] == "Buy" && fields["quantity"] == 100)
        #expect(fields["legs"]?.arrayValue?.first?["venues"]?.arrayValue?.count == 2 && fields["note"] == "two legs é")
        // R1 under the profile's absentValue (null, the sidecar says nothing): the optional fields are
        // null; the required set `flags` has no null value, so it reads as no choice set (SBE-SCHEMAS.md).
        #expect(fields["validForMs"] == .null, "validForMs (since 1, optional): \(received.fields.serialized)")
        #expect(fields["minQuantity"] == .null, "minQuantity (since 2, optional): \(received.fields.serialized)")
        #expect(fields["flags"] == .array([]), "flags (since 1, a required set): \(received.fields.serialized)")
        #expect(Set(fields.keys) == Set(rfq.message(named: "QuoteRequest")!.logicalFields.map(\.name)))

        // The gateway answers to the client it heard from, at version 2; v0 lists only the fields it knows.
        let quoteBytes = try #require(try pair.gateway.send(message: quote()).sentBytes, "the v2 gateway's send")
        #expect(quoteBytes.header?.version == 2)
        let quote = try #require(try pair.client.nextReceived(bytes: quoteBytes).received)
        #expect(quote.type == "Quote" && quote.version == 2)
        let quoteFields = try #require(quote.fields.objectValue)
        #expect(quoteFields["expiresAt"] == nil, "v0 knows no expiresAt: \(quote.fields.serialized)")
        #expect(quoteFields["rfqId"] == "4200000000000000001" && quoteFields["quoteId"] == "77")
        #expect(quoteFields["bid"]?["mantissa"] == "1234500" && quoteFields["offer"]?["mantissa"] == "-1234600")
        let tier = try #require(quoteFields["tiers"]?.arrayValue?.first?.objectValue)
        #expect(
            tier["venue"] == nil && tier["size"] == 10 && tier["bid"]?["mantissa"] == "1", "v0 knows no venue: \(quote.fields.serialized)")
        #expect(quoteFields["dealerText"] == "firm" && quoteFields["signature"] == "00ff10")
        #expect(frames(of: pair.client).count == 1 && frames(of: pair.gateway).count == 1)
        try pair.shutdown()
    }

    @Test("v2 client and v0 gateway: a newer frame is read as far as the receiver knows (R10), an older one with absent values (R1)")
    func newClientOldGateway() throws {
        let pair = try pair(client: 2, gateway: 0)
        let asked = quoteRequest(["flags": ["Firm", "Indicative"], "validForMs": 250, "minQuantity": 5])
        let sent = try #require(try pair.client.send(message: asked).sentBytes, "the v2 client's send")
        #expect(sent.header?.version == 2)
        let received = try #require(try pair.gateway.nextReceived(bytes: sent).received)
        #expect(received.version == 2)
        let fields = try #require(received.fields.objectValue)
        #expect(
            Set(fields.keys) == ["rfqId", "symbol", "side", "quantity", "legs", "note"],
            "v0 lists what it knows: \(received.fields.serialized)")
        #expect(fields["note"] == "two legs é" && fields["legs"]?.arrayValue?.first?["venues"]?.arrayValue?.count == 2)

        // A Quote of version 0 reaches v2 with expiresAt (optional) null and each tier's venue
        // (required, since 1) at its absent value, null under the profile's absentValue.
        let oldQuote = message(
            "Quote",
            [
                "rfqId": "1", "quoteId": "2", "bid": ["mantissa": "3"], "offer": ["mantissa": "4"],
                "tiers": [["size": 10, "bid": ["mantissa": "5"], "offer": ["mantissa": "6"]]], "dealerText": "", "signature": "",
            ])
        let quoteBytes = try #require(try pair.gateway.send(message: oldQuote).sentBytes, "the v0 gateway's send")
        #expect(quoteBytes.header?.version == 0)
        let quote = try #require(try pair.client.nextReceived(bytes: quoteBytes).received)
        let quoteFields = try #require(quote.fields.objectValue)
        #expect(quoteFields["expiresAt"] == .null, "expiresAt (since 1, optional): \(quote.fields.serialized)")
        let tier = try #require(quoteFields["tiers"]?.arrayValue?.first?.objectValue)
        #expect(tier["venue"] == .null && tier["size"] == 10, "venue (since 1): \(quote.fields.serialized)")
        try pair.shutdown()
    }

    // MARK: Silent refusals

    @Test("a type newer than the receiver is UnknownTemplate, and nothing goes back on the wire (SB3, P16)", arguments: [0, 1])
    func newerTypeIsRefusedSilently(receiver: Int) throws {
        let cancel = message("QuoteCancel", ["rfqId": "8", "reasonCode": 2])
        let frame = try codec.encode(try Message(json: cancel, schema: rfq), at: 2)

        // Client v2 → gateway v0/v1.
        do {
            let pair = try pair(client: 2, gateway: receiver)
            #expect(try pair.client.request(.sendRaw(bytes: frame, session: nil)).sentBytes == frame)
            let refused = try #require(try pair.gateway.nextRejectedInbound().rejectedInbound)
            #expect(refused.code == "UnknownTemplate" && refused.refTemplateId == 5 && refused.bytes == frame, "\(refused)")
            // The gateway's next frame is the client's first: nothing came back before it.
            let heartbeat = try #require(try pair.gateway.send(message: message("Heartbeat", ["timestamp": "11"])).sentBytes)
            _ = try pair.client.nextReceived(bytes: heartbeat)
            #expect(
                frames(of: pair.client).count == 1, "the client saw frames besides the heartbeat: \(frames(of: pair.client).map(\.line))")
            try pair.shutdown()
        }
        // Gateway v2 → client v0/v1, to the client it heard from.
        do {
            let pair = try pair(client: receiver, gateway: 2)
            let first = try #require(try pair.client.send(message: message("Heartbeat", ["timestamp": "1"])).sentBytes)
            _ = try pair.gateway.nextReceived(bytes: first)
            #expect(try pair.gateway.request(.sendRaw(bytes: frame, session: nil)).sentBytes == frame)
            let refused = try #require(try pair.client.nextRejectedInbound().rejectedInbound)
            #expect(refused.code == "UnknownTemplate" && refused.refTemplateId == 5 && refused.bytes == frame, "\(refused)")
            let second = try #require(try pair.client.send(message: message("Heartbeat", ["timestamp": "2"])).sentBytes)
            _ = try pair.gateway.nextReceived(bytes: second)
            #expect(frames(of: pair.gateway).compactMap(\.received?.bytes) == [first, second], "the gateway saw only the two heartbeats")
            #expect(frames(of: pair.gateway).count == 2)
            try pair.shutdown()
        }
    }

    @Test("a short frame is Malformed (refTemplateId 0), an enum value the receiver's version lacks InvalidValue (SB3)")
    func malformedAndInvalid() throws {
        let pair = try pair(client: 1, gateway: 0)
        let short: [UInt8] = [0x01, 0x02, 0x03, 0x04, 0x05]
        #expect(try pair.client.request(.sendRaw(bytes: short, session: nil)).sentBytes == short)
        let malformed = try #require(try pair.gateway.nextRejectedInbound().rejectedInbound)
        #expect(malformed.code == "Malformed" && malformed.refTemplateId == 0 && malformed.bytes == short, "\(malformed)")

        // Side.Cross is since 1: the v1 client sends it, the v0 gateway cannot take it.
        let cross = try #require(try pair.client.send(message: quoteRequest(["side": "Cross"])).sentBytes)
        let invalid = try #require(try pair.gateway.nextRejectedInbound().rejectedInbound)
        #expect(invalid.code == "InvalidValue" && invalid.refTemplateId == 1 && invalid.bytes == cross, "\(invalid)")

        // A wrong schema id is Malformed too, with the header's templateId.
        let heartbeat = try codec.encode(try Message(json: message("Heartbeat", ["timestamp": "5"]), schema: rfq), at: 1)
        let alien = heartbeat.settingU16(0x1234, at: 4)
        #expect(try pair.client.request(.sendRaw(bytes: alien, session: nil)).sentBytes == alien)
        let wrongSchema = try #require(try pair.gateway.nextRejectedInbound().rejectedInbound)
        #expect(wrongSchema.code == "Malformed" && wrongSchema.refTemplateId == 4, "\(wrongSchema)")

        // The gateway answered none of them: the client saw no frame until the one it is sent now.
        let quoteBytes = try #require(try pair.gateway.send(message: message("Heartbeat", ["timestamp": "6"])).sentBytes)
        _ = try pair.client.nextReceived(bytes: quoteBytes)
        #expect(frames(of: pair.client).count == 1)
        try pair.shutdown()
    }

    // MARK: What a sender refuses (SB5)

    @Test("a sender refuses what its version cannot carry by E2 with N = V, judging names against its schema file (SB5)")
    func senderRefusals() throws {
        let pair = try pair(client: 1, gateway: 0)
        let (v1, gateway) = (pair.client, pair.gateway)
        // The v0 gateway, before any client sent to it: there is no one to send to (NotLoggedOn).
        #expect(try gateway.send(message: quote()).refusal?.reason == "NotLoggedOn")
        // A type newer than V, a set choice newer than V: UnsupportedInVersion.
        #expect(try v1.send(message: message("QuoteCancel", ["rfqId": "1"])).refusal?.reason == "UnsupportedInVersion")
        #expect(try v1.send(message: quoteRequest(["flags": ["Indicative"]])).refusal?.reason == "UnsupportedInVersion")
        // A field newer than V: NotRepresentable when set; at its absent value it is not written.
        #expect(try v1.send(message: quoteRequest(["minQuantity": 5])).refusal?.reason == "NotRepresentable")
        let plain = try #require(try v1.send(message: quoteRequest(["flags": ["Firm"]])).sentBytes)
        let withAbsent = try v1.send(message: quoteRequest(["flags": ["Firm"], "minQuantity": nil]))
        #expect(withAbsent.sentBytes == plain, "minQuantity null (its absent value) at v1: \(withAbsent.line)")
        // Names the schema does not have, values no version allows: InvalidValue.
        #expect(try v1.send(message: quoteRequest(["minQty": 5])).refusal?.reason == "InvalidValue")
        #expect(try v1.send(message: message("QuoteWithdraw", [:])).refusal?.reason == "InvalidValue")
        #expect(try v1.send(message: quoteRequest(["side": "Short"])).refusal?.reason == "InvalidValue")
        #expect(try v1.send(message: quoteRequest(["quantity": 0])).refusal?.reason == "InvalidValue", "below Quantity's minValue")

        // Once the client was heard from, the fields the v0 gateway cannot carry are NotRepresentable.
        _ = try gateway.nextReceived(bytes: plain)
        #expect(try gateway.send(message: quote()).refusal?.reason == "NotRepresentable", "expiresAt is since 1")
        // Only the two QuoteRequests the v1 client sent went on the wire.
        #expect(try gateway.awaitCount(2, stalled: peerTimeout) { $0.received != nil })
        #expect(frames(of: gateway).compactMap(\.received?.bytes) == [plain, plain] && frames(of: gateway).count == 2)
        try pair.shutdown()
    }

    // MARK: Profile tgp

    @Test("sbe-peer plays tgp.xml (profile tgp) as peer --schema-version N plays TGP's built-in schema")
    func tgpSchemaFile() throws {
        let tgpPath = Built.repositoryRoot + "/Sources/TGP/tgp.xml"
        func filePeer(_ role: Role) throws -> PeerProcess {
            try PeerProcess(argv: Built.sbePeer(schema: tgpPath, version: 3), version: 3, role: role, name: "sbe-peer tgp-v3")
        }
        for role in Role.allCases {
            let (fromFile, builtIn) = (try filePeer(role), try PeerProcess(version: 3, role: role))
            #expect(try fromFile.request(.hello).line == (try builtIn.request(.hello).line))
            try fromFile.shutdown()
            try builtIn.shutdown()
        }
        // A session of two file peers: logon, a NewOrder in the bytes peer sends, answered by the reference gateway.
        let directory = try TemporaryDirectory()
        let gateway = try filePeer(.gateway)
        guard case .listening(let endpoint) = try gateway.request(.listen(endpoint: directory.endpoint())).kind else {
            throw PeerTimeout(description: "listen failed\n\(gateway.transcript)")
        }
        let client = try filePeer(.client)
        #expect(try client.request(.connect(endpoint: endpoint)).kind == .connected)
        #expect(try client.request(.logon(username: "file", min: nil, max: nil)).logonAck?.version == 3)
        #expect(try gateway.nextSession("logged_on").session?.sessionId == "1")
        let order = Samples.message(Schema.tgp.type("NewOrder"), at: 3, seed: 4)
        let sent = try #require(try client.send(message: order.json(knownAt: 3)).sentBytes)
        #expect(sent == (try Codec().encode(order, at: 3)))
        let received = try #require(try gateway.nextReceived(bytes: sent).received)
        #expect(received.fields.normalized == order.json(knownAt: 3).fields.normalized)
        let ack = try #require(try client.nextReceived("OrderAck").received)
        #expect(ack.fields["clOrdId"] == order.json(knownAt: 3).fields["clOrdId"] && ack.fields["status"] == "New")
        // E2 against the file's schema: a v5 field set is NotRepresentable at N=3.
        var stp = try #require(order.json(knownAt: 3).fields.objectValue)
        stp["stp"] = "CancelNewest"
        #expect(try client.send(message: message("NewOrder", stp)).refusal?.reason == "NotRepresentable")
        try client.shutdown()
        try gateway.shutdown()
    }

    // MARK: Command line

    @Test("command-line errors are exit 2: an unreadable schema with file:line:column, a version it lacks, peer's options")
    func commandLineErrors() throws {
        let directory = try TemporaryDirectory()
        let broken = directory.path + "/broken.xml"
        try """
        <?xml version="1.0"?>
        <messageSchema id="7" version="0">
            <types>
                <type name="Price" primitiveType="float128"/>
            </types>
        </messageSchema>
        """.write(toFile: broken, atomically: true, encoding: .utf8)
        let unreadable = try runToEnd(Built.sbePeer(schema: broken, version: 0) + ["--role", "client"])
        #expect(unreadable.status == 2)
        #expect(unreadable.stderr.contains("\(broken):4:"), "\(unreadable.stderr)")
        #expect(unreadable.stderr.contains("float128"), "\(unreadable.stderr)")

        let missing = try runToEnd(Built.sbePeer(schema: directory.path + "/none.xml", version: 0) + ["--role", "client"])
        #expect(missing.status == 2 && missing.stderr.contains("none.xml:1:1: "), "\(missing.stderr)")

        let notAVersion = try runToEnd(Built.sbePeer(schema: Self.rfqPath, version: 3) + ["--role", "gateway"])
        #expect(notAVersion.status == 2, "\(notAVersion.stderr)")
        #expect(notAVersion.stderr.contains("0 (supports 0..0), 1 (supports 0..1), 2 (supports 0..2)"), "\(notAVersion.stderr)")

        let both = try runToEnd(Built.sbePeer(schema: Self.rfqPath, version: 2) + ["--schema-version", "2", "--role", "client"])
        #expect(both.status == 2 && both.stderr.contains("--schema-version"), "\(both.stderr)")
        let peerWithSchema = try runToEnd([Built.peerProgram, "--schema-version", "3", "--schema", Self.rfqPath, "--role", "client"])
        #expect(peerWithSchema.status == 2 && peerWithSchema.stderr.contains("sbe-peer"), "\(peerWithSchema.stderr)")

        let help = try runToEnd([Built.sbePeerProgram, "--help"])
        #expect(help.status == 0 && help.stdout.contains("--schema FILE --version N"), "\(help.stdout)")
    }
}
