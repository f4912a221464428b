// The check catalogue: every kind of check a cell can run, with its name pattern, the rules it
// enforces, the cells it applies to and what it needs from the peers. Listable before anything
// runs (`compat list --checks`, docs/CHECKS.md); CheckPlan turns it into one cell's names.

import PeerContract
import SchemaXML

/// The families a cell's executor is split by, in the order a cell runs them.
public enum CheckFamily: String, CaseIterable, Sendable {
    case handshake = "hello and handshake"
    case messages = "message types, samples and edge values"
    case forwardBackward = "forward and backward decoding"
    case badInput = "bad input, at each rule's boundary"
    case reference = "reference gateway behaviour"
    case fleet = "fleets: one gateway, many sessions (compat fleet)"
    case upgrade = "rolling upgrades and downgrades (compat upgrade)"
    case plain = "plain SBE sessions (profile sbe)"
}

/// One kind of check.
public enum CheckKind: Sendable, Hashable, CaseIterable {
    case helloGateway, helloClient
    case beforeLogon
    case handshake
    case logonForwardDecoding
    case logonRejectRefusal
    case sample
    case edge
    case enumValues
    case enumNewerRefused
    case typeRefused
    case typeForced
    case newerField
    case encodedAt
    case badInput(BadInputProbe)
    case referenceAck, referenceCancel, referenceUnknownOrder, referenceReplace, referenceMassCancel, referenceEcho
    case relogon
    case shutdown
    case fleetHandshake, fleetSessionReported, fleetOrderBook, fleetRequest, fleetSend, fleetRenegotiate
    case fleetBadInputIsolated, fleetLogoutIsolated, fleetKilledIsolated, fleetNoStrayFrames, fleetShutdown
    case upgradeNotLoggedOn, upgradeRelogon, upgradeTraffic, upgradeNewerRefused, upgradeCutOff, upgradeRecovery, upgradeOthersUndisturbed
    /// A kind of the plain SBE profile (PlainCheckKind.swift).
    case plain(PlainCheckKind)

    public static var allCases: [CheckKind] {
        [
            .helloGateway, .helloClient, .beforeLogon, .handshake, .logonForwardDecoding, .logonRejectRefusal,
            .sample, .edge, .enumValues, .enumNewerRefused, .typeRefused, .typeForced, .newerField, .encodedAt,
        ]
            + BadInputProbe.allCases.map(CheckKind.badInput)
            + [
                .referenceAck, .referenceCancel, .referenceUnknownOrder, .referenceReplace, .referenceMassCancel, .referenceEcho, .relogon,
                .shutdown,
            ]
            + [
                .fleetHandshake, .fleetSessionReported, .fleetOrderBook, .fleetRequest, .fleetSend, .fleetRenegotiate,
                .fleetBadInputIsolated, .fleetLogoutIsolated, .fleetKilledIsolated, .fleetNoStrayFrames, .fleetShutdown,
            ]
            + [
                .upgradeNotLoggedOn, .upgradeRelogon, .upgradeTraffic, .upgradeNewerRefused, .upgradeCutOff, .upgradeRecovery,
                .upgradeOthersUndisturbed,
            ]
            + PlainCheckKind.allCases.map(CheckKind.plain)
    }

    /// The session profiles whose cells plan it.
    public var profiles: Set<SessionProfile> {
        switch self {
        case .helloGateway, .helloClient, .shutdown: [.tgp, .sbe]
        case .plain: [.sbe]
        default: [.tgp]
        }
    }

    /// Kinds a cell of two peers plans (the rest belong to fleets).
    public var isCellKind: Bool { family != .fleet && family != .upgrade }

    /// The kind's stable id, as `compat list --checks --json` gives it.
    public var id: String {
        switch self {
        case .helloGateway: "hello-gateway"
        case .helloClient: "hello-client"
        case .beforeLogon: "before-logon"
        case .handshake: "handshake"
        case .logonForwardDecoding: "logon-forward-decoding"
        case .logonRejectRefusal: "logon-reject-refusal"
        case .sample: "sample"
        case .edge: "edge"
        case .enumValues: "enum-values"
        case .enumNewerRefused: "enum-newer-refused"
        case .typeRefused: "type-refused"
        case .typeForced: "type-forced"
        case .newerField: "newer-field"
        case .encodedAt: "encoded-at"
        case .badInput(let probe): "bad-input-" + probe.rawValue
        case .referenceAck: "reference-ack"
        case .referenceCancel: "reference-cancel"
        case .referenceUnknownOrder: "reference-unknown-order"
        case .referenceReplace: "reference-replace"
        case .referenceMassCancel: "reference-mass-cancel"
        case .referenceEcho: "reference-echo"
        case .relogon: "relogon"
        case .shutdown: "shutdown"
        case .fleetHandshake: "fleet-handshake"
        case .fleetSessionReported: "fleet-session-reported"
        case .fleetOrderBook: "fleet-order-book"
        case .fleetRequest: "fleet-request"
        case .fleetSend: "fleet-send"
        case .fleetRenegotiate: "fleet-renegotiate"
        case .fleetBadInputIsolated: "fleet-bad-input-isolated"
        case .fleetLogoutIsolated: "fleet-logout-isolated"
        case .fleetKilledIsolated: "fleet-killed-isolated"
        case .fleetNoStrayFrames: "fleet-no-stray-frames"
        case .fleetShutdown: "fleet-shutdown"
        case .upgradeNotLoggedOn: "upgrade-not-logged-on"
        case .upgradeRelogon: "upgrade-relogon"
        case .upgradeTraffic: "upgrade-traffic"
        case .upgradeNewerRefused: "upgrade-newer-refused"
        case .upgradeCutOff: "upgrade-cut-off"
        case .upgradeRecovery: "upgrade-recovery"
        case .upgradeOthersUndisturbed: "upgrade-others-undisturbed"
        case .plain(let kind): kind.id
        }
    }

