// One defect, one finding: a peer that cuts var-data at 255 bytes fails checks of every message
// with var-data in every cell it is in, and `matrix run` prints that once, bounded, with the
// first differing byte marked; --verbose prints every cell and check in full.

import BuiltBinaries
import Foundation
import Testing

@testable import CompatRunner

@Suite("failures grouped by cause on the terminal, in summary.md and in report.html")
struct FindingGroupTests {
    @Test("the var-data-255 matrix: one finding naming the peer, under 30 lines, the differing byte marked")
    func oneDefectOneFinding() throws {
        let matrix = try TestMatrix(extraArguments: [3: ["--fault", "var-data-255"]], commandSeconds: 2)
        let arguments = ["matrix", "run", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--jobs", "2"]
        let reports = matrix.folder + "/reports"
        let run = try runCompat(arguments + ["--report-dir", reports], environment: ["TMPDIR": matrix.folder])
        #expect(run.status == 1, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        // The grid, the totals, the finding and the kept folders; the report folder's line besides.
        let printed = run.stdout.filter { $0 == "\n" }.count
        #expect(printed < 30, "\(printed) lines:\n\(run.stdout)")
        let findings = lines.filter { $0.hasPrefix("FINDING ") }
        #expect(findings.count == 1, "\(run.stdout)")
        #expect(
            findings.first?.contains(" in 9 cells, frames from v3: the sent <message> differs from its encoding") == true, "\(run.stdout)")
        #expect(lines.contains { $0.hasSuffix("^^ byte 19: the first that differs") }, "\(run.stdout)")
        #expect(lines.contains { $0.hasPrefix("kept: 9 cell folders with the peers' stderr, transcripts and capture, e.g. ") })

        // summary.md and report.html hold the same one finding.
        let summary = try String(contentsOfFile: reports + "/summary.md", encoding: .utf8)
        #expect(summary.components(separatedBy: "#### Finding ").count - 1 == 1, "\(summary)")
        #expect(
            summary.contains("#### Finding 1: \(findings.first?.dropFirst("FINDING 1: ".count).prefix { $0 != ":" } ?? "?")\n"),
            "\(summary)")
        let html = try String(contentsOfFile: reports + "/report.html", encoding: .utf8)
        #expect(html.components(separatedBy: "<li class=\"finding\">").count - 1 == 1)
        #expect(html.contains("<b>Finding 1: \(findings.first?.dropFirst("FINDING 1: ".count).prefix { $0 != ":" } ?? "?")</b>"))

        let verbose = try runCompat(arguments + ["--verbose"], environment: ["TMPDIR": matrix.folder])
        #expect(verbose.status == 1)
        #expect(!verbose.stdout.contains("FINDING "))
        let failedChecks = verbose.stdout.split(separator: "\n").filter { $0.hasPrefix("  FAIL client=") }
        let total = try #require(Int(findings.first?.dropFirst("FINDING 1: ".count).prefix { $0.isNumber } ?? ""))
        #expect(failedChecks.count == total, "every failed check in full: \(failedChecks.count) of \(total)")
    }
}
