import Testing

@testable import CompatRunner

/// Live ZeroMQ tcp traffic read into protocol frames, from packets built here (LiveTrafficPackets.swift).
@Suite struct LiveTrafficTests {
    private func frame(_ packet: LinkPacket, _ direction: WireDirection, _ stream: Int, _ bytes: [UInt8]) -> WireFrame {
        WireFrame(nanoseconds: packet.nanoseconds, direction: direction, stream: stream, bytes: bytes)
    }

    private func body(_ count: Int, _ seed: UInt8) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &+ Int(seed)) } }

    /// A frame split over three segments is one frame, at the time of the segment that completed it.
    @Test func frameSplitAcrossSegments() throws {
        let clock = TestClock()
        let tcp = TestConnection(clock: clock)
        let message = body(40, 1)
        let bytes = ZMTPBytes.frame(message)
        var packets = tcp.handshake() + tcp.opening()
        packets += [bytes[0..<1], bytes[1..<20], bytes[20...]].map { tcp.send(fromClient: true, Array($0)) }
        let reply = tcp.send(fromClient: false, ZMTPBytes.frame([9, 9]))
        packets.append(reply)
        let capture = try LiveTraffic.capture(packets)
        #expect(capture.frames == [frame(packets[7], .clientToGateway, 1, message), frame(reply, .gatewayToClient, 1, [9, 9])])
        #expect(capture.notes == [])
    }

    /// One segment holding several frames and a PING between them: each frame, at the same time; commands are not frames.
    @Test func oneSegmentHoldsSeveralFrames() throws {
        let tcp = TestConnection(clock: TestClock())
        var packets = tcp.handshake() + tcp.opening()
        let several = tcp.send(fromClient: true, ZMTPBytes.frame([1]) + ZMTPBytes.ping() + ZMTPBytes.frame([]) + ZMTPBytes.frame([2, 3]))
        packets.append(several)
        let capture = try LiveTraffic.capture(packets)
        #expect(capture.frames == [[1], [], [2, 3]].map { frame(several, .clientToGateway, 1, $0) })
    }

    /// Retransmitted, overlapping and out-of-order segments: each byte once, in sequence order.
    @Test func retransmittedAndOutOfOrderSegments() throws {
        let tcp = TestConnection(clock: TestClock())
        var packets = tcp.handshake() + tcp.opening()
        let first = ZMTPBytes.frame(body(30, 7))
        let second = ZMTPBytes.frame(body(50, 9))
        let start = tcp.clientSequence
        let stream = first + second
        let a = tcp.packet(fromClient: true, sequence: start, flags: 0x18, Array(stream[0..<20]))
        let c = tcp.packet(fromClient: true, sequence: start + 40, flags: 0x18, Array(stream[40...]))
        let b = tcp.packet(fromClient: true, sequence: start + 20, flags: 0x18, Array(stream[20..<40]))
        let again = tcp.packet(fromClient: true, sequence: start, flags: 0x18, Array(stream[0..<45]))  // retransmission over all of it
        packets += [c, a, a, b, again]
        let capture = try LiveTraffic.capture(packets)
        // The first frame ends at byte 32, which b brings; b also joins c up, which completes the second.
        #expect(capture.frames == [frame(b, .clientToGateway, 1, body(30, 7)), frame(b, .clientToGateway, 1, body(50, 9))])
        #expect(capture.notes == [])
    }

    /// A frame over 255 bytes has the LONG flag and an 8-byte size.
    @Test func longFrames() throws {
        let tcp = TestConnection(clock: TestClock())
        let big = body(70_000, 3)
        let bytes = ZMTPBytes.frame(big)
        #expect(bytes[0] == 0x02)
        var packets = tcp.handshake() + tcp.opening()
        packets += stride(from: 0, to: bytes.count, by: 16_384).map {
            tcp.send(fromClient: false, Array(bytes[$0..<min($0 + 16_384, bytes.count)]))
        }
        let capture = try LiveTraffic.capture(packets)
        #expect(capture.frames == [frame(packets.last!, .gatewayToClient, 1, big)])
    }

    /// Two connections' packets interleaved: streams in order of first packet, frames in time order.
    @Test func twoConnectionsInterleaved() throws {
        let clock = TestClock()
        let one = TestConnection(clock: clock, clientPort: 40001)
        let two = TestConnection(clock: clock, clientPort: 40002, isn: 77)
        var packets = one.handshake() + two.handshake() + two.opening() + one.opening()
        let twoSends = two.send(fromClient: true, ZMTPBytes.frame([2]))
        let oneSends = one.send(fromClient: true, ZMTPBytes.frame([1]))
        let oneReplies = one.send(fromClient: false, ZMTPBytes.frame([10]))
        let twoReplies = two.send(fromClient: false, ZMTPBytes.frame([20]))
        packets += [twoSends, oneSends, oneReplies, twoReplies]
        let capture = try LiveTraffic.capture(packets)
        #expect(
            capture.frames == [
                frame(twoSends, .clientToGateway, 2, [2]), frame(oneSends, .clientToGateway, 1, [1]),
                frame(oneReplies, .gatewayToClient, 1, [10]), frame(twoReplies, .gatewayToClient, 2, [20]),
            ])
        #expect(capture.streams == [2, 1])
    }

    /// The same exchange over every link layer and both IP versions reads the same.
    @Test(arguments: [
        (TestLink.sll, false), (.sll, true), (.sll2, false), (.sll2, true), (.loop, false), (.loop, true), (.null(bigEndian: false), false),
        (.null(bigEndian: true), true),
        (.ethernet(vlan: true), false),
        (.ethernet(vlan: true), true), (.raw, false), (.raw, true),
    ])
    func linkLayers(link: TestLink, v6: Bool) throws {
        let tcp = TestConnection(clock: TestClock(), link: link, v6: v6)
        var packets = tcp.handshake() + tcp.opening()
        let request = tcp.send(fromClient: true, ZMTPBytes.frame([1, 2, 3]))
        let reply = tcp.send(fromClient: false, ZMTPBytes.frame([4]))
        packets += [request, reply]
        let capture = try LiveTraffic.capture(packets)
        #expect(capture.frames == [frame(request, .clientToGateway, 1, [1, 2, 3]), frame(reply, .gatewayToClient, 1, [4])])
        #expect(capture.notes == [])
    }

    /// Without the SYN, READY tells the DEALER (the client) from the ROUTER, whichever spoke first.
    @Test func withoutTheSYNReadyDecides() throws {
        let tcp = TestConnection(clock: TestClock())
        let gatewayFirst = tcp.send(fromClient: false, ZMTPBytes.opening("ROUTER"))
        let clientOpening = tcp.send(fromClient: true, ZMTPBytes.opening("DEALER"))
        let reply = tcp.send(fromClient: false, ZMTPBytes.frame([7]))
        let request = tcp.send(fromClient: true, ZMTPBytes.frame([8]))
        let capture = try LiveTraffic.capture([gatewayFirst, clientOpening, reply, request])
        #expect(capture.frames == [frame(reply, .gatewayToClient, 1, [7]), frame(request, .clientToGateway, 1, [8])])
        #expect(capture.notes == [])
    }

    /// Without the SYN and with sockets that are neither DEALER nor ROUTER, the connecting side cannot be told.
    @Test func withoutTheSYNOrADealerTheConnectionIsLeftOut() throws {
        let tcp = TestConnection(clock: TestClock())
        let packets = [
            tcp.send(fromClient: true, ZMTPBytes.opening("PAIR")), tcp.send(fromClient: false, ZMTPBytes.opening("PAIR")),
            tcp.send(fromClient: true, ZMTPBytes.frame([1])),
        ]
        let capture = try LiveTraffic.capture(packets)
        #expect(capture.frames == [])
        #expect(
            capture.notes == [
                "tcp 10.0.0.1:40001 – 10.0.0.2:5555: left out: the connecting side cannot be told: no SYN was captured, "
                    + "and READY from 10.0.0.1:40001 says PAIR, from 10.0.0.2:5555 says PAIR"
            ])
    }

    /// A connection that is not ZMTP is left out with a note; the streams number the connections read.
    @Test func aConnectionThatIsNotZMTPIsLeftOut() throws {
        let clock = TestClock()
        let http = TestConnection(clock: clock, clientPort: 40001)
        let zmtp = TestConnection(clock: clock, clientPort: 40002)
        var packets = http.handshake() + [http.send(fromClient: true, Array("GET / HTTP/1.1\r\n\r\n".utf8))]
        packets += zmtp.handshake() + zmtp.opening()
        let request = zmtp.send(fromClient: true, ZMTPBytes.frame([5]))
        packets.append(request)
        let capture = try LiveTraffic.capture(packets)
        #expect(capture.frames == [frame(request, .clientToGateway, 1, [5])])
        #expect(
            capture.notes == [
                "tcp 10.0.0.1:40001 – 10.0.0.2:5555: left out: from 10.0.0.1:40001: does not start with the ZMTP signature (0xFF)"
            ])
    }

    /// A CURVE connection's frames are encrypted: left out, saying so.
    @Test func aCurveConnectionIsLeftOut() throws {
        let tcp = TestConnection(clock: TestClock())
        var packets = tcp.handshake()
        packets.append(tcp.send(fromClient: true, ZMTPBytes.greeting(mechanism: "CURVE")))
        packets.append(tcp.send(fromClient: false, ZMTPBytes.greeting(mechanism: "CURVE", asServer: true)))
        packets.append(tcp.send(fromClient: true, ZMTPBytes.frame([1, 2])))
        let capture = try LiveTraffic.capture(packets)
        #expect(capture.frames == [])
        #expect(
            capture.notes == [
                "tcp 10.0.0.1:40001 – 10.0.0.2:5555: left out: from 10.0.0.1:40001: the security mechanism is CURVE, not NULL"
            ])
    }

    /// A multipart message gives its last frame, noted once for the connection.
    @Test func multipartMessagesGiveTheirLastFrame() throws {
        let tcp = TestConnection(clock: TestClock())
        var packets = tcp.handshake() + tcp.opening()
        let first = tcp.send(fromClient: true, ZMTPBytes.frame([], more: true) + ZMTPBytes.frame([1]))
        let second = tcp.send(fromClient: true, ZMTPBytes.frame([9], more: true) + ZMTPBytes.frame([8], more: true) + ZMTPBytes.frame([2]))
        packets += [first, second]
        let capture = try LiveTraffic.capture(packets)
        #expect(capture.frames == [frame(first, .clientToGateway, 1, [1]), frame(second, .clientToGateway, 1, [2])])
        #expect(
            capture.notes == [
                "tcp 10.0.0.1:40001 – 10.0.0.2:5555: from 10.0.0.1:40001: a multipart message of 2 frames, where T1 sends one frame "
                    + "per protocol message: its last frame is taken (noted once per connection)"
            ])
    }

    /// A segment never captured ends its direction there: the frames before it are kept, the other direction goes on.
    @Test func aGapEndsTheDirection() throws {
        let tcp = TestConnection(clock: TestClock())
        var packets = tcp.handshake() + tcp.opening()
        let before = tcp.send(fromClient: true, ZMTPBytes.frame([1]))
        _ = tcp.send(fromClient: true, ZMTPBytes.frame([2]))  // lost
        let after = tcp.send(fromClient: true, ZMTPBytes.frame([3]))
        let reply = tcp.send(fromClient: false, ZMTPBytes.frame([4]))
        packets += [before, after, reply]
        let capture = try LiveTraffic.capture(packets)
        #expect(capture.frames == [frame(before, .clientToGateway, 1, [1]), frame(reply, .gatewayToClient, 1, [4])])
        #expect(
            capture.notes == [
                "tcp 10.0.0.1:40001 – 10.0.0.2:5555: from 10.0.0.1:40001: a gap at sequence \(tcp.clientSequence - 6): "
                    + "3 bytes after it never joined up; the rest of that direction is not read"
            ])
    }

    /// A frame size no profile could need ends the direction; the frames before it are kept.
    @Test func anOversizedFrameEndsTheDirection() throws {
        let tcp = TestConnection(clock: TestClock())
        var packets = tcp.handshake() + tcp.opening()
        let good = tcp.send(fromClient: true, ZMTPBytes.frame([1]))
        packets += [good, tcp.send(fromClient: true, [0x02, 0, 0, 0, 0, 0x10, 0, 0, 0, 1])]
        let capture = try LiveTraffic.capture(packets)
        #expect(capture.frames == [frame(good, .clientToGateway, 1, [1])])
        #expect(
            capture.notes == [
                "tcp 10.0.0.1:40001 – 10.0.0.2:5555: from 10.0.0.1:40001: a frame of 268435456 bytes at stream byte 110, "
                    + "over the 67108864 a frame may have; the rest of that direction is not read"
            ])
    }

    /// The same ports used again: a new SYN starts a new connection, a new stream.
    @Test func aPortUsedAgainIsANewConnection() throws {
        let clock = TestClock()
        let first = TestConnection(clock: clock, isn: 1000)
        let second = TestConnection(clock: clock, isn: 900_000)
        var packets = first.handshake() + first.opening()
        let one = first.send(fromClient: true, ZMTPBytes.frame([1]))
        packets.append(one)
        packets += second.handshake() + second.opening()
        let two = second.send(fromClient: true, ZMTPBytes.frame([2]))
        packets.append(two)
        let capture = try LiveTraffic.capture(packets)
        #expect(capture.frames == [frame(one, .clientToGateway, 1, [1]), frame(two, .clientToGateway, 2, [2])])
    }

    /// More frames than a capture may hold is an error naming the limit and the packet.
    @Test func moreFramesThanTheLimitIsAnError() {
        let tcp = TestConnection(clock: TestClock())
        var packets = tcp.handshake() + tcp.opening()
        let stream = [UInt8](repeating: 0, count: 2 * (Capture.maxFrames + 1))  // empty frames
        packets += stride(from: 0, to: stream.count, by: 60_000).map {
            tcp.send(fromClient: true, Array(stream[$0..<min($0 + 60_000, stream.count)]))
        }
        #expect(throws: CaptureError("packet 39: more than 1000000 frames (Capture.maxFrames)")) { try LiveTraffic.capture(packets) }
    }

    /// IP fragments are not reassembled: skipped, with a note counting them.
    @Test func fragmentsAreSkippedWithANote() throws {
        let tcp = TestConnection(clock: TestClock(), link: .raw)
        var packets = tcp.handshake() + tcp.opening()
        let fragment = TestConnection.ipv4([10, 0, 0, 1], [10, 0, 0, 2], [0, 0, 0, 0], fragment: 0x2000)
        packets.append(LinkPacket(linkType: 101, nanoseconds: 1, data: fragment))
        let capture = try LiveTraffic.capture(packets)
        #expect(capture.frames == [])
        #expect(capture.notes == ["1 packet(s) skipped, the first packet 6: an IP fragment (fragments are not reassembled)"])
    }
}

