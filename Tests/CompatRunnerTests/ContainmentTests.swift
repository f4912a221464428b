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

@Suite("containment: what compat reads from its peers is bounded", .serialized)
struct ContainmentTests {
    /// compat's peak resident memory, whatever its peers write.
    static let maximumPeakKB = 200 * 1024

    /// `compat matrix run` over `matrix`, two cells at a time, reports in `matrix.folder/reports`.
    func compat(_ matrix: TestMatrix, _ extra: [String] = []) throws -> CompatRun {
        try CompatRun(["matrix", "run", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--jobs", "2",
                       "--report-dir", matrix.folder + "/reports"] + extra, temporaryFolder: matrix.folder + "/tmp")
    }

    /// A matrix entry for the test peer `name` that becomes the reference v3 peer after misbehaving.
    static func wrapping(_ name: String, pids: String) -> JSON {
        .object(["name": .string(name), "version": 3,
                 "argv": .array([.string(TestPeers.script(name)), "--pids", .string(pids), "--peer", .string(Built.peer(3))])])
    }

    @Test("2 GB on stdout (events of 4 MiB) and on stderr: compat stays under 200 MB, the cell FAILs naming the peer; 2 GB on stderr alone: PASS")
    func peersWritingGigabytesAreBounded() throws {
        // A folder for the pids of the peer that is not among misbehavingMatrix's own.
        let scratch = try TestMatrix(json: .object([:]))
        let flooder = Self.wrapping("stderrflood", pids: scratch.folder + "/stderrflood.pids")
        let floods = try misbehavingMatrix(reference: [3], testPeers: ["hugeevents"], clients: ["v3"], gateways: ["hugeevents", "stderrflood"],
                                           pairSeconds: 120, commandSeconds: 30, extraPeers: [flooder])
        let run = try compat(floods)
        let outcome = run.wait(limit: .seconds(600))
        #expect(outcome.status == 1 && !outcome.killedBySignal && !outcome.timedOut,
                "exit \(outcome.status)\n\(outcome.stdout.suffix(3000))\n\(outcome.stderr)")
        let peak = run.peakKilobytes
        #expect(peak > 0 && peak < Self.maximumPeakKB, "compat's peak resident memory was \(peak / 1024) MB")

        let cells = try resultCells(floods.folder + "/reports")
        let huge = try #require(cells["client=v3/gateway=hugeevents"])
        let problem = huge["problem"]?.stringValue ?? ""
        #expect(huge["state"]?.stringValue == "FAIL", "hugeevents: \(huge["state"]?.stringValue ?? "-") \(problem)")
        #expect(problem.contains("the gateway hugeevents") && problem.contains("bytes"), "the problem names no peer and no size: \(problem)")
        let noisy = try #require(cells["client=v3/gateway=stderrflood"])
        #expect(noisy["state"]?.stringValue == "PASS", "stderrflood: \(noisy["state"]?.stringValue ?? "-") \(noisy["problem"]?.stringValue ?? "")")
        #expect(notedPids(scratch.folder + "/stderrflood.pids").count == 1, "the stderr flooder never started")

        // The failing cell's folder: stderr as its head and tail with what was left out, a short transcript.
        let folder = try #require(huge["keptDirectory"]?.stringValue, "no folder kept")
        let stderrSize = fileSize(folder + "/gateway.stderr")
        #expect(stderrSize <= 2 * 64 * 1024 + 200, "gateway.stderr holds \(stderrSize) bytes")
        if stderrSize <= 2 * 64 * 1024 + 200 {
            let stderr = String(decoding: FileManager.default.contents(atPath: folder + "/gateway.stderr") ?? Data(), as: UTF8.self)
            let saysWhatWasLeftOut = stderr.contains("bytes left out")
            #expect(stderr.hasPrefix("stderr flood line\n") && saysWhatWasLeftOut, "gateway.stderr: \(stderr.prefix(100))…\(stderr.suffix(300))")
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
