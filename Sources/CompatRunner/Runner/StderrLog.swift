// A child's stderr, read as it comes and kept bounded: its first and last bytes, with a line
// saying how much was left out between them. One thread drains every child's stderr pipe, so
// no child ever blocks on a full pipe and no child can fill the disk or the runner's memory.

import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What one child wrote on stderr: the first `headLimit` bytes and the last `tailLimit`, also
/// written to a file when there is one (the head as it comes, the rest when the child has ended).
final class StderrLog: Sendable {
    static let headLimit = 64 * 1024
    static let tailLimit = 64 * 1024

    /// The read end of the child's stderr pipe (non-blocking); closed by `finish`.
    let fd: Int32

    private struct State {
        var file: Int32
        var head: [UInt8] = []
        /// The newest bytes after the head; up to twice `tailLimit` before it is trimmed.
        var tail: [UInt8] = []
        /// Bytes dropped from the front of `tail`.
        var leftOut = 0
        var atEnd = false
        var finished = false
    }
    private let state: Mutex<State>

    /// `fd` is the pipe's read end, `file` a descriptor open for writing or -1; the log owns both.
    init(fd: Int32, file: Int32) {
        self.fd = fd
        state = Mutex(State(file: file))
    }

    /// One read from the pipe (by the pump). False once there is nothing more to wait for.
    func pump(into scratch: UnsafeMutableRawBufferPointer) -> Bool {
        state.withLock { s in
            guard !s.finished, !s.atEnd else { return false }
            _ = Self.readOnce(fd, into: scratch, &s)
            return !s.atEnd
        }
    }

    /// After the child has ended: takes what is left in the pipe (a bounded number of reads,
    /// as a grandchild that escaped may still be writing), closes it and completes the file.
    func finish() {
        state.withLock { s in
            guard !s.finished else { return }
            s.finished = true
            withUnsafeTemporaryAllocation(byteCount: 65536, alignment: 8) { scratch in
                var reads = 0
                while reads < 64, Self.readOnce(fd, into: scratch, &s) { reads += 1 }
            }
            close(fd)
            Self.trimTail(&s, to: Self.tailLimit)
            if s.file >= 0 {
                writeAll(s.file, Self.middleAndTail(s))
                close(s.file)
                s.file = -1
            }
        }
    }

    /// Everything kept, as the file holds it once finished.
    var bytes: [UInt8] {
        state.withLock { s in s.head + Self.middleAndTail(s) }
    }

    // MARK: Keeping head and tail

    /// Reads once into `scratch` and keeps what came. False at end of file, on an error, or when the pipe is empty.
    private static func readOnce(_ fd: Int32, into scratch: UnsafeMutableRawBufferPointer, _ s: inout State) -> Bool {
        while true {
            let n = read(fd, scratch.baseAddress, scratch.count)
            if n > 0 {
                keep(UnsafeRawBufferPointer(rebasing: scratch[0..<n]), &s)
                return true
            }
            if n < 0 && errno == EINTR { continue }
            if n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) { s.atEnd = true }
            return false
        }
    }

    private static func keep(_ chunk: UnsafeRawBufferPointer, _ s: inout State) {
        var rest = chunk[...]
        if s.head.count < headLimit {
            let taken = rest.prefix(headLimit - s.head.count)
            s.head.append(contentsOf: taken)
            if s.file >= 0 { writeAll(s.file, Array(taken)) }
            rest = rest.dropFirst(taken.count)
        }
        guard !rest.isEmpty else { return }
        s.tail.append(contentsOf: rest)
        // Trimmed in halves, so that a flood costs one copy of the tail per `tailLimit` bytes.
        if s.tail.count > 2 * tailLimit { trimTail(&s, to: tailLimit) }
    }

    private static func trimTail(_ s: inout State, to limit: Int) {
        guard s.tail.count > limit else { return }
        let dropped = s.tail.count - limit
        s.tail.removeFirst(dropped)
        s.leftOut += dropped
    }

    /// The tail, after a line saying what was left out when anything was; the tail then starts at a line.
    private static func middleAndTail(_ s: State) -> [UInt8] {
        guard s.leftOut > 0 else { return s.tail }
        var tail = s.tail[...]
        var leftOut = s.leftOut
        if let newline = tail.firstIndex(of: 10), newline + 1 < tail.endIndex {
            leftOut += newline + 1 - tail.startIndex
            tail = tail[(newline + 1)...]
        }
        let total = s.head.count + leftOut + tail.count
        let opening = s.head.last == 10 || s.head.isEmpty ? "" : "\n"
        let note =
            "\(opening)[compat: \(leftOut) bytes left out here; the first \(s.head.count) and the last \(tail.count) of \(total) bytes are kept]\n"
        return Array(note.utf8) + tail
    }
}

/// Writes every byte, retrying on EINTR; gives up silently on any other error (a log is best effort).
func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) {
    var offset = 0
    while offset < bytes.count {
        let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
        if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return }
    }
}

func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
    bytes.withUnsafeBytes { writeAll(fd, $0) }
}

/// The one thread that reads every child's stderr pipe as soon as it has something.
final class StderrPump: Sendable {
    static let shared = StderrPump()

    private struct State {
        var logs: [ObjectIdentifier: StderrLog] = [:]
        var started = false
    }
    private let state = Mutex(State())
    /// Wakes the thread when a log is added (read end, write end; non-blocking).
    private let wake: (read: Int32, write: Int32)

    private init() {
        // Without it no stderr could be read: a runner that cannot make one pipe cannot start a child either.
        wake = (try? makePipe(nonBlocking: true)) ?? (-1, -1)
    }

    func add(_ log: StderrLog) {
        let start = state.withLock { s in
            s.logs[ObjectIdentifier(log)] = log
            defer { s.started = true }
            return !s.started
        }
        if start {
            Thread.detachNewThread { [self] in run() }
        } else {
            var byte: UInt8 = 1
            _ = write(wake.write, &byte, 1)
        }
    }

    private func remove(_ log: StderrLog) {
        _ = state.withLock { $0.logs.removeValue(forKey: ObjectIdentifier(log)) }
    }

    private func run() {
        // Started by the first thread to spawn a child, which may be a pinned worker (CellPinning):
        // the pump serves every cell, so it keeps to no one worker's CPU.
        try? adoptProcessCPUs()
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 8)
        var drain = [UInt8](repeating: 0, count: 256)
        while true {
            let logs = Array(state.withLock { $0.logs.values })
            var fds =
                [pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)]
                + logs.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            let ready = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), -1) }
            if ready < 0 { continue }
            if fds[0].revents != 0 { while read(wake.read, &drain, drain.count) > 0 {} }
            for (index, log) in logs.enumerated() where fds[index + 1].revents != 0 {
                if !log.pump(into: scratch) { remove(log) }
            }
        }
    }
}
