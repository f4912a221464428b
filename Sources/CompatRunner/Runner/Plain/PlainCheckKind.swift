// The check kinds of the plain SBE profile (docs/PROTOCOL.md SB1–SB5): derived from any schema,
// with no logon, no Reject and no reference gateway. Part of the one catalogue (CheckKind.plain).

import PeerContract

public enum PlainCheckKind: Sendable, Hashable, CaseIterable {
    case connect
    case sample, edge, encodedAt
    case typeRefused, unknownTemplate
    case newerField, enumNewerRefused
    case badInput(PlainBadInputProbe)

    public static var allCases: [PlainCheckKind] {
        [.connect, .sample, .edge, .encodedAt, .typeRefused, .unknownTemplate, .newerField, .enumNewerRefused]
            + PlainBadInputProbe.allCases.map(PlainCheckKind.badInput)
    }

    var id: String {
        switch self {
        case .connect: "sbe-connect"
        case .sample: "sbe-sample"
        case .edge: "sbe-edge"
        case .encodedAt: "sbe-encoded-at"
        case .typeRefused: "sbe-type-refused"
        case .unknownTemplate: "sbe-unknown-template"
        case .newerField: "sbe-newer-field"
        case .enumNewerRefused: "sbe-enum-newer-refused"
        case .badInput(let probe): "sbe-bad-input-" + probe.rawValue
        }
    }

    var namePattern: String {
        switch self {
        case .connect: "session/c2g/connect"
        case .sample: "TYPE/FLOW/sample"
        case .edge: "TYPE/FLOW/edge-CASE"
        case .encodedAt: "TYPE/FLOW/encoded-at-vK"
        case .typeRefused: "TYPE/FLOW/refused"
        case .unknownTemplate: "TYPE/FLOW/unknown-template"
        case .newerField: "TYPE/FLOW/newer-field-FIELD"
        case .enumNewerRefused: "TYPE/FLOW/edge-enum-FIELD-newer"
        case .badInput(let probe): "bad-input/FLOW/" + probe.rawValue
        }
    }

    var rules: [Rule] {
        let delivered: [Rule] = [.sb1, .sb2, .w1, .w2, .w3, .w4, .w5, .r1, .r2, .r3, .r4, .r10, .p7, .p11, .p12, .p15]
        let silentRefusal: [Rule] = [.sb3, .p11, .p13, .p16]
        switch self {
        case .connect: return [.p4, .p8, .p11, .p12]
        case .sample, .edge: return delivered + [.sb3, .sb4, .sb5]
        case .encodedAt: return [.sb2, .r1, .r2, .r3, .r4, .r10, .p8, .p11, .p12]
        case .typeRefused, .enumNewerRefused: return [.sb5, .e2, .p7]
        case .unknownTemplate: return [.p8] + silentRefusal
        case .newerField: return [.sb5, .e2, .r1, .p7, .p12]
        case .badInput(let probe): return probe.rules + [.p8] + silentRefusal
        }
    }

    var appliesTo: String {
        switch self {
        case .connect: "every cell: the client's first frame, so the gateway knows whom to answer"
        case .sample:
            "every cell; each type the sender's version V has, each direction it travels (SB4); refused as UnknownTemplate where the receiver's version lacks it"
        case .edge: "as sample, each case the schema's samples give (min, max, null, every enum value and set choice of a root field)"
        case .encodedAt: "each type the receiver's version has, each direction, K from its since to the newest version either schema has"
        case .typeRefused: "each type of a direction newer than the sender's version V (or missing from its schema)"
        case .unknownTemplate: "each type of a direction newer than the receiver's version, forced on the wire at its since"
        case .newerField:
            "each type the sender's version has, each root field newer than V: left out at its absent value, refused set (NotRepresentable); each root field only the other peer's file has: refused (InvalidValue)"
        case .enumNewerRefused: "each root enum field the sender's version has whose enum has values newer than V"
        case .badInput(let probe): probe.appliesTo
        }
    }

    var needs: [ContractFeature] {
        switch self {
        case .connect: [.listen, .connect, .sendRaw, .received]
        case .sample, .edge, .newerField: [.send, .received, .rejectedInbound]
        case .typeRefused, .enumNewerRefused: [.send]
        case .encodedAt: [.sendRaw, .received]
        case .unknownTemplate, .badInput: [.sendRaw, .received, .rejectedInbound]
        }
    }
}

/// Frames the runner corrupts on purpose under the plain profile, each refused by SB3.
public enum PlainBadInputProbe: String, CaseIterable, Sendable {
    case shortHeader = "short-header"
    case wrongSchemaId = "wrong-schema-id"
    case oversized = "oversized"
    case unknownTemplate = "unknown-template"
    case shortBlockLength = "short-block-length"
    case truncatedBlock = "truncated-block"
    case groupPastEnd = "group-past-end"
    case varDataPastEnd = "var-data-past-end"
    case enumPastLast = "enum-past-last"

    /// The refusal code SB3 gives it.
    var code: String {
        switch self {
        case .unknownTemplate: "UnknownTemplate"
        case .enumPastLast: "InvalidValue"
        default: "Malformed"
        }
    }

    var rules: [Rule] {
        switch self {
        case .shortHeader, .truncatedBlock, .shortBlockLength: [.r8, .w2, .w3]
        case .wrongSchemaId, .oversized: [.r8, .w2]
        case .unknownTemplate: [.r8]
        case .groupPastEnd: [.r8, .w4]
        case .varDataPastEnd: [.r8, .w5]
        case .enumPastLast: [.r7, .w1]
        }
    }

    var appliesTo: String {
        switch self {
        case .groupPastEnd: "every cell, each direction with a type both versions have that has a group"
        case .varDataPastEnd: "every cell, each direction with a type both versions have that has var-data"
        case .enumPastLast: "every cell, each direction with a type both versions have that has a root enum field"
        case .shortBlockLength, .truncatedBlock: "every cell, each direction with a type both versions have whose block is not empty"
        default: "every cell, both directions"
        }
    }
}
