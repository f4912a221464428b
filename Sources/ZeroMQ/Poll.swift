// poll over ZeroMQ sockets and plain file descriptors together (zmq_poll), so a peer can
// wait on its stdin/stdout pipes and its socket in one single-threaded loop; plus the
// receive-with-timeout convenience built on it.
import CZeroMQ

/// What happened (or what to wait for) on one poll item.
public struct PollEvents: OptionSet, Sendable, Hashable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }

    /// A socket has a whole message waiting, or an fd can be read.
    public static let readable = PollEvents(rawValue: Int16(ZMQ_POLLIN))
    public static let writable = PollEvents(rawValue: Int16(ZMQ_POLLOUT))
    /// fds only: poll() reported anything besides in/out, e.g. POLLHUP when a pipe's
    /// writer closed. Read the fd to see the end of file.
    public static let error = PollEvents(rawValue: Int16(ZMQ_POLLERR))
}

/// One thing to wait on: a socket or a file descriptor.
public struct PollItem {
    enum Target {
        case socket(ZMQSocket)
        case fileDescriptor(Int32)
    }

    let target: Target
    let events: PollEvents

    private static func events(_ readable: Bool, _ writable: Bool) -> PollEvents {
        var events: PollEvents = []
        if readable { events.insert(.readable) }
        if writable { events.insert(.writable) }
        return events
    }

    public static func socket(_ socket: ZMQSocket, readable: Bool = true, writable: Bool = false) -> PollItem {
        PollItem(target: .socket(socket), events: events(readable, writable))
    }

    public static func fileDescriptor(_ fd: Int32, readable: Bool = true, writable: Bool = false) -> PollItem {
        PollItem(target: .fileDescriptor(fd), events: events(readable, writable))
    }
}

/// Waits until an item is ready or the timeout passes (-1 = forever, 0 = just look).
/// Returns each item's events in the order given; all empty on timeout, and also when a
/// signal interrupted the wait (EINTR), so callers simply loop.
public func poll(_ items: [PollItem], timeoutMilliseconds: Int) throws(ZMQError) -> [PollEvents] {
    var raw: [zmq_pollitem_t] = []
    raw.reserveCapacity(items.count)
    for item in items {
        switch item.target {
        case .socket(let socket):
            // A closed socket must throw here: a NULL socket would make libzmq poll fd 0.
            let handle = try socket.live("poll")
            raw.append(zmq_pollitem_t(socket: handle, fd: -1, events: item.events.rawValue, revents: 0))
        case .fileDescriptor(let fd):
            raw.append(zmq_pollitem_t(socket: nil, fd: fd, events: item.events.rawValue, revents: 0))
        }
    }
    if zmq_poll(&raw, Int32(raw.count), timeoutMilliseconds) == -1 {
        let error = ZMQError.last("poll \(items.count) items")
        if error.code == EINTR { return Array(repeating: [], count: items.count) }
        throw error
    }
    return raw.map { PollEvents(rawValue: $0.revents) }
}

extension ZMQSocket {
    /// Waits up to the timeout (-1 = forever) for one whole message; nil when none came.
    public func receive(timeoutMilliseconds: Int32) throws(ZMQError) -> [[UInt8]]? {
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(timeoutMilliseconds)
        while true {
            if let message = try receive() { return message }
            var wait = -1
            if timeoutMilliseconds >= 0 {
                let left = deadline - clock.now
                guard left > .zero else { return nil }
                // Round up so a sub-millisecond remainder waits instead of spinning.
                let (seconds, attoseconds) = left.components
                wait = Int(seconds) * 1000 + Int((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
            }
            // Readiness, a signal or the timeout: the loop's receive tells which.
            _ = try poll([.socket(self)], timeoutMilliseconds: wait)
        }
    }
}
