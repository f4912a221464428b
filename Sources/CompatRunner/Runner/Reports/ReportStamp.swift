// What every report of a set carries besides its findings: the run id, the run's provenance
// (report.html's footer, junit.xml's properties, summary.md's foot) and, in summary.md, where the
// kept cell folders are. Each renderer takes it where it writes the run id.

struct ReportStamp {
    let runId: RunID
    /// The provenance as name and value: junit.xml's properties after the run id, report.html's footer.
    var facts: [(String, String)] = []
    /// summary.md's lines before its last one, the run id's.
    var summaryLines: [String] = []

    /// The most the foot adds to summary.md (SummaryMarkdown keeps room for it).
    static let maximumFootCharacters = 2_000

    init(_ runId: RunID) { self.runId = runId }

    /// A run's stamp: its id and provenance, and `summaryLines` first in summary.md's foot.
    init(run: RunInfo, summaryLines: [String] = []) {
        runId = run.runId
        facts = run.provenance?.fields(compatVersion: run.compatVersion) ?? []
        self.summaryLines = summaryLines + (run.provenance.map { [$0.summaryLine(compatVersion: run.compatVersion)] } ?? [])
    }

    /// summary.md's foot, bounded; nil when there is none.
    var summaryFoot: String? {
        let foot = summaryLines.joined(separator: "\n\n")
        guard !foot.isEmpty else { return nil }
        return foot.count > Self.maximumFootCharacters ? String(foot.prefix(Self.maximumFootCharacters - 1)) + "…" : foot
    }

    /// report.html's footer after the run id, which names the compat version already.
    var htmlFooterFacts: String {
        facts.filter { $0.0 != "compatVersion" }.map {
            " · \(HTMLReport.escaped($0.0)): <code>\(HTMLReport.escaped($0.1.printableLine))</code>"
        }
        .joined()
    }
}
