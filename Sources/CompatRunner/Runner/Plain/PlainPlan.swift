// A plain SBE cell's plan (profile sbe, docs/PROTOCOL.md SB1–SB5): what each check sends and
// what the receiver must make of it, computed from the two peers' schema files and versions
// alone. Each side acts at its own version; what a receiver delivers is worked out by field
// name from both files, so a field retyped in one of them shows in exactly the checks it
// touches.

import MiniJSON
import PeerContract
import TGP

/// What the receiver must do with one frame.
enum PlainOutcome: Sendable {
    /// Deliver it as `received`, listing exactly these fields.
    case delivered(PlainExpectation)
    /// Refuse it with this code, naming this template, and answer nothing on the wire (SB3).
    case refused(code: String, refTemplateId: Int, proof: SilenceProof?)
}

/// After a refusal: `back` goes from the receiver to the sender and must be the first frame the
/// sender sees (nothing answered the refused one), then `forward` goes on the same way as the
/// refused frame and must be delivered (the connection goes on).
struct SilenceProof: Sendable {
    let back: [UInt8]
    let forward: [UInt8]
}

/// A delivered message as the receiver must list it (P12): canonical JSON of its version.
struct PlainExpectation: Sendable {
    let type: String
    /// The frame's header.version.
    let version: Int
    let fields: JSONObject
}

/// What the plain executor does for one check, with the values the plan computed for it.
enum PlainStep: Sendable {
    typealias Flow = CheckName.Flow
    /// The client's first frame, forced on the wire: the gateway must deliver it.
    case connect(frame: [UInt8], outcome: PlainOutcome)
    /// `send` of `json`: the sender puts exactly `frame` on the wire and the receiver does as `outcome` says.
    case send(json: JSON, frame: [UInt8], outcome: PlainOutcome, Flow)
    /// `send` of `json` must be refused for `reason`, nothing on the wire (SB5).
    case sendRefused(json: JSON, reason: String, Flow)
    /// A field newer than the sender's version: at its absent value the message goes without it;
    /// set (`set`), the send is refused for `reason`.
    case newerField(absent: JSON, frame: [UInt8], outcome: PlainOutcome, set: JSON, reason: String, Flow)
    /// `frame` forced on the wire with `send_raw`.
    case raw(frame: [UInt8], outcome: PlainOutcome, Flow)
    /// The plan could not make this check's input: it fails with this sentence rather than being left out.
    case unplannable(String)
}

/// The two peers of a plain cell as the plan sees them: each one's schema and version.
struct PlainSides {
    typealias Flow = CheckName.Flow
    let client: (schema: Schema, version: Int)
    let gateway: (schema: Schema, version: Int)

    func side(_ role: Role) -> (schema: Schema, version: Int) { role == .client ? client : gateway }
    func sender(_ flow: Flow) -> (schema: Schema, version: Int) { side(flow.sender) }
    func receiver(_ flow: Flow) -> (schema: Schema, version: Int) { side(flow.receiver) }
}

/// Builds a plain cell's checks: hello, connect, every message type each way, bad input, shutdown.
struct PlainPlanner {
    typealias Flow = CheckName.Flow
    let sides: PlainSides
    let peers: CellPeers
    /// The samples of each side's schema (those of the matrix's fixtures where they read under it).
    let samples: (Role) -> SampleBook
    var checks: [PlannedCheck] = []
    /// Each flow's frames both files read alike (`agreedFrames`), made once (`plan()`): the
    /// markers, the silence proofs and the bad-input probes lean on them.
    var agreed: [Flow: [(type: MessageSchema, frame: [UInt8])]] = [:]
    /// Each flow's proof that a refusal was silent, made once (`plan()`) from those frames.
    var proofs: [Flow: SilenceProof] = [:]

    mutating func add(_ kind: PlainCheckKind, _ subject: String, _ flow: Flow?, _ what: String, _ step: PlainStep) {
        checks.append(PlannedCheck(id: peers.check(subject, flow, what), kind: .plain(kind), step: .plain(step)))
    }

