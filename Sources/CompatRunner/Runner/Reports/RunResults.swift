// One run's results as results.json holds them: the run and its findings, whichever command
// made them. The reports of a run, or of merged shards, are written from this value.

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

/// Writes the report set of `results`: the gate's writer for a gate, the matrix's otherwise.
public func writeReports(_ results: RunResults, to folder: ReportFolder) throws {
    switch results.findings {
    case .matrix(let matrix): try writeReports(matrix, run: results.run, to: folder)
    case .gate(let gate): try writeGateReports(gate, run: results.run, to: folder)
    }
}

extension RunResults {
    /// results.json's text, as `writeReports` writes it (`--json` prints it).
    public var resultsJSON: String { String(decoding: ResultsJSON.render(self), as: UTF8.self) }
}