    public var family: CheckFamily {
        switch self {
        case .helloGateway, .helloClient, .beforeLogon, .handshake, .logonForwardDecoding, .logonRejectRefusal, .shutdown: .handshake
        case .sample, .edge, .enumValues, .enumNewerRefused, .typeRefused, .typeForced, .newerField: .messages
        case .encodedAt: .forwardBackward
        case .badInput: .badInput
        case .referenceAck, .referenceCancel, .referenceUnknownOrder, .referenceReplace, .referenceMassCancel, .referenceEcho, .relogon:
            .reference
        case .fleetHandshake, .fleetSessionReported, .fleetOrderBook, .fleetRequest, .fleetSend, .fleetRenegotiate,
            .fleetBadInputIsolated, .fleetLogoutIsolated, .fleetKilledIsolated, .fleetNoStrayFrames, .fleetShutdown:
            .fleet
        case .upgradeNotLoggedOn, .upgradeRelogon, .upgradeTraffic, .upgradeNewerRefused, .upgradeCutOff, .upgradeRecovery,
            .upgradeOthersUndisturbed:
            .upgrade
        case .plain: .plain
        }
    }

    /// The name a check of this kind has after `client=…/gateway=…/`.
    public var namePattern: String {
        switch self {
        case .helloGateway: "session/hello-gateway"
        case .helloClient: "session/hello-client"
        case .beforeLogon: "session/c2g/before-logon"
        case .handshake: "Logon/c2g/handshake"
        case .logonForwardDecoding: "Logon/c2g/forward-decoding"
        case .logonRejectRefusal: "LogonReject/g2c/refusal"
        case .sample: "TYPE/FLOW/sample"
        case .edge: "TYPE/FLOW/edge-CASE"
        case .enumValues: "TYPE/FLOW/edge-enum-FIELD"
        case .enumNewerRefused: "TYPE/FLOW/edge-enum-FIELD-newer"
        case .typeRefused: "TYPE/FLOW/refused"
        case .typeForced: "TYPE/FLOW/forced"
        case .newerField: "TYPE/FLOW/newer-field-FIELD"
        case .encodedAt: "TYPE/FLOW/encoded-at-vK"
        case .badInput(let probe): "bad-input/FLOW/" + probe.namePattern
        case .referenceAck: "NewOrder/c2g/reference-ack"
        case .referenceCancel: "CancelOrder/c2g/reference-cancel"
        case .referenceUnknownOrder: "CancelOrder/c2g/reference-unknown-order"
        case .referenceReplace: "ModifyOrder/c2g/reference-replace"
        case .referenceMassCancel: "MassCancel/c2g/reference-mass-cancel"
        case .referenceEcho: "Heartbeat/c2g/reference-echo"
        case .relogon: "Logon/c2g/relogon"
        case .shutdown: "session/shutdown"
        case .fleetHandshake: "fleet=G/client=C#k/Logon/c2g/handshake"
        case .fleetSessionReported: "fleet=G/client=C#k/Logon/c2g/session-reported"
        case .fleetOrderBook: "fleet=G/client=C#k/NewOrder/c2g/order-book"
        case .fleetRequest: "fleet=G/client=C#k/TYPE/c2g/sample"
        case .fleetSend: "fleet=G/client=C#k/TYPE/g2c/sample"
        case .fleetRenegotiate: "fleet=G/client=C#k/Logon/c2g/renegotiate"
        case .fleetBadInputIsolated: "fleet=G/client=C#k/bad-input/c2g/isolated"
        case .fleetLogoutIsolated: "fleet=G/client=C#k/Logout/c2g/isolated"
        case .fleetKilledIsolated: "fleet=G/client=C#k/session/killed-isolated"
        case .fleetNoStrayFrames: "fleet=G/session/no-stray-frames"
        case .fleetShutdown: "fleet=G/session/shutdown"
        case .upgradeNotLoggedOn: "upgrade=FROM-TO/client=C#k/session/not-logged-on"
        case .upgradeRelogon: "upgrade=FROM-TO/client=C#k/Logon/c2g/relogon"
        case .upgradeTraffic: "upgrade=FROM-TO/client=C#k/NewOrder/c2g/traffic"
        case .upgradeNewerRefused: "upgrade=FROM-TO/client=C#k/session/newer-refused"
        case .upgradeCutOff: "upgrade=FROM-TO/client=C#k/cut-off"
        case .upgradeRecovery: "upgrade=FROM-TO/session/recovery"
        case .upgradeOthersUndisturbed: "upgrade=FROM-TO/side=client/gateway=G/session/others-undisturbed"
        case .plain(let kind): kind.namePattern
        }
    }

