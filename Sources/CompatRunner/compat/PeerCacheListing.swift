// `compat peers list --json`: the cache's entries as the text lists them, one object each.

import CompatRunner
import Foundation
import MiniJSON

enum PeerCacheListing {
    static func json(_ entries: [CachedBuild], named: NamedBuilds) -> JSON {
        .array(entries.map { entry(_: $0, named: named) })
    }

    private static func entry(_ entry: CachedBuild, named: NamedBuilds) -> JSON {
        [
            "commit": .string(entry.commit),
            "toolchain": .string(entry.toolchain),
            "currentToolchain": .bool(entry.toolchainKey == named.toolchain.key),
            "folder": .string(entry.folder),
            "products": .array(
                entry.products.map { product in
                    [
                        "name": .string(product.name),
                        "bytes": .integer(product.bytes),
                        "built": .string(
                            ISO8601DateFormatter.string(from: product.built, timeZone: .gmt, formatOptions: [.withInternetDateTime])),
                        "namedBy": .array(named.users(commit: entry.commit, product: product.name).map(JSON.string)),
                    ]
                }),
        ]
    }
}
