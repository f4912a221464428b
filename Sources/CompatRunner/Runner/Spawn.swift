// The one place a child process is started: posix_spawn with three pipes, in a process group
// of its own, with default signal handling and nothing of the runner's but stdin, stdout and stderr.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call's errno.
struct SystemError: Error {
    let errno: Int32
}

/// A child's stdin, stdout and stderr pipes: the child's ends (above 0...2, so no dup2 clobbers
/// another) and the runner's (non-blocking). Every end is close-on-exec from birth, so that no
/// child another thread spawns at the same moment inherits them (and keeps a peer's stdin open).
struct ChildPipes {
    let childIn: Int32, childOut: Int32, childErr: Int32
    let parentIn: Int32, parentOut: Int32, parentErr: Int32

    init() throws(SystemError) {
        var made: [[Int32]] = []
        for _ in 0..<3 {
            var fds: [Int32] = [-1, -1]
            guard makePipe(&fds) == 0 else {
                let error = SystemError(errno: errno)
                for pair in made { close(pair[0]); close(pair[1]) }
                throw error
            }
            made.append(fds)
        }
        (childIn, parentIn) = (aboveStdio(made[0][0]), made[0][1])
        (parentOut, childOut) = (made[1][0], aboveStdio(made[1][1]))
        (parentErr, childErr) = (made[2][0], aboveStdio(made[2][1]))
        for fd in [parentIn, parentOut, parentErr] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    }

    func closeChildEnds() { for fd in [childIn, childOut, childErr] { close(fd) } }
    func closeParentEnds() { for fd in [parentIn, parentOut, parentErr] { close(fd) } }
}

/// posix_spawnp of `arguments` (argv[0] without a "/" is searched in PATH) with `pipes` as its
/// 0, 1 and 2, in a new process group, the signal mask empty and the usual signals at their
/// defaults. The child's pid, or the errno of the failure.
func spawnChild(_ arguments: [String], pipes: ChildPipes) throws(SystemError) -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, pipes.childIn, 0)
    posix_spawn_file_actions_adddup2(&actions, pipes.childOut, 1)
    posix_spawn_file_actions_adddup2(&actions, pipes.childErr, 2)
    // Nothing else of the runner's reaches a child, even a descriptor without close-on-exec.
    if let addCloseFrom = addCloseFromFunction { _ = addCloseFrom(&actions, 3) }

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
    posix_spawnattr_setpgroup(&attributes, 0)
    var emptyMask = sigset_t()
    sigemptyset(&emptyMask)
    posix_spawnattr_setsigmask(&attributes, &emptyMask)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for sig in [SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2, SIGALRM, SIGCHLD,
                SIGTSTP, SIGTTIN, SIGTTOU, SIGXFSZ] {
        sigaddset(&defaults, sig)
    }
    posix_spawnattr_setsigdefault(&attributes, &defaults)

    var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
    cArguments.append(nil)
    defer { for pointer in cArguments { free(pointer) } }
    var child: pid_t = 0
    let rc = posix_spawnp(&child, arguments[0], &actions, &attributes, cArguments, environ)
    guard rc == 0 else { throw SystemError(errno: rc) }
    return child
}

/// pipe2(2), which Glibc's Swift module does not export (it is a _GNU_SOURCE function).
private let pipe2Function: (@convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32)? = {
    guard let symbol = dlsym(nil, "pipe2") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32).self)
}()

/// posix_spawn_file_actions_addclosefrom_np (glibc 2.34+), not exported by Glibc's Swift module.
private let addCloseFromFunction: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32)? = {
    guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
    return unsafeBitCast(
        symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32).self)
}()

/// Whether pipes are made atomically close-on-exec (pipe2 was found).
var hasAtomicPipe2: Bool { pipe2Function != nil }

/// A pipe whose two ends are close-on-exec from birth.
func makePipe(_ fds: inout [Int32]) -> Int32 {
    fds.withUnsafeMutableBufferPointer { buf in
        if let pipe2Function { return pipe2Function(buf.baseAddress, O_CLOEXEC) }
        // Fallback (no pipe2): not atomic, but still close-on-exec before any exec of ours.
        guard pipe(buf.baseAddress) == 0 else { return -1 }
        _ = fcntl(buf[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(buf[1], F_SETFD, FD_CLOEXEC)
        return 0
    }
}

/// `fd` itself when it is above 2, otherwise a close-on-exec duplicate above 2 (and `fd` closed).
private func aboveStdio(_ fd: Int32) -> Int32 {
    guard fd >= 0 && fd <= 2 else { return fd }
    let dup = fcntl(fd, F_DUPFD_CLOEXEC, 3)
    if dup < 0 { return fd }
    close(fd)
    return dup
}
