// A cell's plan: the exact checks it will run, in order, computed from the schema, the samples
// and the two peers' versions alone — nothing is started to know it. The executor (CellExecutor)
// runs a plan; a run's results are exactly its plan.

import TGP

/// One check of a plan: its identity, its kind in the catalogue, and what it does.
public struct PlannedCheck: Sendable {
    public let id: CheckID
    public let kind: CheckKind
    let step: Step

    /// Its stable name, rendered from `id`.
    public var name: String { id.name }

    public var rules: [Rule] { kind.rules }

    /// What the executor does for a check, with the values the plan computed for it.
    enum Step: Sendable {
        case hello(Role)
        case beforeLogon(frame: [UInt8], refTemplateId: UInt16)
        case handshake
        case logonForwardDecoding
        case logonRejectRefusal
        /// Sent with `send` at N; delivered as this message, or refused by E2 where N cannot carry it.
        case deliver(Message, Flow)
        case enumValues(Message, field: String, values: [UInt8], Flow)
        case enumNewerRefused(Message, field: String, values: [UInt8], Flow)
        case typeRefused(Message, Flow)
        case typeForced(frame: [UInt8], code: RejectCode, refTemplateId: UInt16, Flow)
        /// A field newer than N: `absent` (at its default) is sent without it; `set` is refused (E2).
        case newerField(absent: Message, set: Message, Flow)
        /// Forced on the wire encoded at `version`; delivered as `expected` (what the receiver knows of it).
        case encodedAt(frame: [UInt8], version: Int, expected: Message, Flow)
        case badInput(BadInput, Flow)
        /// A check of the reference gateway's behaviour (ReferenceChecks.swift).
        case reference(ReferenceCheck)
        case shutdown
        /// A check of the plain SBE profile (PlainPlan.swift).
        case plain(PlainStep)
    }

    typealias Flow = CheckName.Flow
}

/// Who plays in a cell: the names used in check names and the versions expectations come from.
public struct CellPeers: Sendable, Hashable {
    public let client: String
    public let clientVersion: Int
    public let gateway: String
    public let gatewayVersion: Int

    public init(client: String, clientVersion: Int, gateway: String, gatewayVersion: Int) {
        self.client = client
        self.clientVersion = clientVersion
        self.gateway = gateway
        self.gatewayVersion = gatewayVersion
    }

    public init(client: PeerSpec, gateway: PeerSpec) {
        self.init(client: client.name, clientVersion: client.version, gateway: gateway.name, gatewayVersion: gateway.version)
    }

    public func version(_ role: Role) -> Int { role == .client ? clientVersion : gatewayVersion }

    /// The identity of this cell's check of `subject`, `flow`, `what`.
    func check(_ subject: String, _ flow: CheckName.Flow?, _ what: String) -> CheckID {
        CheckID(.cell(client: client, gateway: gateway), subject, flow, what)
    }
}

public struct CheckPlan: Sendable {
    public let peers: CellPeers
    /// What the schema says the logon must end in; nil under the plain SBE profile, which has no logon.
    public let negotiation: Negotiation?
    public let checks: [PlannedCheck]

    /// N, for a compatible cell.
    public var negotiated: Int? { if case .accepted(let version)? = negotiation { version } else { nil } }

    public var names: [String] { checks.map(\.name) }

    /// The checks a selection runs (the prerequisites run anyway, but only selected ones are reported).
    public func selected(_ selection: CheckSelection) -> [PlannedCheck] {
        checks.filter { selection.includes($0.id) }
    }

    public init(schema: Schema = .tgp, samples: SampleBook, peers: CellPeers) {
        self.peers = peers
        let negotiation = Negotiation(client: schema.peerRanges[peers.clientVersion]!, gateway: schema.peerRanges[peers.gatewayVersion]!)
        self.negotiation = negotiation
        var planner = TGPPlanner(schema: schema, samples: samples, peers: peers)
        checks = planner.plan(negotiation)
    }

    /// A plain SBE cell's plan (profile sbe): each side with its own schema file, version and samples.
    init(plain sides: PlainSides, samples: @escaping (Role) -> SampleBook, peers: CellPeers) {
        self.peers = peers
        negotiation = nil
        var planner = PlainPlanner(sides: sides, peers: peers, samples: samples)
        checks = planner.plan()
    }
}
