// Today's schema against the released-schema lock: for every locked version, today's
// snapshot at that version must be the locked one (V5). Each difference is a breaking change,
// named by a stable rule id and a location (`field-moved@v3:NewOrder.side`). What a version
// adds, locked or not (a v6 message, field or enum value), is judged by the evolution rules
// V1–V4 (SchemaEvolution.swift), which need no lock.

import TGP

/// The stable ids of breaking schema changes. An id never changes meaning: allowed-breaks
/// files and reports refer to them.
public enum SchemaRule: String, CaseIterable, Sendable, CustomStringConvertible {
    /// A released message type is gone: no message has its name or its template id.
    case templateRemoved = "template-removed"
    /// A released template id now names another message type (or a released type's name was changed).
    case templateReused = "template-reused"
    /// A released message type now has another template id.
    case templateRenumbered = "template-renumbered"
    /// A released version gained a message type (its `since` is at or below a released version).
    case messageAddedToReleasedVersion = "message-added-to-released-version"
    /// A released message type now goes the other way (`C→G`, `G→C`, `both`).
    case directionChanged = "direction-changed"
    /// A root field of a released version is gone.
    case fieldRemoved = "field-removed"
    /// A root field of a released version has a new name at the same offset.
    case fieldRenamed = "field-renamed"
    /// A root field of a released version is at another offset.
    case fieldMoved = "field-moved"
    /// A root field of a released version has another size.
    case fieldResized = "field-resized"
    /// A root field of a released version has another type of the same size (`u64`→`i64`, `u8`→an enum, one enum→another).
    case fieldRetyped = "field-retyped"
    /// A root field of a released version widens another field, or no longer does, or another one.
    case wideningChanged = "widening-changed"
    /// A released version gained a root field.
    case fieldAddedToReleasedVersion = "field-added-to-released-version"
    /// A field newer than a released version starts inside that version's root block or group entry.
    case fieldInsertedInReleasedBlock = "field-inserted-in-released-block"
    /// The `since` of a released message, field, group, var-data field or enum value changed.
    case sinceChanged = "since-changed"
    /// An enum value a released version knows is gone.
    case enumValueRemoved = "enum-value-removed"
    /// An enum value a released version knows has another number.
    case enumValueRenumbered = "enum-value-renumbered"
    /// A released enum number now has another name.
    case enumValueRenamed = "enum-value-renamed"
    /// A released version gained an enum value.
    case enumValueAddedToReleasedVersion = "enum-value-added-to-released-version"
    /// The default (R1: the value of an absent field) of an enum used by a released version changed.
    case defaultChanged = "default-changed"
    /// The var-data fields of a released version are in another order, or a newer one comes before them.
    case varDataOrderChanged = "var-data-order-changed"
    /// A var-data field of a released version is gone.
    case varDataRemoved = "var-data-removed"
    /// A released version gained a var-data field.
    case varDataAddedToReleasedVersion = "var-data-added-to-released-version"
    /// The groups of a released version are in another order, or a newer one comes before them.
    case groupOrderChanged = "group-order-changed"
    /// A group of a released version is gone.
    case groupRemoved = "group-removed"
    /// A released version gained a group.
    case groupAddedToReleasedVersion = "group-added-to-released-version"
    /// A group entry field of a released version is gone, renamed, moved, resized, retyped or new.
    case groupEntryLayoutChanged = "group-entry-layout-changed"
    /// A peer of a released version negotiates fewer versions than it did.
    case rangeNarrowed = "range-narrowed"
    /// A peer of a released version claims versions its released binaries do not negotiate.
    case rangeWidened = "range-widened"
    /// A released version's root block or group entry length changed.
    case blockLengthChanged = "block-length-changed"
    /// The schema id in every header changed.
    case schemaIdChanged = "schema-id-changed"
    /// A protocol limit (frame size, var-data length, group entries) changed.
    case limitChanged = "limit-changed"
    /// A released version is no longer in the schema.
    case versionRemoved = "version-removed"

