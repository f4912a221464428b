// Checks the golden frames under fixtures/golden: today's codec must encode every case to the
// recorded bytes and decode them, at every receiver version, to the recorded table; and the
// recorded table must be what PROTOCOL.md's rules say, worked out here without the codec.

import Foundation
import MiniJSON
import PeerContract
import TGP

/// The golden frames section of `compat gate`: `fixtures/golden` against today's codec and the rules.
public func fixturesSection(fixtures: String, samples: SampleBook) -> GoldenReport {
    GoldenFrames.verify(fixtures: fixtures, samples: samples, schema: .tgp)
}

extension GoldenFrames {
    /// Checks every golden file of `fixtures/golden`:
    /// 1. today's encoding of each case at the file's version is the recorded frame, byte for byte;
    /// 2. today's decoder at that version gives the recorded fields;
    /// 3. today's decoder of every version gives the recorded `decodedBy` entry;
    /// 4. the recorded header, fields, refusals and table are what the rules say (E2, R1–R5, R7,
    ///    R10 and the quantity widening), independently of the codec;
    /// 5. every version × type × case has its file and case, and nothing else is there.
    public static func verify(fixtures: String, samples: SampleBook, schema: Schema = .tgp) -> GoldenReport {
        let folder = folder(fixtures: fixtures)
        var report = GoldenReport(folder: folder)
        let files = FileManager.default
        var isFolder: ObjCBool = false
        guard files.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            report.fail(folder, "missing: there are no golden frames (run `compat fixtures update`)")
            return report
        }
        let verifier = GoldenVerifier(schema: schema, samples: samples)
        for (version, type) in expectedFiles(schema: schema) {
            let path = folder + "/" + relativePath(version: version, type: type.name)
            guard files.fileExists(atPath: path) else {
                report.fail(path, "missing: the golden file of \(type.name) at version \(version) (run `compat fixtures update`)")
                continue
            }
            report.files += 1
            verifier.check(path: path, type: type, version: version, into: &report)
        }
        // Nothing but the expected files: a stray file would look checked and is not.
        let versionFolders = Set(schema.versions.map { "v\($0)" })
        for entry in ((try? files.contentsOfDirectory(atPath: folder)) ?? []).sorted() where !entry.hasPrefix(".") {
            let path = folder + "/" + entry
            guard versionFolders.contains(entry), let version = Int(entry.dropFirst()) else {
                report.fail(path, "not a golden folder: the versions are \(schema.versions.map { "v\($0)" }.joined(separator: ", "))")
                continue
            }
            let wanted = Set(schema.messages(knownAt: version).map { "\($0.name).json" })
            for name in ((try? files.contentsOfDirectory(atPath: path)) ?? []).sorted() where !name.hasPrefix(".") && !wanted.contains(name)
            {
                report.fail(path + "/" + name, "not a golden file: version \(version) has no such message type (remove it)")
            }
        }
        return report
    }
}

/// Checks one golden file's cases.
struct GoldenVerifier {
    let schema: Schema
    let samples: SampleBook
    let codec: Codec
    let layout: FrameLayout

    init(schema: Schema, samples: SampleBook) {
        self.schema = schema
        self.samples = samples
        self.codec = Codec(schema: schema)
        self.layout = FrameLayout(schema: schema)
    }

    func check(path: String, type: MessageSchema, version: Int, into report: inout GoldenReport) {
        let document: JSON
        do {
            guard let data = FileManager.default.contents(atPath: path) else { return report.fail(path, "cannot read the file") }
            document = try JSON.parse(Array(data))
        } catch {
            return report.fail(path, "not JSON: \(error)")
        }
        guard let root = document.objectValue else { return report.fail(path, "must be an object with message, version, cases") }
        for key in root.keys where !["message", "version", "cases"].contains(key) {
            report.fail(path, "unknown key \"\(key)\" (expected message, version, cases)")
        }
        if root["message"]?.stringValue != type.name {
            report.fail(path, "\"message\" must be \"\(type.name)\", found \(root["message"].map(short) ?? "nothing")")
        }
        if root["version"]?.intValue != version {
            report.fail(path, "\"version\" must be \(version), found \(root["version"].map(short) ?? "nothing")")
        }
        guard let recorded = root["cases"]?.arrayValue else { return report.fail(path, "\"cases\" must be an array") }

        // Every case of samples.json, in its order, and no other.
        let expected = GoldenFrames.cases(of: type, in: samples)
        var byName: [String: JSONObject] = [:]
        var recordedNames: [String] = []
        for (index, item) in recorded.enumerated() {
            guard let object = item.objectValue, let name = object["name"]?.stringValue else {
                report.fail(path, "cases[\(index)] must be an object with a \"name\"")
                continue
            }
            if byName[name] != nil { report.fail(path, name, "the case appears twice") }
            byName[name] = object
            recordedNames.append(name)
        }
        let expectedNames = expected.map(\.name)
        for name in expectedNames where byName[name] == nil {
            report.fail(path, name, "missing: samples.json has this case (run `compat fixtures update`)")
        }
        for name in recordedNames where !expectedNames.contains(name) {
            report.fail(path, name, "not a case of samples.json (\(expectedNames.joined(separator: ", ")))")
        }
        let present = expectedNames.filter { byName[$0] != nil }
        if recordedNames.filter(expectedNames.contains) != present {
            report.fail(path, "the cases must be in samples.json's order: \(present.joined(separator: ", "))")
        }

        for (name, message) in expected {
            guard let object = byName[name] else { continue }
            check(object, name: name, message: message.projected(onto: version), type: type, version: version, path: path, into: &report)
        }
    }

