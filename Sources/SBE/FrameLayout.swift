// Where things are in a frame, by the schema: for naming the field at a byte offset and for
// building deliberately broken frames (tests, the runner's bad-input checks, fuzz seeds).
// Headers, dimensions and var-data lengths are read and written as the schema lays them out.

public struct FrameLayout: Sendable {
    public let schema: Schema

    public init(schema: Schema) {
        self.schema = schema
    }

    private var header: HeaderLayout { HeaderLayout(schema.header) }

    /// Bytes of the message header, where a message's block starts.
    public var headerSize: Int { header.size }

    /// The name of what sits at `offset` of a frame of `type` encoded at `version`
    /// (`header.version`, `NewOrder.side`, `levels[2]`, `var-data`).
    public func field(at offset: Int, in frame: [UInt8], type: MessageSchema, version: Int) -> String {
        let header = header
        if offset < header.size { return "header." + (header.name(at: max(0, offset)) ?? "byte \(offset)") }
        let blockLength = frameHeader(of: frame).map { Int($0.blockLength) } ?? type.blockLength(at: version)
        let inBlock = offset - header.size
        if inBlock < blockLength {
            if let field = type.fields.first(where: { $0.since <= version && (($0.offset)..<$0.end).contains(inBlock) }) {
                return "\(type.name).\(field.name)"
            }
            return "\(type.name) block byte \(inBlock)"
        }
        if let group = type.groups.first(where: { $0.since <= version }) {
            let entryLength = group.blockLength(at: version)
            let inGroups = offset - header.size - blockLength
            if inGroups < group.dimension.size { return "\(group.name) group header" }
            let entry = (inGroups - group.dimension.size) / max(1, entryLength)
            return "\(type.name).\(group.name)[\(entry)]"
        }
        return "\(type.name) var-data"
    }

    /// `frame` with its header changed (members other than the four values written as 0).
    public func withHeader(_ frame: [UInt8], _ change: (inout FrameHeader) -> Void) -> [UInt8] {
        guard var frameHeader = frameHeader(of: frame) else { return frame }
        change(&frameHeader)
        return schema.header.bytes(of: frameHeader, byteOrder: schema.byteOrder) + frame.dropFirst(header.size)
    }

    /// `frame` with the bytes of a root field overwritten from its start.
    public func setting(_ frame: [UInt8], field name: String, of type: MessageSchema, to bytes: [UInt8]) -> [UInt8] {
        guard let field = type.rootField(named: name) else { return frame }
        let start = header.size + field.offset
        var copy = frame
        for (index, byte) in bytes.prefix(field.type.size).enumerated() where start + index < copy.count {
            copy[start + index] = byte
        }
        return copy
    }

    /// `frame` (of a type without groups) cut after its block, then one var-data field of
    /// `bytes` with a length prefix that says exactly their count — however many that is (the
    /// count is cut to the length's width). The field is encoded as the type's first var-data is.
    public func replacingVarData(_ frame: [UInt8], type: MessageSchema, with bytes: [UInt8]) -> [UInt8] {
        let blockLength = frameHeader(of: frame).map { Int($0.blockLength) } ?? 0
        let encoding = type.varData.first?.encoding ?? .standard(maxLength: schema.maxVarDataLength)
        return Array(frame.prefix(header.size + blockLength)) + lengthPrefix(bytes.count, encoding) + bytes
    }

    /// `frame` with the `numInGroup` of its first group set to `count` (the entries are left as they are).
    public func settingGroupCount(_ frame: [UInt8], type: MessageSchema, version: Int, to count: UInt16) -> [UInt8] {
        guard let group = type.groups.first, let at = dimensionOffset(frame) else { return frame }
        return setting(UInt64(count), IntegerSlot(group.dimension.numInGroup), at: at, in: frame)
    }

