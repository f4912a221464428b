// The enums' values and the sets' choices as the codec asks about them on every field: which
// version added a wire value or a bit. Built once per message type (CodecLayout.swift).

/// An enum's values by wire value, each with the version that added it. Kept to one table, so
/// a lookup on the hot path reads two words: a wide encoding's (uint16 …) values beyond
/// `denseLimit`, which may be sparse, are looked up in the schema instead (`since(_:in:)`).
struct EnumTable: Sendable {
    static let denseLimit: UInt64 = 1024

    /// `since` of each wire value below the table's count, `Int.max` where the enum has none.
    private let sinceByValue: LayoutTable<Int>

    init(_ schema: EnumSchema, arena: LayoutArena) {
        let dense = schema.values.filter { $0.value < Self.denseLimit }
        var sinceByValue = [Int](repeating: .max, count: Int(dense.map(\.value).max() ?? 0) + 1)
        // The first listed wins, as `EnumSchema.value(_:)` finds it.
        for value in dense.reversed() { sinceByValue[Int(value.value)] = value.since }
        self.sinceByValue = arena.table(sinceByValue)
    }

    /// The version that added the wire value `value` (below `denseLimit`), `Int.max` when the enum has no such value.
    @inline(__always)
    func since(_ value: UInt64) -> Int {
        value < UInt64(sinceByValue.count) ? sinceByValue[Int(value)] : .max
    }

    /// The same for any wire value of `schema`, the enum of this table.
    func since(_ value: UInt64, in schema: EnumSchema) -> Int {
        value < Self.denseLimit ? since(value) : schema.value(value)?.since ?? .max
    }
}

/// A set's choices as bits, and the bits each version knows.
struct SetTable: Sendable {
    /// Every choice's bit.
    let allBits: UInt64
    /// Ascending versions that add choices, and the bits known from each on.
    private let versions: LayoutTable<Int>
    private let bitsKnown: LayoutTable<UInt64>

    init(_ schema: SetSchema, arena: LayoutArena) {
        let versions = Set(schema.choices.map(\.since)).sorted()
        allBits = schema.knownBits(at: .max)
        self.versions = arena.table(versions)
        self.bitsKnown = arena.table(versions.map { schema.knownBits(at: $0) })
    }

    /// The bits of every choice added at `version` or before.
    func knownBits(at version: Int) -> UInt64 {
        var known: UInt64 = 0
        for index in versions.indices where versions[index] <= version { known = bitsKnown[index] }
        return known
    }
}
