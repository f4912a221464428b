// The schema benchmark (`compat bench schema`): how long reading an SBE XML schema takes, and
// a `schema diff` of two (reading both and judging every change), as medians of several runs.
// Without files it times a made-up schema of the size given and its next version.

import Foundation
import MiniJSON
import SBE

public struct SchemaBenchmarkResult: Sendable {
    /// The two files timed, and the size of the first.
    public let old: String
    public let new: String
    public let bytes: Int
    public let messages: Int
    public let runs: Int
    /// Medians, in milliseconds: reading `old` into the IR; reading both and comparing them.
    public let readMilliseconds: Double
    public let diffMilliseconds: Double
    /// Every run's figures, in run order.
    public let readRuns: [Double]
    public let diffRuns: [Double]

    public var text: String {
        func format(_ value: Double) -> String { String(format: "%.1f", value) }
        return """
            schema \(old): \(bytes) bytes, \(messages) messages
            read:  median \(format(readMilliseconds)) ms over \(runs) runs (\(readRuns.map(format).joined(separator: ", ")))
            diff:  median \(format(diffMilliseconds)) ms over \(runs) runs, reading \(old) and \(new) and comparing them (\(diffRuns.map(format).joined(separator: ", ")))

            """
    }

    public var json: JSON {
        .object([
            "old": .string(old), "new": .string(new), "bytes": .integer(bytes), "messages": .integer(messages), "runs": .integer(runs),
            "readMilliseconds": .double(readMilliseconds), "diffMilliseconds": .double(diffMilliseconds),
            "readRuns": .array(readRuns.map(JSON.double)), "diffRuns": .array(diffRuns.map(JSON.double)),
        ])
    }
}

public enum SchemaBenchmark {
    /// Times `old` (and the diff of `old` against `new`); without files, a made-up schema of
    /// `bytes` bytes at version 4 and its version 5, written to a temporary folder and removed.
    public static func run(old: String?, new: String?, bytes: Int = 300_000, runs: Int = 9) throws(ConfigError) -> SchemaBenchmarkResult {
        if let old, let new { return try time(old: old, new: new, runs: runs) }
        let folder = NSTemporaryDirectory() + "compat-schema-bench-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
            try SyntheticSchema.xml(bytes: bytes, version: 4, newestVersion: 5).write(
                toFile: folder + "/old.xml", atomically: true, encoding: .utf8)
            try SyntheticSchema.xml(bytes: bytes, version: 5, newestVersion: 5).write(
                toFile: folder + "/new.xml", atomically: true, encoding: .utf8)
        } catch {
            throw ConfigError("cannot write the made-up schemas into \(folder): \(error.localizedDescription)")
        }
        return try time(old: folder + "/old.xml", new: folder + "/new.xml", runs: runs)
    }

    private static func time(old: String, new: String, runs: Int) throws(ConfigError) -> SchemaBenchmarkResult {
        let runs = max(1, runs)
        var readRuns: [Double] = []
        var diffRuns: [Double] = []
        var schema: Schema?
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            schema = try SchemaFile.load(path: old)
            readRuns.append(milliseconds(since: start))
            let diffStart = DispatchTime.now().uptimeNanoseconds
            let report = schemaComparison(
                old: try SchemaFile.load(path: old), oldName: old, new: try SchemaFile.load(path: new), newName: new)
            _ = report.rendered
            diffRuns.append(milliseconds(since: diffStart))
        }
        let size = ((try? FileManager.default.attributesOfItem(atPath: old))?[.size] as? Int) ?? 0
        return SchemaBenchmarkResult(
            old: old, new: new, bytes: size, messages: schema?.messages.count ?? 0, runs: runs,
            readMilliseconds: readRuns.upperMedian, diffMilliseconds: diffRuns.upperMedian, readRuns: readRuns, diffRuns: diffRuns)
    }

    private static func milliseconds(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }
}
