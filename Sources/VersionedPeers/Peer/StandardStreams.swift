// The peer's side of the JSON-lines pipes: commands split into lines from stdin, events
// queued to stdout without ever blocking the peer on a slow reader.

#if canImport(Glibc)
    import Glibc
#endif

/// Splits stdin into lines; a line longer than `maxLineLength` is refused whole, not buffered.
struct LineReader {
    static let maxLineLength = 1 << 20

    enum Item {
        case line([UInt8])
        case overlong(length: Int)
    }

    private var buffer: [UInt8] = []
    /// Bytes of an overlong line being skipped, until its newline.
    private var skipping: Int?
    private(set) var isClosed = false
    /// Where each read lands: made (and zeroed) once, not for every command read.
    private var chunk = [UInt8](repeating: 0, count: 65536)

    /// Reads what is available on `fd` and returns the complete lines in it.
    mutating func read(from fd: Int32) -> [Item] {
        let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EINTR || errno == EAGAIN { return [] }
            isClosed = true
        } else if count == 0 {
            isClosed = true
        }
        var items: [Item] = []
        if count > 0 { items = split(chunk[0..<count]) }
        if isClosed {
            // A last line without its newline is still a line.
            if let skipped = skipping {
                items.append(.overlong(length: skipped))
            } else if !buffer.isEmpty {
                items.append(.line(buffer))
            }
            buffer = []
            skipping = nil
        }
        return items
    }

    private mutating func split(_ bytes: ArraySlice<UInt8>) -> [Item] {
        var items: [Item] = []
        var start = bytes.startIndex
        while start < bytes.endIndex {
            guard let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else {
                append(bytes[start...])
                break
            }
            append(bytes[start..<newline])
            if let skipped = skipping {
                items.append(.overlong(length: skipped))
                skipping = nil
            } else {
                items.append(.line(buffer))
            }
            buffer = []
            start = newline + 1
        }
        return items
    }

    private mutating func append(_ bytes: ArraySlice<UInt8>) {
        if let skipped = skipping {
            skipping = skipped + bytes.count
        } else if buffer.count + bytes.count > Self.maxLineLength {
            skipping = buffer.count + bytes.count
            buffer = []
        } else {
            buffer.append(contentsOf: bytes)
        }
    }
}

/// Queues lines for stdout and writes what the pipe takes; the rest waits for the pipe to drain.
struct LineWriter {
    private var pending: [UInt8] = []
    private let fd: Int32
    private(set) var isBroken = false

    init(fd: Int32) {
        self.fd = fd
        // Only a pipe is made non-blocking: a terminal or file is shared with others.
        var status = stat()
        if fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFIFO {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
    }

    var hasPending: Bool { !pending.isEmpty }

    /// Queues a line; the peer's loop flushes once per turn, so the events of one turn go out in one write.
    mutating func write(line: String) {
        pending.append(contentsOf: line.utf8)
        pending.append(UInt8(ascii: "\n"))
    }

    /// Writes as much as the pipe takes now.
    mutating func flush() {
        while !pending.isEmpty, !isBroken {
            let written = pending.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written > 0 {
                pending.removeFirst(written)
            } else if written < 0, errno == EINTR {
                continue
            } else if written < 0, errno == EAGAIN {
                return
            } else {
                isBroken = true
            }
        }
    }

    /// Before exit: waits up to five seconds for everything queued to be written, so a
    /// reader that stopped reading cannot keep the peer alive.
    mutating func drain() {
        for _ in 0..<50 where hasPending && !isBroken {
            var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            _ = Glibc.poll(&descriptor, 1, 100)
            flush()
        }
    }
}
