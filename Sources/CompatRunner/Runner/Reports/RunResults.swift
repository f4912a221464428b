// One run's results as results.json holds them: the run and its findings, whichever command
// made them. The reports of a run, or of merged shards, are written from this value.

import Foundation

/// Everything one results.json holds: the run, and what it found.
public struct RunResults: Sendable {
    public var run: RunInfo
    public var findings: Findings

    public init(run: RunInfo, findings: Findings) {
        self.run = run
        self.findings = findings
    }

    /// A matrix run, a pair, a lone fleet or upgrade: cells only. The gate: its five sections.
    public enum Findings: Sendable {
        case matrix(MatrixResult)
        case gate(GateResult)
    }

    /// The cells the grid and junit.xml show (for the gate: its matrix's).
    public var matrix: MatrixResult {
        switch findings {
        case .matrix(let matrix): matrix
        case .gate(let gate): gate.matrix
        }
    }

    /// The gate's sections, for a gate run.
    public var gate: GateResult? {
        if case .gate(let gate) = findings { gate } else { nil }
    }

    /// Every finding as expected: exit status 0.
    public var passed: Bool { gate?.passed ?? matrix.allExpected }
}

/// Writes the report set of `results` (the gate's files for a gate, the matrix's otherwise) with
/// the kept cell folders: `keptFolders` maps a unit's name to its folder on this machine (nil:
/// the run's own, each unit's keptDirectory, which move: once the set is in place, the run's
/// folders it holds are removed from $TMPDIR). Each file gets the run's provenance.
public func writeReports(_ results: RunResults, to folder: ReportFolder, keptFolders: [String: String]? = nil) throws {
    var plan = KeptCells.plan(results, sources: keptFolders ?? KeptCells.ownFolders(results))
    if keptFolders == nil { for index in plan.copies.indices { plan.copies[index].moves = true } }
    let run = plan.results.run
    let stamp = ReportStamp(run: run, summaryLines: KeptCells.summaryLines(plan))
    let files: [ReportFile]
    switch plan.results.findings {
    case .matrix(let matrix): files = matrixReportFiles(matrix, run: run, stamp: stamp)
    case .gate(let gate): files = gate.reportFiles(run: run, stamp: stamp)
    }
    try folder.replace(with: files, keptCells: plan.copies)
    // Only once the set holds them whole: a failed write, or a folder the bounds cut, stays where it was.
    for copy in plan.copies where copy.moves && !FileManager.default.fileExists(atPath: "\(folder.target)/cells/\(copy.name)/KEPT.txt") {
        try? FileManager.default.removeItem(atPath: copy.source)
    }
}

/// `results` as they read once `folder` holds the kept cell folders (`keptFolders`, as
/// `writeReports` takes them): each unit's `keptDirectory` where its folder goes
/// (`folder`/cells/NAME). What the terminal and --json say of a run with --report-dir.
public func withKeptInReport(_ results: RunResults, folder: ReportFolder?, keptFolders: [String: String]? = nil) -> RunResults {
    guard let folder else { return results }
    return KeptCells.plan(results, sources: keptFolders ?? KeptCells.ownFolders(results), prefix: folder.path + "/").results
}

/// summary.md as the report set holds it, for GitHub's step summary: the same text, so the
/// page and the file agree. `inReportFolder`: the run writes a report folder, which keeps the
/// cell folders `keptFolders` names (nil: the run's own).
public func reportSummary(_ results: RunResults, inReportFolder: Bool, keptFolders: [String: String]? = nil) -> String {
    let plan = inReportFolder ? KeptCells.plan(results, sources: keptFolders ?? KeptCells.ownFolders(results)) : nil
    let written = plan?.results ?? results
    let stamp = ReportStamp(run: written.run, summaryLines: plan.map(KeptCells.summaryLines) ?? [])
    switch written.findings {
    case .matrix(let matrix): return SummaryMarkdown.render(matrix, stamp: stamp)
    case .gate(let gate): return gate.summaryMarkdown(stamp: stamp)
    }
}

extension RunResults {
    /// results.json's text, as `writeReports` writes it (`--json` prints it).
    public var resultsJSON: String { String(decoding: ResultsJSON.render(self), as: UTF8.self) }
}
