// The comparison at one locked version: the locked snapshot against today's snapshot at that
// version, with today's whole schema for what moved out of the version.

import TGP

/// The comparison at one locked version.
struct VersionDiff {
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
