// What the codec derives from the schema once per message type and version: the block
// length, and where each logical field sits and how it travels at that version. Encode and
// decode walk these flat tables instead of filtering the schema on every call.

/// A message type's layouts, one per version from the type's `since` to the newest version
/// that adds anything to it; every later version has the same layout as that one.
final class MessageLayouts: Sendable {
    let since: Int
    /// The newest version that adds anything to the type.
    let newest: Int
    /// Index `version - since`, clamped to the last.
    private let versions: LayoutTable<VersionLayout>
    /// The enums of the type's fields, in `FieldSlot.enumIndex` order, to name them in errors.
    let enumSchemas: [EnumSchema]
    /// Owns the memory of every table above and below; freed with the layouts.
    private let arena: LayoutArena

    init(
        since: Int, fields: [FieldSchema], groups: [GroupSchema], varData: [VarDataSchema], logicalFields: [LogicalField],
        defaultValues: [FieldValue]
    ) {
        let arena = LayoutArena()
        var enumSchemas: [EnumSchema] = []
        func slot(_ field: FieldSchema, index: Int) -> FieldSlot {
            var enumIndex = -1
            if case .enumeration(let enumSchema) = field.type {
                enumIndex =
                    enumSchemas.firstIndex(of: enumSchema)
                    ?? {
                        enumSchemas.append(enumSchema)
                        return enumSchemas.count - 1
                    }()
            }
            return FieldSlot(field, index: index, enumIndex: enumIndex)
        }
        let rootSlots = fields.enumerated().map { slot($1, index: $0) }
        let groupSlots = groups.map { group in group.fields.enumerated().map { slot($1, index: $0) } }
        func rootSlot(_ field: FieldSchema) -> FieldSlot { rootSlots[fields.firstIndex(of: field)!] }
        let enums = arena.table(enumSchemas.map { EnumTable($0, arena: arena) })
        let defaults = arena.table(defaultValues)
        let entryDefaults = groups.map { arena.table($0.fields.map(\.defaultValue)) }

        // The newest version that changes the type; the layouts stop there.
        let newest =
            ([since] + fields.map(\.since) + groups.map(\.since) + groups.flatMap { $0.fields.map(\.since) }
            + varData.map(\.since)).max()!
        let versions = (since...max(since, newest)).map { version in
            let groupLayouts = groups.enumerated().map { groupIndex, group in
                GroupLayout(
                    schemaIndex: groupIndex, entryLength: group.blockLength(at: version),
                    fields: arena.table(
                        zip(group.fields, groupSlots[groupIndex]).map { EntrySlot(present: $0.since <= version, slot: $1) }),
                    entryDefaults: entryDefaults[groupIndex])
            }
            var nextGroup = 0
            let steps = logicalFields.map { field -> FieldStep in
                var groupIndex = -1
                if case .group = field.kind {
                    groupIndex = nextGroup
                    nextGroup += 1
                }
                guard field.since <= version else { return FieldStep(.absent) }
                switch field.kind {
                case .scalar(let narrow, nil):
                    let slot = rootSlot(narrow)
                    return FieldStep(.scalar(slot.wire), narrow: slot)
                case .scalar(let narrow, let wide?):
                    return FieldStep(wide.since <= version ? .widened : .narrowed, narrow: rootSlot(narrow), wide: rootSlot(wide))
                case .group:
                    return FieldStep(.group, group: groupIndex)
                case .varData:
                    return FieldStep(.varData)
                }
            }
            return VersionLayout(
                blockLength: fields.lazy.filter { $0.since <= version }.map(\.end).max() ?? 0, steps: arena.table(steps),
                sizedSteps: arena.table(steps.indices.filter { [.group, .varData].contains(steps[$0].kind) }),
                defaultValues: defaults, groups: arena.table(groupLayouts), enums: enums)
        }
        self.since = since
        self.newest = newest
        self.versions = arena.table(versions)
        self.enumSchemas = enumSchemas
        self.arena = arena
    }

    /// The layout at `version` (at least `since`). It is valid while these layouts are alive.
    @inline(__always)
    func layout(at version: Int) -> VersionLayout {
        versions[min(max(version - since, 0), versions.count - 1)]
    }
}

/// A message type at one version: everything the codec reads on its way through a message.
struct VersionLayout: Sendable {
    /// The root block length a sender acting at this version writes, and the least a receiver accepts (R8).
    let blockLength: Int
    /// One step per logical field, in `logicalFields` order.
    let steps: LayoutTable<FieldStep>
    /// The indexes of the `group` and `varData` steps: the fields whose values size the frame.
    let sizedSteps: LayoutTable<Int>
    /// R1: the value of each logical field when it is absent, in `logicalFields` order.
    let defaultValues: LayoutTable<FieldValue>
    /// The type's groups, in schema order.
    let groups: LayoutTable<GroupLayout>
    /// The enums of the type's fields, in `FieldSlot.enumIndex` order.
    let enums: LayoutTable<EnumTable>
}

/// How one logical field travels at a version.
struct FieldStep: Sendable {
    /// One byte: the loops over the steps dispatch once per field, on the kind and the wire type together.
    enum Kind: Equatable, Sendable {
        /// Added after this version: not on the wire (R1), so only its default may be sent.
        case absent
        /// A root field of the given wire type.
        case scalar(FieldSlot.Wire)
        /// A widened field whose wide field exists at this version: the wide one carries the
        /// value, the narrow one as much of it as it holds.
        case widened
        /// A widened field whose wide field does not exist yet: the value must fit the narrow one (E2).
        case narrowed
        case group
        case varData
    }

