// The one codec engine: encodes a message at any version of a schema and decodes a frame
// by the compatibility rules R1–R10 as a receiver whose newest version is given. It walks
// the layouts the schema derives once per type and version (CodecLayout.swift); error
// texts are built only when a message or frame is refused.

public struct Codec: Sendable {
    public let schema: Schema

    public init(schema: Schema) {
        self.schema = schema
    }
}

/// A frame a receiver accepted: its header as sent and the message as the receiver knows it.
public struct DecodedFrame: Sendable, Hashable {
    public let header: FrameHeader
    public let message: Message
}

// MARK: - Encoding

extension Codec {
    /// E1/E2: the frame of `message` encoded at `version` (the acting version), or the refusal.
    public func encode(_ message: Message, at version: Int) throws(EncodeError) -> [UInt8] {
        let layout = try layout(of: message.type, at: version)
        return try message.values.withUnsafeBufferPointer { allValues throws(EncodeError) in
            let values = Self.carried(allValues, layout)
            let size = try frameSize(of: values, type: message.type, layout: layout, version: version)
            // Built on the stack, then copied to a new array: cheaper than filling a new array in
            // place, whose allocation looks its element type up in the runtime on every call.
            return try withUnsafeTemporaryAllocation(byteCount: size, alignment: 1) { bytes throws(EncodeError) in
                bytes.initializeMemory(as: UInt8.self, repeating: 0)
                try encodeFields(values, type: message.type, layout: layout, version: version, into: FrameWriter(bytes: bytes))
                return [UInt8](UnsafeRawBufferPointer(bytes))
            }
        }
    }