    mutating func plan() -> [PlannedCheck] {
        for flow in Flow.allCases { agreed[flow] = agreedFrames(flow) }
        for flow in Flow.allCases {
            let back = marker(flow == .clientToGateway ? .gatewayToClient : .clientToGateway)
            if let back, let forward = marker(flow) { proofs[flow] = SilenceProof(back: back, forward: forward) }
        }
        checks.append(hello(.gateway))
        checks.append(hello(.client))
        planConnect()
        for flow in Flow.allCases {
            for name in typeNames(flow) { planType(name, flow) }
        }
        for flow in Flow.allCases { planBadInput(flow) }
        checks.append(PlannedCheck(id: peers.check(CheckName.session, nil, "shutdown"), kind: .shutdown, step: .shutdown))
        return checks
    }

    private func hello(_ role: Role) -> PlannedCheck {
        let what = role == .gateway ? "hello-gateway" : "hello-client"
        return PlannedCheck(
            id: peers.check(CheckName.session, nil, what), kind: role == .gateway ? .helloGateway : .helloClient, step: .hello(role))
    }

    // MARK: Connect

    /// The client speaks first: a ROUTER gateway learns whom to answer from the first frame.
    mutating func planConnect() {
        guard let marker = marker(.clientToGateway) else {
            add(.connect, CheckName.session, .clientToGateway, "connect", .unplannable(Self.noMarker))
            return
        }
        add(.connect, CheckName.session, .clientToGateway, "connect", .connect(frame: marker, outcome: receive(marker, .clientToGateway)))
    }

    static let noMarker = "no message type that both versions have travels client to gateway: nothing can open the connection"

    /// A frame that `flow`'s receiver delivers as the sender meant it: of the types both versions
    /// have, the one with the smallest block whose sample both files read alike (a type the two
    /// files disagree on would make every check that leans on the marker fail with it).
    func marker(_ flow: Flow) -> [UInt8]? {
        let version = sides.sender(flow).version
        return agreed[flow, default: []].min { $0.type.blockLength(at: version) < $1.type.blockLength(at: version) }?.frame
    }

    /// The types of the sender's version, with their sample frame at that version, that the
    /// receiver delivers and both files read alike: what checks about something else can lean on.
    func agreedFrames(_ flow: Flow) -> [(type: MessageSchema, frame: [UInt8])] {
        let (schema, version) = sides.sender(flow)
        let receiver = sides.receiver(flow)
        let codec = Codec(schema: receiver.schema)
        return schema.messages.compactMap { type in
            guard type.since <= version,
                let frame = try? Codec(schema: schema).encode(samples(flow.sender)[type].sample.projected(onto: version), at: version),
                case .delivered(let expected) = judge(frame, flow, encodedBy: nil),
                let own = try? codec.decode(frame, asVersion: receiver.version),
                own.message.json(knownAt: receiver.version)["fields"]?.objectValue == expected.fields
            else { return nil }
            return (type, frame)
        }
    }

    // MARK: Message types

    /// The types either schema sends in `flow` (SB4), the sender's in its order, then the receiver's others.
    func typeNames(_ flow: Flow) -> [String] {
        let sender = sides.sender(flow).schema
        let receiver = sides.receiver(flow).schema
        let senderNames = sender.messages.filter { $0.direction.isSent(by: flow.sender) }.map(\.name)
        let others = receiver.messages.filter { $0.direction.isSent(by: flow.sender) && sender.message(named: $0.name) == nil }
        return senderNames + others.map(\.name)
    }

    mutating func planType(_ name: String, _ flow: Flow) {
        let sender = sides.sender(flow)
        let receiver = sides.receiver(flow)
        let sent = sender.schema.message(named: name)
        let received = receiver.schema.message(named: name)
        if let sent, sent.since <= sender.version {
            planSamples(sent, flow)
            planNewerFields(sent, flow)
            planNewerEnumValues(sent, flow)
        } else {
            // Newer than the sender, or not in its schema at all: a name it cannot know (E2, SB5).
            let type = (sent ?? received)!
            let message = samples(sent == nil ? flow.receiver : flow.sender)[type].sample
            add(
                .typeRefused, name, flow, "refused",
                .sendRefused(json: message.json(knownAt: type.since), reason: sent == nil ? "InvalidValue" : "UnsupportedInVersion", flow))
        }
        if let received, received.since <= receiver.version {
            planEncodedAt(name, flow)
        } else if sent == nil || sent!.since > sender.version {
            planUnknownTemplate(name, flow)
        }
    }

