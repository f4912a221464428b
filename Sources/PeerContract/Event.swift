// The events a peer writes, one JSON object per line (docs/PEER-CONTRACT.md).

import MiniJSON
import TGP

public struct Event: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// `contract` is nil when the peer does not state it (contract 1, `ContractVersion.unstated`).
        case hello(implementation: String, version: Int, min: Int, max: Int, role: String, messages: [String], contract: Int?)
        case listening(endpoint: String)
        case connected
        case logonAck(version: Int, sessionId: String)
        case logonRejected(reason: String, supportedMin: Int, supportedMax: Int)
        case ok
        /// The whole frame that went on the wire.
        case sent(bytes: [UInt8])
        case sendRefused(reason: String, detail: String)
        case bye
        case error(String)
        /// A message decoded and delivered; `message` is the contract's message JSON, `version` the header's.
        case received(message: JSON, version: Int, bytes: [UInt8])
        /// An inbound frame refused with a Reject (R5–R9).
        case rejectedInbound(code: String, refTemplateId: Int, bytes: [UInt8], detail: String?)
        /// Gateway side: a session changed state (`logged_on`, `logged_off`, `rejected`).
        case session(state: String, version: Int, sessionId: String?)
        /// Client under `bench`: latencies in nanoseconds, in send order, warm-up left out; several such events per run.
        case benchLatencies(nanoseconds: [UInt64])
        /// Client: the answer to `bench`; `seconds` from the first send to the last answer.
        case benchDone(sent: Int, answered: Int, seconds: Double)
    }

    /// The id of the command this answers; nil for unsolicited events.
    public var id: JSON?
    public var kind: Kind

    public init(id: JSON?, _ kind: Kind) {
        self.id = id
        self.kind = kind
    }

    public var name: String {
        switch kind {
        case .hello: "hello"
        case .listening: "listening"
        case .connected: "connected"
        case .logonAck: "logon_ack"
        case .logonRejected: "logon_rejected"
        case .ok: "ok"
        case .sent: "sent"
        case .sendRefused: "send_refused"
        case .bye: "bye"
        case .error: "error"
        case .received: "received"
        case .rejectedInbound: "rejected_inbound"
        case .session: "session"
        case .benchLatencies: "bench_latencies"
        case .benchDone: "bench_done"
        }
    }

    public var json: JSON {
        var object = JSONObject()
        if let id { object["id"] = id }
        object["event"] = .string(name)
        switch kind {
        case .hello(let implementation, let version, let min, let max, let role, let messages, let contract):
            object["implementation"] = .string(implementation)
            object["version"] = .integer(version)
            object["min"] = .integer(min)
            object["max"] = .integer(max)
            object["role"] = .string(role)
            object["messages"] = .array(messages.map(JSON.string))
            if let contract { object["contract"] = .integer(contract) }
        case .listening(let endpoint):
            object["endpoint"] = .string(endpoint)
        case .connected, .ok, .bye:
            break
        case .logonAck(let version, let sessionId):
            object["version"] = .integer(version)
            object["sessionId"] = .string(sessionId)
        case .logonRejected(let reason, let supportedMin, let supportedMax):
            object["reason"] = .string(reason)
            object["supportedMin"] = .integer(supportedMin)
            object["supportedMax"] = .integer(supportedMax)
        case .sent(let bytes):
            object["bytes"] = .string(bytes.hexString)
        case .sendRefused(let reason, let detail):
            object["reason"] = .string(reason)
            object["detail"] = .string(detail)
        case .error(let message):
            object["error"] = .string(message)
        case .received(let message, let version, let bytes):
            object["message"] = message
            object["version"] = .integer(version)
            object["bytes"] = .string(bytes.hexString)
        case .rejectedInbound(let code, let refTemplateId, let bytes, let detail):
            object["code"] = .string(code)
            object["refTemplateId"] = .integer(refTemplateId)
            object["bytes"] = .string(bytes.hexString)
            if let detail { object["detail"] = .string(detail) }
        case .session(let state, let version, let sessionId):
            object["state"] = .string(state)
            object["version"] = .integer(version)
            if let sessionId { object["sessionId"] = .string(sessionId) }
        case .benchLatencies(let nanoseconds):
            object["ns"] = .array(nanoseconds.map { .integer($0) })
        case .benchDone(let sent, let answered, let seconds):
            object["sent"] = .integer(sent)
            object["answered"] = .integer(answered)
            object["seconds"] = .double(seconds)
        }
        return .object(object)
    }

    /// Parses one event line as a runner reads it; the error says which key is missing or wrong.
    public init(json: JSON) throws(ContractError) {
        guard let object = json.objectValue else { throw ContractError("an event must be a JSON object, got \(json.typeName)") }
        guard let name = object["event"]?.stringValue else { throw ContractError("an event needs \"event\", a string") }
        func value(_ key: String) throws(ContractError) -> JSON {
            guard let value = object[key] else { throw ContractError("\(name) event needs \"\(key)\"") }
            return value
        }
        func string(_ key: String) throws(ContractError) -> String {
            let json = try value(key)
            guard let text = json.stringValue else {
                throw ContractError("\(name) event: \"\(key)\" must be a string, got \(json.typeName)")
            }
            return text
        }
        func int(_ key: String) throws(ContractError) -> Int {
            let json = try value(key)
            guard let number = json.intValue else {
                throw ContractError("\(name) event: \"\(key)\" must be an integer, got \(json.serialized)")
            }
            return number
        }
        func hex(_ key: String) throws(ContractError) -> [UInt8] {
            guard let bytes = bytes(fromHex: try string(key)) else { throw ContractError("\(name) event: \"\(key)\" must be hex") }
            return bytes
        }
        let kind: Kind
        switch name {
        case "hello":
            let messagesJSON = try value("messages")
            guard let messages = messagesJSON.arrayValue?.compactMap(\.stringValue), messages.count == messagesJSON.arrayValue?.count else {
                throw ContractError("hello event: \"messages\" must be an array of strings")
            }
            var contract: Int?
            if let stated = object["contract"] {
                guard let number = stated.intValue, number >= 1 else {
                    throw ContractError(
                        "hello event: \"contract\" must be a positive integer, the peer contract version it keeps (P3), got \(stated.serialized)"
                    )
                }
                contract = number
            }
            kind = .hello(
                implementation: try string("implementation"), version: try int("version"), min: try int("min"),
                max: try int("max"), role: try string("role"), messages: messages, contract: contract)
        case "listening": kind = .listening(endpoint: try string("endpoint"))
        case "connected": kind = .connected
        case "logon_ack":
            // sessionId is a u64, so a decimal string; a number is taken too.
            let session = try value("sessionId")
            guard let sessionId = session.stringValue ?? session.uint64Value.map({ String($0) }) else {
                throw ContractError("logon_ack event: \"sessionId\" must be a decimal string")
            }
            kind = .logonAck(version: try int("version"), sessionId: sessionId)
        case "logon_rejected":
            kind = .logonRejected(
                reason: try string("reason"), supportedMin: try int("supportedMin"), supportedMax: try int("supportedMax"))
        case "ok": kind = .ok
        case "sent": kind = .sent(bytes: try hex("bytes"))
        case "send_refused": kind = .sendRefused(reason: try string("reason"), detail: object["detail"]?.stringValue ?? "")
        case "bye": kind = .bye
        case "error": kind = .error(object["error"]?.stringValue ?? "")
        case "received": kind = .received(message: try value("message"), version: try int("version"), bytes: try hex("bytes"))
        case "rejected_inbound":
            kind = .rejectedInbound(
                code: try string("code"), refTemplateId: try int("refTemplateId"), bytes: try hex("bytes"),
                detail: object["detail"]?.stringValue)
        case "session":
            kind = .session(
                state: try string("state"), version: object["version"]?.intValue ?? 0, sessionId: object["sessionId"]?.stringValue)
        case "bench_latencies":
            let values = try value("ns").arrayValue ?? []
            let nanoseconds = values.compactMap(\.uint64Value)
            guard nanoseconds.count == values.count else {
                throw ContractError("bench_latencies event: \"ns\" must be an array of non-negative integers")
            }
            kind = .benchLatencies(nanoseconds: nanoseconds)
        case "bench_done":
            guard let seconds = try value("seconds").doubleValue else {
                throw ContractError("bench_done event: \"seconds\" must be a number")
            }
            kind = .benchDone(sent: try int("sent"), answered: try int("answered"), seconds: seconds)
        default:
            throw ContractError("unknown event \"\(name)\"")
        }
        self.init(id: object["id"], kind)
    }
}
