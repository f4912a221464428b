// The line of each peer and each knownFailures entry in the matrix file, for annotations that
// point at them (`file=matrix.json,line=18`). The JSON reader keeps no positions, so the raw text
// is scanned once: strings (with their escapes) and nesting are tracked, and each object of the
// top-level `peers` and `knownFailures` arrays is recorded with the line it starts on and read
// on its own for the fields that name it.

import Foundation
import MiniJSON

public struct MatrixLines: Sendable {
    /// The matrix file as GitHub wants it: relative to the working directory (the repository).
    public let file: String
    /// A peer's name → the line its object starts on (1-based).
    public let peers: [String: Int]
    /// Each knownFailures entry, in file order, with its line.
    public let knownFailures: [(entry: KnownFailure, line: Int)]

    /// The lines of the matrix file at `path`, or nil when it cannot be read, or lies outside
    /// the working directory (GitHub takes only paths in the repository).
    public static func read(path: String, workingDirectory: String = FileManager.default.currentDirectoryPath) -> MatrixLines? {
        guard let file = relativePath(path, to: workingDirectory), let data = FileManager.default.contents(atPath: path) else { return nil }
        return scan(Array(data), file: file)
    }

    /// The lines found in `bytes` (a matrix file's text); a damaged file yields what was found before the damage.
    static func scan(_ bytes: [UInt8], file: String) -> MatrixLines {
        var peers: [String: Int] = [:]
        for (line, json) in topLevelArrayObjects(bytes, key: "peers") {
            if let name = json.objectValue?["name"]?.stringValue, peers[name] == nil { peers[name] = line }
        }
        var entries: [(entry: KnownFailure, line: Int)] = []
        for (line, json) in topLevelArrayObjects(bytes, key: "knownFailures") {
            guard let object = json.objectValue, let client = object["client"]?.stringValue, let gateway = object["gateway"]?.stringValue,
                let check = object["check"]?.stringValue
            else { continue }
            entries.append(
                (KnownFailure(client: client, gateway: gateway, check: check, reason: object["reason"]?.stringValue ?? ""), line))
        }
        return MatrixLines(file: file, peers: peers, knownFailures: entries)
    }

    /// The line of the first entry, in file order, that lists `check` of the cell `client` × `gateway`
    /// (the entry a run takes for it).
    public func line(ofEntryListing check: String, client: String, gateway: String) -> Int? {
        knownFailures.first { $0.entry.matches(check, client: client, gateway: gateway) }?.line
    }

    /// The line of the entry written with exactly these patterns.
    public func line(ofEntry client: String, gateway: String, check: String) -> Int? {
        knownFailures.first { $0.entry.client == client && $0.entry.gateway == gateway && $0.entry.check == check }?.line
    }

    /// `path` relative to `folder`, without `./`; nil when it is not inside it.
    static func relativePath(_ path: String, to folder: String) -> String? {
        let absolute = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: folder, isDirectory: true)).standardizedFileURL.path
        let base = URL(fileURLWithPath: folder, isDirectory: true).standardizedFileURL.path
        let prefix = base.hasSuffix("/") ? base : base + "/"
        guard absolute.hasPrefix(prefix), absolute.count > prefix.count else { return nil }
        return String(absolute.dropFirst(prefix.count))
    }

    /// Each object element of the array under `key` in the top-level object: its first line and
    /// its value (elements that do not parse alone are left out).
    static func topLevelArrayObjects(_ bytes: [UInt8], key: String) -> [(line: Int, value: JSON)] {
        var found: [(line: Int, value: JSON)] = []
        var line = 1
        var stack: [UInt8] = []  // the open containers: `{` or `[`
        var inString = false
        var escaped = false
        var stringStart = 0
        var lastString: [UInt8] = []
        var pendingKey: [UInt8]?  // a top-level key whose value comes next
        var inTarget = false  // inside the array under `key`
        var element: (start: Int, line: Int)?
        let wanted = Array(key.utf8)
        for (index, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: "\n") { line += 1 }
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    lastString = Array(bytes[stringStart..<index])
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                stringStart = index + 1
            case UInt8(ascii: ":") where stack == [UInt8(ascii: "{")]:
                pendingKey = lastString
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if stack.count == 1, byte == UInt8(ascii: "["), pendingKey == wanted { inTarget = true }
                if inTarget, stack.count == 2, byte == UInt8(ascii: "{") { element = (index, line) }
                stack.append(byte)
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard !stack.isEmpty else { return found }
                stack.removeLast()
                if inTarget, stack.count == 2, byte == UInt8(ascii: "}"), let start = element {
                    if let value = try? JSON.parse(Array(bytes[start.start...index])) { found.append((start.line, value)) }
                    element = nil
                }
                if inTarget, stack.count == 1 { return found }
            case UInt8(ascii: ","):
                if stack.count == 1 { pendingKey = nil }
            default:
                break
            }
        }
        return found
    }
}
