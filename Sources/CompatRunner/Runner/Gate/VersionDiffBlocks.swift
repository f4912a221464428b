// The per-version comparison of blocks: a message's root block or a group's entry (fields,
// then nested groups and var-data, to any depth), and a composite's members. A released
// version's fields keep their name, place, size, type, presence, values and range; its groups
// and var-data keep their order, dimension and encoding; nothing newer comes before them.

import TGP

/// One side of a block owner (a message or a group entry) at one version.
struct BlockSide {
    let since: Int
    let fields: [FieldSnapshot]
    let groups: [GroupSnapshot]
    let varData: [VarDataSnapshot]

    init(_ message: MessageSnapshot) {
        (since, fields, groups, varData) = (message.since, message.fields, message.groups, message.varData)
    }

    init(_ group: GroupSnapshot) {
        (since, fields, groups, varData) = (group.since, group.fields, group.groups, group.varData)
    }
}

/// Today's whole block owner, every version's parts, and its block length at the compared version.
struct CurrentBlock {
    let fields: [FieldSchema]
    let groups: [GroupSchema]
    let varData: [VarDataSchema]
    let blockLength: Int
}

/// Where fields sit: a root block's changes each have a rule; a group entry's layout changes
/// share `group-entry-layout-changed` and a composite's `composite-layout-changed`, the detail
/// saying which kind.
enum FieldScope {
    case root, entry, composite

    func rule(_ root: SchemaRule) -> SchemaRule {
        switch self {
        case .root: root
        case .entry: .groupEntryLayoutChanged
        case .composite: .compositeLayoutChanged
        }
    }

    func say(_ kind: String, _ detail: String) -> String { self == .root ? detail : "\(kind): \(detail)" }
}

extension VersionDiff {
    /// A message's root block (`root`) or a group's entry: fields, block length, then groups and var-data.
    mutating func compareBlock(
        _ location: String, old: BlockSide, new: BlockSide, current: CurrentBlock, lockedAnywhere: BlockSide?, root: Bool,
        blockLengths: (old: Int, new: Int)
    ) {
        compareFields(
            old.fields, new.fields, all: current.fields, blockLength: current.blockLength, location: location,
            scope: root ? .root : .entry, ownerSince: (old.since, new.since), lockedAnywhere: lockedAnywhere?.fields ?? [])
        if blockLengths.new != blockLengths.old {
            report(
                .blockLengthChanged, location,
                "v\(version) \(root ? "root block" : "entry block") length \(blockLengths.old) → \(blockLengths.new)")
        }
        compareGroups(location, old: old, new: new, current: current, lockedAnywhere: lockedAnywhere)
        compareVarData(location, old: old, new: new, current: current, lockedAnywhere: lockedAnywhere)
    }

    // MARK: Fields

    /// The fields of one block or composite. `all` is today's every field of it, for those that
    /// moved out of this version; `blockLength` the length this version writes, which no newer
    /// field may start inside (nil for a composite, whose size is its own); `ownerSince` the
    /// message's or group's since on both sides (nil for a composite).
    mutating func compareFields(
        _ oldFields: [FieldSnapshot], _ newFields: [FieldSnapshot], all: [FieldSchema], blockLength: Int?,
        location: String, scope: FieldScope, ownerSince: (old: Int, new: Int)?, lockedAnywhere: [FieldSnapshot]
    ) {
        let oldNames = Set(oldFields.map(\.name))
        var renameTargets: Set<String> = []
        for old in oldFields {
            let at = "\(location).\(old.name)"
            guard let new = matching(old, in: newFields, all: all, oldNames: oldNames, at: at, scope: scope) else { continue }
            if new.name != old.name { renameTargets.insert(new.name) }
            compareLayout(old, new, at: at, scope: scope)
            compareValues(old, new, at: at)
            // A field's since follows its message's or group's when it has none of its own: that
            // change is reported once, for the owner.
            if new.since != old.since && !(old.since == ownerSince?.old && new.since == ownerSince?.new) {
                report(.sinceChanged, at, "field since \(old.since) → \(new.since)")
            }
        }
        for new in newFields where !oldNames.contains(new.name) && !renameTargets.contains(new.name) {
            added(
                scope.rule(.fieldAddedToReleasedVersion), "\(location).\(new.name)",
                what: scope.say("added", "field \(new.name) \(new.type) @\(new.offset)"),
                since: new.since, lockedSince: lockedAnywhere.first { $0.name == new.name }?.since)
        }
        guard let blockLength else { return }
        // A constant takes no bytes: it is inside no block.
        for newer in all where newer.since > version && newer.offset < blockLength && !newer.presence.isConstant {
            report(
                .fieldInsertedInReleasedBlock, "\(location).\(newer.name)",
                "field \(newer.name) (since \(newer.since)) @\(newer.offset) starts inside the v\(version) block of \(blockLength) bytes")
        }
    }

