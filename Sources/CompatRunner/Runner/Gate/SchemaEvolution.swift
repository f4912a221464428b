// The protocol's evolution rules V1–V4 (PROTOCOL.md, "Evolution rules"), judged on the
// schema alone: what each version adds to the version before it must be skippable by every
// older decoder (R1–R4). No lock is needed, so a version not released yet is judged too;
// the lock diff (SchemaDiff.swift) adds V5, that nothing of a released version changes.

import TGP

public enum SchemaEvolution {
    /// Every addition of `schema` that breaks V1–V4: messages in schema order (each with its
    /// fields, groups and var-data), then enums. Each is named at the version that adds it.
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
        var check = EvolutionCheck(versions: schema.versions)
        for index in schema.messages.indices { check.message(at: index, of: schema.messages) }
        for enumSchema in schema.enumsAsCarried { check.enumeration(enumSchema) }
        return check.violations
    }
}

/// A violation, and how the lock diff names the same problem when a released version shows it.
private struct EvolutionViolation {
    let change: BreakingChange
    /// The lock diff's rule, and its location after `vN:`.
    let releasedName: (rule: SchemaRule, subject: String)?
}

private struct EvolutionCheck {
    let versions: [Int]
    var violations: [EvolutionViolation] = []

    init(versions: [Int]) {
        self.versions = versions
    }

    mutating func report(
        _ rule: SchemaRule, since: Int, _ location: String, _ detail: String,
        releasedName: (rule: SchemaRule, subject: String)? = nil
    ) {
        let change = BreakingChange(rule: rule, location: "v\(since):\(location)", detail: detail)
        violations.append(EvolutionViolation(change: change, releasedName: releasedName))
    }

    /// V4: things are added in a version the schema has. A part whose `since` is its owner's is
    /// judged with the owner, so one wrong version is reported once.
    mutating func requireVersion(_ since: Int, _ location: String, _ what: String) {
        guard !versions.contains(since) else { return }
        report(
            .sinceNotAVersion, since: since, location,
            "\(what) has since \(since), which is not a version of the schema (\(versions.map(String.init).joined(separator: ", "))): "
                + "give it the version it is added in, or give v\(since) a peer range")
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
        groups(of: message)
        varData(of: message)
    }

    /// V1 for the root fields, or one group's entry fields: a field newer than its owner starts
    /// at or after the end of the block the version before it writes.
    mutating func fields(_ fields: [FieldSchema], ownerSince: Int, location: String, block: String, length: (Int) -> Int) {
        for field in fields where field.since > ownerSince {
            let at = "\(location).\(field.name)"
            requireVersion(field.since, at, "field \(field.name)")
            let older = length(field.since - 1)
            if field.offset < older {
                report(
                    .fieldInsertedInOlderBlock, since: field.since, at,
                    "field \(field.name) @\(field.offset) starts inside the v\(field.since - 1) \(block) of \(older) bytes, "
                        + "which older decoders read as their own fields: put it at offset \(older) or later",
                    releasedName: (.fieldInsertedInReleasedBlock, at))
            }
        }
    }

    /// V3: a group goes after every older group, and only into a message without var-data.
    mutating func groups(of message: MessageSchema) {
        appended(
            message.groups.map { ($0.name, $0.since) }, to: message, kind: "group", rule: .groupInsertedBeforeOlder,
            releasedRule: .groupOrderChanged)
        for group in message.groups {
            let at = "\(message.name).\(group.name)"
            if group.since > message.since, !message.varData.isEmpty {
                report(
                    .groupAddedToMessageWithVarData, since: group.since, at,
                    "\(message.name) has var-data (\(message.varData.map(\.name).joined(separator: ", "))) and the header carries "
                        + "no group count: a decoder that knows a var-data field but not \(group.name) reads the group's "
                        + "dimension bytes as that field's length; carry the repeating data in a new message type")
            }
            fields(group.fields, ownerSince: group.since, location: at, block: "entry", length: group.blockLength(at:))
        }
    }

    /// V2: a var-data field goes after every older one.
    mutating func varData(of message: MessageSchema) {
        appended(
            message.varData.map { ($0.name, $0.since) }, to: message, kind: "var-data field",
            rule: .varDataInsertedBeforeOlder, releasedRule: .varDataOrderChanged)
    }

    /// V2 and V3: each group or var-data field of `message`, in wire order, comes after every one of an
    /// older version; one newer than the message is added in a version of the schema.
    mutating func appended(
        _ items: [(name: String, since: Int)], to message: MessageSchema, kind: String,
        rule: SchemaRule, releasedRule: SchemaRule
    ) {
        for (index, item) in items.enumerated() {
            let at = "\(message.name).\(item.name)"
            if item.since != message.since { requireVersion(item.since, at, "\(kind) \(item.name)") }
            if let older = items[(index + 1)...].first(where: { $0.since < item.since }) {
                report(
                    rule, since: item.since, at,
                    "\(kind) \(item.name) comes before \(older.name) (since \(older.since)): a v\(item.since - 1) decoder "
                        + "reads it as \(older.name); put it after the last \(kind)",
                    releasedName: (releasedRule, message.name))
            }
        }
    }

    // MARK: Enums

    /// V4: an enum value is added in a version of the schema, with a number of its own.
    mutating func enumeration(_ enumSchema: EnumSchema) {
        for (index, value) in enumSchema.values.enumerated() {
            let at = "\(enumSchema.name).\(value.name)"
            requireVersion(value.since, at, "enum value \(value.name)")
            if let holder = olderHolder(of: index, in: enumSchema.values, key: { Int($0.value) }, since: \.since) {
                report(
                    .enumValueNumberDuplicated, since: value.since, at,
                    "value \(value.value) is already \(holder.name) (since \(holder.since)): a decoder reads \(value.name) "
                        + "as \(holder.name); give it an unused number")
            }
        }
    }

    /// The item that held `items[index]`'s key first: a lower `since`, or the same one and listed earlier.
    func olderHolder<Item>(of index: Int, in items: [Item], key: (Item) -> Int, since: (Item) -> Int) -> Item? {
        let item = items[index]
        return items.indices.first { other in
            key(items[other]) == key(item) && (since(items[other]), other) < (since(item), index)
        }.map { items[$0] }
    }
}

extension Schema {
    /// Every enum once, as the fields carry it (the copy that travels), in the schema's list
    /// order; one no field uses as listed, and one only a field uses after the list.
    var enumsAsCarried: [EnumSchema] {
        var carried: [EnumSchema] = []
        for message in messages {
            for field in message.fields + message.groups.flatMap(\.fields) {
                if case .enumeration(let used) = field.type, !carried.contains(where: { $0.name == used.name }) {
                    carried.append(used)
                }
            }
        }
        let listed = enums.map { listed in carried.first { $0.name == listed.name } ?? listed }
        return listed + carried.filter { used in !enums.contains { $0.name == used.name } }
    }
}