    /// The rules a failure of this kind breaks.
    public var rules: [Rule] {
        switch self {
        case .helloGateway, .helloClient: [.p3, .n3, .p17]
        case .beforeLogon: [.r9, .rj1, .rj2, .rj4, .p4, .p13]
        case .handshake: [.n1, .n2, .e3, .p5, .p14]
        case .logonForwardDecoding: [.e3, .r10, .r2, .r4, .p12]
        case .logonRejectRefusal: [.n2, .e3, .p11, .p14]
        case .sample: [.e1, .w1, .w2, .w3, .w4, .w5, .s4, .p7, .p11, .p12, .p15]
        case .edge: [.e1, .w1, .w2, .w3, .w4, .w5, .w7, .e2, .p7, .p12, .p15]
        case .enumValues: [.e1, .w1, .p12, .p15]
        case .enumNewerRefused: [.e2, .p7]
        case .typeRefused: [.e2, .p7]
        case .typeForced: [.r5, .r6, .r11, .rj1, .rj2, .rj4, .p8, .p13]
        case .newerField: [.e2, .e1, .r1, .p7, .p12]
        case .encodedAt: [.r1, .r2, .r3, .r4, .r10, .w7, .s4, .p8, .p11, .p12]
        case .badInput(let probe): probe.rules
        case .referenceAck: [.g1, .e1, .s1, .p6]
        case .referenceCancel: [.g2, .e1, .p6]
        case .referenceUnknownOrder: [.g2, .rj2, .e1, .p6]
        case .referenceReplace: [.g3, .e1, .p6]
        case .referenceMassCancel: [.g4, .s2, .e1, .p6]
        case .referenceEcho: [.s4, .e1, .p6]
        case .relogon: [.s2, .n1, .p5, .p14]
        case .shutdown: [.p9, .p1]
        case .fleetHandshake: [.n1, .n2, .s1, .e3, .p5]
        case .fleetSessionReported: [.s1, .p14]
        case .fleetOrderBook: [.g1, .s1, .e1]
        case .fleetRequest: [.s1, .e1, .s4, .g2, .g3, .g4, .p11, .p12]
        case .fleetSend: [.s1, .e1, .p7, .p12]
        case .fleetRenegotiate: [.s2, .n1, .g1, .p5]
        case .fleetBadInputIsolated: [.r8, .rj1, .s1]
        case .fleetLogoutIsolated: [.s4, .s1, .p7, .p14]
        case .fleetKilledIsolated: [.s1, .t1]
        case .fleetNoStrayFrames: [.s1]
        case .fleetShutdown: [.p9, .p1]
        case .upgradeNotLoggedOn: [.s3, .r9, .rj4]
        case .upgradeRelogon: [.s3, .n1, .p5]
        case .upgradeTraffic: [.s3, .g1, .e1]
        case .upgradeNewerRefused: [.e2, .p7]
        case .upgradeCutOff: [.n1, .n2, .e3]
        case .upgradeRecovery: [.s3]
        case .upgradeOthersUndisturbed: [.s1]
        case .plain(let kind): kind.rules
        }
    }

