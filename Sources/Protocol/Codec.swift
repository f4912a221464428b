// The one codec engine: encodes a message at any version of a schema and decodes a frame
// by the compatibility rules R1–R10 as a receiver whose newest version is given.

public struct Codec: Sendable {
    public let schema: Schema

    public init(schema: Schema = .tgp) {
        self.schema = schema
    }
}

/// A frame a receiver accepted: its header as sent and the message as the receiver knows it.
public struct DecodedFrame: Sendable, Hashable {
    public let header: FrameHeader
    public let message: Message
}

extension Codec {
    /// E1/E2: the frame of `message` encoded at `version` (the acting version), or the refusal.
    public func encode(_ message: Message, at version: Int) throws(EncodeError) -> [UInt8] {
        let type = message.type
        guard schema.peerRanges[version] != nil else {
            throw EncodeError(.unsupportedInVersion, type.name, "version \(version) is not a version of this schema")
        }
        guard type.since <= version else {
            throw EncodeError(.unsupportedInVersion, type.name, "\(type.name) was added in version \(type.since); this session is at version \(version)")
        }
        let blockLength = type.blockLength(at: version)
        var writer = FrameWriter(capacity: FrameHeader.size + blockLength + 64)
        writer.append(UInt16(blockLength))
        writer.append(type.templateId)
        writer.append(schema.schemaId)
        writer.append(UInt16(version))
        writer.appendZeros(blockLength)

        for (field, value) in zip(type.logicalFields, message.values) {
            guard field.since <= version else {
                // Dropping a set value would lose data: only a default may be left out.
                guard value == field.defaultValue else {
                    throw EncodeError(.notRepresentable, type.name, field: field.name,
                                      "\(field.name) was added in version \(field.since) and cannot be carried at version \(version)")
                }
                continue
            }
            switch field.kind {
            case .scalar(let narrow, let wide):
                if let wide, wide.since <= version {
                    // v4 widening: the wide field carries the value, the legacy one as much as it can hold.
                    let full = try unsigned(value, for: wide, in: type)
                    try encode(.unsigned(min(full, narrow.type.unsignedMax!)), as: narrow, base: FrameHeader.size, version: version, in: type, into: &writer)
                    try encode(.unsigned(full), as: wide, base: FrameHeader.size, version: version, in: type, into: &writer)
                } else {
                    if let wide, case .unsigned(let full) = value, full > narrow.type.unsignedMax! {
                        throw EncodeError(.notRepresentable, type.name, field: field.name,
                                          "\(full) needs \(wide.name), added in version \(wide.since); version \(version) carries at most \(narrow.type.unsignedMax!)")
                    }
                    try encode(value, as: narrow, base: FrameHeader.size, version: version, in: type, into: &writer)
                }
            case .group(let group):
                guard case .group(let entries) = value else { throw mismatch(value, field.name, "a group", type) }
                guard entries.count <= schema.maxGroupEntries else {
                    throw EncodeError(.invalidValue, type.name, field: group.name,
                                      "\(entries.count) entries; a group holds at most \(schema.maxGroupEntries)")
                }
                let entryLength = group.blockLength(at: version)
                writer.append(UInt16(entryLength))
                writer.append(UInt16(entries.count))
                for entry in entries {
                    guard entry.count == group.fields.count else {
                        throw EncodeError(.invalidValue, type.name, field: group.name,
                                          "an entry has \(entry.count) values; \(group.name) has \(group.fields.count) fields")
                    }
                    let base = writer.count
                    writer.appendZeros(entryLength)
                    for (entryField, entryValue) in zip(group.fields, entry) {
                        guard entryField.since <= version else {
                            guard entryValue == entryField.defaultValue else {
                                throw EncodeError(.notRepresentable, type.name, field: "\(group.name).\(entryField.name)",
                                                  "added in version \(entryField.since) and cannot be carried at version \(version)")
                            }
                            continue
                        }
                        try encode(entryValue, as: entryField, base: base, version: version, in: type, into: &writer,
                                   path: "\(group.name).")
                    }
                }
            case .varData:
                guard case .text(let text) = value else { throw mismatch(value, field.name, "a string", type) }
                let utf8 = text.utf8
                guard utf8.count <= schema.maxVarDataLength else {
                    throw EncodeError(.invalidValue, type.name, field: field.name,
                                      "\(utf8.count) bytes; var-data holds at most \(schema.maxVarDataLength)")
                }
                writer.append(UInt16(utf8.count))
                writer.append(contentsOf: utf8)
            }
        }
        guard writer.count <= schema.maxFrameSize else {
            throw EncodeError(.invalidValue, type.name, "the frame would be \(writer.count) bytes; the maximum is \(schema.maxFrameSize)")
        }
        return writer.bytes
    }

