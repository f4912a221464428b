// A peer of a plain SBE protocol (profile `sbe`, PROTOCOL.md SB1–SB5): version V of any schema,
// read from its XML file. No logon and no session: a connection is a session, each side encodes
// at its own version, every inbound frame is delivered or refused, and nothing goes back on the
// wire that `send` or `send_raw` did not put there. It runs in the contract loop every peer runs.

import MiniJSON
import PeerContract
import TGP
import ZeroMQ

#if canImport(Glibc)
    import Glibc
#endif

final class PlainPeer: ContractPeer {
    /// Its own version V, which it encodes at and decodes as.
    let version: Int
    let range: ClosedRange<Int>
    let role: Role
    let codec: Codec
    var schema: Schema { codec.schema }
    /// What stderr lines start with: the schema's package and V, and the role.
    private let logPrefix: String

    let context: ZMQContext
    var socket: ZMQSocket?
    var stdin = LineReader()
    var stdout = LineWriter(fd: 1)
    var running = true

    /// Gateway: the ROUTER identity of the client heard from last, where `send` and `send_raw` go.
    private var lastClient: [UInt8]?
    /// The buffers of the last message received and of the last frame decoded, reused by the next.
    private var receivedParts: [[UInt8]] = []
    private var inbound: Message?

    /// `version` is one of the schema's versions.
    init(schema: Schema, version: Int, role: Role) throws(ZMQError) {
        self.codec = Codec(schema: schema)
        self.version = version
        self.range = schema.peerRanges[version]!
        self.role = role
        let name = schema.package.isEmpty ? "sbe" : schema.package
        self.logPrefix = "sbe-peer \(name)-v\(version) \(role.rawValue): "
        self.context = try ZMQContext()
    }

    /// Runs until `shutdown` or the end of stdin; returns the exit status.
    func run() -> Int32 { runLoop() }

    func log(_ text: String) {
        var line = logPrefix + text + "\n"
        line.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }

    // MARK: Commands

    func handle(_ command: Command) {
        let id = command.id
        switch command.kind {
        case .hello:
            emit(
                id: id,
                .hello(
                    implementation: Peer.implementation, version: version, min: range.lowerBound, max: range.upperBound,
                    role: role.rawValue, messages: schema.messages(knownAt: version).map(\.name), contract: ContractVersion.current))
        case .listen(let endpoint):
            guard role == .gateway else { return refuseWrongRole(command) }
            openSocket(id: id, endpoint: endpoint)
        case .connect(let endpoint):
            guard role == .client else { return refuseWrongRole(command) }
            openSocket(id: id, endpoint: endpoint)
        case .logon, .mode:
            emit(id: id, .error("\(command.name): a plain SBE session (profile sbe) has no logon and no gateway modes"))
        case .send(let messageJSON, _):
            // No "session" to name: a gateway's send goes to the client heard from last.
            send(id: id, messageJSON)
        case .sendRaw(let bytes, _):
            sendRaw(id: id, bytes)
        case .shutdown:
            emit(id: id, .bye)
            running = false
        case .benchServe, .bench:
            emit(id: id, .error("unknown command \"\(command.name)\": a peer of profile sbe has no benchmark commands"))
        }
    }

    // MARK: Sending

    /// SB1, SB5: encodes at V and sends, or answers `send_refused` with nothing on the wire; the
    /// refusals in the TGP peer's order: a bad message, a type newer than V, no connection, then
    /// what the encoder refuses at V.
    private func send(id: JSON, _ messageJSON: JSON) {
        // E2 by SB5: names are judged against the whole schema file; what V cannot carry the encoder refuses.
        guard let message = sendable(messageJSON, id: id, version: version) else { return }
        guard let route = route() else {
            let detail =
                role == .gateway
                ? "no client has connected yet: a gateway sends to the client it heard from last" : "not connected: connect first"
            return emit(id: id, .sendRefused(reason: RejectCode.notLoggedOn.name, detail: detail))
        }
        let frame: [UInt8]
        do {
            frame = try codec.encode(message, at: version)
        } catch {
            return emit(id: id, .sendRefused(reason: error.refusal.rawValue, detail: error.description))
        }
        transmit(id: id, frame, to: route.identity)
    }

    private func sendRaw(id: JSON, _ bytes: [UInt8]) {
        guard let route = route() else {
            let why =
                socket == nil
                ? "send_raw needs a socket: \(role == .gateway ? "listen" : "connect") first" : "no client has sent anything yet"
            return emit(id: id, .error(why))
        }
        transmit(id: id, bytes, to: route.identity)
    }

    /// Where a frame goes: a client's DEALER has its one connection; a gateway's ROUTER sends to
    /// the client it heard from last.
    private enum Route {
        case connection
        case client(identity: [UInt8])

        var identity: [UInt8]? {
            if case .client(let identity) = self { identity } else { nil }
        }
    }

    /// Nil when there is nowhere to send yet: no socket, or a gateway no client has sent to.
    private func route() -> Route? {
        guard socket != nil else { return nil }
        switch role {
        case .client: return .connection
        case .gateway: return lastClient.map { .client(identity: $0) }
        }
    }

    /// Puts one frame on the wire and answers `sent`; never waits, so a full queue (a receiver
    /// that does not read) is an `error` answer and the frame is not sent.
    private func transmit(id: JSON, _ frame: [UInt8], to identity: [UInt8]?) {
        guard let socket else { return }
        do {
            guard try socket.send(frame, routedTo: identity, waiting: false) else {
                return emit(id: id, .error("send \(frame.count) bytes: the receiver's queue is full (it is not reading)"))
            }
            emit(id: id, .sent(bytes: frame))
        } catch {
            emit(id: id, .error("\(error)"))
        }
    }

    // MARK: Receiving

    /// Messages taken from the socket per loop turn, so stdin and stdout are served during a flood.
    private static let receiveBatch = 256

    func receiveFrames() {
        guard let socket else { return }
        // Taken out of the peer for the batch, so their storage is not shared while it is refilled.
        var parts: [[UInt8]] = []
        swap(&parts, &receivedParts)
        var message = inbound.take() ?? Message(schema.messages[0])
        defer {
            swap(&parts, &receivedParts)
            inbound = message
        }
        for _ in 0..<Self.receiveBatch {
            do {
                guard try socket.receive(into: &parts) else { return }
            } catch {
                log("receive failed: \(error)")
                return
            }
            switch role {
            case .client:
                for index in parts.indices { receive(parts[index], decodingInto: &message) }
            case .gateway:
                guard parts.count > 1 else { continue }
                if lastClient != parts[0] { lastClient = parts[0] }
                for index in 1..<parts.count { receive(parts[index], decodingInto: &message) }
            }
        }
    }

    /// SB2, SB3: one `received` or one `rejected_inbound` per frame, and nothing on the wire.
    private func receive(_ frame: [UInt8], decodingInto message: inout Message) {
        do {
            let header = try codec.decode(frame, asVersion: version, into: &message)
            emit(id: nil, .received(message: message.json(knownAt: version), version: Int(header.version), bytes: frame))
        } catch {
            emit(
                id: nil,
                .rejectedInbound(code: error.code.name, refTemplateId: Int(error.templateId), bytes: frame, detail: error.description))
        }
    }
}
