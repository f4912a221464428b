// The one vocabulary for reading and writing little-endian integers in a frame. A read the
// frame may not hold is bounds-checked and returns nil instead of trapping; reads and writes
// inside bounds the codec has already established are checked in debug builds only.

/// A read-only view of a frame.
struct FrameReader {
    let bytes: UnsafeRawBufferPointer

    var count: Int { bytes.count }

    func integer<T: FixedWidthInteger>(at offset: Int, as: T.Type = T.self) -> T? {
        guard offset >= 0, offset <= bytes.count - MemoryLayout<T>.size else { return nil }
        return T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// The integer at `offset`, in a part of the frame the decoder has already checked is there:
    /// debug builds (the tests) check it again, release builds do not pay for it per field.
    func inBounds<T: FixedWidthInteger>(at offset: Int, as: T.Type = T.self) -> T {
        assert(offset >= 0 && offset <= bytes.count - MemoryLayout<T>.size, "frame read past the end")
        return T(littleEndian: bytes.baseAddress.unsafelyUnwrapped.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// `count` bytes at `offset`, in a part of the frame the decoder has already checked is there.
    func inBounds(at offset: Int, count: Int) -> UnsafeRawBufferPointer {
        assert(offset >= 0 && count >= 0 && offset <= bytes.count - count, "frame read past the end")
        return UnsafeRawBufferPointer(start: bytes.baseAddress.unsafelyUnwrapped + offset, count: count)
    }

    func slice(at offset: Int, count: Int) -> UnsafeRawBufferPointer? {
        guard offset >= 0, count >= 0, offset <= bytes.count - count else { return nil }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
    }
}

/// A frame being written into memory sized for it. The encoder computes the frame's exact size
/// from the same layout and values it then writes, so every offset is inside by construction:
/// debug builds (the tests) check each write, release builds do not pay for it per field.
struct FrameWriter {
    let bytes: UnsafeMutableRawBufferPointer

    func set<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        assert(offset >= 0 && offset <= bytes.count - MemoryLayout<T>.size, "frame write past the end")
        bytes.baseAddress.unsafelyUnwrapped.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
    }

    func set(_ source: UnsafeRawBufferPointer, at offset: Int) {
        guard let from = source.baseAddress, source.count > 0 else { return }
        assert(offset >= 0 && offset <= bytes.count - source.count, "frame write past the end")
        (bytes.baseAddress.unsafelyUnwrapped + offset).copyMemory(from: from, byteCount: source.count)
    }
}

/// The 8-byte header every frame starts with.
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

    /// The header of `frame`, or nil when the frame is shorter than a header.
    public init?(of frame: some Collection<UInt8>) {
        guard frame.count >= Self.size else { return nil }
        let b = Array(frame.prefix(Self.size))
        func u16(_ at: Int) -> UInt16 { UInt16(b[at]) | UInt16(b[at + 1]) << 8 }
        self.init(blockLength: u16(0), templateId: u16(2), schemaId: u16(4), version: u16(6))
    }

    /// The header's 8 bytes, for writing a frame by hand.
    public var bytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: Self.size) { buffer, count in
            write(into: FrameWriter(bytes: UnsafeMutableRawBufferPointer(buffer)))
            count = Self.size
        }
    }

    func write(into writer: FrameWriter) {
        writer.set(blockLength, at: 0)
        writer.set(templateId, at: 2)
        writer.set(schemaId, at: 4)
        writer.set(version, at: 6)
    }
}
