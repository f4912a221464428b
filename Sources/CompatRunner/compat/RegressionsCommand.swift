// `compat bench regressions FILE`: the change points of a benchmark history in Otava's CSV layout,
// and exit 1 when a series ends in a regression (docs/BENCH.md, "Change points").

import ArgumentParser
import CompatRunner
import Foundation

struct BenchRegressionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "regressions",
        abstract: "Change points of a benchmark history (Otava's CSV layout); exit 1 when a series ends in a regression.",
        discussion: """
            E-divisive means on sliding windows with Student's t-test, as Apache Otava 0.8.0 computes them, \
            with a minimum segment length. A series is the rows with the same values of every non-metric column \
            but time, commit, run, run_id and toolchain. A metric whose name has "throughput" or ends in per_s \
            (…) regresses when it goes down; any other when it goes up. Exit status: 0 no regression, 1 the last \
            segment of a series is worse than the one before by more than --max-regression, 2 a bad file or option.
            """
    )

    @Argument(help: "The history: CSV with a time column, attributes such as commit, and a column per metric.")
    var file: String

    @Option(name: .long, help: "Only this metric column (repeatable; default: every numeric column).")
    var metric: [String] = []

    @Option(name: .long, help: "A numeric column that is an attribute, not a metric, e.g. a rate (repeatable).")
    var attribute: [String] = []

    @Option(name: .long, help: "Report and gate only change points from this commit's first row on.")
    var since: String?

    @Option(name: .long, help: "A last segment worse by more than this many % is a regression (exit 1).")
    var maxRegression = 5.0

    @Option(name: .long, help: "Rows at least each side of a change point (1: none, as Otava).")
    var minSegment = ChangePointOptions().minSegment

    @Option(name: .long, help: "Rows E-divisive looks at at once (Otava's --window).")
    var window = ChangePointOptions().windowLength

    @Option(name: .long, help: "The p-value a change point must be below (Otava's -P).")
    var maxPValue = ChangePointOptions().maxPValue

    @Option(name: .long, help: "The relative change a change point must exceed, e.g. 0.01 (Otava's -M).")
    var minMagnitude = ChangePointOptions().minMagnitude

    @Flag(name: .long, help: "Print the results as JSON instead of text.")
    var json = false

    @Option(name: .long, help: "Write regressions.html here: each series' metrics plotted with their change points.")
    var reportDir: String?

    func options() throws(ConfigError) -> RegressionOptions {
        guard minSegment >= 1, window >= 2 else { throw ConfigError("--min-segment must be at least 1 and --window at least 2") }
        guard maxPValue > 0, maxPValue < 1, minMagnitude >= 0, maxRegression >= 0 else {
            throw ConfigError("--max-p-value must be in (0, 1); --min-magnitude and --max-regression not negative")
        }
        var options = RegressionOptions()
        options.detection.minSegment = minSegment
        options.detection.windowLength = window
        options.detection.maxPValue = maxPValue
        options.detection.minMagnitude = minMagnitude
        options.metrics = metric
        options.attributes = attribute
        options.since = since
        options.maxRegressionPercent = maxRegression
        return options
    }

    func run() throws {
        let options = try options()
        let reports = try reportDir.map(ReportFolder.prepare)
        let history = try BenchHistory.load(path: file)
        let analysis = try RegressionAnalysis.analyze(history, options: options)
        emit(json ? analysis.json.serialized(pretty: true) + "\n" : analysis.text)
        if let reports {
            try RegressionsReport.write(analysis, to: reports)
            FileHandle.standardError.write(Data("report written to \(reports.path)/regressions.html\n".utf8))
        }
        if analysis.regresses { throw ExitCode(1) }
    }
}
