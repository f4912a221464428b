// ZMQSocket: one ROUTER or DEALER socket as Swift values. Frames are [UInt8], a message
// is [[UInt8]]; no C type or pointer leaves this file's public surface.
import CZeroMQ

/// The socket types the TGP peers use.
public enum SocketKind: Sendable, Hashable {
    case router, dealer

    var zmqType: Int32 {
        switch self {
        case .router: ZMQ_ROUTER
        case .dealer: ZMQ_DEALER
        }
    }
}

/// Not Sendable on purpose: libzmq sockets must stay on one thread.
public final class ZMQSocket {
    public let kind: SocketKind
    /// Held so the context outlives its sockets: ending it waits for them to close.
    private let context: ZMQContext
    /// nil once closed.
    private var handle: UnsafeMutableRawPointer?
    /// One zmq_msg_t reused by every receive, allocated so its address never moves
    /// between zmq_msg_init and zmq_msg_close.
    private let message = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)

    /// Creates the socket with LINGER 0, so closing it drops unsent messages and
    /// terminating the context can never wait for a peer that is gone.
    public init(_ context: ZMQContext, _ kind: SocketKind) throws(ZMQError) {
        self.kind = kind
        self.context = context
        self.handle = try context.openSocket(kind.zmqType, "create \(kind) socket")
        // On failure deinit closes the socket.
        try setIntegerOption(.linger, 0)
    }

    deinit {
        close()
        message.deallocate()
    }

    /// Closes the socket; later calls on it throw ENOTSOCK. Idempotent.
    public func close() {
        guard let handle else { return }
        self.handle = nil
        context.closeSocket(handle)
    }

    /// The open libzmq socket, or an error naming the operation tried on a closed one.
    func live(_ operation: @autoclosure () -> String) throws(ZMQError) -> UnsafeMutableRawPointer {
        guard let handle else { throw ZMQError(code: ENOTSOCK, operation: operation() + " on a closed socket") }
        return handle
    }

    /// Binds and returns the endpoint actually bound (ZMQ_LAST_ENDPOINT), so
    /// "tcp://127.0.0.1:*" comes back with the port the system chose.
    @discardableResult
    public func bind(_ endpoint: String) throws(ZMQError) -> String {
        let socket = try live("bind \(endpoint)")
        try check(zmq_bind(socket, endpoint), "bind \(endpoint)")
        var buffer = [UInt8](repeating: 0, count: 1024)
        var size = buffer.count
        try check(zmq_getsockopt(socket, ZMQ_LAST_ENDPOINT, &buffer, &size), "read the endpoint bound for \(endpoint)")
        return String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// Connects; libzmq keeps retrying in the background (see setReconnectInterval).
    public func connect(_ endpoint: String) throws(ZMQError) {
        let socket = try live("connect \(endpoint)")
        try check(zmq_connect(socket, endpoint), "connect \(endpoint)")
    }

    /// Sends one multipart message, blocking while the high-water mark is reached.
    public func send(_ frames: [[UInt8]]) throws(ZMQError) {
        _ = try send(frames, waiting: true)
    }

    /// Sends one multipart message if it can be queued now; false (nothing sent) when the
    /// receiver's queue is at its high-water mark, so one slow peer cannot stall the caller.
    public func trySend(_ frames: [[UInt8]]) throws(ZMQError) -> Bool {
        try send(frames, waiting: false)
    }

    private func send(_ frames: [[UInt8]], waiting: Bool) throws(ZMQError) -> Bool {
        let socket = try live("send")
        guard !frames.isEmpty else { throw ZMQError(code: EINVAL, operation: "send a message of no frames") }
        for (index, frame) in frames.enumerated() {
            guard try send(frame, socket, part: index, of: frames.count, waiting: waiting) else { return false }
        }
        return true
    }

    /// Sends a single-frame message.
    public func send(_ frame: [UInt8]) throws(ZMQError) {
        try send([frame])
    }

    /// Sends `frame`, after `identity` as its first frame when given (a ROUTER's address), without
    /// building a message array. Waits at the high-water mark when `waiting`; otherwise false
    /// (nothing sent) when the receiver's queue is full.
    public func send(_ frame: [UInt8], routedTo identity: [UInt8]?, waiting: Bool) throws(ZMQError) -> Bool {
        let socket = try live("send")
        guard let identity else { return try send(frame, socket, part: 0, of: 1, waiting: waiting) }
        guard try send(identity, socket, part: 0, of: 2, waiting: waiting) else { return false }
        return try send(frame, socket, part: 1, of: 2, waiting: waiting)
    }

    /// Part `part` of a message of `count` frames; false when the first part would block and `waiting` is off.
    private func send(_ frame: [UInt8], _ socket: UnsafeMutableRawPointer, part: Int, of count: Int, waiting: Bool) throws(ZMQError) -> Bool
    {
        // Once the first frame is queued libzmq takes the rest of the message whole.
        let wait = waiting || part > 0 ? 0 : ZMQ_DONTWAIT
        let flags = (part < count - 1 ? ZMQ_SNDMORE : 0) | wait
        while frame.withUnsafeBytes({ zmq_send(socket, $0.baseAddress, $0.count, flags) }) == -1 {
            // A signal interrupted the blocking send before it queued: retry it.
            if zmq_errno() == EINTR { continue }
            if zmq_errno() == EAGAIN && part == 0 && !waiting { return false }
            throw ZMQError.last("send frame \(part + 1) of \(count) (\(frame.count) bytes)")
        }
        return true
    }

    /// Takes one whole multipart message without waiting; nil when none is waiting.
    public func receive() throws(ZMQError) -> [[UInt8]]? {
        var frames: [[UInt8]] = []
        return try receive(into: &frames) ? frames : nil
    }

    /// Like `receive()`, into `frames`, whose arrays are reused: a receiver that keeps one
    /// buffer allocates nothing per message. False, with `frames` as it was, when none is waiting.
    public func receive(into frames: inout [[UInt8]]) throws(ZMQError) -> Bool {
        let socket = try live("receive")
        var received = 0
        while true {
            zmq_msg_init(message)  // Cannot fail: it only zeroes the struct.
            // Only the first frame may be missing: libzmq delivers a message's frames together.
            let flags = received == 0 ? ZMQ_DONTWAIT : 0
            guard zmq_msg_recv(message, socket, flags) != -1 else {
                let error = ZMQError.last("receive frame \(received + 1)")
                zmq_msg_close(message)
                switch error.code {
                case EAGAIN where received == 0: return false
                case EINTR: if received == 0 { return false } else { continue }
                default: throw error
                }
            }
            let bytes = UnsafeRawBufferPointer(start: zmq_msg_data(message), count: zmq_msg_size(message))
            if received < frames.count {
                frames[received].removeAll(keepingCapacity: true)
                frames[received].append(contentsOf: bytes)
            } else {
                frames.append(Array(bytes))
            }
            received += 1
            let more = zmq_msg_more(message) == 1
            zmq_msg_close(message)
            if !more {
                if frames.count > received { frames.removeLast(frames.count - received) }
                return true
            }
        }
    }
}
