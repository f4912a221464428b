// A fleet's plan: one gateway and many clients (a name may repeat) logged on at once, and the
// checks each session will run, computed from the schema and the samples alone.

import TGP

/// One client process of a fleet and the session it should get.
public struct FleetMember: Sendable {
    /// Its place in the fleet, from 0.
    public let index: Int
    public let spec: PeerSpec
    /// `v3#2`: the name and which of the fleet's clients of that name it is.
    public let label: String
    /// What the schema says its logon must end in.
    public let negotiation: Negotiation
    /// Ids this member's messages carry (clOrdIds, timestamps), so every frame says whose it is.
    public var idBase: UInt64 { UInt64(index + 1) * 1_000_000 }

    public var negotiated: Int? { if case .accepted(let version) = negotiation { version } else { nil } }
}

/// What the fleet does to one member to show the others are not disturbed.
enum Isolation: CaseIterable {
    case badInput, logout, killed

    var kind: CheckKind {
        switch self {
        case .badInput: .fleetBadInputIsolated
        case .logout: .fleetLogoutIsolated
        case .killed: .fleetKilledIsolated
        }
    }

    var check: FleetCheck {
        switch self {
        case .badInput: .isolated(CheckName.badInput, .clientToGateway)
        case .logout: .isolated("Logout", .clientToGateway)
        case .killed: .killedIsolated
        }
    }
}

/// One check of a fleet or an upgrade: its identity and its kind in the catalogue.
public struct ScenarioCheck: Sendable {
    public let id: CheckID
    public let kind: CheckKind

    public var name: String { id.name }
}

public struct FleetPlan: Sendable {
    public let gateway: PeerSpec
    public let members: [FleetMember]
    /// The first component of every check name: `fleet=v5`, `upgrade=v4-v5`.
    public let scenario: String
    /// Every check's name and kind, in the order the scenario runs them.
    public internal(set) var checks: [ScenarioCheck]
    /// Members whose process starts with the others but connects only when the scenario says
    /// (the new client of a client-side upgrade).
    public internal(set) var joinsLater: Set<Int> = []

    public var names: [String] { checks.map(\.name) }

    /// The types a logged-on session sends or is sent in the traffic rounds, at its N.
    static let sessionSetup: Set = ["Logon", "LogonAck", "LogonReject", "Logout"]

    /// A fleet: every client logs on to `gateway` at once, then the rounds of FleetRounds.swift.
    public init(schema: Schema = .tgp, gateway: PeerSpec, clients: [PeerSpec]) {
        self.init(schema: schema, gateway: gateway, clients: clients, scenario: "fleet=\(gateway.name)")
        var checks: [ScenarioCheck] = []
        func add(_ member: FleetMember?, _ check: FleetCheck, _ kind: CheckKind) {
            checks.append(ScenarioCheck(id: id(member, check), kind: kind))
        }
        for member in members { add(member, .handshake, .fleetHandshake) }
        let loggedOn = members.filter { $0.negotiated != nil }
        for member in loggedOn { add(member, .sessionReported, .fleetSessionReported) }
        for member in loggedOn { add(member, .orderBook, .fleetOrderBook) }
        for type in Self.requests(schema) {
            for member in loggedOn where type.since <= member.negotiated! {
                add(member, .sample(type.name, .clientToGateway), .fleetRequest)
            }
        }
        for type in Self.sends(schema) {
            for member in loggedOn where type.since <= member.negotiated! { add(member, .sample(type.name, .gatewayToClient), .fleetSend) }
        }
        for member in loggedOn { add(member, .renegotiate, .fleetRenegotiate) }
        for (isolation, member) in zip(Isolation.allCases, loggedOn) { add(member, isolation.check, isolation.kind) }
        add(nil, .noStrayFrames, .fleetNoStrayFrames)
        add(nil, .shutdown, .fleetShutdown)
        self.checks = checks
    }

