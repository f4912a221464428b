// The line of a schema change's place in the schema's XML, for annotations that point at it
// (`file=protocol/orders.xml,line=42`). The schema IR keeps no positions, so the text is
// searched: the element named by the location's first part (a message or a type), then the
// first element after it named by its last part (a field, a group, an enum value).

import Foundation

public struct SchemaLines: Sendable {
    /// The schema file as GitHub wants it: relative to the working directory (the repository).
    public let file: String
    private let text: [UInt8]

    /// The schema file at `path`, or nil when it cannot be read or lies outside the working directory.
    public static func read(path: String, workingDirectory: String = FileManager.default.currentDirectoryPath) -> SchemaLines? {
        guard let file = MatrixLines.relativePath(path, to: workingDirectory), let data = FileManager.default.contents(atPath: path)
        else { return nil }
        return SchemaLines(file: file, text: Array(data))
    }

    init(file: String, text: [UInt8]) {
        self.file = file
        self.text = text
    }

    /// The line of a BreakingChange's `location` (`v3:NewOrder.side`, `v2:Side.SellShort`,
    /// `v4:MarketDataSnapshot.levels.bidOrders`); nil for a place that is no element (`header`,
    /// `limits.maxFrameSize`) or one not found.
    public func line(of location: String) -> Int? {
        guard let colon = location.firstIndex(of: ":"), location.first == "v" else { return nil }
        let parts = location[location.index(after: colon)...].split(separator: ".").map(String.init)
        guard let first = parts.first, let start = offset(ofName: first, from: 0) else { return nil }
        guard parts.count > 1 else { return line(at: start) }
        return offset(ofName: parts[parts.count - 1], from: start).map(line(at:))
    }

    /// Where the first `name="…"` attribute with this value starts, at or after `start`.
    private func offset(ofName name: String, from start: Int) -> Int? {
        let needle = Array("name=\"\(name)\"".utf8)
        guard needle.count <= text.count else { return nil }
        var index = start
        while index + needle.count <= text.count {
            // Preceded by white space: `name=` itself, not the end of `typeName=`.
            if text[index] == needle[0], index > 0, [0x20, 0x09, 0x0A, 0x0D].contains(text[index - 1]),
                text[index..<index + needle.count].elementsEqual(needle)
            {
                return index
            }
            index += 1
        }
        return nil
    }

    private func line(at offset: Int) -> Int { text[..<offset].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) } }
}
