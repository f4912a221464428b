// `compat`: the protocol compatibility harness's command line.

import ArgumentParser
import CompatRunner
import Foundation
import TGP

/// Every command names itself (`commandName`): a name derived from the type costs each start
/// a search of the whole binary's protocol conformances.
@main
struct Compat: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compat",
        abstract: "Checks that every TGP client version works with every gateway version.",
        discussion: "Exit status: 0 all as expected, 1 a compatibility failure, 2 a usage or configuration error.",
        version: "compat \(CompatVersion.current)",
        subcommands: [
            MatrixCommand.self, PeersCommand.self, PairCommand.self, FleetCommand.self, UpgradeCommand.self, PlanCommand.self,
            GateCommand.self, BenchCommand.self, ListCommand.self, FixturesCommand.self, SchemaCommand.self, ReportCommand.self,
            DecodeCommand.self, EncodeCommand.self, CaptureCommand.self, ReplayCommand.self, DissectorCommand.self, KnownCommand.self,
        ]
    )

    /// Usage and configuration errors exit 2, as the README says, not ArgumentParser's 64.
    /// Every way out goes through `ExitGate`: an interrupt that comes first decides the status.
    static func main() {
        ignoreSIGPIPE()
        handleInterrupts { signal in
            ProgressLine.endCurrent()
            emitError("compat: interrupted by signal \(signal); every peer was stopped\n")
        }
        // A grandchild that leaves its peer's process group is still ended with its cell.
        ProcessRegistry.shared.adoptOrphans()
        ExitGate.shared.exit(runCommand())
    }

    /// Runs the command line's command; its exit status.
    private static func runCommand() -> Int32 {
        do {
            var command = try parseAsRoot()
            try command.run()
            return 0
        } catch let error as ConfigError {
            // A message may quote a matrix file or a shard's results: shown as foreign text.
            emitError("compat: \(error.message.printable)\n")
            return 2
        } catch let code as ExitCode {
            return code.rawValue
        } catch {
            let message = fullMessage(for: error)
            if exitCode(for: error) == .success {
                emit(message + "\n")
                return 0
            }
            emitError("\(message)\n")
            return 2
        }
    }
}

/// The matrix file and fixtures every command reads.
struct MatrixOptions: ParsableArguments {
    @Option(name: [.long, .customLong("matrix-file")], help: "The matrix file: peers, roles, timeouts, transport, known failures.")
    var matrix = "matrix.json"

    @Option(name: .long, help: "The fixtures folder (default: fixtures next to the matrix file).")
    var fixtures: String?

    /// --fixtures, else `fixtures` next to the matrix file.
    var fixturesFolder: String { Self.fixturesFolder(fixtures, matrix: matrix) }

    static func fixturesFolder(_ fixtures: String?, matrix: String) -> String {
        if let fixtures { return fixtures }
        let folder = (matrix as NSString).deletingLastPathComponent
        return folder.isEmpty ? "fixtures" : folder + "/fixtures"
    }

    func load() throws(ConfigError) -> (MatrixConfig, SampleBook) {
        let runner = try loadRunner()
        return (runner.config, runner.samples)
    }

    /// The runner of the matrix, whose plans the checks of the knownFailures made (and every later use shares).
    /// `cell`: only the entries about that one cell are checked (`compat pair`).
    func loadRunner(cell: (client: String, gateway: String)? = nil) throws(ConfigError) -> MatrixRunner {
        try Self.load(matrix: matrix, fixtures: fixtures, cell: cell)
    }

    /// The matrix and samples, with every knownFailures entry (about `cell`, when given) naming a planned check.
    static func load(matrix: String, fixtures: String?, cell: (client: String, gateway: String)? = nil) throws(ConfigError)
        -> MatrixRunner
    {
        let config = try MatrixConfig.load(path: matrix)
        let samplesPath = fixturesFolder(fixtures, matrix: matrix) + "/samples.json"
        // A protocol's own matrix without samples sends those its schema gives (`compat fixtures generate` writes them).
        let samples =
            config.schemaPath != nil && fixtures == nil && !FileManager.default.fileExists(atPath: samplesPath)
            ? SchemaSamples.book(for: config.schema) : try SampleBook.load(path: samplesPath, schema: config.schema)
        let runner = MatrixRunner(config: config, samples: samples)
        try CheckListing.validateKnownFailures(runner, cell: cell)
        return runner
    }

