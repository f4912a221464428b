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

        @Option(
            name: .long,
            help: "Write the merged results.json, junit.xml, summary.md and report.html here, with the shards' kept cell folders (cells/).")
        var reportDir: String?

        @OptionGroup var terminal: TerminalOptions

        func run() throws {
            try ShardResults.checkMerge(of: folders, into: reportDir)
            let reports = try reportDir.map(ReportFolder.prepare)
            var shards: [ShardResults] = []
            for folder in folders { shards.append(try ShardResults.read(folder: folder)) }
            let merged = try ReportMerge.merge(shards)
            let matrixFile = ReportMerge.matrixFile(of: shards)
            let keptFolders = ReportMerge.keptFolders(of: shards)
            let summary = { reportSummary(merged, inReportFolder: reports != nil, keptFolders: keptFolders) }
            // Said as it will be: the shards' kept folders copied into the merged report folder.
            let shown = withKeptInReport(merged, folder: reports, keptFolders: keptFolders)
            if let gate = shown.gate {
                emit(gate.renderTerminal(color: terminal.colors, verbose: terminal.verbose))
                publishToGitHubActions(
                    gate.gitHubFindings, summary: summary(), run: merged.run, matrixFile: matrixFile)
            } else {
                emit(renderGrid(shown.matrix, color: terminal.colors))
                if !shown.matrix.allExpected { emit(renderFailures(shown.matrix, verbose: terminal.verbose)) }
                publishToGitHubActions(
                    merged.matrix.gitHubFindings, summary: summary(), run: merged.run,
                    matrixFile: matrixFile)
            }
            if let reports {
                try writeReports(merged, to: reports, keptFolders: keptFolders)
                emit(reportsWritten(reports, merged.run.runId))
            }
            if !merged.passed { throw ExitCode(1) }
        }
    }
}
