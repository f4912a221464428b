// The encoder (W1–W7, E1, E2): sizes the frame from the layout and the values, then writes
// the header, the root block and, after it, the groups (each entry a block with its own
// groups and var-data after it) and the var-data, refusing a value before it is sent.

extension Codec {
    func encode<Order: WireByteOrder>(_ message: Message, at version: Int, _: Order.Type) throws(EncodeError) -> [UInt8] {
        let layout = try layout(of: message.type, at: version)
        return try message.values.withUnsafeBufferPointer { allValues throws(EncodeError) in
            let values = Self.carried(allValues, layout)
            let size = try frameSize(of: values, type: message.type, layout: layout, version: version, Order.self)
            // Built on the stack, then copied to a new array: cheaper than filling a new array in
            // place, whose allocation looks its element type up in the runtime on every call.
            return try withUnsafeTemporaryAllocation(byteCount: size, alignment: 1) { bytes throws(EncodeError) in
                bytes.initializeMemory(as: UInt8.self, repeating: 0)
                try encodeFields(values, type: message.type, layout: layout, version: version, into: FrameWriter<Order>(bytes: bytes))
                return [UInt8](UnsafeRawBufferPointer(bytes))
            }
        }
    }

    func encode<Order: WireByteOrder>(_ message: Message, at version: Int, into frame: inout [UInt8], _: Order.Type) throws(EncodeError) {
        do throws(EncodeError) {
            let layout = try layout(of: message.type, at: version)
            try message.values.withUnsafeBufferPointer { allValues throws(EncodeError) in
                let values = Self.carried(allValues, layout)
                let size = try frameSize(of: values, type: message.type, layout: layout, version: version, Order.self)
                // A stream of one type mostly repeats its size: then the old bytes are zeroed and written over.
                if frame.count != size {
                    frame.removeAll(keepingCapacity: true)
                    frame.append(contentsOf: repeatElement(0, count: size))
                }
                try frame.withUnsafeMutableBufferPointer { bytes throws(EncodeError) in
                    let bytes = UnsafeMutableRawBufferPointer(bytes)
                    bytes.initializeMemory(as: UInt8.self, repeating: 0)
                    try encodeFields(values, type: message.type, layout: layout, version: version, into: FrameWriter<Order>(bytes: bytes))
                }
            }
        } catch {
            frame.removeAll(keepingCapacity: true)
            throw error
        }
    }

    /// E1: the type's layout at `version`, or why the version cannot carry it.
    @inline(__always)
    private func layout(of type: MessageSchema, at version: Int) throws(EncodeError) -> VersionLayout {
        guard schema.isVersion(version) else {
            throw EncodeError(.unsupportedInVersion, type.name, "version \(version) is not a version of this schema")
        }
        guard type.since <= version else {
            throw EncodeError(
                .unsupportedInVersion, type.name, "\(type.name) was added in version \(type.since); this session is at version \(version)")
        }
        return type.layout(at: version)
    }

    /// The values the layout has a field for. Like a zip of the logical fields and the values: a
    /// short `values` leaves the rest out.
    private static func carried(_ values: UnsafeBufferPointer<FieldValue>, _ layout: VersionLayout) -> UnsafeBufferPointer<FieldValue> {
        UnsafeBufferPointer(rebasing: values[0..<min(values.count, layout.root.steps.count)])
    }

    // MARK: Sizing

    /// The frame's exact size when every value has its field's kind (a value that has not is
    /// refused before anything past it is written), or the refusal of a frame over the maximum.
    private func frameSize<Order: WireByteOrder>(
        of values: UnsafeBufferPointer<FieldValue>, type: MessageSchema, layout: VersionLayout, version: Int, _: Order.Type
    ) throws(EncodeError) -> Int {
        let size = header.size + layout.root.blockLength + trailingSize(of: values, layout.root, layout)
        guard size <= schema.maxFrameSize else {
            throw oversized(values, size: size, type: type, layout: layout, version: version, Order.self)
        }
        return size
    }

