// A JSON Schema (draft 2020-12) validator for exactly the keywords docs/results.schema.json
// uses; a schema with any other keyword is refused, so the schema cannot say more than is checked.

import Foundation
import MiniJSON

struct JSONSchemaValidator {
    static let keywords: Set<String> = [
        "$schema", "title", "description", "$defs", "$ref", "type", "properties", "required",
        "additionalProperties", "items", "enum", "const", "oneOf", "minimum", "pattern",
    ]

    let root: JSON

    /// Every place `value` breaks the schema, as `path: problem`; empty when it is valid.
    func errors(in value: JSON) -> [String] {
        var errors: [String] = []
        check(value, against: root, at: "$", errors: &errors)
        return errors
    }

    /// Every property name the schema defines, anywhere in it.
    var propertyNames: Set<String> {
        var names = Set<String>()
        func walk(_ schema: JSON) {
            switch schema {
            case .object(let object):
                for (key, value) in object {
                    if key == "properties", let properties = value.objectValue { names.formUnion(properties.keys) }
                    walk(value)
                }
            case .array(let items): items.forEach(walk)
            default: break
            }
        }
        walk(root)
        return names
    }

    private func check(_ value: JSON, against schema: JSON, at path: String, errors: inout [String]) {
        guard let rules = schema.objectValue else { return errors.append("\(path): the schema here is not an object") }
        for keyword in rules.keys where !Self.keywords.contains(keyword) { errors.append("\(path): unsupported schema keyword \(keyword)") }
        if let reference = rules["$ref"]?.stringValue {
            guard reference.hasPrefix("#/$defs/"), let target = root["$defs"]?[String(reference.dropFirst("#/$defs/".count))] else {
                return errors.append("\(path): unresolvable $ref \(reference)")
            }
            check(value, against: target, at: path, errors: &errors)
        }
        if let types = rules["type"] {
            let allowed = types.arrayValue?.compactMap(\.stringValue) ?? [types.stringValue ?? ""]
            if !allowed.contains(where: { Self.has(value, type: $0) }) {
                errors.append("\(path): \(value.typeName) is not \(allowed.joined(separator: " or "))")
            }
        }
        if let constant = rules["const"], value != constant { errors.append("\(path): \(value) is not \(constant)") }
        if let choices = rules["enum"]?.arrayValue, !choices.contains(value) {
            errors.append("\(path): \(value) is not one of \(JSON.array(choices))")
        }
        if let minimum = rules["minimum"]?.doubleValue, let number = value.doubleValue, number < minimum {
            errors.append("\(path): \(number) is below \(minimum)")
        }
        if let pattern = rules["pattern"]?.stringValue, let text = value.stringValue {
            if let regex = try? Regex(pattern) {
                if text.firstMatch(of: regex) == nil { errors.append("\(path): \"\(text.prefix(80))\" does not match \(pattern)") }
            } else {
                errors.append("\(path): the schema's pattern \(pattern) is not a regular expression")
            }
        }
        if let choices = rules["oneOf"]?.arrayValue {
            let matching = choices.filter { choice in
                var inner: [String] = []
                check(value, against: choice, at: path, errors: &inner)
                return inner.isEmpty
            }
            if matching.count != 1 {
                errors.append("\(path): matches \(matching.count) of oneOf's \(choices.count) schemas, not exactly one")
            }
        }
        if let object = value.objectValue { checkObject(object, rules: rules, at: path, errors: &errors) }
        if let items = rules["items"], let array = value.arrayValue {
            for (index, item) in array.enumerated() { check(item, against: items, at: "\(path)[\(index)]", errors: &errors) }
        }
    }

    private func checkObject(_ object: JSONObject, rules: JSONObject, at path: String, errors: inout [String]) {
        for name in rules["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where object[name] == nil {
            errors.append("\(path): required key \(name) is missing")
        }
        let properties = rules["properties"]?.objectValue ?? JSONObject()
        for (key, value) in object {
            if let property = properties[key] {
                check(value, against: property, at: "\(path).\(key)", errors: &errors)
            } else if rules["additionalProperties"] == .bool(false) {
                errors.append("\(path): key \(key) is not in the schema")
            }
        }
    }

    private static func has(_ value: JSON, type: String) -> Bool {
        switch type {
        case "null": value.isNull
        case "boolean": value.boolValue != nil
        case "string": value.stringValue != nil
        case "number": value.doubleValue != nil
        case "integer": value.int64Value != nil
        case "array": value.arrayValue != nil
        case "object": value.objectValue != nil
        default: false
        }
    }
}
