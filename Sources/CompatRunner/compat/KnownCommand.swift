// `compat known --from results.json`: the failing checks of a run as knownFailures entries,
// printed to paste into matrix.json or, with --write, added to it.

import ArgumentParser
import CompatRunner
import MiniJSON

struct KnownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "known",
        abstract: "Records a run's failing checks as knownFailures entries (a release's known findings).",
        discussion: """
            Prints {"knownFailures": [...]}, one entry per failed check (client, gateway, the check after the cell, \
            reason); with --write adds the entries the matrix file does not list yet. Crashed or timed-out cells \
            are noted on stderr: they are a cell's problem, which no entry stands for.
            """
    )

    @Option(name: .long, help: ArgumentHelp("The results.json of the run (from --report-dir).", valueName: "file"))
    var from: String

    @Option(name: .long, help: "The reason every entry gives (default: the run id and the failure's message, to be edited into a why).")
    var reason: String?

    @Flag(name: .long, help: "Add the entries to the matrix file's knownFailures instead of printing them.")
    var write = false

    @Option(name: .long, help: "The matrix file --write adds to.")
    var matrix = "matrix.json"

    func run() throws {
        let recording = KnownFailureRecorder.record(try RunResults.read(path: from), reason: reason)
        for cell in recording.unrecordable { emitError("compat: note: no entry for \(cell.printableLine)\n") }
        guard write else {
            let snippet: JSON = ["knownFailures": KnownFailureRecorder.json(recording.entries)]
            return emit(snippet.serialized(pretty: true) + "\n")
        }
        let (added, present) = try KnownFailureRecorder.add(recording.entries, toMatrixFile: matrix)
        emit("\(added) knownFailures \(added == 1 ? "entry" : "entries") added to \(matrix) (\(present) listed already)\n")
    }
}