    /// One case: `message` is the sample projected onto `version`, the case's values.
    private func check(
        _ object: JSONObject, name: String, message: Message, type: MessageSchema, version: Int, path: String,
        into report: inout GoldenReport
    ) {
        func fail(_ text: String) { report.fail(path, name, text) }
        let ruleRefusal = GoldenRules.refusal(message, at: version)
        let today: Result<[UInt8], EncodeError> = Result { () throws(EncodeError) in try codec.encode(message, at: version) }

        if let refused = object["refused"] {
            for key in object.keys where !["name", "refused"].contains(key) {
                fail("unknown key \"\(key)\" in a refused case (expected name, refused)")
            }
            report.refusals += 1
            guard let refusal = refused.stringValue else { return fail("\"refused\" must be a refusal name, found \(short(refused))") }
            if refusal != ruleRefusal {
                fail(
                    "the golden file says the sender refuses (\(refusal)); the rules say \(ruleRefusal.map { "it refuses with \($0)" } ?? "version \(version) carries it (E2)")"
                )
            }
            switch today {
            case .success(let frame):
                fail("the golden file says the sender refuses (\(refusal)); today's encoder writes a frame of \(frame.count) bytes")
            case .failure(let error) where error.refusal.rawValue != refusal:
                fail(
                    "the golden file says the sender refuses with \(refusal); today's encoder refuses with \(error.refusal.rawValue): \(error.detail)"
                )
            case .failure:
                break
            }
            return
        }

        for key in object.keys where !["name", "frame", "fields", "decodedBy"].contains(key) {
            fail("unknown key \"\(key)\" (expected name, frame, fields, decodedBy; or name, refused)")
        }
        guard let rows = object["frame"]?.arrayValue else { return fail("needs \"frame\" (rows of hex) or \"refused\"") }
        let golden: [UInt8]
        switch GoldenFrames.frameBytes(fromRows: rows) {
        case .success(let bytes): golden = bytes
        case .failure(let error): return fail(error.description)
        }
        report.frames += 1
        if let ruleRefusal {
            fail("the golden file has a frame; the rules say the sender refuses with \(ruleRefusal) at version \(version) (E2)")
        }

        // 1. Today's encoder writes the same bytes.
        switch today {
        case .failure(let error):
            fail("today's encoder refuses what the golden frame carries: \(error)")
        case .success(let frame):
            if let difference = frameDifference(golden: golden, today: frame, type: type, version: version) { fail(difference) }
        }

        // The header the rules give a frame of this type at this version.
        if let header = FrameHeader(of: golden) {
            let rules = [
                ("blockLength", type.blockLength(at: version)), ("templateId", Int(type.templateId)),
                ("schemaId", Int(schema.schemaId)), ("version", version),
            ]
            let actual = [Int(header.blockLength), Int(header.templateId), Int(header.schemaId), Int(header.version)]
            for ((field, want), got) in zip(rules, actual) where want != got {
                fail("the golden frame's header.\(field) is \(got); the rules say \(want) for \(type.name) at version \(version)")
            }
        } else {
            fail("the golden frame is \(golden.count) bytes, shorter than a header")
        }

        // 2. Today's decoder at the version gives the recorded fields, which are the case's values.
        let recordedFields = object["fields"]
        if recordedFields == nil { fail("needs \"fields\": the values decoded at version \(version)") }
        if let recordedFields {
            let decoded = GoldenFrames.decodedEntry(golden, receiver: version, codec: codec)
            if let difference = describeDifference(recordedFields, decoded, "fields", actual: "today's decoder of v\(version) gives") {
                fail(difference)
            }
            let rules = GoldenRules.delivered(message, encodedAt: version, receiver: version, schema: schema)
            if let difference = describeDifference(
                recordedFields, rules, "fields", actual: "the rules (the case projected onto v\(version)) give")
            {
                fail(difference)
            }
        }

        // 3 and 4. The cross-version table: today's decoders, and the rules.
        guard let table = object["decodedBy"]?.objectValue else { return fail("needs \"decodedBy\": an entry for each receiver version") }
        let receivers = schema.versions.map(String.init)
        for key in table.keys where !receivers.contains(key) {
            fail("decodedBy has \"\(key)\", which is not a version (\(receivers.joined(separator: ", ")))")
        }
        if table.keys.filter(receivers.contains) != receivers.filter(table.keys.contains) {
            fail("decodedBy must list the receiver versions in order: \(receivers.joined(separator: ", "))")
        }
        for receiver in schema.versions {
            let key = String(receiver)
            guard let entry = table[key] else {
                fail("decodedBy has no entry for receiver version \(receiver)")
                continue
            }
            report.decodes += 1
            let decoded = GoldenFrames.decodedEntry(golden, receiver: receiver, codec: codec)
            if let difference = describeDifference(entry, decoded, "decodedBy.\(key)", actual: "today's decoder of v\(receiver) gives") {
                fail(difference)
            }
            let rules = GoldenRules.delivered(message, encodedAt: version, receiver: receiver, schema: schema)
            if let difference = describeDifference(entry, rules, "decodedBy.\(key)", actual: "the rules give") {
                fail(difference)
            }
        }
    }