    /// The members of `clients` logged on to `gateway`, with no checks yet.
    init(schema: Schema, gateway: PeerSpec, clients: [PeerSpec], scenario: String, joinsLater: Set<Int> = []) {
        self.joinsLater = joinsLater
        self.gateway = gateway
        self.scenario = scenario
        let gatewayRange = schema.peerRanges[gateway.version]!
        var seen: [String: Int] = [:]
        members = clients.enumerated().map { index, spec in
            seen[spec.name, default: 0] += 1
            return FleetMember(
                index: index, spec: spec, label: "\(spec.name)#\(seen[spec.name]!)",
                negotiation: Negotiation(client: schema.peerRanges[spec.version]!, gateway: gatewayRange))
        }
        checks = []
    }

    /// `fleet=v5/client=v3#2/NewOrder/c2g/sample`, or `fleet=v5/session/shutdown` for the scenario as a whole.
    func id(_ member: FleetMember?, _ check: FleetCheck) -> CheckID {
        CheckID(.scenario(scenario, member: member?.label), check.subject, check.flow, check.what)
    }

    func name(_ member: FleetMember?, _ check: FleetCheck) -> String { id(member, check).name }

    /// The planned check of `member` (nil: the scenario as a whole) with this identity.
    func planned(_ member: FleetMember?, _ check: FleetCheck) -> ScenarioCheck? {
        let id = id(member, check)
        return checks.first { $0.id == id }
    }

    /// The client-to-gateway types of the request rounds, in schema order.
    static func requests(_ schema: Schema) -> [MessageSchema] {
        schema.messages.filter { $0.direction.isSent(by: .client) && !sessionSetup.contains($0.name) && $0.name != "NewOrder" }
    }

    /// The gateway-to-client types the gateway is told to send, in schema order.
    static func sends(_ schema: Schema) -> [MessageSchema] {
        schema.messages.filter { $0.direction.isSent(by: .gateway) && !sessionSetup.contains($0.name) }
    }

    /// The isolation a member undergoes, by its place among the logged-on members.
    func isolation(of member: FleetMember) -> Isolation? {
        let loggedOn = members.filter { $0.negotiated != nil }
        guard let place = loggedOn.firstIndex(where: { $0.index == member.index }), place < Isolation.allCases.count else { return nil }
        return Isolation.allCases[place]
    }
}

/// What a check of a fleet or an upgrade is about, as its name spells it after the member.
enum FleetCheck: Sendable, Hashable {
    case handshake, sessionReported, orderBook, renegotiate, relogon, traffic
    case sample(String, CheckName.Flow)
    case isolated(String, CheckName.Flow)
    case killedIsolated, noStrayFrames, shutdown
    case notLoggedOn, newerRefused, cutOff, recovery, othersUndisturbed

    var subject: String? {
        switch self {
        case .handshake, .sessionReported, .renegotiate, .relogon: "Logon"
        case .orderBook, .traffic: "NewOrder"
        case .sample(let type, _), .isolated(let type, _): type
        case .killedIsolated, .noStrayFrames, .shutdown, .notLoggedOn, .newerRefused, .recovery, .othersUndisturbed: CheckName.session
        case .cutOff: nil
        }
    }

    var flow: CheckName.Flow? {
        switch self {
        case .handshake, .sessionReported, .orderBook, .renegotiate, .relogon, .traffic: .clientToGateway
        case .sample(_, let flow), .isolated(_, let flow): flow
        default: nil
        }
    }

    /// As the name spells it after the member: `Logon/c2g/handshake`.
    var path: String { [subject, flow?.rawValue, what].compactMap { $0 }.joined(separator: "/") }

    var what: String {
        switch self {
        case .handshake: "handshake"
        case .sessionReported: "session-reported"
        case .orderBook: "order-book"
        case .renegotiate: "renegotiate"
        case .relogon: "relogon"
        case .traffic: "traffic"
        case .sample: "sample"
        case .isolated: "isolated"
        case .killedIsolated: "killed-isolated"
        case .noStrayFrames: "no-stray-frames"
        case .shutdown: "shutdown"
        case .notLoggedOn: "not-logged-on"
        case .newerRefused: "newer-refused"
        case .cutOff: "cut-off"
        case .recovery: "recovery"
        case .othersUndisturbed: "others-undisturbed"
        }
    }
}
