// Nothing left behind: after every `compat matrix run` — passing, failing, or stopped by
// SIGINT/SIGTERM — no peer process is left (the process table says so) and no cell folder or
// ipc socket file is left on disk but the folders of the cells that failed.
//
// `compat` runs as a child process with TMPDIR set to a folder of the test's own, so its cell
// folders are found there and nowhere else, and with a marker in its environment that every
// peer inherits, so the peers are found in /proc even after they were reparented.

import BuiltBinaries
import CompatRunner
import Foundation
import MiniJSON
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

// MARK: - The process table

/// A process, told apart from a later one with the same pid by its start time.
struct ProcessIdentity: Hashable, CustomStringConvertible {
    let pid: Int32
    let startTime: UInt64

    /// The process with this pid now, if there is one.
    init?(pid: Int32) {
        guard let stat = ProcStat(pid: pid) else { return nil }
        self.pid = pid
        self.startTime = stat.startTime
    }

    /// Running or sleeping, with the same start time: not gone, not a zombie. (PID 1 of this
    /// machine does not reap orphans, so a killed grandchild may stay a zombie: that is dead.)
    var isAlive: Bool {
        guard let stat = ProcStat(pid: pid), stat.startTime == startTime else { return false }
        return stat.state != "Z" && stat.state != "X"
    }

    var commandLine: String { processCommandLine(pid) }

    var description: String { "pid \(pid) (\(commandLine))" }
}

/// The fields of /proc/PID/stat a test needs.
struct ProcStat {
    let state: Character
    let parent: Int32
    let startTime: UInt64

    init?(pid: Int32) {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // After "pid (comm)": state, ppid, … starttime is field 22, the 20th after the name.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let state = fields[0].first, let parent = Int32(fields[1]), let start = UInt64(fields[19]) else {
            return nil
        }
        self.state = state
        self.parent = parent
        self.startTime = start
    }
}

/// argv of a process joined with spaces ("" when it is gone or a zombie).
func processCommandLine(_ pid: Int32) -> String {
    guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return "" }
    return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
}

/// Every pid in /proc now.
func allPids() -> [Int32] {
    ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
}

/// The live processes whose environment holds `NAME=VALUE` (the test's own process excluded).
func liveProcesses(withEnvironment name: String, _ value: String) -> [ProcessIdentity] {
    let needle = Data("\(name)=\(value)\u{0}".utf8)
    return allPids().filter { $0 != getpid() }.compactMap { pid in
        guard let environment = FileManager.default.contents(atPath: "/proc/\(pid)/environ"),
            environment.range(of: needle) != nil
        else { return nil }
        return ProcessIdentity(pid: pid).flatMap { $0.isAlive ? $0 : nil }
    }
}

/// The children of `pid` now (from /proc/PID/task/*/children).
func childPids(of pid: Int32) -> [Int32] {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
    return tasks.flatMap { task -> [Int32] in
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8) else { return [] }
        return text.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}

/// A value of /proc/PID/status in kB (`VmHWM`, `VmRSS`), nil when the process is gone.
func statusKilobytes(_ pid: Int32, _ key: String) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix(key + ":") {
        return Int(line.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
    }
    return nil
}

/// The pids a test peer wrote to its `--pids` file (none when it never started).
func notedPids(_ file: String) -> [Int32] {
    ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { Int32($0) }
}

// MARK: - The disk

/// The folders directly in `folder` whose names start with `compat-`.
func cellFolders(in folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix("compat-") }.sorted().map {
        folder + "/" + $0
    }
}