    /// The first byte where the golden frame and today's encoding differ, with both values and the field there.
    private func frameDifference(golden: [UInt8], today: [UInt8], type: MessageSchema, version: Int) -> String? {
        guard golden != today else { return nil }
        guard let offset = (0..<min(golden.count, today.count)).first(where: { golden[$0] != today[$0] }) else {
            let offset = min(golden.count, today.count)
            return
                "the golden frame is \(golden.count) bytes, today's encoder writes \(today.count); they differ from byte \(offset) (0x\(GoldenFrames.hexOffset(offset)), \(layout.field(at: offset, in: today, type: type, version: version)))"
        }
        let field = layout.field(at: offset, in: today, type: type, version: version)
        var text =
            "frame differs at byte \(offset) (0x\(GoldenFrames.hexOffset(offset)), \(field)): golden file has \(hex(golden[offset])), today's encoder writes \(hex(today[offset]))"
        let more = zip(golden, today).filter { $0 != $1 }.count - 1 + abs(golden.count - today.count)
        if more > 0 { text += " (and \(more) more byte\(more == 1 ? "" : "s"))" }
        return text
    }
}

/// What PROTOCOL.md's rules say about a case, worked out from the schema and the case's values
/// alone — never from the codec — so a codec change cannot quietly rewrite the table.
enum GoldenRules {
    /// E2: the refusal of a sender encoding `message` at `version`, or nil when it goes on the wire.
    static func refusal(_ message: Message, at version: Int) -> String? {
        func newerEnumValue(_ field: FieldSchema, _ value: FieldValue) -> Bool { newestChoice(field, value).map { $0 > version } ?? false }
        for (field, value) in zip(message.type.logicalFields, message.values) where field.since <= version {
            switch field.kind {
            case .scalar(let narrow, let wide):
                // A quantity above u32 below the version that widened it.
                if let wide, wide.since > version, case .unsigned(let number) = value, number > narrow.type.unsignedMax! {
                    return EncodeError.Refusal.notRepresentable.rawValue
                }
                if newerEnumValue(narrow, value) { return EncodeError.Refusal.unsupportedInVersion.rawValue }
            case .group(let group):
                guard case .group(let entries) = value else { continue }
                for entry in entries {
                    for (entryField, entryValue) in zip(group.fields, entry)
                    where entryField.since <= version && newerEnumValue(entryField, entryValue) {
                        return EncodeError.Refusal.unsupportedInVersion.rawValue
                    }
                }
            case .varData:
                continue
            }
        }
        return nil
    }

