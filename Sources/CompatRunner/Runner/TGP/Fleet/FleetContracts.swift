// What a fleet's peers can take by their contract versions: every peer says hello first; a
// check that needs a newer contract than its client (or the gateway) keeps is skipped with the
// reason, and the member then sits out the rounds that depend on it, its later checks skipped
// for the same reason. The gateway decides for the fleet-wide checks, with the newest client.

import MiniJSON
import PeerContract
import TGP

extension FleetExecution {
    /// Asks every peer started with the fleet for its hello (all asked first, then the answers)
    /// and notes the checks their contract versions cannot take.
    func helloRound() throws(CellAbort) {
        let gatewayId = try group.issue(gateway, [.hello])[0]
        var ids: [Int: JSON] = [:]
        for member in plan.members {
            let failure = try guarded(member) { () throws(CellAbort) in
                ids[member.index] = try group.issue(client(member), [.hello])[0]
                return nil
            }
            if let failure { record(member, .handshake, failure) }
        }
        let gatewayContract = try contract(of: gateway, id: gatewayId)
        var clientContracts = Array(repeating: ContractVersion.unstated, count: plan.members.count)
        for member in plan.members {
            guard let id = ids[member.index], !client(member).finished else { continue }
            let failure = try guarded(member) { () throws(CellAbort) in
                clientContracts[member.index] = try contract(of: client(member), id: id)
                return nil
            }
            if let failure { record(member, .handshake, failure) }
        }
        noteSkips(gateway: gatewayContract, clients: clientContracts)
    }

    private func contract(of peer: PeerHandle, id: JSON) throws(CellAbort) -> Int {
        let hello = try group.answer(peer, id: id, to: "hello")
        guard let contract = ContractGate.contract(of: hello) else {
            throw .contractViolation(peer.label, "\(peer.label) answered hello with \(hello.json.serialized) (P3)")
        }
        return contract
    }

    private func noteSkips(gateway gatewayContract: Int, clients: [Int]) {
        let gatewayPeer = (name: plan.gateway.name, contract: gatewayContract)
        guard gatewayContract < ContractVersion.current || clients.contains(where: { $0 < ContractVersion.current }) else { return }
        let byLabel = Dictionary(uniqueKeysWithValues: plan.members.map { ($0.label, $0) })
        let newestClient = plan.members.max { clients[$0.index] < clients[$1.index] }
        for check in plan.checks {
            let (checkName, kind) = (check.name, check.kind)
            let member = check.id.member.flatMap { byLabel[$0] }
            guard let speaker = member ?? newestClient else { continue }
            let gate = ContractGate(
                client: (speaker.label, clients[speaker.index]), gateway: gatewayPeer, accepted: acceptedSkips,
                peerNames: [.client: speaker.spec.name])
            // A client that joins later logs on for the first time, not again.
            let ignored: Set<ContractFeature> = plan.joinsLater.contains(speaker.index) ? [.logonAgain] : []
            if let skip = gate.skip(kind, except: ignored) { contractSkips[checkName] = skip }
        }
        // A member whose handshake is skipped takes part in nothing; no member at all: nor do the fleet-wide checks.
        for member in plan.members {
            sessions[member.index].skipped = contractSkips[name(member, .handshake)]
        }
        if let skip = plan.members.first.flatMap({ sessions[$0.index].skipped }),
            plan.members.allSatisfy({ sessions[$0.index].skipped != nil })
        {
            for check in plan.checks where check.id.member == nil && check.kind != .fleetShutdown {
                contractSkips[check.name] = skip
            }
        }
    }

    /// Whether `member`'s check `what` is skipped.
    func isSkipped(_ member: FleetMember, _ check: FleetCheck) -> Bool {
        !contractSkips.isEmpty && contractSkips[name(member, check)] != nil
    }

    /// Whether `member`'s logon `what` is skipped; if so the member sits out the rest, its later checks skipped for the same reason.
    func skipsLogon(_ member: FleetMember, _ check: FleetCheck) -> Bool {
        guard !contractSkips.isEmpty, let skip = contractSkips[name(member, check)] else { return false }
        sessions[member.index].skipped = sessions[member.index].skipped ?? skip
        sessions[member.index].active = false
        return true
    }
}
