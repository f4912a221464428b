// tshark's view of one frame (`-T json --no-duplicate-keys`) read back into compat's shapes:
// the header, the message JSON of docs/PEER-CONTRACT.md P15 (by the dissector's catalogue), and
// the expert infos the dissector raised. What tshark shows that the catalogue cannot place is a
// problem of its own, so nothing it shows escapes the comparison.
//
// The normalisation (both sides, DissectorComparison): tshark shows every value as text, so
// integers are compared as decimal text (64-bit ones are decimal strings in P15 anyway); an enum
// is shown as its wire value and named here from the schema; a set's bits are named the same way;
// floating-point values are compared at 15 significant digits, the precision tshark shows them with.

import MiniJSON
import TGP

struct DissectorTree {
    let name: String
    let catalogue: [String: DissectorField]
    /// Places tshark showed something the catalogue does not explain.
    private(set) var problems: [String] = []

    init(name: String, catalogue: [String: DissectorField]) {
        self.name = name
        self.catalogue = catalogue
    }

    /// The expert infos of the layer (`NAME.r8`, …), wherever in the tree they sit.
    static func experts(in json: JSON, name: String) -> [String] {
        switch json {
        case .object(let object):
            var found: [String] = []
            for (key, value) in object {
                if key == "_ws.expert" {
                    let items = value.arrayValue ?? [value]
                    found += items.flatMap { $0.objectValue?.keys.filter { $0.hasPrefix(name + ".") } ?? [] }
                } else {
                    found += experts(in: value, name: name)
                }
            }
            return found
        case .array(let items): return items.flatMap { experts(in: $0, name: name) }
        default: return []
        }
    }

    /// `{"templateId": …, "version": …, "blockLength": …, "message": {"type": …, "fields": {…}}}`
    /// as `compat decode` prints it, from the dissector's layer.
    mutating func decoded(_ layer: JSON) -> JSON {
        var result = JSONObject()
        let header = layer["\(name).header"] ?? .null
        for key in ["templateId", "version", "blockLength"] {
            result[key] = header["\(name).header.\(key)"].flatMap { $0.stringValue }.map { JSON.number($0) } ?? .null
        }
        let fields = layer["\(name).message_tree"].map { object($0, path: "") } ?? [:]
        let type = layer["\(name).message"]?.stringValue.flatMap(DissectorValues.unescaped).map { JSON.string($0) }
        result["message"] = ["type": type ?? .null, "fields": .object(fields)]
        return .object(result)
    }

    /// The children of a node as message JSON fields.
    private mutating func object(_ node: JSON, path: String) -> JSONObject {
        var object = JSONObject()
        guard let children = node.objectValue else {
            if node.stringValue != "" { problems.append("\(path): a node without children shows \(node.serialized)") }
            return object
        }
        for (key, value) in children where !key.hasSuffix("_tree") && !key.hasPrefix("_ws.") {
            guard let field = catalogue[key] else {
                problems.append("\(path): tshark shows \(key), which the dissector does not declare")
                continue
            }
            if field.role == .detail { continue }
            let place = path.isEmpty ? field.name : "\(path).\(field.name)"
            if object[field.name] != nil { problems.append("\(place): shown twice") }
            object[field.name] = self.value(value, of: field, path: place)
        }
        return object
    }

    private mutating func value(_ shown: JSON, of field: DissectorField, path: String) -> JSON {
        switch field.role {
        case .null: return .null
        case .composite: return .object(object(shown, path: path))
        case .group: return entries(shown, path: path)
        case .entry, .detail:
            problems.append("\(path): \(field.abbrev) outside its group")
            return .null
        case .varData(let isText):
            guard let text = shown.stringValue else { return mistyped(shown, path) }
            guard isText else { return .string(text.replacingOccurrences(of: ":", with: "")) }
            return DissectorValues.unescaped(text).map { .string($0) } ?? mistyped(shown, path)
        case .value(let type):
            guard let text = shown.stringValue else { return mistyped(shown, path) }
            return DissectorValues.json(text, as: type) ?? mistyped(shown, path)
        }
    }

    /// A group node's entries: one object per entry child, in order.
    private mutating func entries(_ shown: JSON, path: String) -> JSON {
        guard let children = shown.objectValue else { return .array([]) }
        var result: [JSON] = []
        for (key, value) in children where !key.hasPrefix("_ws.") {
            guard catalogue[key]?.role == .entry else {
                problems.append("\(path): \(key) is not an entry of the group")
                continue
            }
            for (index, entry) in (value.arrayValue ?? [value]).enumerated() {
                result.append(.object(object(entry, path: "\(path)[\(index)]")))
            }
        }
        return .array(result)
    }

    private mutating func mistyped(_ shown: JSON, _ path: String) -> JSON {
        problems.append("\(path): tshark shows \(shown.serialized), not a value")
        return .null
    }
}
