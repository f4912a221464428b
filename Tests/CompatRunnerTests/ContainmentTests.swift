// Containment: whatever its peers do, `compat` bounds what it reads from them (its memory
// stays small, the files it keeps are short) and ends every process a cell started.
//
// `compat` runs as a child process (`CompatRun`, in LeftoverTests.swift), over matrix files
// pointing at the small test peers of Tests/CompatRunnerTests/Peers.

import BuiltBinaries
import CompatRunner
import Foundation
import MiniJSON
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `compat matrix run` over `matrix`, two cells at a time, reports in `matrix.folder/reports`.
private func startMatrixRun(_ matrix: TestMatrix) throws -> CompatRun {
    try CompatRun(
        [
            "matrix", "run", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--jobs", "2",
            "--report-dir", matrix.folder + "/reports",
        ], temporaryFolder: matrix.folder + "/tmp")
}

@Suite("containment: what compat reads from its peers is bounded", .serialized)
struct ContainmentTests {
    /// compat's peak resident memory, whatever its peers write.
    static let maximumPeakKB = 200 * 1024

    /// A matrix entry for the test peer `name` that becomes the reference v3 peer after misbehaving.
    static func wrapping(_ name: String, pids: String) -> JSON {
        .object([
            "name": .string(name), "version": 3,
            "argv": .array([.string(TestPeers.script(name)), "--pids", .string(pids), "--peer", .string(Built.peerProgram)]),
        ])
    }

    @Test(
        "2 GB on stdout (events of 4 MiB) and on stderr: compat stays under 200 MB, the cell FAILs naming the peer; 2 GB on stderr alone: PASS"
    )
    func peersWritingGigabytesAreBounded() throws {
        // A folder for the pids of the peer that is not among misbehavingMatrix's own.
        let scratch = try TestMatrix(json: .object([:]))
        let flooder = Self.wrapping("stderrflood", pids: scratch.folder + "/stderrflood.pids")
        let floods = try misbehavingMatrix(
            reference: [3], testPeers: ["hugeevents"], clients: ["v3"], gateways: ["hugeevents", "stderrflood"],
            pairSeconds: 120, commandSeconds: 30, extraPeers: [flooder])
        let run = try startMatrixRun(floods)
        let outcome = run.wait(limit: .seconds(600))
        #expect(
            outcome.status == 1 && !outcome.killedBySignal && !outcome.timedOut,
            "exit \(outcome.status)\n\(outcome.stdout.suffix(3000))\n\(outcome.stderr)")
        let peak = run.peakKilobytes
        #expect(peak > 0 && peak < Self.maximumPeakKB, "compat's peak resident memory was \(peak / 1024) MB")

        let cells = try resultCells(floods.folder + "/reports")
        let huge = try #require(cells["client=v3/gateway=hugeevents"])
        let problem = huge["problem"]?.stringValue ?? ""
        #expect(huge["state"]?.stringValue == "FAIL", "hugeevents: \(huge["state"]?.stringValue ?? "-") \(problem)")
        #expect(
            problem.contains("the gateway hugeevents") && problem.contains("bytes"), "the problem names no peer and no size: \(problem)")
        let noisy = try #require(cells["client=v3/gateway=stderrflood"])
        #expect(
            noisy["state"]?.stringValue == "PASS",
            "stderrflood: \(noisy["state"]?.stringValue ?? "-") \(noisy["problem"]?.stringValue ?? "")")
        #expect(notedPids(scratch.folder + "/stderrflood.pids").count == 1, "the stderr flooder never started")

        // The failing cell's folder: stderr as its head and tail with what was left out, a short transcript.
        let folder = try #require(huge["keptDirectory"]?.stringValue, "no folder kept")
        let stderrSize = fileSize(folder + "/gateway.stderr")
        #expect(stderrSize <= 2 * 64 * 1024 + 200, "gateway.stderr holds \(stderrSize) bytes")
        if stderrSize <= 2 * 64 * 1024 + 200 {
            let stderr = String(decoding: FileManager.default.contents(atPath: folder + "/gateway.stderr") ?? Data(), as: UTF8.self)
            let saysWhatWasLeftOut = stderr.contains("bytes left out")
            #expect(
                stderr.hasPrefix("stderr flood line\n") && saysWhatWasLeftOut, "gateway.stderr: \(stderr.prefix(100))…\(stderr.suffix(300))"
            )
        }
        let transcriptSize = fileSize(folder + "/gateway.transcript")
        #expect(transcriptSize > 0 && transcriptSize <= 64 << 20, "gateway.transcript holds \(transcriptSize) bytes")
        let firstLine = fileHead(folder + "/gateway.transcript", bytes: 100).split(separator: "\n").first.map(String.init)
        #expect(firstLine == #"> {"id":1,"cmd":"hello"}"#, "the transcript begins \(firstLine ?? "-")")

        let left = run.leftovers(kept: [folder])
        #expect(left.isEmpty, "\(left.joined(separator: "\n"))")
    }
}

