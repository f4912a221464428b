// Packets of link type 252 back into frames: the exported-PDU tags before each frame say which
// dissector reads it, and its direction and session as compat wrote them (Pcapng.swift). A
// capture exported by Wireshark has addresses and ports but may lack the direction tag: the
// gateway is then the side whose port the first packet of a conversation was sent to.

enum ExportedPDUs {
    private struct Tags {
        var dissector: String?
        var source: [UInt8] = []
        var destination: [UInt8] = []
        var sourcePort: UInt32?
        var destinationPort: UInt32?
        /// 0 sent by the client (compat's captures), 1 received by it.
        var p2pDirection: UInt32?
    }

    static func capture(_ packets: [LinkPacket]) throws(CaptureError) -> Capture {
        var capture = Capture()
        var conversations = Conversations()
        for packet in packets {
            let (tags, payload) = try read(packet.data)
            if capture.dissector == nil { capture.dissector = tags.dissector }
            let (direction, stream) = conversations.place(tags)
            capture.frames.append(
                WireFrame(nanoseconds: packet.nanoseconds, direction: direction, stream: stream, bytes: payload, comment: packet.comment))
        }
        return capture
    }

    /// The tags and the frame after them.
    private static func read(_ data: [UInt8]) throws(CaptureError) -> (Tags, [UInt8]) {
        var reader = ByteReader(data, bigEndian: true)
        var tags = Tags()
        while true {
            guard reader.remaining >= 4 else { throw CaptureError("an exported PDU ends inside its tags (no end-of-options tag)") }
            let code = try reader.uint16()
            let length = Int(try reader.uint16())
            if code == 0 { break }
            let value = try reader.bytes(length, padTo: 1)
            record(code, value, in: &tags)
        }
        return (tags, try reader.bytes(reader.remaining, padTo: 1))
    }

    private static func record(_ code: UInt16, _ value: [UInt8], in tags: inout Tags) {
        func number() -> UInt32? { value.count == 4 ? value.reduce(0) { $0 << 8 | UInt32($1) } : nil }
        switch code {
        case 12: tags.dissector = String(decoding: value.prefix { $0 != 0 }, as: UTF8.self)
        case 20, 22: tags.source = value
        case 21, 23: tags.destination = value
        case 25: tags.sourcePort = number()
        case 26: tags.destinationPort = number()
        case 35: tags.p2pDirection = number()
        default: break
        }
    }

    /// Sessions by their addresses: compat's client ports give the stream; any other
    /// conversation is numbered as it first appears, its first sender taken for the client.
    private struct Conversations {
        private struct Key: Hashable {
            var client: [UInt8]
            var clientPort: UInt32
            var gateway: [UInt8]
            var gatewayPort: UInt32
        }
        private var streams: [Key: Int] = [:]
        private var nextStream = 1

        mutating func place(_ tags: Tags) -> (WireDirection, Int) {
            let toGateway = direction(tags) == .clientToGateway
            let key =
                toGateway
                ? Key(
                    client: tags.source, clientPort: tags.sourcePort ?? 0, gateway: tags.destination, gatewayPort: tags.destinationPort ?? 0
                )
                : Key(
                    client: tags.destination, clientPort: tags.destinationPort ?? 0, gateway: tags.source, gatewayPort: tags.sourcePort ?? 0
                )
            let stream = WireAddressing.stream(ofClientPort: key.clientPort) ?? known(key)
            return (toGateway ? .clientToGateway : .gatewayToClient, stream)
        }

        private func direction(_ tags: Tags) -> WireDirection {
            if let p2p = tags.p2pDirection { return p2p == 0 ? .clientToGateway : .gatewayToClient }
            if tags.sourcePort == WireAddressing.gatewayPort { return .gatewayToClient }
            if tags.destinationPort == WireAddressing.gatewayPort { return .clientToGateway }
            // A conversation seen before in the other direction: its first sender was the client.
            let reversed = Key(
                client: tags.destination, clientPort: tags.destinationPort ?? 0, gateway: tags.source, gatewayPort: tags.sourcePort ?? 0)
            return streams[reversed] != nil ? .gatewayToClient : .clientToGateway
        }

        private mutating func known(_ key: Key) -> Int {
            if let stream = streams[key] { return stream }
            defer { nextStream += 1 }
            streams[key] = nextStream
            return nextStream
        }
    }
}
