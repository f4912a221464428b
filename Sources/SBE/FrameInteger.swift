// One integer of a frame read or written in place, without decoding the frame: what an SBE
// flyweight does for a sender that sends one message many times with a fresh id, and for a
// receiver that only needs to match an answer by its id. Located once from the schema.

/// A fixed-position integer of a frame: a header member, or a root field of a message type
/// that is one unsigned integer (never a constant, an array or a composite).
public struct FrameInteger: Sendable, Hashable {
    /// Bytes from the start of the frame.
    public let offset: Int
    /// 1, 2, 4 or 8 bytes.
    private let width: Int
    private let byteOrder: ByteOrder

    init(at offset: Int, width: Int, byteOrder: ByteOrder) {
        self.offset = offset
        self.width = width
        self.byteOrder = byteOrder
    }

    /// The frame must hold this many bytes for the integer to be in it.
    public var end: Int { offset + width }

    /// The value in `frame`, nil when the frame is too short to hold it.
    @inline(__always)
    public func value(in frame: [UInt8]) -> UInt64? {
        guard frame.count >= end else { return nil }
        return frame.withUnsafeBytes { bytes in
            let field = UnsafeRawBufferPointer(rebasing: bytes[offset..<end])
            return switch byteOrder {
            case .littleEndian: FrameReader<LittleEndianWire>(bytes: field).inBoundsUnsigned(at: 0, width: width)
            case .bigEndian: FrameReader<BigEndianWire>(bytes: field).inBoundsUnsigned(at: 0, width: width)
            }
        }
    }

    /// Writes `value` (cut to the integer's width) into `frame`; returns false, and leaves the
    /// frame as it was, when the frame is too short to hold it.
    @inline(__always)
    @discardableResult
    public func set(_ value: UInt64, in frame: inout [UInt8]) -> Bool {
        guard frame.count >= end else { return false }
        frame.withUnsafeMutableBytes { bytes in
            let field = UnsafeMutableRawBufferPointer(rebasing: bytes[offset..<end])
            switch byteOrder {
            case .littleEndian: FrameWriter<LittleEndianWire>(bytes: field).setUnsigned(value, width: width, at: 0)
            case .bigEndian: FrameWriter<BigEndianWire>(bytes: field).setUnsigned(value, width: width, at: 0)
            }
        }
        return true
    }
}

extension FrameLayout {
    /// The header's `templateId`.
    public var templateIdInteger: FrameInteger { frameInteger(HeaderLayout(schema.header).templateId, at: 0) }

    /// The header's `blockLength`.
    public var blockLengthInteger: FrameInteger { frameInteger(HeaderLayout(schema.header).blockLength, at: 0) }

    /// The root field `name` of `type` when it is one unsigned integer on the wire (not a
    /// constant, an array, chars or a composite); nil otherwise.
    public func integer(named name: String, of type: MessageSchema) -> FrameInteger? {
        guard let field = type.rootField(named: name), !field.presence.isConstant,
            case .primitive(let primitive) = field.type, primitive.isUnsigned, primitive != .char
        else { return nil }
        return FrameInteger(at: headerSize + field.offset, width: primitive.size, byteOrder: schema.byteOrder)
    }

    /// `slot` of the structure that starts `base` bytes into a frame.
    func frameInteger(_ slot: IntegerSlot, at base: Int) -> FrameInteger {
        FrameInteger(at: base + slot.offset, width: slot.width, byteOrder: schema.byteOrder)
    }
}
