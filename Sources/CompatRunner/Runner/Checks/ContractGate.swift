// Which checks the peers' contract versions let run. A peer states its version in `hello`
// (none stated: contract 1); a planned check that needs a newer one of the peer that must keep
// it is reported skipped with the reason, never run and never passed.

import PeerContract
import TGP

/// A check a peer's contract version cannot take: why, and matrix.json's reason for accepting
/// that (`acceptedSkips`), nil when nothing accepts it.
struct ContractSkip: Sendable, Hashable {
    let reason: String
    let accepted: String?
}

/// The contract versions the peers of one cell (or fleet member and its gateway) keep.
struct ContractGate {
    /// Each role's peer: its name in reports and the contract version its hello stated.
    let client: (name: String, contract: Int)
    let gateway: (name: String, contract: Int)
    /// The skips matrix.json accepts, by peer name.
    var accepted = AcceptedSkips()
    /// Each role's peer as matrix.json names it, when reports name it otherwise (a fleet member's `v3#2`).
    var peerNames: [Role: String] = [:]

    /// Whether both keep every version the runner knows: then nothing is ever skipped.
    var isCurrent: Bool { min(client.contract, gateway.contract) >= ContractVersion.current }

    /// Why a check of `kind` cannot run on these peers, or nil when it can. Its reason reads e.g.
    /// "skipped: needs peer contract 2 (logon on a logged-on client, P5); client v3 speaks contract 1".
    func skip(_ kind: CheckKind, except ignored: Set<ContractFeature> = []) -> ContractSkip? {
        var reasons: [String] = []
        var lacking: [String] = []
        for (role, peer) in [(Role.client, client), (.gateway, gateway)] {
            let missing = kind.needs.filter { ($0.role == nil || $0.role == role) && $0.since > peer.contract && !ignored.contains($0) }
            guard let needed = missing.map(\.since).max() else { continue }
            let what = missing.map { "\($0.summary), \($0.rule)" }.joined(separator: "; ")
            reasons.append("needs peer contract \(needed) (\(what)); \(role.rawValue) \(peer.name) speaks contract \(peer.contract)")
            lacking.append(peerNames[role] ?? peer.name)
        }
        guard !reasons.isEmpty else { return nil }
        return ContractSkip(reason: "skipped: " + reasons.joined(separator: "; and "), accepted: accepted.reason(forSkipOf: lacking))
    }

    /// The skip of each kind in `kinds` that these peers cannot take.
    func skips(_ kinds: [CheckKind]) -> [CheckKind: ContractSkip] {
        guard !isCurrent else { return [:] }
        var skips: [CheckKind: ContractSkip] = [:]
        for kind in kinds { skips[kind] = skip(kind) }
        return skips
    }

    /// The version a hello states: a peer that states none keeps contract 1.
    static func contract(of hello: Event) -> Int? {
        guard case .hello(_, _, _, _, _, _, let contract) = hello.kind else { return nil }
        return contract ?? ContractVersion.unstated
    }
}
