// A test-only builder of the packets a capture of ZeroMQ tcp traffic holds: ZMTP greetings,
// commands and frames, in TCP segments over IPv4 or IPv6, over Ethernet, Linux SLL2 or BSD loopback,
// and classic pcap files of them.

@testable import CompatRunner

enum ZMTPBytes {
    /// The 64-byte greeting of ZMTP 3.1 with `mechanism`.
    static func greeting(mechanism: String = "NULL", asServer: Bool = false) -> [UInt8] {
        var out: [UInt8] = [0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 3, 1]
        out += Array(mechanism.utf8) + [UInt8](repeating: 0, count: 20 - mechanism.utf8.count)
        out += [asServer ? 1 : 0] + [UInt8](repeating: 0, count: 31)
        return out
    }

    /// A READY command with its Socket-Type property (and an Identity property, which is not read).
    static func ready(_ socketType: String) -> [UInt8] {
        var body: [UInt8] = [5] + Array("READY".utf8)
        body += property("Socket-Type", Array(socketType.utf8))
        body += property("Identity", [])
        return frame(body, flags: 0x04)
    }

    static func ping() -> [UInt8] { frame([4] + Array("PING".utf8) + [0, 10], flags: 0x04) }

    /// A message frame; sizes over 255 take the LONG form.
    static func frame(_ body: [UInt8], more: Bool = false) -> [UInt8] { frame(body, flags: more ? 0x01 : 0) }

    private static func frame(_ body: [UInt8], flags: UInt8) -> [UInt8] {
        guard body.count > 255 else { return [flags, UInt8(body.count)] + body }
        var out: [UInt8] = [flags | 0x02]
        out.appendBE(UInt64(body.count))
        return out + body
    }

    private static func property(_ name: String, _ value: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [UInt8(name.utf8.count)] + Array(name.utf8)
        out.appendBE(UInt32(value.count))
        return out + value
    }

    /// Both sides' greeting and READY: the DEALER's from the client, the ROUTER's from the gateway.
    static func opening(_ socketType: String) -> [UInt8] { greeting() + ready(socketType) }
}

/// How a test's IP packets are framed at the link layer.
enum TestLink {
    case ethernet(vlan: Bool)
    case sll
    case sll2
    case null(bigEndian: Bool)
    case loop
    case raw

    var linkType: UInt32 {
        switch self {
        case .ethernet: 1
        case .sll: 113
        case .sll2: 276
        case .null: 0
        case .loop: 108
        case .raw: 101
        }
    }

    func frame(_ ip: [UInt8], v6: Bool) -> [UInt8] {
        let etherType: UInt16 = v6 ? 0x86DD : 0x0800
        var out: [UInt8] = []
        switch self {
        case .ethernet(let vlan):
            out = [UInt8](repeating: 0, count: 12)
            if vlan { out += [0x81, 0x00, 0x00, 0x07] }
            out.appendBE(etherType)
        case .sll:
            out = [0, 0, 3, 4, 0, 6] + [UInt8](repeating: 0, count: 8)  // type, ARPHRD, address length, address
            out.appendBE(etherType)
        case .sll2:
            out.appendBE(etherType)
            out += [0, 0, 0, 0, 0, 1, 0, 1, 0, 6] + [UInt8](repeating: 0, count: 8)  // reserved, interface, ARPHRD, type, address
        case .null(let bigEndian):
            let family: UInt32 = v6 ? 30 : 2
            if bigEndian { out.appendBE(family) } else { out.appendLE(family) }
        case .loop: out.appendBE(UInt32(v6 ? 24 : 2))
        case .raw: break
        }
        return out + ip
    }
}

/// One TCP connection's packets, with the sequence numbers of both sides kept.
final class TestConnection {
    let client: (address: [UInt8], port: UInt16)
    let gateway: (address: [UInt8], port: UInt16)
    let link: TestLink
    let clock: TestClock
    var clientSequence: UInt32
    var gatewaySequence: UInt32

    init(clock: TestClock, link: TestLink = .ethernet(vlan: false), v6: Bool = false, clientPort: UInt16 = 40001, isn: UInt32 = 1000) {
        self.clock = clock
        self.link = link
        client = (v6 ? [0xFD] + [UInt8](repeating: 0, count: 14) + [1] : [10, 0, 0, 1], clientPort)
        gateway = (v6 ? [0xFD] + [UInt8](repeating: 0, count: 14) + [2] : [10, 0, 0, 2], 5555)
        clientSequence = isn
        gatewaySequence = isn &+ 7_000_000
    }

