// Misbehaving peers, driven by the runner through matrix.json entries pointing at the small
// test peers of Tests/CompatRunnerTests/Peers: one that dies of SIGSEGV, of SIGABRT, one that
// hangs, exits 0 at once, exits 3, writes a non-JSON line, writes an endless line, floods
// stdout with events — in the gateway role and in the client role. Each cell gets its state and
// problem; the reference cell beside them still passes; and nothing of theirs is left running.
// A peer whose program does not exist is a configuration error (exit 2) before any cell starts.
//
// Only the hang peer needs a timeout to end its cell; every other cell ends on an event (a death,
// an exit, a bad line, a flood), so their command timeout is generous: a loaded machine must
// not turn their state into TIMEOUT.

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
    /// A command timeout no answer of an honest peer comes near, however loaded the machine.
    static let generousCommandSeconds = 60.0

    /// The test peers that end their cell by an event of their own, and what the runner must say
    /// about each: the state, and words its problem must hold (`ROLE` stands for client or gateway).
    static let expectations: [(peer: String, state: String, problem: [String], termination: String)] = [
        ("segv", "CRASH", ["the ROLE segv died", "signal 11 (SIGSEGV)"], "signal 11 (SIGSEGV)"),
        ("abort", "CRASH", ["the ROLE abort died", "signal 6 (SIGABRT)"], "signal 6 (SIGABRT)"),
        // The runner's rule: exit 0 before `shutdown` is FAIL (exited early), a non-zero exit or a signal is CRASH.
        ("exits", "FAIL", ["the ROLE exits exited early", "exit 0"], "exit 0"),
        ("exit3", "CRASH", ["the ROLE exit3 died", "exit 3"], "exit 3"),
        (
            "nonjson", "FAIL", ["ROLE nonjson wrote a line that is not a contract event", "this line is not JSON <nonjson-peer>"],
            "killed by the runner when the cell stopped"
        ),
        ("longline", "FAIL", ["ROLE longline wrote a line of", "without a newline"], "killed by the runner when the cell stopped"),
    ]

    /// The cell of `peer` in `role` beside a v3 partner.
    static func cellName(_ peer: String, role: String, partner: String = "v3") -> String {
        role == "gateway" ? "client=\(partner)/gateway=\(peer)" : "client=\(peer)/gateway=\(partner)"
    }

    func compat(_ matrix: TestMatrix, _ extra: [String] = []) throws -> CompatRun {
        try CompatRun(
            [
                "matrix", "run", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--jobs", "2",
                "--report-dir", matrix.folder + "/reports",
            ] + extra, temporaryFolder: matrix.folder + "/tmp")
    }

    /// The reference cell v3/v3 ran every check and passed, as if nothing else happened.
    func expectUntouched(_ cells: [String: JSON], sourceLocation: SourceLocation = #_sourceLocation) {
        let cell = cells["client=v3/gateway=v3"]
        #expect(
            cell?["state"]?.stringValue == "PASS",
            "v3/v3: \(cell?["state"]?.stringValue ?? "missing") \(cell?["problem"]?.stringValue ?? "")",
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

    /// How each peer of a cell ended, as results.json reports it: the peer in `role`, and its partner.
    func expectEnds(
        _ cell: JSON, name: String, role: String, own: String, partner: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let outcomes = cell["peers"]?.arrayValue ?? []
        let ownEnd = outcomes.first { $0["role"]?.stringValue == role }?["termination"]?.stringValue
        let partnerEnd = outcomes.first { $0["role"]?.stringValue != role }?["termination"]?.stringValue
        #expect(ownEnd == own, "\(name): the \(role) ended \(ownEnd ?? "-"), expected \(own)", sourceLocation: sourceLocation)
        #expect(
            partnerEnd == partner, "\(name): the v3 partner ended \(partnerEnd ?? "-"), expected \(partner)", sourceLocation: sourceLocation
        )
    }

    /// The folder a failing cell kept, holding both peers' stderr.
    func expectKeptFolder(_ cell: JSON, name: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        guard let folder = cell["keptDirectory"]?.stringValue else {
            Issue.record("\(name): no folder kept", sourceLocation: sourceLocation)
            return nil
        }
        let files = fileNames(in: folder)
        #expect(
            files.isSuperset(of: ["client.stderr", "gateway.stderr"]), "\(name): \(folder) holds \(files.sorted())",
            sourceLocation: sourceLocation)
        return folder
    }

    /// None of the test peers' processes is alive, and the run left nothing but the `kept` folders.
    func expectNothingLeft(_ run: CompatRun, testPeerPids: [Int32], kept: Set<String>, sourceLocation: SourceLocation = #_sourceLocation) {
        for pid in testPeerPids {
            #expect(
                ProcessIdentity(pid: pid)?.isAlive != true, "a test peer is still alive: pid \(pid) \(processCommandLine(pid))",
                sourceLocation: sourceLocation)
        }
        let left = run.leftovers(kept: kept)
        #expect(left.isEmpty, "\(left.joined(separator: "\n"))", sourceLocation: sourceLocation)
    }

    @Test(
        "crash, abort, early exit, exit 3, non-JSON, endless line: each cell's state and problem",
        arguments: ["gateway", "client"])
    func misbehavingPeersGetTheirStates(role: String) throws {
        let peers = Self.expectations.map(\.peer)
        let matrix = try misbehavingMatrix(
            reference: [3], testPeers: peers,
            clients: role == "client" ? ["v3"] + peers : ["v3"],
            gateways: role == "gateway" ? ["v3"] + peers : ["v3"],
            pairSeconds: 300, commandSeconds: Self.generousCommandSeconds)
        let run = try compat(matrix)
        let outcome = run.wait(limit: .seconds(240))
        #expect(
            outcome.status == 1 && !outcome.killedBySignal && !outcome.timedOut,
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
            // Each peer's end as reported: the misbehaving one's own; the v3 partner killed by the runner.
            expectEnds(cell, name: name, role: role, own: expectation.termination, partner: "killed by the runner when the cell stopped")
            if let folder = expectKeptFolder(cell, name: name) { kept.insert(folder) }
        }

        // Every test peer started (its pids were noted) and none is left.
        for peer in peers where peer != "exits" {
            #expect(!notedPids(matrix.folder + "/\(peer).pids").isEmpty, "\(peer) never noted its pid")
        }
        expectNothingLeft(run, testPeerPids: peers.flatMap { notedPids(matrix.folder + "/\($0).pids") }, kept: kept)
    }

    @Test(
        "a peer that stops answering: TIMEOUT after one command timeout, killed with its child; the partner let go",
        arguments: ["gateway", "client"])
    func hangingPeerTimesOut(role: String) throws {
        // Short, as the cell waits it out; the v3 partner answers only hello and listen within it.
        let commandSeconds = 3.0
        // Far beyond the wait below: a run that ends within that wait ended on the command timeout.
        let pairSeconds = 600.0
        let matrix = try misbehavingMatrix(
            reference: [3], testPeers: ["hang"],
            clients: role == "client" ? ["hang"] : ["v3"], gateways: role == "gateway" ? ["hang"] : ["v3"],
            pairSeconds: pairSeconds, commandSeconds: commandSeconds)
        let run = try compat(matrix)
        let outcome = run.wait(limit: .seconds(240))
        #expect(
            outcome.status == 1 && !outcome.killedBySignal && !outcome.timedOut,
            "exit \(outcome.status) after \(outcome.seconds) s\n\(outcome.stdout.suffix(3000))\n\(outcome.stderr)")

        let name = Self.cellName("hang", role: role)
        let cells = try resultCells(matrix.folder + "/reports")
        #expect(Array(cells.keys) == [name])
        let cell = try #require(cells[name])
        #expect(cell["state"]?.stringValue == "TIMEOUT", "\(name): \(cell["state"]?.stringValue ?? "-")")
        let problem = cell["problem"]?.stringValue ?? ""
        for words in ["the \(role) hang stopped answering", "killed with its process group"] {
            #expect(problem.contains(words), "\(name): the problem \"\(problem)\" does not say \"\(words)\"")
        }
        // It waited out a whole command timeout before giving up.
        let seconds = cell["seconds"]?.doubleValue ?? 0
        #expect(seconds >= commandSeconds * 0.9, "\(name) gave up after \(seconds) s, before the command timeout of \(commandSeconds) s")
        // The v3 partner still answers: it is let go by closing its stdin, and exits 0.
        expectEnds(cell, name: name, role: role, own: "killed after timeout", partner: "exit 0")
        let kept = expectKeptFolder(cell, name: name).map { Set([$0]) } ?? []

        // The hang peer and its `sleep`: both started, neither left.
        let noted = notedPids(matrix.folder + "/hang.pids")
        #expect(noted.count == 2, "the hang peer and its sleep: \(noted)")
        expectNothingLeft(run, testPeerPids: noted, kept: kept)
    }

    @Test(
        "a peer that never answers hello: TIMEOUT with the P1 hint and what it wrote of a line, escaped",
        arguments: [
            ([], "and it wrote nothing on stdout"),
            // The tab stays, the escape is shown as one.
            (["--partial"], "and all it wrote on stdout is a line it did not end: \"{\"id\":1,\"event\":\"hel\t\\x1B[31m\""),
        ])
    func silentHello(extra: [String], said: String) throws {
        let matrix = try misbehavingMatrix(
            reference: [3], testPeers: [], clients: ["silent"], gateways: ["v3"], pairSeconds: 600, commandSeconds: 1,
            extraPeers: [
                .object([
                    "name": "silent", "version": 3,
                    "argv": .array(([TestPeers.script("silent")] + extra).map(JSON.string)),
                ])
            ])
        let run = try runCompat(
            ["pair", "silent", "v3", "--json", "--matrix", matrix.path, "--fixtures", Built.fixtures],
            environment: ["TMPDIR": matrix.folder, "GITHUB_ACTIONS": nil])
        #expect(run.status == 1, "\(run.stdout.suffix(2000))\(run.stderr)")
        let cell = try #require(try JSON.parse(run.stdout)["cells"]?[0])
        #expect(cell["state"]?.stringValue == "TIMEOUT")
        #expect(
            cell["problem"]?.stringValue
                == "the client silent stopped answering (the answer to hello; P1: a peer flushes stdout after each line it writes, \(said)); killed with its process group"
        )
    }

    @Test(
        "a peer flooding stdout with events: FAIL naming the flood, in bounded memory",
        arguments: ["gateway", "client"])
    func floodingPeerEndsInBoundedMemory(role: String) throws {
        /// compat's own peak in such a run is some tens of MB; a flood must not take it far beyond.
        let maximumPeakKB = 128 * 1024
        let matrix = try misbehavingMatrix(
            reference: [3], testPeers: ["flood"],
            clients: role == "client" ? ["v3", "flood"] : ["v3"],
            gateways: role == "gateway" ? ["v3", "flood"] : ["v3"],
            pairSeconds: 300, commandSeconds: Self.generousCommandSeconds)
        let run = try compat(matrix)
        // The flood is caught by its count of unsolicited events, long before any timeout.
        let outcome = run.wait(limit: .seconds(240))
        let peak = run.peakKilobytes
        #expect(
            !outcome.timedOut,
            "compat was still running after \(outcome.seconds) s: the flood cell never ended; compat's VmHWM reached \(peak / 1024) MB; stopped with SIGINT: exit \(outcome.status)"
        )
        #expect(peak <= maximumPeakKB, "compat's peak memory (VmHWM) was \(peak / 1024) MB, over \(maximumPeakKB / 1024) MB")

        let cells = try resultCells(matrix.folder + "/reports")
        expectUntouched(cells)
        let name = Self.cellName("flood", role: role)
        let cell = try #require(cells[name])
        let problem = cell["problem"]?.stringValue ?? ""
        #expect(cell["state"]?.stringValue == "FAIL", "\(name): \(cell["state"]?.stringValue ?? "-") \(problem)")
        #expect(problem.contains("flood floods its stdout"), "\(name): the problem names no flood: \(problem)")
        if !outcome.timedOut { #expect(outcome.status == 1, "exit \(outcome.status)\n\(outcome.stderr)") }

        let kept = Set(cells.values.compactMap { $0["keptDirectory"]?.stringValue })
        expectNothingLeft(run, testPeerPids: notedPids(matrix.folder + "/flood.pids"), kept: kept)
    }

    @Test("16 cells flooding stdout at once at --jobs 16: each peer's share of 64 MiB, compat under 200 MB (P1)")
    func manyFloodingCellsShareOneBudget() throws {
        let maximumPeakKB = 200 * 1024
        let cells = 16
        let scratch = try TestMatrix(json: .object([:]))
        let floods: [JSON] = (1...cells).map { index in
            .object([
                "name": .string("wide\(index)"), "version": 3,
                "argv": .array([.string(TestPeers.script("wideflood")), "--pids", .string(scratch.folder + "/wideflood.pids")]),
            ])
        }
        let matrix = try misbehavingMatrix(
            reference: [3], testPeers: [], clients: ["v3"], gateways: (1...cells).map { "wide\($0)" },
            pairSeconds: 300, commandSeconds: Self.generousCommandSeconds, extraPeers: floods)
        let run = try compat(matrix, ["--jobs", "\(cells)"])
        let outcome = run.wait(limit: .seconds(240))
        let peak = run.peakKilobytes
        #expect(!outcome.timedOut, "compat was still running after \(outcome.seconds) s; its VmHWM reached \(peak / 1024) MB")
        #expect(peak <= maximumPeakKB, "compat's peak memory (VmHWM) was \(peak / 1024) MB, over \(maximumPeakKB / 1024) MB")

        let results = try resultCells(matrix.folder + "/reports")
        // 64 MiB shared by the 32 peers running at once: 2 MiB each.
        let share = 2 << 20
        for index in 1...cells {
            let name = "client=v3/gateway=wide\(index)"
            let problem = results[name]?["problem"]?.stringValue ?? ""
            #expect(results[name]?["state"]?.stringValue == "FAIL", "\(name): \(results[name]?["state"]?.stringValue ?? "-") \(problem)")
            #expect(problem.contains("over the \(share) bytes a peer may have waiting"), "\(name): \(problem)")
        }
        if !outcome.timedOut { #expect(outcome.status == 1, "exit \(outcome.status)\n\(outcome.stderr)") }
        let kept = Set(results.values.compactMap { $0["keptDirectory"]?.stringValue })
        expectNothingLeft(run, testPeerPids: notedPids(scratch.folder + "/wideflood.pids"), kept: kept)
    }

    @Test(
        "a peer whose program does not exist: exit 2 naming the peer and the path, and no cell ran",
        arguments: ["absolute", "bare"])
    func missingProgramStopsTheRunBeforeAnyCell(spelling: String) throws {
        let matrix = try TestMatrix(json: .object([:]))
        let program = spelling == "absolute" ? matrix.folder + "/no-such-peer" : "no-such-peer-on-path-\(getpid())"
        let ghost: JSON = .object(["name": "ghost", "version": 3, "argv": .array([.string(program)])])
        let withGhost = try misbehavingMatrix(
            reference: [3], testPeers: ["segv", "hang"], clients: ["v3"], gateways: ["v3", "segv", "hang", "ghost"],
            pairSeconds: 300, commandSeconds: Self.generousCommandSeconds, extraPeers: [ghost])
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
