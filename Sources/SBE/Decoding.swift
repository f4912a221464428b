// The decoder (R1–R5, R7, R8, R10 in R11's order): the header, then the root block and, from
// the end of the block as the sender sized it, the groups (each entry a block with its own
// groups and var-data after it) and the var-data, in wire order.

/// What every step of one frame's walk reads.
struct DecodeWalk<Order: WireByteOrder> {
    let frame: FrameReader<Order>
    /// The receiver's newest version: R7 judges enum values and set choices by it.
    let maxVersion: Int
    /// The type's layout at min(header version, maxVersion) (R1, R10).
    let layout: VersionLayout
    /// The type's index in `schema.messages`.
    let typeIndex: Int
}

extension Codec {
    /// The one decoder: fills `values` (emptied first, its storage kept) with one value per
    /// logical field of the frame's type, whose index in `schema.messages` it returns with the header.
    func decode<Order: WireByteOrder>(
        _ frame: FrameReader<Order>, asVersion maxVersion: Int, into values: inout [FieldValue]
    ) throws(DecodeError) -> (FrameHeader, Int) {
        func fail(_ reason: DecodeError.Reason, at offset: Int, _ type: MessageSchema? = nil) -> DecodeError {
            DecodeError(reason: reason, templateId: refTemplate(of: frame), messageName: type?.name, field: nil, offset: offset)
        }

        // R8: size, header, schemaId.
        guard frame.count <= schema.maxFrameSize else { throw fail(.oversized(size: frame.count), at: schema.maxFrameSize) }
        guard let sent = header.read(frame) else { throw fail(.truncatedHeader(size: frame.count, headerSize: header.size), at: 0) }
        guard sent.schemaId == UInt64(schema.schemaId) else {
            throw fail(.wrongSchemaId(UInt16(clamping: sent.schemaId), expected: schema.schemaId), at: header.schemaId.offset)
        }

        // R5: the template must be one the receiver's version knows.
        guard let templateId = UInt16(exactly: sent.templateId), let typeIndex = schema.messageIndex(templateId: templateId),
            schema.messages[typeIndex].since <= maxVersion
        else { throw fail(.unknownTemplate, at: header.templateId.offset) }
        // Read where the schema keeps it, not copied: a copy would count a reference per frame.
        var type: MessageSchema { schema.messages[typeIndex] }

        // R8: a version at which the type did not exist defines no block to check against.
        let version = Int(clamping: sent.version)
        guard version >= type.since else {
            throw fail(.versionBeforeType(version: version, since: type.since), at: header.version.offset, type)
        }

        // R1/R10: fields the sender's version has, capped at what the receiver knows.
        let layout = type.layout(at: min(version, maxVersion))
        let blockLength = Int(clamping: sent.blockLength)
        guard blockLength >= layout.root.blockLength else {
            throw fail(
                .blockLengthTooShort(blockLength: blockLength, required: layout.root.blockLength), at: header.blockLength.offset, type)
        }
        guard frame.count - header.size >= blockLength else {
            throw fail(.truncated(needed: blockLength, available: frame.count - header.size), at: header.size, type)
        }

        Self.size(&values, to: layout.root.steps.count)
        let walk = DecodeWalk(frame: frame, maxVersion: maxVersion, layout: layout, typeIndex: typeIndex)
        try values.withUnsafeMutableBufferPointer { values throws(DecodeError) in
            // R2: the groups and var-data start where the block ends as the sender sized it.
            var position = header.size + blockLength
            try decodeBlock(into: values, layout.root, base: header.size, at: &position, scope: -1, walk)
        }
        return (sent.frameHeader, typeIndex)
    }

    /// One value per logical field, each overwritten by the decoder: a buffer that held a type
    /// of as many fields last time is already the right size, and writing through its pointer
    /// skips the checks of appending. Else it is sized with placeholders, in the storage it has
    /// when that is large enough.
    @inline(__always)
    private static func size(_ values: inout [FieldValue], to count: Int) {
        guard values.count != count else { return }
        if values.capacity >= count {
            values.removeAll(keepingCapacity: true)
            values.append(contentsOf: repeatElement(.unsigned(0), count: count))
        } else {
            values = Array(repeating: .unsigned(0), count: count)
        }
    }