    /// The sample and each edge case, sent at the sender's version.
    mutating func planSamples(_ type: MessageSchema, _ flow: Flow) {
        let book = samples(flow.sender)[type]
        add(.sample, type.name, flow, "sample", send(book.sample, flow))
        for edge in book.edges {
            add(.edge, type.name, flow, "edge-\(edge.name)", send(edge.message, flow))
        }
    }

    /// `send` of `message` at the sender's version: the frame it must produce and what the receiver
    /// makes of it, or the refusal the sender owes (E2, SB5).
    func send(_ message: Message, _ flow: Flow) -> PlainStep {
        let (schema, version) = sides.sender(flow)
        let projected = message.projected(onto: version)
        let json = projected.json(knownAt: version)
        do {
            let frame = try Codec(schema: schema).encode(projected, at: version)
            return .send(json: json, frame: frame, outcome: receive(frame, flow), flow)
        } catch {
            return .sendRefused(json: json, reason: error.refusal.rawValue, flow)
        }
    }

    /// The sample encoded at every version K either schema has from the type's since: forward and
    /// backward decoding (SB2, R1–R4, R10).
    mutating func planEncodedAt(_ name: String, _ flow: Flow) {
        let sender = sides.sender(flow).schema
        let receiver = sides.receiver(flow).schema
        let since = [sender, receiver].compactMap { $0.message(named: name)?.since }.min()!
        for version in since...max(sender.latestVersion, receiver.latestVersion) {
            // Encoded by the sender's schema where it has the version, else by the receiver's.
            let (schema, role) =
                version <= sender.latestVersion && sender.message(named: name) != nil ? (sender, flow.sender) : (receiver, flow.receiver)
            guard let type = schema.message(named: name), type.since <= version else { continue }
            let what = "encoded-at-v\(version)"
            do {
                let frame = try Codec(schema: schema).encode(samples(role)[type].sample.projected(onto: version), at: version)
                add(.encodedAt, name, flow, what, .raw(frame: frame, outcome: receive(frame, flow, encodedBy: schema), flow))
            } catch {
                add(.encodedAt, name, flow, what, .unplannable("the sample of \(name) does not encode at version \(version): \(error)"))
            }
        }
    }

    /// A type the receiver's version lacks, forced on the wire at its since: refused as UnknownTemplate.
    mutating func planUnknownTemplate(_ name: String, _ flow: Flow) {
        let sender = sides.sender(flow).schema
        let (schema, role) = sender.message(named: name) != nil ? (sender, flow.sender) : (sides.receiver(flow).schema, flow.receiver)
        let type = schema.message(named: name)!
        do {
            let frame = try Codec(schema: schema).encode(samples(role)[type].sample.projected(onto: type.since), at: type.since)
            add(
                .unknownTemplate, name, flow, "unknown-template", .raw(frame: frame, outcome: receive(frame, flow, encodedBy: schema), flow)
            )
        } catch {
            add(
                .unknownTemplate, name, flow, "unknown-template",
                .unplannable("the sample of \(name) does not encode at its since: \(error)"))
        }
    }

    /// E2 read as SB5: each root field newer than the sender's version, left out at its absent
    /// value and refused set.
    mutating func planNewerFields(_ type: MessageSchema, _ flow: Flow) {
        let (schema, version) = sides.sender(flow)
        let book = samples(flow.sender)[type]
        let absent = book.sample.projected(onto: version)
        guard let frame = try? Codec(schema: schema).encode(absent, at: version) else { return }
        for (index, field) in type.logicalFields.enumerated() where field.since > version {
            guard case .scalar = field.kind, let value = nonAbsentValue(of: index, in: book) else { continue }
            var set = absent
            set.values[index] = value
            add(
                .newerField, type.name, flow, "newer-field-\(field.name)",
                .newerField(
                    absent: absent.json(knownAt: schema.latestVersion), frame: frame, outcome: receive(frame, flow),
                    set: set.json(knownAt: schema.latestVersion), reason: "NotRepresentable", flow))
        }
        planUnknownFields(type, absent: absent, flow)
    }