/// The size of a file in bytes, 0 when it is missing.
func fileSize(_ path: String) -> Int {
    var info = stat()
    return stat(path, &info) == 0 ? Int(info.st_size) : 0
}

/// The first bytes of a file as text ("" when it is missing).
func fileHead(_ path: String, bytes: Int) -> String {
    guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
    defer { try? handle.close() }
    return String(decoding: (try? handle.read(upToCount: bytes)) ?? Data(), as: UTF8.self)
}

@Suite("containment: every process a run started ends with it, whatever the signal", .serialized)
struct ProcessContainmentTests {
    @Test("grandchildren that leave their peer's process group with setsid: gone after the run, and the cell passes")
    func setsidGrandchildrenEndWithTheRun() throws {
        let escapes = try EscapesMatrix(clients: ["v3"], gateways: ["escapes"])
        let matrix = escapes.matrix
        let run = try startMatrixRun(matrix)
        let outcome = run.wait(limit: .seconds(120))
        #expect(outcome.status == 0 && !outcome.killedBySignal, "exit \(outcome.status)\n\(outcome.stdout.suffix(3000))\n\(outcome.stderr)")
        expectEscapesGone(escapes)
        let left = run.leftovers()
        #expect(left.isEmpty, "\(left.joined(separator: "\n"))")
    }

