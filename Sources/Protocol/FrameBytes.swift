// The one vocabulary for reading and writing little-endian integers in a frame.
// Every read is bounds-checked and returns nil instead of trapping.

/// A read-only view of a frame.
struct FrameReader {
    let bytes: UnsafeRawBufferPointer

    var count: Int { bytes.count }

    func integer<T: FixedWidthInteger>(at offset: Int, as: T.Type = T.self) -> T? {
        guard offset >= 0, offset <= bytes.count - MemoryLayout<T>.size else { return nil }
        return T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    func slice(at offset: Int, count: Int) -> UnsafeRawBufferPointer? {
        guard offset >= 0, count >= 0, offset <= bytes.count - count else { return nil }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
    }
}

/// A frame being built, growing at the end; `set` writes inside what is already there.
struct FrameWriter {
    private(set) var bytes: [UInt8]

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    var count: Int { bytes.count }

    mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func appendZeros(_ count: Int) {
        bytes.append(contentsOf: repeatElement(0, count: count))
    }

    mutating func append(contentsOf data: some Collection<UInt8>) {
        bytes.append(contentsOf: data)
    }

    mutating func set<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        withUnsafeBytes(of: value.littleEndian) { source in
            for (index, byte) in source.enumerated() { bytes[offset + index] = byte }
        }
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
        var writer = FrameWriter(capacity: Self.size)
        writer.append(blockLength)
        writer.append(templateId)
        writer.append(schemaId)
        writer.append(version)
        return writer.bytes
    }
}
