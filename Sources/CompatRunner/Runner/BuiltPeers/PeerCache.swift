// Where peers built from a commit are kept: `<repository>/.build/compat-peers/<sha>-<toolchain>/`,
// one folder per commit and toolchain, holding the products built there, the build's log, the
// toolchain's `swift --version` and manifest.json (the SHA-256 of each binary, checked before it
// runs). A second run finds its binaries here and builds nothing.

import Foundation

public struct PeerCache: Sendable {
    /// The top of the git repository the matrix file is in.
    public let repository: String
    /// `<repository>/.build/compat-peers`.
    public let folder: String

    public static let folderName = ".build/compat-peers"
    static let logName = "build.log"
    static let toolchainName = "toolchain.txt"
    /// Builds in progress export their source and keep their scratch path in `work.<pid>`.
    static let workPrefix = "work."

    public init(repository: String) {
        self.repository = repository
        folder = repository + "/" + Self.folderName
    }

    /// The cache of the repository `folder` is in, as git sees it.
    public static func of(folder: String) throws(ConfigError) -> PeerCache {
        let result = try Git.run(["rev-parse", "--show-toplevel"], in: folder)
        guard let top = result.text?.trimmingCharacters(in: .whitespacesAndNewlines), !top.isEmpty else {
            throw ConfigError(
                "\(folder): not inside a git repository, so peers with \"build\" have no commits to build (git: \(result.why))")
        }
        return PeerCache(repository: top)
    }

    /// The folder of one commit built with one toolchain.
    public func entryFolder(commit: String, toolchain: Toolchain) -> String {
        "\(folder)/\(commit)-\(toolchain.key)"
    }

    /// Everything cached, oldest commit folder name first.
    public func entries() -> [CachedBuild] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.sorted().compactMap { CachedBuild(folder: "\(folder)/\($0)") }
    }

    /// Work folders and their locks (`work.<pid>-<commit>.lock`): of builds still running, or of
    /// builds interrupted before they could remove them.
    public func leftoverWork() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let work = Set(names.filter { $0.hasPrefix(Self.workPrefix) })
        // A lock goes with its folder; one without a folder is left over on its own.
        return work.filter { !$0.hasSuffix(".lock") || !work.contains(String($0.dropLast(".lock".count))) }.sorted().map {
            "\(folder)/\($0)"
        }
    }
}

/// One commit's folder in the cache.
public struct CachedBuild: Sendable {
    public let folder: String
    public let commit: String
    public let toolchainKey: String
    /// The first line of the toolchain's `swift --version`, as recorded at build time.
    public let toolchain: String
    public let products: [Product]

    public struct Product: Sendable {
        public let name: String
        public let bytes: Int
        public let built: Date
    }

    init?(folder: String) {
        let name = (folder as NSString).lastPathComponent
        let parts = name.split(separator: "-", maxSplits: 1)
        guard parts.count == 2, parts[0].count == 40, parts[0].allSatisfy(\.isHexDigit) else { return nil }
        self.folder = folder
        commit = String(parts[0])
        toolchainKey = String(parts[1])
        let recorded = (try? String(contentsOfFile: "\(folder)/\(PeerCache.toolchainName)", encoding: .utf8)) ?? ""
        toolchain = recorded.split(separator: "\n").first.map(String.init) ?? "(not recorded)"
        // An entry that is a link (to anywhere) has no products of the cache's own.
        let files = LinkSafeRemoval.isRealFolder(folder) ? (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] : []
        products = files.sorted().compactMap { file -> Product? in
            let path = "\(folder)/\(file)"
            guard !file.hasPrefix("."), file != PeerCache.logName, file != PeerCache.toolchainName,
                FileManager.default.isExecutableFile(atPath: path),
                let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                attributes[.type] as? FileAttributeType == .typeRegular
            else { return nil }
            return Product(
                name: file, bytes: (attributes[.size] as? Int) ?? 0, built: (attributes[.modificationDate] as? Date) ?? .distantPast)
        }
    }
}

/// The Swift toolchain that builds peers: a binary is reused only with the toolchain that made it.
public struct Toolchain: Sendable {
    /// `swift --version` as it printed it.
    public let version: String
    /// A short hash of `version`.
    public let key: String

    public init(version: String) {
        self.version = version
        key = Self.hash(version)
    }

    /// The toolchain `swift` on PATH is.
    public static func current() throws(ConfigError) -> Toolchain {
        let result: CompletedProcess
        do {
            result = try withPrivateTemporaryFolder { environment in try PeerProcess.run(["swift", "--version"], environment: environment) }
        } catch {
            throw ConfigError("cannot run swift --version to key the peer cache: \(error)")
        }
        guard result.termination.isCleanExit else {
            throw ConfigError("swift --version \(result.termination): \(result.stderr.suffix(500))")
        }
        return Toolchain(version: result.stdoutText + result.stderr)
    }

    /// FNV-1a, 64 bits, as 12 hex digits: stable across runs and machines, unlike Hasher.
    static func hash(_ text: String) -> String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            value = (value ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return String(String(value, radix: 16).suffix(12))
    }
}

/// git, run through the runner's one spawner (so an interrupt ends it too).
enum Git {
    struct Result {
        /// stdout when git exited 0.
        let text: String?
        /// Why it did not, for a message.
        let why: String
    }

    static func run(_ arguments: [String], in folder: String, timeout: Duration = .seconds(300)) throws(ConfigError) -> Result {
        let result: CompletedProcess
        do {
            result = try PeerProcess.run(["git", "-C", folder] + arguments, timeout: timeout)
        } catch {
            throw ConfigError("cannot run git: \(error)")
        }
        let why = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        return Result(text: result.termination.isCleanExit ? result.stdoutText : nil, why: why.isEmpty ? "\(result.termination)" : why)
    }
}
