// Every live child process group of the runner, so that an interrupt can kill them all; and,
// when the runner adopts its orphans, the sweeps that end every descendant a cell left behind.

import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A set of process groups (each named by its leader's pid, which is also its pgid) that
/// can all be killed at once, and of the children started through it that are not reaped yet.
///
/// Thread-safe. `killAll()` only takes a mutex and calls `kill(2)`, so it may be called
/// from any ordinary thread, including a dedicated thread that waits on SIGINT/SIGTERM
/// with `sigwait` (it is not meant for the inside of an asynchronous signal handler).
///
/// The invariant that makes `kill(-pgid, …)` safe: a pid stays registered only while its
/// leader has not been reaped, so its number cannot have been reused by another process.
/// `PeerProcess` unregisters a leader before it calls `waitpid` on it.
public final class ProcessGroupRegistry: Sendable {
    private struct State {
        var groups: Set<Int32> = []
        /// Children started through `start` and not reaped yet, counted (a pid is reused only after
        /// its reaping, but its count may go down just after the new child's went up).
        var unreaped: [Int32: Int] = [:]
        /// Set by `killAll()`: from then on nothing starts, so a child spawned while the
        /// runner is being interrupted cannot escape.
        var closed = false
        /// Set by `adoptOrphans()`: orphaned descendants become this process's children.
        var adoptsOrphans = false
    }

    private let state = Mutex(State())
    /// Spawns hold it shared, a sweep alone (see `start`).
    private let spawnGate = SpawnGate()

    public init() {}

    /// Starts a child with `start` and registers it as a group leader. Nil, and nothing started,
    /// once `killAll()` has run; a child whose start overlapped `killAll()` is killed at once and
    /// returned, for its owner to reap.
    ///
    /// The spawn holds the spawn gate shared, not the state's lock: a spawn can take milliseconds
    /// (its vfork child waits for a CPU), and reaping, registering and the other workers' spawns
    /// need not wait for it. A sweep holds the gate alone, so it never sees a child between its
    /// birth and its registration.
    func start(_ start: () throws(SystemError) -> pid_t) throws(SystemError) -> pid_t? {
        guard !state.withLock({ $0.closed }) else { return nil }
        return try spawnGate.shared { () throws(SystemError) -> pid_t in
            let pid = try start()
            state.withLock { s in
                s.unreaped[pid, default: 0] += 1
                if s.closed {
                    _ = kill(-pid, SIGKILL)
                    _ = kill(pid, SIGKILL)
                } else {
                    s.groups.insert(pid)
                }
            }
            return pid
        }
    }

    func unregister(_ pgid: Int32) {
        _ = state.withLock { s in s.groups.remove(pgid) }
    }

    /// After `waitpid` has reaped a child that `start` started.
    func reaped(_ pid: Int32) {
        state.withLock { s in
            guard let count = s.unreaped[pid] else { return }
            s.unreaped[pid] = count > 1 ? count - 1 : nil
        }
    }

    /// SIGKILLs every registered process group and closes the registry to new groups.
    /// Does not reap: the owners of the processes (`PeerProcess`) still do that, and see
    /// their peer end with signal 9. Returns how many groups were signalled.
    @discardableResult
    public func killAll() -> Int {
        state.withLock { s in
            s.closed = true
            for pgid in s.groups where pgid > 0 {
                _ = kill(-pgid, SIGKILL)
            }
            let n = s.groups.count
            s.groups.removeAll()
            return n
        }
    }

    /// The groups registered now (for diagnostics and tests).
    public var groups: Set<Int32> { state.withLock { $0.groups } }

    /// Whether `killAll()` has run.
    public var isClosed: Bool { state.withLock { $0.closed } }

    // MARK: Orphans

    /// Makes this process the child subreaper of everything it starts (Linux): a descendant whose
    /// parent dies — a grandchild that left its peer's group with setsid, say — becomes its child
    /// instead of init's, and the sweeps below find and end it. Only for a process that starts
    /// every child through `PeerProcess` (`compat`): any other child would be taken for an orphan.
    /// False where the system cannot.
    @discardableResult
    public func adoptOrphans() -> Bool {
        guard becomeChildSubreaper() else { return false }
        state.withLock { $0.adoptsOrphans = true }
        return true
    }

    /// Kills and reaps this process's orphans: children it did not start that belong to no live
    /// group of a running cell. Their own children become its children as they die, and are
    /// ended in the next round. Nothing unless it adopts its orphans.
    public func endOrphans() {
        guard state.withLock({ $0.adoptsOrphans }) else { return }
        // Bounded, should descendants keep forking: each round ends the orphans there are.
        for _ in 0..<100 {
            let orphans = spawnGate.alone {
                state.withLock { s in
                    let found = childProcesses().filter { s.unreaped[$0] == nil && !s.groups.contains(getpgid($0)) }
                    for pid in found { _ = kill(pid, SIGKILL) }
                    return found
                }
            }
            if orphans.isEmpty { return }
            for pid in orphans { reapKilled(pid) }
        }
    }

    /// Before this process exits: kills every group and every child it still has — peers, orphans
    /// and theirs — and reaps them, for up to `limit`.
    public func endEveryChild(within limit: Duration) {
        killAll()
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let children = childProcesses()
            if children.isEmpty { return }
            for pid in children { _ = kill(pid, SIGKILL) }
            var status: Int32 = 0
            if waitpid(-1, &status, WNOHANG) <= 0 { usleep(1_000) }
        }
    }
}

/// A readers-writer lock (pthread_rwlock, writers first): spawns share it, a sweep holds it alone.
private final class SpawnGate: @unchecked Sendable {
    private let lock: UnsafeMutablePointer<pthread_rwlock_t> = {
        let lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
        var attributes = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attributes)
        #if canImport(Glibc)
            // A sweep waits for the spawns under way, not for every spawn to come.
            pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        #endif
        pthread_rwlock_init(lock, &attributes)
        pthread_rwlockattr_destroy(&attributes)
        return lock
    }()

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    func shared<T>(_ body: () throws(SystemError) -> T) throws(SystemError) -> T {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }

    func alone<T>(_ body: () -> T) -> T {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return body()
    }
}

/// Waits for a child this process has just SIGKILLed.
private func reapKilled(_ pid: Int32) {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
}

/// The runner's one registry: every `PeerProcess` registers its process group here while
/// its leader is alive and unreaped.
public enum ProcessRegistry {
    public static let shared = ProcessGroupRegistry()

    /// Kills every live peer process group of this runner (for SIGINT/SIGTERM).
    @discardableResult
    public static func killAll() -> Int { shared.killAll() }
    public static var groups: Set<Int32> { shared.groups }
}
