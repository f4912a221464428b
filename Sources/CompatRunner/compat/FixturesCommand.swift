// `compat fixtures verify|update`: the golden frames under fixtures/golden.

import ArgumentParser
import CompatRunner
import Foundation

struct FixturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fixtures",
        abstract: "Checks or writes the golden frames in fixtures/golden.",
        subcommands: [Verify.self, Update.self],
        defaultSubcommand: Verify.self
    )

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Checks every golden frame against today's codec and the decoding rules.",
            discussion: """
                For every version × message type × case: today's encoder writes the recorded bytes, \
                every version's decoder delivers the recorded fields or Reject, and that table is what \
                the rules say. Exit 1 on any difference, naming the file, the case, the byte and the field.
                """
        )

        @OptionGroup var matrixOptions: MatrixOptions

        @Flag(name: .long, help: "Print the counts and problems as JSON; the exit status is the same.")
        var json = false

        func run() throws {
            let (_, samples) = try matrixOptions.load()
            let report = GoldenFrames.verify(fixtures: matrixOptions.fixturesFolder, samples: samples)
            emit(json ? report.json.serialized(pretty: true) + "\n" : text(report))
            if !report.passed { throw ExitCode(1) }
        }

        private func text(_ report: GoldenReport) -> String {
            var out = report.counts + "\n"
            for problem in report.problems { out += "  FAIL \(problem)\n" }
            out +=
                report.passed
                ? "golden frames: OK\n" : "golden frames: \(report.problems.count) problem\(report.problems.count == 1 ? "" : "s")\n"
            return out
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rewrites the golden frames of unreleased versions and creates missing ones.",
            discussion: """
                Released versions are the keys of "versions" in fixtures/schema-lock.json (none without \
                that file); their existing golden files are never changed.
                """
        )

        @OptionGroup var matrixOptions: MatrixOptions

        func run() throws {
            let (_, samples) = try matrixOptions.load()
            let fixtures = matrixOptions.fixturesFolder
            let released = try GoldenFrames.releasedVersions(fixtures: fixtures)
            let result = try GoldenFrames.update(fixtures: fixtures, samples: samples, releasedVersions: released)
            var out = ""
            for path in result.written { out += "  wrote    \(path)\n" }
            for path in result.removed { out += "  removed  \(path)\n" }
            let releasedList = released.sorted().map { "v\($0)" }.joined(separator: ", ")
            out +=
                "\(result.written.count) written, \(result.removed.count) removed, \(result.unchanged.count) unchanged, "
                + "\(result.skippedReleased.count) skipped as released (\(releasedList.isEmpty ? "no version is released" : releasedList))\n"
            emit(out)
        }
    }
}
