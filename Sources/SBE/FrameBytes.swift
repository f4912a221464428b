// The one vocabulary for reading and writing integers in a frame, in the schema's byte order.
// A read the frame may not hold is bounds-checked and returns nil instead of trapping; reads
// and writes inside bounds the codec has already established are checked in debug builds only.

/// A schema's byte order as a type: the codec is generic over it, so each order gets its own
/// specialised code and the little-endian path pays nothing for big-endian schemas.
protocol WireByteOrder {
    /// The value of `raw`, as loaded from the wire.
    static func fromWire<T: FixedWidthInteger>(_ raw: T) -> T
    /// What to store on the wire for `value`.
    static func toWire<T: FixedWidthInteger>(_ value: T) -> T
}

enum LittleEndianWire: WireByteOrder {
    @inline(__always) static func fromWire<T: FixedWidthInteger>(_ raw: T) -> T { T(littleEndian: raw) }
    @inline(__always) static func toWire<T: FixedWidthInteger>(_ value: T) -> T { value.littleEndian }
}

enum BigEndianWire: WireByteOrder {
    @inline(__always) static func fromWire<T: FixedWidthInteger>(_ raw: T) -> T { T(bigEndian: raw) }
    @inline(__always) static func toWire<T: FixedWidthInteger>(_ value: T) -> T { value.bigEndian }
}

/// A read-only view of a frame.
struct FrameReader<Order: WireByteOrder> {
    let bytes: UnsafeRawBufferPointer

    var count: Int { bytes.count }

