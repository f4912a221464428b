// A capture file Wireshark opens without a network: pcapng with link type 252
// (LINKTYPE_WIRESHARK_UPPER_PDU, "exported PDUs"). Each packet starts with tags naming the
// dissector that reads it and, as addresses and ports, its direction and session, so tshark
// hands the frame straight to the protocol's dissector: no reassembly, and the same for ipc and tcp.

import Foundation

/// Which way a frame went.
public enum WireDirection: String, Sendable, Hashable {
    case clientToGateway = "c2g"
    case gatewayToClient = "g2c"
}

/// One protocol frame as a capture holds it.
public struct WireFrame: Sendable, Hashable {
    /// Nanoseconds since the Unix epoch, when the runner saw it reported.
    public var nanoseconds: UInt64
    public var direction: WireDirection
    /// The client connection it travelled on, from 1: the capture's stream id.
    public var stream: Int
    public var bytes: [UInt8]
    /// Shown with the packet in Wireshark (who reported it, when it is not the usual view).
    public var comment: String?

    public init(nanoseconds: UInt64, direction: WireDirection, stream: Int, bytes: [UInt8], comment: String? = nil) {
        self.nanoseconds = nanoseconds
        self.direction = direction
        self.stream = stream
        self.bytes = bytes
        self.comment = comment
    }
}

/// How a session's packets are addressed, so Wireshark's conversations are the capture's sessions:
/// the gateway is 127.0.0.2 on `gatewayPort`; client connection k is 127.0.0.1 on `clientPortBase + k`.
public enum WireAddressing {
    public static let gatewayAddress: [UInt8] = [127, 0, 0, 2]
    public static let clientAddress: [UInt8] = [127, 0, 0, 1]
    public static let gatewayPort: UInt32 = 9000
    public static let clientPortBase: UInt32 = 40000
    /// Streams beyond this share the last port; a capture holds far fewer sessions.
    public static let maxStream = 25000

    static func clientPort(_ stream: Int) -> UInt32 { clientPortBase + UInt32(max(0, min(stream, maxStream))) }

    /// The stream of a client port, nil for any other port.
    public static func stream(ofClientPort port: UInt32) -> Int? {
        port > clientPortBase && port <= clientPortBase + UInt32(maxStream) ? Int(port - clientPortBase) : nil
    }
}

/// Writes a pcapng file of link type 252.
public enum Pcapng {
    public static let linkTypeUpperPDU: UInt16 = 252

    /// Exported-PDU tags (Wireshark's exported_pdu_tlvs.h).
    enum Tag: UInt16 {
        case endOfOptions = 0
        case dissectorName = 12
        case ipv4Source = 20
        case ipv4Destination = 21
        case portType = 24
        case sourcePort = 25
        case destinationPort = 26
        case p2pDirection = 35
    }

    /// The whole file: a section header with `comments`, one interface, one packet per frame.
    /// `dissector` is the name the protocol's dissector registers: `Dissector.name(forSchemaFile:)` of its schema.
    public static func file(dissector: String, comments: [String], frames: [WireFrame]) -> [UInt8] {
        var out = sectionHeader(comments: comments)
        out += interfaceDescription()
        for frame in frames { out += enhancedPacket(frame, dissector: dissector) }
        return out
    }