    /// The fields of a root block or group entry at `base`, checked to be in the frame, then
    /// its groups and var-data from `position`, which ends past them. `scope` is the entry's
    /// group (its `VersionLayout.groups` index), -1 for the root: it only names fields in errors.
    @inline(__always)
    private func decodeBlock<Order: WireByteOrder>(
        into values: UnsafeMutableBufferPointer<FieldValue>, _ block: BlockLayout, base: Int, at position: inout Int, scope: Int,
        _ walk: DecodeWalk<Order>
    ) throws(DecodeError) {
        // In wire order, as the logical fields are: the block, then the groups, then the var-data.
        for index in block.steps.indices {
            let step = block.steps.element(at: index)
            switch step.pointee.kind {
            case .absent:
                values[index] = block.defaultValues[index]
            case .scalar(let wire):
                values.replace(index, with: try decodeField(step.pointee.narrow, wire, base: base, scope: scope, walk))
            case .narrowed:
                let narrow = step.pointee.narrow
                values.replace(index, with: .unsigned(walk.frame.inBoundsUnsigned(at: base &+ narrow.offset, width: Int(narrow.width))))
            case .widened:
                // W7: read the wide field when the message's version has it.
                let wide = step.pointee.wide
                values.replace(index, with: .unsigned(walk.frame.inBoundsUnsigned(at: base &+ wide.offset, width: Int(wide.width))))
            case .group:
                values[index] = try decodeGroup(Int(step.pointee.table), at: &position, walk)
            case .varData:
                values[index] = try decodeVarData(Int(step.pointee.table), at: &position, walk)
            }
        }
    }

