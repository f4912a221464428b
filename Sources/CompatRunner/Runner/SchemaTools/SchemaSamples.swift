// Samples made from any schema, for protocols that have no hand-written samples.json: a typical
// sample of each message type and its edge cases (every field at its least and greatest valid
// value, every optional field null, each enum value and set choice of a root field), worked out
// from the IR alone and the same on every run. `compat fixtures generate` writes golden frames
// from them.

import TGP

public enum SchemaSamples {
    /// The samples of every message type of `schema`, as a `SampleBook`.
    public static func book(for schema: Schema) -> SampleBook {
        let byType = schema.messages.map { ($0.name, samples(of: $0, in: schema)) }
        return SampleBook(path: "samples generated from the schema", samples: Dictionary(byType, uniquingKeysWith: { first, _ in first }))
    }

    /// A message type's cases, in this order:
    /// - `sample`: small distinct values that are not the defaults (1, 2, 3 … in wire order, moved
    ///   into a field's own min…max), the first non-default enum value and the first set choice the
    ///   field's own version knows (else the default and no choice: the sample is carried wherever
    ///   the field is), text from the field's name, 3 bytes of binary var-data, one group entry
    ///   with one nested entry;
    /// - `min`: every field at its least valid value (the field's own minValue, else its type's SBE
    ///   minimum), chars and var-data empty, groups without entries;
    /// - `max`: every field at its greatest valid value, chars at full length, every set choice,
    ///   groups with 2 entries (nested too), var-data as long as the frame allows (`varDataMaxLength`);
    /// - `null`: the sample with every optional field null, when the type has an optional field;
    /// - `enum-FIELD-VALUE`: the sample with a root enum field at each of its values;
    /// - `set-FIELD-CHOICE`: the sample with a root set field at each of its choices alone.
    public static func samples(of type: MessageSchema, in schema: Schema) -> MessageSamples {
        let cases = cases(
            of: type.logicalFields, blockLength: { type.blockLength(at: $0) }, groups: type.groups, varData: type.varData, in: schema)
        func message(_ values: [FieldValue]) -> Message {
            var message = Message(type)
            message.values = values
            return message
        }
        return MessageSamples(sample: message(cases.sample), edges: cases.edges.map { ($0.name, message($0.values)) })
    }

    /// The cases of a block of logical fields (a message's, or a group entry's when a test stands
    /// one in for a message): values in `fields` order.
    static func cases(
        of fields: [LogicalField], blockLength: (Int) -> Int, groups: [GroupSchema], varData: [VarDataSchema], in schema: Schema
    ) -> (sample: [FieldValue], edges: [(name: String, values: [FieldValue])]) {
        var counter = 0
        let sample = fields.map { typical($0, counter: &counter) }
        let longest = varDataMaxLength(blockLength: blockLength, groups: groups, varData: varData, in: schema)
        var edges: [(name: String, values: [FieldValue])] = [
            ("min", fields.map { bound($0, .least, schema: schema, varDataLength: longest) }),
            ("max", fields.map { bound($0, .greatest, schema: schema, varDataLength: longest) }),
        ]
        if fields.contains(where: hasOptional) {
            edges.append(("null", zip(fields, sample).map { nulled($1, of: $0) }))
        }
        for (index, field) in fields.enumerated() {
            guard case .scalar(let scalar, nil) = field.kind, !scalar.presence.isConstant else { continue }
            switch scalar.type {
            case .enumeration(let enumSchema):
                for value in enumSchema.values {
                    var values = sample
                    values[index] = .unsigned(value.value)
                    edges.append(("enum-\(field.name)-\(value.name)", values))
                }
            case .set(let setSchema):
                for choice in setSchema.choices {
                    var values = sample
                    values[index] = .unsigned(1 << UInt64(choice.bit))
                    edges.append(("set-\(field.name)-\(choice.name)", values))
                }
            case .primitive, .chars, .array, .composite:
                continue
            }
        }
        return (sample, edges)
    }

    // MARK: The sample

    /// A logical field's typical value; `counter` numbers the integers in wire order.
    static func typical(_ field: LogicalField, counter: inout Int) -> FieldValue {
        switch field.kind {
        case .scalar(let narrow, let wide):
            return typical(wide ?? narrow, counter: &counter)
        case .group(let group):
            let entry = group.logicalFields.map { typical($0, counter: &counter) }
            return .group([entry])
        case .varData(let varData):
            guard varData.encoding.isText else {
                counter += 1
                return .bytes((0..<3).map { UInt8(truncatingIfNeeded: counter + $0) })
            }
            return .text(String(printableName(field.name).prefix(varData.encoding.maxLength)))
        }
    }

