// The profile sidecar (`<schema>.profile.json`): what SBE XML cannot say about a protocol —
// the released versions and what each negotiates, message directions, widened fields, enum
// defaults, how absent fields read, and size limits. Every key is known; any other is an error.

import MiniJSON
import SBE

struct ProfileSidecar {
    struct Widening {
        let message: String
        let field: String
        let widens: String
    }

    let source: SourceFile
    /// The session profile the protocol runs under (the schema IR has no place for it).
    private(set) var name: SessionProfile?
    private(set) var versions: [Int: ClosedRange<Int>]?
    private(set) var directions: [String: Direction] = [:]
    private(set) var widenings: [Widening] = []
    private(set) var enumDefaults: [String: String] = [:]
    private(set) var absentValue: AbsentValue = .null
    private(set) var maxFrameSize: Int?
    private(set) var maxVarDataLength: Int?
    private(set) var maxGroupEntries: Int?

    static func load(_ path: String) throws(SchemaFileError) -> ProfileSidecar {
        let source = try SourceFile.read(path)
        let json: JSON
        do {
            json = try JSON.parse(source.bytes)
        } catch {
            throw SchemaFileError(
                file: path, line: error.line, column: error.column, element: "", reason: "malformed JSON: \(error.reason)")
        }
        var sidecar = ProfileSidecar(source: source)
        guard let object = json.objectValue else { throw sidecar.error("the sidecar must be a JSON object", at: []) }
        for (key, value) in object { try sidecar.read(key, value) }
        return sidecar
    }

    private init(source: SourceFile) {
        self.source = source
    }

    private mutating func read(_ key: String, _ value: JSON) throws(SchemaFileError) {
        switch key {
        case "profile":
            let text = try string(value, at: [key])
            guard let profile = SessionProfile(rawValue: text) else {
                throw error(
                    "profile \"\(text)\" is not one of \(SessionProfile.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))",
                    at: [key])
            }
            name = profile
        case "versions": versions = try readVersions(value)
        case "directions": try readDirections(value)
        case "widenings": try readWidenings(value)
        case "enumDefaults":
            for (enumName, valueName) in try object(value, at: [key]) {
                enumDefaults[enumName] = try string(valueName, at: [key, enumName])
            }
        case "absentValue":
            let text = try string(value, at: [key])
            guard let mode = AbsentValue(rawValue: text) else {
                throw error("absentValue \"\(text)\" is not \"zero\" or \"null\"", at: [key])
            }
            absentValue = mode
        case "limits": try readLimits(value)
        default: throw error("unknown key \"\(key)\"", at: [key])
        }
    }

    /// `"5": [3, 5]`: released version → the versions it negotiates.
    private func readVersions(_ value: JSON) throws(SchemaFileError) -> [Int: ClosedRange<Int>] {
        var ranges: [Int: ClosedRange<Int>] = [:]
        for (key, range) in try object(value, at: ["versions"]) {
            guard let version = Int(key), version >= 0, String(version) == key else {
                throw error("version \"\(key)\" is not a whole number", at: ["versions", key])
            }
            guard let bounds = range.arrayValue, bounds.count == 2, let low = bounds[0].intValue, let high = bounds[1].intValue,
                0 <= low, low <= high, high <= version
            else {
                throw error("must be [oldest, newest] with 0 ≤ oldest ≤ newest ≤ \(version)", at: ["versions", key])
            }
            ranges[version] = low...high
        }
        guard !ranges.isEmpty else { throw error("no version", at: ["versions"]) }
        return ranges
    }

    private mutating func readDirections(_ value: JSON) throws(SchemaFileError) {
        let names: [String: Direction] = ["clientToGateway": .clientToGateway, "gatewayToClient": .gatewayToClient, "both": .both]
        for (message, direction) in try object(value, at: ["directions"]) {
            let text = try string(direction, at: ["directions", message])
            guard let parsed = names[text] else {
                throw error("direction \"\(text)\" is not clientToGateway, gatewayToClient or both", at: ["directions", message])
            }
            directions[message] = parsed
        }
    }

    /// `[{"message": "NewOrder", "field": "quantityLong", "widens": "quantity"}]`.
    private mutating func readWidenings(_ value: JSON) throws(SchemaFileError) {
        guard let entries = value.arrayValue else { throw error("must be an array", at: ["widenings"]) }
        for (index, entry) in entries.enumerated() {
            let at = ["widenings[\(index)]"]
            var parts: [String: String] = [:]
            for (key, part) in try object(entry, at: at) {
                guard ["message", "field", "widens"].contains(key) else { throw error("unknown key \"\(key)\"", at: at + [key]) }
                parts[key] = try string(part, at: at + [key])
            }
            guard let message = parts["message"], let field = parts["field"], let widens = parts["widens"] else {
                throw error("needs message, field and widens", at: at)
            }
            guard !widenings.contains(where: { $0.message == message && $0.field == field }) else {
                throw error("\(message).\(field) is widened twice", at: at)
            }
            widenings.append(Widening(message: message, field: field, widens: widens))
        }
    }

