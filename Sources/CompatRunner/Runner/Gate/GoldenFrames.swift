// Golden frames: for every version × message type × sample and edge case of samples.json,
// the exact frame bytes and what every version's decoder makes of them (the cross-version
// table), as one pretty-printed JSON file per version × type under fixtures/golden/. This
// file writes them (`compat fixtures update`); GoldenVerify.swift checks them.

import Foundation
import MiniJSON
import PeerContract
import TGP

/// One thing `compat fixtures verify` found wrong: the file, the case when there is one, and what.
public struct GoldenProblem: Sendable, Hashable, CustomStringConvertible {
    /// The golden file's path (under the fixtures folder as given), or the golden folder itself.
    public let file: String
    /// The case (`sample`, `edge-wide-quantity`), when the problem is inside one.
    public let caseName: String?
    public let message: String

    public init(file: String, caseName: String?, message: String) {
        self.file = file
        self.caseName = caseName
        self.message = message
    }

    public var description: String { "\(file)\(caseName.map { " [\($0)]" } ?? ""): \(message)" }
}

/// What `compat fixtures verify` checked and what it found.
public struct GoldenReport: Sendable {
    /// The golden folder (`fixtures/golden`).
    public let folder: String
    public internal(set) var problems: [GoldenProblem] = []
    /// Golden files read.
    public internal(set) var files = 0
    /// Cases with a frame, each checked against today's encoder and decoder and the rules.
    public internal(set) var frames = 0
    /// Cases recorded as refused by the sender (E2).
    public internal(set) var refusals = 0
    /// Cells of the cross-version tables checked (a frame × a receiver version).
    public internal(set) var decodes = 0

    public var passed: Bool { problems.isEmpty }

    /// `fixtures/golden: 62 files, 254 frames, 12 refusals, 1270 cross-version decodes`.
    public var counts: String {
        "\(folder): \(files) files, \(frames) frames, \(refusals) refusals, \(decodes) cross-version decodes"
    }

    /// `compat fixtures verify --json`: the counts and each problem by file and case.
    public var json: JSON {
        .object([
            "passed": .bool(passed), "folder": .string(folder),
            "files": .integer(files), "frames": .integer(frames), "refusals": .integer(refusals), "decodes": .integer(decodes),
            "problems": .array(
                problems.map { problem in
                    .object([
                        "file": .string(problem.file), "case": problem.caseName.map(JSON.string) ?? .null,
                        "message": .string(problem.message),
                    ])
                }),
        ])
    }

    mutating func fail(_ file: String, _ message: String) {
        problems.append(GoldenProblem(file: file, caseName: nil, message: message))
    }

    mutating func fail(_ file: String, _ caseName: String, _ message: String) {
        problems.append(GoldenProblem(file: file, caseName: caseName, message: message))
    }
}

/// What `compat fixtures update` did, file by file (paths under the fixtures folder as given).
public struct GoldenUpdate: Sendable {
    /// Files created, or rewritten because they differed (unreleased versions only).
    public internal(set) var written: [String] = []
    /// Files of unreleased versions that were already up to date.
    public internal(set) var unchanged: [String] = []
    /// Files of released versions, left exactly as they are.
    public internal(set) var skippedReleased: [String] = []
    /// Files in an unreleased version's folder that are no golden file of that version.
    public internal(set) var removed: [String] = []
}

/// The golden frames of a fixtures folder.
public enum GoldenFrames {
    /// `fixtures/golden`.
    public static func folder(fixtures: String) -> String { fixtures + "/golden" }

    /// `v3/NewOrder.json`, under the golden folder.
    public static func relativePath(version: Int, type: String) -> String { "v\(version)/\(type).json" }

    /// The cases of a message type in file order: `sample`, then `edge-<name>` as samples.json lists them.
    static func cases(of type: MessageSchema, in samples: SampleBook) -> [(name: String, message: Message)] {
        let book = samples[type]
        return [("sample", book.sample)] + book.edges.map { ("edge-\($0.name)", $0.message) }
    }

