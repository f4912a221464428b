// The folder --report-dir names, written as a set. It is checked before a run starts, so a
// folder that cannot take the reports costs no run. After the run every file goes into a
// staging folder beside it (same parent, so same filesystem), which is then swapped in whole.
//
// Why a swapped folder and not per-file renames or a symlink to the current set: renaming
// files one by one lets two runs, or one run that fails half-way, leave files of different
// sets side by side. Exchanging the two folders with one renameat2(RENAME_EXCHANGE) means the
// path names one complete set at every instant, stays a plain folder (CI tools and artifact
// uploaders see what they always saw), and leaves each run exactly one thing to clean up:
// the set it displaced. Concurrent runs each exchange their own set in; the last one wins.
// A symlink would give the same instant switch, but its old sets cannot be removed safely
// while another run may still be about to point the link at its own.

import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A report that could not be written; `path` is the file or folder that failed.
public struct ReportWriteError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "cannot write \(path): \(reason)" }
}

/// One file of a report set: its name in the folder and its bytes.
struct ReportFile {
    var name: String
    var bytes: [UInt8]

    init(_ name: String, _ bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    init(_ name: String, _ text: String) {
        self.init(name, Array(text.utf8))
    }
}

public struct ReportFolder: Sendable {
    /// As given on the command line, for messages.
    public let path: String
    /// Absolute and without a trailing slash: its staging folders are made beside it.
    let target: String

    /// Every file name a report set holds (matrix, pair and gate: results, junit, summary, report.html; bench: json, summary, html;
    /// bench regressions: regressions.html).
    /// A folder holding anything else is not a report folder, and is never replaced.
    static let reportNames: Set<String> = [
        "results.json", "junit.xml", "summary.md", "report.html", "bench.json", "bench.html", "regressions.html",
    ]

    /// A report's name: one of `reportNames`, or a bench latency distribution (`….hgrm`, one per cell and series).
    static func isReportName(_ name: String) -> Bool {
        reportNames.contains(name) || name.hasSuffix(".hgrm") || name == KeptCells.folder
    }

    private init(path: String) {
        self.path = path
        target = URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// Checks, before a run, that the reports can be written: the parent exists (or is created
    /// now) and takes a new folder, and `path` is absent or a folder of reports.
    public static func prepare(_ path: String) throws(ConfigError) -> ReportFolder {
        let folder = ReportFolder(path: path)
        func refuse(_ reason: String) -> ConfigError { ConfigError("--report-dir \(path): \(reason)") }
        do throws(ReportWriteError) {
            try makeFolders(folder.parent)
        } catch {
            throw refuse("cannot create its parent folder: \(error.reason)")
        }
        if let reason = folder.whyNotAReportFolder() { throw refuse(reason) }
        do throws(ReportWriteError) {
            removeSet(at: try folder.makeStaging())
        } catch {
            throw refuse(error.reason)
        }
        return folder
    }

    /// Replaces the folder's set with `files` and the kept cell folders, or leaves the previous set in place and throws.
    func replace(with files: [ReportFile], keptCells: [KeptCells.Copy] = []) throws(ReportWriteError) {
        let staging = try makeStaging()
        // On success the staging path holds the set that was displaced; on failure, the partial new one.
        defer { Self.removeSet(at: staging) }
        for file in files { try Self.writeFile(file.bytes, to: staging + "/" + file.name) }
        if !keptCells.isEmpty {
            let cells = staging + "/" + KeptCells.folder
            guard mkdir(cells, 0o755) == 0 else { throw ReportWriteError(path: cells, reason: "cannot create it: \(Self.lastError())") }
            for kept in keptCells { try KeptCells.copy(kept, to: cells + "/" + kept.name) }
        }
        // Made private by mkdtemp; a report folder is for everyone to read, as before.
        chmod(staging, 0o755)
        try swapIn(staging)
    }

    // MARK: Checks

    private var parent: String { (target as NSString).deletingLastPathComponent }

    /// Why the target cannot be replaced by a report set, or nil when it can.
    private func whyNotAReportFolder() -> String? {
        var info = stat()
        guard stat(target, &info) == 0 else { return errno == ENOENT ? nil : "cannot look at it: \(Self.lastError())" }
        guard info.st_mode & S_IFMT == S_IFDIR else { return "it is not a directory" }
        var parentInfo = stat()
        if stat(parent, &parentInfo) == 0, parentInfo.st_dev != info.st_dev {
            return "it is a mount point, which cannot be replaced by a new folder; give a folder inside it"
        }
        let foreign = ((try? FileManager.default.contentsOfDirectory(atPath: target)) ?? []).filter { !Self.isReportName($0) }.sorted()
        guard foreign.isEmpty else {
            return "it holds files compat did not write (\(foreign.prefix(5).joined(separator: ", "))\(foreign.count > 5 ? ", …" : "")); "
                + "each run replaces the folder whole, so give the reports a folder of their own"
        }
        return nil
    }

    /// `path` and any missing parents, as folders.
    private static func makeFolders(_ path: String) throws(ReportWriteError) {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw ReportWriteError(path: path, reason: "\(path) is not a directory") }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if parent != path { try makeFolders(parent) }
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw ReportWriteError(path: path, reason: "\(path): \(lastError())") }
    }