    /// Today's field for a released one: by name, or the new name at its offset (reported as a
    /// rename); nil when it moved out of this version or is gone (reported).
    private mutating func matching(
        _ old: FieldSnapshot, in newFields: [FieldSnapshot], all: [FieldSchema], oldNames: Set<String>, at: String, scope: FieldScope
    ) -> FieldSnapshot? {
        if let new = newFields.first(where: { $0.name == old.name }) { return new }
        if let moved = all.first(where: { $0.name == old.name }) {
            report(.sinceChanged, at, "field since \(old.since) → \(moved.since), so v\(version) no longer has it")
            return nil
        }
        if let renamed = newFields.first(where: { $0.offset == old.offset && !oldNames.contains($0.name) }) {
            report(scope.rule(.fieldRenamed), at, scope.say("renamed", "field \(old.name) @\(old.offset) is now named \(renamed.name)"))
            return renamed
        }
        report(scope.rule(.fieldRemoved), at, scope.say("removed", "field \(old.name) \(old.type) @\(old.offset) is gone"))
        return nil
    }

    private mutating func compareLayout(_ old: FieldSnapshot, _ new: FieldSnapshot, at: String, scope: FieldScope) {
        if new.offset != old.offset {
            report(scope.rule(.fieldMoved), at, scope.say("moved", "offset \(old.offset) → \(new.offset)"))
        }
        if new.size != old.size {
            report(scope.rule(.fieldResized), at, scope.say("resized", "\(old.type) (\(old.size) bytes) → \(new.type) (\(new.size) bytes)"))
        } else if new.type != old.type {
            report(scope.rule(.fieldRetyped), at, scope.say("retyped", "type \(old.type) → \(new.type)"))
        }
        if new.widens != old.widens {
            report(
                scope.rule(.wideningChanged), at,
                scope.say("widening changed", "widens \(old.widens ?? "nothing") → \(new.widens ?? "nothing")"))
        }
    }

    /// Presence, a constant's value, an optional field's null value and the valid range: what a
    /// released receiver takes a value to mean.
    private mutating func compareValues(_ old: FieldSnapshot, _ new: FieldSnapshot, at: String) {
        guard new.presence == old.presence else {
            report(.presenceChanged, at, "presence \(old.presence) → \(new.presence)")
            return
        }
        if new.value != old.value {
            report(.constantValueChanged, at, "constant value \(old.value ?? "none") → \(new.value ?? "none")")
        }
        if new.nullValue != old.nullValue {
            report(
                .nullValueChanged, at,
                "null value \(old.nullValue ?? "none") → \(new.nullValue ?? "none"): a released receiver reads the other as a value")
        }
        // Another type has other default bounds; its change is reported as such.
        if new.type == old.type { compareRange(old, new, at: at) }
    }

    /// A narrower range rejects what a released sender may send; a wider one lets today's senders
    /// send what a released receiver rejects. Both change the released version: each is breaking.
    private mutating func compareRange(_ old: FieldSnapshot, _ new: FieldSnapshot, at: String) {
        guard old.minValue != new.minValue || old.maxValue != new.maxValue else { return }
        let bounds = SnapshotValue.defaultRange(ofType: old.type)
        guard let oldMin = old.minValue ?? bounds?.min, let oldMax = old.maxValue ?? bounds?.max,
            let newMin = new.minValue ?? bounds?.min, let newMax = new.maxValue ?? bounds?.max,
            let minOrder = SnapshotValue.compare(newMin, oldMin), let maxOrder = SnapshotValue.compare(newMax, oldMax)
        else { return }
        let range = "valid range \(oldMin)..\(oldMax) → \(newMin)..\(newMax)"
        if minOrder > 0 || maxOrder < 0 {
            report(.valueRangeNarrowed, at, "\(range): a released sender's value outside it is now invalid")
        }
        if minOrder < 0 || maxOrder > 0 {
            report(.valueRangeWidened, at, "\(range): a released receiver rejects a value outside its own")
        }
    }

