// ROUTER/DEALER round trips over real ipc:// and tcp:// sockets, frame fidelity, and options.
import Foundation
import Testing

@testable import ZeroMQ

@Suite struct SocketTests {
    @Test func routerAndDealerTalkOverIPC() throws {
        let dir = try TemporaryDirectory()
        let context = try ZMQContext()
        let router = try ZMQSocket(context, .router)
        let dealer = try ZMQSocket(context, .dealer)
        try dealer.setIdentity(bytes("dealer-1"))

        let endpoint = dir.endpoint("gw.sock")
        #expect(try router.bind(endpoint) == endpoint)
        try dealer.connect(endpoint)

        try dealer.send(bytes("hello"))
        let request = try #require(try router.receive(timeoutMilliseconds: 2000))
        #expect(request == [bytes("dealer-1"), bytes("hello")])

        try router.send([request[0], bytes("welcome")])
        let reply = try #require(try dealer.receive(timeoutMilliseconds: 2000))
        #expect(reply == [bytes("welcome")])
        #expect(try router.receive() == nil)
        #expect(try dealer.receive() == nil)
    }

    @Test func routerAndDealerTalkOverTCPWithChosenPort() throws {
        let context = try ZMQContext()
        let router = try ZMQSocket(context, .router)
        let dealer = try ZMQSocket(context, .dealer)

        let endpoint = try router.bind("tcp://127.0.0.1:*")
        #expect(endpoint.hasPrefix("tcp://127.0.0.1:"))
        let port = try #require(Int(endpoint.dropFirst("tcp://127.0.0.1:".count)))
        #expect(port > 0 && port < 65536)
        try dealer.connect(endpoint)

        try dealer.send(bytes("ping"))
        let request = try #require(try router.receive(timeoutMilliseconds: 2000))
        #expect(request.count == 2)
        #expect(request.last == bytes("ping"))
        #expect(request.first?.isEmpty == false)  // libzmq made up an identity

        try router.send([request[0], bytes("pong")])
        #expect(try dealer.receive(timeoutMilliseconds: 2000) == [bytes("pong")])
    }

    @Test func multipartEmptyAndLargeFramesArriveIntact() throws {
        let dir = try TemporaryDirectory()
        let context = try ZMQContext()
        let router = try ZMQSocket(context, .router)
        let dealer = try ZMQSocket(context, .dealer)
        try router.bind(dir.endpoint("gw.sock"))
        try dealer.connect(dir.endpoint("gw.sock"))

        let large = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let three = [bytes("a"), bytes("bb"), bytes("ccc")]
        let mixed = [[], large, [0]]
        try dealer.send(three)
        try dealer.send(mixed)
        try dealer.send([UInt8]())

        let first = try #require(try router.receive(timeoutMilliseconds: 2000))
        let second = try #require(try router.receive(timeoutMilliseconds: 2000))
        let third = try #require(try router.receive(timeoutMilliseconds: 2000))
        #expect(Array(first.dropFirst()) == three)
        #expect(second.map(\.count) == [first[0].count, 0, 100_000, 1])
        // Compared byte for byte, but kept out of the failure text: it would print 100 000 numbers.
        let secondIntact = Array(second.dropFirst()) == mixed
        #expect(secondIntact)
        #expect(Array(third.dropFirst()) == [[]])

        // And back the other way, through the router's identity routing.
        try router.send([first[0]] + mixed)
        let back = try #require(try dealer.receive(timeoutMilliseconds: 2000))
        #expect(back.map(\.count) == [0, 100_000, 1])
        let backIntact = back == mixed
        #expect(backIntact)
    }

    /// The hot-path calls: a routed send without a message array, and one receive buffer reused
    /// across messages of different sizes and frame counts.
    @Test func routedSendsAndOneReusedReceiveBufferKeepEveryMessageIntact() throws {
        let dir = try TemporaryDirectory()
        let context = try ZMQContext()
        let router = try ZMQSocket(context, .router)
        let dealer = try ZMQSocket(context, .dealer)
        try dealer.setIdentity(bytes("d1"))
        try router.bind(dir.endpoint("gw.sock"))
        try dealer.connect(dir.endpoint("gw.sock"))

        var parts: [[UInt8]] = []
        #expect(try router.receive(into: &parts) == false)
        #expect(parts.isEmpty)
        let messages = [[bytes("a long first frame")], [bytes("x"), bytes("two frames")], [[]], [bytes("short")]]
        for message in messages { try dealer.send(message) }
        for message in messages {
            while try !router.receive(into: &parts) { _ = try poll([.socket(router)], timeoutMilliseconds: 2000) }
            #expect(parts == [bytes("d1")] + message)
        }
        #expect(try router.receive(into: &parts) == false)
        #expect(parts == [bytes("d1"), bytes("short")])

        #expect(try router.send(bytes("routed"), routedTo: bytes("d1"), waiting: false))
        #expect(try dealer.receive(timeoutMilliseconds: 2000) == [bytes("routed")])
        #expect(try dealer.send(bytes("plain"), routedTo: nil, waiting: true))
        #expect(try router.receive(timeoutMilliseconds: 2000) == [bytes("d1"), bytes("plain")])
    }

