// What every peer process shares, whatever protocol and profile it plays: one thread polling
// stdin (the runner's commands), stdout (while events wait to be written) and its one ZeroMQ
// socket, so nothing needs a lock; the commands read from stdin, the events written to stdout,
// and the socket `listen` or `connect` opens. A peer adds what it does with a command and with
// the frames waiting on its socket.

import MiniJSON
import PeerContract
import TGP
import ZeroMQ

/// A peer the contract loop drives: the TGP `Peer` or the plain SBE `PlainPeer`.
protocol ContractPeer: AnyObject {
    var role: Role { get }
    var schema: Schema { get }
    var context: ZMQContext { get }
    var socket: ZMQSocket? { get set }
    var stdin: LineReader { get set }
    var stdout: LineWriter { get set }
    /// False once `shutdown` was answered: the loop ends after this turn.
    var running: Bool { get set }

    /// Answers one command (its reply, if any, through `emit`).
    func handle(_ command: Command)
    /// Takes the frames waiting on the socket.
    func receiveFrames()
    /// A line on stderr, prefixed with what the peer plays.
    func log(_ text: String)
}

extension ContractPeer {
    /// Runs until `shutdown` or the end of stdin; returns the exit status.
    func runLoop() -> Int32 {
        while running {
            var items: [PollItem] = [.fileDescriptor(0, readable: true, writable: false)]
            if stdout.hasPending { items.append(.fileDescriptor(1, readable: false, writable: true)) }
            if let socket { items.append(.socket(socket)) }
            let ready: [PollEvents]
            do {
                ready = try poll(items, timeoutMilliseconds: -1)
            } catch {
                log("poll failed: \(error)")
                return 1
            }
            if !ready[0].isEmpty { readCommands() }
            if socket != nil, let last = ready.last, !last.isEmpty { receiveFrames() }
            if stdout.hasPending { stdout.flush() }
            if stdin.isClosed || stdout.isBroken { running = false }
        }
        stdout.drain()
        socket?.close()
        context.terminate()
        return 0
    }

    func emit(_ event: Event) {
        stdout.write(line: event.json.serialized)
    }

    func emit(id: JSON?, _ kind: Event.Kind) {
        emit(Event(id: id, kind))
    }

    /// The commands on stdin, each handled in turn; a line that is no command answered with `error` (P10).
    private func readCommands() {
        for item in stdin.read(from: 0) {
            switch item {
            case .overlong(let length):
                emit(id: nil, .error("a line of \(length) bytes is longer than the \(LineReader.maxLineLength)-byte limit; it was ignored"))
            case .line(let bytes):
                guard bytes.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\t") }) else {
                    continue
                }
                do {
                    let command = try Command(json: try JSON.parse(bytes))
                    handle(command)
                } catch let error as CommandError {
                    emit(id: error.id, .error(error.message))
                } catch {
                    emit(id: nil, .error("not a JSON line: \(error)"))
                }
            }
            if !running { return }
        }
    }

    /// The answer to a command of the other role.
    func refuseWrongRole(_ command: Command) {
        emit(
            id: command.id,
            .error("\(command.name) is a \(role == .client ? "gateway" : "client") command; this peer is a \(role.rawValue)"))
    }

    /// `listen` (a gateway's ROUTER, bound) or `connect` (a client's DEALER), answered `listening` or `connected` (P4).
    func openSocket(id: JSON, endpoint: String) {
        guard socket == nil else { return emit(id: id, .error("already \(role == .gateway ? "listening" : "connected")")) }
        do {
            let newSocket = try ZMQSocket(context, role == .gateway ? .router : .dealer)
            // Frames up to this size reach the codec, which refuses an oversized one as Malformed (R8);
            // anything larger is dropped by ZeroMQ before it can cost memory.
            try newSocket.setMaxMessageSize(Int64(schema.maxFrameSize * 16))
            if role == .gateway {
                try newSocket.setRouterMandatory(true)
                let bound = try newSocket.bind(endpoint)
                socket = newSocket
                emit(id: id, .listening(endpoint: bound))
            } else {
                // A client started before its gateway binds retries every 10 ms, not libzmq's 100 ms.
                try newSocket.setReconnectInterval(milliseconds: 10)
                try newSocket.connect(endpoint)
                socket = newSocket
                emit(id: id, .connected)
            }
        } catch {
            emit(id: id, .error("\(error)"))
        }
    }
}

extension ContractPeer {
    /// A `send`'s message read as E2 judges it before any session is looked at, the same for every
    /// peer: a name the whole schema file lacks is InvalidValue, a type newer than the peer's own
    /// `version` UnsupportedInVersion (the answer is then emitted and nil returned).
    func sendable(_ messageJSON: JSON, id: JSON, version: Int) -> Message? {
        let message: Message
        do {
            message = try Message(json: messageJSON, schema: schema)
        } catch {
            emit(Event(id: id, .sendRefused(reason: EncodeError.Refusal.invalidValue.rawValue, detail: error.message)))
            return nil
        }
        guard message.type.since <= version else {
            let detail = "\(message.type.name) was added in version \(message.type.since); this peer is version \(version)"
            emit(Event(id: id, .sendRefused(reason: EncodeError.Refusal.unsupportedInVersion.rawValue, detail: detail)))
            return nil
        }
        return message
    }
}