    /// W4, R3: the dimension, then each entry: its block, as long as the dimension says, then
    /// its own groups and var-data.
    private func decodeGroup<Order: WireByteOrder>(_ table: Int, at position: inout Int, _ walk: DecodeWalk<Order>) throws(DecodeError)
        -> FieldValue
    {
        let group = walk.layout.groups[table]
        let dimension = group.dimension
        let frame = walk.frame
        func fail(_ reason: DecodeError.Reason, at offset: Int) -> DecodeError {
            refusal(reason, at: offset, field: schema.messages[walk.typeIndex].storage.layouts.groupPaths[table], walk)
        }
        guard frame.count - position >= dimension.size,
            let sentLength = frame.unsigned(at: position + dimension.blockLength.offset, width: dimension.blockLength.width),
            let sentCount = frame.unsigned(at: position + dimension.numInGroup.offset, width: dimension.numInGroup.width)
        else { throw fail(.truncated(needed: dimension.size, available: frame.count - position), at: position) }
        let maxEntries = min(schema.maxGroupEntries, dimension.maxEntries)
        guard sentCount <= UInt64(maxEntries) else {
            throw fail(.tooManyGroupEntries(Int(clamping: sentCount)), at: position + dimension.numInGroup.offset)
        }
        let (entryLength, count) = (Int(clamping: sentLength), Int(sentCount))
        guard entryLength >= group.entry.blockLength else {
            throw fail(
                .groupBlockLengthTooShort(blockLength: entryLength, required: group.entry.blockLength),
                at: position + dimension.blockLength.offset)
        }
        position += dimension.size
        // R8: the entries take at least their blocks; exactly that when they have no groups or var-data.
        let (needed, overflow) = entryLength.multipliedReportingOverflow(by: count)
        guard !overflow, frame.count - position >= needed else {
            throw fail(.truncated(needed: overflow ? .max : needed, available: frame.count - position), at: position)
        }
        var entries: [[FieldValue]] = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            // The groups and var-data of the entries before may have taken the bytes this block needs.
            guard group.entry.isFlat || frame.count - position >= entryLength else {
                throw fail(.truncated(needed: entryLength, available: frame.count - position), at: position)
            }
            var entry = Array(group.entry.defaultValues)
            let base = position
            position += entryLength  // R3: the entry's block as the sender sized it
            try entry.withUnsafeMutableBufferPointer { values throws(DecodeError) in
                try decodeBlock(into: values, group.entry, base: base, at: &position, scope: table, walk)
            }
            entries.append(entry)
        }
        return .group(entries)
    }

    /// W5, R4: the var-data fields the receiver knows, in order; whatever follows them is ignored.
    @inline(__always)
    private func decodeVarData<Order: WireByteOrder>(_ table: Int, at position: inout Int, _ walk: DecodeWalk<Order>) throws(DecodeError)
        -> FieldValue
    {
        let varData = walk.layout.varData.element(at: table)
        let start = position &+ varData.pointee.dataOffset
        guard let length = walk.frame.unsigned(at: position &+ varData.pointee.length.offset, width: varData.pointee.length.width),
            length <= UInt64(varData.pointee.maxLength), length <= UInt64(schema.maxVarDataLength),
            let data = walk.frame.slice(at: start, count: Int(length))
        else { throw varDataRefusal(table, at: position, walk) }
        guard varData.pointee.isText else {
            position = start &+ data.count
            return .bytes(Array(data))
        }
        guard let text = Self.text(validating: data) else {
            throw refusal(.invalidUTF8, at: start, field: varDataName(table, walk), walk)
        }
        position = start &+ data.count
        return .text(text)
    }

    /// Why the length of the var-data at `position` is refused (R8), in R11's order: its own
    /// bytes, its maximum, then the bytes it counts.
    @inline(never)
    private func varDataRefusal<Order: WireByteOrder>(_ table: Int, at position: Int, _ walk: DecodeWalk<Order>) -> DecodeError {
        let varData = walk.layout.varData[table]
        let frame = walk.frame
        func fail(_ reason: DecodeError.Reason, at offset: Int) -> DecodeError {
            refusal(reason, at: offset, field: varDataName(table, walk), walk)
        }
        guard let length = frame.unsigned(at: position + varData.length.offset, width: varData.length.width) else {
            return fail(.truncated(needed: varData.length.end, available: frame.count - position), at: position)
        }
        guard length <= UInt64(min(schema.maxVarDataLength, varData.maxLength)) else {
            return fail(.varDataTooLong(Int(clamping: length)), at: position + varData.length.offset)
        }
        let start = position + varData.dataOffset
        return fail(.truncated(needed: Int(length), available: max(0, frame.count - start)), at: start)
    }

    private func varDataName<Order: WireByteOrder>(_ table: Int, _ walk: DecodeWalk<Order>) -> String {
        schema.messages[walk.typeIndex].storage.layouts.varDataNames[table]
    }

    /// A field of a block, or the refusal that names it.
    @inline(__always)
    private func decodeField<Order: WireByteOrder>(
        _ slot: FieldSlot, _ wire: FieldSlot.Wire, base: Int, scope: Int, _ walk: DecodeWalk<Order>
    ) throws(DecodeError) -> FieldValue {
        if let value = decodeScalar(slot, wire: wire, in: walk.frame, base: base, maxVersion: walk.maxVersion, layout: walk.layout) {
            return value
        }
        // Asked only here, off the path of the plain fields.
        guard wire != .general else { return try decodeGeneral(slot, base: base, scope: scope, walk) }
        throw whyNot(slot, base: base, scope: scope, walk)
    }

    /// One field of a plain wire at `base + slot.offset`, or nil when the receiver cannot accept
    /// it; `whyNot` then says why. Kept free of errors, so a field read that succeeds pays
    /// nothing for the error it could have thrown. `wire` is `slot.wire`, passed apart as for
    /// `encodeScalar`.
    @inline(__always)
    private func decodeScalar<Order: WireByteOrder>(
        _ slot: FieldSlot, wire: FieldSlot.Wire, in frame: FrameReader<Order>, base: Int, maxVersion: Int, layout: VersionLayout
    ) -> FieldValue? {
        let offset = base &+ slot.offset
        // The block or entry was checked to lie in the frame before any of its fields is read.
        switch wire {
        case .u8: return frame.primitive(.uint8, at: offset)
        case .u16: return frame.primitive(.uint16, at: offset)
        case .u32: return frame.primitive(.uint32, at: offset)
        case .u64: return frame.primitive(.uint64, at: offset)
        case .i8: return frame.primitive(.int8, at: offset)
        case .i16: return frame.primitive(.int16, at: offset)
        case .i32: return frame.primitive(.int32, at: offset)
        case .i64: return frame.primitive(.int64, at: offset)
        case .f32: return frame.primitive(.float, at: offset)
        case .f64: return frame.primitive(.double, at: offset)
        case .enumeration:
            // R7: a value unknown to the receiver.
            let raw = UInt64(frame.inBounds(at: offset, as: UInt8.self))
            guard layout.enums[Int(slot.table)].since(raw) <= maxVersion else { return nil }
            return .unsigned(raw)
        case .char8:
            let bytes = frame.inBounds(at: offset, count: 8)
            let (length, invalidAt) = Self.char8(bytes)
            guard invalidAt == nil else { return nil }
            return .text(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<length]), as: UTF8.self))
        case .general:
            return nil  // decodeField then reads it by its ValueCodec
        }
    }

    /// A field the plain wires do not carry, by its `ValueCodec`.
    private func decodeGeneral<Order: WireByteOrder>(_ slot: FieldSlot, base: Int, scope: Int, _ walk: DecodeWalk<Order>)
        throws(DecodeError) -> FieldValue
    {
        do throws(DecodeRefusal) {
            return try decodeValue(
                walk.layout.values[Int(slot.table)], in: walk.frame, base: base, maxVersion: walk.maxVersion, layout: walk.layout)
        } catch {
            let field = ([fieldName(slot, scope, walk.typeIndex)] + error.members).joined(separator: ".")
            throw refusal(error.reason, at: error.offset, field: field, walk)
        }
    }

    // MARK: Refusals, built only when a frame is refused

    /// Why `decodeScalar` refused the field.
    @inline(never)
    private func whyNot<Order: WireByteOrder>(_ slot: FieldSlot, base: Int, scope: Int, _ walk: DecodeWalk<Order>) -> DecodeError {
        let offset = base + slot.offset
        let width = Int(slot.width)
        let field = fieldName(slot, scope, walk.typeIndex)
        guard let bytes = walk.frame.slice(at: offset, count: width) else {
            return refusal(.truncated(needed: width, available: max(0, walk.frame.count - offset)), at: offset, field: field, walk)
        }
        switch slot.wire {
        case .char8:
            let index = Self.char8(bytes).invalidAt ?? 0
            return refusal(.invalidChar8(byte: bytes[index]), at: offset + index, field: field, walk)
        default:
            let enumName = schema.messages[walk.typeIndex].storage.layouts.enumSchemas[Int(slot.table)].name
            return refusal(.unknownEnumValue(UInt64(bytes[0]), enumName: enumName), at: offset, field: field, walk)
        }
    }

    /// `side`, or `levels.bidPx` in a group.
    private func fieldName(_ slot: FieldSlot, _ scope: Int, _ typeIndex: Int) -> String {
        let type = schema.messages[typeIndex]
        guard scope >= 0 else { return type.fields[Int(slot.index)].name }
        let layouts = type.storage.layouts
        return "\(layouts.groupPaths[scope]).\(layouts.groupSchemas[scope].fields[Int(slot.index)].name)"
    }

    private func refusal<Order: WireByteOrder>(_ reason: DecodeError.Reason, at offset: Int, field: String, _ walk: DecodeWalk<Order>)
        -> DecodeError
    {
        DecodeError(
            reason: reason, templateId: refTemplate(of: walk.frame), messageName: schema.messages[walk.typeIndex].name, field: field,
            offset: offset)
    }

    /// RJ1: the template id a refusal reports, 0 for a frame shorter than the header.
    private func refTemplate<Order: WireByteOrder>(of frame: FrameReader<Order>) -> UInt16 {
        UInt16(clamping: header.templateId(of: frame))
    }
}
