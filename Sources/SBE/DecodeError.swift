// Why a receiver refused an inbound frame: the Reject code to answer with and a sentence a person can act on.

public struct DecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// R8: the frame is larger than the protocol's maximum frame size.
        case oversized(size: Int)
        /// R8: fewer bytes than the header (8 bytes in TGP and SBE's standard header).
        case truncatedHeader(size: Int, headerSize: Int = 8)
        /// R8: `schemaId` is not this protocol's.
        case wrongSchemaId(UInt16, expected: UInt16)
        /// R5: no message type with this template id at the receiver's version.
        case unknownTemplate
        /// R8: the header's version is 0, or older than the message type, so it defines no block.
        case versionBeforeType(version: Int, since: Int)
        /// R8: the header's `blockLength` is below what its version defines.
        case blockLengthTooShort(blockLength: Int, required: Int)
        /// R8: the frame ends before the block, a group or a var-data field does.
        case truncated(needed: Int, available: Int)
        /// R8: a group's entry `blockLength` is below what the header's version defines.
        case groupBlockLengthTooShort(blockLength: Int, required: Int)
        /// R8: `numInGroup` above the protocol's maximum.
        case tooManyGroupEntries(Int)
        /// R8: a var-data length above the protocol's maximum.
        case varDataTooLong(Int)
        /// R7: an enum value the receiver does not know.
        case unknownEnumValue(UInt64, enumName: String)
        /// R7: set bits (`bits`) of choices the receiver does not know.
        case unknownSetChoice(bits: UInt64, setName: String)
        /// R7: a char8 byte outside 0x20...0x7E before the padding, or non-zero padding.
        case invalidChar8(byte: UInt8)
        /// R7: the same for a character array of another `length` than 8.
        case invalidChars(byte: UInt8, length: Int)
        /// R7: var-data that is not UTF-8.
        case invalidUTF8
    }

    public let reason: Reason
    /// The template id of the refused frame, 0 when it could not be read.
    public let templateId: UInt16
    /// The message type, when the template is known.
    public let messageName: String?
    /// The field, group or var-data where decoding stopped, if any.
    public let field: String?
    /// The byte offset in the frame where the problem is.
    public let offset: Int

    public var code: RejectCode {
        switch reason {
        case .unknownTemplate: .unknownTemplate
        case .unknownEnumValue, .unknownSetChoice, .invalidChar8, .invalidChars, .invalidUTF8: .invalidValue
        case .oversized, .truncatedHeader, .wrongSchemaId, .versionBeforeType, .blockLengthTooShort, .truncated,
            .groupBlockLengthTooShort, .tooManyGroupEntries, .varDataTooLong:
            .malformed
        }
    }

    public var description: String {
        let place = [messageName, field].compactMap { $0 }.joined(separator: ".")
        let prefix = "\(code.name): " + (place.isEmpty ? "" : "\(place) ") + "at byte \(offset): "
        switch reason {
        case .oversized(let size): return prefix + "frame of \(size) bytes is larger than the maximum"
        case .truncatedHeader(let size, let headerSize):
            return prefix + "frame of \(size) bytes is shorter than the \(headerSize)-byte header"
        case .wrongSchemaId(let id, let expected): return prefix + "schemaId is \(hex16(id)), expected \(hex16(expected))"
        case .unknownTemplate: return prefix + "unknown templateId \(templateId)"
        case .versionBeforeType(let version, let since):
            return prefix + "header version \(version) is older than the message type (added in version \(since))"
        case .blockLengthTooShort(let length, let required):
            return prefix + "blockLength \(length) is below the \(required) bytes its version defines"
        case .truncated(let needed, let available):
            return prefix + "needs \(needed) bytes but the frame has \(available) left"
        case .groupBlockLengthTooShort(let length, let required):
            return prefix + "group entry blockLength \(length) is below the \(required) bytes its version defines"
        case .tooManyGroupEntries(let count): return prefix + "numInGroup \(count) is above the maximum"
        case .varDataTooLong(let length): return prefix + "var-data length \(length) is above the maximum"
        case .unknownEnumValue(let value, let enumName): return prefix + "\(value) is not a known \(enumName) value"
        case .unknownSetChoice(let bits, let setName):
            return prefix + "bits \(hex64(bits)) are no \(setName) choice this version knows"
        case .invalidChar8(let byte): return prefix + "char8 byte \(hex8(byte)) is not printable ASCII or padding"
        case .invalidChars(let byte, let length):
            return prefix + "char\(length) byte \(hex8(byte)) is not printable ASCII or padding"
        case .invalidUTF8: return prefix + "var-data is not valid UTF-8"
        }
    }
}

private func hex16(_ value: UInt16) -> String { "0x" + String(value, radix: 16, uppercase: true) }
private func hex64(_ value: UInt64) -> String { "0x" + String(value, radix: 16, uppercase: true) }
private func hex8(_ value: UInt8) -> String { "0x" + (value < 16 ? "0" : "") + String(value, radix: 16, uppercase: true) }
