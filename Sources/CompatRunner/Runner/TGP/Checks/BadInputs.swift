// The bad-input probes: frames broken one way each, and for each rule's boundary the largest
// valid input next to the smallest invalid one. Built from valid frames at N at planning time.

import TGP

/// One kind of bad (or boundary) input.
public enum BadInputProbe: String, CaseIterable, Sendable {
    case shortHeader = "short-header"
    case truncatedBlock = "truncated-block"
    case frameAtLimit = "frame-4096-bytes"
    case frameOverLimit = "frame-4097-bytes"
    case wrongSchemaId = "wrong-schema-id"
    case shortBlockLength = "short-block-length"
    case unknownTemplate = "unknown-template"
    case enumPastLast = "enum-past-last"
    case char8PrintableEdges = "char8-printable-edges"
    case char8Below = "char8-0x1f"
    case char8Delete = "char8-0x7f"
    case char8AfterPadding = "char8-after-padding"
    case varDataAtLimit = "var-data-1024-bytes"
    case varDataOverLimit = "var-data-1025-bytes"
    case varDataPastEnd = "var-data-past-end"
    case utf8Overlong = "utf8-overlong"
    case utf8Surrogate = "utf8-surrogate"
    case utf8AboveMax = "utf8-above-max"
    case utf8Truncated = "utf8-truncated"
    case utf8StrayContinuation = "utf8-stray-continuation"
    case groupAtLimit = "group-64-entries"
    case groupOverLimit = "group-65-entries"
    case groupShortBlockLength = "group-short-block-length"
    case groupPastEnd = "group-past-end"

    var namePattern: String { self == .enumPastLast ? "enum-past-last-TYPE-FIELD" : rawValue }

    /// Whether the receiver must deliver it (the largest valid input) rather than refuse it.
    var isValid: Bool { [.frameAtLimit, .char8PrintableEdges, .varDataAtLimit, .groupAtLimit].contains(self) }

    var rules: [Rule] {
        let refusal: [Rule] = [.r11, .rj1, .rj2, .rj4, .p13]
        switch self {
        case .shortHeader, .truncatedBlock, .shortBlockLength, .varDataPastEnd, .groupPastEnd: return [.r8, .w2, .w3] + refusal
        case .frameAtLimit: return [.w6, .r4, .p12]
        case .frameOverLimit: return [.w6, .r8] + refusal
        case .wrongSchemaId: return [.w2, .r8] + refusal
        case .unknownTemplate: return [.r5] + refusal
        case .enumPastLast: return [.r7, .w1, .rj3, .p16] + refusal
        case .char8PrintableEdges, .varDataAtLimit: return [.w1, .p12, .p15]
        case .char8Below, .char8Delete, .char8AfterPadding, .utf8Overlong, .utf8Surrogate, .utf8AboveMax, .utf8Truncated,
            .utf8StrayContinuation:
            return [.r7, .w1] + refusal
        case .varDataOverLimit: return [.r8, .w1] + refusal
        case .groupAtLimit: return [.w4, .r3, .p12]
        case .groupOverLimit, .groupShortBlockLength: return [.r8, .w4, .r3] + refusal
        }
    }

    var appliesTo: String {
        switch self {
        case .enumPastLast:
            "compatible cells, both directions: each enum once, in the first type with since ≤ N that has it (a Reject must draw no Reject back)"
        case .char8PrintableEdges: "compatible cells, each direction with a type of that direction that has a char8 field at N"
        case .groupAtLimit: "compatible cells with N ≥ 2, gateway to client (MarketDataSnapshot)"
        case .groupOverLimit, .groupShortBlockLength, .groupPastEnd: "compatible cells with N ≥ 2, both directions"
        default: "compatible cells, both directions"
        }
    }
}

/// What a bad-input check sends, and what the receiver must do with it.
struct BadInput: Sendable {
    enum Outcome: Sendable {
        /// Delivered as this message, at N.
        case delivered(Message)
        /// Refused with this code, naming this template (RJ1); a Reject is answered with nothing (RJ3).
        case refused(RejectCode, refTemplateId: UInt16, answeredWithReject: Bool)
    }

    let probe: BadInputProbe
    /// The part of the check name after `bad-input/FLOW/`.
    let name: String
    let frame: [UInt8]
    let outcome: Outcome
}

