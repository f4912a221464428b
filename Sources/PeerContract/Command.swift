// The commands a runner sends a peer, one JSON object per line (docs/PEER-CONTRACT.md).

import MiniJSON
import TGP

public struct Command: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case hello
        case listen(endpoint: String)
        case connect(endpoint: String)
        /// `min` and `max` narrow the client's range.
        case logon(username: String, min: Int?, max: Int?)
        case mode(auto: Bool)
        /// `message` is the contract's message JSON; `session` names a gateway session.
        case send(message: JSON, session: String?)
        case sendRaw(bytes: [UInt8], session: String?)
        case shutdown
        /// Gateway: how to treat frames under load (optional part of the contract).
        case benchServe(mode: BenchServeMode, replyBytes: Int)
        /// Client: stream load and report latencies (optional part of the contract).
        case bench(BenchRequest)
    }

    /// Echoed in the reply; any JSON value the runner chose.
    public var id: JSON
    public var kind: Kind

    public init(id: JSON, _ kind: Kind) {
        self.id = id
        self.kind = kind
    }

    public var name: String {
        switch kind {
        case .hello: "hello"
        case .listen: "listen"
        case .connect: "connect"
        case .logon: "logon"
        case .mode: "mode"
        case .send: "send"
        case .sendRaw: "send_raw"
        case .shutdown: "shutdown"
        case .benchServe: "bench_serve"
        case .bench: "bench"
        }
    }

    public var json: JSON {
        var object: JSONObject = ["id": id, "cmd": .string(name)]
        switch kind {
        case .hello, .shutdown:
            break
        case .listen(let endpoint), .connect(let endpoint):
            object["endpoint"] = .string(endpoint)
        case .logon(let username, let min, let max):
            object["username"] = .string(username)
            if let min { object["min"] = .integer(min) }
            if let max { object["max"] = .integer(max) }
        case .mode(let auto):
            object["auto"] = .bool(auto)
        case .send(let message, let session):
            object["message"] = message
            if let session { object["session"] = .string(session) }
        case .sendRaw(let bytes, let session):
            object["bytes"] = .string(bytes.hexString)
            if let session { object["session"] = .string(session) }
        case .benchServe(let mode, let replyBytes):
            object["mode"] = .string(mode.rawValue)
            if mode == .raw { object["replyBytes"] = .integer(replyBytes) }
        case .bench(let request):
            for (key, value) in request.json { object[key] = value }
        }
        return .object(object)
    }

    /// Parses one command line; the error names what is wrong and carries the id when there was one.
    public init(json: JSON) throws(CommandError) {
        guard let object = json.objectValue else { throw CommandError(id: nil, "a command must be a JSON object, got \(json.typeName)") }
        let id = object["id"]
        func fail(_ message: String) -> CommandError { CommandError(id: id, message) }
        guard let id else { throw fail("a command needs an \"id\"") }
        guard let name = object["cmd"]?.stringValue else { throw fail("a command needs \"cmd\", a string") }
        func string(_ key: String) throws(CommandError) -> String {
            guard let value = object[key]?.stringValue else { throw fail("\(name) needs \"\(key)\", a string") }
            return value
        }
        func optionalString(_ key: String) throws(CommandError) -> String? {
            guard let value = object[key] else { return nil }
            guard let text = value.stringValue else { throw fail("\(name): \"\(key)\" must be a string, got \(value.typeName)") }
            return text
        }
        func optionalInt(_ key: String) throws(CommandError) -> Int? {
            guard let value = object[key] else { return nil }
            guard let number = value.intValue else { throw fail("\(name): \"\(key)\" must be an integer, got \(value.serialized)") }
            return number
        }
        let allowed: Set<String>
        let kind: Kind
        switch name {
        case "hello":
            (kind, allowed) = (.hello, [])
        case "shutdown":
            (kind, allowed) = (.shutdown, [])
        case "listen":
            (kind, allowed) = (.listen(endpoint: try string("endpoint")), ["endpoint"])
        case "connect":
            (kind, allowed) = (.connect(endpoint: try string("endpoint")), ["endpoint"])
        case "logon":
            (kind, allowed) = (
                .logon(username: try optionalString("username") ?? "", min: try optionalInt("min"), max: try optionalInt("max")),
                ["username", "min", "max"]
            )
        case "mode":
            guard let auto = object["auto"]?.boolValue else { throw fail("mode needs \"auto\", a boolean") }
            (kind, allowed) = (.mode(auto: auto), ["auto"])
        case "send":
            guard let message = object["message"] else { throw fail("send needs \"message\", an object") }
            (kind, allowed) = (.send(message: message, session: try optionalString("session")), ["message", "session"])
        case "send_raw":
            let hex = try string("bytes")
            guard let bytes = bytes(fromHex: hex) else { throw fail("send_raw: \"bytes\" must be an even number of hex digits") }
            (kind, allowed) = (.sendRaw(bytes: bytes, session: try optionalString("session")), ["bytes", "session"])
        case "bench_serve":
            guard let mode = object["mode"]?.stringValue.flatMap(BenchServeMode.init(rawValue:)) else {
                throw fail("bench_serve needs \"mode\": \(BenchServeMode.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
            }
            let replyBytes = try optionalInt("replyBytes") ?? 0
            guard mode != .raw || (1...65536).contains(replyBytes) else {
                throw fail("bench_serve: mode raw needs \"replyBytes\" from 1 to 65536")
            }
            (kind, allowed) = (.benchServe(mode: mode, replyBytes: replyBytes), ["mode", "replyBytes"])
        case "bench":
            (kind, allowed) = (.bench(try BenchRequest(json: object, fail: fail)), BenchRequest.keys)
        default:
            throw fail("unknown command \"\(name)\"")
        }
        for key in object.keys where key != "id" && key != "cmd" && !allowed.contains(key) {
            throw fail("\(name) has an unknown key \"\(key)\"")
        }
        self.init(id: id, kind)
    }
}

/// A command line that could not be understood; `id` when the line had one, for the error event.
public struct CommandError: Error, Sendable, Hashable, CustomStringConvertible {
    public let id: JSON?
    public let message: String

    public init(id: JSON?, _ message: String) {
        self.id = id
        self.message = message
    }

    public var description: String { message }
}
