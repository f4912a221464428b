// ZMQError: the one error type of this layer. Every failing libzmq call becomes one,
// carrying errno and the operation that failed, so a message like
// "bind ipc:///tmp/x/gw.sock: No such file or directory [ENOENT, errno 2]" says what and where.
import CZeroMQ

public struct ZMQError: Error, Equatable, Sendable, CustomStringConvertible {
    /// errno as libzmq reported it (libzmq's own codes are above ZMQ_HAUSNUMERO).
    public let code: Int32
    /// What was being done, e.g. "bind ipc:///tmp/x/gw.sock" or "send frame 1 of 2 (5 bytes)".
    public let operation: String
    /// zmq_strerror's text for `code`.
    public let message: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
        self.message = String(cString: zmq_strerror(code))
    }

    /// The error of the libzmq call that just failed. errno is read before the operation
    /// text is built, since building it may allocate and clobber errno.
    static func last(_ operation: @autoclosure () -> String) -> ZMQError {
        let code = zmq_errno()
        return ZMQError(code: code, operation: operation())
    }

    public var description: String {
        let name = ZMQError.names[code].map { "\($0), " } ?? ""
        return "\(operation): \(message) [\(name)errno \(code)]"
    }

    /// errno codes callers may want to compare `code` against without importing Glibc.
    public static let hostUnreachable: Int32 = EHOSTUNREACH
    public static let wouldBlock: Int32 = EAGAIN
    public static let interrupted: Int32 = EINTR
    public static let contextTerminated: Int32 = ETERM
    public static let notSocket: Int32 = ENOTSOCK
    public static let invalidArgument: Int32 = EINVAL

    /// Symbolic names of the codes this layer is likely to meet, so logs can be grepped.
    private static let names: [Int32: String] = [
        EAGAIN: "EAGAIN", EINTR: "EINTR", EINVAL: "EINVAL", ENOENT: "ENOENT", EACCES: "EACCES",
        EHOSTUNREACH: "EHOSTUNREACH", EADDRINUSE: "EADDRINUSE", EADDRNOTAVAIL: "EADDRNOTAVAIL",
        EPROTONOSUPPORT: "EPROTONOSUPPORT", ENODEV: "ENODEV", ENOTSOCK: "ENOTSOCK",
        EMSGSIZE: "EMSGSIZE", ENOTSUP: "ENOTSUP", EFAULT: "EFAULT", EMFILE: "EMFILE",
        ETERM: "ETERM", EFSM: "EFSM", EMTHREAD: "EMTHREAD",
    ]
}

/// Turns a libzmq return code into a throw; the operation text is only built on failure.
@inline(__always)
func check(_ rc: Int32, _ operation: @autoclosure () -> String) throws(ZMQError) {
    if rc == -1 { throw ZMQError.last(operation()) }
}
