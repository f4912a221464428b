// The per-version comparison of the types fields carry: an enum's values and default, a set's
// choices, a composite's members, and the encodings of enums and sets. A released value, bit or
// member keeps its number, name and place; none is added to a released version.

import TGP

/// A value of an enum or a choice of a set: a number (the value, or the bit) with a name.
struct NumberedMember {
    let number: UInt64
    let name: String
    let since: Int
}

/// How an enum's or a set's changes are named.
struct NumberedWords {
    let renumbered: SchemaRule
    let renamed: SchemaRule
    let removed: SchemaRule
    let addedToReleasedVersion: SchemaRule
    /// `value` or `bit`.
    let number: String
    /// `enum value` or `set choice`.
    let kind: String

    static let enumValue = NumberedWords(
        renumbered: .enumValueRenumbered, renamed: .enumValueRenamed, removed: .enumValueRemoved,
        addedToReleasedVersion: .enumValueAddedToReleasedVersion, number: "value", kind: "enum value")
    static let setChoice = NumberedWords(
        renumbered: .setChoiceMoved, renamed: .setChoiceRenamed, removed: .setChoiceRemoved,
        addedToReleasedVersion: .setChoiceAddedToReleasedVersion, number: "bit", kind: "set choice")
}

extension VersionDiff {
    // MARK: Enums

    mutating func compareEnums() {
        for old in locked.enums {
            // An enum no field of this version uses any more: the fields' changes say why.
            guard let new = now.enumeration(named: old.name) else { continue }
            let current = carried.enums.first { $0.name == old.name }
            let lockedValues = lockedAnywhere { $0.enumeration(named: old.name) }?.values
            compareEncoding(old.name, old.encoding, new.encoding)
            if new.defaultValue != old.defaultValue {
                func label(_ value: UInt64) -> String { current?.value(value).map { "\(value) \($0.name)" } ?? String(value) }
                let oldName = (old.values + (lockedValues ?? [])).first { $0.value == old.defaultValue }?.name
                report(
                    .defaultChanged, old.name, "default \(old.defaultValue)\(oldName.map { " \($0)" } ?? "") → \(label(new.defaultValue))")
            }
            func members(_ values: [EnumValueSnapshot]) -> [NumberedMember] {
                values.map { NumberedMember(number: $0.value, name: $0.name, since: $0.since) }
            }
            compareMembers(
                old.name, old: members(old.values), new: members(new.values),
                current: current.map { $0.values.map { NumberedMember(number: $0.value, name: $0.name, since: $0.since) } },
                lockedAnywhere: lockedValues.map(members), words: .enumValue)
        }
    }

    // MARK: Sets

    mutating func compareSets() {
        for old in locked.sets {
            guard let new = now.set(named: old.name) else { continue }
            let current = carried.sets.first { $0.name == old.name }
            func members(_ choices: [SetChoiceSnapshot]) -> [NumberedMember] {
                choices.map { NumberedMember(number: UInt64($0.bit), name: $0.name, since: $0.since) }
            }
            compareEncoding(old.name, old.encoding, new.encoding)
            compareMembers(
                old.name, old: members(old.choices), new: members(new.choices),
                current: current.map { $0.choices.map { NumberedMember(number: UInt64($0.bit), name: $0.name, since: $0.since) } },
                lockedAnywhere: lockedAnywhere { $0.set(named: old.name) }.map { members($0.choices) }, words: .setChoice)
        }
    }

    /// An enum's or set's wire type: another one of the same size is invisible to the fields' sizes.
    mutating func compareEncoding(_ name: String, _ old: String, _ new: String) {
        if new != old { report(.encodingChanged, name, "encoding \(old) → \(new)") }
    }

    /// The values of an enum or the choices of a set known at this version. `current` is today's
    /// every member, for those that moved out of this version or whose number is reused.
    mutating func compareMembers(
        _ owner: String, old: [NumberedMember], new: [NumberedMember], current: [NumberedMember]?, lockedAnywhere: [NumberedMember]?,
        words: NumberedWords
    ) {
        let newNames = Set(new.map(\.name))
        let oldNames = Set(old.map(\.name))
        for oldMember in old {
            let at = "\(owner).\(oldMember.name)"
            let number = "\(words.number) \(oldMember.number)"
            if let newMember = new.first(where: { $0.name == oldMember.name }) {
                if newMember.number != oldMember.number { report(words.renumbered, at, "\(number) → \(newMember.number)") }
                if newMember.since != oldMember.since {
                    report(.sinceChanged, at, "\(words.kind) since \(oldMember.since) → \(newMember.since)")
                }
            } else if let moved = current?.first(where: { $0.name == oldMember.name }) {
                if moved.number != oldMember.number { report(words.renumbered, at, "\(number) → \(moved.number)") }
                report(.sinceChanged, at, "\(words.kind) since \(oldMember.since) → \(moved.since), so v\(version) no longer has it")
            } else if let reused = current?.first(where: { $0.number == oldMember.number }) {
                report(words.renamed, at, "\(number) was \(oldMember.name), today it is \(reused.name)")
            } else {
                report(words.removed, at, "\(number) \(oldMember.name) is gone")
            }
        }
        let renamedNumbers = Set(
            old.filter { member in !newNames.contains(member.name) && current?.contains { $0.name == member.name } != true }.map(\.number))
        for newMember in new where !oldNames.contains(newMember.name) && !renamedNumbers.contains(newMember.number) {
            added(
                words.addedToReleasedVersion, "\(owner).\(newMember.name)", what: "\(words.kind) \(newMember.number) \(newMember.name)",
                since: newMember.since, lockedSince: lockedAnywhere?.first { $0.name == newMember.name }?.since)
        }
    }

    // MARK: Composites

    mutating func compareComposites() {
        for old in locked.composites {
            guard let new = now.composite(named: old.name) else { continue }
            let current = carried.composites.first { $0.name == old.name }
            if new.size != old.size {
                report(.compositeLayoutChanged, old.name, "size \(old.size) → \(new.size) bytes")
            }
            compareFields(
                old.members, new.members, all: current?.members ?? [], blockLength: nil, location: old.name, scope: .composite,
                ownerSince: nil, lockedAnywhere: lockedAnywhere { $0.composite(named: old.name) }?.members ?? [])
        }
    }
}
