// What a run tells GitHub Actions when it runs there (GITHUB_ACTIONS=true): each finding as an
// `::error` workflow command, which GitHub shows on the run and the pull request, and summary.md
// appended to the step's summary page ($GITHUB_STEP_SUMMARY).

import Foundation

/// One thing a run found that a person must look at: a failing check, a crashed or hung cell,
/// a stale knownFailures entry, a schema or golden-frame finding of the gate.
public struct GitHubFinding: Sendable, Hashable {
    public var title: String
    /// What happened.
    public var message: String
    /// The command that shows it again: always shown, however long the message.
    public var reproduce: String?
    /// The failing checks it stands for (a group of one cause has many).
    public var checks: Int
    /// What in the matrix file it is about, for the annotation's `file=` and `line=`.
    public var anchor: Anchor?

    /// A line of the matrix file a finding belongs to.
    public enum Anchor: Sendable, Hashable {
        /// The peer's definition: the one whose frames a group of failures judged.
        case peer(String)
        /// A knownFailures entry written with these patterns (a stale wildcard entry).
        case entry(client: String, gateway: String, check: String)
        /// The first knownFailures entry listing this check of this cell (a stale check).
        case listing(check: String, client: String, gateway: String)
        /// A place in the schema file: a BreakingChange's location.
        case schema(location: String)
    }

    public init(title: String, message: String, reproduce: String? = nil, checks: Int = 0, anchor: Anchor? = nil) {
        self.title = title
        self.message = message
        self.reproduce = reproduce
        self.checks = checks
        self.anchor = anchor
    }

    /// `file=…,line=…,` for its anchor's line in the matrix file or the schema, or nothing.
    func location(in lines: MatrixLines?, schema: SchemaLines? = nil) -> String {
        guard let anchor else { return "" }
        let found: (file: String, line: Int?)?
        switch anchor {
        case .peer(let name): found = lines.map { ($0.file, $0.peers[name]) }
        case .entry(let client, let gateway, let check):
            found = lines.map { ($0.file, $0.line(ofEntry: client, gateway: gateway, check: check)) }
        case .listing(let check, let client, let gateway):
            found = lines.map { ($0.file, $0.line(ofEntryListing: check, client: client, gateway: gateway)) }
        case .schema(let location): found = schema.map { ($0.file, $0.line(of: location)) }
        }
        guard let found, let line = found.line else { return "" }
        return "file=" + GitHubActions.property(found.file.printableLine) + ",line=\(line),"
    }
}

public struct GitHubActions: Sendable {
    /// GitHub shows at most 10 error annotations a step: past this many the rest are one notice
    /// with their count, and the most important come first (the gate's sections, a stopped run,
    /// crashed cells, then findings by how many checks they cover).
    public static let maximumAnnotations = 10
    /// A message is cut here: the reports have the rest.
    static let maximumMessageCharacters = 2_000

    public let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    public var isActive: Bool { environment["GITHUB_ACTIONS"] == "true" }

    /// The `::error` lines of the first findings, then a notice counting the rest (and the failing
    /// checks they cover). With the matrix file's `lines`, a finding about a peer or a knownFailures
    /// entry points at its line; with the `schema` file's, a breaking change at its element's.
    public func workflowCommands(_ findings: [GitHubFinding], lines: MatrixLines? = nil, schema: SchemaLines? = nil) -> String {
        var lines = findings.prefix(Self.maximumAnnotations).map { finding in
            var message = finding.message.printable
            if message.count > Self.maximumMessageCharacters {
                message = String(message.prefix(Self.maximumMessageCharacters)) + "… (the rest is in the reports)"
            }
            if let reproduce = finding.reproduce { message += "\nreproduce: " + reproduce.printable }
            return "::error " + finding.location(in: lines, schema: schema) + "title=" + Self.property(finding.title.printable) + "::"
                + Self.data(message)
        }
        if findings.count > Self.maximumAnnotations {
            let rest = findings.dropFirst(Self.maximumAnnotations)
            let checks = rest.reduce(0) { $0 + $1.checks }
            lines.append(
                "::notice title=compat::"
                    + Self.data(
                        "\(ReportText.plural(rest.count, "more finding", "more findings"))"
                            + (checks > 0 ? " (\(ReportText.plural(checks, "failing check", "failing checks")))" : "")
                            + " not shown as annotations: see the step summary and the reports"))
        }
        return lines.map { $0 + "\n" }.joined()
    }

