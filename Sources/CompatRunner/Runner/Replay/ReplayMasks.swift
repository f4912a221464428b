// Which answer fields a replay does not compare as they are. Times differ on every run: they
// are ignored. Ids a gateway assigns (an orderId) differ between two gateways yet must stay
// consistent: they are rebound — the first pair of values seen binds them, and any later value
// that breaks the binding is a difference. Masks come from the schema (a time's semanticType),
// from the session profile (TGP's ids and times), and from the user (`--ignore`, `--rebind`).

import Foundation
import MiniJSON
import SchemaXML
import TGP

public struct ReplayMasks: Sendable {
    /// `Message.field` patterns; `*` for any message; `field` is the path without group indexes
    /// (`levels.bidPx`), or a bare name that matches that name at any depth.
    public var ignore: [String] = []
    public var rebind: [String] = []

    public init(ignore: [String] = [], rebind: [String] = []) {
        self.ignore = ignore
        self.rebind = rebind
    }

    /// SBE's semantic types of clock readings: never the same in two runs.
    static let timeSemanticTypes: Set<String> = ["UTCTimestamp", "UTCTimeOnly", "TZTimestamp", "TZTimeOnly"]

    /// The masks the schema and the profile give, before the user's.
    public static func defaults(schema: Schema, profile: SessionProfile) -> ReplayMasks {
        var masks = ReplayMasks()
        for message in schema.messages {
            for field in message.fields where field.semanticType.map(timeSemanticTypes.contains) == true {
                masks.ignore.append("\(message.name).\(field.name)")
            }
        }
        if profile == .tgp {
            // The reference gateway's clock, its free texts, and the ids it assigns (G1–G4, N1).
            masks.ignore += ["*.transactTime", "LogonReject.text", "Reject.text"]
            masks.rebind += ["*.orderId", "*.execId", "LogonAck.sessionId"]
        }
        return masks
    }

    /// A masks file: `{"ignore": ["*.sendingTime"], "rebind": ["*.quoteId"]}`.
    public static func load(_ path: String) throws(ConfigError) -> ReplayMasks {
        guard let data = FileManager.default.contents(atPath: path) else { throw ConfigError("--masks \(path): cannot be read") }
        let json: JSON
        do {
            json = try JSON.parse([UInt8](data))
        } catch {
            throw ConfigError("--masks \(path): not JSON (\(error))")
        }
        guard let object = json.objectValue else { throw ConfigError("--masks \(path): must be an object with \"ignore\" and \"rebind\"") }
        var masks = ReplayMasks()
        for (key, value) in object {
            guard let list = value.arrayValue?.compactMap(\.stringValue), list.count == value.arrayValue?.count else {
                throw ConfigError("--masks \(path): \"\(key)\" must be an array of \"Message.field\" strings")
            }
            switch key {
            case "ignore": masks.ignore += list
            case "rebind": masks.rebind += list
            default: throw ConfigError("--masks \(path): unknown key \"\(key)\" (known: ignore, rebind)")
            }
        }
        try masks.validate(option: "--masks \(path)")
        return masks
    }

    /// Every pattern is `Message.field`.
    public func validate(option: String) throws(ConfigError) {
        for pattern in ignore + rebind where ReplayMasks.split(pattern) == nil {
            throw ConfigError("\(option): \"\(pattern)\" is not Message.field (use * for any message, e.g. *.transactTime)")
        }
    }

    public mutating func add(_ other: ReplayMasks) {
        ignore += other.ignore
        rebind += other.rebind
    }

    func ignores(_ message: String, _ path: String) -> Bool { ignore.contains { Self.matches($0, message, path) } }

    /// The binding a rebound field belongs to: its field name, so an orderId in an OrderAck and
    /// in an ExecutionReport are one id.
    func binding(_ message: String, _ path: String) -> String? {
        rebind.contains { Self.matches($0, message, path) } ? String(path.split(separator: ".").last ?? "") : nil
    }

    private static func split(_ pattern: String) -> (message: Substring, field: Substring)? {
        guard let dot = pattern.firstIndex(of: "."), dot != pattern.startIndex, pattern.index(after: dot) != pattern.endIndex else {
            return nil
        }
        return (pattern[..<dot], pattern[pattern.index(after: dot)...])
    }

    private static func matches(_ pattern: String, _ message: String, _ path: String) -> Bool {
        guard let (patternMessage, field) = split(pattern), patternMessage == "*" || patternMessage == message else { return false }
        return field == path || (!field.contains(".") && path.split(separator: ".").last == field)
    }
}
