// Every peer links the whole schema, every version, and is limited to its own version when
// it starts: a peer of version V below the latest names no newer type, refuses to send a newer type, enum
// value or field with nothing on the wire, and reads a frame encoded at a newer version as its
// own version's layout (R10), listing only the fields V knows (P12).
import MiniJSON
import PeerContract
import TGP
import Testing

@Suite struct VersionLimitTests {
    let schema = Schema.tgp
    let codec = Codec()

    /// A client and a gateway of `version` logged on to each other (N = version), controlled mode.
    func session(_ version: Int) throws -> (client: PeerProcess, gateway: PeerProcess, exchange: Exchange) {
        let exchange = try Exchange(gateway: version, auto: false)
        let client = try exchange.connectClient(version)
        let ack = try client.request(.logon(username: "limit", min: nil, max: nil))
        #expect(ack.logonAck?.version == version, "logon answered \(ack.line)")
        _ = try client.nextReceived("LogonAck")
        _ = try exchange.gateway.nextReceived("Logon")
        return (client, exchange.gateway, exchange)
    }

    func peer(_ role: Role, of pair: (client: PeerProcess, gateway: PeerProcess, exchange: Exchange)) -> (
        sender: PeerProcess, receiver: PeerProcess
    ) {
        role == .client ? (pair.client, pair.gateway) : (pair.gateway, pair.client)
    }

    @Test("hello names no message type newer than the peer's version", arguments: Schema.tgp.versions.dropLast())
    func helloNamesNothingNewer(version: Int) throws {
        for role in Role.allCases {
            let peer = try PeerProcess(version: version, role: role)
            guard case .hello(_, _, _, _, _, let messages, _) = try peer.request(.hello).kind else {
                Issue.record("\(peer.label): hello answered otherwise")
                continue
            }
            let newer = messages.filter { (schema.message(named: $0)?.since ?? Int.max) > version }
            #expect(newer.isEmpty, "\(peer.label) names \(newer)")
            #expect(Set(messages) == Set(schema.messages(knownAt: version).map(\.name)))
            try peer.shutdown()
        }
    }

