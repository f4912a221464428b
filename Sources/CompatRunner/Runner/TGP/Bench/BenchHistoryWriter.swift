// `compat bench --history FILE`: each run's figures appended to a CSV file, one row per cell and
// series, in the layout Apache Otava's CSV importer reads unchanged (a `time` column, attribute
// columns, one numeric column per metric). The file is only ever appended to; a file that is
// not such a history, or one with a damaged row, is refused before anything is measured.

import Foundation

public enum BenchHistoryWriter {
    /// The columns before the metrics: text, copied as they are (Otava's attributes).
    public static let attributeColumns = [
        "time", "commit", "run_id", "machine", "toolchain", "cell", "series", "key", "version", "runs", "count", "warnings",
    ]

    /// The figures behind each metric's column name, in the order of `BenchFigures.values`.
    static let figureNames = ["p50_us", "p90_us", "p99_us", "p999_us", "max_us", "throughput"]

    /// Ours (medians over --runs), the raw baseline's (medians), ours/raw (run by run, then the
    /// median), and the spread over --runs of ours and of the baseline ((highest − lowest) / median, in %).
    public static let metricColumns: [String] =
        figureNames + figureNames.map { "raw_" + $0 } + figureNames.map { "ratio_" + $0.replacingOccurrences(of: "_us", with: "") }
        + figureNames.map { $0.replacingOccurrences(of: "_us", with: "") + "_spread_pct" }
        + figureNames.map { "raw_" + $0.replacingOccurrences(of: "_us", with: "") + "_spread_pct" }

    public static let columns = attributeColumns + metricColumns
    public static let header = columns.joined(separator: ",")

    /// What every row of one invocation shares.
    public struct Context: Sendable {
        public var time: String
        public var commit: String
        public var runId: String
        public var machine: String
        public var toolchain: String

        public init(time: String, commit: String, runId: String, machine: String, toolchain: String) {
            self.time = time
            self.commit = commit
            self.runId = runId
            self.machine = machine
            self.toolchain = toolchain
        }

        /// This machine now: the current directory's git commit, the host and its CPU, the Swift toolchain.
        public static func current(runId: RunID) -> Context {
            let formatter = ISO8601DateFormatter()
            formatter.timeZone = TimeZone(identifier: "UTC")
            let commit = firstLine(of: ["git", "rev-parse", "HEAD"]).flatMap { $0.count == 40 ? $0 : nil } ?? "unknown"
            let toolchain = firstLine(of: ["swift", "--version"]) ?? "compat \(CompatVersion.current)"
            return Context(
                time: formatter.string(from: Date()), commit: commit, runId: runId.value, machine: machine(), toolchain: toolchain)
        }

        /// `host; CPU model; N cores`.
        static func machine() -> String {
            let host = ProcessInfo.processInfo.hostName
            let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
            let model =
                cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
                .flatMap { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } } ?? "unknown CPU"
            let cores = ProcessInfo.processInfo.activeProcessorCount
            return "\(host); \(model); \(cores) core\(cores == 1 ? "" : "s")"
        }

        /// The first line a command prints, nil when it cannot run or fails (through the runner's one spawner).
        static func firstLine(of command: [String]) -> String? {
            guard let result = try? PeerProcess.run(command, timeout: .seconds(30)), result.termination.isCleanExit else { return nil }
            let line = result.stdoutText.split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) }
            return line?.isEmpty == false ? line : nil
        }
    }

    /// The cell as the history names it: `client/gateway`.
    static func cell(_ result: BenchResult) -> String { "\(result.client)/\(result.gateway)" }

    /// The message mix and what else shapes the load: `NewOrder=8,CancelOrder=1 sample window=256`.
    static func series(_ result: BenchResult) -> String {
        let options = result.options
        return "\(options.mixText) \(options.payload) \(options.rate > 0 ? "rate=\(options.rate)" : "window=\(options.window)")"
    }

    /// The rows of one run: one per cell and series (a result measures one series of one cell).
    /// Each needs the raw baseline.
    public static func rows(_ results: [BenchResult], context: Context) -> [String] {
        results.compactMap { result in
            guard let raw = result.raw, let ratios = result.ratios else { return nil }
            let key = "\(context.machine) | \(cell(result)) | \(series(result))"
            let attributes = [
                context.time, context.commit, context.runId, context.machine, context.toolchain, cell(result), series(result), key,
                "\(result.version)", "\(result.options.runs)", "\(result.options.count)", result.warnings.joined(separator: "; "),
            ]
            func figures(_ values: [Double]) -> [Double] { values[0..<5].map { $0 / 1000 } + [values[5]] }
            let metrics =
                figures(result.ours.median.values) + figures(raw.median.values) + Array(ratios.values[0..<6])
                + result.ours.spread[0..<6].map { $0 * 100 } + raw.spread[0..<6].map { $0 * 100 }
            return (attributes.map(field) + metrics.map(number)).joined(separator: ",")
        }
    }

    /// A CSV field: quoted when it holds a comma or a quote (quotes doubled); line breaks become spaces.
    static func field(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        guard flat.contains(",") || flat.contains("\"") else { return flat }
        return "\"" + flat.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func number(_ value: Double) -> String {
        value.isFinite ? String(format: "%.4f", value) : "0"
    }

    /// The fields of one CSV line, read as the history's reader reads it.
    static func fields(of line: Substring) -> [String] {
        (try? BenchHistory.records(in: String(line), path: "").first?.fields) ?? [String(line)]
    }

    /// Refuses a file that is not a history of this layout, or has a damaged row, naming the
    /// file and the line; a missing or empty file is a new history.
    public static func check(path: String) throws(ConfigError) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        guard let data = FileManager.default.contents(atPath: path) else { throw ConfigError("--history \(path): cannot be read") }
        guard !data.isEmpty else { return }
        let text = String(decoding: data, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines[0] == header else {
            throw ConfigError(
                "--history \(path): its header is not compat bench's history header (line 1 is \"\(lines[0].prefix(120))\"); "
                    + "give a new file, or one written by this version of compat bench")
        }
        // A whole file ends with a line break: what follows the last one is a line cut short.
        guard lines.last?.isEmpty == true else {
            let number = lines.count
            throw ConfigError(
                "--history \(path): line \(number) is truncated (no line break at its end); the \(number - 1) lines before it are intact, mend or remove line \(number) before appending"
            )
        }
        for row in try BenchHistory.records(in: text, path: "--history \(path)").dropFirst() where row.fields.count != columns.count {
            let count = row.fields.count
            throw ConfigError(
                "--history \(path): line \(row.line) has \(count) column\(count == 1 ? "" : "s"), the header \(columns.count); mend or remove line \(row.line) before appending"
            )
        }
    }

    /// Appends the rows (with the header first when the file is new or empty) in one write, after `check`.
    public static func append(_ rows: [String], to path: String) throws(ConfigError) {
        try check(path: path)
        let isNew = (FileManager.default.contents(atPath: path)?.isEmpty ?? true)
        let text = (isNew ? header + "\n" : "") + rows.map { $0 + "\n" }.joined()
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ConfigError("--history \(path): cannot be opened for appending: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw ConfigError("--history \(path): wrote \(written) of \(bytes.count) bytes: \(String(cString: strerror(errno)))")
        }
    }
}