    /// The bytes the groups and var-data after a block take, as the writer counts them: a value
    /// of the wrong kind counts nothing, as the writer refuses it before writing it.
    @inline(__always)
    private func trailingSize(of values: UnsafeBufferPointer<FieldValue>, _ block: BlockLayout, _ layout: VersionLayout) -> Int {
        var size = 0
        for index in block.sizedSteps where index < values.count {
            let step = block.steps.element(at: index)
            switch values[index] {
            case .group(let entries) where step.pointee.kind == .group:
                size += groupSize(entries, layout.groups[Int(step.pointee.table)], layout)
            case .text where step.pointee.kind == .varData, .bytes where step.pointee.kind == .varData:
                let varData = layout.varData.element(at: Int(step.pointee.table))
                if let count = Self.varDataCount(of: values[index], isText: varData.pointee.isText) {
                    size += varData.pointee.dataOffset + count
                }
            default: continue
            }
        }
        return size
    }

    private func groupSize(_ entries: [[FieldValue]], _ group: GroupLayout, _ layout: VersionLayout) -> Int {
        var size = group.dimension.size + entries.count * group.entry.blockLength
        guard !group.entry.isFlat else { return size }
        for entry in entries where entry.count == group.entry.steps.count {
            size += entry.withUnsafeBufferPointer { trailingSize(of: $0, group.entry, layout) }
        }
        return size
    }

    /// The byte count of a var-data value of the field's kind (text or bytes), nil for any other value.
    @inline(__always)
    private static func varDataCount(of value: borrowing FieldValue, isText: Bool) -> Int? {
        switch value {
        case .text(let text): isText ? text.utf8.count : nil
        case .bytes(let bytes): isText ? nil : bytes.count
        default: nil
        }
    }

