// The versions of the peer contract itself (docs/PEER-CONTRACT.md, "Contract versions"): what
// each added, and which peer role must keep it. A peer states its version in `hello`
// (`"contract":N`); one that does not keeps contract 1. The runner takes from a peer only what
// its version has, and reports every check that needs more as skipped.

import TGP

/// One thing the contract asks of a peer: a command, an event, or a field of one.
public enum ContractFeature: String, CaseIterable, Sendable {
    case hello, listen, connect, logon, mode, send, sendRaw, shutdown
    case received, rejectedInbound, sessionEvents
    /// `logon`'s optional `min` and `max`.
    case logonRange
    /// A gateway's `send` naming a session with `"session"`.
    case sendToSession
    /// A `logon` on a client already logged on logs on again (S2).
    case logonAgain
    /// `session` events carry the session's `sessionId`.
    case sessionEventIds
    /// `hello` carries `contract`.
    case helloContract

    /// The contract version that added it.
    public var since: Int {
        switch self {
        case .logonAgain, .sessionEventIds: 2
        case .helloContract: 3
        default: 1
        }
    }

    /// The rule of docs/PEER-CONTRACT.md that asks for it.
    public var rule: String {
        switch self {
        case .hello, .helloContract: "P3"
        case .listen, .connect: "P4"
        case .logon, .logonRange, .logonAgain: "P5"
        case .mode: "P6"
        case .send, .sendToSession: "P7"
        case .sendRaw: "P8"
        case .shutdown: "P9"
        case .received: "P12"
        case .rejectedInbound: "P13"
        case .sessionEvents, .sessionEventIds: "P14"
        }
    }

    /// The peer that must keep it: nil for both roles.
    public var role: Role? {
        switch self {
        case .listen, .mode, .sendToSession, .sessionEvents, .sessionEventIds: .gateway
        case .connect, .logon, .logonRange, .logonAgain: .client
        default: nil
        }
    }

    /// How the catalogue (docs/CHECKS.md) and skip reasons name it.
    public var summary: String {
        switch self {
        case .hello: "hello"
        case .listen: "listen"
        case .connect: "connect"
        case .logon: "logon"
        case .mode: "mode"
        case .send: "send"
        case .sendRaw: "send_raw"
        case .shutdown: "shutdown"
        case .received: "received"
        case .rejectedInbound: "rejected_inbound"
        case .sessionEvents: "session"
        case .logonRange: "logon with min and max"
        case .sendToSession: "send with \"session\""
        case .logonAgain: "logon on a logged-on client"
        case .sessionEventIds: "session with sessionId"
        case .helloContract: "hello with contract"
        }
    }
}

public enum ContractVersion {
    /// The version this project's peers keep, and the newest the runner knows.
    public static let current = 3
    /// What a peer keeps whose `hello` has no `contract`: the contract as first written.
    public static let unstated = 1
}