    private func encode(
        _ value: FieldValue, as field: FieldSchema, base: Int, version: Int, in type: MessageSchema,
        into writer: inout FrameWriter, path: String = ""
    ) throws(EncodeError) {
        let offset = base + field.offset
        let name = path + field.name
        switch field.type {
        case .u8, .u16, .u32, .u64:
            let number = try unsigned(value, for: field, in: type, path: path)
            guard number <= field.type.unsignedMax! else {
                throw EncodeError(.invalidValue, type.name, field: name, "\(number) does not fit \(field.type.name)")
            }
            switch field.type {
            case .u8: writer.set(UInt8(number), at: offset)
            case .u16: writer.set(UInt16(number), at: offset)
            case .u32: writer.set(UInt32(number), at: offset)
            default: writer.set(number, at: offset)
            }
        case .i64:
            guard case .signed(let number) = value else { throw mismatch(value, name, "a signed integer", type) }
            writer.set(number, at: offset)
        case .char8:
            guard case .text(let text) = value else { throw mismatch(value, name, "a string", type) }
            let utf8 = Array(text.utf8)
            guard utf8.count <= 8, utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else {
                throw EncodeError(.invalidValue, type.name, field: name,
                                  "\"\(text)\" is not up to 8 characters of printable ASCII")
            }
            for (index, byte) in utf8.enumerated() { writer.set(byte, at: offset + index) }
        case .enumeration(let enumSchema):
            let number = try unsigned(value, for: field, in: type, path: path)
            guard number <= UInt8.max, let known = enumSchema.value(UInt8(number)) else {
                throw EncodeError(.invalidValue, type.name, field: name, "\(number) is not a \(enumSchema.name) value")
            }
            guard known.since <= version else {
                throw EncodeError(.unsupportedInVersion, type.name, field: name,
                                  "\(enumSchema.name).\(known.name) was added in version \(known.since); this session is at version \(version)")
            }
            writer.set(known.value, at: offset)
        }
    }

    private func unsigned(_ value: FieldValue, for field: FieldSchema, in type: MessageSchema, path: String = "") throws(EncodeError) -> UInt64 {
        guard case .unsigned(let number) = value else { throw mismatch(value, path + field.name, "an unsigned integer", type) }
        return number
    }

    private func mismatch(_ value: FieldValue, _ name: String, _ expected: String, _ type: MessageSchema) -> EncodeError {
        EncodeError(.invalidValue, type.name, field: name, "expected \(expected), got \(value)")
    }
}

extension Codec {
    /// Decodes `frame` as a receiver whose newest version is `maxVersion`, applying R1–R5,
    /// R7, R8 and R10 in the order PROTOCOL.md gives. R6 and R9 depend on the session and
    /// are the caller's (see `SessionRules`).
    public func decode(_ frame: [UInt8], asVersion maxVersion: Int) throws(DecodeError) -> DecodedFrame {
        try frame.withUnsafeBytes { raw in
            Result { () throws(DecodeError) in try decode(FrameReader(bytes: raw), asVersion: maxVersion) }
        }.get()
    }