    /// Like `encode(_:at:)`, but into `frame`, whose storage is reused: a sender that keeps one
    /// buffer allocates nothing per message. On a refusal `frame` is left empty, with nothing
    /// half-written in it.
    public func encode(_ message: Message, at version: Int, into frame: inout [UInt8]) throws(EncodeError) {
        do throws(EncodeError) {
            let layout = try layout(of: message.type, at: version)
            try message.values.withUnsafeBufferPointer { allValues throws(EncodeError) in
                let values = Self.carried(allValues, layout)
                let size = try frameSize(of: values, type: message.type, layout: layout, version: version)
                // A stream of one type mostly repeats its size: then the old bytes are zeroed and written over.
                if frame.count != size {
                    frame.removeAll(keepingCapacity: true)
                    frame.append(contentsOf: repeatElement(0, count: size))
                }
                try frame.withUnsafeMutableBufferPointer { bytes throws(EncodeError) in
                    let bytes = UnsafeMutableRawBufferPointer(bytes)
                    bytes.initializeMemory(as: UInt8.self, repeating: 0)
                    try encodeFields(values, type: message.type, layout: layout, version: version, into: FrameWriter(bytes: bytes))
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
        UnsafeBufferPointer(rebasing: values[0..<min(values.count, layout.steps.count)])
    }

    /// The frame's exact size when every value has its field's kind (a value that has not is
    /// refused before anything past it is written), or the refusal of a frame over the maximum.
    private func frameSize(
        of values: UnsafeBufferPointer<FieldValue>, type: MessageSchema, layout: VersionLayout, version: Int
    ) throws(EncodeError) -> Int {
        var size = FrameHeader.size + layout.blockLength
        for index in layout.sizedSteps where index < values.count {
            let step = layout.steps.element(at: index)
            switch values[index] {
            case .group(let entries) where step.pointee.kind == .group:
                size += 4 + entries.count * layout.groups[Int(step.pointee.group)].entryLength
            case .text where step.pointee.kind == .varData: size += 2 + Self.utf8Count(of: values[index])
            default: continue
            }
        }
        guard size <= schema.maxFrameSize else { throw oversized(values, size: size, type: type, layout: layout, version: version) }
        return size
    }

    /// Why a frame over the maximum size is refused: a field's own refusal comes first, so every
    /// field is checked, into scratch memory that is then dropped.
    @inline(never)
    private func oversized(
        _ values: UnsafeBufferPointer<FieldValue>, size: Int, type: MessageSchema, layout: VersionLayout, version: Int
    ) -> EncodeError {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 1)
        defer { scratch.deallocate() }
        scratch.initializeMemory(as: UInt8.self, repeating: 0)
        do {
            try encodeFields(values, type: type, layout: layout, version: version, into: FrameWriter(bytes: scratch))
        } catch {
            return error
        }
        return EncodeError(.invalidValue, type.name, "the frame would be \(size) bytes; the maximum is \(schema.maxFrameSize)")
    }

    /// The header, the root block, the groups and the var-data into a zeroed frame of exactly
    /// the size `encode` computed; each value checked (E2) before it is written.
    private func encodeFields(
        _ values: UnsafeBufferPointer<FieldValue>, type: MessageSchema, layout: VersionLayout, version: Int, into writer: FrameWriter
    ) throws(EncodeError) {
        FrameHeader(
            blockLength: UInt16(layout.blockLength), templateId: type.templateId, schemaId: schema.schemaId,
            version: UInt16(version)
        ).write(into: writer)
        var position = FrameHeader.size + layout.blockLength

        for index in 0..<values.count {
            // Borrowed from the table, not copied: a step is 48 bytes and most fields read two of them.
            let step = layout.steps.element(at: index)
            switch step.pointee.kind {
            case .absent:
                // Dropping a set value would lose data: only a default may be left out.
                guard values[index].isSame(as: layout.defaultValues[index]) else {
                    throw notCarried(type.logicalFields[index], version, type)
                }
            case .scalar(let wire):
                try encodeScalar(
                    values[index], as: step.pointee.narrow, wire: wire, base: FrameHeader.size, version: version,
                    layout: layout, in: type, group: nil, into: writer)
            case .widened:
                // v4 widening: the wide field carries the value, the legacy one as much as it can hold.
                guard case .unsigned(let full) = values[index] else {
                    throw mismatch(values[index], type.fields[Int(step.pointee.wide.index)].name, "an unsigned integer", type)
                }
                try encodeScalar(
                    .unsigned(min(full, step.pointee.narrow.unsignedMax)), as: step.pointee.narrow, wire: step.pointee.narrow.wire,
                    base: FrameHeader.size,
                    version: version, layout: layout, in: type, group: nil, into: writer)
                try encodeScalar(
                    .unsigned(full), as: step.pointee.wide, wire: step.pointee.wide.wire, base: FrameHeader.size,
                    version: version, layout: layout,
                    in: type, group: nil, into: writer)
            case .narrowed:
                if case .unsigned(let full) = values[index], full > step.pointee.narrow.unsignedMax {
                    throw needsWide(full, type.logicalFields[index].name, step.pointee, version, type)
                }
                try encodeScalar(
                    values[index], as: step.pointee.narrow, wire: step.pointee.narrow.wire, base: FrameHeader.size,
                    version: version, layout: layout, in: type, group: nil, into: writer)
            case .group:
                guard case .group(let entries) = values[index] else {
                    throw mismatch(values[index], type.logicalFields[index].name, "a group", type)
                }
                try encodeGroup(
                    entries, layout.groups[Int(step.pointee.group)], at: &position, version: version, layout: layout, in: type,
                    into: writer)
            case .varData:
                let written = Self.withUTF8(of: values[index]) { utf8 in
                    writer.set(UInt16(truncatingIfNeeded: utf8.count), at: position)
                    writer.set(utf8, at: position &+ 2)
                    return utf8.count
                }
                guard let written else { throw mismatch(values[index], type.logicalFields[index].name, "a string", type) }
                // Written already, but the frame is dropped when refused.
                guard written <= schema.maxVarDataLength else { throw varDataTooLong(written, type.logicalFields[index], type) }
                position += 2 + written
            }
        }
    }

    // Out of line: groups are rare in the hot messages, and their checks would bloat the field loop.
    @inline(never)
    private func encodeGroup(
        _ entries: [[FieldValue]], _ group: GroupLayout, at position: inout Int, version: Int, layout: VersionLayout,
        in type: MessageSchema, into writer: FrameWriter
    ) throws(EncodeError) {
        var schemaGroup: GroupSchema { type.groups[group.schemaIndex] }
        guard entries.count <= schema.maxGroupEntries else {
            throw EncodeError(
                .invalidValue, type.name, field: schemaGroup.name,
                "\(entries.count) entries; a group holds at most \(schema.maxGroupEntries)")
        }
        writer.set(UInt16(group.entryLength), at: position)
        writer.set(UInt16(entries.count), at: position + 2)
        position += 4
        for entry in entries {
            guard entry.count == group.fields.count else {
                throw EncodeError(
                    .invalidValue, type.name, field: schemaGroup.name,
                    "an entry has \(entry.count) values; \(schemaGroup.name) has \(schemaGroup.fields.count) fields")
            }
            for (fieldIndex, field) in group.fields.enumerated() {
                guard field.present else {
                    guard entry[fieldIndex] == group.entryDefaults[fieldIndex] else {
                        let entryField = schemaGroup.fields[fieldIndex]
                        throw EncodeError(
                            .notRepresentable, type.name, field: "\(schemaGroup.name).\(entryField.name)",
                            "added in version \(entryField.since) and cannot be carried at version \(version)")
                    }
                    continue
                }
                try encodeScalar(
                    entry[fieldIndex], as: field.slot, wire: field.slot.wire, base: position, version: version, layout: layout,
                    in: type, group: group.schemaIndex, into: writer)
            }
            position += group.entryLength
        }
    }

    /// One root or entry field; `group` is the index of the field's group, nil for the root block.
    /// `wire` is `slot.wire`, passed apart so a caller that switched on it already gets code for that type alone.
    @inline(__always)
    private func encodeScalar(
        _ value: borrowing FieldValue, as slot: FieldSlot, wire: FieldSlot.Wire, base: Int, version: Int, layout: VersionLayout,
        in type: MessageSchema, group: Int?, into writer: FrameWriter
    ) throws(EncodeError) {
        let offset = base &+ slot.offset  // both small: a frame is at most 4 KiB
        // Each value matched where it is (a borrowing switch): no copy of it per field.
        switch wire {
        case .u8, .u16, .u32:
            switch value {
            case .unsigned(let number) where number <= slot.unsignedMax:
                switch wire {
                case .u8: writer.set(UInt8(truncatingIfNeeded: number), at: offset)
                case .u16: writer.set(UInt16(truncatingIfNeeded: number), at: offset)
                default: writer.set(UInt32(truncatingIfNeeded: number), at: offset)
                }
            default: throw refusal(copy value, as: slot, version: version, layout: layout, in: type, group: group)
            }
        case .u64:
            switch value {
            case .unsigned(let number): writer.set(number, at: offset)
            default: throw refusal(copy value, as: slot, version: version, layout: layout, in: type, group: group)
            }
        case .i64:
            switch value {
            case .signed(let number): writer.set(number, at: offset)
            default: throw refusal(copy value, as: slot, version: version, layout: layout, in: type, group: group)
            }
        case .char8:
            // One pass over the bytes: check each (0x20...0x7E, at most 8) and write it.
            let fitted = Self.withUTF8(of: value) { utf8 in
                guard utf8.count <= 8, utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else { return false }
                writer.set(utf8, at: offset)
                return true
            }
            guard fitted == true else { throw refusal(copy value, as: slot, version: version, layout: layout, in: type, group: group) }
        case .enumeration:
            switch value {
            case .unsigned(let number) where layout.enums[Int(slot.enumIndex)].since(number) <= version:
                writer.set(UInt8(truncatingIfNeeded: number), at: offset)
            default: throw refusal(copy value, as: slot, version: version, layout: layout, in: type, group: group)
            }
        }
    }

    /// Why `encodeScalar` refuses `value`: built only then.
    @inline(never)
    private func refusal(
        _ value: FieldValue, as slot: FieldSlot, version: Int, layout: VersionLayout, in type: MessageSchema, group: Int?
    ) -> EncodeError {
        let name = fieldName(slot, group, type)
        switch (slot.wire, value) {
        case (.u8, .unsigned(let number)), (.u16, .unsigned(let number)), (.u32, .unsigned(let number)):
            return EncodeError(.invalidValue, type.name, field: name, "\(number) does not fit \(fieldSchema(slot, group, type).type.name)")
        case (.u8, _), (.u16, _), (.u32, _), (.u64, _), (.enumeration, .group), (.enumeration, .signed), (.enumeration, .text),
            (.enumeration, .double), (.enumeration, .null), (.enumeration, .bytes), (.enumeration, .array), (.enumeration, .composite):
            return mismatch(value, name, "an unsigned integer", type)
        case (.i64, _):
            return mismatch(value, name, "a signed integer", type)
        case (.char8, .text(let text)):
            return EncodeError(.invalidValue, type.name, field: name, "\"\(text)\" is not up to 8 characters of printable ASCII")
        case (.char8, _):
            return mismatch(value, name, "a string", type)
        case (.enumeration, .unsigned(let number)):
            let enumSchema = type.storage.layouts.enumSchemas[Int(slot.enumIndex)]
            guard let known = enumSchema.value(number) else {
                return EncodeError(.invalidValue, type.name, field: name, "\(number) is not a \(enumSchema.name) value")
            }
            return EncodeError(
                .unsupportedInVersion, type.name, field: name,
                "\(enumSchema.name).\(known.name) was added in version \(known.since); this session is at version \(version)")
        }
    }

    /// The UTF-8 length of a text value (0 for any other), read in place.
    @inline(__always)
    private static func utf8Count(of value: borrowing FieldValue) -> Int {
        switch value {
        case .text(let text): text.utf8.count
        default: 0
        }
    }

    /// `body` over the UTF-8 bytes of a text value, nil for any other value. The string is read
    /// in place, as it is stored when it can be: binding it would copy it, at the price of a
    /// reference count per field.
    @inline(__always)
    private static func withUTF8<Result>(of value: borrowing FieldValue, _ body: (UnsafeRawBufferPointer) -> Result) -> Result? {
        switch value {
        case .text(let text):
            if let result = text.utf8.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) { return result }
            var contiguous = copy text
            return contiguous.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        default:
            return nil
        }
    }

    private func fieldSchema(_ slot: FieldSlot, _ group: Int?, _ type: MessageSchema) -> FieldSchema {
        group.map { type.groups[$0].fields[Int(slot.index)] } ?? type.fields[Int(slot.index)]
    }

    /// `side`, or `levels.bidPx` in a group.
    private func fieldName(_ slot: FieldSlot, _ group: Int?, _ type: MessageSchema) -> String {
        let name = fieldSchema(slot, group, type).name
        return group.map { "\(type.groups[$0].name).\(name)" } ?? name
    }

    @inline(never)
    private func notCarried(_ field: LogicalField, _ version: Int, _ type: MessageSchema) -> EncodeError {
        EncodeError(
            .notRepresentable, type.name, field: field.name,
            "\(field.name) was added in version \(field.since) and cannot be carried at version \(version)")
    }

    @inline(never)
    private func needsWide(_ full: UInt64, _ name: String, _ step: FieldStep, _ version: Int, _ type: MessageSchema) -> EncodeError {
        let wide = type.fields[Int(step.wide.index)]
        return EncodeError(
            .notRepresentable, type.name, field: name,
            "\(full) needs \(wide.name), added in version \(wide.since); version \(version) carries at most \(step.narrow.unsignedMax)")
    }

    @inline(never)
    private func varDataTooLong(_ count: Int, _ field: LogicalField, _ type: MessageSchema) -> EncodeError {
        EncodeError(.invalidValue, type.name, field: field.name, "\(count) bytes; var-data holds at most \(schema.maxVarDataLength)")
    }

    @inline(never)
    private func mismatch(_ value: FieldValue, _ name: String, _ expected: String, _ type: MessageSchema) -> EncodeError {
        EncodeError(.invalidValue, type.name, field: name, "expected \(expected), got \(value)")
    }
}

// MARK: - Decoding

extension Codec {
    /// Decodes `frame` as a receiver whose newest version is `maxVersion`, applying R1–R5,
    /// R7, R8 and R10 in the order PROTOCOL.md gives. R6 and R9 depend on the session and
    /// are the caller's (see `SessionRules`).
    public func decode(_ frame: [UInt8], asVersion maxVersion: Int) throws(DecodeError) -> DecodedFrame {
        var values: [FieldValue] = []
        let (header, typeIndex) = try frame.withUnsafeBufferPointer { bytes throws(DecodeError) in
            try decode(FrameReader(bytes: UnsafeRawBufferPointer(bytes)), asVersion: maxVersion, into: &values)
        }
        return DecodedFrame(header: header, message: Message(schema.messages[typeIndex], values: values))
    }

