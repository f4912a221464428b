// `compat schema lock`: releasing a version adds its entry; a released entry never changes
// unless the break is accepted.

import TGP

/// A released entry would change: the changes, none written.
public struct SchemaLockRefusal: Error, Sendable, CustomStringConvertible {
    public let changes: [BreakingChange]

    public var description: String {
        "the schema lock was not written: \(changes.count) released entr\(changes.count == 1 ? "y" : "ies") would change "
            + "(a break needs --allow-breaking and an entry in allowed-breaks.json):\n"
            + changes.map { "  \($0)" }.joined(separator: "\n")
    }
}

/// What `compat schema lock` does to the lock.
public struct SchemaLockUpdate: Sendable {
    /// The lock to write.
    public let lock: SchemaLock
    /// Versions of today's schema that had no entry and now have one.
    public let addedVersions: [Int]
    /// Breaking changes the rewrite accepted (only with `allowBreaking`).
    public let acceptedChanges: [BreakingChange]
    /// Whether `lock` differs from the lock it started from.
    public let changed: Bool
}

extension SchemaLock {
    /// The lock after releasing today's versions: an entry for each version of `schema` the lock
    /// does not hold yet; released entries stay as they are. If a released entry would change
    /// (a breaking change), refuses, unless `allowBreaking`: then every entry is rewritten from
    /// `schema` and the accepted changes are returned. `existing` nil: a new lock of every version.
    public static func updating(_ existing: SchemaLock?, to schema: Schema, allowBreaking: Bool) throws(SchemaLockRefusal)
        -> SchemaLockUpdate
    {
        guard let existing else {
            let lock = SchemaLock(schema: schema)
            return SchemaLockUpdate(lock: lock, addedVersions: lock.lockedVersions, acceptedChanges: [], changed: true)
        }
        let changes = SchemaDiff.breakingChanges(locked: existing, current: schema)
        let added = schema.definedVersions.filter { existing.versions[$0] == nil }
        if !changes.isEmpty {
            guard allowBreaking else { throw SchemaLockRefusal(changes: changes) }
            let lock = SchemaLock(schema: schema)
            return SchemaLockUpdate(lock: lock, addedVersions: added, acceptedChanges: changes, changed: lock != existing)
        }
        var lock = existing
        for version in added { lock.versions[version] = SchemaSnapshot(schema, version: version) }
        return SchemaLockUpdate(lock: lock, addedVersions: added, acceptedChanges: [], changed: !added.isEmpty)
    }
}