    // MARK: Groups and var-data

    mutating func compareGroups(_ location: String, old: BlockSide, new: BlockSide, current: CurrentBlock, lockedAnywhere: BlockSide?) {
        let newNames = Set(new.groups.map(\.name))
        let oldNames = Set(old.groups.map(\.name))
        let lockedGroups = lockedAnywhere?.groups ?? []
        for oldGroup in old.groups {
            let at = "\(location).\(oldGroup.name)"
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
            compareBlock(
                at, old: BlockSide(oldGroup), new: BlockSide(newGroup),
                current: CurrentBlock(
                    fields: schemaGroup.fields, groups: schemaGroup.groups, varData: schemaGroup.varData,
                    blockLength: schemaGroup.blockLength(at: version)),
                lockedAnywhere: lockedGroups.first { $0.name == oldGroup.name }.map(BlockSide.init), root: false,
                blockLengths: (oldGroup.blockLength, newGroup.blockLength))
            if newGroup.dimension != oldGroup.dimension {
                report(
                    .groupDimensionChanged, at,
                    "dimension \(oldGroup.dimension.text) → \(newGroup.dimension.text): a released receiver reads the entries' length and count elsewhere"
                )
            }
        }
        for newGroup in new.groups where !oldNames.contains(newGroup.name) {
            added(
                .groupAddedToReleasedVersion, "\(location).\(newGroup.name)", what: "group \(newGroup.name)",
                since: newGroup.since, lockedSince: lockedGroups.first { $0.name == newGroup.name }?.since)
        }
        checkOrder(
            old: old.groups.map(\.name).filter(newNames.contains), today: current.groups.map { ($0.name, $0.since) },
            rule: .groupOrderChanged, owner: location, kind: "groups")
    }

    mutating func compareVarData(_ location: String, old: BlockSide, new: BlockSide, current: CurrentBlock, lockedAnywhere: BlockSide?) {
        let newNames = Set(new.varData.map(\.name))
        let oldNames = Set(old.varData.map(\.name))
        let lockedVars = lockedAnywhere?.varData ?? []
        for oldVar in old.varData {
            let at = "\(location).\(oldVar.name)"
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
            if newVar.encodingText != oldVar.encodingText {
                report(.varDataEncodingChanged, at, "encoding \(oldVar.encodingText) → \(newVar.encodingText)")
            }
        }
        for newVar in new.varData where !oldNames.contains(newVar.name) {
            added(
                .varDataAddedToReleasedVersion, "\(location).\(newVar.name)", what: "var-data field \(newVar.name)",
                since: newVar.since, lockedSince: lockedVars.first { $0.name == newVar.name }?.since)
        }
        checkOrder(
            old: old.varData.map(\.name).filter(newNames.contains), today: current.varData.map { ($0.name, $0.since) },
            rule: .varDataOrderChanged, owner: location, kind: "var-data")
    }

    /// Released items keep their relative order, and nothing newer than this version comes before one of them.
    mutating func checkOrder(old: [String], today: [(name: String, since: Int)], rule: SchemaRule, owner: String, kind: String) {
        let kept = Set(old)
        let todayOrder = today.map(\.name).filter(kept.contains)
        if todayOrder != old {
            report(rule, owner, "v\(version) \(kind) order \(old.joined(separator: ", ")) → \(todayOrder.joined(separator: ", "))")
        }
        guard let lastReleased = today.lastIndex(where: { $0.since <= version }) else { return }
        for (index, item) in today[..<lastReleased].enumerated() where item.since > version {
            let next = today[(index + 1)...].first { $0.since <= version }!.name
            report(
                rule, owner,
                "\(item.name) (since \(item.since)) comes before \(next), which v\(version) has: a v\(version) receiver would read it as \(next)"
            )
        }
    }
}

extension DimensionSnapshot {
    /// `size 4, blockLength u16@0, numInGroup u16@2, at most 65535 entries`.
    var text: String { "size \(size), blockLength \(blockLength), numInGroup \(numInGroup), at most \(maxEntries) entries" }
}
