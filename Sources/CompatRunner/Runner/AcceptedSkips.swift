// matrix.json's `acceptedSkips`: the peers whose older contract version the team accepts, each
// with its reason. A check skipped because a peer keeps an older contract (P17) leaves its cell
// PARTIAL, which fails the run, unless every peer it was skipped for is accepted here.

import MiniJSON

public struct AcceptedSkip: Sendable, Hashable {
    /// A peer's name, or a pattern (`*@r1`: every peer of a release).
    public let peer: String
    public let reason: String
    let pattern: Glob

    public init(peer: String, reason: String) {
        self.peer = peer
        self.reason = reason
        pattern = Glob(peer)
    }
}

/// The entries of one matrix file, asked about the peers a skip was for.
public struct AcceptedSkips: Sendable, Hashable {
    public let entries: [AcceptedSkip]

    public init(_ entries: [AcceptedSkip] = []) { self.entries = entries }

    /// The reason the skip is accepted when every one of `peers` (names in matrix.json) is; nil otherwise.
    public func reason(forSkipOf peers: [String]) -> String? {
        guard !peers.isEmpty else { return nil }
        var reasons: [String] = []
        for peer in peers {
            guard let entry = entries.first(where: { $0.pattern.matches(peer) }) else { return nil }
            if !reasons.contains(entry.reason) { reasons.append(entry.reason) }
        }
        return reasons.joined(separator: "; ")
    }

    /// `"acceptedSkips": [{"peer": "*@r1", "reason": "…"}]`, each peer a name or a pattern matching one.
    static func parse(_ json: JSON?, peers: [PeerSpec], fail: (String, String) -> ConfigError) throws(ConfigError) -> AcceptedSkips {
        guard let json else { return AcceptedSkips() }
        var entries: [AcceptedSkip] = []
        let objects = try MatrixConfig.objectList(
            json, named: "acceptedSkips", keys: ["peer", "reason"], shape: "{\"peer\": NAME, \"reason\": TEXT}", fail: fail)
        for (key, entry) in objects {
            guard let peer = entry["peer"]?.stringValue, !peer.isEmpty else { throw fail("\(key).peer", "must be a non-empty string") }
            guard let reason = entry["reason"]?.stringValue, !reason.isEmpty else {
                throw fail("\(key).reason", "must be a non-empty string: why the skip is acceptable")
            }
            let accepted = AcceptedSkip(peer: peer, reason: reason)
            guard peers.contains(where: { accepted.pattern.matches($0.name) }) else {
                throw fail("\(key).peer", "\"\(peer)\" is not the name of a peer nor a pattern matching one")
            }
            entries.append(accepted)
        }
        return AcceptedSkips(entries)
    }
}
