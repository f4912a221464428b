// The lint of one schema: what makes a schema unsound on its own, before any other version is
// compared with it. Its own rules (LintRule) judge the layout and the values (overlapping
// fields, duplicate names and ids, values that do not fit their type, versions out of order);
// the evolution rules V1–V4 (SchemaEvolution.swift) judge what each version adds, and their
// findings are the lint's too, by their SchemaRule ids: one owner per rule.

import TGP

/// The stable ids of the lint's own findings. An id never changes meaning.
public enum LintRule: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Two fields of a root block, group entry or composite share bytes (a constant takes none).
    case offsetsOverlap = "offsets-overlap"
    /// Two fields, groups or var-data fields of one block (or members of a composite, values of an
    /// enum, choices of a set) have the same name.
    case nameDuplicated = "name-duplicated"
    /// Two fields, groups or var-data fields of one message have the same `id`.
    case idDuplicated = "id-duplicated"
    /// Two message types have the same name.
    case messageNameDuplicated = "message-name-duplicated"
    /// An element is deprecated in a version before the one that adds it.
    case deprecatedBeforeSince = "deprecated-before-since"
    /// A constant's value does not fit its type.
    case constantOutOfRange = "constant-out-of-range"
    /// An enum value does not fit the enum's encoding.
    case enumValueOutOfRange = "enum-value-out-of-range"
    /// A set choice's bit is beyond the set's encoding.
    case setBitOutOfRange = "set-bit-out-of-range"
    /// An element is added before the enum, set, composite, message or group that holds it.
    case sinceBelowParent = "since-below-parent"

    public var description: String { rawValue }
}

/// One finding of the lint: a LintRule or a SchemaRule (an evolution rule) at a location
/// (`v0:Order.flags`: the version that adds the element, and its path).
public struct LintFinding: Sendable, Hashable, CustomStringConvertible {
    /// A `LintRule` or `SchemaRule` raw value.
    public let rule: String
    public let location: String
    public let detail: String

    public init(_ rule: LintRule, location: String, detail: String) {
        (self.rule, self.location, self.detail) = (rule.rawValue, location, detail)
    }

    /// An evolution rule's violation, as the lint reports it.
    public init(_ violation: BreakingChange) {
        (rule, location, detail) = (violation.rule.rawValue, violation.location, violation.detail)
    }

    /// `rule@location`.
    public var id: String { "\(rule)@\(location)" }
    public var description: String { "\(id): \(detail)" }
}

public enum SchemaLint {
    /// Every finding of `schema`: the lint's own (messages in schema order, then enums, sets and
    /// composites), then the evolution rules' violations.
    public static func findings(of schema: Schema) -> [LintFinding] {
        var lint = LintWalk()
        lint.messageNames(schema.messages)
        for message in schema.messages { lint.message(message) }
        let carried = CarriedTypes(schema)
        for enumSchema in carried.enums { lint.enumeration(enumSchema) }
        for setSchema in carried.sets { lint.set(setSchema) }
        for composite in carried.composites { lint.composite(composite) }
        return lint.findings + SchemaEvolution.violations(of: schema).map(LintFinding.init)
    }
}

/// The lint's own rules, walking messages to any depth and the types fields carry.
private struct LintWalk {
    var findings: [LintFinding] = []

    mutating func report(_ rule: LintRule, since: Int, _ location: String, _ detail: String) {
        findings.append(LintFinding(rule, location: "v\(since):\(location)", detail: detail))
    }

    // MARK: Messages

    mutating func messageNames(_ messages: [MessageSchema]) {
        for (index, message) in messages.enumerated() where messages[..<index].contains(where: { $0.name == message.name }) {
            report(
                .messageNameDuplicated, since: message.since, message.name,
                "another message type is named \(message.name): a name finds one of them only; rename one")
        }
    }

