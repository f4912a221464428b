// Intentional breaks: fixtures/allowed-breaks.json lists each allowed breaking change by its
// id (`field-moved@v3:NewOrder.side`) with the reason, reviewed like any other change. The
// schema diff splits its changes into breaking (not listed: the gate fails) and allowed
// (listed: the gate passes and prints them with their reasons). Never silent.

import Foundation
import MiniJSON
import TGP

/// One reviewed, intentional breaking change.
public struct AllowedBreak: Sendable, Hashable {
    /// `rule@location`, as ``BreakingChange/id``.
    public let id: String
    public let reason: String

    public init(id: String, reason: String) {
        self.id = id
        self.reason = reason
    }
}

/// fixtures/allowed-breaks.json: `[{"id": "field-moved@v3:NewOrder.side", "reason": "…"}]`.
public struct AllowedBreaks: Sendable, Hashable {
    public static let fileName = "allowed-breaks.json"

    public let entries: [AllowedBreak]

    public init(_ entries: [AllowedBreak] = []) {
        self.entries = entries
    }

    public func reason(for change: BreakingChange) -> String? {
        entries.first { $0.id == change.id }?.reason
    }

    /// Reads the file strictly; a missing file is an error unless `missingIsEmpty`.
    public static func load(path: String, missingIsEmpty: Bool = false) throws(ConfigError) -> AllowedBreaks {
        guard let data = FileManager.default.contents(atPath: path) else {
            if missingIsEmpty && !FileManager.default.fileExists(atPath: path) { return AllowedBreaks() }
            throw ConfigError("\(path): cannot read the allowed breaks file")
        }
        let json: JSON
        do {
            json = try JSON.parse(Array(data))
        } catch {
            throw ConfigError("\(path): \(error)")
        }
        return try AllowedBreaks(json: json, source: path)
    }

    public init(json: JSON, source: String) throws(ConfigError) {
        func fail(_ key: String, _ problem: String) -> ConfigError { ConfigError("\(source): \(key): \(problem)") }
        guard let list = json.arrayValue else {
            throw fail("(top level)", "must be an array of {\"id\": \"RULE@LOCATION\", \"reason\": \"…\"}, got \(json.typeName)")
        }
        var entries: [AllowedBreak] = []
        for (index, item) in list.enumerated() {
            let key = "[\(index)]"
            guard let object = item.objectValue else { throw fail(key, "must be an object with id and reason, got \(item.typeName)") }
            for name in object.keys where name != "id" && name != "reason" {
                throw fail("\(key).\(name)", "unknown key (expected id, reason)")
            }
            guard let idJSON = object["id"] else {
                throw fail("\(key).id", "missing: the change's RULE@LOCATION, e.g. field-moved@v3:NewOrder.side")
            }
            guard let id = idJSON.stringValue else { throw fail("\(key).id", "must be a string, got \(idJSON.typeName)") }
            guard let at = id.firstIndex(of: "@"), !id[id.index(after: at)...].isEmpty else {
                throw fail("\(key).id", "\"\(id)\" is not RULE@LOCATION, e.g. field-moved@v3:NewOrder.side")
            }
            let ruleText = String(id[..<at])
            guard let rule = SchemaRule(rawValue: ruleText), rule.isBreaking else {
                let breaking = SchemaRule.allCases.filter(\.isBreaking).map(\.rawValue).joined(separator: ", ")
                let allowed = SchemaRule(rawValue: ruleText)?.isBreaking == false ? " but an allowed evolution: nothing to allow" : ""
                throw fail("\(key).id", "\"\(ruleText)\" is not a rule id\(allowed) (\(breaking))")
            }
            guard !entries.contains(where: { $0.id == id }) else { throw fail("\(key).id", "\"\(id)\" is listed twice") }
            guard let reasonJSON = object["reason"] else {
                throw fail("\(key).reason", "missing: say why this break is intended (who decided, the ticket)")
            }
            guard let reason = reasonJSON.stringValue, !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw fail("\(key).reason", "must be a non-empty string")
            }
            entries.append(AllowedBreak(id: id, reason: reason))
        }
        self.entries = entries
    }

    public var json: JSON {
        .array(entries.map { ["id": .string($0.id), "reason": .string($0.reason)] })
    }
}

/// A breaking change the allowed-breaks file lists, with its reason.
public struct AllowedChange: Sendable, Hashable {
    public let change: BreakingChange
    public let reason: String
}

/// The schema section of the gate: today's schema against a baseline lock (or a new schema
/// against an old one).
public struct SchemaDiffReport: Sendable {
    /// Breaking changes not allowed: the gate fails (exit 1) if there is one.
    public let breaking: [BreakingChange]
    /// Breaking changes the allowed-breaks file lists, with their reasons; then the evolutions
    /// the rules allow, with the rule's reason.
    public let allowed: [AllowedChange]
    /// Allowed-breaks entries no change matches (remove them: they would allow a future break unseen).
    public let unusedAllowances: [AllowedBreak]
    /// What today's schema was compared with, e.g. `fixtures/schema-lock.json`.
    public let baselineDescription: String
    /// The baseline's versions.
    public let lockedVersions: [Int]
    /// Versions of today's schema the baseline does not hold: judged by the evolution rules only.
    public let unlockedVersions: [Int]
    /// What was compared with the baseline: `today's schema`, or a new schema's name.
    public let currentDescription: String
    /// Whether the baseline is the lock, which `compat schema lock` extends when a version is released.
    public let baselineIsLock: Bool

