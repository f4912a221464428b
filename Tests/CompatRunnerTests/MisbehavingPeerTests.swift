// Misbehaving peers, driven by the runner through matrix.json entries pointing at the small
// test peers of Tests/CompatRunnerTests/Peers: one that dies of SIGSEGV, of SIGABRT, one that
// hangs, exits 0 at once, exits 3, writes a non-JSON line, writes an endless line, floods
// stdout with events — in the gateway role and in the client role. Each cell gets its state and
// problem; the reference cell beside them still passes; and nothing of theirs is left running.
// A peer whose program does not exist is a configuration error (exit 2) before any cell starts.

import BuiltBinaries
import CompatRunner
import Foundation
import MiniJSON
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("misbehaving peers: each cell gets its state, the others are untouched", .serialized)
struct MisbehavingPeerTests {
    /// The test peers that end their cell quickly, and what the runner must say about each:
    /// the state, and words its problem must hold (`ROLE` stands for client or gateway).
    static let expectations: [(peer: String, state: String, problem: [String], termination: String)] = [
        ("segv", "CRASH", ["the ROLE segv died", "signal 11 (SIGSEGV)"], "signal 11 (SIGSEGV)"),
        ("abort", "CRASH", ["the ROLE abort died", "signal 6 (SIGABRT)"], "signal 6 (SIGABRT)"),
        ("hang", "TIMEOUT", ["the ROLE hang stopped answering", "killed with its process group"], "killed after timeout"),
        // The runner's rule: exit 0 before `shutdown` is FAIL (exited early), a non-zero exit or a signal is CRASH.
        ("exits", "FAIL", ["the ROLE exits exited early", "exit 0"], "exit 0"),
        ("exit3", "CRASH", ["the ROLE exit3 died", "exit 3"], "exit 3"),
        ("nonjson", "FAIL", ["ROLE nonjson wrote a line that is not a contract event", "this line is not JSON <nonjson-peer>"],
         "killed by the runner when the cell stopped"),
        ("longline", "FAIL", ["ROLE longline wrote a line of", "without a newline"], "killed by the runner when the cell stopped"),
    ]

    /// The cell of `peer` in `role` beside a v3 partner.
    static func cellName(_ peer: String, role: String, partner: String = "v3") -> String {
        role == "gateway" ? "client=\(partner)/gateway=\(peer)" : "client=\(peer)/gateway=\(partner)"
    }

    func compat(_ matrix: TestMatrix, _ extra: [String] = []) throws -> CompatRun {
        try CompatRun(["matrix", "run", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--jobs", "2",
                       "--report-dir", matrix.folder + "/reports"] + extra, temporaryFolder: matrix.folder + "/tmp")
    }