    /// Why a frame over the maximum size is refused: a field's own refusal comes first, so every
    /// field is checked, into scratch memory that is then dropped.
    @inline(never)
    private func oversized<Order: WireByteOrder>(
        _ values: UnsafeBufferPointer<FieldValue>, size: Int, type: MessageSchema, layout: VersionLayout, version: Int, _: Order.Type
    ) -> EncodeError {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 1)
        defer { scratch.deallocate() }
        scratch.initializeMemory(as: UInt8.self, repeating: 0)
        do {
            try encodeFields(values, type: type, layout: layout, version: version, into: FrameWriter<Order>(bytes: scratch))
        } catch {
            return error
        }
        return EncodeError(.invalidValue, type.name, "the frame would be \(size) bytes; the maximum is \(schema.maxFrameSize)")
    }

    // MARK: Writing

    /// The header, the root block, the groups and the var-data into a zeroed frame of exactly
    /// the size `encode` computed; each value checked (E2) before it is written.
    private func encodeFields<Order: WireByteOrder>(
        _ values: UnsafeBufferPointer<FieldValue>, type: MessageSchema, layout: VersionLayout, version: Int, into writer: FrameWriter<Order>
    ) throws(EncodeError) {
        let headerValues = WireHeader(
            blockLength: UInt64(layout.root.blockLength), templateId: UInt64(type.templateId), schemaId: UInt64(schema.schemaId),
            version: UInt64(version))
        guard header.carries(headerValues) else { throw headerTooNarrow(headerValues, type) }
        header.write(headerValues, into: writer)
        var position = header.size + layout.root.blockLength
        try encodeBlock(
            values, layout.root, base: header.size, at: &position, scope: -1, version: version, layout: layout, in: type, into: writer)
    }

    /// The fields of a root block or group entry at `base`, then its groups and var-data at
    /// `position`, which ends past them. `scope` is the entry's group (its `VersionLayout.groups`
    /// index), -1 for the root: it only names fields in errors.
    @inline(__always)
    private func encodeBlock<Order: WireByteOrder>(
        _ values: UnsafeBufferPointer<FieldValue>, _ block: BlockLayout, base: Int, at position: inout Int, scope: Int, version: Int,
        layout: VersionLayout, in type: MessageSchema, into writer: FrameWriter<Order>
    ) throws(EncodeError) {
        for index in 0..<values.count {
            // Borrowed from the table, not copied: a step is 48 bytes and most fields read two of them.
            let step = block.steps.element(at: index)
            switch step.pointee.kind {
            case .absent:
                // Dropping a set value would lose data: only a default may be left out.
                guard values[index].isSame(as: block.defaultValues[index]) else { throw notCarried(index, scope, version, type) }
            case .scalar(let wire):
                try encodeScalar(
                    values[index], as: step.pointee.narrow, wire: wire, base: base, version: version, layout: layout, in: type,
                    scope: scope, into: writer)
            case .widened:
                // W7: the wide field carries the value, the legacy one as much as it can hold.
                let (narrow, wide) = (step.pointee.narrow, step.pointee.wide)
                guard case .unsigned(let full) = values[index] else {
                    throw mismatch(values[index], type.fields[Int(wide.index)].name, "an unsigned integer", type)
                }
                guard full <= wide.unsignedMax else { throw refusal(values[index], wide, version, layout, type, scope) }
                writer.setUnsigned(min(full, narrow.unsignedMax), width: Int(narrow.width), at: base &+ narrow.offset)
                writer.setUnsigned(full, width: Int(wide.width), at: base &+ wide.offset)
            case .narrowed:
                // W7: below the wide field's version the value must fit the narrow one.
                guard case .unsigned(let full) = values[index] else {
                    throw mismatch(values[index], type.fields[Int(step.pointee.narrow.index)].name, "an unsigned integer", type)
                }
                guard full <= step.pointee.narrow.unsignedMax else {
                    throw needsWide(full, type.logicalFields[index].name, step.pointee, version, type)
                }
                writer.setUnsigned(full, width: Int(step.pointee.narrow.width), at: base &+ step.pointee.narrow.offset)
            case .group:
                guard case .group(let entries) = values[index] else {
                    throw mismatch(values[index], logicalName(index, scope, type), "a group", type)
                }
                try encodeGroup(entries, Int(step.pointee.table), at: &position, version: version, layout: layout, in: type, into: writer)
            case .varData:
                try encodeVarData(values, index, Int(step.pointee.table), at: &position, layout: layout, in: type, into: writer)
            }
        }
    }

    /// W4: the dimension, then each entry: its block, then its own groups and var-data.
    // Out of line: groups are rare in the hot messages, and their checks would bloat the field loop.
    @inline(never)
    private func encodeGroup<Order: WireByteOrder>(
        _ entries: [[FieldValue]], _ table: Int, at position: inout Int, version: Int, layout: VersionLayout, in type: MessageSchema,
        into writer: FrameWriter<Order>
    ) throws(EncodeError) {
        let group = layout.groups[table]
        let dimension = group.dimension
        var name: String { type.storage.layouts.groupPaths[table] }
        let maxEntries = min(schema.maxGroupEntries, dimension.maxEntries)
        guard entries.count <= maxEntries else {
            throw EncodeError(.invalidValue, type.name, field: name, "\(entries.count) entries; a group holds at most \(maxEntries)")
        }
        guard UInt64(group.entry.blockLength) <= dimension.blockLength.max else {
            throw EncodeError(
                .invalidValue, type.name, field: name,
                "entries of \(group.entry.blockLength) bytes; the dimension's blockLength carries at most \(dimension.blockLength.max)")
        }
        writer.setUnsigned(UInt64(group.entry.blockLength), width: dimension.blockLength.width, at: position + dimension.blockLength.offset)
        writer.setUnsigned(UInt64(entries.count), width: dimension.numInGroup.width, at: position + dimension.numInGroup.offset)
        position += dimension.size
        for entry in entries {
            guard entry.count == group.entry.steps.count else {
                throw EncodeError(
                    .invalidValue, type.name, field: name,
                    "an entry has \(entry.count) values; \(name) has \(group.entry.steps.count) fields")
            }
            let base = position
            position += group.entry.blockLength
            try entry.withUnsafeBufferPointer { values throws(EncodeError) in
                try encodeBlock(
                    values, group.entry, base: base, at: &position, scope: table, version: version, layout: layout, in: type, into: writer)
            }
        }
    }

    /// W5: the length, then the bytes (validated UTF-8 text, or raw bytes). The value is read
    /// where `values` holds it: passing it on would copy it, at the price of a reference count.
    @inline(__always)
    private func encodeVarData<Order: WireByteOrder>(
        _ values: UnsafeBufferPointer<FieldValue>, _ index: Int, _ table: Int, at position: inout Int, layout: VersionLayout,
        in type: MessageSchema, into writer: FrameWriter<Order>
    ) throws(EncodeError) {
        let varData = layout.varData.element(at: table)
        let (lengthAt, dataAt, width) = (
            position &+ varData.pointee.length.offset, position &+ varData.pointee.dataOffset, varData.pointee.length.width
        )
        let written: Int?
        if varData.pointee.isText {
            written = Self.withUTF8(of: values[index]) { utf8 in
                writer.setUnsigned(UInt64(utf8.count), width: width, at: lengthAt)
                writer.set(utf8, at: dataAt)
                return utf8.count
            }
        } else {
            written = Self.withBytes(of: values[index]) { bytes in
                writer.setUnsigned(UInt64(bytes.count), width: width, at: lengthAt)
                writer.set(bytes, at: dataAt)
                return bytes.count
            }
        }
        var name: String { type.storage.layouts.varDataNames[table] }
        guard let written else { throw mismatch(values[index], name, varData.pointee.isText ? "a string" : "bytes", type) }
        // Written already, but the frame is dropped when refused.
        let maxLength = min(schema.maxVarDataLength, varData.pointee.maxLength)
        guard written <= maxLength else {
            throw EncodeError(.invalidValue, type.name, field: name, "\(written) bytes; var-data holds at most \(maxLength)")
        }
        position += varData.pointee.dataOffset + written
    }

    /// `body` over the bytes of a binary value, nil for any other value.
    private static func withBytes<Result>(of value: borrowing FieldValue, _ body: (UnsafeRawBufferPointer) -> Result) -> Result? {
        switch value {
        case .bytes(let bytes): bytes.withUnsafeBytes(body)
        default: nil
        }
    }

    /// One field of a block; `scope` as for `encodeBlock`. `wire` is `slot.wire`, passed apart
    /// so a caller that switched on it already gets code for that type alone.
    @inline(__always)
    private func encodeScalar<Order: WireByteOrder>(
        _ value: borrowing FieldValue, as slot: FieldSlot, wire: FieldSlot.Wire, base: Int, version: Int, layout: VersionLayout,
        in type: MessageSchema, scope: Int, into writer: FrameWriter<Order>
    ) throws(EncodeError) {
        let offset = base &+ slot.offset  // both small: a frame is at most a few KiB
        // Each value matched where it is (a borrowing switch), and refused in its own case: a
        // refusal after the switch would keep a copy of the value alive through it.
        switch wire {
        case .u8:
            guard writer.setPrimitive(value, as: .uint8, at: offset) else { throw refusal(copy value, slot, version, layout, type, scope) }
        case .u16:
            guard writer.setPrimitive(value, as: .uint16, at: offset) else { throw refusal(copy value, slot, version, layout, type, scope) }
        case .u32:
            guard writer.setPrimitive(value, as: .uint32, at: offset) else { throw refusal(copy value, slot, version, layout, type, scope) }
        case .u64:
            guard writer.setPrimitive(value, as: .uint64, at: offset) else { throw refusal(copy value, slot, version, layout, type, scope) }
        case .i8:
            guard writer.setPrimitive(value, as: .int8, at: offset) else { throw refusal(copy value, slot, version, layout, type, scope) }
        case .i16:
            guard writer.setPrimitive(value, as: .int16, at: offset) else { throw refusal(copy value, slot, version, layout, type, scope) }
        case .i32:
            guard writer.setPrimitive(value, as: .int32, at: offset) else { throw refusal(copy value, slot, version, layout, type, scope) }
        case .i64:
            guard writer.setPrimitive(value, as: .int64, at: offset) else { throw refusal(copy value, slot, version, layout, type, scope) }
        case .f32:
            guard writer.setPrimitive(value, as: .float, at: offset) else { throw refusal(copy value, slot, version, layout, type, scope) }
        case .f64:
            guard writer.setPrimitive(value, as: .double, at: offset) else { throw refusal(copy value, slot, version, layout, type, scope) }
        case .char8:
            // One pass over the bytes: check each (0x20...0x7E, at most 8) and write it.
            let fitted = Self.withUTF8(of: value) { utf8 in
                guard utf8.count <= 8, utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else { return false }
                writer.set(utf8, at: offset)
                return true
            }
            guard fitted == true else { throw refusal(copy value, slot, version, layout, type, scope) }
        case .enumeration:
            switch value {
            case .unsigned(let number) where layout.enums[Int(slot.table)].since(number) <= version:
                writer.set(UInt8(truncatingIfNeeded: number), at: offset)
            default: throw refusal(copy value, slot, version, layout, type, scope)
            }
        case .general:
            try encodeGeneral(copy value, slot, base: base, version: version, layout: layout, in: type, scope: scope, into: writer)
        }
    }

    /// A field the plain wires do not carry, by its `ValueCodec`.
    private func encodeGeneral<Order: WireByteOrder>(
        _ value: FieldValue, _ slot: FieldSlot, base: Int, version: Int, layout: VersionLayout, in type: MessageSchema, scope: Int,
        into writer: FrameWriter<Order>
    ) throws(EncodeError) {
        do throws(EncodeRefusal) {
            try encodeValue(value, layout.values[Int(slot.table)], base: base, version: version, layout: layout, into: writer)
        } catch {
            let name = ([fieldName(slot, scope, type)] + error.members).joined(separator: ".")
            throw EncodeError(error.refusal, type.name, field: name, error.detail)
        }
    }
}

