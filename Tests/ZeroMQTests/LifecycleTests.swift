// Closing sockets and ending contexts: idempotent, and never a hang (LINGER 0).
import Foundation
import Testing

@testable import ZeroMQ

@Suite struct LifecycleTests {
    @Test func queuedFramesDoNotDelayTermination() throws {
        let dir = try TemporaryDirectory()
        let context = try ZMQContext()
        let dealer = try ZMQSocket(context, .dealer)
        // Nothing listens here, so every frame stays queued in the dealer.
        try dealer.connect(dir.endpoint("nobody.sock"))
        for index in 0..<10 {
            try dealer.send([UInt8](repeating: UInt8(index), count: 1000))
        }
        dealer.close()
        dealer.close()  // idempotent

        // Without LINGER 0 termination would wait for the queued frames for good: the bound only keeps the test from hanging.
        #expect(finishes(within: 5) { context.terminate() })
    }

    @Test func terminateWithOpenSocketDoesNotHang() throws {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context, .dealer)
        try socket.bind("tcp://127.0.0.1:*")

        #expect(finishes(within: 5) { context.terminate() })
        // The socket now reports the ended context; new sockets are refused.
        let error = try #require(throws: ZMQError.self) { try socket.receive() }
        #expect(error.code == ZMQError.contextTerminated)
        let refused = try #require(throws: ZMQError.self) { try ZMQSocket(context, .router) }
        #expect(refused.code == ZMQError.contextTerminated)
        socket.close()  // completes the deferred zmq_ctx_term
        context.terminate()  // idempotent
    }

    @Test func closedSocketThrowsNamedErrors() throws {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context, .router)
        socket.close()

        let send = try #require(throws: ZMQError.self) { try socket.send(bytes("x")) }
        #expect(send.code == ZMQError.notSocket)
        #expect(send.operation == "send on a closed socket")
        let connect = try #require(throws: ZMQError.self) { try socket.connect("tcp://127.0.0.1:1") }
        #expect(connect.operation == "connect tcp://127.0.0.1:1 on a closed socket")
        #expect(throws: ZMQError.self) { try socket.receive() }
        #expect(throws: ZMQError.self) { try poll([.socket(socket)], timeoutMilliseconds: 0) }
    }
}
