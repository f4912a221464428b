// What the codec derives from the schema once per message type and version: the block
// lengths, and where each logical field sits and how it travels at that version, in the root
// block and in the entries of every group, nested ones too. Encode and decode walk these flat
// tables instead of filtering the schema on every call.

/// A message type's layouts, one per version from the type's `since` to the newest version
/// that adds anything to it; every later version has the same layout as that one.
final class MessageLayouts: Sendable {
    let since: Int
    /// The newest version that adds anything to the type, in its groups too.
    let newest: Int
    /// Index `version - since`, clamped to the last.
    private let versions: LayoutTable<VersionTables>
    /// What error texts name: enums by `FieldSlot.table`, groups and var-data by `FieldStep.table`.
    let enumSchemas: [EnumSchema]
    let groupSchemas: [GroupSchema]
    /// `levels`, or `legs.fills` for a nested group.
    let groupPaths: [String]
    /// `account`, or `legs.note` for var-data in a group entry.
    let varDataNames: [String]
    /// Owns the memory of every table above and below; freed with the layouts.
    private let arena: LayoutArena

    init(
        since: Int, fields: [FieldSchema], groups: [GroupSchema], varData: [VarDataSchema], logicalFields: [LogicalField],
        defaultValues: [FieldValue], blockLength: Int?
    ) {
        let builder = LayoutBuilder()
        let root = builder.block(fields: fields, groups: groups, varData: varData, path: "")
        let shared = builder.sharedTables()
        let newest = ([since] + builder.sinces).max()!
        let rootDefaults = builder.arena.table(defaultValues)
        let versions = (since...max(since, newest)).map { version in
            VersionTables(
                root: builder.blockLayout(
                    root, logicalFields: logicalFields, defaults: rootDefaults,
                    blockLength: blockLengthOf(fields, attribute: blockLength, at: version), at: version),
                groups: builder.arena.table(builder.groups.map { builder.groupLayout($0, at: version) }),
                varData: shared.varData, enums: shared.enums, sets: shared.sets, values: shared.values)
        }
        self.since = since
        self.newest = newest
        self.versions = builder.arena.table(versions)
        self.enumSchemas = builder.enumSchemas
        self.groupSchemas = builder.groups.map(\.schema)
        self.groupPaths = builder.groups.map(\.path)
        self.varDataNames = builder.varDataNames
        self.arena = builder.arena
    }

    /// The layout at `version` (at least `since`). It is valid while these layouts are alive.
    @inline(__always)
    func layout(at version: Int) -> VersionLayout {
        VersionLayout(versions.element(at: min(max(version - since, 0), versions.count - 1)))
    }
}

/// A message type at one version: everything the codec reads on its way through a message.
/// One pointer to the version's tables, so passing it on copies nothing.
struct VersionLayout: @unchecked Sendable {
    private let tables: UnsafePointer<VersionTables>

    fileprivate init(_ tables: UnsafePointer<VersionTables>) {
        self.tables = tables
    }

    var root: BlockLayout { tables.pointee.root }
    var groups: LayoutTable<GroupLayout> { tables.pointee.groups }
    var varData: LayoutTable<VarDataLayout> { tables.pointee.varData }
    var enums: LayoutTable<EnumTable> { tables.pointee.enums }
    var sets: LayoutTable<SetTable> { tables.pointee.sets }
    var values: LayoutTable<ValueCodec> { tables.pointee.values }
}

/// The tables of a message type at one version (`VersionLayout` reads them in place).
struct VersionTables: Sendable {
    /// The root block and the groups and var-data after it.
    let root: BlockLayout
    /// Every group of the type, nested ones too, depth first: `FieldStep.table` of a `group` step.
    let groups: LayoutTable<GroupLayout>
    /// Every var-data field, the root's and each group's: `FieldStep.table` of a `varData` step.
    let varData: LayoutTable<VarDataLayout>
    /// The enums of the type's fields, in `FieldSlot.table` order.
    let enums: LayoutTable<EnumTable>
    /// The sets of the type's fields, by the index their `ValueCodec` gives.
    let sets: LayoutTable<SetTable>
    /// The fields the `general` wire carries, in `FieldSlot.table` order.
    let values: LayoutTable<ValueCodec>
}

