// A rolling gateway upgrade (or downgrade): the fleet logs on to gateway FROM and opens
// orders; FROM stops (shutdown, or SIGKILL as in a crash) and TO starts on the same endpoint;
// every client's next request draws NotLoggedOn, it logs on again on the same connection, and
// traffic goes on at the new N. Who keeps, changes or loses its N follows from the ranges.

import TGP

/// A support policy entry of matrix.json: the client versions a gateway version must serve.
public struct SupportEntry: Sendable, Hashable {
    public let gateway: String
    public let clients: [String]

    public init(gateway: String, clients: [String]) {
        self.gateway = gateway
        self.clients = clients
    }
}

public struct UpgradePlan: Sendable {
    /// What is replaced: the gateway, or one client while a gateway serves the fleet.
    public enum Side: Sendable {
        case gateway
        /// The member replaced, and the new client's member (it joins after the swap).
        case client(replaced: Int, newcomer: Int)
    }

    public let side: Side
    public let from: PeerSpec
    public let to: PeerSpec
    /// FROM is killed (SIGKILL) rather than shut down.
    public let kill: Bool
    /// The members as they log on to FROM, and every check of the upgrade.
    public let fleet: FleetPlan
    /// What each member's logon to TO must end in, by member index.
    public let after: [Negotiation]
    /// Members TO cuts off although the support policy says it must serve them.
    public let unsupported: Set<Int>

    public init(schema: Schema = .tgp, from: PeerSpec, to: PeerSpec, clients: [PeerSpec], kill: Bool = false, support: [SupportEntry] = [])
    {
        self.side = .gateway
        self.from = from
        self.to = to
        self.kill = kill
        var fleet = FleetPlan(schema: schema, gateway: from, clients: clients, scenario: "upgrade=\(from.name)-\(to.name)")
        let toRange = schema.peerRanges[to.version]!
        let after = fleet.members.map { Negotiation(client: schema.peerRanges[$0.spec.version]!, gateway: toRange) }
        let promised = Set(support.filter { $0.gateway == to.name }.flatMap(\.clients))
        unsupported = Set(
            fleet.members.filter { member in
                if case .rejected = after[member.index] { promised.contains(member.spec.name) } else { false }
            }.map(\.index))
        var checks: [ScenarioCheck] = []
        func add(_ member: FleetMember?, _ check: FleetCheck, _ kind: CheckKind) {
            checks.append(ScenarioCheck(id: fleet.id(member, check), kind: kind))
        }
        for member in fleet.members { add(member, .handshake, .fleetHandshake) }
        for member in fleet.members where member.negotiated != nil { add(member, .sessionReported, .fleetSessionReported) }
        for member in fleet.members where member.negotiated != nil { add(member, .orderBook, .fleetOrderBook) }
        for member in fleet.members where member.negotiated != nil { add(member, .notLoggedOn, .upgradeNotLoggedOn) }
        for member in fleet.members {
            guard case .accepted(let version) = after[member.index] else {
                add(member, .cutOff, .upgradeCutOff)
                continue
            }
            add(member, .relogon, .upgradeRelogon)
            add(member, .traffic, .upgradeTraffic)
            if Self.newerThanN(schema, for: member, at: version) != nil { add(member, .newerRefused, .upgradeNewerRefused) }
        }
        add(nil, .recovery, .upgradeRecovery)
        add(nil, .shutdown, .fleetShutdown)
        fleet.checks = checks
        self.fleet = fleet
        self.after = after
    }

