// A build's claim on its work folder: an exclusive flock(2) on `<work>.lock`, taken before the
// folder is made and held until the folder is gone. Prune removes a work folder only once it
// holds that lock itself, so never the folder of a build that is still running.

import Foundation

public final class WorkLock: @unchecked Sendable {
    public let path: String
    private let fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }

    /// `<work>.lock`, the lock of a work folder.
    public static func path(ofWork work: String) -> String { work + ".lock" }

    /// What trying a lock found.
    public enum Claim {
        case taken(WorkLock)
        /// Another process holds it: its build is running.
        case held
        /// There is no lock file (and `create` was false).
        case absent
    }

    /// Takes the lock at `path` (created when `create`), waiting for nobody. A link is not followed.
    public static func claim(_ path: String, create: Bool) throws(ConfigError) -> Claim {
        let fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | (create ? O_CREAT : 0), 0o644)
        guard fd >= 0 else {
            if errno == ENOENT && !create { return .absent }
            throw ConfigError("cannot open the build lock \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let why = errno
            close(fd)
            guard why == EWOULDBLOCK else { throw ConfigError("cannot lock \(path): \(String(cString: strerror(why)))") }
            return .held
        }
        return .taken(WorkLock(path: path, fd: fd))
    }

    /// Removes the lock file while still holding it; the lock itself ends with this object.
    public func unlinkFile() {
        unlink(path)
    }
}