    /// The reference cell v3/v3 ran every check and passed, as if nothing else happened.
    func expectUntouched(_ cells: [String: JSON], sourceLocation: SourceLocation = #_sourceLocation) {
        let cell = cells["client=v3/gateway=v3"]
        #expect(cell?["state"]?.stringValue == "PASS", "v3/v3: \(cell?["state"]?.stringValue ?? "missing") \(cell?["problem"]?.stringValue ?? "")",
                sourceLocation: sourceLocation)
        let checks = cell?["checks"]?.arrayValue ?? []
        #expect(checks.count > 50, "v3/v3 ran only \(checks.count) checks", sourceLocation: sourceLocation)
        let failed = checks.filter { $0["status"]?.stringValue != "passed" }.compactMap { $0["name"]?.stringValue }
        #expect(failed.isEmpty, "v3/v3: checks not passed: \(failed)", sourceLocation: sourceLocation)
        #expect(cell?["keptDirectory"]?.isNull == true, sourceLocation: sourceLocation)
        for peer in cell?["peers"]?.arrayValue ?? [] {
            #expect(peer["termination"]?.stringValue == "exit 0", "v3/v3: \(peer.serialized)", sourceLocation: sourceLocation)
        }
    }

    @Test("crash, abort, hang, early exit, exit 3, non-JSON, endless line: each cell's state and problem",
          arguments: ["gateway", "client"])
    func misbehavingPeersGetTheirStates(role: String) throws {
        let peers = Self.expectations.map(\.peer)
        let commandSeconds = 1.0
        let matrix = try misbehavingMatrix(reference: [3], testPeers: peers,
                                           clients: role == "client" ? ["v3"] + peers : ["v3"],
                                           gateways: role == "gateway" ? ["v3"] + peers : ["v3"],
                                           pairSeconds: 30, commandSeconds: commandSeconds)
        let run = try compat(matrix)
        let outcome = run.wait(limit: .seconds(120))
        #expect(outcome.status == 1 && !outcome.killedBySignal && !outcome.timedOut,
                "exit \(outcome.status) after \(outcome.seconds) s\n\(outcome.stdout.suffix(3000))\n\(outcome.stderr)")

        let cells = try resultCells(matrix.folder + "/reports")
        #expect(cells.count == 1 + peers.count, "\(cells.keys.sorted())")
        expectUntouched(cells)
        var kept: Set<String> = []
        for expectation in Self.expectations {
            let name = Self.cellName(expectation.peer, role: role)
            guard let cell = cells[name] else {
                Issue.record("\(name) is missing from results.json")
                continue
            }
            let state = cell["state"]?.stringValue ?? "-"
            let problem = cell["problem"]?.stringValue ?? ""
            #expect(state == expectation.state, "\(name): \(state), expected \(expectation.state); problem: \(problem)")
            for words in expectation.problem.map({ $0.replacingOccurrences(of: "ROLE", with: role) }) {
                #expect(problem.contains(words), "\(name): the problem \"\(problem)\" does not say \"\(words)\"")
            }
            // Each peer's end as reported: the misbehaving one's own; the v3 partner let go (it still
            // answers) when the other stopped answering, else killed by the runner.
            let outcomes = cell["peers"]?.arrayValue ?? []
            let own = outcomes.first { $0["role"]?.stringValue == role }
            let partner = outcomes.first { $0["role"]?.stringValue != role }
            #expect(own?["termination"]?.stringValue == expectation.termination,
                    "\(name): the \(role) ended \(own?["termination"]?.stringValue ?? "-"), expected \(expectation.termination)")
            let partnerEnd = expectation.state == "TIMEOUT" ? "exit 0" : "killed by the runner when the cell stopped"
            #expect(partner?["termination"]?.stringValue == partnerEnd,
                    "\(name): the v3 partner ended \(partner?["termination"]?.stringValue ?? "-")")
            if expectation.peer == "hang" {
                // It timed out after about one command's time, far from the pair timeout.
                let seconds = cell["seconds"]?.doubleValue ?? 0
                #expect(seconds >= commandSeconds * 0.9 && seconds < commandSeconds + 5, "\(name) took \(seconds) s")
            } else {
                #expect((cell["seconds"]?.doubleValue ?? 99) < 5, "\(name) took \(cell["seconds"]?.doubleValue ?? 0) s")
            }
            // A failing cell keeps its folder with both stderr files.
            if let folder = cell["keptDirectory"]?.stringValue {
                kept.insert(folder)
                let files = fileNames(in: folder)
                #expect(files.isSuperset(of: ["client.stderr", "gateway.stderr"]), "\(name): \(folder) holds \(files.sorted())")
            } else {
                Issue.record("\(name): no folder kept")
            }
        }

        // Every test peer started (its pids were noted) and none is left, the hang peer's `sleep` included.
        for peer in peers where peer != "exits" {
            #expect(!notedPids(matrix.folder + "/\(peer).pids").isEmpty, "\(peer) never noted its pid")
        }
        let noted = peers.flatMap { notedPids(matrix.folder + "/\($0).pids") }
        #expect(notedPids(matrix.folder + "/hang.pids").count == 2, "the hang peer and its sleep")
        for pid in noted {
            #expect(ProcessIdentity(pid: pid)?.isAlive != true, "a test peer is still alive: pid \(pid) \(processCommandLine(pid))")
        }
        let left = run.leftovers(kept: kept)
        #expect(left.isEmpty, "\(left.joined(separator: "\n"))")
    }

    @Test("a peer flooding stdout with events: FAIL or TIMEOUT within the pair timeout, in bounded memory",
          arguments: ["gateway", "client"])
    func floodingPeerEndsInTimeAndBoundedMemory(role: String) throws {
        let pairSeconds = 4.0
        /// compat's own peak in such a run is some tens of MB; a flood must not take it far beyond.
        let maximumPeakKB = 128 * 1024
        let matrix = try misbehavingMatrix(reference: [3], testPeers: ["flood"],
                                           clients: role == "client" ? ["v3", "flood"] : ["v3"],
                                           gateways: role == "gateway" ? ["v3", "flood"] : ["v3"],
                                           pairSeconds: pairSeconds, commandSeconds: 1)
        let run = try compat(matrix)
        // Both cells at once on two workers: done within the pair timeout, plus room for a slow machine.
        let limit = Duration.seconds(pairSeconds + 8)
        let outcome = run.wait(limit: limit)
        let peak = run.peakKilobytes
        #expect(!outcome.timedOut,
                "compat was still running after \(limit) (pairSeconds \(pairSeconds)): the flood cell never ended; compat's VmHWM reached \(peak / 1024) MB; stopped with SIGINT: exit \(outcome.status)")
        #expect(peak <= maximumPeakKB, "compat's peak memory (VmHWM) was \(peak / 1024) MB, over \(maximumPeakKB / 1024) MB")

        let cells = try resultCells(matrix.folder + "/reports")
        expectUntouched(cells)
        let name = Self.cellName("flood", role: role)
        let cell = try #require(cells[name])
        let state = cell["state"]?.stringValue ?? "-"
        #expect(["FAIL", "TIMEOUT"].contains(state), "\(name): \(state) \(cell["problem"]?.stringValue ?? "")")
        let problem = cell["problem"]?.stringValue ?? ""
        #expect(problem.contains("flood"), "\(name): the problem names no flood: \(problem)")
        let seconds = cell["seconds"]?.doubleValue ?? 0
        #expect(seconds <= pairSeconds + 1, "\(name) took \(seconds) s, over pairSeconds \(pairSeconds)")
        if !outcome.timedOut { #expect(outcome.status == 1, "exit \(outcome.status)\n\(outcome.stderr)") }

        for pid in notedPids(matrix.folder + "/flood.pids") {
            #expect(ProcessIdentity(pid: pid)?.isAlive != true, "the flood peer is still alive: pid \(pid)")
        }
        let kept = Set(cells.values.compactMap { $0["keptDirectory"]?.stringValue })
        let left = run.leftovers(kept: kept)
        #expect(left.isEmpty, "\(left.joined(separator: "\n"))")
    }

    @Test("a peer whose program does not exist: exit 2 naming the peer and the path, and no cell ran",
          arguments: ["absolute", "bare"])
    func missingProgramStopsTheRunBeforeAnyCell(spelling: String) throws {
        let matrix = try TestMatrix(json: .object([:]))
        let program = spelling == "absolute" ? matrix.folder + "/no-such-peer" : "no-such-peer-on-path-\(getpid())"
        let ghost: JSON = .object(["name": "ghost", "version": 3, "argv": .array([.string(program)])])
        let withGhost = try misbehavingMatrix(reference: [3], testPeers: ["segv", "hang"], clients: ["v3"], gateways: ["v3", "segv", "hang", "ghost"],
                                              pairSeconds: 30, commandSeconds: 1, extraPeers: [ghost])
        let run = try compat(withGhost)
        let outcome = run.wait(limit: .seconds(60))
        #expect(outcome.status == 2 && !outcome.killedBySignal, "exit \(outcome.status)\n\(outcome.stdout)\n\(outcome.stderr)")
        #expect(outcome.stderr.contains("peer \"ghost\""), "stderr does not name the peer: \(outcome.stderr)")
        #expect(outcome.stderr.contains("program \(program) does not exist"), "stderr does not name the path \(program): \(outcome.stderr)")
        #expect(outcome.stdout.isEmpty, "\(outcome.stdout)")
        #expect(run.childrenSeen.isEmpty, "compat started \(run.childrenSeen)")
        #expect(!FileManager.default.fileExists(atPath: withGhost.folder + "/segv.pids"), "the segv peer was started")
        #expect(!FileManager.default.fileExists(atPath: withGhost.folder + "/hang.pids"), "the hang peer was started")
        #expect(cellFolders(in: run.temporaryFolder).isEmpty, "a cell folder was made: \(cellFolders(in: run.temporaryFolder))")
        #expect(!FileManager.default.fileExists(atPath: withGhost.folder + "/reports/results.json"), "results.json was written")
        let left = run.leftovers()
        #expect(left.isEmpty, "\(left.joined(separator: "\n"))")
    }
}
