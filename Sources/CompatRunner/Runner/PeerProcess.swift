// One peer child process: started with posix_spawn in a process group of its own, driven
// over stdin/stdout pipes with deadlines, its stderr kept bounded (StderrLog), and always
// killed (with its whole group) and reaped.

import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// MARK: - Errors and outcomes

/// How a peer process ended.
public enum Termination: Sendable, Hashable, CustomStringConvertible {
    /// It exited on its own with this status.
    case exited(Int32)
    /// It died of this signal (not one the runner sent because it stopped answering).
    case signaled(Int32)
    /// The runner SIGKILLed its process group because it did not end in time.
    case killedAfterTimeout

    public var isCleanExit: Bool { self == .exited(0) }

    /// The status a shell shows for it: the exit code, or 128 + the signal (137 after a kill for a timeout).
    public var shellStatus: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled(let sig): 128 + sig
        case .killedAfterTimeout: 128 + SIGKILL
        }
    }

    public var description: String {
        switch self {
        case .exited(let code): "exit \(code)"
        case .signaled(let sig):
            if let name = signalName(sig) { "signal \(sig) (\(name))" } else { "signal \(sig)" }
        case .killedAfterTimeout: "killed after timeout"
        }
    }
}

/// The conventional name of a signal number ("SIGSEGV"), or nil for an unusual one.
public func signalName(_ sig: Int32) -> String? {
    let names: [(Int32, String)] = [
        (SIGHUP, "SIGHUP"), (SIGINT, "SIGINT"), (SIGQUIT, "SIGQUIT"), (SIGILL, "SIGILL"),
        (SIGTRAP, "SIGTRAP"), (SIGABRT, "SIGABRT"), (SIGBUS, "SIGBUS"), (SIGFPE, "SIGFPE"),
        (SIGKILL, "SIGKILL"), (SIGUSR1, "SIGUSR1"), (SIGSEGV, "SIGSEGV"), (SIGUSR2, "SIGUSR2"),
        (SIGPIPE, "SIGPIPE"), (SIGALRM, "SIGALRM"), (SIGTERM, "SIGTERM"), (SIGCHLD, "SIGCHLD"),
        (SIGCONT, "SIGCONT"), (SIGSTOP, "SIGSTOP"), (SIGTSTP, "SIGTSTP"), (SIGTTIN, "SIGTTIN"),
        (SIGTTOU, "SIGTTOU"), (SIGURG, "SIGURG"), (SIGXCPU, "SIGXCPU"), (SIGXFSZ, "SIGXFSZ"),
        (SIGVTALRM, "SIGVTALRM"), (SIGPROF, "SIGPROF"), (SIGWINCH, "SIGWINCH"), (SIGSYS, "SIGSYS"),
    ]
    return names.first { $0.0 == sig }?.1
}

/// A peer program could not be started.
public struct SpawnError: Error, Sendable, CustomStringConvertible {
    /// argv[0] as given.
    public var program: String
    /// The errno of the failure, 0 when there is none (e.g. an empty argv).
    public var errno: Int32
    /// What failed, e.g. "No such file or directory".
    public var reason: String

    public init(program: String, errno: Int32, reason: String) {
        self.program = program
        self.errno = errno
        self.reason = reason
    }

    /// "cannot start /x/peer-v9: No such file or directory".
    public var description: String {
        program.isEmpty ? "cannot start a peer: \(reason)" : "cannot start \(program): \(reason)"
    }
}

/// A failed exchange with a running peer.
public enum PeerIOError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The deadline passed first.
    case timeout
    /// The peer has gone: its stdout reached EOF, or its stdin is closed (EPIPE).
    case closed
    /// A stdout line (so far) is longer than the limit; the payload is its length in bytes.
    case lineTooLong(Int)
    /// Any other system error, as text.
    case io(String)

    public var description: String {
        switch self {
        case .timeout: "timed out waiting for the peer"
        case .closed: "the peer closed its end of the pipe (it has exited)"
        case .lineTooLong(let n): "the peer wrote a stdout line of \(n) bytes, over the limit"
        case .io(let text): text
        }
    }
}

