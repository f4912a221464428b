// Kept cell folders inside --report-dir: copied bounded (cells, files, bytes), never through a
// symlink, named safely whatever a peer calls itself; a merge reads only what compat wrote in a
// shard's folder.

import Foundation
import Testing

@testable import CompatRunner

private func temporaryFolder() throws -> String {
    var template = Array("/tmp/compat-kept-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
    return String(cString: made)
}

private func cell(_ client: String, _ gateway: String, kept: String?) -> CellResult {
    CellResult(
        client: client, gateway: gateway, clientVersion: 3, gatewayVersion: 3, expectedVersion: 3, state: kept == nil ? .pass : .crash,
        checks: [], problem: nil, peers: [], keptDirectory: kept, seconds: 1, reproduce: "compat pair \(client) \(gateway)")
}

private func results(_ cells: [CellResult]) -> RunResults {
    RunResults(
        run: RunInfo(command: "matrix run", arguments: []),
        findings: .matrix(MatrixResult(clients: cells.map(\.client), gateways: ["g"], cells: cells, wallSeconds: 1, jobs: 1)))
}

@Suite struct KeptCellsTests {
    @Test("a folder's name keeps letters, digits and .=@+,- of the cell's name, '/' as ',', the rest '_', never a leading dot")
    func folderNames() {
        #expect(KeptCells.folderName(for: "client=v3/gateway=v5@r1") == "client=v3,gateway=v5@r1")
        #expect(KeptCells.folderName(for: "client=../../x/gateway=$(rm)") == "client=..,..,x,gateway=__rm_")
        #expect(KeptCells.folderName(for: "..") == "_.")
        #expect(KeptCells.folderName(for: "") == "_")
        #expect(KeptCells.folderName(for: String(repeating: "a", count: 300)).count == 100)
    }

    @Test("the first 50 kept cells in report order are copied and point at cells/NAME; the rest are named as not kept")
    func planBoundsCells() {
        let cells = (1...53).map { cell("c\($0)", "g", kept: "/tmp/c\($0)") } + [cell("p", "g", kept: nil)]
        let sources = Dictionary(uniqueKeysWithValues: (1...53).map { ("client=c\($0)/gateway=g", "/tmp/c\($0)") })
        #expect(KeptCells.ownFolders(results(cells)).isEmpty, "a run's folder that is gone is not kept")
        let plan = KeptCells.plan(results(cells), sources: sources)
        #expect(plan.copies.count == KeptCells.maximumCells)
        #expect(plan.copies.first?.source == "/tmp/c1" && plan.copies.first?.name == "client=c1,gateway=g")
        #expect(plan.notKept == ["client=c51/gateway=g", "client=c52/gateway=g", "client=c53/gateway=g"])
        let written = plan.results.matrix.cells
        #expect(written[0].keptDirectory == "cells/client=c1,gateway=g")
        #expect(written[50].keptDirectory == "/tmp/c51", "a cell not kept here keeps where it was")
        #expect(written[53].keptDirectory == nil)
        let lines = KeptCells.summaryLines(plan)
        #expect(lines.count == 2 && lines[1].contains("`client=c51/gateway=g`, `client=c52/gateway=g`, `client=c53/gateway=g`"))
    }

    @Test("two cells whose names sanitise alike get two folders")
    func clashingNames() {
        let cells = [cell("a$", "g", kept: "/tmp/1"), cell("a%", "g", kept: "/tmp/2")]
        let plan = KeptCells.plan(results(cells), sources: ["client=a$/gateway=g": "/tmp/1", "client=a%/gateway=g": "/tmp/2"])
        #expect(plan.copies.map(\.name) == ["client=a_,gateway=g", "client=a_,gateway=g-2"])
    }

    @Test(
        "regular files only, never through a symlink; a big file cut with a marker; past the cell's bytes, left out; all said in KEPT.txt")
    func copyIsBounded() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let source = root + "/source"
        try FileManager.default.createDirectory(atPath: source + "/sub", withIntermediateDirectories: true)
        try "secret\n".write(toFile: root + "/outside.txt", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: source + "/link.stderr", withDestinationPath: root + "/outside.txt")
        try "small\n".write(toFile: source + "/a.stderr", atomically: true, encoding: .utf8)
        let big = KeptCells.maximumFileBytes + 10
        for name in ["b.transcript", "c.transcript", "d.transcript", "e.transcript"] {
            try Data(repeating: UInt8(ascii: "x"), count: big).write(to: URL(fileURLWithPath: source + "/" + name))
        }
        try Data(repeating: 0, count: big).write(to: URL(fileURLWithPath: source + "/capture.pcapng"))
        try "mine\n".write(toFile: source + "/KEPT.txt", atomically: true, encoding: .utf8)
        try KeptCells.copy(KeptCells.Copy(source: source, name: "copy", moves: true), to: root + "/copy")

        let copied = try FileManager.default.contentsOfDirectory(atPath: root + "/copy").sorted()
        #expect(copied == ["KEPT.txt", "a.stderr", "b.transcript", "c.transcript", "capture.pcapng", "d.transcript"])
        let limit = KeptCells.maximumFileBytes
        let marker = "\n[compat: cut here; the first \(limit) of \(big) bytes are kept]\n"
        let b = try String(contentsOfFile: root + "/copy/b.transcript", encoding: .utf8)
        #expect(b.utf8.count == limit + marker.utf8.count && b.hasSuffix(marker))
        let capture = try Data(contentsOf: URL(fileURLWithPath: root + "/copy/capture.pcapng"))
        #expect(capture.count == limit, "a capture is cut without text in it")
        // a.stderr (6 bytes), then b, c and the capture take 3 MiB: 1 MiB - 6 bytes is left for d, cut there; e is left out.
        let notes = try String(contentsOfFile: root + "/copy/KEPT.txt", encoding: .utf8)
        #expect(
            notes == """
                KEPT.txt: left out (not a regular file, or named KEPT.txt)
                b.transcript: cut to its first \(limit) of \(big) bytes
                c.transcript: cut to its first \(limit) of \(big) bytes
                capture.pcapng: cut to its first \(limit) of \(big) bytes
                d.transcript: cut to its first \(limit - 6) of \(big) bytes
                e.transcript: left out (\(big) bytes; a cell keeps \(KeptCells.maximumFiles) files, \(KeptCells.maximumCellBytes) bytes)
                link.stderr: left out (not a regular file, or named KEPT.txt)
                sub: left out (not a regular file, or named KEPT.txt)
                the whole folder stays at \(source)

                """)
    }

    @Test("a merge copies a shard's cells/NAME folders only: not an absolute path, not '..', not a symlink")
    func shardFoldersAreOnlyCompats() throws {
        let shard = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: shard) }
        try FileManager.default.createDirectory(atPath: shard + "/cells/client=a,gateway=g", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: shard + "/cells/client=b,gateway=g", withDestinationPath: "/etc")
        let cells = [
            cell("a", "g", kept: "cells/client=a,gateway=g"), cell("b", "g", kept: "cells/client=b,gateway=g"),
            cell("c", "g", kept: "/etc"), cell("d", "g", kept: "cells/../../etc"), cell("e", "g", kept: "cells/client=e,gateway=g"),
        ]
        let folders = KeptCells.shardFolders(ShardResults(folder: shard, results: results(cells)))
        #expect(folders == ["client=a/gateway=g": shard + "/cells/client=a,gateway=g"])
    }
}

