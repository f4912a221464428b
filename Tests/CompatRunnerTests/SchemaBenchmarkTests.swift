// `compat bench schema` through the built compat: it reads and diffs the made-up schema, reports
// every run, and leaves no temporary folder behind. (Its figures are measured, never asserted.)

import Foundation
import MiniJSON
import Testing

@Suite("compat bench schema")
struct SchemaBenchmarkTests {
    static func leftovers() throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter { $0.hasPrefix("compat-schema-bench-") })
    }

    @Test func timesTheMadeUpSchemaAndItsNextVersion() throws {
        let before = try Self.leftovers()
        let run = try runCompat(["bench", "schema", "--bytes", "20000", "--runs", "3", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let result = try JSON.parse(run.stdout)
        #expect(result["messages"]?.intValue == 15)
        #expect(result["runs"]?.intValue == 3)
        #expect(result["readRuns"]?.arrayValue?.count == 3)
        #expect(result["diffRuns"]?.arrayValue?.count == 3)
        #expect((result["bytes"]?.intValue ?? 0) >= 20000)
        #expect(try Self.leftovers() == before)
    }

    @Test func oneFileIsAUsageError() throws {
        let run = try runCompat(["bench", "schema", "only.xml"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("give OLD.xml NEW.xml"), "\(run.stderr)")
    }
}
