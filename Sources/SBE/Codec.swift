// The one codec engine: encodes a message at any version of a schema and decodes a frame
// by the compatibility rules R1–R10 as a receiver whose newest version is given. It walks
// the layouts the schema derives once per type and version (CodecLayout.swift), in the
// schema's byte order, decided once per call (Encoding.swift, Decoding.swift); error texts
// are built only when a message or frame is refused.

public struct Codec: Sendable {
    public let schema: Schema
    /// Where the schema's header keeps its values.
    let header: HeaderLayout

    public init(schema: Schema) {
        self.schema = schema
        self.header = HeaderLayout(schema.header)
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
        switch schema.byteOrder {
        case .littleEndian: try encode(message, at: version, LittleEndianWire.self)
        case .bigEndian: try encode(message, at: version, BigEndianWire.self)
        }
    }

    /// Like `encode(_:at:)`, but into `frame`, whose storage is reused: a sender that keeps one
    /// buffer allocates nothing per message. On a refusal `frame` is left empty, with nothing
    /// half-written in it.
    public func encode(_ message: Message, at version: Int, into frame: inout [UInt8]) throws(EncodeError) {
        switch schema.byteOrder {
        case .littleEndian: try encode(message, at: version, into: &frame, LittleEndianWire.self)
        case .bigEndian: try encode(message, at: version, into: &frame, BigEndianWire.self)
        }
    }

    /// Decodes `frame` as a receiver whose newest version is `maxVersion`, applying R1–R5,
    /// R7, R8 and R10 in the order PROTOCOL.md gives. R6 and R9 depend on the session and
    /// are the caller's (see `SessionRules`).
    public func decode(_ frame: [UInt8], asVersion maxVersion: Int) throws(DecodeError) -> DecodedFrame {
        var values: [FieldValue] = []
        let (header, typeIndex) = try frame.withUnsafeBufferPointer { bytes throws(DecodeError) in
            try decode(UnsafeRawBufferPointer(bytes), asVersion: maxVersion, into: &values)
        }
        return DecodedFrame(header: header, message: Message(schema.messages[typeIndex], values: values))
    }

    /// Like `decode(_:asVersion:)`, but into `message`, whose storage is reused: a receiver that
    /// keeps one message allocates nothing per frame (save for text too long to be held inline).
    /// Returns the frame's header. On a throw `message` is left at its type's defaults.
    public func decode(_ frame: [UInt8], asVersion maxVersion: Int, into message: inout Message) throws(DecodeError) -> FrameHeader {
        do {
            let (header, typeIndex) = try frame.withUnsafeBufferPointer { bytes throws(DecodeError) in
                try decode(UnsafeRawBufferPointer(bytes), asVersion: maxVersion, into: &message.values)
            }
            // Most frames are of the type the message already has: then no reference is counted.
            if message.type.storage !== schema.messages[typeIndex].storage { message.type = schema.messages[typeIndex] }
            return header
        } catch {
            message = Message(message.type)
            throw error
        }
    }

    /// The one decoder in the schema's byte order.
    private func decode(
        _ bytes: UnsafeRawBufferPointer, asVersion maxVersion: Int, into values: inout [FieldValue]
    ) throws(DecodeError) -> (FrameHeader, Int) {
        switch schema.byteOrder {
        case .littleEndian: try decode(FrameReader<LittleEndianWire>(bytes: bytes), asVersion: maxVersion, into: &values)
        case .bigEndian: try decode(FrameReader<BigEndianWire>(bytes: bytes), asVersion: maxVersion, into: &values)
        }
    }
}

// MARK: - Characters and text

extension Codec {
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
    static func text(validating data: UnsafeRawBufferPointer) -> String? {
        // ASCII is valid as it is and needs no full check (which is slow for short strings).
        if data.allSatisfy({ $0 < 0x80 }) { return String(decoding: data, as: UTF8.self) }
        return String(validating: data, as: UTF8.self)
    }

    /// `body` over the UTF-8 bytes of a text value, nil for any other value. The string is read
    /// in place, as it is stored when it can be: binding it would copy it, at the price of a
    /// reference count per field.
    @inline(__always)
    static func withUTF8<Result>(of value: borrowing FieldValue, _ body: (UnsafeRawBufferPointer) -> Result) -> Result? {
        switch value {
        case .text(let text):
            if let result = text.utf8.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) { return result }
            var contiguous = copy text
            return contiguous.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        default:
            return nil
        }
    }
}

extension UnsafeMutableBufferPointer<FieldValue> {
    /// `self[index] = value`, without the call that destroys the old value when it is a
    /// number, which holds nothing to release: the decoder overwrites mostly numbers.
    @inline(__always)
    func replace(_ index: Int, with value: FieldValue) {
        switch self[index] {
        case .unsigned, .signed, .double, .null: (baseAddress.unsafelyUnwrapped + index).initialize(to: value)
        case .text, .group, .bytes, .array, .composite: self[index] = value
        }
    }
}
