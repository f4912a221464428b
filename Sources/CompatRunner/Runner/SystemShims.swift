// The system calls of the CSystemShims target, wrapped at once: Swift values in, Swift values
// and errors out, so that no raw pointer of theirs goes further than this file.

import CSystemShims

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failed system call's errno.
struct SystemError: Error {
    let errno: Int32
}

/// A pipe whose two ends are close-on-exec from birth, so that a child another thread spawns at
/// the same moment cannot inherit them; both ends non-blocking when asked.
func makePipe(nonBlocking: Bool = false) throws(SystemError) -> (read: Int32, write: Int32) {
    var fds: [Int32] = [-1, -1]
    let flags = O_CLOEXEC | (nonBlocking ? O_NONBLOCK : 0)
    let rc = fds.withUnsafeMutableBufferPointer { CSystemShims_pipe2($0.baseAddress, flags) }
    guard rc == 0 else { throw SystemError(errno: errno) }
    return (fds[0], fds[1])
}

/// The child closes every descriptor from `lowest` on; where the C library cannot, close-on-exec still holds.
func addCloseFrom(_ actions: inout posix_spawn_file_actions_t, lowest: Int32) {
    _ = CSystemShims_addCloseFrom(&actions, lowest)
}

/// The child starts in `path`.
func addChangeDirectory(_ actions: inout posix_spawn_file_actions_t, to path: String) throws(SystemError) {
    let rc = CSystemShims_addChdir(&actions, path)
    guard rc == 0 else { throw SystemError(errno: rc) }
}

/// Swaps two existing paths in one step (renameat2 with RENAME_EXCHANGE): each then names what
/// the other did. ENOSYS, EINVAL or EOPNOTSUPP where the system or the filesystem cannot.
func exchangePaths(_ first: String, _ second: String) throws(SystemError) {
    guard CSystemShims_exchangePaths(first, second) == 0 else { throw SystemError(errno: errno) }
}

/// Makes this process the reaper of its orphaned descendants (Linux): a grandchild whose parent
/// dies is then its child, to be found and ended, instead of init's. False where it cannot.
func becomeChildSubreaper() -> Bool {
    CSystemShims_becomeChildSubreaper() == 0
}

/// A close-on-exec O_PATH descriptor of what `name` (in `directory`, or a path when nil) names
/// now, never followed through a symbolic link: a link is opened as itself (Linux).
func openPath(_ name: String, in directory: Int32? = nil, mustBeDirectory: Bool = false) throws(SystemError) -> Int32 {
    let descriptor = CSystemShims_openPath(directory ?? AT_FDCWD, name, mustBeDirectory ? 1 : 0)
    guard descriptor >= 0 else { throw SystemError(errno: errno) }
    return descriptor
}

/// A descriptor that becomes readable when the child `pid` exits (Linux), or nil where the system cannot give one.
func exitDescriptor(of pid: Int32) -> Int32? {
    let descriptor = CSystemShims_pidfdOpen(pid)
    return descriptor >= 0 ? descriptor : nil
}

/// How many CPUs this thread may run on (its cpuset, not the machine's count); nil where the system cannot say.
func allowedCPUCount() -> Int? {
    let count = CSystemShims_allowedCPUCount()
    return count > 0 ? Int(count) : nil
}

/// Confines the calling thread, and every process it starts from now on, to the `index`-th CPU it may run on.
func pinCurrentThread(toAllowedCPU index: Int) throws(SystemError) {
    guard CSystemShims_pinToAllowedCPU(Int32(index)) == 0 else { throw SystemError(errno: errno) }
}

/// Schedules the calling thread, and every process it starts from now on, as batch work.
func scheduleCurrentThreadAsBatch() throws(SystemError) {
    guard CSystemShims_scheduleAsBatch() == 0 else { throw SystemError(errno: errno) }
}

/// Lets the calling thread run wherever the process's main thread may, undoing an inherited pin.
func adoptProcessCPUs() throws(SystemError) {
    guard CSystemShims_adoptProcessCPUs() == 0 else { throw SystemError(errno: errno) }
}
