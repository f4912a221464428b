// ZMQContext: owns one libzmq context and makes ending it safe. zmq_ctx_term blocks
// until every socket of the context is closed, so the context counts its open sockets
// and, when terminate() finds some still open, only shuts down (their calls then fail
// with ETERM) and leaves the final zmq_ctx_term to the last socket's close.
import CZeroMQ
import Synchronization

public final class ZMQContext: @unchecked Sendable {
    // Unchecked: libzmq contexts are thread-safe, and `state` guards our bookkeeping.
    private let handle: UnsafeMutableRawPointer
    private let state = Mutex(State())

    private struct State {
        var openSockets = 0
        var terminating = false
        var terminated = false
    }

    public init() throws(ZMQError) {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("create context") }
        self.handle = handle
    }

    /// Ends the context. Never blocks on open sockets: see the file comment. Idempotent.
    public func terminate() {
        state.withLock { state in
            guard !state.terminating else { return }
            state.terminating = true
            if state.openSockets == 0 {
                termLocked(&state)
            } else {
                // Wakes sockets blocked in other threads; they will see ETERM.
                zmq_ctx_shutdown(handle)
            }
        }
    }

    deinit {
        // Sockets keep their context alive, so none are open here and term returns at once.
        state.withLock { termLocked(&$0) }
    }

    private func termLocked(_ state: inout State) {
        guard !state.terminated else { return }
        state.terminated = true
        // EINTR is the only failure worth retrying; any other leaves nothing to clean up.
        while zmq_ctx_term(handle) == -1 && zmq_errno() == EINTR {}
    }

    /// Creates a libzmq socket counted against this context; fails with ETERM after terminate().
    func openSocket(_ type: Int32, _ operation: @autoclosure () -> String) throws(ZMQError) -> UnsafeMutableRawPointer {
        try state.withLock { (state) throws(ZMQError) -> UnsafeMutableRawPointer in
            guard !state.terminating else { throw ZMQError(code: ETERM, operation: operation()) }
            guard let socket = zmq_socket(handle, type) else { throw ZMQError.last(operation()) }
            state.openSockets += 1
            return socket
        }
    }

    /// Closes a socket from openSocket; finishes a deferred terminate() when it was the last.
    func closeSocket(_ socket: UnsafeMutableRawPointer) {
        state.withLock { state in
            zmq_close(socket)
            state.openSockets -= 1
            if state.terminating && state.openSockets == 0 { termLocked(&state) }
        }
    }
}