    /// `changes` split: those `allowances` lists and those whose rule allows them are allowed, the rest breaking.
    public init(
        changes: [BreakingChange], allowances: AllowedBreaks, baselineDescription: String,
        lockedVersions: [Int], unlockedVersions: [Int], currentDescription: String = "today's schema", baselineIsLock: Bool = true
    ) {
        var breaking: [BreakingChange] = []
        var allowed: [AllowedChange] = []
        for change in changes {
            if let reason = allowances.reason(for: change) ?? change.rule.allowance {
                allowed.append(AllowedChange(change: change, reason: reason))
            } else {
                breaking.append(change)
            }
        }
        let used = Set(changes.map(\.id))
        self.breaking = breaking
        self.allowed = allowed
        self.unusedAllowances = allowances.entries.filter { !used.contains($0.id) }
        self.baselineDescription = baselineDescription
        self.lockedVersions = lockedVersions
        self.unlockedVersions = unlockedVersions
        self.currentDescription = currentDescription
        self.baselineIsLock = baselineIsLock
    }

    /// No breaking change that is not allowed.
    public var passed: Bool { breaking.isEmpty }

    /// What `compat schema diff` exits with: 0 passed, 1 a breaking change that is not allowed.
    public var exitStatus: Int32 { passed ? 0 : 1 }

    /// The section as text: each breaking change (id and detail), each allowed one with its reason.
    public var rendered: String {
        var out =
            "schema: \(currentDescription) against \(baselineDescription) (versions \(lockedVersions.map(String.init).joined(separator: ", "))) and the evolution rules V1–V4\n"
        if !unlockedVersions.isEmpty {
            out +=
                "  not in the baseline, judged by the evolution rules V1–V4 only: \(unlockedVersions.map { "v\($0)" }.joined(separator: ", "))\(baselineIsLock ? " (run `compat schema lock` when released)" : "")\n"
        }
        for change in breaking { out += "  BREAKING  \(change.id)\n            \(change.detail)\n" }
        for allowed in allowed {
            out += "  allowed   \(allowed.change.id)\n            \(allowed.change.detail)\n            reason: \(allowed.reason)\n"
        }
        for unused in unusedAllowances {
            out += "  unused allowance \(unused.id): no such change (remove it from \(AllowedBreaks.fileName))\n"
        }
        out +=
            breaking.isEmpty
            ? "  no breaking change\(allowed.isEmpty ? "" : " beyond the \(allowed.count) allowed")\n"
            : "  \(breaking.count) breaking change\(breaking.count == 1 ? "" : "s") not allowed\(allowed.isEmpty ? "" : ", \(allowed.count) allowed")\n"
        return out
    }

    /// `compat schema diff --json`: the verdict and each finding by rule id and location.
    public var json: JSON {
        func finding(_ change: BreakingChange) -> JSONObject {
            [
                "id": .string(change.id), "rule": .string(change.rule.rawValue), "location": .string(change.location),
                "detail": .string(change.detail),
            ]
        }
        return .object([
            "passed": .bool(passed),
            "baseline": .string(baselineDescription),
            "lockedVersions": .array(lockedVersions.map { .integer($0) }),
            "unlockedVersions": .array(unlockedVersions.map { .integer($0) }),
            "breaking": .array(breaking.map { .object(finding($0)) }),
            "allowed": .array(
                allowed.map { allowed in
                    var entry = finding(allowed.change)
                    entry["reason"] = .string(allowed.reason)
                    return .object(entry)
                }),
            "unusedAllowances": .array(unusedAllowances.map { .object(["id": .string($0.id), "reason": .string($0.reason)]) }),
        ])
    }
}

/// The gate's schema section, and all of `compat schema diff`: `Schema.tgp` (or `schema`) against
/// `baseline` (nil: the fixtures' lock; a file; or a git ref) and the evolution rules, with the
/// fixtures' allowed-breaks file (or `allowedBreaks`), and the support policy of `support`'s matrix.
/// A missing default allowed-breaks file counts as empty; a wrong one is a ConfigError (exit 2).
public func schemaSection(
    fixtures: String, baseline: String?, allowedBreaks: String? = nil,
    schema: Schema = .tgp, support: MatrixConfig? = nil
) throws(ConfigError) -> SchemaDiffReport {
    let (lock, description) = try SchemaBaseline.load(baseline, fixtures: fixtures)
    let allowances = try AllowedBreaks.load(
        path: allowedBreaks ?? fixtures + "/" + AllowedBreaks.fileName,
        missingIsEmpty: allowedBreaks == nil)
    let versions = Dictionary(support?.peers.map { ($0.name, $0.version) } ?? [], uniquingKeysWith: { first, _ in first })
    let policy = SchemaDiff.supportViolations(support?.support ?? [], versions: versions, current: schema)
    let breaking = SchemaDiff.breakingChanges(locked: lock, current: schema)
    return SchemaDiffReport(
        changes: breaking + policy + SchemaDiff.allowedChanges(locked: lock, current: schema, breaking: breaking), allowances: allowances,
        baselineDescription: description, lockedVersions: lock.lockedVersions,
        unlockedVersions: schema.definedVersions.filter { lock.versions[$0] == nil })
}

/// `compat schema diff OLD NEW` (once schemas are read from SBE XML): `new` against `old`, a
/// released schema whose versions up to its `version` attribute are released, and the evolution
/// rules, with `allowances`. Each schema is named in the report by its display name (a path).
public func schemaComparison(
    old: Schema, oldName: String, new: Schema, newName: String, allowances: AllowedBreaks = AllowedBreaks()
) -> SchemaDiffReport {
    let released = old.releasedVersions
    return SchemaDiffReport(
        changes: SchemaDiff.changes(from: old, to: new), allowances: allowances, baselineDescription: oldName,
        lockedVersions: released, unlockedVersions: new.definedVersions.filter { $0 > (released.last ?? -1) }, currentDescription: newName,
        baselineIsLock: false)
}