    /// SYN, SYN-ACK, ACK.
    func handshake() -> [LinkPacket] {
        let syn = packet(fromClient: true, sequence: clientSequence, flags: 0x02, [])
        let synAck = packet(fromClient: false, sequence: gatewaySequence, flags: 0x12, [])
        clientSequence &+= 1
        gatewaySequence &+= 1
        return [syn, synAck, packet(fromClient: true, sequence: clientSequence, flags: 0x10, [])]
    }

    /// The next segment of a side, its sequence number moved on.
    func send(fromClient: Bool, _ payload: [UInt8]) -> LinkPacket {
        let sequence = fromClient ? clientSequence : gatewaySequence
        if fromClient { clientSequence &+= UInt32(payload.count) } else { gatewaySequence &+= UInt32(payload.count) }
        return packet(fromClient: fromClient, sequence: sequence, flags: 0x18, payload)
    }

    /// Both openings (client first): greeting and READY.
    func opening() -> [LinkPacket] {
        [send(fromClient: true, ZMTPBytes.opening("DEALER")), send(fromClient: false, ZMTPBytes.opening("ROUTER"))]
    }

    /// A segment at a given sequence number, the sides' sequence numbers left alone.
    func packet(fromClient: Bool, sequence: UInt32, flags: UInt8, _ payload: [UInt8]) -> LinkPacket {
        let (source, destination) = fromClient ? (client, gateway) : (gateway, client)
        var tcp: [UInt8] = []
        tcp.appendBE(source.port)
        tcp.appendBE(destination.port)
        tcp.appendBE(sequence)
        tcp.appendBE(UInt32(0))  // acknowledgement: not read
        tcp += [0x50, flags, 0xFF, 0xFF, 0, 0, 0, 0]
        let v6 = source.address.count == 16
        let ip =
            v6
            ? Self.ipv6(source.address, destination.address, tcp + payload) : Self.ipv4(source.address, destination.address, tcp + payload)
        return LinkPacket(linkType: link.linkType, nanoseconds: clock.tick(), data: link.frame(ip, v6: v6))
    }

    static func ipv4(_ source: [UInt8], _ destination: [UInt8], _ payload: [UInt8], fragment: UInt16 = 0x4000) -> [UInt8] {
        var out: [UInt8] = [0x45, 0]
        out.appendBE(UInt16(20 + payload.count))
        out += [0, 1]
        out.appendBE(fragment)
        out += [64, 6, 0, 0] + source + destination
        return out + payload
    }

    /// IPv6 with a hop-by-hop options header before TCP, so the extension headers are walked.
    static func ipv6(_ source: [UInt8], _ destination: [UInt8], _ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x60, 0, 0, 0]
        out.appendBE(UInt16(8 + payload.count))
        out += [0, 64] + source + destination
        out += [6, 0, 1, 4, 0, 0, 0, 0]  // hop-by-hop: next TCP, 8 bytes, a PadN option
        return out + payload
    }
}

/// The times of a test's packets: 1 µs apart, from a fixed start.
final class TestClock {
    private var now: UInt64 = 1_700_000_000_000_000_000
    func tick() -> UInt64 {
        now += 1000
        return now
    }
}

enum TestPcap {
    /// A classic pcap file of `packets`, in either byte order and resolution; `snap` cuts each packet's captured bytes.
    static func file(_ packets: [LinkPacket], bigEndian: Bool = false, nanosecond: Bool = false, snap: Int = 262_144) -> [UInt8] {
        var out: [UInt8] = []
        func put(_ value: UInt32) { if bigEndian { out.appendBE(value) } else { out.appendLE(value) } }
        func put16(_ value: UInt16) { if bigEndian { out.appendBE(value) } else { out.appendLE(value) } }
        put(nanosecond ? 0xA1B2_3C4D : 0xA1B2_C3D4)
        put16(2)
        put16(4)
        put(0)
        put(0)
        put(UInt32(snap))
        put(packets.first?.linkType ?? 1)
        for packet in packets {
            put(UInt32(packet.nanoseconds / 1_000_000_000))
            let fraction = packet.nanoseconds % 1_000_000_000
            put(UInt32(nanosecond ? fraction : fraction / 1000))
            let captured = min(snap, packet.data.count)
            put(UInt32(captured))
            put(UInt32(packet.data.count))
            out += packet.data.prefix(captured)
        }
        return out
    }
}
