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
            // Once the first frame is queued libzmq takes the rest of the message whole.
            let wait = waiting || index > 0 ? 0 : ZMQ_DONTWAIT
            let flags = (index < frames.count - 1 ? ZMQ_SNDMORE : 0) | wait
            while frame.withUnsafeBytes({ zmq_send(socket, $0.baseAddress, $0.count, flags) }) == -1 {
                // A signal interrupted the blocking send before it queued: retry it.
                if zmq_errno() == EINTR { continue }
                if zmq_errno() == EAGAIN && index == 0 && !waiting { return false }
                throw ZMQError.last("send frame \(index + 1) of \(frames.count) (\(frame.count) bytes)")
            }
        }
        return true
    }

    /// Sends a single-frame message.
    public func send(_ frame: [UInt8]) throws(ZMQError) {
        try send([frame])
    }

    /// Takes one whole multipart message without waiting; nil when none is waiting.
    public func receive() throws(ZMQError) -> [[UInt8]]? {
        let socket = try live("receive")
        var frames: [[UInt8]] = []
        while true {
            zmq_msg_init(message)  // Cannot fail: it only zeroes the struct.
            // Only the first frame may be missing: libzmq delivers a message's frames together.
            let flags = frames.isEmpty ? ZMQ_DONTWAIT : 0
            guard zmq_msg_recv(message, socket, flags) != -1 else {
                let error = ZMQError.last("receive frame \(frames.count + 1)")
                zmq_msg_close(message)
                switch error.code {
                case EAGAIN where frames.isEmpty: return nil
                case EINTR: if frames.isEmpty { return nil } else { continue }
                default: throw error
                }
            }
            frames.append(Array(UnsafeRawBufferPointer(start: zmq_msg_data(message), count: zmq_msg_size(message))))
            let more = zmq_msg_more(message) == 1
            zmq_msg_close(message)
            if !more { return frames }
        }
    }
}