/// Every socket file (ipc endpoint) under `folder`, at any depth.
func socketFiles(under folder: String) -> [String] {
    guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
    var found: [String] = []
    while let relative = walker.nextObject() as? String {
        var info = stat()
        if lstat(folder + "/" + relative, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK { found.append(folder + "/" + relative) }
    }
    return found.sorted()
}

/// The file names in a folder.
func fileNames(in folder: String) -> Set<String> {
    Set((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
}

// MARK: - compat as a child process

/// `compat ARGS` started in the background, through the runner's own spawner: TMPDIR is a folder
/// of the test's, and a marker in its environment (inherited by every peer) finds its peers in
/// /proc. While it runs, its children and its peak memory (VmHWM) are sampled every few
/// milliseconds. (Not ru_maxrss from wait4: a spawned child's counts the memory of the test
/// process, which the child shares until its exec.)
final class CompatRun: @unchecked Sendable {
    static let markerVariable = "COMPAT_LEFTOVER_TEST_RUN"

    struct Outcome {
        /// The exit status, or the signal when `killedBySignal`.
        var status: Int32
        var killedBySignal: Bool
        var stdout: String
        var stderr: String
        /// It ran over its time limit and was stopped by the test (SIGINT, then SIGKILL).
        var timedOut: Bool
        var seconds: Double
    }

    let marker = UUID().uuidString
    let arguments: [String]
    let temporaryFolder: String
    let process: PeerProcess
    private let started = ContinuousClock.now
    private let sampled = Mutex<(children: Set<ProcessIdentity>, peakKB: Int)>(([], 0))
    private let sampler = DispatchGroup()

    /// Starts `compat arguments` with `TMPDIR=temporaryFolder` (created if missing) and stdin closed.
    init(_ arguments: [String], temporaryFolder: String) throws {
        self.arguments = arguments
        self.temporaryFolder = temporaryFolder
        try FileManager.default.createDirectory(atPath: temporaryFolder, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment
        environment["TMPDIR"] = temporaryFolder
        environment[Self.markerVariable] = marker
        process = try PeerProcess(argv: [Built.compat] + arguments, stderrPath: nil, environment: environment, maxLineLength: 256 << 20)
        process.closeStdin()
        sampler.enter()
        Thread.detachNewThread { [self] in
            while process.termination == nil {
                let peak = statusKilobytes(pid, "VmHWM") ?? 0
                let seen = childPids(of: pid).compactMap { ProcessIdentity(pid: $0) }
                sampled.withLock {
                    $0.peakKB = max($0.peakKB, peak)
                    $0.children.formUnion(seen)
                }
                if process.pollExit() != nil { break }
                usleep(5_000)
            }
            sampler.leave()
        }
    }

    var pid: Int32 { process.pid }
    var isRunning: Bool { process.pollExit() == nil }

    /// Every child process of compat seen while it ran.
    var childrenSeen: Set<ProcessIdentity> { sampled.withLock { $0.children } }

    /// compat's peak resident memory seen, in kB: a high-water mark, so only what it grew in its
    /// last few milliseconds could be missed.
    var peakKilobytes: Int { sampled.withLock { $0.peakKB } }

    /// Sends `signal` to compat while it runs (never to a later process with its pid).
    func send(_ signal: Int32) {
        if process.termination == nil { kill(process.pid, signal) }
    }

    /// Waits for compat to end, reading its stdout. Past `limit` it gets SIGINT (so it still writes
    /// its reports), and 10 s later SIGKILL; `timedOut` then says so.
    func wait(limit: Duration) -> Outcome {
        var timedOut = false
        var stdout = try? process.readToEnd(deadline: started + limit)
        if stdout == nil {
            timedOut = true
            send(SIGINT)
            stdout = try? process.readToEnd(deadline: .now + .seconds(10))
        }
        let termination = process.finish(grace: .seconds(10))
        sampler.wait()
        let (status, killedBySignal): (Int32, Bool) =
            switch termination {
            case .exited(let code): (code, false)
            case .signaled(let signal): (signal, true)
            case .killedAfterTimeout: (SIGKILL, true)
            }
        return Outcome(
            status: status, killedBySignal: killedBySignal, stdout: String(decoding: stdout ?? [], as: UTF8.self),
            stderr: process.stderrText, timedOut: timedOut, seconds: (ContinuousClock.now - started).seconds)
    }

    /// The processes of this run still alive: its peers (by the marker) and any child seen while it ran.
    /// Waits up to `grace` for them to go, as a SIGKILL takes a moment to land (longer on a loaded machine).
    func leftoverProcesses(grace: Duration = .seconds(10)) -> [ProcessIdentity] {
        let end = ContinuousClock.now + grace
        while true {
            let left = Set(liveProcesses(withEnvironment: Self.markerVariable, marker)).union(childrenSeen.filter(\.isAlive))
            if left.isEmpty || ContinuousClock.now >= end { return left.sorted { $0.pid < $1.pid } }
            usleep(10_000)
        }
    }

    /// Everything this run left behind: live processes, cell folders other than `kept` (and the
    /// whole folders their KEPT.txt says stayed), and
    /// ipc socket files under its TMPDIR outside the `kept` folders. Empty when nothing was left.
    func leftovers(kept: Set<String> = []) -> [String] {
        let kept = kept.union(kept.compactMap(wholeFolder))
        return leftoverProcesses().map { "a process still runs: \($0)" }
            + cellFolders(in: temporaryFolder).filter { !kept.contains($0) }.map {
                "a folder is left: \($0) holding \(fileNames(in: $0).sorted())"
            }
            + socketFiles(under: temporaryFolder).filter { file in !kept.contains { file.hasPrefix($0 + "/") } }
            .map { "an ipc socket file is left: \($0)" }
    }

    /// The ipc socket files inside the `kept` folders of failing cells: endpoints of peers that are gone.
    func socketsInKeptFolders(_ kept: Set<String>) -> [String] {
        kept.sorted().flatMap { socketFiles(under: $0) }
    }

    /// The command line, for messages.
    var commandLine: String { "compat " + arguments.joined(separator: " ") }
}

/// The $TMPDIR folder a kept folder in a report came from, when the report's bounds cut it and it
/// stayed: its KEPT.txt says where.
func wholeFolder(of kept: String) -> String? {
    let prefix = "the whole folder stays at "
    guard let notes = try? String(contentsOfFile: kept + "/KEPT.txt", encoding: .utf8) else { return nil }
    return notes.split(separator: "\n").first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
}

/// results.json of a report folder: the cells by name ("client=…/gateway=…"), each kept folder
/// the report holds (`cells/NAME`, relative to it) as its path.
func resultCells(_ reportDirectory: String) throws -> [String: JSON] {
    let data = try #require(FileManager.default.contents(atPath: reportDirectory + "/results.json"), "no \(reportDirectory)/results.json")
    let root = try JSON.parse(Array(data))
    let cells = try #require(root["cells"]?.arrayValue, "results.json has no cells")
    var byName: [String: JSON] = [:]
    for cell in cells {
        var cell = cell
        if case .object(var object) = cell, let kept = object["keptDirectory"]?.stringValue, !kept.hasPrefix("/") {
            object["keptDirectory"] = .string(reportDirectory + "/" + kept)
            cell = .object(object)
        }
        byName[cell["name"]?.stringValue ?? "?"] = cell
    }
    return byName
}

/// A matrix of the reference peers `reference` (versions), plus test peers, for a test.
func misbehavingMatrix(
    reference: [Int], testPeers: [String], clients: [String], gateways: [String],
    pairSeconds: Double, commandSeconds: Double, extraPeers: [JSON] = []
) throws -> TestMatrix {
    let matrix = try TestMatrix(json: .object([:]))
    let peers: [JSON] =
        reference.map { version in
            .object(["name": .string("v\(version)"), "version": .integer(version), "argv": .array(Built.peer(version).map(JSON.string))])
        } + testPeers.map { TestPeers.entry($0, pids: matrix.folder + "/\($0).pids") } + extraPeers
    let root: JSON = .object([
        "peers": .array(peers), "clients": .array(clients.map(JSON.string)), "gateways": .array(gateways.map(JSON.string)),
        "timeouts": .object(["pairSeconds": .double(pairSeconds), "commandSeconds": .double(commandSeconds)]),
    ])
    try root.serialized(pretty: true).write(toFile: matrix.path, atomically: true, encoding: .utf8)
    return matrix
}

// MARK: - Tests

@Suite("nothing left behind: processes, folders and sockets after every run", .serialized)
struct LeftoverTests {
    /// `compat matrix run` over `matrix` with the repository's fixtures, cells in `matrix.folder/tmp`.
    func run(_ matrix: TestMatrix, _ extra: [String]) throws -> CompatRun {
        try CompatRun(
            ["matrix", "run", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--jobs", "2"] + extra,
            temporaryFolder: matrix.folder + "/tmp")
    }

    @Test("a passing run: no peer process, no cell folder, no socket file is left")
    func passingRunLeavesNothing() throws {
        let matrix = try TestMatrix()
        let compat = try run(matrix, ["--clients", "v3,v5", "--gateways", "v3,v5"])
        let outcome = compat.wait(limit: .seconds(180))
        #expect(outcome.status == 0 && !outcome.killedBySignal && !outcome.timedOut, "\(outcome.stdout.suffix(3000))\n\(outcome.stderr)")
        #expect(outcome.stdout.contains("4 PASS"), "\(outcome.stdout.suffix(2000))")
        // The sampler saw the peers, so the process checks below look at real pids.
        let peers = compat.childrenSeen
        #expect(!peers.isEmpty, "no child of compat was ever seen")
        #expect(
            peers.allSatisfy { $0.commandLine.isEmpty || $0.commandLine.hasPrefix(Built.peerProgram + " --schema-version ") }, "\(peers)")
        let left = compat.leftovers()
        #expect(left.isEmpty, "\(left.joined(separator: "\n"))")
    }

    @Test("a failing run: only the failing cells' folders are left, each with the peers' stderr, and no process")
    func failingRunKeepsOnlyTheFailingCellsFolders() throws {
        // The crashes end their cells: no timeout needs to fire, so none may on a loaded machine.
        let matrix = try misbehavingMatrix(
            reference: [3], testPeers: ["segv", "exit3"], clients: ["v3", "exit3"], gateways: ["v3", "segv"],
            pairSeconds: 300, commandSeconds: 60)
        let reports = matrix.folder + "/reports"
        let compat = try run(matrix, ["--report-dir", reports])
        let outcome = compat.wait(limit: .seconds(120))
        #expect(outcome.status == 1 && !outcome.timedOut, "\(outcome.stdout.suffix(3000))\n\(outcome.stderr)")

        let cells = try resultCells(reports)
        #expect(cells["client=v3/gateway=v3"]?["state"]?.stringValue == "PASS")
        #expect(cells["client=v3/gateway=v3"]?["keptDirectory"]?.isNull == true)
        let failing = ["client=v3/gateway=segv", "client=exit3/gateway=v3", "client=exit3/gateway=segv"]
        var kept: Set<String> = []
        for name in failing {
            let cell = try #require(cells[name], "\(name) missing from results.json")
            #expect(
                cell["state"]?.stringValue == "CRASH", "\(name): \(cell["state"]?.stringValue ?? "-") \(cell["problem"]?.stringValue ?? "")"
            )
            guard let folder = cell["keptDirectory"]?.stringValue else {
                Issue.record("\(name): no keptDirectory")
                continue
            }
            kept.insert(folder)
            let (client, gateway) = (cell["client"]?.stringValue ?? "", cell["gateway"]?.stringValue ?? "")
            #expect(folder == "\(reports)/cells/client=\(client),gateway=\(gateway)", "\(name) kept \(folder)")
            let files = fileNames(in: folder)
            #expect(
                files.isSuperset(of: ["client.stderr", "gateway.stderr", "client.transcript", "gateway.transcript"]),
                "\(name): \(folder) holds \(files.sorted())")
        }
        // Moved into the reports: the temporary folder keeps none.
        #expect(cellFolders(in: compat.temporaryFolder).isEmpty, "folders \(cellFolders(in: compat.temporaryFolder))")
        for peer in ["segv", "exit3"] {
            let pids = notedPids(matrix.folder + "/\(peer).pids")
            #expect(!pids.isEmpty, "\(peer) never started")
        }
        let left = compat.leftovers(kept: kept)
        #expect(left.isEmpty, "\(left.joined(separator: "\n"))")
        // A kept folder is for reading (stderr, transcripts): the dead endpoint of a killed gateway is no evidence.
        let sockets = compat.socketsInKeptFolders(kept)
        #expect(sockets.isEmpty, "ipc socket files of killed gateways are left in the kept folders: \(sockets)")
    }

    @Test(
        "SIGINT / SIGTERM to a running `compat matrix run`: 130 / 143, every peer stopped, finished cells reported, the rest NOT RUN",
        arguments: [SIGINT, SIGTERM])
    func interruptStopsEveryPeerAndReports(signal: Int32) throws {
        // The hang peer keeps its cells running until the signal comes: its timeouts are far
        // beyond the waits below, so a run that ends within them was ended by the signal.
        let matrix = try misbehavingMatrix(
            reference: [3, 5], testPeers: ["hang"], clients: ["v3", "v5"], gateways: ["v3", "v5", "hang"],
            pairSeconds: 1200, commandSeconds: 600)
        let reports = matrix.folder + "/reports"
        let compat = try run(matrix, ["--report-dir", reports])
        // The two workers each end up in a hang cell (v3/hang, then v5/hang after the other
        // cells): wait until both hang peers have started their `sleep`, so what runs is known.
        let hangPids = matrix.folder + "/hang.pids"
        let deadline = ContinuousClock.now + .seconds(120)
        while compat.isRunning && ContinuousClock.now < deadline && notedPids(hangPids).count < 4 { usleep(5_000) }
        #expect(compat.isRunning, "compat ended before the signal")
        let hangProcesses = notedPids(hangPids).compactMap(ProcessIdentity.init(pid:)).filter(\.isAlive)
        #expect(hangProcesses.count == 4, "the two hang peers and their sleeps: \(hangProcesses)")
        compat.send(signal)
        let outcome = compat.wait(limit: .seconds(120))
        #expect(
            !outcome.timedOut && !outcome.killedBySignal && outcome.status == 128 + signal,
            "exit status \(outcome.status)\(outcome.killedBySignal ? " (signal)" : ""), expected \(128 + signal)\n\(outcome.stdout.suffix(2000))\n\(outcome.stderr)"
        )

        // Reports: the four cells without the hang peer finished and passed; the two hanging were not run.
        let cells = try resultCells(reports)
        let states = cells.mapValues { $0["state"]?.stringValue ?? "-" }
        #expect(
            states == [
                "client=v3/gateway=v3": "PASS", "client=v3/gateway=v5": "PASS", "client=v5/gateway=v3": "PASS",
                "client=v5/gateway=v5": "PASS", "client=v3/gateway=hang": "NOT RUN", "client=v5/gateway=hang": "NOT RUN",
            ],
            "\(cells.mapValues { "\($0["state"]?.stringValue ?? "-"): \($0["problem"]?.stringValue ?? "")" })")
        for (name, cell) in cells {
            #expect(cell["keptDirectory"]?.isNull != false, "\(name) kept \(cell["keptDirectory"]?.stringValue ?? "")")
        }
        #expect(outcome.stdout.contains("NOT RUN"), "the grid: \(outcome.stdout.suffix(2000))")

        for process in hangProcesses {
            #expect(!process.isAlive, "the hang peer's \(process) is still alive")
        }
        let left = compat.leftovers()
        #expect(left.isEmpty, "\(left.joined(separator: "\n"))")
    }
}