    // The evolution rules, judged on the schema alone for every version, released or not
    // (SchemaEvolution.swift): what a version adds must be skippable by every older decoder.

    /// V1: a root or group entry field starts inside the block or entry of the version before its own.
    case fieldInsertedInOlderBlock = "field-inserted-in-older-block"
    /// V2: a var-data field comes before a var-data field of an older version.
    case varDataInsertedBeforeOlder = "var-data-inserted-before-older"
    /// V3: a group comes before a group of an older version.
    case groupInsertedBeforeOlder = "group-inserted-before-older"
    /// V3: a group newer than its message, in a message with var-data in any version.
    case groupAddedToMessageWithVarData = "group-added-to-message-with-var-data"
    /// V4: the `since` of a message, field, group, var-data field or enum value is not a version of the schema.
    case sinceNotAVersion = "since-not-a-version"
    /// V4: a message type takes the template id of an older (or earlier listed) one.
    case templateIdDuplicated = "template-id-duplicated"
    /// V4: an enum value takes the number of an older (or earlier listed) value of its enum.
    case enumValueNumberDuplicated = "enum-value-number-duplicated"
    /// The ranges no longer let a gateway serve a client that matrix.json's support policy says it must.
    case supportCutOff = "support-cut-off"

    public var description: String { rawValue }
}

/// One breaking difference between a released entry and today's schema.
public struct BreakingChange: Sendable, Hashable, CustomStringConvertible {
    public let rule: SchemaRule
    /// Where: `v3:NewOrder.side`, `v2:Side.SellShort`, `v4:MarketDataSnapshot.levels.bidOrders`, `v4:peer-range`, `limits.maxFrameSize`.
    public let location: String
    /// What changed, in words: `offset 20 → 21`.
    public let detail: String

    public init(rule: SchemaRule, location: String, detail: String) {
        self.rule = rule
        self.location = location
        self.detail = detail
    }

    /// `rule@location`: the id an allowed-breaks entry names.
    public var id: String { "\(rule.rawValue)@\(location)" }

    public var description: String { "\(id): \(detail)" }
}

public enum SchemaDiff {
    /// The support policy's pairs whose ranges in `current` do not overlap: each a breaking
    /// change at `gateway=G:client=C`. A pair naming a version the schema lacks is skipped
    /// (the matrix check reports those).
    public static func supportViolations(_ support: [SupportEntry], versions: [String: Int], current: Schema) -> [BreakingChange] {
        support.flatMap { entry in
            entry.clients.compactMap { client -> BreakingChange? in
                guard let gatewayVersion = versions[entry.gateway], let clientVersion = versions[client],
                    let gatewayRange = current.peerRanges[gatewayVersion], let clientRange = current.peerRanges[clientVersion],
                    case .rejected = Negotiation(client: clientRange, gateway: gatewayRange)
                else { return nil }
                return BreakingChange(
                    rule: .supportCutOff, location: "gateway=\(entry.gateway):client=\(client)",
                    detail:
                        "the support policy says \(entry.gateway) (versions \(gatewayRange.lowerBound)..\(gatewayRange.upperBound)) must serve \(client) (\(clientRange.lowerBound)..\(clientRange.upperBound)); their ranges do not overlap"
                )
            }
        }
    }

    /// Every breaking change of `current`: those against the released entries of `locked`, then
    /// the evolution rules' violations those do not already name.
    public static func breakingChanges(locked: SchemaLock, current: Schema) -> [BreakingChange] {
        let released = releasedChanges(locked: locked, current: current)
        return released + SchemaEvolution.violations(of: current, notNamedIn: released)
    }