    /// Like `decode(_:asVersion:)`, but into `message`, whose storage is reused: a receiver that
    /// keeps one message allocates nothing per frame (save for text too long to be held inline).
    /// Returns the frame's header. On a throw `message` is left at its type's defaults.
    public func decode(_ frame: [UInt8], asVersion maxVersion: Int, into message: inout Message) throws(DecodeError) -> FrameHeader {
        do {
            let (header, typeIndex) = try frame.withUnsafeBufferPointer { bytes throws(DecodeError) in
                try decode(FrameReader(bytes: UnsafeRawBufferPointer(bytes)), asVersion: maxVersion, into: &message.values)
            }
            // Most frames are of the type the message already has: then no reference is counted.
            if message.type.storage !== schema.messages[typeIndex].storage { message.type = schema.messages[typeIndex] }
            return header
        } catch {
            message = Message(message.type)
            throw error
        }
    }

    /// The one decoder: fills `values` (emptied first, its storage kept) with one value per
    /// logical field of the frame's type, whose index in `schema.messages` it returns with the header.
    private func decode(
        _ frame: FrameReader, asVersion maxVersion: Int, into values: inout [FieldValue]
    ) throws(DecodeError) -> (FrameHeader, Int) {
        // RJ1: a frame shorter than the header names no template.
        let refTemplate = frame.count >= FrameHeader.size ? frame.integer(at: 2, as: UInt16.self) ?? 0 : 0
        func fail(_ reason: DecodeError.Reason, at offset: Int, _ type: MessageSchema? = nil, field: String? = nil) -> DecodeError {
            DecodeError(
                reason: reason, templateId: refTemplate, messageName: type?.name,
                field: field, offset: offset)
        }

        // R8: size, header, schemaId.
        guard frame.count <= schema.maxFrameSize else { throw fail(.oversized(size: frame.count), at: schema.maxFrameSize) }
        guard let blockLength = frame.integer(at: 0, as: UInt16.self), let schemaId = frame.integer(at: 4, as: UInt16.self),
            let version = frame.integer(at: 6, as: UInt16.self), frame.count >= FrameHeader.size
        else { throw fail(.truncatedHeader(size: frame.count), at: 0) }
        guard schemaId == schema.schemaId else { throw fail(.wrongSchemaId(schemaId, expected: schema.schemaId), at: 4) }
        let header = FrameHeader(blockLength: blockLength, templateId: refTemplate, schemaId: schemaId, version: version)

        // R5: the template must be one the receiver's version knows.
        guard let typeIndex = schema.messageIndex(templateId: refTemplate), schema.messages[typeIndex].since <= maxVersion else {
            throw fail(.unknownTemplate, at: 2)
        }
        // Read where the schema keeps it, not copied: a copy would count a reference per frame.
        var type: MessageSchema { schema.messages[typeIndex] }

        // R8: a version at which the type did not exist defines no block to check against.
        guard Int(version) >= type.since else {
            throw fail(.versionBeforeType(version: Int(version), since: type.since), at: 6, type)
        }

        // R1/R10: fields the sender's version has, capped at what the receiver knows.
        let known = min(Int(version), maxVersion)
        let layout = type.layout(at: known)
        let required = layout.blockLength
        guard Int(blockLength) >= required else {
            throw fail(.blockLengthTooShort(blockLength: Int(blockLength), required: required), at: 0, type)
        }
        let blockEnd = FrameHeader.size + Int(blockLength)
        guard frame.count >= blockEnd else {
            throw fail(.truncated(needed: Int(blockLength), available: frame.count - FrameHeader.size), at: FrameHeader.size, type)
        }

        // One value per logical field, each overwritten below: a buffer that held a type of as
        // many fields last time is already the right size, and writing through its pointer skips
        // the checks of appending. Else it is sized with placeholders, in the storage it has
        // when that is large enough.
        if values.count != layout.steps.count {
            if values.capacity >= layout.steps.count {
                values.removeAll(keepingCapacity: true)
                values.append(contentsOf: repeatElement(.unsigned(0), count: layout.steps.count))
            } else {
                values = Array(repeating: .unsigned(0), count: layout.steps.count)
            }
        }
        /// A root field's value, or the refusal that names it.
        func rootField(_ slot: FieldSlot, _ wire: FieldSlot.Wire) throws(DecodeError) -> FieldValue {
            guard let value = decodeScalar(slot, wire: wire, in: frame, base: FrameHeader.size, maxVersion: maxVersion, layout: layout)
            else {
                let failure = whyNot(slot, in: frame, base: FrameHeader.size, type: type)
                throw fail(failure.reason, at: failure.offset, type, field: type.fields[Int(slot.index)].name)
            }
            return value
        }

        // In wire order, as the logical fields are: the root block, then (R2) the groups and
        // var-data, from the end of the block as the sender sized it.
        try values.withUnsafeMutableBufferPointer { values throws(DecodeError) in
            var position = blockEnd
            for index in layout.steps.indices {
                let step = layout.steps.element(at: index)
                switch step.pointee.kind {
                case .absent:
                    values[index] = layout.defaultValues[index]
                case .scalar(let wire):
                    values.replace(index, with: try rootField(step.pointee.narrow, wire))
                case .narrowed:
                    values.replace(index, with: try rootField(step.pointee.narrow, step.pointee.narrow.wire))
                case .widened:
                    // The widened quantity: read the wide field when the message's version has it.
                    values.replace(index, with: try rootField(step.pointee.wide, step.pointee.wide.wire))
                case .group:
                    values[index] = try decodeGroup(
                        layout.groups[Int(step.pointee.group)], in: frame, at: &position, maxVersion: maxVersion,
                        layout: layout, typeIndex: typeIndex, fail: fail)
                case .varData:
                    values[index] = try decodeVarData(in: frame, at: &position, field: index, typeIndex: typeIndex, fail: fail)
                }
            }
        }
        return (header, typeIndex)
    }