    let kind: Kind
    /// The root field of `scalar`, `widened` and `narrowed`.
    let narrow: FieldSlot
    /// The wide field of `widened` and `narrowed`.
    let wide: FieldSlot
    /// For `group`: the index of its layout in `VersionLayout.groups`.
    let group: Int32

    init(_ kind: Kind, narrow: FieldSlot = .none, wide: FieldSlot = .none, group: Int = -1) {
        self.kind = kind
        self.narrow = narrow
        self.wide = wide
        self.group = Int32(group)
    }
}

/// A group at a version.
struct GroupLayout: Sendable {
    /// The group's index in `MessageSchema.groups`.
    let schemaIndex: Int
    /// The entry length a sender acting at this version writes, and the least a receiver accepts (R3).
    let entryLength: Int
    /// One per entry field, in the group's order.
    let fields: LayoutTable<EntrySlot>
    /// R1: the value of each entry field when it is absent.
    let entryDefaults: LayoutTable<FieldValue>
}

struct EntrySlot: Sendable {
    /// Whether the field exists at this version.
    let present: Bool
    let slot: FieldSlot
}

/// A root-block or group-entry field reduced to what encoding and decoding need.
struct FieldSlot: Sendable {
    enum Wire: UInt8, Sendable {
        case u8, u16, u32, u64, i64, char8, enumeration
    }

    let offset: Int
    /// The field's index in its message's `fields` or its group's `fields`, to name it in an error.
    let index: Int32
    /// For an enum: its index in `VersionLayout.enums`.
    let enumIndex: Int16
    let wire: Wire
    /// The field's size on the wire.
    let width: UInt8

    init(_ field: FieldSchema, index: Int, enumIndex: Int) {
        offset = field.offset
        width = UInt8(field.type.size)
        switch field.type {
        case .u8: wire = .u8
        case .u16: wire = .u16
        case .u32: wire = .u32
        case .u64: wire = .u64
        case .i64: wire = .i64
        case .char8: wire = .char8
        case .enumeration: wire = .enumeration
        default: preconditionFailure("the codec does not carry \(field.type.name) yet")
        }
        self.index = Int32(index)
        self.enumIndex = Int16(enumIndex)
    }

    private init() {
        offset = 0
        index = -1
        enumIndex = -1
        wire = .u8
        width = 1
    }

    /// The slot of a step that has no root field.
    static let none = FieldSlot()

    /// The largest value the field carries (`UInt64.max` for the signed and text types, as for `u64`).
    var unsignedMax: UInt64 {
        switch wire {
        case .u8, .enumeration: UInt64(UInt8.max)
        case .u16: UInt64(UInt16.max)
        case .u32: UInt64(UInt32.max)
        case .u64, .i64, .char8: UInt64.max
        }
    }
}

/// An enum's values by wire value, each with the version that added it.
struct EnumTable: Sendable {
    /// `since` of the value, `Int.max` for a value the enum does not have.
    private let sinceByValue: LayoutTable<Int>

    init(_ schema: EnumSchema, arena: LayoutArena) {
        var sinceByValue = [Int](repeating: .max, count: Int(schema.values.map(\.value).max() ?? 0) + 1)
        // The first listed wins, as `EnumSchema.value(_:)` finds it.
        for value in schema.values.reversed() { sinceByValue[Int(value.value)] = value.since }
        self.sinceByValue = arena.table(sinceByValue)
    }

    /// The version that added the wire value `value`, `Int.max` when the enum has no such value.
    func since(_ value: UInt64) -> Int {
        value < UInt64(sinceByValue.count) ? sinceByValue[Int(value)] : .max
    }
}

// MARK: - Tables

/// Read-only elements in memory a `LayoutArena` owns. Reading one costs no reference counting,
/// which the codec's per-field loops would otherwise pay on every array they touch.
struct LayoutTable<Element>: RandomAccessCollection, @unchecked Sendable {
    private let base: UnsafePointer<Element>?
    let count: Int

    fileprivate init(base: UnsafePointer<Element>?, count: Int) {
        self.base = base
        self.count = count
    }

    var startIndex: Int { 0 }
    var endIndex: Int { count }

    /// The element in place, for a loop that reads a few of a large element's properties.
    func element(at position: Int) -> UnsafePointer<Element> {
        precondition(position >= 0 && position < count, "table index out of range")
        return base.unsafelyUnwrapped + position
    }

    subscript(position: Int) -> Element {
        // Read in place: an element is borrowed, not copied (no retain for one that holds a reference).
        unsafeAddress {
            precondition(position >= 0 && position < count, "table index out of range")
            return base.unsafelyUnwrapped + position
        }
    }
}

/// Owns the memory of the tables of one message type's layouts: filled while the schema is
/// built, never changed after, freed with the layouts that hold the arena.
final class LayoutArena: @unchecked Sendable {
    /// Deinitializes and frees each table; only appended to while the layouts are built.
    private var releases: [() -> Void] = []

    func table<Element>(_ elements: [Element]) -> LayoutTable<Element> {
        guard !elements.isEmpty else { return LayoutTable(base: nil, count: 0) }
        let memory = UnsafeMutableBufferPointer<Element>.allocate(capacity: elements.count)
        _ = memory.initialize(from: elements)
        releases.append {
            memory.deinitialize()
            memory.deallocate()
        }
        return LayoutTable(base: UnsafePointer(memory.baseAddress), count: elements.count)
    }

    deinit {
        for release in releases { release() }
    }
}
