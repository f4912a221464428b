// Reading a schema, an included file or a sidecar from disk, bounded, and turning positions
// in it into line and column for errors.

import Foundation

/// What the reader accepts of untrusted input before it refuses it.
enum ReadLimits {
    static let fileSize = 16 * 1024 * 1024
    /// Bytes over the schema and every file it includes (each include of a file counts again).
    static let totalSize = 64 * 1024 * 1024
    /// Bytes of one type: far above any frame, and low enough that sizes never overflow.
    static let typeSize = 16 * 1024 * 1024
    /// Elements over the schema and every file it includes.
    static let elements = 1_000_000
    /// Element nesting, the root being 1; also bounds how deep type references chain.
    static let depth = 32
    /// Elements of a `type` with a `length`.
    static let arrayLength = 65535
    /// Includes within includes.
    static let includeDepth = 8
}

/// The bytes of one file and where its lines start.
struct SourceFile {
    let path: String
    let bytes: [UInt8]
    /// The byte offset of each line's first byte; lines end at each line feed.
    let lineStarts: [Int]

    /// Reads `path` whole. A missing or unreadable file, one that is not a regular file (a FIFO
    /// or a device would block or never end) and one above `ReadLimits.fileSize` are errors.
    static func read(_ path: String) throws(SchemaFileError) -> SourceFile {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw SchemaFileError("cannot read the file: \(String(cString: strerror(errno)))", file: path)
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw SchemaFileError("not a regular file", file: path)
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw SchemaFileError("cannot open the file", file: path)
        }
        defer { try? handle.close() }
        // One byte more than the limit tells a file at the limit from one above it, even if it grew since stat.
        let data: Data
        do {
            data = try handle.read(upToCount: ReadLimits.fileSize + 1) ?? Data()
        } catch {
            throw SchemaFileError("cannot read the file: \(error.localizedDescription)", file: path)
        }
        guard data.count <= ReadLimits.fileSize else {
            throw SchemaFileError("the file is larger than \(ReadLimits.fileSize) bytes (16 MiB)", file: path)
        }
        return SourceFile(path: path, bytes: [UInt8](data))
    }

    init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
        var starts = [0]
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") { starts.append(offset + 1) }
        self.lineStarts = starts
    }

    /// Line and column (both from 1, the column in characters) of the byte at `offset`.
    func position(ofByte offset: Int) -> (line: Int, column: Int) {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        let characters = bytes[lineStarts[low]..<offset].lazy.filter { !Self.isContinuation($0) }.count
        return (low + 1, characters + 1)
    }

    /// Whether `byte` starts a character (is not a UTF-8 continuation byte).
    static func startsCharacter(_ byte: UInt8) -> Bool { !isContinuation(byte) }

    /// A UTF-8 byte that continues a character rather than starting one.
    private static func isContinuation(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }
}

/// Turns the line and column libxml2 reports into a byte offset. The positions of one parse only
/// move forward, so it walks on from the last one: a long line costs linear time, not quadratic.
struct ForwardCursor {
    private var line = 1
    private var column = 1
    private var offset = 0

    /// The byte offset of `line` and `column` (in characters), clamped to the file.
    mutating func offset(in source: SourceFile, line: Int, column: Int) -> Int {
        guard line >= 1, line <= source.lineStarts.count else { return source.bytes.count }
        if line != self.line || column < self.column {
            (self.line, self.column, self.offset) = (line, 1, source.lineStarts[line - 1])
        }
        let bytes = source.bytes
        while self.column < column && offset < bytes.count {
            offset += 1
            while offset < bytes.count && !SourceFile.startsCharacter(bytes[offset]) { offset += 1 }
            self.column += 1
        }
        return offset
    }
}
