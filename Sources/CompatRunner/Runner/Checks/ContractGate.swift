// Which checks the peers' contract versions let run. A peer states its version in `hello`
// (none stated: contract 1); a planned check that needs a newer one of the peer that must keep
// it is reported skipped with the reason, never run and never passed.

import PeerContract
import TGP

/// The contract versions the peers of one cell (or fleet member and its gateway) keep.
struct ContractGate {
    /// Each role's peer: its name in reports and the contract version its hello stated.
    let client: (name: String, contract: Int)
    let gateway: (name: String, contract: Int)

    /// Whether both keep every version the runner knows: then nothing is ever skipped.
    var isCurrent: Bool { min(client.contract, gateway.contract) >= ContractVersion.current }

    /// Why a check of `kind` cannot run on these peers, or nil when it can. E.g. "skipped: needs
    /// peer contract 2 (logon on a logged-on client, P5); client v3 speaks contract 1".
    func skipReason(_ kind: CheckKind, except ignored: Set<ContractFeature> = []) -> String? {
        var reasons: [String] = []
        for (role, peer) in [(Role.client, client), (.gateway, gateway)] {
            let missing = kind.needs.filter { ($0.role == nil || $0.role == role) && $0.since > peer.contract && !ignored.contains($0) }
            guard let needed = missing.map(\.since).max() else { continue }
            let what = missing.map { "\($0.summary), \($0.rule)" }.joined(separator: "; ")
            reasons.append("needs peer contract \(needed) (\(what)); \(role.rawValue) \(peer.name) speaks contract \(peer.contract)")
        }
        return reasons.isEmpty ? nil : "skipped: " + reasons.joined(separator: "; and ")
    }

    /// The skip reason of each kind in `kinds` that these peers cannot take.
    func skipReasons(_ kinds: [CheckKind]) -> [CheckKind: String] {
        guard !isCurrent else { return [:] }
        var reasons: [CheckKind: String] = [:]
        for kind in kinds { reasons[kind] = skipReason(kind) }
        return reasons
    }

    /// The version a hello states: a peer that states none keeps contract 1.
    static func contract(of hello: Event) -> Int? {
        guard case .hello(_, _, _, _, _, _, let contract) = hello.kind else { return nil }
        return contract ?? ContractVersion.unstated
    }
}
