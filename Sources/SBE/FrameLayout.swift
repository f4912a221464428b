// Where things are in a frame, by the schema: for naming the field at a byte offset and for
// building deliberately broken frames (tests, the runner's bad-input checks, fuzz seeds).

public struct FrameLayout: Sendable {
    public let schema: Schema

    public init(schema: Schema) {
        self.schema = schema
    }

    /// The name of what sits at `offset` of a frame of `type` encoded at `version`
    /// (`header.version`, `NewOrder.side`, `levels[2]`, `var-data`).
    public func field(at offset: Int, in frame: [UInt8], type: MessageSchema, version: Int) -> String {
        let headerFields = ["blockLength", "blockLength", "templateId", "templateId", "schemaId", "schemaId", "version", "version"]
        if offset < FrameHeader.size { return "header.\(headerFields[max(0, offset)])" }
        let blockLength = FrameHeader(of: frame).map { Int($0.blockLength) } ?? type.blockLength(at: version)
        let inBlock = offset - FrameHeader.size
        if inBlock < blockLength {
            if let field = type.fields.first(where: { $0.since <= version && (($0.offset)..<$0.end).contains(inBlock) }) {
                return "\(type.name).\(field.name)"
            }
            return "\(type.name) block byte \(inBlock)"
        }
        if let group = type.groups.first(where: { $0.since <= version }) {
            let entryLength = group.blockLength(at: version)
            let inGroups = offset - FrameHeader.size - blockLength
            if inGroups < 4 { return "\(group.name) group header" }
            let entry = (inGroups - 4) / max(1, entryLength)
            return "\(type.name).\(group.name)[\(entry)]"
        }
        return "\(type.name) var-data"
    }

    /// `frame` with its header changed.
    public func withHeader(_ frame: [UInt8], _ change: (inout FrameHeader) -> Void) -> [UInt8] {
        guard var header = FrameHeader(of: frame) else { return frame }
        change(&header)
        return header.bytes + frame.dropFirst(FrameHeader.size)
    }

    /// `frame` with the bytes of a root field overwritten from its start.
    public func setting(_ frame: [UInt8], field name: String, of type: MessageSchema, to bytes: [UInt8]) -> [UInt8] {
        guard let field = type.rootField(named: name) else { return frame }
        var copy = frame
        for (index, byte) in bytes.prefix(field.type.size).enumerated() where FrameHeader.size + field.offset + index < copy.count {
            copy[FrameHeader.size + field.offset + index] = byte
        }
        return copy
    }

    /// `frame` (of a type without groups) cut after its block, then one var-data field of
    /// `bytes` with a length prefix that says exactly their count — however many that is.
    public func replacingVarData(_ frame: [UInt8], type: MessageSchema, with bytes: [UInt8]) -> [UInt8] {
        let blockLength = FrameHeader(of: frame).map { Int($0.blockLength) } ?? 0
        let count = UInt16(truncatingIfNeeded: bytes.count)
        return Array(frame.prefix(FrameHeader.size + blockLength)) + [UInt8(count & 0xFF), UInt8(count >> 8)] + bytes
    }

    /// `frame` with the `numInGroup` of its first group set to `count` (the entries are left as they are).
    public func settingGroupCount(_ frame: [UInt8], type: MessageSchema, version: Int, to count: UInt16) -> [UInt8] {
        let blockLength = FrameHeader(of: frame).map { Int($0.blockLength) } ?? 0
        let at = FrameHeader.size + blockLength + 2
        guard !type.groups.isEmpty, at + 1 < frame.count else { return frame }
        var copy = frame
        copy[at] = UInt8(count & 0xFF)
        copy[at + 1] = UInt8(count >> 8)
        return copy
    }

    /// Where the first group's dimension (`blockLength`, `numInGroup`) starts, if the frame has one.
    public func groupDimensionOffset(_ frame: [UInt8], type: MessageSchema) -> Int? {
        guard !type.groups.isEmpty, let header = FrameHeader(of: frame) else { return nil }
        let at = FrameHeader.size + Int(header.blockLength)
        return at + 4 <= frame.count ? at : nil
    }

    /// `frame` with its first group's entry `blockLength` set to `length` (the entries are left as they are).
    public func settingGroupBlockLength(_ frame: [UInt8], type: MessageSchema, to length: UInt16) -> [UInt8] {
        guard let at = groupDimensionOffset(frame, type: type) else { return frame }
        var copy = frame
        copy[at] = UInt8(length & 0xFF)
        copy[at + 1] = UInt8(length >> 8)
        return copy
    }

    /// `frame` (whose first group is its last, as in a type without var-data) with one more
    /// complete entry, a copy of its last one, and `numInGroup` counting it.
    public func appendingGroupEntry(_ frame: [UInt8], type: MessageSchema) -> [UInt8] {
        guard let at = groupDimensionOffset(frame, type: type) else { return frame }
        let entryLength = Int(frame[at]) | Int(frame[at + 1]) << 8
        let count = Int(frame[at + 2]) | Int(frame[at + 3]) << 8
        guard count > 0, entryLength > 0 else { return frame }
        let lastEntry = at + 4 + (count - 1) * entryLength
        guard lastEntry + entryLength <= frame.count else { return frame }
        var copy = settingGroupCount(frame, type: type, version: 0, to: UInt16(count + 1))
        copy.insert(contentsOf: frame[lastEntry..<(lastEntry + entryLength)], at: lastEntry + entryLength)
        return copy
    }

    /// `frame` followed by var-data fields a newer version might add (R4: a receiver skips
    /// them), each at most `maxVarDataLength` bytes, so that the whole is exactly `size` bytes.
    public func paddedWithNewerVarData(_ frame: [UInt8], to size: Int) -> [UInt8] {
        var padded = frame
        while padded.count + 2 <= size {
            var length = min(schema.maxVarDataLength, size - padded.count - 2)
            // A lone byte after this field could not be one: leave room for an empty field instead.
            if size - padded.count - 2 - length == 1 { length -= 1 }
            padded += [UInt8(length & 0xFF), UInt8(length >> 8)] + [UInt8](repeating: 0x70, count: length)
        }
        return padded
    }
}