    @Test(
        "a fleet: setsid grandchildren of a client gone after the run; a failing fleet keeps each peer's stderr and transcript, by role and label, and its capture, and nothing else"
    )
    func fleetLeavesOnlyItsFailingFolder() throws {
        // exit3 answers the fleet's first command (connect) as a hello and exits: its check fails, the fleet goes on.
        let escapes = try EscapesMatrix(testPeers: ["exit3"], clients: ["v3", "escapes", "exit3"], gateways: ["v3"])
        let matrix = escapes.matrix
        let run = try CompatRun(
            [
                "fleet", "v3", "--clients", "v3,escapes,exit3", "--matrix", matrix.path, "--fixtures", Built.fixtures,
                "--report-dir", matrix.folder + "/reports",
            ], temporaryFolder: matrix.folder + "/tmp")
        let outcome = run.wait(limit: .seconds(120))
        #expect(outcome.status == 1 && !outcome.killedBySignal, "exit \(outcome.status)\n\(outcome.stdout.suffix(3000))\n\(outcome.stderr)")
        expectEscapesGone(escapes)

        let fleet = try #require(resultCells(matrix.folder + "/reports")["fleet=v3"])
        #expect(
            fleet["state"]?.stringValue == "FAIL", "fleet=v3: \(fleet["state"]?.stringValue ?? "-") \(fleet["problem"]?.stringValue ?? "")")
        let folder = try #require(fleet["keptDirectory"]?.stringValue, "no folder kept")
        let peers = ["gateway-v3", "client-v3#1", "client-escapes#1", "client-exit3#1"]
        let expectedFiles: Set<String> = Set(peers.flatMap { [$0 + ".stderr", $0 + ".transcript"] }).union(["capture.pcapng"])
        #expect(
            fileNames(in: folder) == expectedFiles,
            "\(folder) holds \(fileNames(in: folder).sorted())")
        let firstLine = fileHead(folder + "/gateway-v3.transcript", bytes: 100).split(separator: "\n").first.map(String.init)
        #expect(firstLine?.hasPrefix(#"> {"id":1,"#) == true, "the gateway's transcript begins \(firstLine ?? "-")")
        let left = run.leftovers(kept: [folder])
        #expect(left.isEmpty, "\(left.joined(separator: "\n"))")
    }

    /// A matrix of the reference v3, `testPeers` and the escapes peer, which notes its pids in
    /// `pids`: a folder of their own (misbehavingMatrix makes its folder after the entries), kept while this lives.
    struct EscapesMatrix {
        let matrix: TestMatrix
        private let scratch: TestMatrix
        var pids: String { scratch.folder + "/escapes.pids" }

        init(testPeers: [String] = [], clients: [String], gateways: [String]) throws {
            scratch = try TestMatrix(json: .object([:]))
            matrix = try misbehavingMatrix(
                reference: [3], testPeers: testPeers, clients: clients, gateways: gateways,
                pairSeconds: 60, commandSeconds: 30,
                extraPeers: [ContainmentTests.wrapping("escapes", pids: scratch.folder + "/escapes.pids")])
        }
    }

    /// The escapes peer and its two setsid grandchildren were started, and none is alive now.
    func expectEscapesGone(_ escapes: EscapesMatrix, sourceLocation: SourceLocation = #_sourceLocation) {
        let noted = notedPids(escapes.pids)
        #expect(noted.count == 3, "the peer and its two setsid grandchildren: \(noted)", sourceLocation: sourceLocation)
        let alive = noted.compactMap(ProcessIdentity.init(pid:)).filter(\.isAlive)
        #expect(alive.isEmpty, "still alive after the run: \(alive)", sourceLocation: sourceLocation)
    }

    /// When a signal is sent to a running `compat matrix run`.
    enum Moment: String, CaseIterable, CustomTestStringConvertible {
        /// As soon as compat has started its first peer.
        case firstPeerStarted = "as its first peer starts"
        /// While a cell hangs on a peer that ignores the end of its input.
        case cellHangs = "while a cell hangs"
        /// After every cell, while compat writes the grid and the failures (more than its stdout pipe holds).
        case gridWritten = "while the grid is written"

        var testDescription: String { rawValue }
    }

    @Test(
        "SIGINT at any moment exits 130, SIGHUP 129: reports written, no peer and no folder left",
        arguments: Moment.allCases.map { ($0, SIGINT) } + [(Moment.cellHangs, SIGHUP)])
    func signalEndsTheRunCleanly(moment: Moment, signal: Int32) throws {
        let matrix =
            try moment == .gridWritten
            ? misbehavingMatrix(
                reference: [3], testPeers: ["hugeevents"], clients: ["v3"], gateways: ["v3", "hugeevents"],
                pairSeconds: 60, commandSeconds: 30)
            : misbehavingMatrix(
                reference: [3, 5], testPeers: ["hang"], clients: ["v3", "v5"], gateways: ["v3", "v5", "hang"],
                pairSeconds: 120, commandSeconds: 60)
        let run = try startMatrixRun(matrix)
        if moment == .gridWritten { _ = fcntl(run.process.stdoutFD, setPipeSizeCommand, 4096) }
        let reached = awaitMoment(moment, of: run, matrix: matrix)
        #expect(reached, "compat never got \(moment.rawValue)")
        run.send(signal)
        let outcome = run.wait(limit: .seconds(60))
        #expect(
            outcome.status == 128 + signal && !outcome.killedBySignal && !outcome.timedOut,
            "exit \(outcome.status)\(outcome.killedBySignal ? " (killed by that signal)" : ""), expected \(128 + signal)\n\(outcome.stdout.suffix(2000))\n\(outcome.stderr)"
        )
        let cells = try resultCells(matrix.folder + "/reports")
        #expect(cells.count == (moment == .gridWritten ? 2 : 6), "results.json: \(cells.keys.sorted())")
        if moment == .gridWritten {
            #expect(cells.values.allSatisfy { $0["state"]?.stringValue != "NOT RUN" }, "every cell had finished")
        } else {
            #expect(cells["client=v5/gateway=hang"]?["state"]?.stringValue == "NOT RUN")
        }
        let kept = Set(cells.values.compactMap { $0["keptDirectory"]?.stringValue })
        let left = run.leftovers(kept: kept)
        #expect(left.isEmpty, "\(left.joined(separator: "\n"))")
    }

    /// Waits for `moment` of `run`, by what it shows from outside: its children, the hang peer's
    /// pids (it notes its `sleep` once it hangs), the first bytes in its stdout pipe (the grid and
    /// the failures are more than the pipe holds, so it cannot finish them until the test reads).
    /// False if it ended first.
    func awaitMoment(_ moment: Moment, of run: CompatRun, matrix: TestMatrix) -> Bool {
        let deadline = ContinuousClock.now + .seconds(60)
        func reached() -> Bool {
            switch moment {
            // A peer (started with --role), not the git that asks for the run's commit.
            case .firstPeerStarted: childPids(of: run.pid).contains { processCommandLine($0).contains(" --role ") }
            case .cellHangs: notedPids(matrix.folder + "/hang.pids").count >= 2
            case .gridWritten: bytesWaiting(in: run.process.stdoutFD) > 0
            }
        }
        while !reached() {
            guard run.isRunning, ContinuousClock.now < deadline else { return false }
            usleep(2_000)
        }
        return true
    }
}

/// Linux's fcntl command to resize a pipe, F_SETPIPE_SZ (<fcntl.h> defines it only with _GNU_SOURCE).
private let setPipeSizeCommand: Int32 = 1031

/// How many bytes wait to be read in the pipe `fd`.
private func bytesWaiting(in fd: Int32) -> Int {
    var count: Int32 = 0
    return ioctl(fd, UInt(FIONREAD), &count) == 0 ? Int(count) : 0
}