    private func decode(_ frame: FrameReader, asVersion maxVersion: Int) throws(DecodeError) -> DecodedFrame {
        let refTemplate = frame.integer(at: 2, as: UInt16.self) ?? 0
        func fail(_ reason: DecodeError.Reason, at offset: Int, _ type: MessageSchema? = nil, field: String? = nil) -> DecodeError {
            DecodeError(reason: reason, templateId: refTemplate, refClOrdId: clOrdId(of: frame, type), messageName: type?.name,
                        field: field, offset: offset)
        }

        // R8: size, header, schemaId.
        guard frame.count <= schema.maxFrameSize else { throw fail(.oversized(size: frame.count), at: schema.maxFrameSize) }
        guard let blockLength = frame.integer(at: 0, as: UInt16.self), let schemaId = frame.integer(at: 4, as: UInt16.self),
              let version = frame.integer(at: 6, as: UInt16.self), frame.count >= FrameHeader.size
        else { throw fail(.truncatedHeader(size: frame.count), at: 0) }
        guard schemaId == schema.schemaId else { throw fail(.wrongSchemaId(schemaId), at: 4) }
        let header = FrameHeader(blockLength: blockLength, templateId: refTemplate, schemaId: schemaId, version: version)

        // R5: the template must be one the receiver's version knows.
        guard let type = schema.message(templateId: refTemplate), type.since <= maxVersion else {
            throw fail(.unknownTemplate, at: 2)
        }

        // R8: a version at which the type did not exist defines no block to check against.
        guard Int(version) >= type.since else {
            throw fail(.versionBeforeType(version: Int(version), since: type.since), at: 6, type)
        }

        // R1/R10: fields the sender's version has, capped at what the receiver knows.
        let known = min(Int(version), maxVersion)
        let required = type.blockLength(at: known)
        guard Int(blockLength) >= required else {
            throw fail(.blockLengthTooShort(blockLength: Int(blockLength), required: required), at: 0, type)
        }
        let blockEnd = FrameHeader.size + Int(blockLength)
        guard frame.count >= blockEnd else {
            throw fail(.truncated(needed: Int(blockLength), available: frame.count - FrameHeader.size), at: FrameHeader.size, type)
        }

        var message = Message(type)
        for (index, field) in type.logicalFields.enumerated() where field.since <= known {
            guard case .scalar(let narrow, let wide) = field.kind else { continue }
            // The widened quantity: read the wide field when the message's version has it.
            let carrier = wide.flatMap { $0.since <= known ? $0 : nil } ?? narrow
            message.values[index] = try decodeField(carrier, in: frame, base: FrameHeader.size, maxVersion: maxVersion,
                                                    failing: { reason, offset in fail(reason, at: offset, type, field: carrier.name) })
        }

        // R2: groups and var-data start after the block as the sender sized it.
        var position = blockEnd
        for (index, field) in type.logicalFields.enumerated() where field.since <= known {
            switch field.kind {
            case .scalar:
                continue
            case .group(let group):
                guard let entryLength = frame.integer(at: position, as: UInt16.self).map(Int.init),
                      let count = frame.integer(at: position + 2, as: UInt16.self).map(Int.init)
                else { throw fail(.truncated(needed: 4, available: frame.count - position), at: position, type, field: group.name) }
                guard count <= schema.maxGroupEntries else { throw fail(.tooManyGroupEntries(count), at: position + 2, type, field: group.name) }
                let entryRequired = group.blockLength(at: known)
                guard entryLength >= entryRequired else {
                    throw fail(.groupBlockLengthTooShort(blockLength: entryLength, required: entryRequired), at: position, type, field: group.name)
                }
                position += 4
                guard frame.count - position >= entryLength * count else {
                    throw fail(.truncated(needed: entryLength * count, available: frame.count - position), at: position, type, field: group.name)
                }
                var entries: [[FieldValue]] = []
                entries.reserveCapacity(count)
                for _ in 0..<count {
                    var entry = group.fields.map(\.defaultValue)
                    for (fieldIndex, entryField) in group.fields.enumerated() where entryField.since <= known {
                        entry[fieldIndex] = try decodeField(entryField, in: frame, base: position, maxVersion: maxVersion,
                                                            failing: { reason, offset in fail(reason, at: offset, type, field: "\(group.name).\(entryField.name)") })
                    }
                    entries.append(entry)
                    position += entryLength  // R3: the entry as the sender sized it
                }
                message.values[index] = .group(entries)
            case .varData(let varData):
                // R4: the var fields the receiver knows, in order; the rest is ignored.
                guard let length = frame.integer(at: position, as: UInt16.self).map(Int.init) else {
                    throw fail(.truncated(needed: 2, available: frame.count - position), at: position, type, field: varData.name)
                }
                guard length <= schema.maxVarDataLength else { throw fail(.varDataTooLong(length), at: position, type, field: varData.name) }
                guard let data = frame.slice(at: position + 2, count: length) else {
                    throw fail(.truncated(needed: length, available: frame.count - position - 2), at: position + 2, type, field: varData.name)
                }
                guard let text = String(validating: data, as: UTF8.self) else {
                    throw fail(.invalidUTF8, at: position + 2, type, field: varData.name)
                }
                message.values[index] = .text(text)
                position += 2 + length
            }
        }
        return DecodedFrame(header: header, message: message)
    }

