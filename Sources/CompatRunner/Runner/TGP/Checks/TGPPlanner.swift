// A TGP cell's plan (profile tgp): hello, the Logon negotiation, every message type at N, the
// Rejects of bad input, the reference gateway and Logout, in the order a TGP session allows.
// The one place a cell's plan names TGP's messages; the plain profile's is PlainPlan.swift.

import TGP

/// Builds a plan in the order a session allows: hello, before logon, handshake, every message
/// type (samples, edges, every encoding version, refusals, then enums), bad input, the reference
/// gateway, Logout, shutdown.
struct TGPPlanner {
    typealias Flow = CheckName.Flow
    let schema: Schema
    let codec: Codec
    let samples: SampleBook
    let peers: CellPeers
    var checks: [PlannedCheck] = []

    init(schema: Schema, samples: SampleBook, peers: CellPeers) {
        self.schema = schema
        self.codec = Codec(schema: schema)
        self.samples = samples
        self.peers = peers
    }

    /// Logon, LogonAck and LogonReject are checked by the handshake: sent again they would start a new session.
    static let sessionSetup: Set = ["Logon", "LogonAck", "LogonReject"]

    mutating func add(_ kind: CheckKind, _ subject: String, _ flow: Flow?, _ what: String, _ step: PlannedCheck.Step) {
        checks.append(PlannedCheck(id: peers.check(subject, flow, what), kind: kind, step: step))
    }

    mutating func plan(_ negotiation: Negotiation) -> [PlannedCheck] {
        add(.helloGateway, CheckName.session, nil, "hello-gateway", .hello(.gateway))
        add(.helloClient, CheckName.session, nil, "hello-client", .hello(.client))
        let newOrder = schema.message(named: "NewOrder")!
        let early = (try? codec.encode(samples[newOrder].sample.projected(onto: 1), at: 1)) ?? []
        add(
            .beforeLogon, CheckName.session, .clientToGateway, "before-logon",
            .beforeLogon(frame: early, refTemplateId: newOrder.templateId))
        add(.handshake, "Logon", .clientToGateway, "handshake", .handshake)
        // Refused or not, the gateway decodes the Logon the client encoded at its maximum.
        add(.logonForwardDecoding, "Logon", .clientToGateway, "forward-decoding", .logonForwardDecoding)
        guard case .accepted(let negotiated) = negotiation else {
            add(.logonRejectRefusal, "LogonReject", .gatewayToClient, "refusal", .logonRejectRefusal)
            add(.shutdown, CheckName.session, nil, "shutdown", .shutdown)
            return checks
        }
        // Flow by flow: the executor sends runs of checks with one sender in one batch.
        let logout = schema.message(named: "Logout")!
        let types = schema.messages.filter { !Self.sessionSetup.contains($0.name) && $0 != logout }
        for flow in Flow.allCases {
            for type in types where type.direction.isSent(by: flow.sender) { planMessage(type, flow, negotiated) }
        }
        for flow in Flow.allCases {
            for type in types where type.direction.isSent(by: flow.sender) { planEnums(type, flow, negotiated) }
        }
        let badInputs = BadInputFactory(schema: schema, samples: samples, negotiated: negotiated)
        for flow in Flow.allCases {
            for probe in BadInputProbe.allCases {
                for input in badInputs.probe(of: probe, flow: flow) {
                    add(.badInput(probe), CheckName.badInput, flow, input.name, .badInput(input, flow))
                }
            }
        }
        planReference(negotiated)
        for flow in Flow.of(logout.direction) {
            planMessage(logout, flow, negotiated)
            planEnums(logout, flow, negotiated)
        }
        add(.shutdown, CheckName.session, nil, "shutdown", .shutdown)
        return checks
    }

    // MARK: Message types