extension LiveTrafficTests {
    /// Classic pcap files read into packets.
    @Suite struct ClassicPcapFiles {
        private func exchange() -> [LinkPacket] {
            let tcp = TestConnection(clock: TestClock())
            return tcp.handshake() + tcp.opening() + [
                tcp.send(fromClient: true, ZMTPBytes.frame([1, 2])), tcp.send(fromClient: false, ZMTPBytes.frame([3])),
            ]
        }

        /// Both byte orders and both resolutions give the packets back, to their resolution.
        @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
        func byteOrdersAndResolutions(bigEndian: Bool, nanosecond: Bool) throws {
            var packets = exchange()
            packets[0].nanoseconds += 789  // below a microsecond
            let file = TestPcap.file(packets, bigEndian: bigEndian, nanosecond: nanosecond)
            #expect(ClassicPcap.isPcap(file))
            var expected = packets
            if !nanosecond { expected[0].nanoseconds -= 789 }
            #expect(try ClassicPcap.packets(file) == expected)
        }

        /// A snap length that cuts packets short: what was captured is read, and the cut stream ends with a note.
        @Test func truncatedPackets() throws {
            let tcp = TestConnection(clock: TestClock())
            var packets = tcp.handshake() + tcp.opening()
            let request = tcp.send(fromClient: true, ZMTPBytes.frame([1, 2]))
            packets += [
                request, tcp.send(fromClient: true, ZMTPBytes.frame(Array(repeating: 5, count: 200))),
                tcp.send(fromClient: true, ZMTPBytes.frame([6])),
            ]
            let read = try ClassicPcap.packets(TestPcap.file(packets, snap: 200))
            #expect(read.map(\.data.count) == packets.map { min($0.data.count, 200) })
            let capture = try LiveTraffic.capture(read)
            #expect(capture.frames == [WireFrame(nanoseconds: request.nanoseconds, direction: .clientToGateway, stream: 1, bytes: [1, 2])])
            // 1001 + the opening's 107 bytes + the request's 4 + the 146 of the cut frame the 200 bytes held.
            #expect(
                capture.notes == [
                    "tcp 10.0.0.1:40001 – 10.0.0.2:5555: from 10.0.0.1:40001: a packet cut short by the capture's snap length at "
                        + "sequence 1258; the rest of that direction is not read"
                ])
        }