    func integer<T: FixedWidthInteger>(at offset: Int, as: T.Type = T.self) -> T? {
        guard offset >= 0, offset <= bytes.count - MemoryLayout<T>.size else { return nil }
        return Order.fromWire(bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// An unsigned integer of `width` bytes (1, 2, 4 or 8), nil when the frame does not hold it.
    @inline(__always)
    func unsigned(at offset: Int, width: Int) -> UInt64? {
        switch width {
        case 1: integer(at: offset, as: UInt8.self).map(UInt64.init)
        case 2: integer(at: offset, as: UInt16.self).map(UInt64.init)
        case 4: integer(at: offset, as: UInt32.self).map(UInt64.init)
        default: integer(at: offset, as: UInt64.self)
        }
    }

    /// The integer at `offset`, in a part of the frame the decoder has already checked is there:
    /// debug builds (the tests) check it again, release builds do not pay for it per field.
    @inline(__always)
    func inBounds<T: FixedWidthInteger>(at offset: Int, as: T.Type = T.self) -> T {
        assert(offset >= 0 && offset <= bytes.count - MemoryLayout<T>.size, "frame read past the end")
        return Order.fromWire(bytes.baseAddress.unsafelyUnwrapped.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// An unsigned integer of `width` bytes at `offset`, in a part of the frame the decoder has already checked is there.
    @inline(__always)
    func inBoundsUnsigned(at offset: Int, width: Int) -> UInt64 {
        switch width {
        case 1: UInt64(inBounds(at: offset, as: UInt8.self))
        case 2: UInt64(inBounds(at: offset, as: UInt16.self))
        case 4: UInt64(inBounds(at: offset, as: UInt32.self))
        default: inBounds(at: offset, as: UInt64.self)
        }
    }

    /// `count` bytes at `offset`, in a part of the frame the decoder has already checked is there.
    func inBounds(at offset: Int, count: Int) -> UnsafeRawBufferPointer {
        assert(offset >= 0 && count >= 0 && offset <= bytes.count - count, "frame read past the end")
        return UnsafeRawBufferPointer(start: bytes.baseAddress.unsafelyUnwrapped + offset, count: count)
    }

    @inline(__always)
    func slice(at offset: Int, count: Int) -> UnsafeRawBufferPointer? {
        guard offset >= 0, count >= 0, offset <= bytes.count - count else { return nil }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
    }

    /// One value of `primitive` at `offset`, checked to be in the frame already: integers as
    /// `.unsigned` (`char` too) or `.signed`, float and double as `.double`.
    @inline(__always)
    func primitive(_ primitive: Primitive, at offset: Int) -> FieldValue {
        switch primitive {
        case .char, .uint8: .unsigned(UInt64(inBounds(at: offset, as: UInt8.self)))
        case .uint16: .unsigned(UInt64(inBounds(at: offset, as: UInt16.self)))
        case .uint32: .unsigned(UInt64(inBounds(at: offset, as: UInt32.self)))
        case .uint64: .unsigned(inBounds(at: offset, as: UInt64.self))
        case .int8: .signed(Int64(inBounds(at: offset, as: Int8.self)))
        case .int16: .signed(Int64(inBounds(at: offset, as: Int16.self)))
        case .int32: .signed(Int64(inBounds(at: offset, as: Int32.self)))
        case .int64: .signed(inBounds(at: offset, as: Int64.self))
        case .float: .double(Double(Float(bitPattern: inBounds(at: offset, as: UInt32.self))))
        case .double: .double(Double(bitPattern: inBounds(at: offset, as: UInt64.self)))
        }
    }
}

/// A frame being written into memory sized for it. The encoder computes the frame's exact size
/// from the same layout and values it then writes, so every offset is inside by construction:
/// debug builds (the tests) check each write, release builds do not pay for it per field.
struct FrameWriter<Order: WireByteOrder> {
    let bytes: UnsafeMutableRawBufferPointer

    @inline(__always)
    func set<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        assert(offset >= 0 && offset <= bytes.count - MemoryLayout<T>.size, "frame write past the end")
        bytes.baseAddress.unsafelyUnwrapped.storeBytes(of: Order.toWire(value), toByteOffset: offset, as: T.self)
    }

    func set(_ source: UnsafeRawBufferPointer, at offset: Int) {
        guard let from = source.baseAddress, source.count > 0 else { return }
        assert(offset >= 0 && offset <= bytes.count - source.count, "frame write past the end")
        (bytes.baseAddress.unsafelyUnwrapped + offset).copyMemory(from: from, byteCount: source.count)
    }

    /// The low `width` bytes (1, 2, 4 or 8) of `value`.
    @inline(__always)
    func setUnsigned(_ value: UInt64, width: Int, at offset: Int) {
        switch width {
        case 1: set(UInt8(truncatingIfNeeded: value), at: offset)
        case 2: set(UInt16(truncatingIfNeeded: value), at: offset)
        case 4: set(UInt32(truncatingIfNeeded: value), at: offset)
        default: set(value, at: offset)
        }
    }

    /// `value` as one `primitive` at `offset`; false, with nothing written, when it is not a value
    /// of the type: another kind of value, or an integer out of the type's range (E2).
    @inline(__always)
    func setPrimitive(_ value: borrowing FieldValue, as primitive: Primitive, at offset: Int) -> Bool {
        // Matched where it is (a borrowing switch): no copy of the value.
        switch value {
        case .unsigned(let number): setUnsigned(number, as: primitive, at: offset)
        case .signed(let number): setSigned(number, as: primitive, at: offset)
        case .double(let number): setFloatingPoint(number, as: primitive, at: offset)
        default: false
        }
    }

    @inline(__always)
    private func setUnsigned(_ number: UInt64, as primitive: Primitive, at offset: Int) -> Bool {
        switch primitive {
        case .char, .uint8: setIfPresent(UInt8(exactly: number), at: offset)
        case .uint16: setIfPresent(UInt16(exactly: number), at: offset)
        case .uint32: setIfPresent(UInt32(exactly: number), at: offset)
        case .uint64: setIfPresent(number, at: offset)
        default: false
        }
    }

    @inline(__always)
    private func setSigned(_ number: Int64, as primitive: Primitive, at offset: Int) -> Bool {
        switch primitive {
        case .int8: setIfPresent(Int8(exactly: number), at: offset)
        case .int16: setIfPresent(Int16(exactly: number), at: offset)
        case .int32: setIfPresent(Int32(exactly: number), at: offset)
        case .int64: setIfPresent(number, at: offset)
        default: false
        }
    }

    @inline(__always)
    private func setFloatingPoint(_ number: Double, as primitive: Primitive, at offset: Int) -> Bool {
        switch primitive {
        // A finite value beyond float's range would arrive as infinity.
        case .float: setIfPresent(Float(number).isFinite || !number.isFinite ? Float(number).bitPattern : nil, at: offset)
        case .double: setIfPresent(number.bitPattern, at: offset)
        default: false
        }
    }

    /// Writes `value` when there is one: false when there is none.
    @inline(__always)
    private func setIfPresent<T: FixedWidthInteger>(_ value: T?, at offset: Int) -> Bool {
        guard let value else { return false }
        set(value, at: offset)
        return true
    }
}

/// Where one unsigned integer of a header, a group dimension or a var-data length sits.
struct IntegerSlot: Sendable {
    let offset: Int
    /// 1, 2, 4 or 8 bytes.
    let width: Int
    /// The largest value it carries.
    let max: UInt64

    init(_ slot: EncodedSlot) {
        offset = slot.offset
        width = slot.type.size
        max = width >= 8 ? .max : (1 << UInt64(width * 8)) - 1
    }

    var end: Int { offset + width }
}

// MARK: - The header

/// The header values of a frame at the full width of their slots: the codec decides on these,
/// `FrameHeader` carries them (clamped) to its callers.
struct WireHeader {
    var blockLength: UInt64
    var templateId: UInt64
    var schemaId: UInt64
    var version: UInt64

    @inline(__always)
    var frameHeader: FrameHeader {
        FrameHeader(
            blockLength: UInt16(clamping: blockLength), templateId: UInt16(clamping: templateId), schemaId: UInt16(clamping: schemaId),
            version: UInt16(clamping: version))
    }
}

/// Where a schema's header keeps its four values, as the codec reads and writes them.
struct HeaderLayout: Sendable {
    let size: Int
    let blockLength: IntegerSlot
    let templateId: IntegerSlot
    let schemaId: IntegerSlot
    let version: IntegerSlot
    /// SBE's standard header (four uint16 in order, TGP's): read and written without looking
    /// at the slots, as it is on every frame of the hot path.
    let isStandard: Bool

    init(_ header: HeaderSchema) {
        // A header shorter than its slots' ends would be read past its end.
        size = [header.size, header.blockLength.end, header.templateId.end, header.schemaId.end, header.version.end].max()!
        blockLength = IntegerSlot(header.blockLength)
        templateId = IntegerSlot(header.templateId)
        schemaId = IntegerSlot(header.schemaId)
        version = IntegerSlot(header.version)
        isStandard = header == .standard
    }

    /// The header of `frame`, nil when the frame is shorter than the header.
    @inline(__always)
    func read<Order: WireByteOrder>(_ frame: FrameReader<Order>) -> WireHeader? {
        if isStandard {
            guard frame.count >= 8 else { return nil }
            return WireHeader(
                blockLength: UInt64(frame.inBounds(at: 0, as: UInt16.self)), templateId: UInt64(frame.inBounds(at: 2, as: UInt16.self)),
                schemaId: UInt64(frame.inBounds(at: 4, as: UInt16.self)), version: UInt64(frame.inBounds(at: 6, as: UInt16.self)))
        }
        guard frame.count >= size, let blockLength = frame.unsigned(at: blockLength.offset, width: blockLength.width),
            let templateId = frame.unsigned(at: templateId.offset, width: templateId.width),
            let schemaId = frame.unsigned(at: schemaId.offset, width: schemaId.width),
            let version = frame.unsigned(at: version.offset, width: version.width)
        else { return nil }
        return WireHeader(blockLength: blockLength, templateId: templateId, schemaId: schemaId, version: version)
    }

    /// RJ1: the template id of a frame at least a header long, else 0.
    @inline(__always)
    func templateId<Order: WireByteOrder>(of frame: FrameReader<Order>) -> UInt64 {
        frame.count >= size ? frame.unsigned(at: templateId.offset, width: templateId.width) ?? 0 : 0
    }

    /// Writes the four values; every other byte of the header stays as it is (0 in a new frame).
    @inline(__always)
    func write<Order: WireByteOrder>(_ header: WireHeader, into writer: FrameWriter<Order>) {
        if isStandard {
            writer.set(UInt16(truncatingIfNeeded: header.blockLength), at: 0)
            writer.set(UInt16(truncatingIfNeeded: header.templateId), at: 2)
            writer.set(UInt16(truncatingIfNeeded: header.schemaId), at: 4)
            writer.set(UInt16(truncatingIfNeeded: header.version), at: 6)
            return
        }
        writer.setUnsigned(header.blockLength, width: blockLength.width, at: blockLength.offset)
        writer.setUnsigned(header.templateId, width: templateId.width, at: templateId.offset)
        writer.setUnsigned(header.schemaId, width: schemaId.width, at: schemaId.offset)
        writer.setUnsigned(header.version, width: version.width, at: version.offset)
    }

    /// The name of the header value at `offset`, if one sits there.
    func name(at offset: Int) -> String? {
        let slots = [("blockLength", blockLength), ("templateId", templateId), ("schemaId", schemaId), ("version", version)]
        return slots.first { $0.1.offset <= offset && offset < $0.1.end }?.0
    }
}

extension HeaderLayout {
    /// Whether each value fits its slot.
    @inline(__always)
    func carries(_ values: WireHeader) -> Bool {
        values.blockLength <= blockLength.max && values.templateId <= templateId.max && values.schemaId <= schemaId.max
            && values.version <= version.max
    }
}

extension HeaderSchema {
    /// The header of `frame` as this composite lays it out in `byteOrder`, or nil when the frame
    /// is shorter than the header. A value above 65535 (in a wider slot) is clamped to 65535.
    public func header(of frame: some Collection<UInt8>, byteOrder: ByteOrder) -> FrameHeader? {
        let layout = HeaderLayout(self)
        guard frame.count >= layout.size else { return nil }
        let bytes = Array(frame.prefix(layout.size))
        return bytes.withUnsafeBytes { bytes in
            switch byteOrder {
            case .littleEndian: layout.read(FrameReader<LittleEndianWire>(bytes: bytes))?.frameHeader
            case .bigEndian: layout.read(FrameReader<BigEndianWire>(bytes: bytes))?.frameHeader
            }
        }
    }

    /// The bytes of `header` as this composite lays it out in `byteOrder`; other members are 0.
    public func bytes(of header: FrameHeader, byteOrder: ByteOrder) -> [UInt8] {
        let layout = HeaderLayout(self)
        let values = WireHeader(
            blockLength: UInt64(header.blockLength), templateId: UInt64(header.templateId), schemaId: UInt64(header.schemaId),
            version: UInt64(header.version))
        return [UInt8](unsafeUninitializedCapacity: layout.size) { buffer, count in
            let bytes = UnsafeMutableRawBufferPointer(buffer)
            bytes.initializeMemory(as: UInt8.self, repeating: 0)
            switch byteOrder {
            case .littleEndian: layout.write(values, into: FrameWriter<LittleEndianWire>(bytes: bytes))
            case .bigEndian: layout.write(values, into: FrameWriter<BigEndianWire>(bytes: bytes))
            }
            count = layout.size
        }
    }
}

/// The values of a frame's header. `size`, `init?(of:)` and `bytes` are those of SBE's
/// standard header (four little-endian uint16, 8 bytes: TGP's W2); `HeaderSchema.header(of:byteOrder:)`
/// and `HeaderSchema.bytes(of:byteOrder:)` read and write any other.
public struct FrameHeader: Sendable, Hashable {
    public static let size = 8

    public var blockLength: UInt16
    public var templateId: UInt16
    public var schemaId: UInt16
    /// The acting version: the one the sender encoded with.
    public var version: UInt16

    public init(blockLength: UInt16, templateId: UInt16, schemaId: UInt16, version: UInt16) {
        self.blockLength = blockLength
        self.templateId = templateId
        self.schemaId = schemaId
        self.version = version
    }

    /// The standard header of `frame`, or nil when the frame is shorter than a header.
    public init?(of frame: some Collection<UInt8>) {
        guard let header = HeaderSchema.standard.header(of: frame, byteOrder: .littleEndian) else { return nil }
        self = header
    }

    /// The standard header's 8 bytes, for writing a frame by hand.
    public var bytes: [UInt8] { HeaderSchema.standard.bytes(of: self, byteOrder: .littleEndian) }
}