@Suite struct KeptCellsInReportSetTests {
    @Test("a run's kept folders move into the report set; the next set replaces them, leaving nothing beside the folder")
    func keptFoldersMoveAndAreReplaced() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let own = root + "/tmp/compat-a-g-x"
        try FileManager.default.createDirectory(atPath: own, withIntermediateDirectories: true)
        try "boom\n".write(toFile: own + "/client.stderr", atomically: true, encoding: .utf8)
        let folder = try ReportFolder.prepare(root + "/reports")

        let first = results([cell("a", "g", kept: own)])
        #expect(withKeptInReport(first, folder: folder).matrix.cells[0].keptDirectory == root + "/reports/cells/client=a,gateway=g")
        try writeReports(first, to: folder)
        #expect(try String(contentsOfFile: root + "/reports/cells/client=a,gateway=g/client.stderr", encoding: .utf8) == "boom\n")
        #expect(!FileManager.default.fileExists(atPath: own), "moved: the temporary folder is gone")
        let json = try String(contentsOfFile: root + "/reports/results.json", encoding: .utf8)
        #expect(json.contains("\"keptDirectory\": \"cells/client=a,gateway=g\""))

        try writeReports(results([cell("b", "g", kept: nil)]), to: folder)
        #expect(!FileManager.default.fileExists(atPath: root + "/reports/cells"), "the displaced set's cells went with it")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).sorted() == ["reports", "tmp"])
    }
}
