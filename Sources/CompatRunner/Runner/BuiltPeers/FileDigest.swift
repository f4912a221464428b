// SHA-256 of a file by the system's libcrypto (through CSystemShims): what a built peer's cache
// entry records of each binary when it is built, and checks before the binary is run.

import CSystemShims
import Foundation

public enum FileDigest {
    /// Why a file has no digest: it is missing, a link, not a regular file, or unreadable.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The SHA-256 of the regular file at `path` as 64 lowercase hex digits; a symbolic link is
    /// not followed, and a FIFO put in a binary's place does not block.
    public static func sha256(ofFile path: String) throws(Failure) -> String {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw Failure(description: errno == ELOOP ? "a symbolic link" : String(cString: strerror(errno))) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw Failure(description: String(cString: strerror(errno))) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw Failure(description: "not a regular file") }
        var digest = [UInt8](repeating: 0, count: 32)
        guard CSystemShims_sha256OfFile(fd, &digest) == 0 else { throw Failure(description: String(cString: strerror(errno))) }
        return digest.map { String(format: "%02x", $0) }.joined()
    }
}