    /// Every golden file a schema calls for: each version, and each message type that version has.
    static func expectedFiles(schema: Schema) -> [(version: Int, type: MessageSchema)] {
        schema.versions.flatMap { version in schema.messages(knownAt: version).map { (version, $0) } }
    }

    // MARK: Writing

    /// The golden file of `type` at `version`, as today's codec encodes and decodes each case.
    public static func document(type: MessageSchema, version: Int, samples: SampleBook, schema: Schema = .tgp) -> JSON {
        let codec = Codec(schema: schema)
        let cases: [JSON] = cases(of: type, in: samples).map { name, message in
            let projected = message.projected(onto: version)
            let frame: [UInt8]
            do throws(EncodeError) {
                frame = try codec.encode(projected, at: version)
            } catch {
                // E2: the sender refuses; nothing goes on the wire, so there is nothing to decode.
                return ["name": .string(name), "refused": .string(error.refusal.rawValue)]
            }
            var table = JSONObject()
            for receiver in schema.versions { table[String(receiver)] = decodedEntry(frame, receiver: receiver, codec: codec) }
            return [
                "name": .string(name),
                "frame": .array(frameRows(frame)),
                "fields": decodedEntry(frame, receiver: version, codec: codec),
                "decodedBy": .object(table),
            ]
        }
        return ["message": .string(type.name), "version": .integer(version), "cases": .array(cases)]
    }

    /// The file's text: pretty-printed, one item per line, ending in a newline.
    static func text(of document: JSON) -> String { document.serialized(pretty: true) + "\n" }

    /// What the decoder of `receiver` makes of `frame`: the fields as a peer of that version lists
    /// them, or the Reject it answers with (R5 without a place; others with the byte offset).
    static func decodedEntry(_ frame: [UInt8], receiver: Int, codec: Codec) -> JSON {
        do throws(DecodeError) {
            let decoded = try codec.decode(frame, asVersion: receiver)
            return decoded.message.json(knownAt: receiver)["fields"] ?? .object(JSONObject())
        } catch {
            return rejectEntry(error.code, at: error.offset)
        }
    }

    static func rejectEntry(_ code: RejectCode, at offset: Int) -> JSON {
        code == .unknownTemplate ? ["reject": .string(code.name)] : ["reject": .string(code.name), "at": .integer(offset)]
    }

    /// A frame as rows of 16 bytes, `"0010  4d53 4654 0000 0000 …"`: a one-byte change is a one-line diff.
    static func frameRows(_ frame: [UInt8]) -> [JSON] {
        stride(from: 0, to: frame.count, by: 16).map { start in
            let row = frame[start..<min(start + 16, frame.count)]
            let groups = stride(from: row.startIndex, to: row.endIndex, by: 2).map { row[$0..<min($0 + 2, row.endIndex)].hexString }
            return .string(hexOffset(start) + "  " + groups.joined(separator: " "))
        }
    }

    /// The bytes of frame rows, checking that each row starts at its own offset and holds 16
    /// bytes (the last one 1 to 16); the sentence says which row is wrong.
    static func frameBytes(fromRows rows: [JSON]) -> Result<[UInt8], GoldenFormatError> {
        var bytes: [UInt8] = []
        for (index, row) in rows.enumerated() {
            guard let text = row.stringValue else { return .failure(GoldenFormatError("frame row \(index) is not a string")) }
            let parts = text.split(separator: " ", omittingEmptySubsequences: true)
            guard let offsetText = parts.first, let offset = Int(offsetText, radix: 16), offset == index * 16 else {
                return .failure(GoldenFormatError("frame row \(index) must start with its offset \(hexOffset(index * 16)): \"\(text)\""))
            }
            guard let rowBytes = TGP.bytes(fromHex: parts.dropFirst().joined()),
                (1...16).contains(rowBytes.count), rowBytes.count == 16 || index == rows.count - 1
            else {
                return .failure(
                    GoldenFormatError("frame row \(hexOffset(index * 16)) must hold 16 bytes of hex (the last row 1 to 16): \"\(text)\""))
            }
            bytes += rowBytes
        }
        guard !bytes.isEmpty else { return .failure(GoldenFormatError("the frame has no rows")) }
        return .success(bytes)
    }

