// The one place a child process is started: posix_spawn with three pipes, in a process group
// of its own, with default signal handling and nothing of the runner's but stdin, stdout and stderr.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A child's stdin, stdout and stderr pipes: the child's ends (above 0...2, so no dup2 clobbers
/// another) and the runner's (non-blocking). Every end is close-on-exec from birth.
struct ChildPipes {
    let childIn: Int32, childOut: Int32, childErr: Int32
    let parentIn: Int32, parentOut: Int32, parentErr: Int32

    init() throws(SystemError) {
        let input = try makePipe()
        let output: (read: Int32, write: Int32)
        let errors: (read: Int32, write: Int32)
        do {
            output = try makePipe()
        } catch {
            for fd in [input.read, input.write] { close(fd) }
            throw error
        }
        do {
            errors = try makePipe()
        } catch {
            for fd in [input.read, input.write, output.read, output.write] { close(fd) }
            throw error
        }
        (childIn, parentIn) = (aboveStdio(input.read), input.write)
        (parentOut, childOut) = (output.read, aboveStdio(output.write))
        (parentErr, childErr) = (errors.read, aboveStdio(errors.write))
        for fd in [parentIn, parentOut, parentErr] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    }

    func closeChildEnds() { for fd in [childIn, childOut, childErr] { close(fd) } }
    func closeParentEnds() { for fd in [parentIn, parentOut, parentErr] { close(fd) } }
}

/// Where and with what a child starts, besides its arguments and pipes.
struct ChildSetting {
    /// "NAME=value" entries; nil inherits the runner's environment.
    var environment: [String]?
    /// nil starts it in the runner's working directory.
    var workingDirectory: String?
}

/// posix_spawnp of `arguments` (argv[0] without a "/" is searched in PATH) with `pipes` as its
/// 0, 1 and 2, in a new process group, the signal mask empty and the usual signals at their
/// defaults. The child's pid, or the errno of the failure.
func spawnChild(_ arguments: [String], pipes: ChildPipes, setting: ChildSetting) throws(SystemError) -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, pipes.childIn, 0)
    posix_spawn_file_actions_adddup2(&actions, pipes.childOut, 1)
    posix_spawn_file_actions_adddup2(&actions, pipes.childErr, 2)
    // Nothing else of the runner's reaches a child, even a descriptor without close-on-exec.
    addCloseFrom(&actions, lowest: 3)
    if let directory = setting.workingDirectory { try addChangeDirectory(&actions, to: directory) }

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
    for sig in [
        SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2, SIGALRM, SIGCHLD,
        SIGTSTP, SIGTTIN, SIGTTOU, SIGXFSZ,
    ] {
        sigaddset(&defaults, sig)
    }
    posix_spawnattr_setsigdefault(&attributes, &defaults)

    let cArguments = cStrings(arguments)
    let cEnvironment = setting.environment.map(cStrings)
    defer { for pointer in cArguments + (cEnvironment ?? []) { free(pointer) } }
    var child: pid_t = 0
    let rc = posix_spawnp(&child, arguments[0], &actions, &attributes, cArguments, cEnvironment ?? inheritedEnvironment())
    guard rc == 0 else { throw SystemError(errno: rc) }
    return child
}

/// This process's environment entries as they are (not copied, not to be freed), NULL-terminated.
private func inheritedEnvironment() -> [UnsafeMutablePointer<CChar>?] {
    var entries: [UnsafeMutablePointer<CChar>?] = []
    guard var cursor = Optional(environ) else { return [nil] }
    while let entry = cursor.pointee {
        entries.append(entry)
        cursor += 1
    }
    return entries + [nil]
}

/// A NULL-terminated array of C strings, to be freed by the caller.
private func cStrings(_ strings: [String]) -> [UnsafeMutablePointer<CChar>?] {
    strings.map { strdup($0) } + [nil]
}

/// `fd` itself when it is above 2, otherwise a close-on-exec duplicate above 2 (and `fd` closed).
private func aboveStdio(_ fd: Int32) -> Int32 {
    guard fd >= 0 && fd <= 2 else { return fd }
    let dup = fcntl(fd, F_DUPFD_CLOEXEC, 3)
    if dup < 0 { return fd }
    close(fd)
    return dup
}
