// Classic libpcap files (what `dumpcap -P` and tcpdump write): a 24-byte file header whose magic
// gives the byte order and the timestamps' resolution, then records of a 16-byte header and the
// packet's captured bytes. Every length in the file is untrusted: each is checked against the bytes
// left before anything is read or kept.

/// Reads classic pcap files into link-layer packets.
public enum ClassicPcap {
    static let microsecondMagic: UInt32 = 0xA1B2_C3D4
    static let nanosecondMagic: UInt32 = 0xA1B2_3C4D
    static let fileHeaderLength = 24
    static let recordHeaderLength = 16

    /// Whether `bytes` start with a classic pcap magic, in either byte order and either resolution.
    public static func isPcap(_ bytes: [UInt8]) -> Bool { format(bytes) != nil }

    /// Every packet of the file, with the link type of its file header.
    public static func packets(_ bytes: [UInt8]) throws(CaptureError) -> [LinkPacket] {
        guard bytes.count <= Capture.maxFileBytes else {
            throw CaptureError(offset: 0, "the file is \(bytes.count) bytes, over the \(Capture.maxFileBytes) a capture may have")
        }
        guard let format = format(bytes) else { throw CaptureError(offset: 0, "not a classic pcap file: no pcap magic") }
        guard bytes.count >= fileHeaderLength else {
            throw CaptureError(offset: bytes.count, "the file header ends after \(bytes.count) of its 24 bytes")
        }
        let reader = Reader(bytes: bytes, littleEndian: format.littleEndian)
        // The link type's upper bits carry FCS flags (LT_LINKTYPE in pcap's linktype.h).
        let linkType = reader.u32(20) & 0x03FF_FFFF
        var packets: [LinkPacket] = []
        var offset = fileHeaderLength
        while offset < bytes.count {
            let (packet, next) = try record(reader, at: offset, linkType: linkType, nanosecond: format.nanosecond)
            packets.append(packet)
            offset = next
        }
        return packets
    }

    /// The byte order and resolution the magic gives.
    private static func format(_ bytes: [UInt8]) -> (littleEndian: Bool, nanosecond: Bool)? {
        guard bytes.count >= 4 else { return nil }
        let little = Reader(bytes: bytes, littleEndian: true).u32(0)
        let big = Reader(bytes: bytes, littleEndian: false).u32(0)
        for (magic, nanosecond) in [(microsecondMagic, false), (nanosecondMagic, true)] {
            if little == magic { return (true, nanosecond) }
            if big == magic { return (false, nanosecond) }
        }
        return nil
    }

    /// The record at `offset` and the offset of the next one.
    private static func record(_ reader: Reader, at offset: Int, linkType: UInt32, nanosecond: Bool) throws(CaptureError) -> (
        LinkPacket, Int
    ) {
        let left = reader.bytes.count - offset
        guard left >= recordHeaderLength else {
            throw CaptureError(offset: offset, "a record header ends after \(left) of its 16 bytes")
        }
        let seconds = UInt64(reader.u32(offset))
        let fraction = UInt64(reader.u32(offset + 4))
        let captured = Int(reader.u32(offset + 8))
        guard fraction < (nanosecond ? 1_000_000_000 : 1_000_000) else {
            throw CaptureError(offset: offset + 4, "a record's sub-second timestamp \(fraction) is a second or more")
        }
        // A captured length may be less than the packet's original length (the snap length cut it),
        // never more than the file holds.
        guard captured <= left - recordHeaderLength else {
            throw CaptureError(offset: offset + 8, "a record's captured length \(captured) runs past the end of the file")
        }
        let start = offset + recordHeaderLength
        let nanoseconds = seconds * 1_000_000_000 + (nanosecond ? fraction : fraction * 1000)
        let packet = LinkPacket(linkType: linkType, nanoseconds: nanoseconds, data: Array(reader.bytes[start..<start + captured]))
        return (packet, start + captured)
    }

    /// Integers of the file in its byte order; the caller has checked the bounds.
    private struct Reader {
        let bytes: [UInt8]
        let littleEndian: Bool

        func u32(_ offset: Int) -> UInt32 {
            let value = (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
            return littleEndian ? value : value.byteSwapped
        }
    }
}
