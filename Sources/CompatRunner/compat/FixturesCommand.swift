// `compat fixtures verify|update`: the golden frames under fixtures/golden; `compat fixtures
// generate`: golden frames of any schema, from samples made from it.

import ArgumentParser
import CompatRunner
import Foundation

struct FixturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fixtures",
        abstract: "Checks or writes the golden frames in fixtures/golden.",
        subcommands: [Verify.self, Update.self, Generate.self],
        defaultSubcommand: Verify.self
    )

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
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
            let (config, samples) = try matrixOptions.load()
            let report = GoldenFrames.verify(fixtures: matrixOptions.fixturesFolder, samples: samples, schema: config.schema)
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
            commandName: "update",
            abstract: "Rewrites the golden frames of unreleased versions and creates missing ones.",
            discussion: """
                Released versions are the keys of "versions" in fixtures/schema-lock.json (none without \
                that file); their existing golden files are never changed.
                """
        )

        @OptionGroup var matrixOptions: MatrixOptions

        func run() throws {
            let (config, samples) = try matrixOptions.load()
            let fixtures = matrixOptions.fixturesFolder
            let released = try GoldenFrames.releasedVersions(fixtures: fixtures)
            let result = try GoldenFrames.update(fixtures: fixtures, samples: samples, schema: config.schema, releasedVersions: released)
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

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate",
            abstract: "Writes golden frames of any schema, from samples made from the schema.",
            discussion: """
                Writes DIR/samples.json, the samples made from the schema (in samples.json's format), and \
                DIR/vN/TYPE.json, a golden file as `compat fixtures update` writes them, for every version × message \
                type that version has; files already there are replaced, nothing else is touched. Each type's cases: \
                sample (small distinct values, the first non-default enum value, one set choice, one group entry \
                with one nested entry, short text), edge-min and edge-max (every field at its least and greatest \
                valid value; at the greatest, chars at full length, every set choice, 2 group entries, var-data \
                sharing what the schema's maxFrameSize leaves), edge-null (every optional field null, when there is \
                one), edge-enum-FIELD-VALUE and edge-set-FIELD-CHOICE for each value of each root enum and set \
                field. A case a version cannot carry is recorded as refused (E2). FILE is an SBE XML schema, or \
                `tgp` for TGP's own. Exit 1 when a frame does not decode, at its own version, to the message it was encoded from.
                """
        )

        @Option(name: .long, help: ArgumentHelp("The schema: an SBE XML file, or tgp.", valueName: "file"))
        var schema: String

        @Option(name: .long, help: ArgumentHelp("The folder to write to (created if missing).", valueName: "dir"))
        var out: String

        func run() throws {
            let schema = try loadSchema(path: self.schema)
            let samples = SchemaSamples.book(for: schema)
            let result = try GoldenFrames.generate(schema: schema, samples: samples, into: out)
            emit(result.summary + "\n")
            // The files are only worth feeding a codec's tests if ours gives every frame back as it was given.
            let problems = GoldenFrames.roundTripProblems(schema: schema, samples: samples)
            guard problems.isEmpty else {
                emit("\(problems.count) case(s) did not survive encode → decode at their own version:\n")
                for problem in problems { emit("  \(problem)\n") }
                throw ExitCode(1)
            }
            emit("every frame decodes at its own version to the message it was encoded from\n")
        }
    }
}
