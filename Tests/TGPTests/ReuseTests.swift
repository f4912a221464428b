// The buffer-reusing codec calls the peers use on their hot path: the same bytes and values
// as the allocating ones, every type after every other through one buffer and one message,
// and a refusal that leaves nothing half-written behind.

import Testing

@testable import TGP

@Suite("Encoding into and decoding into reused storage")
struct ReuseTests {
    /// Every type at every version through one frame buffer and one message, each type after a
    /// different one (so sizes and value counts change from call to call).
    @Test func oneBufferAndOneMessageCarryEveryTypeLikeFreshOnes() throws {
        var frame: [UInt8] = []
        var message = Message(messageType("Heartbeat"))
        for c in TypeAtVersion.all {
            let sample = sampleMessage(c.type, at: c.version)
            try codec.encode(sample, at: c.version, into: &frame)
            #expect(frame == (try codec.encode(sample, at: c.version)), "\(c)")
            let header = try codec.decode(frame, asVersion: c.version, into: &message)
            let fresh = try codec.decode(frame, asVersion: c.version)
            #expect(header == fresh.header, "\(c)")
            #expect(message == fresh.message, "\(c)")
        }
    }

    /// Nothing half-written is left behind, whether the refusal comes before the frame is
    /// written (its size) or while it is (a value).
    @Test func aRefusedEncodeLeavesTheBufferEmpty() throws {
        let ack = Message(messageType("OrderAck"), ["clOrdId": u(7)])
        var frame = try codec.encode(ack, at: 3)
        let tooWide = Message(messageType("NewOrder"), ["clOrdId": u(9), "quantity": u(UInt64(UInt32.max) + 1)])
        #expect(throws: EncodeError.self) { try codec.encode(tooWide, at: 3, into: &frame) }
        #expect(frame.isEmpty)
        frame = try codec.encode(ack, at: 3)
        let tooLong = Message(messageType("NewOrder"), ["account": t(String(repeating: "a", count: 70_000))])
        #expect(throws: EncodeError.self) { try codec.encode(tooLong, at: 3, into: &frame) }
        #expect(frame.isEmpty)
        frame = try codec.encode(ack, at: 3)
        #expect(throws: EncodeError.self) { try codec.encode(ack, at: 9, into: &frame) }
        #expect(frame.isEmpty)
    }

    @Test func aRejectedFrameLeavesTheMessageAtItsTypesDefaults() throws {
        let order = sampleMessage(messageType("NewOrder"), at: 5)
        var message = order
        let truncated = Array(try codec.encode(order, at: 5).prefix(20))
        #expect(throws: DecodeError.self) { try codec.decode(truncated, asVersion: 5, into: &message) }
        #expect(message == Message(messageType("NewOrder")))
    }

    /// A decoded message handed on (kept by the caller) is not changed by the next decode.
    @Test func aMessageKeptByTheCallerIsNotOverwritten() throws {
        var message = Message(messageType("Heartbeat"))
        let first = Message(messageType("OrderAck"), ["clOrdId": u(1), "orderId": u(2)])
        _ = try codec.decode(try codec.encode(first, at: 2), asVersion: 2, into: &message)
        let kept = message
        _ = try codec.decode(try codec.encode(Message(messageType("OrderAck"), ["clOrdId": u(3)]), at: 2), asVersion: 2, into: &message)
        #expect(kept == first)
        #expect(message["clOrdId"] == u(3))
    }

    @Test func projectingOntoAVersionThatHasEverythingKeepsTheMessage() {
        let order = sampleMessage(messageType("NewOrder"), at: 5)
        #expect(order.projected(onto: 5) == order)
        #expect(order.projected(onto: 4)["stp"] == Message(messageType("NewOrder"))["stp"])
    }
}