    /// The sample, the edge cases and the sample at every version; or, for a type newer than N, its refusals.
    mutating func planMessage(_ type: MessageSchema, _ flow: Flow, _ negotiated: Int) {
        let sample = samples[type].sample
        guard type.since <= negotiated else {
            // E2 judges "newer than N" against the schema, whether the sender's version knows the type or not.
            add(.typeRefused, type.name, flow, "refused", .typeRefused(sample.projected(onto: type.since), flow))
            let version = max(peers.version(flow.sender), type.since)
            let frame = (try? codec.encode(sample.projected(onto: version), at: version)) ?? []
            let code: RejectCode = peers.version(flow.receiver) >= type.since ? .unsupportedInVersion : .unknownTemplate
            add(.typeForced, type.name, flow, "forced", .typeForced(frame: frame, code: code, refTemplateId: type.templateId, flow))
            return
        }
        add(.sample, type.name, flow, "sample", .deliver(sample, flow))
        for edge in samples[type].edges {
            add(.edge, type.name, flow, "edge-\(edge.name)", .deliver(edge.message, flow))
        }
        planNewerFields(type, flow, negotiated)
        for version in type.since...schema.latestVersion {
            let frame = (try? codec.encode(sample.projected(onto: version), at: version)) ?? []
            let expected = sample.projected(onto: min(version, peers.version(flow.receiver)))
            add(.encodedAt, type.name, flow, "encoded-at-v\(version)", .encodedAt(frame: frame, version: version, expected: expected, flow))
        }
    }

    /// E2 for each root field newer than N, which the sender's schema has whether or not its own
    /// version does: left out at its default, refused set.
    mutating func planNewerFields(_ type: MessageSchema, _ flow: Flow, _ negotiated: Int) {
        let cases = samples[type]
        let absent = cases.sample.projected(onto: negotiated)
        for (index, field) in type.logicalFields.enumerated() where field.since > negotiated {
            guard case .scalar = field.kind,
                let value = ([cases.sample] + cases.edges.map(\.message)).map({ $0.values[index] }).first(where: {
                    $0 != field.defaultValue && $0 != .null
                })
            else { continue }
            var set = absent
            set.values[index] = value
            add(.newerField, type.name, flow, "newer-field-\(field.name)", .newerField(absent: absent, set: set, flow))
        }
    }

    /// Every enum value of N delivered, and the newer ones refused (E2).
    mutating func planEnums(_ type: MessageSchema, _ flow: Flow, _ negotiated: Int) {
        guard type.since <= negotiated else { return }
        let sample = samples[type].sample
        for field in type.logicalFields {
            guard case .scalar(let scalar, nil) = field.kind, case .enumeration(let enumSchema) = scalar.type, field.since <= negotiated
            else { continue }
            let known = enumSchema.values.filter { $0.since <= negotiated }.map { UInt8(truncatingIfNeeded: $0.value) }
            add(.enumValues, type.name, flow, "edge-enum-\(field.name)", .enumValues(sample, field: field.name, values: known, flow))
            let newer = enumSchema.values.filter { $0.since > negotiated }.map { UInt8(truncatingIfNeeded: $0.value) }
            if !newer.isEmpty {
                add(
                    .enumNewerRefused, type.name, flow, "edge-enum-\(field.name)-newer",
                    .enumNewerRefused(sample.projected(onto: negotiated), field: field.name, values: newer, flow))
            }
        }
    }

    // MARK: Reference gateway

    mutating func planReference(_ negotiated: Int) {
        add(.referenceAck, "NewOrder", .clientToGateway, "reference-ack", .reference(.ack))
        add(.referenceCancel, "CancelOrder", .clientToGateway, "reference-cancel", .reference(.cancel))
        add(.referenceUnknownOrder, "CancelOrder", .clientToGateway, "reference-unknown-order", .reference(.unknownOrder))
        if let modify = schema.message(named: "ModifyOrder"), modify.since <= negotiated {
            add(.referenceReplace, "ModifyOrder", .clientToGateway, "reference-replace", .reference(.replace))
        }
        if let massCancel = schema.message(named: "MassCancel"), massCancel.since <= negotiated {
            add(.referenceMassCancel, "MassCancel", .clientToGateway, "reference-mass-cancel", .reference(.massCancel))
        }
        add(.referenceEcho, "Heartbeat", .clientToGateway, "reference-echo", .reference(.echo))
        add(.relogon, "Logon", .clientToGateway, "relogon", .reference(.relogon))
    }
}