    mutating func message(_ message: MessageSchema) {
        deprecation(message.attributes.deprecated, since: message.since, message.name, "message \(message.name)")
        block(message.name, since: message.since, fields: message.fields, groups: message.groups, varData: message.varData)
        ids(of: message)
    }

    /// A root block or a group entry: its fields' bytes, names, values and versions, then its groups' entries.
    mutating func block(_ location: String, since: Int, fields: [FieldSchema], groups: [GroupSchema], varData: [VarDataSchema]) {
        overlaps(fields, location)
        names(
            fields.map { ($0.name, $0.since) } + groups.map { ($0.name, $0.since) } + varData.map { ($0.name, $0.since) }, location,
            "element")
        for field in fields { self.field(field, in: location, ownerSince: since) }
        for group in groups {
            let at = "\(location).\(group.name)"
            parent(group.since, of: since, at, "group \(group.name)")
            deprecation(group.deprecated, since: group.since, at, "group \(group.name)")
            block(at, since: group.since, fields: group.fields, groups: group.groups, varData: group.varData)
        }
        for item in varData {
            let at = "\(location).\(item.name)"
            parent(item.since, of: since, at, "var-data field \(item.name)")
            deprecation(item.deprecated, since: item.since, at, "var-data field \(item.name)")
        }
    }

    mutating func field(_ field: FieldSchema, in location: String, ownerSince: Int) {
        let at = "\(location).\(field.name)"
        parent(field.since, of: ownerSince, at, "field \(field.name)")
        deprecation(field.deprecated, since: field.since, at, "field \(field.name)")
        if case .constant(let value) = field.presence, !LintValues.fits(value, field.type) {
            report(
                .constantOutOfRange, since: field.since, at,
                "constant \(SnapshotValue.text(value)) does not fit \(field.type.name): no frame can carry what the schema says it is")
        }
    }

    /// Fields in offset order: each starts at or after the end of every one before it.
    mutating func overlaps(_ fields: [FieldSchema], _ location: String) {
        var previous: FieldSchema?
        for field in fields.sorted(by: { $0.offset < $1.offset }) where field.wireSize > 0 {
            if let previous, field.offset < previous.end {
                report(
                    .offsetsOverlap, since: field.since, "\(location).\(field.name)",
                    "\(field.name) @\(field.offset) starts inside \(previous.name) (@\(previous.offset), \(previous.wireSize) bytes): "
                        + "a decoder reads one's bytes as the other's; put it at offset \(previous.end) or later")
            }
            if previous.map({ field.end > $0.end }) ?? true { previous = field }
        }
    }

    /// Ids name a message's elements at every depth: each once.
    mutating func ids(of message: MessageSchema) {
        var seen: [Int: String] = [:]
        func visit(_ id: Int?, _ path: String, since: Int) {
            guard let id else { return }
            if let holder = seen[id] {
                report(
                    .idDuplicated, since: since, path, "id \(id) is already \(holder)'s: a FIX tag names one element; give it an unused id")
            } else {
                seen[id] = path
            }
        }
        func walk(_ location: String, _ fields: [FieldSchema], _ groups: [GroupSchema], _ varData: [VarDataSchema]) {
            for field in fields { visit(field.id, "\(location).\(field.name)", since: field.since) }
            for group in groups {
                visit(group.id, "\(location).\(group.name)", since: group.since)
                walk("\(location).\(group.name)", group.fields, group.groups, group.varData)
            }
            for item in varData { visit(item.id, "\(location).\(item.name)", since: item.since) }
        }
        walk(message.name, message.fields, message.groups, message.varData)
    }

    // MARK: Types

    mutating func enumeration(_ enumSchema: EnumSchema) {
        names(enumSchema.values.map { ($0.name, $0.since) }, enumSchema.name, "value")
        for value in enumSchema.values {
            let at = "\(enumSchema.name).\(value.name)"
            parent(value.since, of: enumSchema.since, at, "enum value \(value.name)")
            deprecation(value.deprecated, since: value.since, at, "enum value \(value.name)")
            if let max = enumSchema.encoding.unsignedMax, value.value > max {
                report(
                    .enumValueOutOfRange, since: value.since, at,
                    "value \(value.value) does not fit the encoding \(enumSchema.encoding.shortName) (at most \(max))")
            }
        }
    }

