// From a link-layer packet to the TCP segment it carries: the link header (Ethernet with VLAN tags,
// Linux cooked SLL/SLL2, BSD loopback, raw IP), IPv4 or IPv6 (its extension headers walked), then
// TCP. A packet that is not a whole TCP segment says why it was skipped, so the reader of a capture
// learns what was not read; nothing here trusts a length it has not checked.

/// One end of a TCP connection.
struct TCPEndpoint: Hashable, CustomStringConvertible {
    var address: [UInt8]
    var port: UInt16

    var description: String {
        if address.count == 4 { return address.map(String.init).joined(separator: ".") + ":\(port)" }
        let groups = stride(from: 0, to: address.count, by: 2).map { String(UInt16(address[$0]) << 8 | UInt16(address[$0 + 1]), radix: 16) }
        return "[\(groups.joined(separator: ":"))]:\(port)"
    }
}

/// A TCP segment as captured.
struct TCPSegment {
    static let fin: UInt8 = 0x01
    static let syn: UInt8 = 0x02
    static let rst: UInt8 = 0x04
    static let ack: UInt8 = 0x10

    var source: TCPEndpoint
    var destination: TCPEndpoint
    var sequence: UInt32
    var flags: UInt8
    var payload: [UInt8]
    /// The capture's snap length cut the payload short.
    var truncated: Bool

    func has(_ flag: UInt8) -> Bool { flags & flag != 0 }
}

/// Why a packet gave no segment; `description` is the note's text, the same for every such packet.
enum SegmentSkip: Error, Hashable, CustomStringConvertible {
    case linkType(UInt32)
    case notIP
    case notTCP
    case fragment
    case malformed(String)

    var description: String {
        switch self {
        case .linkType(let type): "link type \(type) is not one live traffic is read from"
        case .notIP: "not IPv4 or IPv6"
        case .notTCP: "not TCP"
        case .fragment: "an IP fragment (fragments are not reassembled)"
        case .malformed(let why): "malformed: \(why)"
        }
    }
}

enum Segments {
    /// The TCP segment of a packet, or why there is none.
    static func segment(_ packet: LinkPacket) -> Result<TCPSegment, SegmentSkip> {
        let bytes = Bytes(packet.data)
        let network: Result<(version: Int?, start: Int), SegmentSkip> =
            switch packet.linkType {
            case 1: ethernet(bytes)
            case 113: cooked(bytes, typeAt: 14, headerLength: 16)
            case 276: cooked(bytes, typeAt: 0, headerLength: 20)
            case 0, 108: loopback(bytes)
            case 101, 12, 14: .success((nil, 0))
            default: .failure(.linkType(packet.linkType))
            }
        return network.flatMap { ip(bytes, version: $0.version, at: $0.start) }
    }

    // MARK: link layers

    /// Ethernet II, through any number of 802.1Q / 802.1ad tags.
    private static func ethernet(_ bytes: Bytes) -> Result<(version: Int?, start: Int), SegmentSkip> {
        var offset = 12
        while let type = bytes.u16(offset) {
            if type == 0x8100 || type == 0x88A8 || type == 0x9100 {
                offset += 4  // the tag's control information, then the next type
                continue
            }
            return etherType(type, start: offset + 2)
        }
        return .failure(.malformed("an Ethernet header cut short"))
    }

    /// Linux cooked captures: SLL (v1) has its protocol at 14 of 16 bytes, SLL2 at 0 of 20.
    private static func cooked(_ bytes: Bytes, typeAt: Int, headerLength: Int) -> Result<(version: Int?, start: Int), SegmentSkip> {
        guard let type = bytes.u16(typeAt), bytes.count >= headerLength else {
            return .failure(.malformed("a Linux cooked header cut short"))
        }
        return etherType(type, start: headerLength)
    }

    private static func etherType(_ type: UInt16, start: Int) -> Result<(version: Int?, start: Int), SegmentSkip> {
        switch type {
        case 0x0800: .success((4, start))
        case 0x86DD: .success((6, start))
        default: .failure(.notIP)
        }
    }

    /// BSD loopback: a 4-byte address family in the capturing host's byte order (NULL) or in network
    /// order (LOOP). Families fit in 16 bits, so whichever order reads small is the right one.
    private static func loopback(_ bytes: Bytes) -> Result<(version: Int?, start: Int), SegmentSkip> {
        guard let big = bytes.u32(0) else { return .failure(.malformed("a loopback header cut short")) }
        let family = big > 0xFFFF ? big.byteSwapped : big
        switch family {
        case 2: return .success((4, 4))
        case 10, 23, 24, 28, 30: return .success((6, 4))  // AF_INET6 of Linux, Windows, NetBSD/OpenBSD, FreeBSD, Darwin
        default: return .failure(.notIP)
        }
    }

    // MARK: IP

