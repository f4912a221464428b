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
        var reader = ByteReader(bytes, bigEndian: !format.littleEndian)
        _ = try reader.bytes(20, padTo: 1)
        // The link type's upper bits carry FCS flags (LT_LINKTYPE in pcap's linktype.h).
        let linkType = try reader.uint32() & 0x03FF_FFFF
        var packets: [LinkPacket] = []
        while reader.remaining > 0 {
            packets.append(try record(&reader, linkType: linkType, nanosecond: format.nanosecond))
        }
        return packets
    }

    /// The byte order and resolution the magic gives.
    private static func format(_ bytes: [UInt8]) -> (littleEndian: Bool, nanosecond: Bool)? {
        let reader = ByteReader(bytes)
        guard let little = try? reader.peekUInt32(bigEndian: false), let big = try? reader.peekUInt32(bigEndian: true) else { return nil }
        for (magic, nanosecond) in [(microsecondMagic, false), (nanosecondMagic, true)] {
            if little == magic { return (true, nanosecond) }
            if big == magic { return (false, nanosecond) }
        }
        return nil
    }

    /// The record at the reader's offset; the reader is left at the next one.
    private static func record(_ reader: inout ByteReader, linkType: UInt32, nanosecond: Bool) throws(CaptureError) -> LinkPacket {
        let offset = reader.offset
        guard reader.remaining >= recordHeaderLength else {
            throw CaptureError(offset: offset, "a record header ends after \(reader.remaining) of its 16 bytes")
        }
        let seconds = UInt64(try reader.uint32())
        let fraction = UInt64(try reader.uint32())
        let captured = Int(try reader.uint32())
        _ = try reader.uint32()  // the original length
        guard fraction < (nanosecond ? 1_000_000_000 : 1_000_000) else {
            throw CaptureError(offset: offset + 4, "a record's sub-second timestamp \(fraction) is a second or more")
        }
        // A captured length may be less than the packet's original length (the snap length cut it),
        // never more than the file holds.
        guard captured <= reader.remaining else {
            throw CaptureError(offset: offset + 8, "a record's captured length \(captured) runs past the end of the file")
        }
        let nanoseconds = seconds * 1_000_000_000 + (nanosecond ? fraction : fraction * 1000)
        return LinkPacket(linkType: linkType, nanoseconds: nanoseconds, data: try reader.bytes(captured, padTo: 1))
    }
}
