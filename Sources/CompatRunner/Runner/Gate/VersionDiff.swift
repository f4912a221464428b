// The comparison at one locked version: the locked snapshot against today's snapshot at that
// version, with today's whole schema for what moved out of the version. Blocks (fields,
// groups, var-data) are compared in VersionDiffBlocks.swift, types (enums, sets, composites)
// in VersionDiffTypes.swift.

import TGP

/// The comparison at one locked version.
struct VersionDiff {
    let version: Int
    let lock: SchemaLock
    let locked: SchemaSnapshot
    let now: SchemaSnapshot
    /// Today's whole schema, for items that moved out of this version (their `since` went up).
    let schema: Schema
    /// Today's enums, sets and composites as the fields carry them.
    let carried: CarriedTypes
    var changes: [BreakingChange] = []

    init(version: Int, lock: SchemaLock, locked: SchemaSnapshot, now: SchemaSnapshot, schema: Schema) {
        self.version = version
        self.lock = lock
        self.locked = locked
        self.now = now
        self.schema = schema
        self.carried = CarriedTypes(schema)
    }

    mutating func report(_ rule: SchemaRule, _ location: String, _ detail: String) {
        changes.append(BreakingChange(rule: rule, location: "v\(version):\(location)", detail: detail))
    }

    /// The newest locked snapshot of an item, from any locked version: what a released version
    /// knew of something today's version has with another `since`.
    func lockedAnywhere<T>(_ find: (SchemaSnapshot) -> T?) -> T? {
        for version in lock.lockedVersions.reversed() {
            if let found = find(lock.versions[version]!) { return found }
        }
        return nil
    }

    /// An item of today's version that the locked entry lacks: added, unless a locked entry
    /// of another version has it with another `since` (it moved into this version).
    mutating func added(_ rule: SchemaRule, _ location: String, what: String, since: Int, lockedSince: Int?) {
        if let lockedSince, lockedSince != since {
            report(.sinceChanged, location, "\(what): since \(lockedSince) → \(since), so v\(version) now has it")
        } else {
            report(rule, location, "\(what) is new in released version \(version) (since \(since))")
        }
    }

    mutating func run() {
        comparePeerRange()
        compareMessages()
        compareEnums()
        compareSets()
        compareComposites()
    }

    /// Only a schema that names its peers has ranges to compare.
    mutating func comparePeerRange() {
        guard let old = locked.peerRange, let new = now.peerRange else { return }
        let detail =
            "released v\(version) peers negotiate \(old.lowerBound)..\(old.upperBound), today's schema says \(new.lowerBound)..\(new.upperBound)"
        if new.lowerBound > old.lowerBound || new.upperBound < old.upperBound { report(.rangeNarrowed, "peer-range", detail) }
        if new.lowerBound < old.lowerBound || new.upperBound > old.upperBound { report(.rangeWidened, "peer-range", detail) }
    }

    // MARK: Messages

    mutating func compareMessages() {
        for old in locked.messages { compareMessage(old) }
        let lockedNames = Set(locked.messages.map(\.name))
        let lockedIds = Set(locked.messages.map(\.templateId))
        for new in now.messages where !lockedNames.contains(new.name) && !lockedIds.contains(new.templateId) {
            added(
                .messageAddedToReleasedVersion, new.name, what: "message \(new.name) (template \(new.templateId))",
                since: new.since, lockedSince: lockedAnywhere { $0.message(named: new.name) }?.since)
        }
    }

    mutating func compareMessage(_ old: MessageSnapshot) {
        let current = schema.message(named: old.name)
        if let byId = schema.message(templateId: UInt16(old.templateId)), byId.name != old.name {
            report(.templateReused, old.name, "template \(old.templateId) was \(old.name), today it is \(byId.name)")
        }
        guard let current else {
            if schema.message(templateId: UInt16(old.templateId)) == nil {
                report(.templateRemoved, old.name, "message \(old.name) (template \(old.templateId)) is gone")
            }
            return
        }
        if Int(current.templateId) != old.templateId {
            report(.templateRenumbered, old.name, "template id \(old.templateId) → \(current.templateId)")
        }
        guard let new = now.message(named: old.name) else {
            report(.sinceChanged, old.name, "message since \(old.since) → \(current.since), so v\(version) no longer has it")
            return
        }
        if new.direction != old.direction {
            report(.directionChanged, old.name, "direction \(old.direction) → \(new.direction)")
        }
        if new.since != old.since {
            report(.sinceChanged, old.name, "message since \(old.since) → \(new.since)")
        }
        compareBlock(
            old.name, old: BlockSide(old), new: BlockSide(new),
            current: CurrentBlock(
                fields: current.fields, groups: current.groups, varData: current.varData, blockLength: current.blockLength(at: version)),
            lockedAnywhere: lockedAnywhere { $0.message(named: old.name) }.map(BlockSide.init), root: true,
            blockLengths: (old.blockLength, new.blockLength))
    }
}