    /// Writes the file at `path` through a temporary file beside it, so no half-written capture is left.
    public static func write(_ bytes: [UInt8], to path: String) throws(ConfigError) {
        let temporary = "\(path).\(getpid()).partial"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes), attributes: [.posixPermissions: 0o644]) else {
            throw ConfigError("cannot write the capture \(path): \(String(cString: strerror(errno)))")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw ConfigError("cannot write the capture \(path): \(reason)")
        }
    }

    // MARK: blocks

    private static func sectionHeader(comments: [String]) -> [UInt8] {
        var body: [UInt8] = []
        body.appendLE(UInt32(0x1A2B_3C4D))  // byte-order magic
        body.appendLE(UInt16(1))  // major
        body.appendLE(UInt16(0))  // minor
        body.appendLE(UInt64.max)  // section length: not given
        var options: [UInt8] = []
        for comment in comments { options += option(1, Array(comment.utf8)) }
        options += option(4, Array("compat \(CompatVersion.current)".utf8))  // shb_userappl
        return block(0x0A0D_0D0A, body + endOfOptions(options))
    }

    private static func interfaceDescription() -> [UInt8] {
        var body: [UInt8] = []
        body.appendLE(linkTypeUpperPDU)
        body.appendLE(UInt16(0))  // reserved
        body.appendLE(UInt32(0))  // snap length: none
        var options = option(2, Array("compat".utf8))  // if_name
        options += option(9, [9])  // if_tsresol: nanoseconds
        return block(1, body + endOfOptions(options))
    }

    private static func enhancedPacket(_ frame: WireFrame, dissector: String) -> [UInt8] {
        let packet = exportedPDUTags(frame, dissector: dissector) + frame.bytes
        var body: [UInt8] = []
        body.appendLE(UInt32(0))  // interface
        body.appendLE(UInt32(truncatingIfNeeded: frame.nanoseconds >> 32))
        body.appendLE(UInt32(truncatingIfNeeded: frame.nanoseconds))
        body.appendLE(UInt32(packet.count))
        body.appendLE(UInt32(packet.count))
        body += padded(packet)
        var options: [UInt8] = []
        if let comment = frame.comment { options += option(1, Array(comment.utf8)) }
        return block(6, body + (options.isEmpty ? [] : endOfOptions(options)))
    }

    /// The tags before the frame: the dissector, then client and gateway as addresses and ports.
    static func exportedPDUTags(_ frame: WireFrame, dissector: String) -> [UInt8] {
        let toGateway = frame.direction == .clientToGateway
        let clientPort = WireAddressing.clientPort(frame.stream)
        let (source, destination) =
            toGateway
            ? (WireAddressing.clientAddress, WireAddressing.gatewayAddress) : (WireAddressing.gatewayAddress, WireAddressing.clientAddress)
        let (sourcePort, destinationPort) = toGateway ? (clientPort, WireAddressing.gatewayPort) : (WireAddressing.gatewayPort, clientPort)
        var tags = tag(.dissectorName, padded(Array(dissector.utf8)))
        tags += tag(.ipv4Source, source)
        tags += tag(.ipv4Destination, destination)
        tags += tag(.portType, bigEndian(2))  // TCP
        tags += tag(.sourcePort, bigEndian(sourcePort))
        tags += tag(.destinationPort, bigEndian(destinationPort))
        tags += tag(.p2pDirection, bigEndian(toGateway ? 0 : 1))  // sent by the client, received by it
        return tags + tag(.endOfOptions, [])
    }

    // MARK: encoding

    private static func tag(_ tag: Tag, _ value: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.appendBE(tag.rawValue)
        out.appendBE(UInt16(value.count))
        return out + value
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        var out: [UInt8] = []
        out.appendBE(value)
        return out
    }

    private static func option(_ code: UInt16, _ value: [UInt8]) -> [UInt8] {
        let value = Array(value.prefix(Int(UInt16.max) - 3))
        var out: [UInt8] = []
        out.appendLE(code)
        out.appendLE(UInt16(value.count))
        return out + padded(value)
    }

    private static func endOfOptions(_ options: [UInt8]) -> [UInt8] { options + [0, 0, 0, 0] }

    private static func block(_ type: UInt32, _ body: [UInt8]) -> [UInt8] {
        let length = UInt32(12 + body.count)
        var out: [UInt8] = []
        out.appendLE(type)
        out.appendLE(length)
        out += body
        out.appendLE(length)
        return out
    }

    private static func padded(_ bytes: [UInt8]) -> [UInt8] {
        bytes + [UInt8](repeating: 0, count: (4 - bytes.count % 4) % 4)
    }
}

extension [UInt8] {
    mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    mutating func appendBE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }
}
