// `compat peers build|list|prune`: the peers a matrix builds from git commits, and their cache.

import ArgumentParser
import CompatRunner
import Foundation

struct PeersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peers",
        abstract: "Peers built from a git commit (\"build\" in matrix.json): build them, list the cache, prune it.",
        subcommands: [Build.self, List.self, Prune.self]
    )

    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "build",
            abstract: "Builds every peer of the matrix that comes from a commit, unless the cache has it.",
            discussion: "Commands that run such a peer build it first themselves; this builds them ahead (e.g. in CI)."
        )

        @Option(name: [.long, .customLong("matrix-file")], help: "The matrix file.")
        var matrix = "matrix.json"

        func run() throws {
            var config = try MatrixConfig.load(path: matrix)
            let built = config.peers.filter { $0.build != nil }
            guard !built.isEmpty else {
                emit("no peer of \(matrix) is built from a commit\n")
                return
            }
            try PeerBuilder.prepare(&config, peers: Set(built.map(\.name))) { emitError("compat: \($0)\n") }
            let cache = try PeerCache.of(folder: config.folder)
            for peer in built {
                // The commit the ref resolved to, unless the ref is that commit.
                let commit = try cache.commit(of: peer.build!.ref, peer: peer.name)
                let at = commit == peer.build!.ref ? commit : "\(peer.build!.ref) (commit \(commit))"
                emit("\(peer.name)  \(peer.build!.product) at \(at)  \(config.peer(named: peer.name)!.resolvedArgv[0])\n")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "What the cache holds: commit, toolchain, products, size, when built, which matrix names them.")

        @Option(name: [.long, .customLong("matrix-file")], help: "A matrix whose peers to name (repeatable; default matrix.json).")
        var matrix: [String] = []

        @Flag(
            name: .long,
            help:
                "JSON: an array of the entries (commit, toolchain, currentToolchain, folder, products with name, bytes, built, namedBy).")
        var json = false

        func run() throws {
            let named = try NamedBuilds(matrices: matrix)
            let entries = named.cache.entries()
            if json { return emit(PeerCacheListing.json(entries, named: named).serialized(pretty: true) + "\n") }
            guard !entries.isEmpty else {
                emit("no peers built in \(named.cache.folder)\n")
                return
            }
            for entry in entries {
                let current = entry.toolchainKey == named.toolchain.key ? "" : " (not the current toolchain)"
                emit("\(entry.commit.prefix(12))  \(entry.toolchain)\(current)\n  \(entry.folder)\n")
                for product in entry.products {
                    let users = named.users(commit: entry.commit, product: product.name)
                    let when = ISO8601DateFormatter.string(from: product.built, timeZone: .gmt, formatOptions: [.withInternetDateTime])
                    emit(
                        String(
                            format: "  %@  %.1f MB  built %@  %@\n", product.name, Double(product.bytes) / 1_000_000, when,
                            users.isEmpty ? "named by no matrix" : "named by " + users.joined(separator: ", ")))
                }
            }
        }
    }

    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prune",
            abstract:
                "Removes the cached peers no matrix names (and those of other toolchains, and interrupted builds' folders); follows no link, keeps running builds' folders."
        )

        @Option(name: [.long, .customLong("matrix-file")], help: "A matrix whose peers to keep (repeatable; default matrix.json).")
        var matrix: [String] = []

        @Flag(name: .long, help: "Say what would be removed, and remove nothing.")
        var dryRun = false

        func run() throws {
            let named = try NamedBuilds(matrices: matrix)
            var doomed = named.cache.leftoverWork()
            for entry in named.cache.entries() {
                let kept =
                    entry.toolchainKey == named.toolchain.key
                    ? entry.products.filter { !named.users(commit: entry.commit, product: $0.name).isEmpty } : []
                doomed +=
                    kept.isEmpty
                    ? [entry.folder]
                    : entry.products.filter { product in !kept.contains { $0.name == product.name } }.map { "\(entry.folder)/\($0.name)" }
            }
            // Links are removed, never what they point to; a running build's work folder is kept.
            for path in doomed {
                if dryRun {
                    emit(try named.cache.buildIsRunning(in: path) ? "would keep \(path): a build is running\n" : "would remove \(path)\n")
                } else {
                    emit(try named.cache.remove(path) ? "removed \(path)\n" : "kept \(path): a build is running\n")
                }
            }
            if doomed.isEmpty { emit("nothing to prune in \(named.cache.folder)\n") }
        }
    }
}

/// The commits and products some matrices build, and which of their peers each one is.
struct NamedBuilds {
    let cache: PeerCache
    let toolchain: Toolchain
    /// "sha/product" → "matrix.json: v3@r1"…
    private var names: [String: [String]] = [:]

    /// The cache is the one of the first matrix's repository; the refs are resolved there.
    init(matrices: [String]) throws {
        let files = matrices.isEmpty ? ["matrix.json"] : matrices
        let configs = try files.map { file throws(ConfigError) in try MatrixConfig.load(path: file) }
        cache = try PeerCache.of(folder: configs[0].folder)
        toolchain = try Toolchain.current()
        for config in configs {
            for peer in config.peers {
                guard let build = peer.build else { continue }
                let commit = try cache.commit(of: build.ref, peer: peer.name)
                names["\(commit)/\(build.product)", default: []].append("\(config.path): \(peer.name)")
            }
        }
    }

    func users(commit: String, product: String) -> [String] { names["\(commit)/\(product)"] ?? [] }
}