        /// A captured length past the end of the file is an error naming its byte offset.
        @Test func aLengthPastTheEndNamesItsOffset() {
            var file = TestPcap.file(exchange())
            file[24 + 8] = 0xFF
            file[24 + 11] = 0x7F
            #expect(throws: CaptureError(offset: 32, "a record's captured length 2130706687 runs past the end of the file")) {
                try ClassicPcap.packets(file)
            }
        }

        /// Packets with bytes changed anywhere (a fixed seed) are read or refused, never a crash.
        @Test func changedBytesNeverCrash() {
            let tcp = TestConnection(clock: TestClock(), v6: true)
            let packets = tcp.handshake() + tcp.opening() + [tcp.send(fromClient: true, ZMTPBytes.frame(Array(repeating: 1, count: 300)))]
            var state: UInt64 = 20_261_207
            func next(_ bound: Int) -> Int {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Int((state >> 33) % UInt64(bound))
            }
            for _ in 0..<3000 {
                var changed = packets
                let packet = next(changed.count)
                for _ in 0...next(3) { changed[packet].data[next(changed[packet].data.count)] = UInt8(next(256)) }
                _ = try? LiveTraffic.capture(changed)
            }
        }

        /// Every prefix of a valid file reads or throws a CaptureError: never a crash.
        @Test func everyPrefixReadsOrThrows() throws {
            let file = TestPcap.file(exchange())
            var read = 0
            for length in 0...file.count {
                do {
                    let packets = try ClassicPcap.packets(Array(file.prefix(length)))
                    _ = try LiveTraffic.capture(packets)
                    read += 1
                } catch {
                    #expect(error.offset != nil)
                }
            }
            // The header alone, then each whole record: 1 + 7.
            #expect(read == 8)
        }
    }
}