    /// Appends `summary` to the file $GITHUB_STEP_SUMMARY names, when it names one. Returns
    /// what went wrong, for a warning: the run's verdict stands whatever happens here.
    public func appendStepSummary(_ summary: String) -> String? {
        guard let path = environment["GITHUB_STEP_SUMMARY"], !path.isEmpty else { return nil }
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            return "cannot append the summary to GITHUB_STEP_SUMMARY (\(path)): \(String(cString: strerror(errno)))"
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: Data((summary.hasSuffix("\n") ? summary : summary + "\n").utf8))
        } catch {
            return "cannot append the summary to GITHUB_STEP_SUMMARY (\(path)): \(error.localizedDescription)"
        }
        return nil
    }

    /// A workflow command's message: `%`, CR and LF escaped.
    static func data(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25")
            .replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    /// A workflow command's property value: as `data`, and `:` and `,` too.
    static func property(_ text: String) -> String {
        data(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}

extension MatrixResult {
    /// An interrupt, crashed or hung cells in grid order, the failing checks grouped by cause
    /// (the groups covering most checks first), stale checks and stale wildcard entries.
    public var gitHubFindings: [GitHubFinding] { gitHubFindings(units: .cells) }

    func gitHubFindings(units: RunUnits) -> [GitHubFinding] {
        var findings = [GitHubFinding]()
        let cells = ReportText.orderedCells(self)
        let notRun = cells.filter { $0.state == .notRun }
        if !notRun.isEmpty {
            findings.append(
                GitHubFinding(
                    title: "compat: interrupted", message: units.interruptedMessage(notRun: notRun.count, total: cells.count)))
        }
        for cell in cells where cell.state == .crash || cell.state == .timeout {
            findings.append(
                GitHubFinding(
                    title: ReportText.cellName(cell), message: "\(cell.state.rawValue): \(cell.problem ?? "a peer stopped")",
                    reproduce: cell.reproduce))
        }
        for group in FailureGrouping.groups(self) {
            let (cell, check) = group.members[0]
            // One check in full (values short, the frames are in the reports), then what else it covers.
            let lines =
                ReportText.checkLines(check, in: cell, reproduce: false, withFrames: false).map(SummaryMarkdown.capped)
                + [
                    "checks: " + ReportText.listed(group.members.map(\.check.name)),
                    "cells: " + ReportText.listed(group.cells.map(ReportText.cellName)),
                ]
            let title =
                group.members.count == 1
                ? check.name
                : "\(ReportText.plural(group.members.count, "check", "checks")) in \(ReportText.plural(group.cells.count, "cell", "cells")), e.g. \(check.name)"
            findings.append(
                GitHubFinding(
                    title: title, message: lines.joined(separator: "\n"), reproduce: reproduceCommand(for: check, in: cell),
                    checks: group.members.count, anchor: group.peer.map { .peer($0) }))
        }
        for cell in cells {
            for check in cell.checks where check.status == .stalePass {
                let lines = ReportText.checkLines(check, in: cell, reproduce: false, withFrames: false).map(SummaryMarkdown.capped)
                findings.append(
                    GitHubFinding(
                        title: check.name, message: lines.joined(separator: "\n"), reproduce: reproduceCommand(for: check, in: cell),
                        anchor: .listing(check: check.name, client: cell.client, gateway: cell.gateway)))
            }
        }
        findings += staleKnownFailures.map {
            GitHubFinding(
                title: "stale knownFailures entry", message: $0.message,
                anchor: .entry(client: $0.client, gateway: $0.gateway, check: $0.check))
        }
        return findings
    }
}

extension GateResult {
    /// The schema's breaking changes and the golden problems, then the matrix's and the scenarios' findings.
    public var gitHubFindings: [GitHubFinding] {
        schema.breaking.map {
            GitHubFinding(title: "schema/\($0.id)", message: "breaking: \($0.detail)", anchor: .schema(location: $0.location))
        }
            + fixtures.problems.map {
                GitHubFinding(title: "fixtures/\($0.file)\($0.caseName.map { "/\($0)" } ?? "")", message: $0.description)
            }
            + allResults.gitHubFindings(units: .gateUnits)
    }
}
