// What a cache entry holds, as the build that made it recorded it in `<entry>/manifest.json`: the
// commit, the toolchain's `swift --version` and the SHA-256 of each binary. A cached binary runs
// only while its file has the recorded digest: a cache restored truncated, or a file put in a
// binary's place, is rebuilt, never run.

import Foundation
import MiniJSON

public struct BuildManifest: Sendable, Equatable {
    public static let fileName = "manifest.json"

    public var commit: String
    /// `swift --version` as the toolchain printed it.
    public var toolchain: String
    /// Product name → SHA-256 of its binary, as 64 lowercase hex digits.
    public var digests: [String: String]

    public init(commit: String, toolchain: String, digests: [String: String] = [:]) {
        self.commit = commit
        self.toolchain = toolchain
        self.digests = digests
    }

    /// Records the digests of `products`, as they are now in `entry`, with those already recorded
    /// for the same commit and toolchain: what a build does once it installed them.
    public static func record(_ products: [String], in entry: String, commit: String, toolchain: Toolchain) throws(ConfigError) {
        var manifest = BuildManifest(commit: commit, toolchain: toolchain.version)
        if case .success(let recorded) = read(entry: entry), recorded.commit == commit, recorded.toolchain == toolchain.version {
            manifest.digests = recorded.digests
        }
        for product in products {
            do {
                manifest.digests[product] = try FileDigest.sha256(ofFile: "\(entry)/\(product)")
            } catch {
                throw ConfigError("cannot record the SHA-256 of \(entry)/\(product): \(error)")
            }
        }
        try manifest.write(to: entry)
    }

    /// Why `product` of `entry` may not run as the build of `commit` with `toolchain`; nil when its
    /// file has the digest the build recorded.
    public static func problem(with product: String, in entry: String, commit: String, toolchain: Toolchain) -> String? {
        let manifest: BuildManifest
        switch read(entry: entry) {
        case .failure(let why): return why.description
        case .success(let recorded): manifest = recorded
        }
        guard manifest.commit == commit else { return "\(fileName) records commit \(manifest.commit), not \(commit)" }
        guard manifest.toolchain == toolchain.version else { return "\(fileName) records another toolchain" }
        guard let recorded = manifest.digests[product] else { return "\(fileName) records no SHA-256 of \(product)" }
        let actual: String
        do {
            actual = try FileDigest.sha256(ofFile: "\(entry)/\(product)")
        } catch {
            return "\(product) cannot be read (\(error))"
        }
        return actual == recorded ? nil : "\(product) has SHA-256 \(actual), not the \(recorded) its build recorded"
    }

    struct Unreadable: Error, CustomStringConvertible {
        let description: String
    }

    static func read(entry: String) -> Result<BuildManifest, Unreadable> {
        let path = "\(entry)/\(fileName)"
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(Unreadable(description: "it has no \(fileName) (a build records one)"))
        }
        guard let json = try? JSON.parse(Array(data)), let commit = json["commit"]?.stringValue,
            let toolchain = json["toolchain"]?.stringValue, let products = json["sha256"]?.objectValue
        else { return .failure(Unreadable(description: "its \(fileName) is not a manifest compat wrote")) }
        var digests: [String: String] = [:]
        for (name, value) in products {
            guard let digest = value.stringValue else {
                return .failure(Unreadable(description: "its \(fileName) is not a manifest compat wrote"))
            }
            digests[name] = digest
        }
        return .success(BuildManifest(commit: commit, toolchain: toolchain, digests: digests))
    }

    /// Written under a temporary name and renamed, so a reader never sees half of it.
    func write(to entry: String) throws(ConfigError) {
        var products = JSONObject()
        for name in digests.keys.sorted() { products[name] = .string(digests[name]!) }
        let json: JSON = ["commit": .string(commit), "toolchain": .string(toolchain), "sha256": .object(products)]
        let path = "\(entry)/\(Self.fileName)"
        let temporary = "\(entry)/.\(Self.fileName).\(getpid()).tmp"
        do {
            try Data((json.serialized(pretty: true) + "\n").utf8).write(to: URL(fileURLWithPath: temporary))
        } catch {
            throw ConfigError("cannot write \(temporary): \(error.localizedDescription)")
        }
        guard rename(temporary, path) == 0 else {
            let why = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw ConfigError("cannot rename \(temporary) to \(path): \(why)")
        }
    }
}