    @Test("a newer type, enum value or field is refused, with nothing on the wire", arguments: Schema.tgp.versions.dropLast())
    func newerThingsAreRefused(version: Int) throws {
        let pair = try session(version)
        for role in Role.allCases {
            let (sender, receiver) = peer(role, of: pair)
            var refusals: [(what: String, reason: String)] = []
            for type in schema.messages where type.direction.isSent(by: role) {
                if type.since > version {
                    let message = Samples.message(type, at: type.since, seed: 1)
                    refusals.append(
                        ("type \(type.name)", try sender.send(message: message.json(knownAt: type.since)).refusal?.reason ?? "sent"))
                    continue
                }
                for asked in newerValues(of: type, than: version) {
                    let reply = try sender.send(message: asked.json)
                    refusals.append((asked.what, reply.refusal?.reason ?? reply.line))
                }
            }
            let expected = expectedRefusals(sentBy: role, at: version)
            #expect(!refusals.isEmpty && refusals.map(\.what) == expected.map(\.what), "\(sender.label) was asked to send these")
            for (refusal, want) in zip(refusals, expected) {
                #expect(refusal.reason == want.reason, "\(sender.label): \(refusal.what) answered \(refusal.reason)")
            }
            // Nothing went on the wire: the next frame the receiver sees is the Heartbeat sent after them all.
            let heartbeat = Samples.named("Heartbeat", ["timestamp": .unsigned(UInt64(4200 + version))])
            let bytes = try #require(try sender.send(message: heartbeat.json(knownAt: version)).sentBytes)
            _ = try receiver.nextReceived(bytes: bytes)
            let frames = receiver.events { $0.received != nil || $0.rejectedInbound != nil }
            #expect(
                frames.last?.received?.bytes == bytes
                    && frames.filter { $0.received?.type != "Logon" && $0.received?.type != "LogonAck" && $0.received?.type != "Heartbeat" }
                        .isEmpty,
                "\(receiver.label) saw frames besides the handshake and heartbeats: \(frames.map(\.line))")
        }
        try pair.client.shutdown()
        try pair.gateway.shutdown()
    }

    @Test("a frame encoded at a newer version is read as the peer's own version's layout (R10)", arguments: Schema.tgp.versions.dropLast())
    func newerFramesAreReadAsOwnVersion(version: Int) throws {
        let pair = try session(version)
        let setup: Set = ["Logon", "LogonAck", "LogonReject", "Logout"]
        var checked = 0
        for type in schema.messages(knownAt: version) where !setup.contains(type.name) {
            // The receiving role: each direction the type travels.
            for role in Role.allCases where type.direction.isSent(by: role) {
                let (sender, receiver) = peer(role, of: pair)
                // Every field set, the newer ones too; enum values V has (a newer one is refused by R7, not skipped).
                let newest = limitingEnums(Samples.sessionSafe(type, at: schema.latestVersion, seed: 7), to: version)
                let frame = try codec.encode(newest, at: schema.latestVersion)
                #expect(try sender.request(.sendRaw(bytes: frame, session: nil)).sentBytes == frame)
                let received = try #require(
                    try receiver.nextReceived(bytes: frame).received, "\(receiver.label): \(type.name) at v\(schema.latestVersion)")
                #expect(received.version == schema.latestVersion)
                let expected = try codec.decode(frame, asVersion: version).message
                #expect(
                    received.fields.normalized == expected.json(knownAt: version)["fields"]!.normalized,
                    "\(receiver.label) read \(type.name) encoded at v\(schema.latestVersion) otherwise than version \(version) does")
                let newerFields = type.logicalFields.filter { $0.since > version }.map(\.name)
                let named = received.fields.objectValue.map { Set($0.keys) } ?? []
                #expect(named.isDisjoint(with: newerFields), "\(receiver.label) names \(newerFields)")
                checked += 1
            }
        }
        #expect(checked > 0)
        try pair.client.shutdown()
        try pair.gateway.shutdown()
    }

    @Test("E2 judges names against the peer's schema file: a newer field at its default is sent without it, set it is NotRepresentable")
    func newerFieldIsJudgedAgainstTheSchemaFile() throws {
        let pair = try session(1)
        let order = Samples.message(schema.type("NewOrder"), at: 1, seed: 5)
        let fields = try #require(order.json(knownAt: 1).fields.objectValue)
        func asking(_ extra: KeyValuePairs<String, JSON>) -> JSON {
            var asked = fields
            for (name, value) in extra { asked[name] = value }
            return .object(["type": "NewOrder", "fields": .object(asked)])
        }

        // timeInForce is since 2: Day, its default, is simply not written (R1 gives it back).
        let day = try pair.client.send(message: asking(["timeInForce": "Day"]))
        let withoutIt = try codec.encode(order, at: 1)
        #expect(day.sentBytes == withoutIt, "NewOrder with timeInForce Day at N=1: \(day.line)")
        let delivered = try pair.gateway.nextReceived(bytes: withoutIt)
        #expect(delivered.received?.fields.objectValue?["timeInForce"] == nil, "v1 knows no timeInForce: \(delivered.line)")

        // IOC cannot travel at version 1: dropping it would turn the order into a Day order.
        let ioc = try pair.client.send(message: asking(["timeInForce": "IOC"]))
        #expect(ioc.refusal?.reason == "NotRepresentable", "NewOrder with timeInForce IOC at N=1: \(ioc.line)")
        #expect(ioc.refusal?.detail.contains("timeInForce") == true, "\(ioc.line)")

        // A name no version of the schema has is InvalidValue, whatever its value; so is a value no version has.
        let unknown = try pair.client.send(message: asking(["timeInForceX": "Day"]))
        #expect(unknown.refusal?.reason == "InvalidValue", "NewOrder with a field no version has: \(unknown.line)")
        #expect(unknown.refusal?.detail.contains("timeInForceX") == true, "\(unknown.line)")
        let badValue = try pair.client.send(message: asking(["timeInForce": "Forever"]))
        #expect(badValue.refusal?.reason == "InvalidValue", "timeInForce Forever: \(badValue.line)")

        // Nothing of the refused ones went on the wire: the next frame the gateway sees is this Heartbeat.
        let heartbeat = Samples.named("Heartbeat", ["timestamp": .unsigned(4242)])
        let bytes = try #require(try pair.client.send(message: heartbeat.json(knownAt: 1)).sentBytes)
        _ = try pair.gateway.nextReceived(bytes: bytes)
        let frames = pair.gateway.events { $0.received != nil || $0.rejectedInbound != nil }
        #expect(
            frames.compactMap(\.received?.type) == ["Logon", "NewOrder", "Heartbeat"],
            "the gateway saw other frames: \(frames.map(\.line))")
        try pair.client.shutdown()
        try pair.gateway.shutdown()
    }

    /// `message` with each enum value newer than `version` in a field `version` knows set to the enum's default.
    func limitingEnums(_ message: Message, to version: Int) -> Message {
        var limited = message
        for (index, field) in message.type.logicalFields.enumerated() where field.since <= version {
            if case .scalar(let narrow, _) = field.kind, case .enumeration(let enumSchema) = narrow.type,
                case .unsigned(let raw) = message.values[index],
                enumSchema.values.first(where: { UInt64($0.value) == raw })?.since ?? 1 > version
            {
                limited.values[index] = .unsigned(UInt64(enumSchema.defaultValue))
            }
        }
        return limited
    }

    // MARK: What is newer than a version

    /// For a type `version` knows, each way to ask for something newer in it, as the contract's
    /// JSON: one newer enum value (UnsupportedInVersion, E2), or one newer field set, which the
    /// peer's schema has but version N cannot carry (NotRepresentable: E2 judges names against
    /// the sender's schema file, not its own version). Every other field at its default.
    func newerValues(of type: MessageSchema, than version: Int) -> [(what: String, json: JSON, reason: String)] {
        var asked: [(String, JSON, String)] = []
        let newest = Samples.message(type, at: schema.latestVersion, seed: 3).json(knownAt: schema.latestVersion)
        for (index, field) in type.logicalFields.enumerated() {
            var message = Message(type)
            if field.since > version {
                var json = message.json(knownAt: version)
                json = withField(json, field.name, newest["fields"]![field.name]!)
                asked.append(("field \(type.name).\(field.name)", json, "NotRepresentable"))
            } else if case .scalar(let narrow, _) = field.kind, case .enumeration(let enumSchema) = narrow.type {
                for value in enumSchema.values where value.since > version {
                    message.values[index] = .unsigned(UInt64(value.value))
                    asked.append(("enum \(type.name).\(field.name)=\(value.name)", message.json(knownAt: version), "UnsupportedInVersion"))
                }
            }
        }
        return asked
    }

    /// `json` (a contract message) with one more field.
    func withField(_ json: JSON, _ name: String, _ value: JSON) -> JSON {
        guard var object = json.objectValue, var fields = object["fields"]?.objectValue else { return json }
        fields[name] = value
        object["fields"] = .object(fields)
        return .object(object)
    }

    /// What each refusal must say, from the schema: E2's UnsupportedInVersion for a newer type.
    func expectedRefusals(sentBy role: Role, at version: Int) -> [(what: String, reason: String)] {
        schema.messages.filter { $0.direction.isSent(by: role) }.flatMap { type -> [(what: String, reason: String)] in
            if type.since > version { return [("type \(type.name)", "UnsupportedInVersion")] }
            return newerValues(of: type, than: version).map { ($0.what, $0.reason) }
        }
    }
}