/// The root block or a group entry at one version: its fields, then its groups, then its var-data.
struct BlockLayout: Sendable {
    /// The length a sender acting at this version writes, and the least a receiver accepts (R3, R8).
    let blockLength: Int
    /// One step per logical field, in wire order.
    let steps: LayoutTable<FieldStep>
    /// The indexes of the `group` and `varData` steps: the fields whose values size the frame.
    let sizedSteps: LayoutTable<Int>
    /// R1: the value of each logical field when it is absent.
    let defaultValues: LayoutTable<FieldValue>

    /// Whether the block is all there is: then entries of it lie end to end.
    var isFlat: Bool { sizedSteps.isEmpty }
}

/// How one logical field travels at a version.
struct FieldStep: Sendable {
    /// One byte: the loops over the steps dispatch once per field, on the kind and the wire type together.
    enum Kind: Equatable, Sendable {
        /// Added after this version: not on the wire (R1), so only its default may be sent.
        case absent
        /// A field of the block, of the given wire type.
        case scalar(FieldSlot.Wire)
        /// W7 (root only, between unsigned integer fields): a widened field whose wide field
        /// exists at this version: the wide one carries the value, the narrow one as much of it as it holds.
        case widened
        /// W7: a widened field whose wide field does not exist yet: the value must fit the narrow one (E2).
        case narrowed
        case group
        case varData
    }

    let kind: Kind
    /// The field of `scalar`, `widened` and `narrowed`.
    let narrow: FieldSlot
    /// The wide field of `widened` and `narrowed`.
    let wide: FieldSlot
    /// For `group`: its layout's index in `VersionLayout.groups`; for `varData`: in `VersionLayout.varData`.
    let table: Int32

    init(_ kind: Kind, narrow: FieldSlot = .none, wide: FieldSlot = .none, table: Int = -1) {
        self.kind = kind
        self.narrow = narrow
        self.wide = wide
        self.table = Int32(table)
    }
}

/// A group at a version.
struct GroupLayout: Sendable {
    let entry: BlockLayout
    let dimension: DimensionLayout
}

/// Where a group's dimension keeps the entry length and the entry count.
struct DimensionLayout: Sendable {
    let size: Int
    let blockLength: IntegerSlot
    let numInGroup: IntegerSlot
    /// The dimension's own cap on entries; the codec caps at the schema's maximum too.
    let maxEntries: Int

    init(_ dimension: DimensionSchema) {
        size = max(dimension.size, dimension.blockLength.end, dimension.numInGroup.end)
        blockLength = IntegerSlot(dimension.blockLength)
        numInGroup = IntegerSlot(dimension.numInGroup)
        maxEntries = dimension.maxEntries
    }
}

/// A var-data field: its length, then its bytes.
struct VarDataLayout: Sendable {
    let length: IntegerSlot
    /// Where the bytes start, from the start of the field.
    let dataOffset: Int
    /// The encoding's own cap on bytes; the codec caps at the schema's maximum too.
    let maxLength: Int
    /// Text (validated UTF-8, `FieldValue.text`) or raw bytes (`FieldValue.bytes`).
    let isText: Bool

    init(_ encoding: VarDataEncoding) {
        length = IntegerSlot(encoding.length)
        dataOffset = max(encoding.dataOffset, encoding.length.end)
        maxLength = encoding.maxLength
        isText = encoding.isText
    }
}

/// A field of a block reduced to what encoding and decoding need.
struct FieldSlot: Sendable {
    /// The wire types a required field without an explicit range travels as, read and written in
    /// place; `general` is every other field (optional or constant presence, an explicit range,
    /// chars other than 8, arrays, sets, composites, enums wider than a byte), carried by its `ValueCodec`.
    enum Wire: UInt8, Sendable {
        case u8, u16, u32, u64, i8, i16, i32, i64, f32, f64, char8, enumeration, general

        /// The wire of a plain primitive (`char` travels as its byte, as `u8`).
        init(_ primitive: Primitive) {
            switch primitive {
            case .char, .uint8: self = .u8
            case .uint16: self = .u16
            case .uint32: self = .u32
            case .uint64: self = .u64
            case .int8: self = .i8
            case .int16: self = .i16
            case .int32: self = .i32
            case .int64: self = .i64
            case .float: self = .f32
            case .double: self = .f64
            }
        }

