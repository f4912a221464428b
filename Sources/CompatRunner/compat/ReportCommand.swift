// `compat report merge DIR…`: the report folders of a run split with --shard, joined into the
// report set the unsharded run would have written.

import ArgumentParser
import CompatRunner
import Foundation

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Works on report folders already written.",
        subcommands: [Merge.self]
    )

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "merge",
            abstract: "Joins the report folders of every shard of a run (--shard K/N) into the reports of the whole run.",
            discussion:
                "Exit status: 0 or 1 as the whole run would have (1 on any finding), 2 when a shard is missing, repeated, unreadable or of another run."
        )

        @Argument(help: ArgumentHelp("The report folders of the shards, each holding a results.json.", valueName: "dir"))
        var folders: [String]

        @Option(name: .long, help: "Write the merged results.json, junit.xml, summary.md and report.html here.")
        var reportDir: String?

        @OptionGroup var terminal: TerminalOptions

        func run() throws {
            try ShardResults.checkMerge(of: folders, into: reportDir)
            let reports = try reportDir.map(ReportFolder.prepare)
            var shards: [ShardResults] = []
            for folder in folders { shards.append(try ShardResults.read(folder: folder)) }
            let merged = try ReportMerge.merge(shards)
            if let gate = merged.gate {
                emit(gate.renderTerminal(color: terminal.colors, verbose: terminal.verbose))
                publishToGitHubActions(gate.gitHubFindings, summary: gate.summaryMarkdown(runId: merged.run.runId))
            } else {
                emit(renderGrid(merged.matrix, color: terminal.colors))
                if !merged.matrix.allExpected { emit(renderFailures(merged.matrix, verbose: terminal.verbose)) }
                publishToGitHubActions(merged.matrix.gitHubFindings, summary: merged.matrix.summaryMarkdown(runId: merged.run.runId))
            }
            if let reports {
                try writeReports(merged, to: reports)
                emit(reportsWritten(reports, merged.run.runId))
            }
            if !merged.passed { throw ExitCode(1) }
        }
    }
}
