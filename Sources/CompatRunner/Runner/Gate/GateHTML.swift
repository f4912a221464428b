// The gate's report.html: its verdict and sections in the style of the matrix page — schema
// findings by rule id, golden-frame problems, the matrix grid and cells, the fleets and
// upgrades with their checks, stale known failures.

extension GateResult {
    func htmlReport(runId: RunID) -> String { htmlReport(stamp: ReportStamp(runId)) }

    func htmlReport(stamp: ReportStamp) -> String {
        var frames = HTMLReport.FrameIndex()
        let verdicts = sections().map { (title: $0.title, passed: $0.passed) }
        var body = "<h1>compat gate: " + (passed ? "PASS" : "FAIL") + "</h1>\n"
        body += "<table class=\"findings\"><thead><tr><th>section</th><th>result</th></tr></thead><tbody>\n"
        for (index, section) in verdicts.enumerated() {
            body +=
                "<tr><td><a href=\"#section-\(index + 1)\">\(HTMLReport.escaped(section.title))</a></td><td>\(Self.verdictBadge(section.passed))</td></tr>\n"
        }
        body += "</tbody></table>\n"
        // In the order of `sections`.
        let matrixHTML = HTMLReport.matrixBlock(matrix, frames: &frames)
        let contents = [schemaHTML, goldenHTML, matrixHTML, scenariosHTML(frames: &frames), staleHTML]
        for (index, (section, content)) in zip(verdicts, contents).enumerated() {
            body +=
                "<section class=\"gate\" id=\"section-\(index + 1)\" data-passed=\"\(section.passed)\">\n"
                + "<h2>\(Self.verdictBadge(section.passed)) \(HTMLReport.escaped(section.title))</h2>\n" + content + "</section>\n"
        }
        return HTMLReport.page(title: "compat gate: " + (passed ? "PASS" : "FAIL"), body: body, stamp: stamp)
    }

    private static func verdictBadge(_ passed: Bool) -> String {
        HTMLReport.badge(passed ? .pass : .fail)
    }

    /// Each breaking change by its rule id and location, each allowed one with its reason.
    private var schemaHTML: String {
        let versions = schema.lockedVersions.map(String.init).joined(separator: ", ")
        var out =
            "<p>Today's schema against <code>\(HTMLReport.escaped(schema.baselineDescription))</code> (versions \(versions)) and the evolution rules V1–V4.</p>\n"
        if !schema.unlockedVersions.isEmpty {
            let unlocked = schema.unlockedVersions.map { "v\($0)" }.joined(separator: ", ")
            out +=
                "<p>Not in the baseline, judged by the evolution rules only: \(unlocked) (run <code>compat schema lock</code> when released).</p>\n"
        }
        let rows =
            schema.breaking.map { Self.findingRow($0, status: "breaking", note: nil) }
            + schema.allowed.map { Self.findingRow($0.change, status: "allowed", note: "reason: " + $0.reason) }
        if rows.isEmpty {
            out += "<p>No breaking change.</p>\n"
        } else {
            out +=
                "<table class=\"findings\"><thead><tr><th>status</th><th>rule id</th><th>location</th><th>detail</th></tr></thead><tbody>\n"
                + rows.joined() + "</tbody></table>\n"
        }
        let unused = schema.unusedAllowances.map {
            "<li><code>\(HTMLReport.escaped($0.id))</code>: no such change (remove it from \(HTMLReport.escaped(AllowedBreaks.fileName)))</li>"
        }
        if !unused.isEmpty { out += "<ul>" + unused.joined() + "</ul>\n" }
        return out
    }

    private static func findingRow(_ change: BreakingChange, status: String, note: String?) -> String {
        let detail = HTMLReport.escaped(change.detail) + (note.map { "<br/>" + HTMLReport.escaped($0) } ?? "")
        return "<tr data-rule=\"\(HTMLReport.escaped(change.rule.rawValue))\" data-status=\"\(status)\"><td>\(status.uppercased())</td>"
            + "<td><span class=\"rule\">\(HTMLReport.escaped(change.rule.rawValue))</span></td>"
            + "<td><code>\(HTMLReport.escaped(change.location))</code></td><td>\(detail)</td></tr>\n"
    }

    private var goldenHTML: String {
        var out = "<p>\(HTMLReport.escaped(fixtures.counts))</p>\n"
        guard !fixtures.problems.isEmpty else { return out + "<p>Every frame, value and cross-version decode as recorded.</p>\n" }
        out += "<table class=\"findings\"><thead><tr><th>file</th><th>case</th><th>problem</th></tr></thead><tbody>\n"
        for problem in fixtures.problems {
            out +=
                "<tr><td><code>\(HTMLReport.escaped(problem.file))</code></td><td>\(HTMLReport.escaped(problem.caseName ?? ""))</td>"
                + "<td>\(HTMLReport.escaped(problem.message))</td></tr>\n"
        }
        return out + "</tbody></table>\n"
    }

    /// One row per fleet or upgrade, linking to its checks below.
    private func scenariosHTML(frames: inout HTMLReport.FrameIndex) -> String {
        guard !scenarios.isEmpty else { return "<p>None.</p>\n" }
        var out = "<table class=\"findings\"><thead><tr><th>scenario</th><th>state</th><th>checks</th></tr></thead><tbody>\n"
        for scenario in scenarios {
            let name = ReportText.cellName(scenario)
            out +=
                "<tr data-scenario=\"\(HTMLReport.escaped(name))\" data-state=\"\(scenario.state.rawValue)\">"
                + "<td><a href=\"#\(HTMLReport.escaped(HTMLReport.fragment(name)))\">\(HTMLReport.escaped(name))</a></td>"
                + "<td>\(HTMLReport.badge(scenario.state))</td><td>\(HTMLReport.escaped(HTMLReport.tally(scenario)))</td></tr>\n"
        }
        out += "</tbody></table>\n<div class=\"cells\">\n"
        for scenario in scenarios { out += HTMLReport.cellDetails(scenario, frames: &frames) }
        return out + "</div>\n"
    }

    private var staleHTML: String {
        let stale = staleKnownFailures
        guard !stale.isEmpty else { return "<p>None: every listed known failure still fails.</p>\n" }
        let items = stale.map { check in
            "<li data-check=\"\(HTMLReport.escaped(check.name))\" data-status=\"\(check.status.rawValue)\"><code>\(HTMLReport.escaped(check.name))</code> passed; "
                + "remove it from knownFailures (\(HTMLReport.escaped(check.knownReason ?? "no reason")))</li>"
        }
        return "<ul>" + items.joined() + "</ul>\n"
    }
}