    /// `compat pair`, spelled with this matrix file and fixtures when they are not the defaults.
    var reproducePrefix: String {
        var words = ["compat", "pair"]
        if matrix != "matrix.json" { words += ["--matrix", matrix] }
        if let fixtures { words += ["--fixtures", fixtures] }
        return words.map(shellQuoted).joined(separator: " ")
    }
}

/// Which of the matrix's peers a run takes (`matrix run`, `gate`).
struct PeerFilterOptions: ParsableArguments {
    @Option(name: .long, help: "Only these clients (comma-separated names).")
    var clients: String?

    @Option(name: .long, help: "Only these gateways (comma-separated names).")
    var gateways: String?

    var isNarrowed: Bool { clients != nil || gateways != nil }

    /// The clients and gateways picked, in matrix order.
    func picked(from config: MatrixConfig) throws -> (clients: [String], gateways: [String]) {
        (
            try pick(clients, from: config.clients, option: "--clients", config: config),
            try pick(gateways, from: config.gateways, option: "--gateways", config: config)
        )
    }
}

/// Where a run may send clients and where it writes its reports.
struct RunOutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Let a gateway report an endpoint off this machine (default: ipc and loopback only).")
    var allowRemote = false

    @Option(name: .long, help: "Write results.json, junit.xml, summary.md and report.html here.")
    var reportDir: String?

    @Option(name: .long, help: "Write each run's capture (pcapng, open it with `compat dissector`'s Lua) into this folder.")
    var capture: String?

    /// The report folder, checked before anything runs.
    func prepareReports() throws -> ReportFolder? { try reportDir.map(ReportFolder.prepare) }

    /// The capture folder, made before anything runs.
    func prepareCapture() throws -> String? { try capture.map(CaptureSettings.prepareFolder) }
}

/// How many cells run at once, and whether each keeps to a CPU of its own.
struct JobOptions: ParsableArguments {
    @Option(name: .long, help: "Cells run at once, one per core unless told.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(
        name: .long, inversion: .prefixedNo,
        help:
            "With 2 or more --jobs, up to the CPUs compat may use: each cell's runner thread and peers keep to a CPU of their own, as batch work."
    )
    var pin = true

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
    }

    func runOptions(selection: CheckSelection, reproducePrefix: String) -> RunOptions {
        var options = RunOptions(jobs: jobs, selection: selection, reproducePrefix: reproducePrefix)
        options.pinCells = pin
        return options
    }
}