/// Builds the probes of one flow in a session at N from the schema's samples.
struct BadInputFactory {
    let schema: Schema
    let codec: Codec
    let samples: SampleBook
    let negotiated: Int
    private var layout: FrameLayout { FrameLayout(schema: schema) }

    init(schema: Schema, samples: SampleBook, negotiated: Int) {
        self.schema = schema
        self.codec = Codec(schema: schema)
        self.samples = samples
        self.negotiated = negotiated
    }

    private func type(_ name: String) -> MessageSchema { schema.message(named: name)! }

    /// The sample of `type` projected onto N, and its frame.
    private func sample(_ type: MessageSchema) -> (message: Message, frame: [UInt8]) {
        let message = samples[type].sample.projected(onto: negotiated)
        return (message, (try? codec.encode(message, at: negotiated)) ?? [])
    }

    private func refused(_ probe: BadInputProbe, _ frame: [UInt8], _ code: RejectCode, name: String? = nil) -> BadInput {
        let refTemplateId = frame.count >= FrameHeader.size ? UInt16(frame[2]) | UInt16(frame[3]) << 8 : 0
        let isReject = refTemplateId == type("Reject").templateId && frame.count >= FrameHeader.size
        return BadInput(
            probe: probe, name: name ?? probe.rawValue, frame: frame,
            outcome: .refused(code, refTemplateId: refTemplateId, answeredWithReject: !isReject))
    }

    private func delivered(_ probe: BadInputProbe, _ message: Message) -> BadInput? {
        guard let frame = try? codec.encode(message, at: negotiated) else { return nil }
        return BadInput(probe: probe, name: probe.rawValue, frame: frame, outcome: .delivered(message))
    }

    /// Every probe for frames sent in `flow`, in catalogue order.
    func inputs(for flow: CheckName.Flow) -> [BadInput] {
        BadInputProbe.allCases.flatMap { probe(of: $0, flow: flow) }
    }

    func probe(of probe: BadInputProbe, flow: CheckName.Flow) -> [BadInput] {
        let newOrder = type("NewOrder")
        let logout = type("Logout")
        let reject = type("Reject")
        let order = sample(newOrder).frame
        let bye = (try? codec.encode(Message(logout, ["reason": .text("bye")]), at: negotiated)) ?? []
        func logoutWithReason(_ bytes: [UInt8]) -> [UInt8] { layout.replacingVarData(bye, type: logout, with: bytes) }
        switch probe {
        case .shortHeader: return [refused(probe, Array(order.prefix(FrameHeader.size - 1)), .malformed)]
        case .truncatedBlock:
            return [refused(probe, Array(order.prefix(FrameHeader.size + newOrder.blockLength(at: negotiated) - 1)), .malformed)]
        case .frameAtLimit, .frameOverLimit:
            // A Reject travels both ways and carries var-data at every version; R4 skips the padding.
            let size = schema.maxFrameSize + (probe == .frameAtLimit ? 0 : 1)
            var message = sample(reject).message
            message["text"] = .text(String(repeating: "r", count: schema.maxVarDataLength))
            guard let frame = try? codec.encode(message, at: negotiated) else { return [] }
            let padded = layout.paddedWithNewerVarData(frame, to: size)
            return probe == .frameAtLimit
                ? [BadInput(probe: probe, name: probe.rawValue, frame: padded, outcome: .delivered(message))]
                : [refused(probe, padded, .malformed)]
        case .wrongSchemaId: return [refused(probe, layout.withHeader(order) { $0.schemaId ^= 0x0101 }, .malformed)]
        case .shortBlockLength: return [refused(probe, layout.withHeader(order) { $0.blockLength -= 1 }, .malformed)]
        case .unknownTemplate: return [refused(probe, layout.withHeader(order) { $0.templateId = 99 }, .unknownTemplate)]
        case .enumPastLast: return enumsPastLast()
        case .char8PrintableEdges:
            return char8Carrier(flow).flatMap { carrier in
                var message = sample(carrier).message
                message["symbol"] = .text(" !}~AZaz")
                return delivered(probe, message)
            }.map { [$0] } ?? []
        case .char8Below: return [refused(probe, layout.setting(order, field: "symbol", of: newOrder, to: [0x41, 0x1F]), .invalidValue)]
        case .char8Delete: return [refused(probe, layout.setting(order, field: "symbol", of: newOrder, to: [0x41, 0x7F]), .invalidValue)]
        case .char8AfterPadding:
            return [refused(probe, layout.setting(order, field: "symbol", of: newOrder, to: [0x41, 0x00, 0x42]), .invalidValue)]
        case .varDataAtLimit:
            var message = sample(reject).message
            message["text"] = .text(String(repeating: "v", count: schema.maxVarDataLength))
            return delivered(probe, message).map { [$0] } ?? []
        case .varDataOverLimit:
            return [refused(probe, logoutWithReason([UInt8](repeating: 0x61, count: schema.maxVarDataLength + 1)), .malformed)]
        case .varDataPastEnd: return [refused(probe, Array(bye.dropLast()), .malformed)]
        case .utf8Overlong: return [refused(probe, logoutWithReason([0x61, 0xC0, 0xAF, 0xE0, 0x80, 0xAF]), .invalidValue)]
        case .utf8Surrogate: return [refused(probe, logoutWithReason([0x61, 0xED, 0xA0, 0x80]), .invalidValue)]
        case .utf8AboveMax: return [refused(probe, logoutWithReason([0x61, 0xF4, 0x90, 0x80, 0x80]), .invalidValue)]
        case .utf8Truncated: return [refused(probe, logoutWithReason([0x61, 0xE2, 0x82]), .invalidValue)]
        case .utf8StrayContinuation: return [refused(probe, logoutWithReason([0x61, 0x80, 0x62]), .invalidValue)]
        case .groupAtLimit, .groupOverLimit, .groupShortBlockLength, .groupPastEnd: return groupProbe(probe, flow: flow)
        }
    }

