// poll over sockets and plain pipe fds, alone and together.
import Foundation
import Testing

@testable import ZeroMQ

/// A pipe(2), closed on deinit.
private final class Pipe2 {
    var readEnd: Int32 = -1
    var writeEnd: Int32 = -1

    init() throws {
        var fds: [Int32] = [-1, -1]
        try #require(pipe(&fds) == 0)
        readEnd = fds[0]
        writeEnd = fds[1]
    }

    func write(_ data: [UInt8]) {
        let written = data.withUnsafeBytes { Foundation.write(writeEnd, $0.baseAddress, $0.count) }
        #expect(written == data.count)
    }

    func closeWriteEnd() {
        close(writeEnd)
        writeEnd = -1
    }

    deinit {
        if readEnd >= 0 { close(readEnd) }
        if writeEnd >= 0 { close(writeEnd) }
    }
}

@Suite struct PollTests {
    @Test func timeoutWithNothingPendingReturnsNoEvents() throws {
        let context = try ZMQContext()
        let router = try ZMQSocket(context, .router)
        try router.bind("tcp://127.0.0.1:*")

        let start = ContinuousClock.now
        let events = try poll([.socket(router)], timeoutMilliseconds: 50)
        let elapsed = ContinuousClock.now - start
        #expect(events == [[]])
        #expect(elapsed >= .milliseconds(40))

        let waited = ContinuousClock.now
        #expect(try router.receive(timeoutMilliseconds: 50) == nil)
        #expect(ContinuousClock.now - waited >= .milliseconds(40))
    }

    @Test func pipeBecomesReadableAfterWrite() throws {
        let pipe = try Pipe2()
        #expect(try poll([.fileDescriptor(pipe.readEnd)], timeoutMilliseconds: 0) == [[]])
        #expect(try poll([.fileDescriptor(pipe.writeEnd, readable: false, writable: true)], timeoutMilliseconds: 0) == [.writable])

        pipe.write([42])
        #expect(try poll([.fileDescriptor(pipe.readEnd)], timeoutMilliseconds: 1000) == [.readable])
    }

    @Test func closedPipeWriterShowsAsErrorOrReadable() throws {
        // What a peer sees when its stdin reaches end of file: POLLHUP maps to .error.
        let pipe = try Pipe2()
        pipe.closeWriteEnd()
        let events = try #require(try poll([.fileDescriptor(pipe.readEnd)], timeoutMilliseconds: 1000).first)
        #expect(events.contains(.error))
    }

    @Test func socketAndPipePolledTogether() throws {
        let dir = try TemporaryDirectory()
        let context = try ZMQContext()
        let router = try ZMQSocket(context, .router)
        let dealer = try ZMQSocket(context, .dealer)
        try router.bind(dir.endpoint("gw.sock"))
        try dealer.connect(dir.endpoint("gw.sock"))
        let pipe = try Pipe2()
        let items: [PollItem] = [.fileDescriptor(pipe.readEnd), .socket(router)]

        #expect(try poll(items, timeoutMilliseconds: 0) == [[], []])

        pipe.write([1])
        #expect(try poll(items, timeoutMilliseconds: 1000) == [.readable, []])

        try dealer.send(bytes("wake"))
        // Polled until it arrives; the deadline only keeps a lost message from hanging the test.
        let deadline = ContinuousClock.now + .seconds(30)
        var events: [PollEvents] = []
        while ContinuousClock.now < deadline {
            events = try poll(items, timeoutMilliseconds: 100)
            if events[1].contains(.readable) { break }
        }
        #expect(events == [.readable, .readable])
        #expect(try router.receive()?.last == bytes("wake"))
        // Once taken, the socket is quiet again while the unread pipe still is not.
        #expect(try poll(items, timeoutMilliseconds: 0) == [.readable, []])
    }

    @Test func pollingNothingStillWaits() throws {
        let start = ContinuousClock.now
        #expect(try poll([], timeoutMilliseconds: 20) == [])
        #expect(ContinuousClock.now - start >= .milliseconds(15))
    }
}
