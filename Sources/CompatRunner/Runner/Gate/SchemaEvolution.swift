// The protocol's evolution rules V1–V4 (PROTOCOL.md, "Evolution rules"), judged on the
// schema alone: what each version adds to the version before it must be skippable by every
// older decoder (R1–R4), in root blocks and in group entries at any depth. No lock is needed,
// so a version not released yet is judged too; the lock diff (SchemaDiff.swift) adds V5,
// that nothing of a released version changes.

import TGP

public enum SchemaEvolution {
    /// Every addition of `schema` that breaks V1–V4: messages in schema order (each with its
    /// fields, groups and var-data), then enums, sets and composites. Each is named at the
    /// version that adds it.
    public static func violations(of schema: Schema) -> [BreakingChange] {
        judge(schema).map(\.change)
    }

    /// The violations the lock diff's `released` changes do not already name: a problem that shows
    /// in a released version is reported once, by the lock diff's rule for it.
    static func violations(of schema: Schema, notNamedIn released: [BreakingChange]) -> [BreakingChange] {
        judge(schema).filter { violation in
            guard let named = violation.releasedName else { return true }
            return !released.contains { $0.rule == named.rule && $0.location.hasSuffix(":" + named.subject) }
        }.map(\.change)
    }

    private static func judge(_ schema: Schema) -> [EvolutionViolation] {
        var check = EvolutionCheck(versions: schema.definedVersions, namesPeers: !schema.peerRanges.isEmpty)
        for index in schema.messages.indices { check.message(at: index, of: schema.messages) }
        let carried = CarriedTypes(schema)
        for enumSchema in carried.enums { check.enumeration(enumSchema) }
        for setSchema in carried.sets { check.set(setSchema) }
        for composite in carried.composites { check.composite(composite) }
        return check.violations
    }
}

/// A violation, and how the lock diff names the same problem when a released version shows it.
private struct EvolutionViolation {
    let change: BreakingChange
    /// The lock diff's rule, and its location after `vN:`.
    let releasedName: (rule: SchemaRule, subject: String)?
}

/// A message or a group entry: where its groups and var-data are named, and what a group that
/// is new to it breaks.
private struct BlockOwner {
    /// `NewOrder`, `MarketDataSnapshot.levels`.
    let location: String
    let since: Int
    let groups: [GroupSchema]
    let varData: [VarDataSchema]
    /// A message's header, or a group's entry, carries no count of groups.
    let isMessage: Bool
}

private struct EvolutionCheck {
    let versions: [Int]
    /// Whether the schema's versions are its peers' (TGP's profile) or 0 to its `version` attribute.
    let namesPeers: Bool
    var violations: [EvolutionViolation] = []

    init(versions: [Int], namesPeers: Bool) {
        self.versions = versions
        self.namesPeers = namesPeers
    }

    mutating func report(
        _ rule: SchemaRule, since: Int, _ location: String, _ detail: String,
        releasedName: (rule: SchemaRule, subject: String)? = nil
    ) {
        let change = BreakingChange(rule: rule, location: "v\(since):\(location)", detail: detail)
        violations.append(EvolutionViolation(change: change, releasedName: releasedName))
    }

    /// V4: things are added in a version the schema has (none above its `version`). A part whose
    /// `since` is its owner's is judged with the owner, so one wrong version is reported once.
    mutating func requireVersion(_ since: Int, _ location: String, _ what: String) {
        guard !versions.contains(since) else { return }
        report(
            .sinceNotAVersion, since: since, location,
            "\(what) has since \(since), which is not a version of the schema (\(versions.map(String.init).joined(separator: ", "))): "
                + "give it the version it is added in, or "
                + (namesPeers ? "give v\(since) a peer range" : "raise the schema's version to \(since)"))
    }

    // MARK: Messages

    mutating func message(at index: Int, of messages: [MessageSchema]) {
        let message = messages[index]
        requireVersion(message.since, message.name, "message \(message.name)")
        if let holder = olderHolder(of: index, in: messages, key: { Int($0.templateId) }, since: \.since) {
            report(
                .templateIdDuplicated, since: message.since, message.name,
                "template \(message.templateId) is already \(holder.name)'s (since \(holder.since)): a decoder that knows "
                    + "\(holder.name) reads \(message.name) as one; give \(message.name) an unused template id")
        }
        fields(message.fields, ownerSince: message.since, location: message.name, block: "root block", length: message.blockLength(at:))
        blockLengthAttribute(
            message.attributes.blockLength, of: message.fields, since: message.since, location: message.name, block: "root block")
        contents(
            of: BlockOwner(location: message.name, since: message.since, groups: message.groups, varData: message.varData, isMessage: true))
    }

    /// V1 for the root fields, or one group's entry fields: a field newer than its owner starts
    /// at or after the end of the block the version before it writes. A constant takes no bytes.
    mutating func fields(_ fields: [FieldSchema], ownerSince: Int, location: String, block: String, length: (Int) -> Int) {
        for field in fields where field.since > ownerSince {
            let at = "\(location).\(field.name)"
            requireVersion(field.since, at, "field \(field.name)")
            let older = length(field.since - 1)
            if field.offset < older && !field.presence.isConstant {
                report(
                    .fieldInsertedInOlderBlock, since: field.since, at,
                    "field \(field.name) @\(field.offset) starts inside the v\(field.since - 1) \(block) of \(older) bytes, "
                        + "which older decoders read as their own fields: put it at offset \(older) or later",
                    releasedName: (.fieldInsertedInReleasedBlock, at))
            }
        }
    }