    /// What a decoder of `receiver` delivers from `message` encoded at `version`: R5 for a type
    /// it does not know; R7 for an enum value it does not know, at that byte; else (R1, R2, R4,
    /// R10) the values projected onto min(version, receiver), listed as the receiver knows them,
    /// with a widened quantity read from its legacy field — min(value, 4294967295) — when the
    /// frame has the wide field and the receiver does not know it.
    static func delivered(_ message: Message, encodedAt version: Int, receiver: Int, schema: Schema) -> JSON {
        let type = message.type
        guard type.since <= receiver else { return GoldenFrames.rejectEntry(.unknownTemplate, at: 2) }
        if let offset = unknownEnumOffset(message, encodedAt: version, receiver: receiver) {
            return GoldenFrames.rejectEntry(.invalidValue, at: offset)
        }
        var delivered = message.projected(onto: min(version, receiver))
        for (index, field) in type.logicalFields.enumerated() {
            guard case .scalar(let narrow, let wide?) = field.kind, version >= wide.since, receiver < wide.since,
                case .unsigned(let number) = delivered.values[index]
            else { continue }
            delivered.values[index] = .unsigned(min(number, narrow.type.unsignedMax!))
        }
        return delivered.json(knownAt: receiver)["fields"] ?? .object(JSONObject())
    }

    /// The version an enum value, or the newest of a set's choices, came in (Int.max for one no
    /// version names); nil for a field of another type.
    private static func newestChoice(_ field: FieldSchema, _ value: FieldValue) -> Int? {
        guard case .unsigned(let raw) = value else { return nil }
        switch field.type {
        case .enumeration(let enumSchema): return enumSchema.value(raw)?.since ?? Int.max
        case .set(let setSchema):
            let named = setSchema.choices.reduce(UInt64(0)) { $0 | (1 << UInt64($1.bit)) }
            if raw & ~named != 0 { return Int.max }
            return setSchema.choices.filter { raw & (1 << UInt64($0.bit)) != 0 }.map(\.since).max() ?? 0
        default: return nil
        }
    }

    /// R7: the frame offset of the first enum value or set choice, in wire order, that `receiver` reads and does not know.
    private static func unknownEnumOffset(_ message: Message, encodedAt version: Int, receiver: Int) -> Int? {
        let type = message.type
        let read = min(version, receiver)
        func unknown(_ field: FieldSchema, _ value: FieldValue?) -> Bool {
            guard let value, let since = newestChoice(field, value) else { return false }
            return since > receiver
        }
        for field in type.fields where field.since <= read && unknown(field, message[field.name]) {
            return FrameHeader.size + field.offset
        }
        // R2/R3: groups start after the block as the sender sized it; each entry as the sender sized it.
        var position = FrameHeader.size + type.blockLength(at: version)
        for group in type.groups where group.since <= version {
            guard case .group(let entries)? = message[group.name] else { continue }
            let entryLength = group.blockLength(at: version)
            position += 4
            for entry in entries {
                if group.since <= read {
                    for (field, value) in zip(group.fields, entry) where field.since <= read && unknown(field, value) {
                        return position + field.offset
                    }
                }
                position += entryLength
            }
        }
        return nil
    }
}

/// Where two JSON values first differ, as `fields.levels[1].bidQty: golden file has 300, today's decoder of v3 gives 301`.
/// `actual` names the other side with its verb (`the rules give`).
private func describeDifference(_ golden: JSON, _ actual: JSON, _ path: String, actual source: String) -> String? {
    guard golden != actual else { return nil }
    // A Reject against delivered fields: the whole entries say more than their first key.
    if golden["reject"] != nil || actual["reject"] != nil {
        return "\(path): golden file has \(short(golden)), \(source) \(short(actual))"
    }
    guard let (place, goldenText, actualText) = firstDifference(golden, actual, path) else { return nil }
    return "\(place): golden file has \(goldenText), \(source) \(actualText)"
}

private func firstDifference(_ golden: JSON, _ actual: JSON, _ path: String) -> (String, String, String)? {
    guard golden != actual else { return nil }
    switch (golden, actual) {
    case (.object(let left), .object(let right)):
        for (key, value) in left {
            guard let other = right[key] else { return ("\(path).\(key)", short(value), "no such field") }
            if let difference = firstDifference(value, other, "\(path).\(key)") { return difference }
        }
        for (key, value) in right where left[key] == nil { return ("\(path).\(key)", "no such field", short(value)) }
        return (path, "the keys in the order \(left.keys.joined(separator: ", "))", "\(right.keys.joined(separator: ", "))")
    case (.array(let left), .array(let right)):
        for (index, (one, other)) in zip(left, right).enumerated() {
            if let difference = firstDifference(one, other, "\(path)[\(index)]") { return difference }
        }
        return (path, "\(left.count) entries", "\(right.count) entries")
    default:
        return (path, short(golden), short(actual))
    }
}

/// A JSON value for a one-line message: long strings are cut, with their length.
private func short(_ value: JSON) -> String {
    let text = value.serialized
    guard text.count > 60 else { return text }
    if case .string(let string) = value { return "\(text.prefix(40))…\" (\(string.count) characters)" }
    return "\(text.prefix(57))…"
}

private func hex(_ byte: UInt8) -> String { "0x" + [byte].hexString }