    private func decodeGroup(
        _ group: GroupLayout, in frame: FrameReader, at position: inout Int, maxVersion: Int, layout: VersionLayout, typeIndex: Int,
        fail: (DecodeError.Reason, Int, MessageSchema?, String?) -> DecodeError
    ) throws(DecodeError) -> FieldValue {
        var type: MessageSchema { schema.messages[typeIndex] }
        var name: String { type.groups[group.schemaIndex].name }
        guard let entryLength = frame.integer(at: position, as: UInt16.self).map(Int.init),
            let count = frame.integer(at: position + 2, as: UInt16.self).map(Int.init)
        else { throw fail(.truncated(needed: 4, available: frame.count - position), position, type, name) }
        guard count <= schema.maxGroupEntries else { throw fail(.tooManyGroupEntries(count), position + 2, type, name) }
        guard entryLength >= group.entryLength else {
            throw fail(.groupBlockLengthTooShort(blockLength: entryLength, required: group.entryLength), position, type, name)
        }
        position += 4
        guard frame.count - position >= entryLength * count else {
            throw fail(.truncated(needed: entryLength * count, available: frame.count - position), position, type, name)
        }
        var entries: [[FieldValue]] = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            var entry = Array(group.entryDefaults)
            for (fieldIndex, field) in group.fields.enumerated() where field.present {
                guard
                    let value = decodeScalar(
                        field.slot, wire: field.slot.wire, in: frame, base: position, maxVersion: maxVersion, layout: layout)
                else {
                    let failure = whyNot(field.slot, in: frame, base: position, type: type)
                    throw fail(failure.reason, failure.offset, type, "\(name).\(type.groups[group.schemaIndex].fields[fieldIndex].name)")
                }
                entry[fieldIndex] = value
            }
            entries.append(entry)
            position += entryLength  // R3: the entry as the sender sized it
        }
        return .group(entries)
    }