    /// A type sent in `flow` with a char8 `symbol` at N, if there is one.
    private func char8Carrier(_ flow: CheckName.Flow) -> MessageSchema? {
        schema.messages.first { type in
            type.since <= negotiated && type.direction.isSent(by: flow.sender)
                && type.rootField(named: "symbol").map { $0.type == .char8 && $0.since <= negotiated } == true
        }
    }

    /// Each enum once, one past its last value, in the first type with since ≤ N that has it.
    private func enumsPastLast() -> [BadInput] {
        var seen: Set<String> = []
        var inputs: [BadInput] = []
        for type in schema.messages where type.since <= negotiated {
            for field in type.fields where field.since <= negotiated {
                guard case .enumeration(let enumSchema) = field.type, seen.insert(enumSchema.name).inserted else { continue }
                let pastLast = (enumSchema.values.map(\.value).max() ?? 0) &+ 1
                let frame = layout.setting(sample(type).frame, field: field.name, of: type, to: [UInt8(truncatingIfNeeded: pastLast)])
                inputs.append(refused(.enumPastLast, frame, .invalidValue, name: "enum-past-last-\(type.name)-\(field.name)"))
            }
        }
        return inputs
    }

    private func groupProbe(_ probe: BadInputProbe, flow: CheckName.Flow) -> [BadInput] {
        guard let snapshot = schema.message(named: "MarketDataSnapshot"), snapshot.since <= negotiated,
            let group = snapshot.groups.first, let full = samples[snapshot].edges.first(where: { $0.name == "group-full" })?.message
        else { return [] }
        let message = full.projected(onto: negotiated)
        guard let frame = try? codec.encode(message, at: negotiated) else { return [] }
        switch probe {
        case .groupAtLimit:
            // Only a client receives groups in its direction.
            guard flow == .gatewayToClient else { return [] }
            return [BadInput(probe: probe, name: probe.rawValue, frame: frame, outcome: .delivered(message))]
        case .groupOverLimit: return [refused(probe, layout.appendingGroupEntry(frame, type: snapshot), .malformed)]
        case .groupShortBlockLength:
            let length = UInt16(group.blockLength(at: negotiated) - 1)
            return [refused(probe, layout.settingGroupBlockLength(frame, type: snapshot, to: length), .malformed)]
        default: return [refused(probe, Array(frame.dropLast()), .malformed)]
        }
    }
}
