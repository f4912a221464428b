// A peer's side of a cell's conversation, streamed to the cell's folder as it happens, so
// that the runner never holds it: the folder is kept when the cell fails, removed otherwise.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The lines to ("> ") and from ("< ") one peer, in a file, through a buffer so a line costs a copy.
/// Only the first `lineLimit` lines and `byteLimit` bytes are kept; a last line counts the rest.
final class Transcript {
    static let lineLimit = 50_000
    static let byteLimit = 64 << 20
    private static let bufferSize = 64 * 1024

    private var fd: Int32
    private var buffer: [UInt8] = []
    private var lines = 0
    private var bytes = 0
    private var droppedLines = 0

    /// A new file at `path` (0600, truncated); nil when it cannot be made (the cell goes on without one).
    init?(path: String) {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        buffer.reserveCapacity(Self.bufferSize)
    }

    deinit { finish() }

    func record(_ line: String, outbound: Bool) {
        var line = line
        let length = line.utf8.count + 3
        guard lines < Self.lineLimit, bytes + length <= Self.byteLimit, fd >= 0 else {
            droppedLines += 1
            return
        }
        lines += 1
        bytes += length
        let marker: [UInt8] = outbound ? [62, 32] : [60, 32]  // "> " or "< "
        if buffer.count + length > Self.bufferSize { flush() }
        guard length <= Self.bufferSize else {
            // A line longer than the buffer goes out at once rather than growing it.
            writeAll(fd, marker)
            line.withUTF8 { writeAll(fd, UnsafeRawBufferPointer($0)) }
            writeAll(fd, [10])
            return
        }
        buffer.append(contentsOf: marker)
        line.withUTF8 { buffer.append(contentsOf: $0) }
        buffer.append(10)
    }

    /// Writes what is buffered and a line counting what was not kept, and closes the file.
    func finish() {
        guard fd >= 0 else { return }
        if droppedLines > 0 {
            buffer += Array("… \(droppedLines) more lines not kept (the first \(lines) lines, \(bytes) bytes, are)\n".utf8)
        }
        flush()
        close(fd)
        fd = -1
    }

    private func flush() {
        writeAll(fd, buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