    private mutating func readLimits(_ value: JSON) throws(SchemaFileError) {
        for (key, limit) in try object(value, at: ["limits"]) {
            guard let number = limit.intValue, number >= 0 else {
                throw error("must be a whole number, 0 or more", at: ["limits", key])
            }
            switch key {
            case "maxFrameSize": maxFrameSize = number
            case "maxVarDataLength": maxVarDataLength = number
            case "maxGroupEntries": maxGroupEntries = number
            default: throw error("unknown key \"\(key)\"", at: ["limits", key])
            }
        }
    }
}

// MARK: - Checks against the schema

extension ProfileSidecar {
    /// The released versions exist in the schema.
    func checkVersions(schemaVersion: Int) throws(SchemaFileError) {
        for (version, range) in versions ?? [:] where max(version, range.upperBound) > schemaVersion {
            throw error("version \(version) is above the schema's version \(schemaVersion)", at: ["versions", String(version)])
        }
    }

    /// Field → the field it widens, for one message.
    func widenings(of message: String) -> [String: String] {
        Dictionary(widenings.filter { $0.message == message }.map { ($0.field, $0.widens) }, uniquingKeysWith: { first, _ in first })
    }

    /// Each widening of `message` joins two root fields of unsigned integer types, the wide one
    /// wider, and no field is widened twice or both wide and narrow.
    func checkWidenings(of message: String, fields: [FieldSchema]) throws(SchemaFileError) {
        for (index, widening) in widenings.enumerated() where widening.message == message {
            let at = ["widenings[\(index)]"]
            guard let wide = fields.first(where: { $0.name == widening.field }) else {
                throw error("\(message) has no root field \(widening.field)", at: at, near: ["widenings", message, widening.field])
            }
            guard let narrow = fields.first(where: { $0.name == widening.widens }) else {
                throw error("\(message) has no root field \(widening.widens)", at: at, near: ["widenings", message, widening.widens])
            }
            guard case .primitive(let wideType) = wide.type, case .primitive(let narrowType) = narrow.type, wideType.isUnsignedInteger,
                narrowType.isUnsignedInteger, wideType.size > narrowType.size
            else {
                throw error(
                    "\(wide.name) must be an unsigned integer wider than \(narrow.name)", at: at, near: ["widenings", message, wide.name])
            }
            let others = widenings.filter { $0.message == message && $0.field != widening.field }
            guard !others.contains(where: { $0.widens == widening.widens || $0.field == widening.widens || $0.widens == widening.field })
            else {
                throw error("\(narrow.name) takes part in two widenings", at: at, near: ["widenings", message, wide.name])
            }
        }
    }

    /// Every message and enum the sidecar names exists, and every enum default is a value of its enum.
    func checkReferences(messages: [MessageSchema], enums: [EnumSchema]) throws(SchemaFileError) {
        let messageNames = Set(messages.map(\.name))
        for message in directions.keys.sorted() where !messageNames.contains(message) {
            throw error("no message \(message)", at: ["directions", message])
        }
        for (index, widening) in widenings.enumerated() where !messageNames.contains(widening.message) {
            throw error("no message \(widening.message)", at: ["widenings[\(index)]"], near: ["widenings", widening.message])
        }
        for (enumName, valueName) in enumDefaults.sorted(by: { $0.key < $1.key }) {
            guard let enumSchema = enums.first(where: { $0.name == enumName }) else {
                throw error("no enum \(enumName)", at: ["enumDefaults", enumName])
            }
            guard enumSchema.value(named: valueName) != nil else {
                throw error("\(enumName) has no value \(valueName)", at: ["enumDefaults", enumName])
            }
        }
    }
}

// MARK: - Errors and JSON shapes

extension ProfileSidecar {
    /// An error about the value at `path` (`directions.Logon`), placed at the first occurrence,
    /// in order, of each quoted string of `near` (by default the path's keys): MiniJSON keeps no positions.
    func error(_ reason: String, at path: [String], near: [String]? = nil) -> SchemaFileError {
        var offset = 0
        var found: Int?
        for needle in near ?? path.map({ $0.split(separator: "[").first.map(String.init) ?? $0 }) {
            let quoted = Array(JSON.string(needle).serialized.utf8)
            guard let hit = firstIndex(of: quoted, from: offset) else { break }
            found = hit
            offset = hit + quoted.count
        }
        let position = found.map { source.position(ofByte: $0) } ?? (line: 1, column: 1)
        return SchemaFileError(
            file: source.path, line: position.line, column: position.column, element: path.joined(separator: "."), reason: reason)
    }

    private func firstIndex(of pattern: [UInt8], from start: Int) -> Int? {
        let bytes = source.bytes
        guard !pattern.isEmpty, bytes.count >= pattern.count else { return nil }
        var index = start
        while index + pattern.count <= bytes.count {
            if bytes[index] == pattern[0] && bytes[index..<index + pattern.count].elementsEqual(pattern) { return index }
            index += 1
        }
        return nil
    }

    private func object(_ value: JSON, at path: [String]) throws(SchemaFileError) -> JSONObject {
        guard let object = value.objectValue else { throw error("must be an object, not \(value.typeName)", at: path) }
        return object
    }

    private func string(_ value: JSON, at path: [String]) throws(SchemaFileError) -> String {
        guard let text = value.stringValue else { throw error("must be a string, not \(value.typeName)", at: path) }
        return text
    }
}