    /// Which cells (and message types) it applies to.
    public var appliesTo: String {
        switch self {
        case .helloGateway, .helloClient, .beforeLogon, .handshake, .logonForwardDecoding, .shutdown: "every cell"
        case .relogon, .referenceAck, .referenceCancel, .referenceUnknownOrder, .referenceEcho: "compatible cells"
        case .logonRejectRefusal: "cells incompatible by design"
        case .sample: "compatible cells; each type with since ≤ N (but Logon, LogonAck, LogonReject), each direction it travels"
        case .edge: "as sample, each edge case of fixtures/samples.json"
        case .enumValues: "as sample, each enum field with since ≤ N: every value with since ≤ N"
        case .enumNewerRefused: "as sample, each enum field that has values newer than N"
        case .typeRefused: "compatible cells; each type with since > N, each direction it travels"
        case .typeForced: "compatible cells; each type with since > N, each direction it travels"
        case .newerField:
            "as sample, each root field newer than N: at its default it is left out and the message delivered, set it is refused (NotRepresentable)"
        case .encodedAt:
            "compatible cells; each type with since ≤ N (but Logon, LogonAck, LogonReject), each direction, K from its since to the newest version"
        case .badInput(let probe): probe.appliesTo
        case .referenceReplace: "compatible cells with N ≥ 3 (ModifyOrder)"
        case .referenceMassCancel: "compatible cells with N ≥ 4 (MassCancel)"
        case .fleetHandshake: "every session of a fleet"
        case .fleetSessionReported: "every session of a fleet that logs on"
        case .fleetOrderBook, .fleetRenegotiate: "every logged-on session of a fleet"
        case .fleetRequest: "every logged-on session; each client-to-gateway type with since ≤ its N (but Logon, Logout, NewOrder)"
        case .fleetSend: "every logged-on session; each gateway-to-client type with since ≤ its N (but LogonAck, LogonReject, Logout)"
        case .fleetBadInputIsolated: "the first logged-on session of a fleet"
        case .fleetLogoutIsolated: "the second logged-on session of a fleet"
        case .fleetKilledIsolated: "the third logged-on session of a fleet"
        case .fleetNoStrayFrames, .fleetShutdown: "every fleet"
        case .upgradeNotLoggedOn: "every session logged on to FROM"
        case .upgradeRelogon, .upgradeTraffic: "every client TO serves"
        case .upgradeNewerRefused: "every client TO serves at an N below a client-to-gateway type its version knows"
        case .upgradeCutOff:
            "every client TO cannot serve (an expected outcome from the ranges; a failure when the support policy says TO must serve it)"
        case .upgradeRecovery: "every gateway upgrade"
        case .upgradeOthersUndisturbed: "every client-side upgrade (`--side client`): the sessions that stay"
        case .plain(let kind): kind.appliesTo
        }
    }

    /// The contract commands, events and fields it needs from the peers; the newest contract
    /// version among them is the one a peer must keep for the check to run (ContractGate).
    public var needs: [ContractFeature] {
        switch self {
        case .helloGateway, .helloClient: [.hello]
        case .beforeLogon: [.listen, .connect, .sendRaw, .rejectedInbound, .received]
        case .handshake: [.logon, .sessionEvents]
        case .logonForwardDecoding, .logonRejectRefusal: [.received]
        case .sample, .edge, .enumValues, .newerField: [.send, .received]
        case .enumNewerRefused, .typeRefused: [.send]
        case .typeForced, .badInput: [.sendRaw, .rejectedInbound, .received]
        case .encodedAt: [.sendRaw, .received]
        case .referenceCancel, .referenceUnknownOrder, .referenceReplace, .referenceEcho: [.mode, .send, .received]
        // Each starts a fresh session with a second logon, so its orderIds start at 1.
        case .referenceAck, .referenceMassCancel: [.mode, .send, .received, .logonAgain]
        case .relogon: [.logon, .logonAgain, .mode, .send, .received]
        case .shutdown: [.shutdown]
        // A client's view of its logon needs nothing of the gateway's contract.
        case .fleetHandshake: [.logon]
        // Each client's session event is told apart by its sessionId.
        case .fleetSessionReported: [.sessionEventIds]
        case .fleetOrderBook, .fleetRequest: [.send, .received]
        case .fleetSend: [.sendToSession, .received]
        case .fleetRenegotiate: [.logonRange, .logonAgain, .send, .received]
        case .fleetBadInputIsolated: [.sendRaw, .received]
        case .fleetLogoutIsolated: [.send, .sessionEventIds, .sendToSession]
        case .fleetKilledIsolated: [.send, .received]
        case .fleetNoStrayFrames: [.received]
        case .fleetShutdown: [.shutdown]
        case .upgradeNotLoggedOn: [.send, .received]
        // A client that was logged on to FROM logs on again.
        case .upgradeRelogon, .upgradeCutOff, .upgradeRecovery: [.logon, .logonAgain]
        case .upgradeTraffic: [.send, .received]
        case .upgradeNewerRefused: [.send]
        case .upgradeOthersUndisturbed: [.send, .received]
        case .plain(let kind): kind.needs
        }
    }

    /// The peer contract version a peer must keep for a check of this kind to run.
    public var minimumContract: Int { needs.map(\.since).max() ?? ContractVersion.unstated }

    /// Run whatever the selection says: the rest of the cell depends on it.
    var isPrerequisite: Bool {
        switch self {
        case .helloGateway, .helloClient, .handshake, .shutdown, .fleetHandshake, .fleetShutdown, .plain(.connect): true
        default: false
        }
    }
}