    /// A fixed field's typical value: a constant's own value, else one of its type.
    static func typical(_ field: FieldSchema, counter: inout Int) -> FieldValue {
        if case .constant(let value) = field.presence { return value }
        switch field.type {
        case .primitive(let primitive):
            counter += 1
            return number(counter, primitive, least: field.minValue, greatest: field.maxValue)
        case .chars(let length):
            return .text(String(printableName(field.name).prefix(length)))
        case .array(let primitive, let length):
            return .array(
                (0..<length).map { _ in
                    counter += 1
                    return number(counter, primitive, least: field.minValue, greatest: field.maxValue)
                })
        case .enumeration(let enumSchema):
            // A value newer than the field would make the sample refused (E2) at the field's
            // first versions: then the default, and the newer value has its own `enum-` case.
            let pick = enumSchema.values.first { $0.value != enumSchema.defaultValue && $0.since <= field.since }
            return .unsigned(pick?.value ?? enumSchema.defaultValue)
        case .set(let setSchema):
            let pick = setSchema.choices.first { $0.since <= field.since }
            return .unsigned(pick.map { 1 << UInt64($0.bit) } ?? 0)
        case .composite(let composite):
            return .composite(composite.members.map { typical($0, counter: &counter) })
        }
    }

    /// `n` as a value of `primitive` inside least…greatest: `n` itself (`n + 0.5` for floating
    /// point), or `n` above a positive least value, capped at the greatest.
    static func number(_ n: Int, _ primitive: Primitive, least: FieldValue?, greatest: FieldValue?) -> FieldValue {
        let low = least ?? primitive.minValue
        let high = greatest ?? primitive.maxValue
        if primitive.isFloatingPoint {
            let lowest = low.asDouble ?? 0
            let value = (lowest > 0 ? lowest : 0) + Double(n) + 0.5
            return .double(min(value, high.asDouble ?? value))
        }
        if primitive.isSigned {
            let lowest = low.asSigned ?? 0
            let value = (lowest > 0 ? lowest : 0).addingReportingOverflow(Int64(n)).partialValue
            return .signed(min(value, high.asSigned ?? value))
        }
        let lowest = low.asUnsigned ?? 0
        let (value, overflow) = lowest.addingReportingOverflow(UInt64(n))
        return .unsigned(min(overflow ? .max : value, high.asUnsigned ?? value))
    }

    /// The name as printable ASCII (a name in another script becomes `x`).
    static func printableName(_ name: String) -> String {
        let printable = String(decoding: name.utf8.filter { (0x21...0x7E).contains($0) }, as: UTF8.self)
        return printable.isEmpty ? "x" : printable
    }

    // MARK: The least and greatest values

    enum End { case least, greatest }

    /// A logical field at its least or greatest value: groups with no entries or with 2 (as many
    /// as the dimension and the schema allow), var-data empty or `varDataLength` bytes long.
    static func bound(_ field: LogicalField, _ end: End, schema: Schema, varDataLength: Int) -> FieldValue {
        switch field.kind {
        case .scalar(let narrow, let wide):
            return bound(wide ?? narrow, end)
        case .group(let group):
            guard end == .greatest else { return .group([]) }
            let entry = group.logicalFields.map { bound($0, end, schema: schema, varDataLength: varDataLength) }
            return .group(Array(repeating: entry, count: maxEntries(group, in: schema)))
        case .varData(let varData):
            guard end == .greatest else { return varData.defaultValue }
            let length = min(varDataLength, varData.encoding.maxLength, schema.maxVarDataLength)
            return varData.encoding.isText ? .text(printableRun(length)) : .bytes((0..<length).map { UInt8(truncatingIfNeeded: $0) })
        }
    }

    /// A fixed field at its least or greatest value. Enums take their least or greatest value
    /// that the field's own version knows (newer values have their own `enum-` cases); sets none
    /// or every choice; chars none or their full length.
    static func bound(_ field: FieldSchema, _ end: End) -> FieldValue {
        if case .constant(let value) = field.presence { return value }
        switch field.type {
        case .primitive(let primitive):
            return end == .least ? field.minValue ?? primitive.minValue : field.maxValue ?? primitive.maxValue
        case .chars(let length):
            return .text(end == .least ? "" : printableRun(length))
        case .array(let primitive, let length):
            let element = end == .least ? field.minValue ?? primitive.minValue : field.maxValue ?? primitive.maxValue
            return .array(Array(repeating: element, count: length))
        case .enumeration(let enumSchema):
            let known = enumSchema.values.filter { $0.since <= field.since }
            let wire = (known.isEmpty ? enumSchema.values : known).map(\.value)
            return .unsigned((end == .least ? wire.min() : wire.max()) ?? enumSchema.defaultValue)
        case .set(let setSchema):
            return .unsigned(end == .least ? 0 : setSchema.choices.reduce(0) { $0 | 1 << UInt64($1.bit) })
        case .composite(let composite):
            return .composite(composite.members.map { bound($0, end) })
        }
    }

