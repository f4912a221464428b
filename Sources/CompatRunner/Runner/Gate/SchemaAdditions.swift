// The allowed evolutions of a schema: what its versions after the released ones add (a
// message, a field at the end, a group, var-data last, an enum value, a set choice) and
// deprecate. Each is listed as allowed, with the rule that allows it, unless a breaking change
// or an evolution rule names the same element: then that finding says what is wrong with it.

import TGP

enum SchemaAdditions {
    /// The elements `schema` adds or deprecates after version `released` (every version when
    /// nil), in schema order: messages with their parts, then enum values and set choices. A part
    /// added with its owner is listed once, as the owner.
    static func allowed(in schema: Schema, after released: Int?) -> [BreakingChange] {
        var walk = AdditionWalk(released: released ?? Int.min)
        for message in schema.messages { walk.message(message) }
        let carried = CarriedTypes(schema)
        for enumSchema in carried.enums {
            for value in enumSchema.values {
                let at = "\(enumSchema.name).\(value.name)"
                walk.added(.enumValueAdded, since: value.since, ownerSince: enumSchema.since, at, "enum value \(value.value) \(value.name)")
                walk.deprecated(value.deprecated, at, "enum value \(value.name)")
            }
        }
        for setSchema in carried.sets {
            for choice in setSchema.choices {
                let at = "\(setSchema.name).\(choice.name)"
                walk.added(
                    .setChoiceAdded, since: choice.since, ownerSince: setSchema.since, at, "set choice \(choice.name) (bit \(choice.bit))")
                walk.deprecated(choice.deprecated, at, "set choice \(choice.name)")
            }
        }
        return walk.found
    }

    /// `additions` but those whose element a finding of `named` names (`vN:Subject`, the same subject).
    static func unnamed(_ additions: [BreakingChange], by named: [BreakingChange]) -> [BreakingChange] {
        let subjects = Set(named.map(\.subject))
        return additions.filter { !subjects.contains($0.subject) }
    }
}

/// Collects the additions and deprecations newer than `released`.
private struct AdditionWalk {
    let released: Int
    var found: [BreakingChange] = []

    /// An element newer than the released versions and than its owner (else the owner is the addition).
    mutating func added(_ rule: SchemaRule, since: Int, ownerSince: Int, _ location: String, _ what: String) {
        guard since > released, since > ownerSince else { return }
        found.append(BreakingChange(rule: rule, location: "v\(since):\(location)", detail: "\(what) is new in v\(since)"))
    }

    mutating func deprecated(_ version: Int?, _ location: String, _ what: String) {
        guard let version, version > released else { return }
        found.append(BreakingChange(rule: .deprecated, location: "v\(version):\(location)", detail: "\(what) is deprecated in v\(version)"))
    }

    mutating func message(_ message: MessageSchema) {
        // A message newer than every version is "added" against none.
        added(
            .messageAdded, since: message.since, ownerSince: Int.min, message.name,
            "message \(message.name) (template \(message.templateId))")
        deprecated(message.attributes.deprecated, message.name, "message \(message.name)")
        block(message.name, since: message.since, fields: message.fields, groups: message.groups, varData: message.varData)
    }

    /// A root block or a group entry, to any depth.
    mutating func block(_ location: String, since: Int, fields: [FieldSchema], groups: [GroupSchema], varData: [VarDataSchema]) {
        for field in fields {
            let at = "\(location).\(field.name)"
            added(.fieldAdded, since: field.since, ownerSince: since, at, "field \(field.name) \(field.type.name) @\(field.offset)")
            deprecated(field.deprecated, at, "field \(field.name)")
        }
        for group in groups {
            let at = "\(location).\(group.name)"
            added(.groupAdded, since: group.since, ownerSince: since, at, "group \(group.name)")
            deprecated(group.deprecated, at, "group \(group.name)")
            block(at, since: group.since, fields: group.fields, groups: group.groups, varData: group.varData)
        }
        for item in varData {
            let at = "\(location).\(item.name)"
            added(.varDataAdded, since: item.since, ownerSince: since, at, "var-data field \(item.name)")
            deprecated(item.deprecated, at, "var-data field \(item.name)")
        }
    }
}

extension BreakingChange {
    /// The element a change names: its location without the version (`NewOrder.side` of `v3:NewOrder.side`).
    var subject: String {
        guard let colon = location.firstIndex(of: ":") else { return location }
        return String(location[location.index(after: colon)...])
    }
}