        /// The plain wire `field` travels as, nil when it needs the general one.
        init?(plain field: FieldSchema) {
            guard field.presence == .required, field.minValue == nil, field.maxValue == nil else { return nil }
            switch field.type {
            case .primitive(let primitive): self.init(primitive)
            case .chars(8): self = .char8
            case .enumeration(let enumSchema) where enumSchema.encoding.size == 1: self = .enumeration
            default: return nil
            }
        }
    }

    let offset: Int
    /// The field's index in its block's `fields`, to name it in an error.
    let index: Int32
    /// For `enumeration`: its index in `VersionLayout.enums`; for `general`: in `VersionLayout.values`.
    let table: Int16
    let wire: Wire
    /// The field's size on the wire.
    let width: UInt8

    init(_ field: FieldSchema, index: Int, wire: Wire, table: Int) {
        offset = field.offset
        width = UInt8(clamping: field.wireSize)
        self.wire = wire
        self.index = Int32(index)
        self.table = Int16(table)
    }

    private init() {
        offset = 0
        index = -1
        table = -1
        wire = .u8
        width = 1
    }

    /// The slot of a step that has no field.
    static let none = FieldSlot()

    /// The largest value the field carries (`UInt64.max` for the other types, as for `u64`).
    var unsignedMax: UInt64 {
        switch wire {
        case .u8, .enumeration: UInt64(UInt8.max)
        case .u16: UInt64(UInt16.max)
        case .u32: UInt64(UInt32.max)
        default: UInt64.max
        }
    }
}

extension FieldSlot.Wire {
    /// The primitive of a numeric wire (`uint8` for the others).
    var primitive: Primitive {
        switch self {
        case .u16: .uint16
        case .u32: .uint32
        case .u64: .uint64
        case .i8: .int8
        case .i16: .int16
        case .i32: .int32
        case .i64: .int64
        case .f32: .float
        case .f64: .double
        case .u8, .char8, .enumeration, .general: .uint8
        }
    }
}

// MARK: - Building

/// Gathers the tables of one message type's layouts: the version-free parts once (slots, value
/// codecs, enums, sets, var-data, the groups depth first), then a block and a group layout per version.
private final class LayoutBuilder {
    /// A root block or group entry as every version shares it.
    struct Block {
        let fields: [FieldSchema]
        let slots: [FieldSlot]
        /// The `VersionLayout.groups` index of each of its groups, and the `VersionLayout.varData` index of each var-data.
        let groupIndexes: [Int]
        let varDataIndexes: [Int]
    }

    struct Group {
        let schema: GroupSchema
        let path: String
        let block: Block
        let logicalFields: [LogicalField]
        let defaults: LayoutTable<FieldValue>
        let dimension: DimensionLayout
    }

    let arena = LayoutArena()
    /// Every group, nested ones too, depth first (a nested group before the group that holds it).
    private(set) var groups: [Group] = []
    private(set) var enumSchemas: [EnumSchema] = []
    private var setSchemas: [SetSchema] = []
    private(set) var varDataNames: [String] = []
    private var varDataLayouts: [VarDataLayout] = []
    private var valueCodecs: [ValueCodec] = []
    /// The `since` of every field, group and var-data met, nested ones too.
    private(set) var sinces: [Int] = []

    /// A block's slots, and its groups and var-data with theirs, recursively. `path` is the
    /// group path of the block followed by a dot, empty for the root.
    func block(fields: [FieldSchema], groups: [GroupSchema], varData: [VarDataSchema], path: String) -> Block {
        sinces += fields.map(\.since) + groups.map(\.since) + varData.map(\.since)
        let slots = fields.enumerated().map { slot($1, index: $0) }
        let varDataIndexes = varData.map { field in
            varDataNames.append(path + field.name)
            varDataLayouts.append(VarDataLayout(field.encoding))
            return varDataLayouts.count - 1
        }
        let groupIndexes = groups.map { group in
            let entry = block(fields: group.fields, groups: group.groups, varData: group.varData, path: path + group.name + ".")
            let logicalFields = group.logicalFields
            self.groups.append(
                Group(
                    schema: group, path: path + group.name, block: entry, logicalFields: logicalFields,
                    defaults: arena.table(logicalFields.map(\.defaultValue)), dimension: DimensionLayout(group.dimension)))
            return self.groups.count - 1
        }
        return Block(fields: fields, slots: slots, groupIndexes: groupIndexes, varDataIndexes: varDataIndexes)
    }