    /// `length` printable ASCII characters, `!` to `~` over and over (no space, which some
    /// implementations take for padding).
    static func printableRun(_ length: Int) -> String {
        String(decoding: (0..<length).map { UInt8(0x21 + $0 % 94) }, as: UTF8.self)
    }

    /// The entries of a group in the `max` case: 2, or fewer when the dimension or the schema allow fewer.
    static func maxEntries(_ group: GroupSchema, in schema: Schema) -> Int {
        max(0, min(2, group.dimension.maxEntries, schema.maxGroupEntries))
    }

    /// The length of every var-data field in the `max` case: the bytes the schema's maxFrameSize
    /// leaves once the header, the root block and every group (2 entries each, nested too) are
    /// written at the newest version, shared evenly among the var-data fields of the frame (each
    /// entry's counting once per entry). Each field is then capped at its own maximum length and
    /// the schema's. So the `max` frame is as long as it may be and still within maxFrameSize.
    static func varDataMaxLength(
        blockLength: (Int) -> Int, groups: [GroupSchema], varData: [VarDataSchema], in schema: Schema
    ) -> Int {
        let newest = max(schema.version, schema.latestVersion)
        var bytes = schema.header.size + blockLength(newest)
        var fields = 0
        func add(_ groups: [GroupSchema], _ varData: [VarDataSchema], times: Int) {
            for group in groups {
                let entries = maxEntries(group, in: schema)
                bytes += times * (group.dimension.size + entries * group.blockLength(at: newest))
                add(group.groups, group.varData, times: times * entries)
            }
            for field in varData {
                bytes += times * field.encoding.dataOffset
                fields += times
            }
        }
        add(groups, varData, times: 1)
        guard fields > 0 else { return 0 }
        return max(0, (schema.maxFrameSize - bytes) / fields)
    }

    // MARK: Optional fields

    /// Whether the field, a composite member or a group entry's field is optional.
    static func hasOptional(_ field: LogicalField) -> Bool {
        switch field.kind {
        case .scalar(let narrow, let wide): hasOptional(wide ?? narrow)
        case .group(let group): group.logicalFields.contains(where: hasOptional)
        case .varData: false
        }
    }

    static func hasOptional(_ field: FieldSchema) -> Bool {
        if field.isOptional { return true }
        guard case .composite(let composite) = field.type else { return false }
        return composite.members.contains(where: hasOptional)
    }

    /// `value` with every optional field in it null: the field itself, a composite's members, a group's entries.
    static func nulled(_ value: FieldValue, of field: LogicalField) -> FieldValue {
        switch (field.kind, value) {
        case (.scalar(let narrow, let wide), _):
            return nulled(value, of: wide ?? narrow)
        case (.group(let group), .group(let entries)):
            let entryFields = group.logicalFields
            return .group(entries.map { entry in zip(entryFields, entry).map { nulled($1, of: $0) } })
        case (.group, _), (.varData, _):
            return value
        }
    }

    static func nulled(_ value: FieldValue, of field: FieldSchema) -> FieldValue {
        if field.isOptional { return .null }
        guard case .composite(let composite) = field.type, case .composite(let members) = value else { return value }
        return .composite(zip(composite.members, members).map { nulled($1, of: $0) })
    }
}

extension SampleBook {
    /// The samples `SchemaSamples` makes of every message type of `schema`.
    public init(generatedFrom schema: Schema) {
        self = SchemaSamples.book(for: schema)
    }
}

extension FieldValue {
    fileprivate var asDouble: Double? {
        switch self {
        case .double(let number): number
        case .signed(let number): Double(number)
        case .unsigned(let number): Double(number)
        case .text, .group, .null, .bytes, .array, .composite: nil
        }
    }

    fileprivate var asSigned: Int64? {
        switch self {
        case .signed(let number): number
        case .unsigned(let number): Int64(exactly: number)
        case .double(let number): Int64(exactly: number.rounded(.towardZero))
        case .text, .group, .null, .bytes, .array, .composite: nil
        }
    }

    fileprivate var asUnsigned: UInt64? {
        switch self {
        case .unsigned(let number): number
        case .signed(let number): UInt64(exactly: number)
        case .double(let number): UInt64(exactly: number.rounded(.towardZero))
        case .text, .group, .null, .bytes, .array, .composite: nil
        }
    }
}
