// What the SBE codec tests share: small schemas built with the IR's initialisers, the
// standard header written by hand, and refusals captured as values.

import Testing

@testable import SBE

/// A schema of `messages` with versions 1 to `versions` (each peer takes every older version).
func makeSchema(
    _ messages: [MessageSchema], versions: Int = 1, byteOrder: ByteOrder = .littleEndian, header: HeaderSchema = .standard,
    maxFrameSize: Int = 4096, maxVarDataLength: Int = 1024, maxGroupEntries: Int = 64
) -> Schema {
    Schema(
        schemaId: 0x5342, messages: messages, enums: [],
        peerRanges: Dictionary(uniqueKeysWithValues: (1...versions).map { ($0, 1...$0) }), maxFrameSize: maxFrameSize,
        maxVarDataLength: maxVarDataLength, maxGroupEntries: maxGroupEntries, byteOrder: byteOrder, header: header)
}

/// A message type of template 1 with `fields` in its root block, since version 1.
func makeType(
    _ name: String = "Probe", templateId: UInt16 = 1, fields: [FieldSchema], groups: [GroupSchema] = [], varData: [VarDataSchema] = []
) -> MessageSchema {
    MessageSchema(templateId, name, .both, since: 1, fields: fields, groups: groups, varData: varData)
}

/// SBE's standard header (four uint16) of a frame of `makeSchema`'s schemaId, in `byteOrder`.
func standardHeader(blockLength: Int, templateId: UInt16 = 1, version: UInt16 = 1, _ byteOrder: ByteOrder = .littleEndian) -> [UInt8] {
    [UInt16(blockLength), templateId, 0x5342, version].flatMap { bytes(of: UInt64($0), width: 2, byteOrder) }
}

/// The `width` low bytes of `value` in `byteOrder`.
func bytes(of value: UInt64, width: Int, _ byteOrder: ByteOrder) -> [UInt8] {
    let little = (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    return byteOrder == .littleEndian ? little : little.reversed()
}

/// `frame` with `bytes` written over it from `offset`.
func patched(_ frame: [UInt8], at offset: Int, _ bytes: [UInt8]) -> [UInt8] {
    var copy = frame
    copy.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
    return copy
}

/// The refusal of `message` at `version`, or nil when it encodes.
func encodeError(_ message: Message, at version: Int = 1, _ schema: Schema) -> EncodeError? {
    do {
        _ = try Codec(schema: schema).encode(message, at: version)
        return nil
    } catch {
        return error
    }
}

/// The refusal of `frame` by a receiver of `version`, or nil when it decodes.
func decodeError(_ frame: [UInt8], asVersion version: Int = 1, _ schema: Schema) -> DecodeError? {
    do {
        _ = try Codec(schema: schema).decode(frame, asVersion: version)
        return nil
    } catch {
        return error
    }
}

/// The values a receiver of `version` decodes from `frame`.
func decodedValues(_ frame: [UInt8], asVersion version: Int = 1, _ schema: Schema) throws -> [FieldValue] {
    try Codec(schema: schema).decode(frame, asVersion: version).message.values
}

/// A message of `type` with the named fields set.
func message(_ type: MessageSchema, _ fields: KeyValuePairs<String, FieldValue>) -> Message {
    Message(type, fields)
}

/// Whether two values are the same, a NaN matching a NaN of the same bits.
func sameBits(_ a: FieldValue, _ b: FieldValue) -> Bool {
    if case .double(let x) = a, case .double(let y) = b { return x.bitPattern == y.bitPattern }
    return a == b
}
