// The enums, sets and composites of a schema as its fields carry them: the copy that travels,
// which is the one a decoder knows, whatever the schema's own lists say.

import TGP

/// Every enum, set and composite once, each in the schema's list order, then any only a field uses.
struct CarriedTypes {
    var enums: [EnumSchema] = []
    var sets: [SetSchema] = []
    var composites: [CompositeSchema] = []

    init(_ schema: Schema) {
        for message in schema.messages { block(message.fields, message.groups) }
        enums = Self.listedFirst(carried: enums, listed: schema.enums)
        sets = Self.listedFirst(carried: sets, listed: schema.sets)
        composites = Self.listedFirst(carried: composites, listed: schema.composites)
    }

    /// A block's fields, then its groups' entries, to any depth.
    private mutating func block(_ fields: [FieldSchema], _ groups: [GroupSchema]) {
        for field in fields { carry(field.type) }
        for group in groups { block(group.fields, group.groups) }
    }

    private mutating func carry(_ type: FieldType) {
        switch type {
        case .enumeration(let used) where !enums.contains { $0.name == used.name }: enums.append(used)
        case .set(let used) where !sets.contains { $0.name == used.name }: sets.append(used)
        case .composite(let used) where !composites.contains { $0.name == used.name }:
            composites.append(used)
            for member in used.members { carry(member.type) }
        default: break
        }
    }

    /// The schema's list, each as carried if a field carries it; then the carried ones it lacks.
    private static func listedFirst<T>(carried: [T], listed: [T]) -> [T] where T: NamedType {
        listed.map { item in carried.first { $0.name == item.name } ?? item }
            + carried.filter { used in !listed.contains { $0.name == used.name } }
    }
}

protocol NamedType { var name: String { get } }
extension EnumSchema: NamedType {}
extension SetSchema: NamedType {}
extension CompositeSchema: NamedType {}