    private func decodeVarData(
        in frame: FrameReader, at position: inout Int, field: Int, typeIndex: Int,
        fail: (DecodeError.Reason, Int, MessageSchema?, String?) -> DecodeError
    ) throws(DecodeError) -> FieldValue {
        var type: MessageSchema { schema.messages[typeIndex] }
        var name: String { type.logicalFields[field].name }
        // R4: the var fields the receiver knows, in order; the rest is ignored.
        guard let length = frame.integer(at: position, as: UInt16.self).map(Int.init) else {
            throw fail(.truncated(needed: 2, available: frame.count - position), position, type, name)
        }
        guard length <= schema.maxVarDataLength else { throw fail(.varDataTooLong(length), position, type, name) }
        guard let data = frame.slice(at: position + 2, count: length) else {
            throw fail(.truncated(needed: length, available: frame.count - position - 2), position + 2, type, name)
        }
        guard let text = Self.text(validating: data) else {
            throw fail(.invalidUTF8, position + 2, type, name)
        }
        position += 2 + length
        return .text(text)
    }

    /// One root or entry field at `base + slot.offset`, or nil when the receiver cannot accept
    /// it; `whyNot` then says why. Kept free of errors, so a field read that succeeds pays
    /// nothing for the error it could have thrown.
    @inline(__always)
    /// `wire` is `slot.wire`, passed apart as for `encodeScalar`.
    private func decodeScalar(
        _ slot: FieldSlot, wire: FieldSlot.Wire, in frame: FrameReader, base: Int, maxVersion: Int, layout: VersionLayout
    ) -> FieldValue? {
        let offset = base &+ slot.offset
        // The block or entry was checked to lie in the frame before any of its fields is read.
        switch wire {
        case .u8: return .unsigned(UInt64(frame.inBounds(at: offset, as: UInt8.self)))
        case .u16: return .unsigned(UInt64(frame.inBounds(at: offset, as: UInt16.self)))
        case .u32: return .unsigned(UInt64(frame.inBounds(at: offset, as: UInt32.self)))
        case .u64: return .unsigned(frame.inBounds(at: offset, as: UInt64.self))
        case .i64: return .signed(frame.inBounds(at: offset, as: Int64.self))
        case .enumeration:
            // R7: a value unknown to the receiver.
            let raw = frame.inBounds(at: offset, as: UInt8.self)
            guard layout.enums[Int(slot.enumIndex)].since(UInt64(raw)) <= maxVersion else { return nil }
            return .unsigned(UInt64(raw))
        case .char8:
            let bytes = frame.inBounds(at: offset, count: 8)
            let (length, invalidAt) = Self.char8(bytes)
            guard invalidAt == nil else { return nil }
            return .text(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<length]), as: UTF8.self))
        }
    }

    /// Why `decodeScalar` refused the field: built only then.
    @inline(never)
    private func whyNot(_ slot: FieldSlot, in frame: FrameReader, base: Int, type: MessageSchema) -> (
        reason: DecodeError.Reason, offset: Int
    ) {
        let offset = base + slot.offset
        let width = Int(slot.width)
        guard let bytes = frame.slice(at: offset, count: width) else {
            return (.truncated(needed: width, available: max(0, frame.count - offset)), offset)
        }
        switch slot.wire {
        case .char8:
            let index = Self.char8(bytes).invalidAt ?? 0
            return (.invalidChar8(byte: bytes[index]), offset + index)
        default:
            let enumName = type.storage.layouts.enumSchemas[Int(slot.enumIndex)].name
            return (.unknownEnumValue(bytes[0], enumName: enumName), offset)
        }
    }

    /// A char8 field's 8 bytes by its rule — printable ASCII up to the first NUL, only NULs
    /// after it: the text's length, and the index of the first byte that breaks the rule.
    /// Each byte is checked at once in one 64-bit word (flags in each byte's top bit).
    public static func char8(_ bytes: UnsafeRawBufferPointer) -> (length: Int, invalidAt: Int?) {
        precondition(bytes.count == 8)
        let word = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        let high: UInt64 = 0x8080_8080_8080_8080
        let low7 = word & ~high  // no carry between bytes when adding below
        let nonASCII = word & high
        let below20 = ~(low7 &+ 0x6060_6060_6060_6060) & high
        let is7F = (low7 &+ 0x0101_0101_0101_0101) & high
        let isNUL = ~(low7 &+ 0x7F7F_7F7F_7F7F_7F7F) & ~nonASCII & high
        let length = isNUL.trailingZeroBitCount / 8  // 8 when there is no NUL
        let text: UInt64 = length == 8 ? ~0 : (1 << UInt64(length * 8)) - 1
        let invalid = ((nonASCII | below20 | is7F) & text) | (~isNUL & high & ~text)
        return (length, invalid == 0 ? nil : invalid.trailingZeroBitCount / 8)
    }

    /// The UTF-8 text of `data`, or nil when it is not valid UTF-8.
    private static func text(validating data: UnsafeRawBufferPointer) -> String? {
        // ASCII is valid as it is and needs no full check (which is slow for short strings).
        if data.allSatisfy({ $0 < 0x80 }) { return String(decoding: data, as: UTF8.self) }
        return String(validating: data, as: UTF8.self)
    }
}

extension UnsafeMutableBufferPointer<FieldValue> {
    /// `self[index] = value`, without the call that destroys the old value when it is a
    /// number, which holds nothing to release: the decoder overwrites mostly numbers.
    @inline(__always)
    fileprivate func replace(_ index: Int, with value: FieldValue) {
        switch self[index] {
        case .unsigned, .signed, .double, .null: (baseAddress.unsafelyUnwrapped + index).initialize(to: value)
        case .text, .group, .bytes, .array, .composite: self[index] = value
        }
    }
}
