// `compat schema lint`: the lint's findings of one schema as text or JSON, and the exit status.
// It takes any schema with a display name: TGP's today, an SBE XML file's once one can be read.

import MiniJSON
import TGP

public struct SchemaLintReport: Sendable {
    /// How the schema is named in the report (a path, or `TGP`).
    public let schemaName: String
    public let findings: [LintFinding]

    public init(schema: Schema, name: String) {
        schemaName = name
        findings = SchemaLint.findings(of: schema)
    }

    public var passed: Bool { findings.isEmpty }

    /// What `compat schema lint` exits with: 0 no finding, 1 one or more.
    public var exitStatus: Int32 { passed ? 0 : 1 }

    /// Each finding (id and detail), then the count.
    public var rendered: String {
        var out = "schema lint: \(schemaName)\n"
        for finding in findings { out += "  FINDING  \(finding.id)\n           \(finding.detail)\n" }
        out += passed ? "  no finding\n" : "  \(findings.count) finding\(findings.count == 1 ? "" : "s")\n"
        return out
    }

    /// `compat schema lint --json`: the verdict and each finding, shaped as the diff's (`id`, `rule`, `location`, `detail`).
    public var json: JSON {
        .object([
            "passed": .bool(passed),
            "schema": .string(schemaName),
            "findings": .array(
                findings.map {
                    ["id": .string($0.id), "rule": .string($0.rule), "location": .string($0.location), "detail": .string($0.detail)]
                }),
        ])
    }
}