    /// Where the first group's dimension (`blockLength`, `numInGroup`) starts, if the frame has one.
    public func groupDimensionOffset(_ frame: [UInt8], type: MessageSchema) -> Int? {
        guard let group = type.groups.first, let at = dimensionOffset(frame) else { return nil }
        return at + group.dimension.size <= frame.count ? at : nil
    }

    /// `frame` with its first group's entry `blockLength` set to `length` (the entries are left as they are).
    public func settingGroupBlockLength(_ frame: [UInt8], type: MessageSchema, to length: UInt16) -> [UInt8] {
        guard let group = type.groups.first, let at = groupDimensionOffset(frame, type: type) else { return frame }
        return setting(UInt64(length), IntegerSlot(group.dimension.blockLength), at: at, in: frame)
    }

    /// `frame` (whose first group is its last, as in a type without var-data) with one more
    /// complete entry, a copy of its last one, and `numInGroup` counting it.
    public func appendingGroupEntry(_ frame: [UInt8], type: MessageSchema) -> [UInt8] {
        guard let dimension = type.groups.first?.dimension, let at = groupDimensionOffset(frame, type: type),
            let entryLength = integer(IntegerSlot(dimension.blockLength), at: at, in: frame).map(Int.init),
            let count = integer(IntegerSlot(dimension.numInGroup), at: at, in: frame).map(Int.init),
            count > 0, entryLength > 0
        else { return frame }
        let lastEntry = at + dimension.size + (count - 1) * entryLength
        guard lastEntry + entryLength <= frame.count else { return frame }
        var copy = setting(UInt64(count + 1), IntegerSlot(dimension.numInGroup), at: at, in: frame)
        copy.insert(contentsOf: frame[lastEntry..<(lastEntry + entryLength)], at: lastEntry + entryLength)
        return copy
    }

    /// `frame` followed by var-data fields a newer version might add (R4: a receiver skips
    /// them), each a uint16 length and at most `maxVarDataLength` bytes, so that the whole is
    /// exactly `size` bytes.
    public func paddedWithNewerVarData(_ frame: [UInt8], to size: Int) -> [UInt8] {
        let encoding = VarDataEncoding.standard(maxLength: schema.maxVarDataLength)
        var padded = frame
        while padded.count + encoding.dataOffset <= size {
            var length = min(schema.maxVarDataLength, size - padded.count - encoding.dataOffset)
            // A lone byte after this field could not be one: leave room for an empty field instead.
            if size - padded.count - encoding.dataOffset - length == 1 { length -= 1 }
            padded += lengthPrefix(length, encoding) + [UInt8](repeating: 0x70, count: length)
        }
        return padded
    }

    // MARK: Integers as the schema lays them out

    private func frameHeader(of frame: [UInt8]) -> FrameHeader? {
        schema.header.header(of: frame, byteOrder: schema.byteOrder)
    }

    /// Where the first group's dimension starts: after the header and the block the header gives.
    private func dimensionOffset(_ frame: [UInt8]) -> Int? {
        frameHeader(of: frame).map { header.size + Int($0.blockLength) }
    }

    /// A var-data field's bytes before its data: the length (cut to its width) in its slot, zeros around it.
    private func lengthPrefix(_ count: Int, _ encoding: VarDataEncoding) -> [UInt8] {
        setting(
            UInt64(truncatingIfNeeded: count), IntegerSlot(encoding.length), at: 0, in: [UInt8](repeating: 0, count: encoding.dataOffset))
    }

    /// `frame` with `value` (cut to the slot's width) in `slot` of the structure at `base`; as
    /// it is when the slot does not fit in the frame.
    private func setting(_ value: UInt64, _ slot: IntegerSlot, at base: Int, in frame: [UInt8]) -> [UInt8] {
        var copy = frame
        frameInteger(slot, at: base).set(value, in: &copy)
        return copy
    }

    /// The integer in `slot` of the structure at `base`, nil when the frame does not hold it.
    private func integer(_ slot: IntegerSlot, at base: Int, in frame: [UInt8]) -> UInt64? {
        frameInteger(slot, at: base).value(in: frame)
    }
}