    /// A client-side upgrade: while `gateway` serves the fleet, the first client `from` is
    /// stopped (or killed) and a `to` client joins in its place; the others must not notice.
    public init(
        schema: Schema = .tgp, client from: PeerSpec, by to: PeerSpec, gateway: PeerSpec, clients: [PeerSpec],
        kill: Bool = false, support: [SupportEntry] = []
    ) {
        self.from = from
        self.to = to
        self.kill = kill
        let staying = clients.contains(from) ? clients : [from] + clients
        let replaced = staying.firstIndex(of: from)!
        var fleet = FleetPlan(
            schema: schema, gateway: gateway, clients: staying + [to],
            scenario: "upgrade=\(from.name)-\(to.name)/side=client/gateway=\(gateway.name)", joinsLater: [staying.count])
        let newcomer = fleet.members[staying.count]
        side = .client(replaced: replaced, newcomer: newcomer.index)
        after = fleet.members.map(\.negotiation)
        let promised = Set(support.filter { $0.gateway == gateway.name }.flatMap(\.clients))
        unsupported = newcomer.negotiated == nil && promised.contains(to.name) ? [newcomer.index] : []
        var checks: [ScenarioCheck] = []
        func add(_ member: FleetMember?, _ check: FleetCheck, _ kind: CheckKind) {
            checks.append(ScenarioCheck(id: fleet.id(member, check), kind: kind))
        }
        for member in fleet.members where member.index != newcomer.index { add(member, .handshake, .fleetHandshake) }
        for member in fleet.members where member.index != newcomer.index && member.negotiated != nil {
            add(member, .sessionReported, .fleetSessionReported)
        }
        for member in fleet.members where member.index != newcomer.index && member.negotiated != nil {
            add(member, .orderBook, .fleetOrderBook)
        }
        if newcomer.negotiated != nil {
            add(newcomer, .relogon, .upgradeRelogon)
            add(newcomer, .traffic, .upgradeTraffic)
        } else {
            add(newcomer, .cutOff, .upgradeCutOff)
        }
        add(nil, .othersUndisturbed, .upgradeOthersUndisturbed)
        add(nil, .shutdown, .fleetShutdown)
        fleet.checks = checks
        self.fleet = fleet
    }

    /// Something the member's version can send but N cannot carry, which E2 makes it refuse:
    /// a client-to-gateway type newer than N, else a message with an enum value newer than N.
    static func newerThanN(_ schema: Schema, _ samples: SampleBook? = nil, for member: FleetMember, at version: Int) -> (
        what: String, message: Message?
    )? {
        let sent = schema.messages.filter { $0.direction.isSent(by: .client) }
        if let type = sent.first(where: { $0.since > version && $0.since <= member.spec.version }) {
            return ("\(type.name) (since \(type.since))", samples.map { $0[type].sample.projected(onto: type.since) })
        }
        for type in sent where type.since <= version {
            for field in type.fields where field.since <= version {
                guard case .enumeration(let enumSchema) = field.type,
                    let value = enumSchema.values.first(where: { $0.since > version && $0.since <= member.spec.version })
                else { continue }
                let message = samples.map { book -> Message in
                    var message = book[type].sample.projected(onto: version)
                    message[field.name] = .unsigned(UInt64(value.value))
                    return message
                }
                return ("\(type.name).\(field.name) = \(value.name) (since \(value.since))", message)
            }
        }
        return nil
    }

    /// One line per member: its N before and after, or cut off — and the policy's verdict.
    public func describe() -> String {
        if case .client(let replaced, let newcomer) = side {
            let member = fleet.members[newcomer]
            let before = fleet.members[replaced].negotiated.map { "N=\($0)" } ?? "cut off"
            let afterText =
                member.negotiated.map { "N=\($0)" }
                ?? ("cut off" + (unsupported.isEmpty ? "" : " — breaks the support policy (support-cut-off)"))
            return
                "client upgrade on gateway \(fleet.gateway.name): \(fleet.members[replaced].label) (\(before)) \(kill ? "killed" : "shut down"), "
                + "\(member.label) joins: \(afterText); \(fleet.members.count - 2) other client(s) stay\n"
                + (unsupported.isEmpty ? "support policy: kept\n" : "support policy: broken\n")
        }
        var lines = ["upgrade \(from.name) → \(to.name) (\(kill ? "killed" : "shut down")), \(fleet.members.count) clients:"]
        for member in fleet.members {
            let before = member.negotiated.map { "N=\($0)" } ?? "cut off"
            let afterText: String
            switch after[member.index] {
            case .accepted(let version): afterText = member.negotiated == version ? "keeps N=\(version)" : "N=\(version)"
            case .rejected:
                afterText = "cut off" + (unsupported.contains(member.index) ? " — breaks the support policy (support-cut-off)" : "")
            }
            lines.append(
                "  \(member.label.padding(toLength: 10, withPad: " ", startingAt: 0)) \(before.padding(toLength: 8, withPad: " ", startingAt: 0)) → \(afterText)"
            )
        }
        lines.append(
            unsupported.isEmpty ? "support policy: kept" : "support policy: broken (\(unsupported.count) supported client(s) cut off)")
        return lines.joined(separator: "\n") + "\n"
    }
}