    /// `0014`: four lower-case hex digits (frames are at most 4096 bytes).
    static func hexOffset(_ offset: Int) -> String {
        let digits = String(offset, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    // MARK: Updating

    /// The released versions: the keys of the `versions` object of `fixtures/schema-lock.json`
    /// (`"3"` or `"v3"`). Without a lock file no version is released.
    public static func releasedVersions(fixtures: String) throws(ConfigError) -> Set<Int> {
        let path = fixtures + "/schema-lock.json"
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        guard let data = FileManager.default.contents(atPath: path) else { throw ConfigError("\(path): cannot read the schema lock") }
        let lock: JSON
        do {
            lock = try JSON.parse(Array(data))
        } catch {
            throw ConfigError("\(path): \(error)")
        }
        guard let versions = lock["versions"]?.objectValue else {
            throw ConfigError("\(path): versions: missing; the lock needs an object of released versions")
        }
        var released = Set<Int>()
        for key in versions.keys {
            guard let version = Int(key.hasPrefix("v") ? String(key.dropFirst()) : key) else {
                throw ConfigError("\(path): versions.\(key): not a version number")
            }
            released.insert(version)
        }
        return released
    }

    /// Writes the golden files of every version not in `releasedVersions`, and any golden file
    /// that is missing (of any version). A released version's existing file is never touched:
    /// its frames are what peers in the field send and receive.
    public static func update(
        fixtures: String, samples: SampleBook, schema: Schema = .tgp, releasedVersions: Set<Int>
    ) throws(ConfigError) -> GoldenUpdate {
        let folder = folder(fixtures: fixtures)
        let files = FileManager.default
        var result = GoldenUpdate()
        for version in schema.versions {
            let versionFolder = folder + "/v\(version)"
            let released = releasedVersions.contains(version)
            do {
                try files.createDirectory(atPath: versionFolder, withIntermediateDirectories: true)
            } catch {
                throw ConfigError("\(versionFolder): cannot create the folder: \(error.localizedDescription)")
            }
            let types = schema.messages(knownAt: version)
            for type in types {
                let path = folder + "/" + relativePath(version: version, type: type.name)
                let exists = files.fileExists(atPath: path)
                if exists && released {
                    result.skippedReleased.append(path)
                    continue
                }
                let text = text(of: document(type: type, version: version, samples: samples, schema: schema))
                if exists, let current = files.contents(atPath: path), current == Data(text.utf8) {
                    result.unchanged.append(path)
                    continue
                }
                do {
                    try text.write(toFile: path, atomically: true, encoding: .utf8)
                } catch {
                    throw ConfigError("\(path): cannot write: \(error.localizedDescription)")
                }
                result.written.append(path)
            }
            // A type renamed or a file left over: an unreleased version's folder holds only its golden files.
            guard !released else { continue }
            let wanted = Set(types.map { "\($0.name).json" })
            let present = (try? files.contentsOfDirectory(atPath: versionFolder)) ?? []
            for name in present.sorted() where !name.hasPrefix(".") && !wanted.contains(name) {
                let path = versionFolder + "/" + name
                do {
                    try files.removeItem(atPath: path)
                } catch {
                    throw ConfigError("\(path): cannot remove: \(error.localizedDescription)")
                }
                result.removed.append(path)
            }
        }
        return result
    }
}

/// A golden file that does not have the expected shape.
struct GoldenFormatError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