// MARK: - Refusals, built only when a message is refused

extension Codec {
    /// Why `encodeScalar` refuses `value` for a plain wire.
    @inline(never)
    private func refusal(
        _ value: FieldValue, _ slot: FieldSlot, _ version: Int, _ layout: VersionLayout, _ type: MessageSchema, _ scope: Int
    ) -> EncodeError {
        let why: EncodeRefusal
        switch (slot.wire, value) {
        case (_, .null):
            why = EncodeRefusal(.invalidValue, "the field is required: .null is only for optional fields")
        case (.char8, .text(let text)):
            why = EncodeRefusal(.invalidValue, "\"\(text)\" is not up to 8 characters of printable ASCII")
        case (.char8, _):
            why = EncodeRefusal(.invalidValue, "expected a string, got \(value)")
        case (.enumeration, .unsigned(let number)):
            why = Self.enumRefusal(number, type.storage.layouts.enumSchemas[Int(slot.table)], version: version)
        case (.enumeration, _):
            why = Self.notOf(value, .uint8)
        default:
            why = Self.notOf(value, slot.wire.primitive)
        }
        return EncodeError(why.refusal, type.name, field: fieldName(slot, scope, type), why.detail)
    }

    /// `side`, or `levels.bidPx` in a group.
    private func fieldName(_ slot: FieldSlot, _ scope: Int, _ type: MessageSchema) -> String {
        guard scope >= 0 else { return type.fields[Int(slot.index)].name }
        let layouts = type.storage.layouts
        return "\(layouts.groupPaths[scope]).\(layouts.groupSchemas[scope].fields[Int(slot.index)].name)"
    }