/// Sets SIGPIPE to ignored in this process, so that writing to a peer that has exited
/// gives EPIPE (`PeerIOError.closed`) instead of killing the runner. `PeerProcess` calls
/// it before its first spawn; calling it again is harmless.
public func ignoreSIGPIPE() {
    _ = signal(SIGPIPE, SIG_IGN)
}

private let sigpipeIgnoredOnce: Void = ignoreSIGPIPE()

// MARK: - The process

/// One child process in a new process group, with stdin and stdout as pipes and stderr kept
/// as its first and last bytes (`StderrLog`), in a file when there is a path.
///
/// Threading: the I/O methods (`send`, `readLine`, `availableLines`, `finish`, and
/// `waitForAnyLine` over it) are for one thread at a time — the cell that owns the peer.
/// The lifecycle methods `kill()`, `pollExit()` and `termination` may be called from any
/// thread; reaping happens exactly once, under a lock.
public final class PeerProcess: @unchecked Sendable {
    public let pid: Int32
    /// The full command line that was started (argv + arguments).
    public let commandLine: [String]
    /// Where its stderr is kept (nil: only in memory, `stderrText`).
    public let stderrPath: String?
    /// A stdout line longer than this is an error (`PeerIOError.lineTooLong`).
    public let maxLineLength: Int

    private let registry: ProcessGroupRegistry
    private let stderr: StderrLog
    /// Readable once the leader has exited: `finish` wakes at its exit instead of polling for it.
    private let exitFD: Int32?

    // Owner-thread state.
    private var stdinFD: Int32
    private var readFD: Int32
    private var buffer: [UInt8] = []
    /// Offset of the first byte not yet returned as a line.
    private var start = 0
    /// Offset up to which `buffer` has been searched for "\n" without finding one.
    private var scanned = 0
    private var eof = false
    private var readError: String?

    // Lifecycle state (any thread).
    private struct Lifecycle {
        var termination: Termination?
    }
    private let lifecycle = Mutex(Lifecycle())

    public var stdoutFD: Int32 { readFD }

    /// How it ended, once it has been reaped (by `finish`, `kill` or `pollExit`); nil before.
    public var termination: Termination? { lifecycle.withLock { $0.termination } }

    /// Starts `argv + arguments` (argv[0] is a path; without a "/" it is searched in PATH)
    /// in a new process group, stdin and stdout as pipes, stderr read as it comes and kept as
    /// its first and last 64 KiB, in `stderrPath` (created 0600, truncated) when given; in
    /// `workingDirectory` and with `environment` when given (else the runner's), the signal
    /// mask empty and SIGPIPE/SIGINT/SIGTERM/… at their defaults.
    public init(
        argv: [String],
        arguments: [String] = [],
        stderrPath: String?,
        environment: [String: String]? = nil,
        workingDirectory: String? = nil,
        maxLineLength: Int = 4 * 1024 * 1024,
        registry: ProcessGroupRegistry = ProcessRegistry.shared
    ) throws(SpawnError) {
        _ = sigpipeIgnoredOnce
        let program = argv.first ?? ""
        guard !program.isEmpty else {
            throw SpawnError(program: "", errno: 0, reason: "the command (argv) is empty")
        }
        func failure(_ err: Int32, _ what: String = "") -> SpawnError {
            var reason = what + String(cString: strerror(err))
            if err == ENOENT && what.isEmpty && !program.contains("/") { reason += " (searched PATH)" }
            if let workingDirectory, what.isEmpty { reason += " (to start in \(workingDirectory))" }
            return SpawnError(program: program, errno: err, reason: reason)
        }

        let errFile: Int32
        do {
            errFile = try openStderrFile(stderrPath)
        } catch {
            throw failure(error.errno, "cannot create its stderr file \(stderrPath ?? ""): ")
        }
        let pipes: ChildPipes
        do {
            pipes = try ChildPipes()
        } catch {
            if errFile >= 0 { close(errFile) }
            throw failure(error.errno, "pipe: ")
        }
        let all = argv + arguments
        let setting = ChildSetting(environment: environment.map { $0.map { "\($0.key)=\($0.value)" } }, workingDirectory: workingDirectory)
        let spawned = Result { () throws(SystemError) in
            try registry.start { () throws(SystemError) in try spawnChild(all, pipes: pipes, setting: setting) }
        }
        pipes.closeChildEnds()
        guard case .success(let child?) = spawned else {
            pipes.closeParentEnds()
            if errFile >= 0 { close(errFile) }
            if case .failure(let error) = spawned { throw failure(error.errno) }
            // The runner is being interrupted: nothing new may start.
            throw SpawnError(program: program, errno: EINTR, reason: "the runner is shutting down")
        }

        self.pid = child
        self.commandLine = all
        self.stderrPath = stderrPath
        self.maxLineLength = max(1, maxLineLength)
        self.registry = registry
        self.stdinFD = pipes.parentIn
        self.readFD = pipes.parentOut
        self.stderr = StderrLog(fd: pipes.parentErr, file: errFile)
        self.exitFD = exitDescriptor(of: child)
        StderrPump.shared.add(stderr)
    }

