// Small helpers shared by the TGP codec tests: schema look-ups, field values, hand-built
// little-endian bytes, error capture, generic sample messages and a seeded generator.

import Testing

@testable import TGP

let tgp = Schema.tgp
let codec = Codec()
/// Every released TGP version, oldest first.
let allVersions = tgp.versions

// MARK: - Schema look-ups (a typo is a bug in the test, so these trap)

func messageType(_ name: String) -> MessageSchema {
    guard let type = tgp.message(named: name) else { preconditionFailure("no message \(name)") }
    return type
}

func enumSchema(_ name: String) -> EnumSchema {
    guard let schema = tgp.enumeration(named: name) else { preconditionFailure("no enum \(name)") }
    return schema
}

// MARK: - Field values

func u(_ value: UInt64) -> FieldValue { .unsigned(value) }
func i(_ value: Int64) -> FieldValue { .signed(value) }
func t(_ value: String) -> FieldValue { .text(value) }
/// The wire value of `Enum.Value`, e.g. `e("Side", "Buy")` is `.unsigned(1)`.
func e(_ enumName: String, _ valueName: String) -> FieldValue {
    guard let value = enumSchema(enumName).value(named: valueName) else { preconditionFailure("no \(enumName).\(valueName)") }
    return .unsigned(UInt64(value.value))
}

// MARK: - Hand-built bytes

func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
func le64(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
func le64(signed value: Int64) -> [UInt8] { le64(UInt64(bitPattern: value)) }
/// A char8: the ASCII bytes right-padded with 0x00 to 8.
func char8(_ text: String) -> [UInt8] {
    let bytes = Array(text.utf8)
    precondition(bytes.count <= 8)
    return bytes + [UInt8](repeating: 0, count: 8 - bytes.count)
}
/// A var-data field: u16 length, then the bytes.
func varData(_ bytes: [UInt8]) -> [UInt8] { le16(UInt16(bytes.count)) + bytes }
func varData(_ text: String) -> [UInt8] { varData(Array(text.utf8)) }
/// The 8-byte frame header.
func header(blockLength: Int, templateId: UInt16, version: UInt16, schemaId: UInt16 = 0x5447) -> [UInt8] {
    le16(UInt16(blockLength)) + le16(templateId) + le16(schemaId) + le16(version)
}
/// A group header: entry blockLength, numInGroup.
func groupHeader(blockLength: Int, count: Int) -> [UInt8] { le16(UInt16(blockLength)) + le16(UInt16(count)) }
/// `frame` with `bytes` written over it from `offset`.
func patched(_ frame: [UInt8], at offset: Int, _ bytes: [UInt8]) -> [UInt8] {
    var copy = frame
    copy.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
    return copy
}

// MARK: - Errors as values

/// The DecodeError `frame` is refused with, or nil when it decodes.
func decodeError(_ frame: [UInt8], asVersion version: Int) -> DecodeError? {
    do {
        _ = try codec.decode(frame, asVersion: version)
        return nil
    } catch {
        return error
    }
}

/// The EncodeError `message` is refused with at `version`, or nil when it encodes.
func encodeError(_ message: Message, at version: Int) -> EncodeError? {
    do {
        _ = try codec.encode(message, at: version)
        return nil
    } catch {
        return error
    }
}

// MARK: - Generic samples built from the schema

/// A distinct, non-default value for `field`, derived from `seed` (small: below 100).
/// `newestEnumVersion` is the newest version whose enum values may be used.
func sampleValue(for field: FieldSchema, seed: Int, newestEnumVersion: Int) -> FieldValue {
    let s = UInt64(seed)
    switch field.type {
    case .u8: return .unsigned(0x10 + s)
    case .u16: return .unsigned(0x0F00 + s * 0x11)
    case .u32: return .unsigned(0x0F00_0000 + s * 0x0101)
    case .u64: return .unsigned(0x0F00_0000_0000_0000 + s * 0x0001_0001)
    case .i64: return .signed(-1_000_000_007 - Int64(seed) * 1_000)
    case .char8:
        // Full-width on odd seeds ("A ~-3XYZ": space and tilde are the printable bounds), padded on even ones.
        return .text(seed.isMultiple(of: 2) ? "ABC\(seed)" : String("A ~-\(seed)XYZW".prefix(8)))
    case .enumeration(let enumSchema):
        // The newest value the version has that is not the default (the default when it is the only one).
        let candidates = enumSchema.values.filter { $0.since <= newestEnumVersion }
        let pick = candidates.last { $0.value != enumSchema.defaultValue } ?? candidates[0]
        return .unsigned(pick.value)
    default: return field.type.zeroValue
    }
}

/// A message with a distinct non-default value in every field a sender at `version` carries
/// (newer fields stay at their defaults, so it encodes at `version`). Strings are non-ASCII.
/// `portable`: only enum values from version 1 and quantities that fit the legacy u32, so
/// that a decoder of any version can read it.
func sampleMessage(_ type: MessageSchema, at version: Int, portable: Bool = false) -> Message {
    var message = Message(type)
    let enumVersion = portable ? 1 : version
    for (index, field) in type.logicalFields.enumerated() where field.since <= version {
        switch field.kind {
        case .scalar(let narrow, let wide):
            if let wide, wide.since <= version, !portable {
                // The v4 widening: a quantity only the wide field can carry.
                message.values[index] = .unsigned(UInt64(UInt32.max) + 1 + UInt64(index))
            } else {
                message.values[index] = sampleValue(for: narrow, seed: index + 1, newestEnumVersion: enumVersion)
            }
        case .group(let group):
            message.values[index] = .group(
                (1...2).map { entry in
                    group.fields.enumerated().map { fieldIndex, entryField in
                        entryField.since <= version
                            ? sampleValue(for: entryField, seed: 10 * entry + fieldIndex, newestEnumVersion: enumVersion)
                            : entryField.defaultValue
                    }
                })
        case .varData:
            message.values[index] = .text("€é \(field.name) \(index) ✓")
        }
    }
    return message
}

/// One message type at one version, as a test argument.
struct TypeAtVersion: Sendable, CustomTestStringConvertible {
    let name: String
    let version: Int
    var type: MessageSchema { messageType(name) }
    var testDescription: String { "\(name) v\(version)" }

    /// Every message type at every version from its `since` to the latest.
    static let all: [TypeAtVersion] = tgp.messages.flatMap { type in
        (type.since...tgp.latestVersion).map { TypeAtVersion(name: type.name, version: $0) }
    }
}