    /// The `blockLength` attribute pads a block beyond its fields: one below their end says the
    /// block is shorter than what every sender writes.
    mutating func blockLengthAttribute(_ attribute: Int?, of fields: [FieldSchema], since: Int, location: String, block: String) {
        let end = fields.map(\.end).max() ?? 0
        guard let attribute, attribute < end else { return }
        report(
            .blockLengthBelowFields, since: since, location,
            "the blockLength attribute \(attribute) is below the end of the \(block)'s fields (\(end) bytes): a decoder that trusts it "
                + "reads the last fields as what follows; make it at least \(end)")
    }

    // MARK: Groups and var-data

    /// V2 and V3 for a message or a group entry, then each group's entry, to any depth.
    mutating func contents(of owner: BlockOwner) {
        appended(
            owner.groups.map { ($0.name, $0.since) }, to: owner, kind: "group", rule: .groupInsertedBeforeOlder,
            releasedRule: .groupOrderChanged)
        for group in owner.groups {
            let at = "\(owner.location).\(group.name)"
            if group.since > owner.since, !owner.varData.isEmpty {
                report(.groupAddedToMessageWithVarData, since: group.since, at, groupBeforeVarData(group, in: owner))
            }
            fields(group.fields, ownerSince: group.since, location: at, block: "entry", length: group.blockLength(at:))
            blockLengthAttribute(group.blockLengthAttribute, of: group.fields, since: group.since, location: at, block: "entry")
            contents(of: BlockOwner(location: at, since: group.since, groups: group.groups, varData: group.varData, isMessage: false))
        }
        appended(
            owner.varData.map { ($0.name, $0.since) }, to: owner, kind: "var-data field",
            rule: .varDataInsertedBeforeOlder, releasedRule: .varDataOrderChanged)
    }

    /// V3's reason: nothing on the wire counts the groups, whatever the header holds (the IR
    /// writes a header's group count as 0 and never reads it).
    func groupBeforeVarData(_ group: GroupSchema, in owner: BlockOwner) -> String {
        let varData = owner.varData.map(\.name).joined(separator: ", ")
        let carrier = owner.isMessage ? "the header carries" : "an entry carries"
        let has = owner.isMessage ? "\(owner.location) has" : "\(owner.location) entries have"
        return "\(has) var-data (\(varData)) and \(carrier) no group count: a decoder that knows a var-data field but not "
            + "\(group.name) reads the group's dimension bytes as that field's length; carry the repeating data in a new message type"
    }

    /// V2 and V3: each group or var-data field of `owner`, in wire order, comes after every one of an
    /// older version; one newer than its owner is added in a version of the schema.
    mutating func appended(
        _ items: [(name: String, since: Int)], to owner: BlockOwner, kind: String, rule: SchemaRule, releasedRule: SchemaRule
    ) {
        for (index, item) in items.enumerated() {
            let at = "\(owner.location).\(item.name)"
            if item.since != owner.since { requireVersion(item.since, at, "\(kind) \(item.name)") }
            if let older = items[(index + 1)...].first(where: { $0.since < item.since }) {
                report(
                    rule, since: item.since, at,
                    "\(kind) \(item.name) comes before \(older.name) (since \(older.since)): a v\(item.since - 1) decoder "
                        + "reads it as \(older.name); put it after the last \(kind)",
                    releasedName: (releasedRule, owner.location))
            }
        }
    }

    // MARK: Types

    /// V4: an enum value is added in a version of the schema, with a number of its own.
    mutating func enumeration(_ enumSchema: EnumSchema) {
        for (index, value) in enumSchema.values.enumerated() {
            let at = "\(enumSchema.name).\(value.name)"
            requireVersion(value.since, at, "enum value \(value.name)")
            if let holder = olderHolder(of: index, in: enumSchema.values, key: { $0.value }, since: \.since) {
                report(
                    .enumValueNumberDuplicated, since: value.since, at,
                    "value \(value.value) is already \(holder.name) (since \(holder.since)): a decoder reads \(value.name) "
                        + "as \(holder.name); give it an unused number")
            }
        }
    }

    /// V4 for sets: a choice is added in a version of the schema, with a bit of its own.
    mutating func set(_ setSchema: SetSchema) {
        for (index, choice) in setSchema.choices.enumerated() {
            let at = "\(setSchema.name).\(choice.name)"
            requireVersion(choice.since, at, "set choice \(choice.name)")
            if let holder = olderHolder(of: index, in: setSchema.choices, key: \.bit, since: \.since) {
                report(
                    .setChoiceBitDuplicated, since: choice.since, at,
                    "bit \(choice.bit) is already \(holder.name) (since \(holder.since)): a decoder reads \(choice.name) "
                        + "as \(holder.name); give it an unused bit")
            }
        }
    }

    /// V4 for composites: a member newer than its composite is added in a version of the schema.
    mutating func composite(_ composite: CompositeSchema) {
        for member in composite.members where member.since > composite.since {
            requireVersion(member.since, "\(composite.name).\(member.name)", "composite member \(member.name)")
        }
    }

    /// The item that held `items[index]`'s key first: a lower `since`, or the same one and listed earlier.
    func olderHolder<Item, Key: Equatable>(of index: Int, in items: [Item], key: (Item) -> Key, since: (Item) -> Int) -> Item? {
        let item = items[index]
        return items.indices.first { other in
            key(items[other]) == key(item) && (since(items[other]), other) < (since(item), index)
        }.map { items[$0] }
    }
}