    // MARK: Writing

    /// A new, empty folder beside the target: `<name>.staging-XXXXXX`.
    private func makeStaging() throws(ReportWriteError) -> String {
        do {
            return try makePrivateDirectory(prefix: (target as NSString).lastPathComponent + ".staging", in: parent)
        } catch {
            throw ReportWriteError(path: path, reason: "\(error)")
        }
    }

    /// Writes a new file and flushes it to disk.
    static func writeFile(_ bytes: [UInt8], to path: String) throws(ReportWriteError) {
        func failure(_ what: String) -> ReportWriteError { ReportWriteError(path: path, reason: "\(what): \(lastError())") }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot create it") }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw failure("write failed") }
            written += count
        }
        guard fsync(fd) == 0 else { throw failure("fsync failed") }
    }

    /// Puts the set at `staging` where the target is; the displaced set, if any, is left at `staging`.
    private func swapIn(_ staging: String) throws(ReportWriteError) {
        func failure(_ what: String) -> ReportWriteError { ReportWriteError(path: path, reason: "\(what): \(Self.lastError())") }
        // Each turn ends in one swap, unless another run's set arrived in between: then once more.
        for _ in 0..<100 {
            do throws(SystemError) {
                try exchangePaths(staging, target)
                return
            } catch {
                switch error.errno {
                case ENOENT: break  // No set yet: renamed in below.
                case EINVAL, ENOSYS, EOPNOTSUPP: try moveAside(staging)  // A filesystem without exchange.
                default:
                    throw ReportWriteError(
                        path: path, reason: "cannot exchange \(staging) with it: \(String(cString: strerror(error.errno)))")
                }
            }
            if rename(staging, target) == 0 { return }
            guard errno == EEXIST || errno == ENOTEMPTY else { throw failure("cannot rename \(staging) to it") }
        }
        throw ReportWriteError(path: path, reason: "other runs kept replacing it")
    }

    /// Without an exchange the current set is renamed away and removed before the new one is
    /// renamed in: for that moment the folder is absent, but never a mix of two sets.
    private func moveAside(_ staging: String) throws(ReportWriteError) {
        let aside = staging + ".old"
        guard rename(target, aside) == 0 || errno == ENOENT else {
            throw ReportWriteError(path: path, reason: "cannot move the previous reports aside: \(Self.lastError())")
        }
        Self.removeSet(at: aside)
    }

    /// Removes a displaced or partial set: only the files a report set holds, then the folder if
    /// that emptied it (a file someone put there meanwhile is left alone). A symlink is unlinked only.
    static func removeSet(at path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            if info.st_mode & S_IFMT == S_IFLNK { unlink(path) }
            return
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where reportNames.contains(name) {
            unlink(path + "/" + name)
        }
        removeKeptCells(at: path + "/" + KeptCells.folder)
        rmdir(path)
    }

    /// A set's `cells` folder: each cell folder's entries unlinked (never followed), then the
    /// folders; a folder someone put inside one stays, and so does what holds it.
    private static func removeKeptCells(at cells: String) {
        var info = stat()
        guard lstat(cells, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { return }
        for cell in (try? FileManager.default.contentsOfDirectory(atPath: cells)) ?? [] {
            let folder = cells + "/" + cell
            guard lstat(folder, &info) == 0 else { continue }
            guard info.st_mode & S_IFMT == S_IFDIR else {
                unlink(folder)
                continue
            }
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] { unlink(folder + "/" + name) }
            rmdir(folder)
        }
        rmdir(cells)
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