    private func decodeField(
        _ field: FieldSchema, in frame: FrameReader, base: Int, maxVersion: Int,
        failing fail: (DecodeError.Reason, Int) -> DecodeError
    ) throws(DecodeError) -> FieldValue {
        let offset = base + field.offset
        // Lengths were checked before any field is read: a nil here would be a bug, so it still fails cleanly.
        switch field.type {
        case .u8: return .unsigned(UInt64(try read(UInt8.self, frame, offset, fail)))
        case .u16: return .unsigned(UInt64(try read(UInt16.self, frame, offset, fail)))
        case .u32: return .unsigned(UInt64(try read(UInt32.self, frame, offset, fail)))
        case .u64: return .unsigned(try read(UInt64.self, frame, offset, fail))
        case .i64: return .signed(try read(Int64.self, frame, offset, fail))
        case .enumeration(let enumSchema):
            let raw = try read(UInt8.self, frame, offset, fail)
            // R7: a value unknown to the receiver.
            guard let known = enumSchema.value(raw), known.since <= maxVersion else {
                throw fail(.unknownEnumValue(raw, enumName: enumSchema.name), offset)
            }
            return .unsigned(UInt64(raw))
        case .char8:
            guard let bytes = frame.slice(at: offset, count: 8) else { throw fail(.truncated(needed: 8, available: max(0, frame.count - offset)), offset) }
            let length = bytes.firstIndex(of: 0) ?? 8
            for (index, byte) in bytes.enumerated() {
                let valid = index < length ? (0x20...0x7E).contains(byte) : byte == 0
                guard valid else { throw fail(.invalidChar8(byte: byte), offset + index) }
            }
            return .text(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<length]), as: UTF8.self))
        }
    }

    private func read<T: FixedWidthInteger>(
        _: T.Type, _ frame: FrameReader, _ offset: Int, _ fail: (DecodeError.Reason, Int) -> DecodeError
    ) throws(DecodeError) -> T {
        guard let value = frame.integer(at: offset, as: T.self) else {
            throw fail(.truncated(needed: MemoryLayout<T>.size, available: max(0, frame.count - offset)), offset)
        }
        return value
    }

    /// The clOrdId a Reject refers to, when the message has one and the frame holds it.
    private func clOrdId(of frame: FrameReader, _ type: MessageSchema?) -> UInt64 {
        guard let field = type?.rootField(named: "clOrdId"), let blockLength = frame.integer(at: 0, as: UInt16.self),
              field.end <= Int(blockLength)
        else { return 0 }
        return frame.integer(at: FrameHeader.size + field.offset, as: UInt64.self) ?? 0
    }
}
