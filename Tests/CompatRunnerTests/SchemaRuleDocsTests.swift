// docs/SCHEMA-RULES.md and the rule ids in the code, kept in step.

import BuiltBinaries
import Foundation
import Testing

@testable import CompatRunner

@Suite("Schema rule docs")
struct SchemaRuleDocsTests {
    /// docs/SCHEMA-RULES.md has a table row (`| \`id\` |`) for every rule id a finding can carry, and no other.
    @Test func everyRuleIdIsDocumented() throws {
        let text = try String(contentsOfFile: Built.repositoryRoot + "/docs/SCHEMA-RULES.md", encoding: .utf8)
        let documented = Set(
            text.split(separator: "\n").compactMap { line -> String? in
                guard line.hasPrefix("| `") else { return nil }
                return String(line.dropFirst(3).prefix { $0 != "`" })
            })
        let ids = Set(SchemaRule.allCases.map(\.rawValue) + LintRule.allCases.map(\.rawValue))
        #expect(documented == ids, "missing: \(ids.subtracting(documented).sorted()), unknown: \(documented.subtracting(ids).sorted())")
    }
}