    mutating func set(_ setSchema: SetSchema) {
        names(setSchema.choices.map { ($0.name, $0.since) }, setSchema.name, "choice")
        let width = setSchema.encoding.size * 8
        for choice in setSchema.choices {
            let at = "\(setSchema.name).\(choice.name)"
            parent(choice.since, of: setSchema.since, at, "set choice \(choice.name)")
            deprecation(choice.deprecated, since: choice.since, at, "set choice \(choice.name)")
            if !(0..<width).contains(choice.bit) {
                report(
                    .setBitOutOfRange, since: choice.since, at,
                    "bit \(choice.bit) is beyond the encoding \(setSchema.encoding.shortName) (bits 0 to \(width - 1))")
            }
        }
    }

    mutating func composite(_ composite: CompositeSchema) {
        overlaps(composite.members, composite.name)
        names(composite.members.map { ($0.name, $0.since) }, composite.name, "member")
        for member in composite.members { field(member, in: composite.name, ownerSince: composite.since) }
    }

    // MARK: Shared

    /// Names unique within one block, enum, set or composite.
    mutating func names(_ items: [(name: String, since: Int)], _ location: String, _ kind: String) {
        for (index, item) in items.enumerated() where items[..<index].contains(where: { $0.name == item.name }) {
            report(.nameDuplicated, since: item.since, "\(location).\(item.name)", "another \(kind) of \(location) is named \(item.name)")
        }
    }

    mutating func parent(_ since: Int, of ownerSince: Int, _ location: String, _ what: String) {
        guard since < ownerSince else { return }
        report(
            .sinceBelowParent, since: since, location,
            "\(what) has since \(since), before its owner's \(ownerSince): it cannot exist before what holds it; give it \(ownerSince) or later"
        )
    }

    mutating func deprecation(_ deprecated: Int?, since: Int, _ location: String, _ what: String) {
        guard let deprecated, deprecated < since else { return }
        report(.deprecatedBeforeSince, since: since, location, "\(what) is deprecated in v\(deprecated), before v\(since), which adds it")
    }
}

/// Whether a value fits a type's bytes.
enum LintValues {
    static func fits(_ value: FieldValue, _ type: FieldType) -> Bool {
        switch (type, value) {
        case (.primitive(let primitive), _): fits(value, primitive)
        case (.chars(let length), .text(let text)): text.utf8.count <= length
        case (.array(let primitive, let length), .array(let values)): values.count <= length && values.allSatisfy { fits($0, primitive) }
        case (.enumeration(let enumSchema), .unsigned(let number)): enumSchema.value(number) != nil
        case (.set(let setSchema), .unsigned(let bits)): bits & ~setSchema.knownBits(at: Int.max) == 0
        case (.composite(let composite), .composite(let values)):
            values.count == composite.members.count && zip(values, composite.members).allSatisfy { fits($0, $1.type) }
        default: false
        }
    }

    static func fits(_ value: FieldValue, _ primitive: Primitive) -> Bool {
        switch value {
        case .unsigned(let number): number <= (primitive.unsignedMax ?? (primitive.isSigned ? signedMax(primitive) : UInt64.max))
        case .signed(let number): primitive.isSigned && number >= -Int64(signedMax(primitive)) - 1 && number <= Int64(signedMax(primitive))
        case .double(let number):
            primitive.isFloatingPoint && (primitive == .double || number.isNaN || abs(number) <= Double(Float.greatestFiniteMagnitude))
        default: false
        }
    }

    static func signedMax(_ primitive: Primitive) -> UInt64 { (1 << UInt64(primitive.size * 8 - 1)) - 1 }
}