    deinit {
        if lifecycle.withLock({ $0.termination }) == nil {
            _ = reap(killGroup: true, killedByUs: true)
        }
        if stdinFD >= 0 { close(stdinFD) }
        if readFD >= 0 { close(readFD) }
        if let exitFD { close(exitFD) }
    }

    // MARK: Writing

    /// Writes `line` and a "\n". Waits (poll) for room in the pipe until `deadline`.
    /// `.closed` when the peer has gone (EPIPE) or its stdin was already closed by `finish`.
    public func send(line: String, deadline: ContinuousClock.Instant) throws(PeerIOError) {
        try send(lines: [line], deadline: deadline)
    }

    /// Several lines in one write, so the peer reads them in one go.
    public func send(lines: [String], deadline: ContinuousClock.Instant) throws(PeerIOError) {
        guard stdinFD >= 0 else { throw .closed }
        var bytes: [UInt8] = []
        for line in lines {
            let start = bytes.count
            bytes += line.utf8
            if bytes[start...].contains(10) { throw .io("a command line must not contain a newline") }
            bytes.append(10)
        }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                write(stdinFD, raw.baseAddress! + offset, raw.count - offset)
            }
            if n > 0 {
                offset += n
                continue
            }
            let err = n < 0 ? errno : EAGAIN
            switch err {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                let ready = pollOne(stdinFD, events: Int16(POLLOUT), deadline: deadline)
                if ready < 0 { throw .io("poll: \(String(cString: strerror(errno)))") }
                if ready == 0 && ContinuousClock.now >= deadline { throw .timeout }
            case EPIPE:
                throw .closed
            default:
                throw .io("write to \(commandLine[0]): \(String(cString: strerror(err)))")
            }
        }
    }

    // MARK: Reading

    /// The next complete stdout line, without its "\n", waiting until `deadline`.
    /// At EOF an unterminated last line is still returned; after it, `.closed`.
    public func readLine(deadline: ContinuousClock.Instant) throws(PeerIOError) -> String {
        while true {
            if let line = try takeLine() { return line }
            if eof { throw .closed }
            if let readError { throw .io(readError) }
            try fillWhenReady(deadline: deadline)
        }
    }

    /// The lines that can be had now without waiting (it reads what is in the pipe).
    /// `.closed` when the stream has ended and nothing is left.
    public func availableLines() throws(PeerIOError) -> [String] {
        // At most 64 reads (4 MiB): a peer that writes without pause cannot keep us here.
        var reads = 0
        while reads < 64 && !eof && readError == nil && hasPendingInput() {
            if pendingCount > maxLineLength && !bufferHasNewline() { break }
            fill()
            reads += 1
        }
        return try bufferedLines()
    }

    /// The lines already read, without reading more: for a caller that has just read the pipe
    /// (`waitForAnyLine`), so it is not polled again. `.closed` when the stream has ended and nothing is left.
    func bufferedLines() throws(PeerIOError) -> [String] {
        var lines: [String] = []
        while let line = try takeLine() { lines.append(line) }
        if lines.isEmpty {
            if eof { throw .closed }
            if let readError { throw .io(readError) }
        }
        return lines
    }

    /// Everything it writes on stdout until it closes it, waiting until `deadline`. Output longer
    /// than `maxLineLength` is `.lineTooLong` (it counts as one line here).
    public func readToEnd(deadline: ContinuousClock.Instant) throws(PeerIOError) -> [UInt8] {
        while !eof {
            if let readError { throw .io(readError) }
            if pendingCount > maxLineLength { throw .lineTooLong(pendingCount) }
            try fillWhenReady(deadline: deadline)
        }
        defer {
            start = buffer.count
            compact()
        }
        return Array(buffer[start...])
    }

    /// Waits for stdout to have something and reads it; `.timeout` once `deadline` has passed.
    private func fillWhenReady(deadline: ContinuousClock.Instant) throws(PeerIOError) {
        let ready = pollOne(readFD, events: Int16(POLLIN), deadline: deadline)
        if ready < 0 { throw .io("poll: \(String(cString: strerror(errno)))") }
        if ready > 0 {
            fill()
        } else if ContinuousClock.now >= deadline {
            throw .timeout
        }
    }

    /// Whether `readLine` would return (or throw) without waiting: a complete line is
    /// buffered, or the stream has ended or failed, or the buffered line is already too long.
    var isReadyToRead: Bool {
        eof || readError != nil || bufferHasNewline() || pendingCount > maxLineLength
    }

    private var pendingCount: Int { buffer.count - start }

    /// Bytes read from its stdout and not yet returned as lines (at most a line's maximum and a read).
    var bufferedStdoutBytes: Int { pendingCount }

    /// The first `limit` of those bytes: what a peer wrote of a line it has not ended.
    func unterminatedStdout(limit: Int) -> [UInt8] { Array(buffer[start..<min(buffer.count, start + limit)]) }

    private func bufferHasNewline() -> Bool {
        if scanned < start { scanned = start }
        while scanned < buffer.count {
            if buffer[scanned] == 10 { return true }
            scanned += 1
        }
        return false
    }

    private func takeLine() throws(PeerIOError) -> String? {
        if bufferHasNewline() {
            let end = scanned
            let length = end - start
            let line = String(decoding: buffer[start..<end], as: UTF8.self)
            start = end + 1
            scanned = start
            compact()
            if length > maxLineLength { throw .lineTooLong(length) }
            return line
        }
        if pendingCount > maxLineLength { throw .lineTooLong(pendingCount) }
        if eof && pendingCount > 0 {
            let line = String(decoding: buffer[start...], as: UTF8.self)
            start = buffer.count
            scanned = start
            compact()
            return line
        }
        return nil
    }

    private func compact() {
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 20)
            start = 0
            scanned = 0
        } else if start > 65536 && start > buffer.count / 2 {
            buffer.removeSubrange(0..<start)
            scanned -= start
            start = 0
        }
    }

    private func hasPendingInput() -> Bool {
        var p = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
        while true {
            let r = poll(&p, 1, 0)
            if r < 0 && errno == EINTR { continue }
            return r > 0
        }
    }

    /// One non-blocking read into the buffer: sets `eof` or `readError` as they happen.
    /// With `discard`, the bytes are dropped (draining a peer that is being finished).
    fileprivate func fill(discard: Bool = false) {
        guard readFD >= 0, !eof, readError == nil else { return }
        let chunk = 65536
        var got = 0
        while true {
            var err: Int32 = 0
            // Read into spare capacity and keep only what arrived: no zero-filling of the chunk.
            let n = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: chunk) { scratch in
                let r = read(readFD, scratch.baseAddress!, chunk)
                err = errno
                if r > 0 { buffer.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[0..<r])) }
                return r
            }
            got = max(n, 0)
            if n > 0 { break }
            if n == 0 {
                eof = true
                break
            }
            if err == EINTR { continue }
            if err != EAGAIN && err != EWOULDBLOCK {
                readError = "read from \(commandLine[0]): \(String(cString: strerror(err)))"
            }
            break
        }
        if discard && got > 0 && pendingCount > maxLineLength {
            buffer.removeAll()
            start = 0
            scanned = 0
        }
    }

    // MARK: Ending

    /// Closes its stdin: the end of its input (P1: a peer exits), without waiting for it.
    public func closeStdin() {
        guard stdinFD >= 0 else { return }
        close(stdinFD)
        stdinFD = -1
    }

    /// Closes the peer's stdin, waits up to `grace` for it to exit (draining its stdout
    /// meanwhile, so it cannot block on a full pipe; up to a line's maximum stays readable), then SIGKILLs
    /// the whole process group — always, so no grandchild survives — and reaps it.
    /// `.killedAfterTimeout` when it had not exited within `grace`.
    public func finish(grace: Duration) -> Termination {
        if let t = termination { return t }
        closeStdin()
        let deadline = ContinuousClock.now.advanced(by: grace)
        if let exitFD { return finish(watching: exitFD, until: deadline) }
        var pause: Int32 = 1
        while true {
            if leaderHasExited() {
                return reap(killGroup: true, killedByUs: false)
            }
            if ContinuousClock.now >= deadline { break }
            // Sleep in poll on stdout: wakes early when there is output to drain.
            let remaining = milliseconds(until: deadline)
            let wait = min(pause, remaining)
            if readFD >= 0 && !eof && readError == nil {
                var p = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
                if poll(&p, 1, wait) > 0 { fill(discard: true) }
            } else {
                var p = pollfd(fd: -1, events: 0, revents: 0)
                _ = poll(&p, 0, wait)
            }
            pause = min(pause * 2, 20)
        }
        return reap(killGroup: true, killedByUs: true)
    }

    /// `finish` where the system says when the leader exits: poll on that and on stdout (drained
    /// so the peer never blocks on it) until it has exited or `deadline` passed.
    private func finish(watching exitFD: Int32, until deadline: ContinuousClock.Instant) -> Termination {
        while !leaderHasExited() {
            let remaining = milliseconds(until: deadline)
            if remaining <= 0 { return reap(killGroup: true, killedByUs: true) }
            let draining = readFD >= 0 && !eof && readError == nil
            var fds = [
                pollfd(fd: exitFD, events: Int16(POLLIN), revents: 0),
                pollfd(fd: draining ? readFD : -1, events: Int16(POLLIN), revents: 0),
            ]
            if poll(&fds, 2, remaining) > 0 && fds[1].revents != 0 { fill(discard: true) }
        }
        return reap(killGroup: true, killedByUs: false)
    }

    /// SIGKILLs the process group now and reaps the leader. If the leader had already
    /// exited on its own, that exit is what is returned; otherwise `.killedAfterTimeout`.
    @discardableResult
    public func kill() -> Termination {
        if let t = termination { return t }
        let exitedAlready = leaderHasExited()
        return reap(killGroup: true, killedByUs: !exitedAlready)
    }

    /// Without waiting: nil while the leader runs; once it has exited, kills what is left
    /// of its group, reaps it, and returns how it ended.
    public func pollExit() -> Termination? {
        if let t = termination { return t }
        guard leaderHasExited() else { return nil }
        return reap(killGroup: true, killedByUs: false)
    }

    /// Whether the leader has exited (it is a zombie, or already reaped), without reaping it.
    private func leaderHasExited() -> Bool {
        var info = siginfo_t()
        while true {
            let r = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
            if r == 0 { return info._sifields._sigchld.si_pid == pid }
            if errno == EINTR { continue }
            return errno == ECHILD
        }
    }

    /// Kills the group (while the unreaped leader still holds its pgid), unregisters it, and
    /// reaps the leader. Exactly once; later calls return the recorded termination.
    private func reap(killGroup: Bool, killedByUs: Bool) -> Termination {
        lifecycle.withLock { state in
            if let t = state.termination { return t }
            if killGroup {
                killProcessGroup(pid)
                // The leader too, by pid: should its group ever not be its own, it still dies.
                _ = killPID(pid)
            }
            registry.unregister(pid)
            var status: Int32 = 0
            var r: pid_t
            repeat { r = waitpid(pid, &status, 0) } while r == -1 && errno == EINTR
            registry.reaped(pid)
            let t: Termination
            if r != pid {
                // Reaped by someone else (e.g. SIGCHLD set to SIG_IGN): the status is lost.
                t = killedByUs ? .killedAfterTimeout : .signaled(SIGKILL)
            } else if status & 0x7f == 0 {
                t = .exited((status >> 8) & 0xff)
            } else {
                let sig = status & 0x7f
                t = (killedByUs && sig == SIGKILL) ? .killedAfterTimeout : .signaled(sig)
            }
            state.termination = t
            // Its writers are gone: what they wrote is in the pipe, to be kept.
            stderr.finish()
            return t
        }
    }

    // MARK: stderr

    /// How much of its stderr a report carries.
    public static let stderrTailBytes = 4096

    /// The last bytes of its stderr as kept (at most `maxBytes`), as text (invalid UTF-8
    /// repaired), starting at a line start when the cut falls inside it.
    public func stderrTail(maxBytes: Int = stderrTailBytes) -> String {
        tailText(stderr.bytes, maxBytes: maxBytes)
    }

    /// Its stderr as kept: whole when short, else its first and last 64 KiB around a line saying what was left out.
    public var stderrText: String { String(decoding: stderr.bytes, as: UTF8.self) }
}