    /// The changes of `current` against the released entries of `locked`, by version, in schema
    /// order; the same change shows once per locked version where it shows on the wire.
    static func releasedChanges(locked: SchemaLock, current: Schema) -> [BreakingChange] {
        var changes: [BreakingChange] = []
        if locked.schemaId != Int(current.schemaId) {
            changes.append(
                BreakingChange(
                    rule: .schemaIdChanged, location: "schemaId",
                    detail: "schema id \(locked.schemaId) → \(current.schemaId) in every header"))
        }
        for ((key, old), (_, new)) in zip(locked.limits.entries, SchemaLimits(current).entries) where old != new {
            changes.append(BreakingChange(rule: .limitChanged, location: "limits.\(key)", detail: "\(key) \(old) → \(new)"))
        }
        for version in locked.lockedVersions {
            guard let now = SchemaSnapshot(current, version: version) else {
                changes.append(
                    BreakingChange(
                        rule: .versionRemoved, location: "v\(version)",
                        detail: "released version \(version) is no longer in the schema's peer ranges"))
                continue
            }
            var diff = VersionDiff(version: version, lock: locked, locked: locked.versions[version]!, now: now, schema: current)
            diff.run()
            changes += diff.changes
        }
        return changes
    }
}

/// The comparison at one locked version.
private struct VersionDiff {
    let version: Int
    let lock: SchemaLock
    let locked: SchemaSnapshot
    let now: SchemaSnapshot
    /// Today's whole schema, for items that moved out of this version (their `since` went up).
    let schema: Schema
    var changes: [BreakingChange] = []

    init(version: Int, lock: SchemaLock, locked: SchemaSnapshot, now: SchemaSnapshot, schema: Schema) {
        self.version = version
        self.lock = lock
        self.locked = locked
        self.now = now
        self.schema = schema
    }

    mutating func report(_ rule: SchemaRule, _ location: String, _ detail: String) {
        changes.append(BreakingChange(rule: rule, location: "v\(version):\(location)", detail: detail))
    }

    /// The newest locked snapshot of a message, from any locked version.
    func lockedAnywhere(message name: String) -> MessageSnapshot? {
        for version in lock.lockedVersions.reversed() {
            if let message = lock.versions[version]!.message(named: name) { return message }
        }
        return nil
    }