    /// IPv4 or IPv6 at `start`; `version` is what the link layer said (nil: the header's own nibble).
    private static func ip(_ bytes: Bytes, version: Int?, at start: Int) -> Result<TCPSegment, SegmentSkip> {
        guard let first = bytes.u8(start) else { return .failure(.malformed("no IP header")) }
        let own = Int(first >> 4)
        guard version == nil || version == own else { return .failure(.malformed("the IP version \(own) is not the link layer's")) }
        switch own {
        case 4: return ipv4(bytes, at: start)
        case 6: return ipv6(bytes, at: start)
        default: return .failure(.notIP)
        }
    }

    private static func ipv4(_ bytes: Bytes, at start: Int) -> Result<TCPSegment, SegmentSkip> {
        guard let first = bytes.u8(start), let total = bytes.u16(start + 2), let fragment = bytes.u16(start + 6),
            let proto = bytes.u8(start + 9), let source = bytes.slice(start + 12, 4), let destination = bytes.slice(start + 16, 4)
        else { return .failure(.malformed("an IPv4 header cut short")) }
        let headerLength = Int(first & 0x0F) * 4
        guard headerLength >= 20, Int(total) >= headerLength else { return .failure(.malformed("IPv4 lengths that do not fit")) }
        // More fragments, or an offset: a piece of a datagram.
        guard fragment & 0x3FFF == 0 else { return .failure(.fragment) }
        guard proto == 6 else { return .failure(.notTCP) }
        return tcp(bytes, at: start + headerLength, end: start + Int(total), source: source, destination: destination)
    }

    private static func ipv6(_ bytes: Bytes, at start: Int) -> Result<TCPSegment, SegmentSkip> {
        guard let length = bytes.u16(start + 4), var next = bytes.u8(start + 6), let source = bytes.slice(start + 8, 16),
            let destination = bytes.slice(start + 24, 16)
        else { return .failure(.malformed("an IPv6 header cut short")) }
        // A payload length of 0 is a jumbogram: the rest of the packet.
        let end = length == 0 ? bytes.count : start + 40 + Int(length)
        var offset = start + 40
        // Every extension header but the fragment header and AH says its length in 8-byte units past the first 8.
        while next != 6 {
            guard let following = bytes.u8(offset), let size = bytes.u8(offset + 1) else {
                return .failure(.malformed("an IPv6 extension header cut short"))
            }
            switch next {
            case 0, 43, 60, 135, 139, 140: offset += (Int(size) + 1) * 8
            case 51: offset += (Int(size) + 2) * 4
            case 44:
                guard let fragment = bytes.u16(offset + 2) else { return .failure(.malformed("an IPv6 fragment header cut short")) }
                guard fragment & 0xFFF9 == 0 else { return .failure(.fragment) }
                offset += 8
            default: return .failure(.notTCP)
            }
            next = following
        }
        return tcp(bytes, at: offset, end: end, source: source, destination: destination)
    }

    // MARK: TCP

    /// The segment from `start` to the IP payload's `end` (Ethernet may pad past it; the snap length may cut before it).
    private static func tcp(_ bytes: Bytes, at start: Int, end: Int, source: [UInt8], destination: [UInt8]) -> Result<
        TCPSegment, SegmentSkip
    > {
        guard let sourcePort = bytes.u16(start), let destinationPort = bytes.u16(start + 2), let sequence = bytes.u32(start + 4),
            let offsetByte = bytes.u8(start + 12), let flags = bytes.u8(start + 13)
        else { return .failure(.malformed("a TCP header cut short")) }
        let payloadStart = start + Int(offsetByte >> 4) * 4
        guard offsetByte >> 4 >= 5, payloadStart <= end else { return .failure(.malformed("a TCP data offset past the IP payload")) }
        guard payloadStart <= bytes.count else { return .failure(.malformed("TCP options cut short")) }
        let available = min(end, bytes.count)
        return .success(
            TCPSegment(
                source: TCPEndpoint(address: source, port: sourcePort),
                destination: TCPEndpoint(address: destination, port: destinationPort),
                sequence: sequence, flags: flags, payload: bytes.slice(payloadStart, available - payloadStart) ?? [],
                truncated: available < end))
    }
}

/// Big-endian reads that return nil past the end instead of trapping.
struct Bytes {
    let data: [UInt8]
    init(_ data: [UInt8]) { self.data = data }

    var count: Int { data.count }

    func u8(_ offset: Int) -> UInt8? { offset >= 0 && offset < data.count ? data[offset] : nil }

    func u16(_ offset: Int) -> UInt16? { integer(offset, 2).map { UInt16($0) } }

    func u32(_ offset: Int) -> UInt32? { integer(offset, 4).map { UInt32($0) } }

    func slice(_ offset: Int, _ length: Int) -> [UInt8]? {
        guard offset >= 0, length >= 0, length <= data.count - offset else { return nil }
        return Array(data[offset..<offset + length])
    }

    private func integer(_ offset: Int, _ length: Int) -> UInt64? {
        guard offset >= 0, length <= data.count - offset else { return nil }
        return data[offset..<offset + length].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }
}