/// The last bytes of `bytes` (at most `maxBytes`) as text, cut at a line start when possible.
func tailText(_ bytes: [UInt8], maxBytes: Int) -> String {
    guard maxBytes > 0 else { return "" }
    var slice = bytes.suffix(maxBytes)
    if slice.startIndex > 0 {
        if let nl = slice.firstIndex(of: 10), nl + 1 < slice.endIndex {
            slice = slice[(nl + 1)...]
        } else {
            // No line start to cut at: at least do not begin inside a UTF-8 sequence.
            while let first = slice.first, first & 0xC0 == 0x80 { slice = slice.dropFirst() }
        }
    }
    return String(decoding: slice, as: UTF8.self)
}

// MARK: - Waiting on several peers

/// Waits until any of `peers` has a complete stdout line, EOF or an error to report (so
/// that `readLine` on it returns at once), or the deadline passes. Returns the indices of
/// the ready peers, in order; empty on timeout.
public func waitForAnyLine(_ peers: [PeerProcess], deadline: ContinuousClock.Instant) -> [Int] {
    while true {
        let ready = peers.indices.filter { peers[$0].isReadyToRead }
        if !ready.isEmpty { return ready }
        var fds = peers.map { pollfd(fd: $0.stdoutFD, events: Int16(POLLIN), revents: 0) }
        let r = fds.withUnsafeMutableBufferPointer { buf in
            poll(buf.baseAddress, nfds_t(buf.count), milliseconds(until: deadline))
        }
        if r < 0 && errno != EINTR { return [] }
        if r > 0 {
            for i in fds.indices where fds[i].revents != 0 {
                peers[i].fill()
            }
        } else if r == 0 && ContinuousClock.now >= deadline {
            return []
        }
    }
}

