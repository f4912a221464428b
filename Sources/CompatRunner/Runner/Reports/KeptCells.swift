// The folders of cells that did not pass (their peers' stderr, transcripts, capture), moved
// into --report-dir as `cells/<cell>/` so CI keeps them with the reports: a runner's $TMPDIR
// is gone when the job ends. Copied, then removed once the set is in place (writeReports), and
// bounded, as a peer writes what it likes: so many cells, so many bytes a file and a cell; what
// is left out is said in the folder (KEPT.txt) and in summary.md. A merge copies its shards'.
// Only regular files are copied, never through a symlink; a folder's name comes from the cell's
// name with every character but a few safe ones replaced, as peers name themselves.

import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

public enum KeptCells {
    /// The first cells (and fleets, upgrades) in report order whose folders a report folder holds.
    public static let maximumCells = 50
    /// A file is cut here (a text file with a line saying so at the cut).
    public static let maximumFileBytes = 1 << 20
    /// A cell's files are copied in name order until this many bytes; the rest are left out.
    public static let maximumCellBytes = 4 << 20
    /// A cell folder's files past this many are left out.
    public static let maximumFiles = 32
    /// Where the folders go in a report folder.
    static let folder = "cells"

    /// One cell's folder to copy: where it is on this machine, and its name under `cells/`.
    struct Copy: Sendable {
        var source: String
        var name: String
        /// The run's own folder, which moves: removed once the reports hold it whole; when
        /// the bounds cut it, it stays, and KEPT.txt says where.
        var moves = false
    }

    /// What a report set does with the kept folders: the results to write (each copied cell's
    /// `keptDirectory` now `cells/<name>`, relative to the report folder), the folders to copy,
    /// and the cells whose folders the report does not hold.
    struct Plan {
        var results: RunResults
        var copies: [Copy] = []
        var notKept: [String] = []
    }

    /// Plans the copies of `results`'s kept folders; `sources` maps a unit's name to its folder
    /// on this machine (a unit without one is not kept here). `prefix` goes before each new
    /// `cells/NAME` (the report folder's path, for what the terminal says).
    static func plan(_ results: RunResults, sources: [String: String], prefix: String = "") -> Plan {
        var plan = Plan(results: results)
        var used = Set<String>()
        func settle(_ unit: CellResult) -> CellResult {
            guard unit.keptDirectory != nil else { return unit }
            let name = ReportText.cellName(unit)
            guard let source = sources[name], plan.copies.count < maximumCells else {
                plan.notKept.append(name)
                return unit
            }
            var folderName = folderName(for: name)
            var suffix = 2
            while !used.insert(folderName).inserted {
                folderName = self.folderName(for: name) + "-\(suffix)"
                suffix += 1
            }
            plan.copies.append(Copy(source: source, name: folderName))
            var settled = unit
            settled.keptDirectory = prefix + folder + "/" + folderName
            return settled
        }
        switch results.findings {
        case .matrix(var matrix):
            matrix.cells = matrix.cells.map(settle)
            plan.results.findings = .matrix(matrix)
        case .gate(let gate):
            var matrix = gate.matrix
            matrix.cells = matrix.cells.map(settle)
            plan.results.findings = .gate(
                GateResult(
                    schema: gate.schema, fixtures: gate.fixtures, matrix: matrix, scenarios: gate.scenarios.map(settle),
                    seconds: gate.seconds))
        }
        return plan
    }

    /// A run's own folders: every unit's `keptDirectory`, made by this process, that is still a folder.
    static func ownFolders(_ results: RunResults) -> [String: String] {
        var sources: [String: String] = [:]
        for unit in results.matrix.cells + (results.gate?.scenarios ?? []) {
            var info = stat()
            if let kept = unit.keptDirectory, lstat(kept, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
                sources[ReportText.cellName(unit)] = kept
            }
        }
        return sources
    }

