// How a replay reads on the terminal and as JSON: the verdict first, the predicted differences
// grouped by rule and field, what masks and noise took out, then each finding with its session,
// request, answer, field and both values. Values come from peers: they are printed through
// `printableLine` so no byte of theirs reaches the terminal or a CI log raw.

import Foundation
import MiniJSON

extension ReplayReport {
    /// The most findings printed; `--json` lists every one.
    static let shownFindings = 25

    public func renderTerminal() -> String {
        var lines = [
            "\(passed ? "PASS" : "DIFFERENCES")  replay of \(capture) into \(candidate), compared with \(reference)",
            "  \(requests) requests on \(sessions) session\(sessions == 1 ? "" : "s"); \(tally.answersCompared) answers, \(tally.fieldsCompared) fields and \(tally.readingsCompared) of the gateway's readings of requests compared"
                + (commandedLeftOut > 0 ? "; \(commandedLeftOut) frames the gateway sent on the runner's command left out" : ""),
        ]
        lines += gatewayProblems.map { "  gateway: \(shown($0))" }
        lines += predictedSummary()
        if !tally.ignored.isEmpty { lines.append("  ignored (masks): " + counted(tally.ignored)) }
        if !tally.rebound.isEmpty { lines.append("  rebound ids: " + counted(tally.rebound)) }
        if !noise.isEmpty {
            lines.append("  noise (also differs between the two baseline runs): \(noise.values.reduce(0, +)) — " + counted(noise))
        }
        let findings = self.findings
        lines.append("  findings: \(findings.count)")
        for finding in findings.prefix(Self.shownFindings) { lines.append("    " + describe(finding)) }
        if findings.count > Self.shownFindings {
            lines.append("    … \(findings.count - Self.shownFindings) more (--json lists every one)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func predictedSummary() -> [String] {
        let predicted = self.predicted
        guard !predicted.isEmpty else { return [] }
        var groups: [String: Int] = [:]
        for difference in predicted {
            let subject = difference.field.map { "\(difference.message).\($0)" } ?? "\(difference.message), the rest of the session"
            let why = (difference.why ?? "").replacingOccurrences(of: #" \(\d+ differences here\)"#, with: "", options: .regularExpression)
            let key = "\(difference.rule ?? "?") \(subject) (\(why))"
            groups[key, default: 0] += 1
        }
        return ["  predicted by the schema: \(predicted.count)"]
            + groups.sorted { $0.key < $1.key }.map { "    \(shown($0.key)) ×\($0.value)" }
    }

    private func describe(_ difference: ReplayDifference) -> String {
        var text =
            "session \(difference.stream), request \(difference.request) (\(difference.requestType)), answer \(difference.answer) \(difference.message)"
        switch difference.kind {
        case .missingAnswer: text += ": missing from the candidate (reference: \(difference.reference ?? ""))"
        case .extraAnswer: text += ": extra in the candidate (\(difference.candidate ?? ""))"
        case .finding where difference.answer == 0:
            text =
                "session \(difference.stream), request \(difference.request) (\(difference.requestType)): \(difference.field ?? ""): reference \(difference.reference ?? "(none)"), candidate \(difference.candidate ?? "(none)")"
        case .finding, .predicted:
            text +=
                " \(difference.field ?? ""): reference \(difference.reference ?? "(none)"), candidate \(difference.candidate ?? "(none)")"
        }
        if let why = difference.why { text += " — \(why)" }
        return shown(text)
    }

    private func counted(_ counts: [String: Int]) -> String {
        counts.sorted { $0.key < $1.key }.map { "\(shown($0.key)) ×\($0.value)" }.joined(separator: ", ")
    }

    public var json: JSON {
        var object: JSONObject = [:]
        object["passed"] = .bool(passed)
        object["capture"] = .string(capture)
        object["candidate"] = .string(candidate)
        object["reference"] = .string(reference)
        object["requests"] = .integer(requests)
        object["sessions"] = .integer(sessions)
        object["commandedLeftOut"] = .integer(commandedLeftOut)
        object["answersCompared"] = .integer(tally.answersCompared)
        object["fieldsCompared"] = .integer(tally.fieldsCompared)
        object["readingsCompared"] = .integer(tally.readingsCompared)
        object["ignored"] = counts(tally.ignored)
        object["rebound"] = counts(tally.rebound)
        object["noise"] = counts(noise)
        object["gatewayProblems"] = .array(gatewayProblems.map(JSON.string))
        object["differences"] = .array(differences.map(\.json))
        return .object(object)
    }
}

private func counts(_ values: [String: Int]) -> JSON {
    var object = JSONObject()
    for (key, value) in values.sorted(by: { $0.key < $1.key }) { object[key] = .integer(value) }
    return .object(object)
}

extension ReplayDifference {
    var json: JSON {
        var object: JSONObject = [:]
        object["kind"] = .string(kind.rawValue)
        object["request"] = .integer(request)
        object["session"] = .integer(stream)
        object["requestType"] = .string(requestType)
        object["message"] = .string(message)
        object["answer"] = .integer(answer)
        if let field { object["field"] = .string(field) }
        if let reference { object["reference"] = .string(reference) }
        if let candidate { object["candidate"] = .string(candidate) }
        if let rule { object["rule"] = .string(rule) }
        if let why { object["why"] = .string(why) }
        return .object(object)
    }
}

/// Peer text on one line, made printable.
private func shown(_ text: String) -> String { text.printableLine }