    /// The tables every version shares, once every block is built.
    func sharedTables() -> (
        varData: LayoutTable<VarDataLayout>, enums: LayoutTable<EnumTable>, sets: LayoutTable<SetTable>, values: LayoutTable<ValueCodec>
    ) {
        (
            arena.table(varDataLayouts), arena.table(enumSchemas.map { EnumTable($0, arena: arena) }),
            arena.table(setSchemas.map { SetTable($0, arena: arena) }), arena.table(valueCodecs)
        )
    }

    func groupLayout(_ group: Group, at version: Int) -> GroupLayout {
        GroupLayout(
            entry: blockLayout(
                group.block, logicalFields: group.logicalFields, defaults: group.defaults,
                blockLength: group.schema.blockLength(at: version),
                at: version),
            dimension: group.dimension)
    }

    /// One step per logical field of the block at `version`.
    func blockLayout(_ block: Block, logicalFields: [LogicalField], defaults: LayoutTable<FieldValue>, blockLength: Int, at version: Int)
        -> BlockLayout
    {
        var groupIndexes = block.groupIndexes.makeIterator()
        var varDataIndexes = block.varDataIndexes.makeIterator()
        // By name, unique in a block: comparing whole fields costs a peer's start-up dearly.
        func slot(_ field: FieldSchema) -> FieldSlot { block.slots[block.fields.firstIndex { $0.name == field.name }!] }
        let steps = logicalFields.map { field -> FieldStep in
            // Taken for absent ones too: the indexes follow the schema, not the version.
            let table: Int? =
                switch field.kind {
                case .group: groupIndexes.next()
                case .varData: varDataIndexes.next()
                case .scalar: nil
                }
            guard field.since <= version else { return FieldStep(.absent) }
            switch field.kind {
            case .scalar(let narrow, nil):
                let slot = slot(narrow)
                return FieldStep(.scalar(slot.wire), narrow: slot)
            case .scalar(let narrow, let wide?):
                precondition(
                    [narrow, wide].allSatisfy { [.u8, .u16, .u32, .u64].contains(FieldSlot.Wire(plain: $0)) },
                    "\(wide.name) widens \(narrow.name): W7 widens a required unsigned integer field into another")
                return FieldStep(wide.since <= version ? .widened : .narrowed, narrow: slot(narrow), wide: slot(wide))
            case .group: return FieldStep(.group, table: table!)
            case .varData: return FieldStep(.varData, table: table!)
            }
        }
        return BlockLayout(
            blockLength: blockLength, steps: arena.table(steps),
            sizedSteps: arena.table(steps.indices.filter { [.group, .varData].contains(steps[$0].kind) }), defaultValues: defaults)
    }

    private func slot(_ field: FieldSchema, index: Int) -> FieldSlot {
        if let wire = FieldSlot.Wire(plain: field) {
            var table = -1
            if case .enumeration(let enumSchema) = field.type { table = enumIndex(enumSchema) }
            return FieldSlot(field, index: index, wire: wire, table: table)
        }
        valueCodecs.append(valueCodec(field))
        return FieldSlot(field, index: index, wire: .general, table: valueCodecs.count - 1)
    }

    /// How a field or composite member the plain wires do not carry travels.
    private func valueCodec(_ field: FieldSchema) -> ValueCodec {
        let shape: ValueCodec.Shape
        switch (field.presence, field.type) {
        case (.constant(let value), _): shape = .constant(value, default: field.defaultValue)
        case (_, .primitive(let primitive)): shape = .primitive(primitive)
        case (_, .chars(let length)): shape = .chars(length)
        case (_, .array(let primitive, let count)): shape = .array(primitive, count: count)
        case (_, .enumeration(let enumSchema)): shape = .enumeration(enumSchema, table: enumIndex(enumSchema))
        case (_, .set(let setSchema)): shape = .set(setSchema, table: setIndex(setSchema))
        case (_, .composite(let composite)): shape = .composite(arena.table(composite.members.map(valueCodec)))
        }
        return ValueCodec(shape: shape, field: field)
    }

    private func enumIndex(_ enumSchema: EnumSchema) -> Int {
        if let index = enumSchemas.firstIndex(of: enumSchema) { return index }
        enumSchemas.append(enumSchema)
        return enumSchemas.count - 1
    }

    private func setIndex(_ setSchema: SetSchema) -> Int {
        if let index = setSchemas.firstIndex(of: setSchema) { return index }
        setSchemas.append(setSchema)
        return setSchemas.count - 1
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