    /// A shard's folders: a unit's `keptDirectory` only when it is `cells/<name>` as compat
    /// writes it, and a folder (not a symlink) inside the shard's report folder. Anything else
    /// a results.json says (an absolute path, `..`) is never read.
    static func shardFolders(_ shard: ShardResults) -> [String: String] {
        var sources: [String: String] = [:]
        for unit in shard.results.matrix.cells + (shard.results.gate?.scenarios ?? []) {
            guard let kept = unit.keptDirectory, kept.hasPrefix(folder + "/") else { continue }
            let name = String(kept.dropFirst(folder.count + 1))
            guard !name.isEmpty, folderName(for: name) == name, !name.hasPrefix(".") else { continue }
            let path = shard.folder + "/" + folder + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { continue }
            sources[ReportText.cellName(unit)] = path
        }
        return sources
    }

    /// A folder name for a unit: letters, digits and `.=@+,-` kept, `/` as `,`, anything else
    /// `_`, a leading `.` too; at most 100 characters.
    static func folderName(for unit: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.=@+,-_")
        var name = String(unit.prefix(100).map { $0 == "/" ? "," : safe.contains($0) ? $0 : "_" })
        if name.hasPrefix(".") { name = "_" + name.dropFirst() }
        return name.isEmpty ? "_" : name
    }

    /// summary.md's lines on the kept folders: where they are, and the cells not kept.
    static func summaryLines(_ plan: Plan) -> [String] {
        var lines: [String] = []
        if !plan.copies.isEmpty {
            lines.append(
                "Kept: the folders of \(ReportText.plural(plan.copies.count, "cell", "cells")) (stderr, transcripts, capture) in `cells/` beside this summary."
            )
        }
        if !plan.notKept.isEmpty {
            let shown = plan.notKept.prefix(10).map { SummaryMarkdown.code($0) }.joined(separator: ", ")
            let more = plan.notKept.count > 10 ? " and \(plan.notKept.count - 10) more" : ""
            lines.append(
                "Not kept in the report folder (over \(maximumCells) cells, or not on this machine): \(shown)\(more).")
        }
        return lines
    }

    // MARK: Copying

    /// Copies `source`'s regular files into `destination` (made here), bounded; what was cut
    /// or left out is listed in `destination`/KEPT.txt. A source that is no folder copies nothing.
    static func copy(_ kept: Copy, to destination: String) throws(ReportWriteError) {
        let source = kept.source
        guard mkdir(destination, 0o755) == 0 else {
            throw ReportWriteError(path: destination, reason: "cannot create it: \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard lstat(source, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            try ReportFolder.writeFile(
                Array("the cell's folder \(source.printableLine) was gone or not a folder\n".utf8), to: destination + "/KEPT.txt")
            return
        }
        var notes: [String] = []
        var used = 0
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: source)) ?? []).sorted()
        for (index, name) in names.enumerated() {
            let path = source + "/" + name
            // KEPT.txt is compat's note: a peer's file of that name is not copied over it.
            guard name != "KEPT.txt", lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
                notes.append("\(name.printableLine): left out (not a regular file, or named KEPT.txt)")
                continue
            }
            let room = min(maximumFileBytes, maximumCellBytes - used)
            guard index < maximumFiles, room > 0 else {
                notes.append(
                    "\(name.printableLine): left out (\(info.st_size) bytes; a cell keeps \(maximumFiles) files, \(maximumCellBytes) bytes)"
                )
                continue
            }
            guard var bytes = readNoFollow(path, upTo: room + 1) else {
                notes.append("\(name.printableLine): could not be read")
                continue
            }
            if bytes.count > room {
                bytes = Array(bytes.prefix(room))
                notes.append("\(name.printableLine): cut to its first \(room) of \(info.st_size) bytes")
                if !name.hasSuffix(".pcapng") {
                    bytes += Array("\n[compat: cut here; the first \(room) of \(info.st_size) bytes are kept]\n".utf8)
                }
            }
            used += min(bytes.count, room)
            try ReportFolder.writeFile(bytes, to: destination + "/" + name)
        }
        if kept.moves && !notes.isEmpty { notes.append("the whole folder stays at \(source.printableLine)") }
        if !notes.isEmpty { try ReportFolder.writeFile(Array((notes.joined(separator: "\n") + "\n").utf8), to: destination + "/KEPT.txt") }
    }

    /// At most `limit` bytes of a regular file, opened without following a symlink.
    private static func readNoFollow(_ path: String, upTo limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: limit)
        var count = 0
        while count < limit {
            let got = bytes[count...].withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { break }
            count += got
        }
        return Array(bytes.prefix(count))
    }
}
