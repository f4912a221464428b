// Builds the peers of a matrix that come from a git commit: the commit exported into a private
// folder of the cache, each product built in release there (one scratch path per commit, so the
// products of one commit share their modules), then installed into the cache under a temporary
// name and renamed, so an interrupted build leaves no half-written binary.

import Foundation

public struct PeerBuilder: Sendable {
    public let cache: PeerCache
    /// Says what it is doing, one line per step.
    let progress: @Sendable (String) -> Void

    /// A build may take this long per product before it is killed.
    static let buildTimeout = Duration.seconds(1800)
    /// A failed build shows this many of its log's last lines.
    static let logTail = 20

    public init(cache: PeerCache, progress: @escaping @Sendable (String) -> Void) {
        self.cache = cache
        self.progress = progress
    }

    /// Gives the peers among `names` that are built from a commit their cached programs, building
    /// what is missing first. Nothing runs (not even git) when none of them is such a peer.
    public static func prepare(
        _ config: inout MatrixConfig, peers names: Set<String>,
        progress: @escaping @Sendable (String) -> Void
    ) throws(ConfigError) {
        guard config.peers.contains(where: { names.contains($0.name) && $0.build != nil }) else { return }
        let builder = PeerBuilder(cache: try PeerCache.of(folder: config.folder), progress: progress)
        config.useBuiltPrograms(try builder.programs(for: config, peers: names))
    }

    /// Each selected build peer's program, by name, built where the cache lacks it.
    public func programs(for config: MatrixConfig, peers names: Set<String>) throws(ConfigError) -> [String: String] {
        let wanted = config.peers.filter { names.contains($0.name) && $0.build != nil }
        guard !wanted.isEmpty else { return [:] }
        let toolchain = try Toolchain.current()
        var byCommit: [(commit: String, peers: [PeerSpec])] = []
        // Each ref resolved once: a release's peers share one, and each resolution starts git.
        var commits: [String: String] = [:]
        for peer in wanted {
            let ref = peer.build!.ref
            let commit: String
            if let known = commits[ref] {
                commit = known
            } else {
                commit = try cache.commit(of: ref, peer: peer.name)
                commits[ref] = commit
            }
            if let index = byCommit.firstIndex(where: { $0.commit == commit }) {
                byCommit[index].peers.append(peer)
            } else {
                byCommit.append((commit, [peer]))
            }
        }
        var programs: [String: String] = [:]
        for (commit, peers) in byCommit {
            let entry = cache.entryFolder(commit: commit, toolchain: toolchain)
            let usable = isUsableFolder(entry)
            var missing: [String] = []
            for product in peers.map(\.build!.product)
            where !missing.contains(product) && !(usable && isIntact(product, in: entry, commit: commit, toolchain: toolchain)) {
                missing.append(product)
            }
            if !missing.isEmpty {
                try replaceIfNotAFolder(entry)
                try build(missing, commit: commit, for: peers, into: entry, toolchain: toolchain)
            }
            for peer in peers { programs[peer.name] = "\(entry)/\(peer.build!.product)" }
        }
        return programs
    }

    /// Whether `entry` holds `product` as its build recorded it; a file there that is not (truncated,
    /// replaced, from an older compat that recorded nothing) is said, and will be rebuilt, never run.
    private func isIntact(_ product: String, in entry: String, commit: String, toolchain: Toolchain) -> Bool {
        var status = stat()
        guard lstat("\(entry)/\(product)", &status) == 0 else { return false }
        guard let problem = BuildManifest.problem(with: product, in: entry, commit: commit, toolchain: toolchain) else { return true }
        progress("\(entry)/\(product) is not what its build made: \(problem); rebuilding it")
        return false
    }

    /// Whether `entry` is a folder itself; a link (to anywhere) or a file in its place is said.
    private func isUsableFolder(_ entry: String) -> Bool {
        guard !LinkSafeRemoval.isRealFolder(entry) else { return true }
        var status = stat()
        if lstat(entry, &status) == 0 { progress("\(entry) is not a folder of the cache but a link or a file; rebuilding it") }
        return false
    }

    /// Removes a link or a file in the entry's place (only the link: the build must not write
    /// through it to wherever it points).
    private func replaceIfNotAFolder(_ entry: String) throws(ConfigError) {
        guard !LinkSafeRemoval.isRealFolder(entry) else { return }
        try LinkSafeRemoval.remove(entry)
    }