    @Test func sendingNoFramesIsRejected() throws {
        let context = try ZMQContext()
        let dealer = try ZMQSocket(context, .dealer)
        let error = try #require(throws: ZMQError.self) { try dealer.send([[UInt8]]()) }
        #expect(error.code == EINVAL)
    }

    @Test func routerMandatoryRefusesUnknownIdentity() throws {
        let context = try ZMQContext()
        let router = try ZMQSocket(context, .router)
        try router.bind("tcp://127.0.0.1:*")

        // Control: without the option the same send is silently dropped.
        try router.send([bytes("nobody"), bytes("lost")])

        try router.setRouterMandatory(true)
        let error = try #require(throws: ZMQError.self) {
            try router.send([bytes("nobody"), bytes("lost")])
        }
        #expect(error.code == EHOSTUNREACH)
        #expect(error.code == ZMQError.hostUnreachable)
        #expect(error.operation == "send frame 1 of 2 (6 bytes)")
        #expect(error.description.contains("EHOSTUNREACH"))
        #expect(error.description.contains("Host unreachable"))  // zmq_strerror's wording
    }

    @Test func bindToInvalidEndpointNamesIt() throws {
        let context = try ZMQContext()
        let router = try ZMQSocket(context, .router)

        let bogus = try #require(throws: ZMQError.self) { try router.bind("bogus://nowhere") }
        #expect(bogus.code == EPROTONOSUPPORT)
        #expect(bogus.operation == "bind bogus://nowhere")
        #expect(bogus.description.contains("bogus://nowhere"))

        let missing = "ipc:///nonexistent-\(UUID().uuidString.prefix(8))/gw.sock"
        let noDirectory = try #require(throws: ZMQError.self) { try router.bind(missing) }
        #expect(noDirectory.code == ENOENT)
        #expect(noDirectory.description.contains(missing))
        #expect(noDirectory.description.contains("No such file or directory"))
    }

    @Test func maxMessageSizeDropsOversizedMessages() throws {
        let dir = try TemporaryDirectory()
        let context = try ZMQContext()
        let router = try ZMQSocket(context, .router)
        try router.setMaxMessageSize(1000)
        try router.bind(dir.endpoint("gw.sock"))

        let big = try ZMQSocket(context, .dealer)
        try big.setIdentity(bytes("big"))
        try big.connect(dir.endpoint("gw.sock"))
        let small = try ZMQSocket(context, .dealer)
        try small.setIdentity(bytes("small"))
        try small.connect(dir.endpoint("gw.sock"))

        try big.send([UInt8](repeating: 1, count: 2000))
        try small.send([UInt8](repeating: 2, count: 500))

        // Control: the router does deliver a message under the limit...
        let delivered = try #require(try router.receive(timeoutMilliseconds: 2000))
        #expect(delivered.first == bytes("small"))
        #expect(delivered.map(\.count) == [5, 500])
        // ...but never the oversized one.
        let late = try router.receive(timeoutMilliseconds: 300)
        #expect(late == nil, "delivered frames of sizes \(late?.map(\.count) ?? [])")
    }

    @Test func optionsReadBack() throws {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context, .dealer)
        #expect(try socket.integerOption(.linger) == 0)

        try socket.setMaxMessageSize(123_456_789_012)
        try socket.setReconnectInterval(milliseconds: 7)
        try socket.setSendHighWaterMark(11)
        try socket.setReceiveHighWaterMark(13)
        #expect(try socket.integerOption(.maxMessageSize) == 123_456_789_012)
        #expect(try socket.integerOption(.reconnectInterval) == 7)
        #expect(try socket.integerOption(.sendHighWaterMark) == 11)
        #expect(try socket.integerOption(.receiveHighWaterMark) == 13)

        // libzmq takes identities of 1...255 bytes only.
        try socket.setIdentity([UInt8](repeating: 7, count: 255))
        let error = try #require(throws: ZMQError.self) { try socket.setIdentity([UInt8](repeating: 7, count: 256)) }
        #expect(error.code == EINVAL)
        #expect(error.operation == "set ZMQ_ROUTING_ID to 256 bytes")
    }

    @Test func reconnectIntervalShortensConnectBeforeBind() throws {
        let dir = try TemporaryDirectory()
        let context = try ZMQContext()
        let dealer = try ZMQSocket(context, .dealer)
        try dealer.setReconnectInterval(milliseconds: 5)
        try dealer.connect(dir.endpoint("late.sock"))
        try dealer.send(bytes("early"))

        let router = try ZMQSocket(context, .router)
        try router.bind(dir.endpoint("late.sock"))
        let message = try #require(try router.receive(timeoutMilliseconds: 2000))
        #expect(message.last == bytes("early"))
    }
}
