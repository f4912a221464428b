// What every report of a set says besides its findings, added once the reports are rendered:
// the run's provenance (summary.md's foot, report.html's footer, junit.xml's properties) and,
// in summary.md, where the kept cell folders are. Added to the rendered text, at the places each
// renderer marks with the run id, so the renderers stay about findings.

enum SummaryFoot {
    /// The most the foot adds to summary.md (SummaryMarkdown keeps room for it).
    static let maximumCharacters = 2_000

    /// summary.md with `lines` before its last line, the run id's.
    static func summary(_ text: String, runId: RunID, lines: [String]) -> String {
        var foot = lines.joined(separator: "\n\n")
        if foot.count > maximumCharacters { foot = String(foot.prefix(maximumCharacters - 1)) + "…" }
        let last = runId.summaryLine + "\n"
        guard !foot.isEmpty, text.hasSuffix(last) else { return text }
        return String(text.dropLast(last.count)) + foot + "\n\n" + last
    }

    /// report.html with `facts` at the end of its footer.
    static func html(_ text: String, facts: [(String, String)]) -> String {
        guard !facts.isEmpty, let end = text.range(of: "</footer>", options: .backwards) else { return text }
        let added = facts.map { " · \(HTMLReport.escaped($0.0)): <code>\(HTMLReport.escaped($0.1.printableLine))</code>" }.joined()
        return text.replacingCharacters(in: end, with: added + "</footer>")
    }

    /// junit.xml with `facts` as properties of every suite, after its run id.
    static func junit(_ text: String, runId: RunID, facts: [(String, String)]) -> String {
        guard !facts.isEmpty else { return text }
        let runIdProperty = "      <property name=\"runId\" value=\"\(JUnitXML.attribute(runId.value))\"/>\n"
        let added = facts.map {
            "      <property name=\"\(JUnitXML.attribute($0.0))\" value=\"\(JUnitXML.attribute($0.1.printableLine))\"/>\n"
        }
        return text.replacingOccurrences(of: runIdProperty, with: runIdProperty + added.joined())
    }
}