    /// The logical field at `index` of the root (`scope` -1) or of an entry of the group `scope`.
    private func logicalField(_ index: Int, _ scope: Int, _ type: MessageSchema) -> LogicalField {
        scope >= 0 ? type.storage.layouts.groupSchemas[scope].logicalFields[index] : type.logicalFields[index]
    }

    private func logicalName(_ index: Int, _ scope: Int, _ type: MessageSchema) -> String {
        let name = logicalField(index, scope, type).name
        return scope >= 0 ? "\(type.storage.layouts.groupPaths[scope]).\(name)" : name
    }

    @inline(never)
    private func notCarried(_ index: Int, _ scope: Int, _ version: Int, _ type: MessageSchema) -> EncodeError {
        let field = logicalField(index, scope, type)
        let detail =
            scope >= 0
            ? "added in version \(field.since) and cannot be carried at version \(version)"
            : "\(field.name) was added in version \(field.since) and cannot be carried at version \(version)"
        return EncodeError(.notRepresentable, type.name, field: logicalName(index, scope, type), detail)
    }

    @inline(never)
    private func needsWide(_ full: UInt64, _ name: String, _ step: FieldStep, _ version: Int, _ type: MessageSchema) -> EncodeError {
        let wide = type.fields[Int(step.wide.index)]
        return EncodeError(
            .notRepresentable, type.name, field: name,
            "\(full) needs \(wide.name), added in version \(wide.since); version \(version) carries at most \(step.narrow.unsignedMax)")
    }

    @inline(never)
    private func mismatch(_ value: FieldValue, _ name: String, _ expected: String, _ type: MessageSchema) -> EncodeError {
        EncodeError(.invalidValue, type.name, field: name, "expected \(expected), got \(value)")
    }

    @inline(never)
    private func headerTooNarrow(_ values: WireHeader, _ type: MessageSchema) -> EncodeError {
        let slots = [
            ("blockLength", values.blockLength, header.blockLength), ("templateId", values.templateId, header.templateId),
            ("schemaId", values.schemaId, header.schemaId), ("version", values.version, header.version),
        ]
        let (name, value, slot) = slots.first { $0.1 > $0.2.max }!
        return EncodeError(.invalidValue, type.name, "the header's \(name) carries at most \(slot.max); this frame needs \(value)")
    }
}