    func lockedAnywhere(enum name: String) -> EnumSnapshot? {
        for version in lock.lockedVersions.reversed() {
            if let snapshot = lock.versions[version]!.enumeration(named: name) { return snapshot }
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
        let (old, new) = (locked.peerRange, now.peerRange)
        if new.lowerBound > old.lowerBound || new.upperBound < old.upperBound {
            report(
                .rangeNarrowed, "peer-range",
                "released v\(version) peers negotiate \(old.lowerBound)..\(old.upperBound), today's schema says \(new.lowerBound)..\(new.upperBound)"
            )
        }
        if new.lowerBound < old.lowerBound || new.upperBound > old.upperBound {
            report(
                .rangeWidened, "peer-range",
                "released v\(version) peers negotiate \(old.lowerBound)..\(old.upperBound), today's schema says \(new.lowerBound)..\(new.upperBound)"
            )
        }
        compareMessages()
        compareEnums()
    }

    // MARK: Messages

    mutating func compareMessages() {
        for old in locked.messages {
            let current = schema.message(named: old.name)
            if let byId = schema.message(templateId: UInt16(old.templateId)), byId.name != old.name {
                report(.templateReused, old.name, "template \(old.templateId) was \(old.name), today it is \(byId.name)")
            }
            guard let current else {
                if schema.message(templateId: UInt16(old.templateId)) == nil {
                    report(.templateRemoved, old.name, "message \(old.name) (template \(old.templateId)) is gone")
                }
                continue
            }
            if Int(current.templateId) != old.templateId {
                report(.templateRenumbered, old.name, "template id \(old.templateId) → \(current.templateId)")
            }
            guard let new = now.message(named: old.name) else {
                report(.sinceChanged, old.name, "message since \(old.since) → \(current.since), so v\(version) no longer has it")
                continue
            }
            if new.direction != old.direction {
                report(.directionChanged, old.name, "direction \(old.direction) → \(new.direction)")
            }
            if new.since != old.since {
                report(.sinceChanged, old.name, "message since \(old.since) → \(new.since)")
            }
            compareFields(
                old.fields, new.fields, all: current.fields, blockLength: current.blockLength(at: version),
                location: old.name, entry: false, oldOwnerSince: old.since, newOwnerSince: new.since,
                lockedAnywhere: lockedAnywhere(message: old.name)?.fields ?? [])
            if new.blockLength != old.blockLength {
                report(.blockLengthChanged, old.name, "v\(version) root block length \(old.blockLength) → \(new.blockLength)")
            }
            compareGroups(old, new, current)
            compareVarData(old, new, current)
        }
        let lockedNames = Set(locked.messages.map(\.name))
        let lockedIds = Set(locked.messages.map(\.templateId))
        for new in now.messages where !lockedNames.contains(new.name) && !lockedIds.contains(new.templateId) {
            added(
                .messageAddedToReleasedVersion, new.name, what: "message \(new.name) (template \(new.templateId))",
                since: new.since, lockedSince: lockedAnywhere(message: new.name)?.since)
        }
    }

    /// Root fields (`entry: false`) or one group's entry fields (`entry: true`, every layout
    /// change is `group-entry-layout-changed`).
    mutating func compareFields(
        _ oldFields: [FieldSnapshot], _ newFields: [FieldSnapshot], all: [FieldSchema], blockLength: Int,
        location: String, entry: Bool, oldOwnerSince: Int, newOwnerSince: Int, lockedAnywhere: [FieldSnapshot]
    ) {
        func rule(_ root: SchemaRule) -> SchemaRule { entry ? .groupEntryLayoutChanged : root }
        /// Group entry changes share one rule: the detail says which kind.
        func say(_ kind: String, _ detail: String) -> String { entry ? "\(kind): \(detail)" : detail }
        let oldNames = Set(oldFields.map(\.name))
        var renameTargets: Set<String> = []
        for old in oldFields {
            let at = "\(location).\(old.name)"
            var new = newFields.first { $0.name == old.name }
            if new == nil {
                if let moved = all.first(where: { $0.name == old.name }) {
                    report(.sinceChanged, at, "field since \(old.since) → \(moved.since), so v\(version) no longer has it")
                    continue
                }
                if let renamed = newFields.first(where: { $0.offset == old.offset && !oldNames.contains($0.name) }) {
                    report(rule(.fieldRenamed), at, say("renamed", "field \(old.name) @\(old.offset) is now named \(renamed.name)"))
                    renameTargets.insert(renamed.name)
                    new = renamed
                } else {
                    report(rule(.fieldRemoved), at, say("removed", "field \(old.name) \(old.type) @\(old.offset) is gone"))
                    continue
                }
            }
            guard let new else { continue }
            if new.offset != old.offset {
                report(rule(.fieldMoved), at, say("moved", "offset \(old.offset) → \(new.offset)"))
            }
            if new.size != old.size {
                report(rule(.fieldResized), at, say("resized", "\(old.type) (\(old.size) bytes) → \(new.type) (\(new.size) bytes)"))
            } else if new.type != old.type {
                report(rule(.fieldRetyped), at, say("retyped", "type \(old.type) → \(new.type)"))
            }
            if new.widens != old.widens {
                report(
                    rule(.wideningChanged), at, say("widening changed", "widens \(old.widens ?? "nothing") → \(new.widens ?? "nothing")"))
            }
            // A field's since follows its message's or group's when it has none of its own: that
            // change is reported once, for the owner.
            if new.since != old.since && !(old.since == oldOwnerSince && new.since == newOwnerSince) {
                report(.sinceChanged, at, "field since \(old.since) → \(new.since)")
            }
        }
        for new in newFields where !oldNames.contains(new.name) && !renameTargets.contains(new.name) {
            added(
                rule(.fieldAddedToReleasedVersion), "\(location).\(new.name)",
                what: say("added", "field \(new.name) \(new.type) @\(new.offset)"),
                since: new.since, lockedSince: lockedAnywhere.first { $0.name == new.name }?.since)
        }
        for newer in all where newer.since > version && newer.offset < blockLength {
            report(
                .fieldInsertedInReleasedBlock, "\(location).\(newer.name)",
                "field \(newer.name) (since \(newer.since)) @\(newer.offset) starts inside the v\(version) block of \(blockLength) bytes")
        }
    }

    mutating func compareGroups(_ old: MessageSnapshot, _ new: MessageSnapshot, _ current: MessageSchema) {
        let newNames = Set(new.groups.map(\.name))
        let oldNames = Set(old.groups.map(\.name))
        let lockedGroups = lockedAnywhere(message: old.name)?.groups ?? []
        for oldGroup in old.groups {
            let at = "\(old.name).\(oldGroup.name)"
            guard let newGroup = new.groups.first(where: { $0.name == oldGroup.name }) else {
                if let moved = current.groups.first(where: { $0.name == oldGroup.name }) {
                    report(.sinceChanged, at, "group since \(oldGroup.since) → \(moved.since), so v\(version) no longer has it")
                } else {
                    report(.groupRemoved, at, "group \(oldGroup.name) is gone")
                }
                continue
            }
            if newGroup.since != oldGroup.since && !(oldGroup.since == old.since && newGroup.since == new.since) {
                report(.sinceChanged, at, "group since \(oldGroup.since) → \(newGroup.since)")
            }
            let schemaGroup = current.groups.first { $0.name == oldGroup.name }!
            compareFields(
                oldGroup.fields, newGroup.fields, all: schemaGroup.fields, blockLength: schemaGroup.blockLength(at: version),
                location: at, entry: true, oldOwnerSince: oldGroup.since, newOwnerSince: newGroup.since,
                lockedAnywhere: lockedGroups.first { $0.name == oldGroup.name }?.fields ?? [])
            if newGroup.blockLength != oldGroup.blockLength {
                report(.blockLengthChanged, at, "v\(version) entry block length \(oldGroup.blockLength) → \(newGroup.blockLength)")
            }
        }
        for newGroup in new.groups where !oldNames.contains(newGroup.name) {
            added(
                .groupAddedToReleasedVersion, "\(old.name).\(newGroup.name)", what: "group \(newGroup.name)",
                since: newGroup.since, lockedSince: lockedGroups.first { $0.name == newGroup.name }?.since)
        }
        checkOrder(
            old: old.groups.map(\.name).filter(newNames.contains), today: current.groups.map { ($0.name, $0.since) },
            rule: .groupOrderChanged, message: old.name, kind: "groups")
    }

    mutating func compareVarData(_ old: MessageSnapshot, _ new: MessageSnapshot, _ current: MessageSchema) {
        let newNames = Set(new.varData.map(\.name))
        let oldNames = Set(old.varData.map(\.name))
        let lockedVars = lockedAnywhere(message: old.name)?.varData ?? []
        for oldVar in old.varData {
            let at = "\(old.name).\(oldVar.name)"
            guard let newVar = new.varData.first(where: { $0.name == oldVar.name }) else {
                if let moved = current.varData.first(where: { $0.name == oldVar.name }) {
                    report(.sinceChanged, at, "var-data since \(oldVar.since) → \(moved.since), so v\(version) no longer has it")
                } else {
                    report(.varDataRemoved, at, "var-data field \(oldVar.name) is gone")
                }
                continue
            }
            if newVar.since != oldVar.since && !(oldVar.since == old.since && newVar.since == new.since) {
                report(.sinceChanged, at, "var-data since \(oldVar.since) → \(newVar.since)")
            }
        }
        for newVar in new.varData where !oldNames.contains(newVar.name) {
            added(
                .varDataAddedToReleasedVersion, "\(old.name).\(newVar.name)", what: "var-data field \(newVar.name)",
                since: newVar.since, lockedSince: lockedVars.first { $0.name == newVar.name }?.since)
        }
        checkOrder(
            old: old.varData.map(\.name).filter(newNames.contains), today: current.varData.map { ($0.name, $0.since) },
            rule: .varDataOrderChanged, message: old.name, kind: "var-data")
    }

    /// Released items keep their relative order, and nothing newer than this version comes before one of them.
    mutating func checkOrder(old: [String], today: [(name: String, since: Int)], rule: SchemaRule, message: String, kind: String) {
        let kept = Set(old)
        let todayOrder = today.map(\.name).filter(kept.contains)
        if todayOrder != old {
            report(rule, message, "v\(version) \(kind) order \(old.joined(separator: ", ")) → \(todayOrder.joined(separator: ", "))")
        }
        guard let lastReleased = today.lastIndex(where: { $0.since <= version }) else { return }
        for (index, item) in today[..<lastReleased].enumerated() where item.since > version {
            let next = today[(index + 1)...].first { $0.since <= version }!.name
            report(
                rule, message,
                "\(item.name) (since \(item.since)) comes before \(next), which v\(version) has: a v\(version) receiver would read it as \(next)"
            )
        }
    }

    // MARK: Enums

    mutating func compareEnums() {
        for old in locked.enums {
            // An enum no field of this version uses any more: the fields' changes say why.
            guard let new = now.enumeration(named: old.name) else { continue }
            let current = Self.enumSchema(named: old.name, in: schema)
            if new.defaultValue != old.defaultValue {
                func label(_ value: Int) -> String {
                    current?.value(UInt64(value)).map { "\(value) \($0.name)" } ?? String(value)
                }
                let oldName = (old.values + (lockedAnywhere(enum: old.name)?.values ?? [])).first { $0.value == old.defaultValue }?.name
                report(
                    .defaultChanged, old.name, "default \(old.defaultValue)\(oldName.map { " \($0)" } ?? "") → \(label(new.defaultValue))")
            }
            let newNames = Set(new.values.map(\.name))
            let oldNames = Set(old.values.map(\.name))
            for oldValue in old.values {
                let at = "\(old.name).\(oldValue.name)"
                if let newValue = new.values.first(where: { $0.name == oldValue.name }) {
                    if newValue.value != oldValue.value {
                        report(.enumValueRenumbered, at, "value \(oldValue.value) → \(newValue.value)")
                    }
                    if newValue.since != oldValue.since {
                        report(.sinceChanged, at, "enum value since \(oldValue.since) → \(newValue.since)")
                    }
                } else if let moved = current?.value(named: oldValue.name) {
                    if Int(moved.value) != oldValue.value {
                        report(.enumValueRenumbered, at, "value \(oldValue.value) → \(moved.value)")
                    }
                    report(.sinceChanged, at, "enum value since \(oldValue.since) → \(moved.since), so v\(version) no longer has it")
                } else if let reused = current?.value(UInt64(oldValue.value)) {
                    report(.enumValueRenamed, at, "value \(oldValue.value) was \(oldValue.name), today it is \(reused.name)")
                } else {
                    report(.enumValueRemoved, at, "value \(oldValue.value) \(oldValue.name) is gone")
                }
            }
            let renamedNumbers = Set(
                old.values.filter { !newNames.contains($0.name) && current?.value(named: $0.name) == nil }.map(\.value))
            for newValue in new.values where !oldNames.contains(newValue.name) && !renamedNumbers.contains(newValue.value) {
                added(
                    .enumValueAddedToReleasedVersion, "\(old.name).\(newValue.name)", what: "enum value \(newValue.value) \(newValue.name)",
                    since: newValue.since, lockedSince: lockedAnywhere(enum: old.name)?.values.first { $0.name == newValue.name }?.since)
            }
        }
    }

    /// The enum as today's fields carry it (the schema's list as a fallback).
    static func enumSchema(named name: String, in schema: Schema) -> EnumSchema? {
        schema.enumsAsCarried.first { $0.name == name }
    }
}

// MARK: - Releasing a version

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
        let added = schema.versions.filter { existing.versions[$0] == nil }
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