/// Milliseconds from now to `deadline`, rounded up, clamped to 0...Int32.max.
func milliseconds(until deadline: ContinuousClock.Instant) -> Int32 {
    let left = ContinuousClock.now.duration(to: deadline)
    if left <= .zero { return 0 }
    let (seconds, attoseconds) = left.components
    let ms = seconds.multipliedReportingOverflow(by: 1000)
    if ms.overflow || seconds > Int64(Int32.max) { return Int32.max }
    let total = ms.partialValue + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
    return Int32(clamping: total)
}

/// poll(2) on one descriptor until `deadline`; retries on EINTR. Returns poll's result.
func pollOne(_ fd: Int32, events: Int16, deadline: ContinuousClock.Instant) -> Int32 {
    var p = pollfd(fd: fd, events: events, revents: 0)
    while true {
        let r = poll(&p, 1, milliseconds(until: deadline))
        if r < 0 && errno == EINTR { continue }
        return r
    }
}

/// SIGKILL to every process of the group `pgid`.
private func killProcessGroup(_ pgid: Int32) {
    if pgid > 0 { _ = kill(-pgid, SIGKILL) }
}

private func killPID(_ pid: Int32) -> Int32 { kill(pid, SIGKILL) }

/// The stderr file at `path`, created 0600 and truncated; -1 when there is no path.
private func openStderrFile(_ path: String?) throws(SystemError) -> Int32 {
    guard let path else { return -1 }
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw SystemError(errno: errno) }
    _ = fchmod(fd, 0o600)
    return fd
}
