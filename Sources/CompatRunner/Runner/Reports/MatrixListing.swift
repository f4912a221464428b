// `compat list` without --checks: the matrix's peers (version, the range it supports, its
// roles, its program) and the message types of each version of the matrix's schema, as columns or as JSON.

import MiniJSON
import TGP

public enum MatrixListing {
    /// The peers table, then the message types by version, each column as wide as its widest cell.
    public static func text(_ config: MatrixConfig) -> String {
        let schema = config.schema
        let roles = Roles(config)
        let peerRows = config.peers.map { peer in
            // A peer built from its own schema file supports what that file says.
            let range = config.schema(of: peer.name).peerRanges[peer.version]!
            return [
                peer.name, "v\(peer.version)", "supports \(range.lowerBound)..\(range.upperBound)",
                roles.of(peer).joined(separator: "+"), program(peer),
            ]
        }
        var out = "Peers (\(config.path)):\n" + TextColumns.aligned(peerRows, leftAligned: 5, indent: "  ")
        out += "\nMessage types by version (• known at that version):\n"
        let header = ["message", "id", "dir"] + schema.versions.map { "v\($0)" }
        let messageRows = schema.messages.map { type in
            [type.name, String(type.templateId), type.direction.rawValue] + schema.versions.map { type.since <= $0 ? "•" : "·" }
        }
        out += TextColumns.aligned([header] + messageRows, leftAligned: header.count, indent: "  ")
        return out
    }

    /// What runs as the peer: its command line, or the product built at a commit.
    static func program(_ peer: PeerSpec) -> String {
        peer.build.map { "\($0.product) built at \($0.ref)" } ?? peer.argv.joined(separator: " ").printableLine
    }

    /// The same as JSON: `peers` (name, version, min, max, roles, argv, build) and `messages`
    /// (name, templateId, direction, since, versions it is known at).
    public static func json(_ config: MatrixConfig) -> JSON {
        let schema = config.schema
        let roles = Roles(config)
        return .object([
            "matrix": .string(config.path),
            "peers": .array(
                config.peers.map { peer in
                    let range = config.schema(of: peer.name).peerRanges[peer.version]!
                    return .object([
                        "name": .string(peer.name), "version": .integer(peer.version),
                        "min": .integer(range.lowerBound), "max": .integer(range.upperBound),
                        "roles": .array(roles.of(peer).map(JSON.string)), "argv": .array(peer.argv.map(JSON.string)),
                        "build": peer.build.map { .object(["ref": .string($0.ref), "product": .string($0.product)]) } ?? .null,
                    ])
                }),
            "messages": .array(
                schema.messages.map { type in
                    .object([
                        "name": .string(type.name), "templateId": .integer(type.templateId), "direction": .string(type.direction.rawValue),
                        "since": .integer(type.since),
                        "versions": .array(schema.versions.filter { type.since <= $0 }.map { JSON.integer($0) }),
                    ])
                }),
        ])
    }

    /// Each peer's roles, looked up in sets: a matrix may list many thousands of peers.
    private struct Roles {
        let clients: Set<String>, gateways: Set<String>

        init(_ config: MatrixConfig) {
            clients = Set(config.clients)
            gateways = Set(config.gateways)
        }

        func of(_ peer: PeerSpec) -> [String] {
            [clients.contains(peer.name) ? "client" : nil, gateways.contains(peer.name) ? "gateway" : nil].compactMap { $0 }
        }
    }
}
