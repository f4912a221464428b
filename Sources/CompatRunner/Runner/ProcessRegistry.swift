// Every live child process group of the runner, so that an interrupt can kill them all.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A set of process groups (each named by its leader's pid, which is also its pgid) that
/// can all be killed at once.
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
        /// Set by `killAll()`: from then on `register` refuses, so a child spawned while the
        /// runner is being interrupted is killed at once instead of escaping.
        var closed = false
    }

    private let state = Mutex(State())

    public init() {}

    /// Adds a process group. Returns false, and adds nothing, once `killAll()` has run:
    /// the caller must then kill the group itself.
    @discardableResult
    public func register(_ pgid: Int32) -> Bool {
        state.withLock { s in
            if s.closed { return false }
            s.groups.insert(pgid)
            return true
        }
    }

    public func unregister(_ pgid: Int32) {
        _ = state.withLock { s in s.groups.remove(pgid) }
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
}

/// The runner's one registry: every `PeerProcess` registers its process group here while
/// its leader is alive and unreaped.
public enum ProcessRegistry {
    public static let shared = ProcessGroupRegistry()

    @discardableResult
    public static func register(_ pid: Int32) -> Bool { shared.register(pid) }
    public static func unregister(_ pid: Int32) { shared.unregister(pid) }
    /// Kills every live peer process group of this runner (for SIGINT/SIGTERM).
    @discardableResult
    public static func killAll() -> Int { shared.killAll() }
    public static var groups: Set<Int32> { shared.groups }
}
