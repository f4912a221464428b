// Reading a capture file's untrusted bytes: a cursor whose every read checks what is left and
// throws with the byte offset; pcapng's blocks and options, and classic pcap's records, read
// through it in the file's byte order.

/// A cursor over untrusted bytes: every read checks what is left and throws with the offset.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var offset: Int
    private let end: Int
    /// pcapng sections say their byte order; classic pcap files their magic.
    var bigEndian = false

    init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil, bigEndian: Bool = false) {
        self.bytes = bytes
        self.offset = start
        self.end = end ?? bytes.count
        self.bigEndian = bigEndian
    }

    var remaining: Int { end - offset }

    struct Block {
        var type: UInt32
        var body: ByteReader
    }

    struct Option {
        var code: UInt16
        var value: [UInt8]
    }

    private func need(_ count: Int, _ what: String) throws(CaptureError) {
        guard count >= 0, count <= remaining else {
            throw CaptureError(offset: offset, "\(what) needs \(count) bytes and \(remaining) are left")
        }
    }

    func peekUInt32(bigEndian big: Bool) throws(CaptureError) -> UInt32 {
        try need(4, "a block type")
        return big
            ? UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
            : UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }

    mutating func uint8() throws(CaptureError) -> UInt8 {
        try need(1, "a byte")
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func uint16() throws(CaptureError) -> UInt16 {
        try need(2, "a 16-bit number")
        defer { offset += 2 }
        let (a, b) = (UInt16(bytes[offset]), UInt16(bytes[offset + 1]))
        return bigEndian ? a << 8 | b : b << 8 | a
    }

    mutating func uint32() throws(CaptureError) -> UInt32 {
        let value = try peekUInt32(bigEndian: bigEndian)
        offset += 4
        return value
    }

    mutating func bytes(_ count: Int, padTo alignment: Int) throws(CaptureError) -> [UInt8] {
        try need(count, "a field")
        let value = Array(bytes[offset..<offset + count])
        offset += count
        let padding = (alignment - count % alignment) % alignment
        offset += min(padding, remaining)
        return value
    }

    /// A section header's byte-order magic decides how the rest of the section reads.
    mutating func readSectionOrder() throws(CaptureError) {
        try need(12, "a section header")
        let magic = Array(bytes[offset + 8..<offset + 12])
        switch magic {
        case [0x4D, 0x3C, 0x2B, 0x1A]: bigEndian = false
        case [0x1A, 0x2B, 0x3C, 0x4D]: bigEndian = true
        default: throw CaptureError(offset: offset + 8, "the section's byte-order magic is \(CaptureReader.hex(magic)), not 1a2b3c4d")
        }
    }

    /// The next pcapng block: its type and a reader over its body (between the two lengths).
    mutating func block() throws(CaptureError) -> Block {
        let start = offset
        let type = try uint32()
        let length = Int(try uint32())
        guard length >= 12, length % 4 == 0, length - 8 <= remaining else {
            throw CaptureError(offset: start, "a block of type \(type) says it is \(length) bytes long and \(remaining + 8) are left")
        }
        let body = ByteReader(bytes, from: offset, to: start + length - 4, bigEndian: bigEndian)
        offset = start + length - 4
        let trailer = Int(try uint32())
        guard trailer == length else {
            throw CaptureError(offset: start + length - 4, "a block's closing length \(trailer) differs from its opening \(length)")
        }
        return Block(type: type, body: body)
    }

    /// pcapng options up to opt_endofopt or the end of the body.
    mutating func options(base: Int) throws(CaptureError) -> [Option] {
        var options: [Option] = []
        while remaining >= 4 {
            let code = try uint16()
            let length = Int(try uint16())
            if code == 0 { break }
            options.append(Option(code: code, value: try bytes(length, padTo: 4)))
        }
        return options
    }
}
