// Sample messages built from the schema, so a test covers every message type of a version
// without listing them; plus small helpers for frames and JSON comparison.
import MiniJSON
import PeerContract
import TGP

enum Samples {
    /// A message of `type` whose every field known at `version` holds a valid value that is not
    /// its default and differs from the other fields' (newer fields stay at their defaults).
    /// Different `seed`s give different values, so two senders' samples never share bytes.
    static func message(_ type: MessageSchema, at version: Int, seed: Int) -> Message {
        var counter = seed * 100
        func next() -> Int {
            counter += 1
            return counter
        }
        var message = Message(type)
        for (index, field) in type.logicalFields.enumerated() where field.since <= version {
            switch field.kind {
            case .scalar(let narrow, let wide):
                // The logical quantity is a u64 from the widening on, a u32 before.
                let carrier = wide.map { $0.since <= version ? $0 : narrow } ?? narrow
                message.values[index] = value(for: carrier.type, at: version, next())
            case .group(let group):
                message.values[index] = .group(
                    (0..<2).map { _ in
                        group.fields.map { $0.since <= version ? value(for: $0.type, at: version, next()) : $0.defaultValue }
                    })
            case .varData:
                message.values[index] = .text("\(field.name) \(next()) é✓")
            }
        }
        return message
    }

    /// A value of `type` valid at `version`, never the default, distinct for each `k`.
    static func value(for type: FieldType, at version: Int, _ k: Int) -> FieldValue {
        let k64 = UInt64(k)
        switch type {
        case .u8: return .unsigned(1 + k64 % 250)
        case .u16: return .unsigned(0x0100 + k64)
        // High bits set, so a field read at the wrong width or offset shows.
        case .u32: return .unsigned(0xF000_0000 + k64)
        case .u64: return .unsigned(0x8102_0304_0506_0000 + k64)
        case .i64: return .signed(-1_000_000_007 * Int64(k))
        case .char8: return .text("A~ z\(k % 1000)")
        case .enumeration(let enumSchema):
            // The newest value this version has, so enum `since` is exercised too.
            let usable = enumSchema.values.filter { $0.since <= version && $0.value != enumSchema.defaultValue }
            return .unsigned(usable.last!.value)
        default: return type.zeroValue
        }
    }

    /// A sample that can be sent inside a session at `version` without ending or renegotiating
    /// it to another version: a Logon announces a range whose top is `version`.
    static func sessionSafe(_ type: MessageSchema, at version: Int, seed: Int) -> Message {
        var message = message(type, at: version, seed: seed)
        if type.name == "Logon" {
            message["minVersion"] = .unsigned(UInt64(max(1, version - 1)))
            message["maxVersion"] = .unsigned(UInt64(version))
        }
        return message
    }

    /// A message by name with the given fields, the rest at their defaults.
    static func named(_ name: String, _ fields: KeyValuePairs<String, FieldValue>) -> Message {
        Message(Schema.tgp.message(named: name)!, fields)
    }
}

extension Schema {
    /// The message type named `name`; traps on a typo, as a test would be meaningless.
    func type(_ name: String) -> MessageSchema { message(named: name)! }
}

extension Message {
    func enumValue(_ name: String, of field: String) -> FieldValue { type.enumValue(name, of: field)! }
}

// MARK: - JSON comparison

extension JSON {
    /// The same value with every object's keys sorted: the contract does not fix key order.
    var normalized: JSON {
        switch self {
        case .object(let object):
            var sorted = JSONObject()
            for key in object.keys.sorted() { sorted[key] = object[key]!.normalized }
            return .object(sorted)
        case .array(let elements):
            return .array(elements.map(\.normalized))
        default:
            return self
        }
    }

    /// The `fields` object of a contract message JSON.
    var fields: JSON { self["fields"] ?? .null }
}

// MARK: - Frames

extension Array where Element == UInt8 {
    var header: FrameHeader? { FrameHeader(of: self) }

    /// A copy with the little-endian u16 at `offset` replaced.
    func settingU16(_ value: UInt16, at offset: Int) -> [UInt8] {
        var copy = self
        copy[offset] = UInt8(value & 0xFF)
        copy[offset + 1] = UInt8(value >> 8)
        return copy
    }

    /// A copy with the byte at `offset` replaced.
    func settingByte(_ value: UInt8, at offset: Int) -> [UInt8] {
        var copy = self
        copy[offset] = value
        return copy
    }
}

extension FieldValue {
    var unsigned: UInt64? {
        if case .unsigned(let value) = self { value } else { nil }
    }
}