/// Which checks to run.
struct CheckFilterOptions: ParsableArguments {
    @Option(name: .long, help: "Only checks of this message type (repeatable), e.g. --message NewOrder.")
    var message: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Only checks whose name matches (repeatable; * is a wildcard): a whole name, or the part after the cell as knownFailures has it (NewOrder/*).",
            valueName: "pattern"))
    var run: [String] = []

    /// Every --message names a message type of the matrix's schema, `session` or `bad-input`.
    func requireKnownMessages(_ schema: Schema) throws(ConfigError) {
        let names = schema.messages.map(\.name)
        for name in message where ![CheckName.session, CheckName.badInput].contains(name) && !names.contains(name) {
            throw ConfigError("--message \(name): not a message type (\(names.joined(separator: ", ")), or session, bad-input)")
        }
    }

    var selection: CheckSelection { CheckSelection(patterns: run, messages: message) }

    /// Neither --message nor --run given.
    var selectsEverything: Bool { message.isEmpty && run.isEmpty }

    /// A filter that selects no planned check is a typo to report before anything starts, not a pass.
    func requireMatches(_ runner: MatrixRunner, clients: [String], gateways: [String]) throws(ConfigError) {
        try requireKnownMessages(runner.config.schema)
        try CheckListing.validateSelection(selection, in: CheckListing.plans(runner, clients: clients, gateways: gateways))
    }
}

/// How a run looks on the terminal.
struct TerminalOptions: ParsableArguments {
    @Flag(
        inversion: .prefixedNo, exclusivity: .chooseLast,
        help:
            "Colour the grid and verdicts, or not (default: only when stdout is a terminal and neither NO_COLOR nor TERM=dumb is set).")
    var color: Bool?

    @Flag(name: .long, help: "After the grid, every failing cell with each failed check in full, instead of the failures grouped by cause.")
    var verbose = false

    var colors: Bool {
        ColorChoice.colors(flag: color, environment: ProcessInfo.processInfo.environment, stdoutIsTerminal: stdoutIsTerminal)
    }
}

/// `--json` on a command that runs cells, fleets or upgrades: its results on stdout exactly as
/// results.json holds them, and nothing else there — what it would say besides goes to stderr.
struct JSONOutputOption: ParsableArguments {
    @Flag(
        name: .long,
        help:
            "Print the run's results as results.json holds them (docs/results.schema.json), and nothing else, on stdout; exit status unchanged."
    )
    var json = false

    /// The command's text output: stdout, or nothing under --json.
    func text(_ text: @autoclosure () -> String) {
        if !json { emit(text()) }
    }

    /// A line said beside the results (reports written, GitHub annotations): stdout, or stderr under --json.
    func note(_ text: String) {
        if json { emitError(text) } else { emit(text) }
    }

    /// The results themselves, under --json.
    func results(_ results: @autoclosure () -> RunResults) {
        if json { emit(results().resultsJSON) }
    }
}

/// Part K of N of a run's cells (and the gate's fleets and upgrades).
struct ShardOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Run only part K of N, balanced by planned checks; join the parts' report folders with `compat report merge`.",
            valueName: "K/N"))
    var shard: String?

    /// The units this run takes of `units`, and what its results.json records of the whole.
    func pick(_ units: [ShardUnit], runner: MatrixRunner, matrixFile: String) throws(ConfigError) -> (
        units: [ShardUnit], record: ShardRecord?
    ) {
        guard let shard else { return (units, nil) }
        let parsed = try Shard.parse(shard)
        let record = ShardRecord(
            shard: parsed, units: units.map(\.name), matrixDigest: try ShardRecord.digest(ofFile: matrixFile),
            arguments: ShardRecord.configurationArguments(commandLineArguments),
            wildcardKnownFailures: runner.config.knownFailures.filter { $0.isWildcard && !$0.intermittent })
        let mine = parsed.pick(units, runner: runner)
        if let empty = try parsed.noteIfEmpty(mine, of: units) {
            emitError("compat: note: \(empty)\n")
        } else {
            let kinds = units.contains { $0.scenario != nil } ? "cells, fleets and upgrades" : "cells"
            emitError("compat: note: shard \(parsed) runs \(mine.count) of the run's \(units.count) \(kinds)\n")
        }
        return (mine, record)
    }
}

/// compat's arguments after the program name, as results.json records them.
var commandLineArguments: [String] { Array(CommandLine.arguments.dropFirst()) }

/// What results.json says of this run: `command`, typed as `compat ARGUMENTS`.
func startRun(_ command: String, shard: ShardRecord? = nil) -> RunInfo {
    RunInfo.ofThisProcess(command: command, arguments: commandLineArguments, shard: shard)
}

/// Tells GitHub Actions what a lone fleet or upgrade found (when running there), then writes its reports and says so.
/// With --json, its results.json on stdout.
func publishScenarioReports(
    _ result: CellResult, gateway: String, run: RunInfo, to reports: ReportFolder?, output: JSONOutputOption, matrixFile: String?
) throws {
    let matrix = MatrixResult(clients: [result.client], gateways: [gateway], cells: [result], wallSeconds: result.seconds, jobs: 1)
    publishToGitHubActions(
        matrix.gitHubFindings, summary: reportSummary(RunResults(run: run, findings: .matrix(matrix)), inReportFolder: reports != nil),
        run: run, matrixFile: matrixFile, write: output.note)
    let shown = withKeptInReport(RunResults(run: run, findings: .matrix(matrix)), folder: reports)
    if let reports {
        try writeReports(matrix, run: run, to: reports)
        output.note(reportsWritten(reports, run.runId))
    }
    output.results(shown)
}

/// On GitHub Actions (GITHUB_ACTIONS=true): each finding as an `::error` annotation on stdout,
/// and the summary appended to $GITHUB_STEP_SUMMARY; elsewhere nothing. A summary that cannot
/// be appended is a warning: it does not change the run's verdict. Under --json the annotations
/// go to stderr, which the runner reads for workflow commands too, so stdout stays JSON alone.
///
/// One set per run: a shard (`run.shard`) neither annotates nor writes the step summary, as
/// `compat report merge` does both once for the whole run. `matrixFile`, when given, lets a
/// finding about a peer or a knownFailures entry point at its line there.
func publishToGitHubActions(
    _ findings: @autoclosure () -> [GitHubFinding], summary: @autoclosure () -> String, run: RunInfo, matrixFile: String?,
    schemaFile: String? = nil, write: (String) -> Void = emit
) {
    let actions = GitHubActions()
    guard actions.isActive else { return }
    guard run.shard == nil else {
        emitError(
            "compat: note: a shard does not annotate nor write the step summary: `compat report merge` does, once for the whole run\n")
        return
    }
    write(
        actions.workflowCommands(
            findings(), lines: matrixFile.flatMap { MatrixLines.read(path: $0) }, schema: schemaFile.flatMap { SchemaLines.read(path: $0) })
    )
    if let problem = actions.appendStepSummary(summary()) { emitError("compat: warning: \(problem)\n") }
}

/// What a command says once its reports are in place.
func reportsWritten(_ folder: ReportFolder, _ runId: RunID) -> String {
    "reports written to \(folder.path) (run \(runId))\n"
}

/// Before the first cell starts: the peers built from a commit are built (or found in the cache),
/// every program that will run can be started, and cells have a usable folder (with a note when
/// it is not the one TMPDIR names).
/// Fleets, upgrades, the gate's scenarios and benchmarks drive TGP's sessions (logon, order
/// book): a matrix of another profile asks for what its protocol does not have.
func requireTGPSessions(_ config: MatrixConfig, for command: String) throws(ConfigError) {
    guard config.profile != .tgp else { return }
    throw ConfigError(
        "\(config.path): profile \"\(config.profile.rawValue)\": \(command) drives TGP sessions (logon, the reference gateway), which this protocol does not have; `compat matrix run` runs its versions against each other"
    )
}

func checkBeforeStarting(_ config: inout MatrixConfig, peers: Set<String>) throws(ConfigError) {
    try PeerBuilder.prepare(&config, peers: peers) { emitError("compat: \($0)\n") }
    try config.validatePrograms(for: peers)
    if let note = try TemporaryRoot.resolve().note {
        emitError("compat: note: \(note)\n")
    }
}

/// Writes to stdout as lines are ready. A terminal that hung up or a closed pipe (EIO, EPIPE)
/// loses the text rather than crash compat (as FileHandle's non-throwing `write` would).
func emit(_ text: String) {
    try? FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
}

/// Writes to stderr, as `emit` does to stdout.
func emitError(_ text: String) {
    try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
}

var stdoutIsTerminal: Bool { isatty(1) == 1 }

/// A progress line for `total` cells on stderr while it is a terminal that can erase a line;
/// nil (nothing printed) when stderr is a file or a pipe, or TERM is dumb.
func progressLine(total: Int) -> ProgressLine? {
    guard isatty(2) == 1, ProcessInfo.processInfo.environment["TERM"] != "dumb" else { return nil }
    return ProgressLine.start(total: total) { emitError($0) }
}