    /// Builds `products` at `commit` and installs them in `entry`.
    func build(_ products: [String], commit: String, for peers: [PeerSpec], into entry: String, toolchain: Toolchain) throws(ConfigError) {
        let refs = Array(Set(peers.map(\.build!.ref))).sorted().joined(separator: ", ")
        // A ref that is the commit itself says nothing more than its short form.
        progress("building \(products.joined(separator: ", ")) at \(commit.prefix(7))\(refs == commit ? "" : " (\(refs))") …")
        let started = ContinuousClock.now
        let log = "\(entry)/\(PeerCache.logName)"
        let work = "\(cache.folder)/\(PeerCache.workPrefix)\(getpid())-\(commit.prefix(12))"
        let lock = try lockWork(work)
        defer {
            try? LinkSafeRemoval.remove(work)
            lock.unlinkFile()
        }
        do {
            try FileManager.default.createDirectory(atPath: entry, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: work + "/src", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: work + "/tmp", withIntermediateDirectories: true)
            try Data(toolchain.version.utf8).write(to: URL(fileURLWithPath: "\(entry)/\(PeerCache.toolchainName)"))
            try Data().write(to: URL(fileURLWithPath: log))
        } catch {
            throw ConfigError("cannot prepare the peer cache folder \(entry): \(error.localizedDescription)")
        }
        try export(commit, to: work, refs: refs)
        for product in products {
            let argv = ["swift", "build", "-c", "release", "--scratch-path", work + "/scratch", "--product", product]
            progress("  \(argv.joined(separator: " ")) …")
            let result: CompletedProcess
            do {
                // The toolchain's temporary folders go to the work folder, and away with it.
                var environment = ProcessInfo.processInfo.environment
                environment["TMPDIR"] = work + "/tmp"
                result = try PeerProcess.run(argv, environment: environment, workingDirectory: work + "/src", timeout: Self.buildTimeout)
            } catch {
                throw ConfigError("cannot run swift build for \(product) at \(refs): \(error)")
            }
            let output = "$ \(argv.joined(separator: " "))\n" + result.stdoutText + result.stderr + "\n(\(result.termination))\n"
            append(output, to: log)
            guard result.termination.isCleanExit else {
                let names = peers.filter { $0.build!.product == product }.map { "\"\($0.name)\"" }.joined(separator: ", ")
                throw ConfigError(
                    "peer \(names): building \(product) at \(refs) (commit \(commit.prefix(12))) failed (\(result.termination)); full log: \(log); its last lines:\n"
                        + tail(of: log))
            }
            try install("\(work)/scratch/release/\(product)", as: "\(entry)/\(product)")
            try BuildManifest.record([product], in: entry, commit: commit, toolchain: toolchain)
        }
        progress(String(format: "built in %.0f s", (ContinuousClock.now - started).seconds))
    }

    /// Holds the lock of `work` (before the folder exists), so that prune leaves the folder alone.
    private func lockWork(_ work: String) throws(ConfigError) -> WorkLock {
        do {
            try FileManager.default.createDirectory(atPath: cache.folder, withIntermediateDirectories: true)
        } catch {
            throw ConfigError("cannot make the peer cache folder \(cache.folder): \(error.localizedDescription)")
        }
        guard case .taken(let lock) = try WorkLock.claim(WorkLock.path(ofWork: work), create: true) else {
            throw ConfigError("cannot lock \(WorkLock.path(ofWork: work)): another process holds it")
        }
        return lock
    }

    /// The commit's tree, as git stores it, in `work/src`.
    private func export(_ commit: String, to work: String, refs: String) throws(ConfigError) {
        let archive = "\(work)/src.tar"
        let exported = try Git.run(["archive", "--format=tar", "-o", archive, commit], in: cache.repository)
        guard exported.text != nil else { throw ConfigError("cannot export \(refs) (commit \(commit)) with git archive: \(exported.why)") }
        let unpacked = try? PeerProcess.run(["tar", "-xf", archive, "-C", "\(work)/src"], timeout: .seconds(300))
        guard let unpacked, unpacked.termination.isCleanExit else {
            throw ConfigError("cannot unpack \(archive): \(unpacked?.stderr ?? "cannot run tar")")
        }
        try? FileManager.default.removeItem(atPath: archive)
    }

    /// Copies `built` next to `destination` under a temporary name, then renames it into place.
    private func install(_ built: String, as destination: String) throws(ConfigError) {
        let temporary = ((destination as NSString).deletingLastPathComponent as NSString)
            .appendingPathComponent(".\((destination as NSString).lastPathComponent).\(getpid()).tmp")
        do {
            try? FileManager.default.removeItem(atPath: temporary)
            try FileManager.default.copyItem(atPath: built, toPath: temporary)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: temporary)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw ConfigError("cannot install \(built) as \(destination): \(error.localizedDescription)")
        }
        guard rename(temporary, destination) == 0 else {
            let why = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw ConfigError("cannot rename \(temporary) to \(destination): \(why)")
        }
    }

    private func append(_ text: String, to log: String) {
        guard let handle = FileHandle(forWritingAtPath: log) else { return }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: Data(text.utf8))
    }

    /// The last `logTail` lines of the log, indented.
    private func tail(of log: String) -> String {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(Self.logTail).map { "  " + $0 }.joined(separator: "\n")
    }
}