    /// E2 for a root field the other peer's file has and the sender's file does not (a field
    /// invented after the sender was built): a name its schema lacks is InvalidValue, at its
    /// absent value too.
    mutating func planUnknownFields(_ type: MessageSchema, absent: Message, _ flow: Flow) {
        let (schema, _) = sides.sender(flow)
        guard let other = sides.receiver(flow).schema.message(named: type.name) else { return }
        let known = Set(type.logicalFields.map(\.name))
        for field in other.logicalFields where !known.contains(field.name) {
            guard case .scalar = field.kind, case .object(var fields)? = absent.json(knownAt: schema.latestVersion)["fields"] else {
                continue
            }
            fields[field.name] = field.json(field.defaultValue, knownAt: other.since)
            add(
                .newerField, type.name, flow, "newer-field-\(field.name)",
                .sendRefused(json: .object(["type": .string(type.name), "fields": .object(fields)]), reason: "InvalidValue", flow))
        }
    }

    /// A value of field `index` other than its absent one, from the sample or else an edge case.
    func nonAbsentValue(of index: Int, in book: MessageSamples) -> FieldValue? {
        let absent = book.sample.type.logicalFields[index].defaultValue
        return ([book.sample] + book.edges.map(\.message)).map { $0.values[index] }.first { $0 != absent && $0 != .null }
    }

    /// Every root enum field the sender's version has, at a value newer than that version: refused (E2, SB5).
    mutating func planNewerEnumValues(_ type: MessageSchema, _ flow: Flow) {
        let version = sides.sender(flow).version
        let sample = samples(flow.sender)[type].sample.projected(onto: version)
        for (index, field) in type.logicalFields.enumerated() where field.since <= version {
            guard case .scalar(let scalar, nil) = field.kind, case .enumeration(let enumSchema) = scalar.type,
                let newer = enumSchema.values.first(where: { $0.since > version })
            else { continue }
            var message = sample
            message.values[index] = .unsigned(newer.value)
            add(
                .enumNewerRefused, type.name, flow, "edge-enum-\(field.name)-newer",
                .sendRefused(json: message.json(knownAt: version), reason: "UnsupportedInVersion", flow))
        }
    }

    // MARK: The receiver

    /// What `flow`'s receiver must make of `frame`, judged by the file the frame was made from
    /// (`source`, the sender's unless said) read at the receiver's version: its refusal where
    /// SB3 gives one, else the sender's values by field name as the receiver's version lists them
    /// (SB2). Judging by the receiver's own file instead would expect whatever that file makes of
    /// the bytes, and a field it retyped would pass as a refusal.
    func receive(_ frame: [UInt8], _ flow: Flow, encodedBy source: Schema? = nil) -> PlainOutcome {
        switch judge(frame, flow, encodedBy: source) {
        case .delivered(let expected): return .delivered(expected)
        case .refused(let code, let refTemplateId, _): return .refused(code: code, refTemplateId: refTemplateId, proof: proofs[flow])
        }
    }

    /// `receive` without the silence proof (which itself needs frames judged).
    private func judge(_ frame: [UInt8], _ flow: Flow, encodedBy source: Schema?) -> PlainOutcome {
        let source = source ?? sides.sender(flow).schema
        let (schema, version) = sides.receiver(flow)
        let decoded: DecodedFrame
        do {
            decoded = try Codec(schema: source).decode(frame, asVersion: version)
        } catch {
            return .refused(code: error.code.name, refTemplateId: Int(error.templateId), proof: nil)
        }
        let sentType = decoded.message.type
        let frameVersion = Int(decoded.header.version)
        let receiverType = schema.message(named: sentType.name) ?? sentType
        let sent = (try? Codec(schema: source).decode(frame, asVersion: source.latestVersion).message) ?? decoded.message
        let fields = PlainExpectations.fields(
            sent: sent.values, of: sentType.logicalFields, frameVersion: frameVersion, receiverFields: receiverType.logicalFields,
            receiverVersion: version)
        return .delivered(PlainExpectation(type: sentType.name, version: frameVersion, fields: fields))
    }
}
