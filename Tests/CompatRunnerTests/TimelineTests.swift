import BuiltBinaries
import Foundation
import MiniJSON
import Testing

/// Where a cell's time went: `compat pair --timeline` prints its phases, and results.json has them.
@Suite struct TimelineTests {
    static let phases = ["folder made", "peers started", "checks run", "peers reaped", "orphans swept", "folder settled"]

    @Test func aPairPrintsAndRecordsEachPhaseInOrder() throws {
        let matrix = try TestMatrix()
        let reports = matrix.folder + "/reports"
        let run = try runCompat([
            "pair", "v3", "v5", "--matrix", matrix.path, "--fixtures", Built.fixtures, "--timeline", "--report-dir", reports,
        ])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let printed = run.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let start = try #require(printed.firstIndex(of: "timeline of v3/v5, from the cell's start:"))
        #expect(printed[(start + 1)...].prefix(6).map { String($0.prefix(16)).trimmingCharacters(in: .whitespaces) } == Self.phases)
        #expect(printed[start + 7].hasPrefix("first check (client=v3/gateway=v5/session/hello-gateway) took "))

        let results = try JSON.parse(String(contentsOfFile: reports + "/results.json", encoding: .utf8))
        let cell = try #require(results["cells"]?[0])
        let timeline = cell["timeline"]?.arrayValue ?? []
        #expect(timeline.map { $0["phase"]?.stringValue ?? "" } == Self.phases)
        let seconds = timeline.compactMap { $0["seconds"]?.doubleValue }
        #expect(seconds.count == 6 && seconds == seconds.sorted())
        #expect(seconds.last! <= cell["seconds"]!.doubleValue!)
    }
}
