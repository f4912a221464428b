// Every message type at every version it exists in: a sample with a distinct non-default value
// in every field, built generically from the schema, encoded and decoded back.

import Testing

@testable import TGP

@Suite("Round trips")
struct RoundTripTests {
    @Test(arguments: TypeAtVersion.all)
    func encodeThenDecodeAtTheSameVersion(_ c: TypeAtVersion) throws {
        let sample = sampleMessage(c.type, at: c.version)
        let frame = try codec.encode(sample, at: c.version)

        let header = try #require(FrameHeader(of: frame))
        #expect(Int(header.version) == c.version)
        #expect(Int(header.blockLength) == c.type.blockLength(at: c.version))
        #expect(header.templateId == c.type.templateId)
        #expect(header.schemaId == 0x5447)

        let decoded = try codec.decode(frame, asVersion: c.version)
        #expect(decoded.header == header)
        #expect(decoded.message == sample.projected(onto: c.version))
        // Nothing of the sample is newer than its version, so the projection keeps it whole.
        #expect(decoded.message == sample)
    }

    /// The frame is exactly header · block · groups · var-data, with nothing left over.
    @Test(arguments: TypeAtVersion.all)
    func frameLengthIsTheSumOfItsParts(_ c: TypeAtVersion) throws {
        let sample = sampleMessage(c.type, at: c.version)
        let frame = try codec.encode(sample, at: c.version)
        var expected = 8 + c.type.blockLength(at: c.version)
        for (field, value) in zip(c.type.logicalFields, sample.values) where field.since <= c.version {
            switch (field.kind, value) {
            case (.group(let group), .group(let entries)): expected += 4 + entries.count * group.blockLength(at: c.version)
            case (.varData, .text(let text)): expected += 2 + text.utf8.count
            default: break
            }
        }
        #expect(frame.count == expected)
    }

    /// R1/R2/R3/R4/R10 generically: a frame from a sender at version s read by a receiver at
    /// version r is the sample projected onto min(s, r); a type newer than r is unknown (R5).
    @Test(arguments: TypeAtVersion.all)
    func decodeAtEveryReceiverVersion(_ c: TypeAtVersion) throws {
        let sample = sampleMessage(c.type, at: c.version, portable: true)
        let frame = try codec.encode(sample, at: c.version)
        for receiver in allVersions {
            if receiver < c.type.since {
                #expect(decodeError(frame, asVersion: receiver)?.reason == .unknownTemplate, "receiver v\(receiver)")
                continue
            }
            let decoded = try codec.decode(frame, asVersion: receiver)
            #expect(Int(decoded.header.version) == c.version)
            #expect(decoded.message == sample.projected(onto: min(c.version, receiver)), "receiver v\(receiver)")
        }
    }

    @Test func projectionResetsNewerFieldsInGroupsToo() {
        let snapshot = Message(
            messageType("MarketDataSnapshot"),
            [
                "symbol": t("X"), "seqNo": u(1), "lastTradePx": i(5),
                "levels": .group([[i(1), u(2), i(3), u(4), u(5), u(6)]]),
            ])
        let onto2 = snapshot.projected(onto: 2)
        #expect(onto2["lastTradePx"] == i(0))
        #expect(onto2["levels"] == .group([[i(1), u(2), i(3), u(4), u(0), u(0)]]))
        #expect(onto2["symbol"] == t("X"))
        #expect(snapshot.projected(onto: 5) == snapshot)
    }

    /// The projection keeps what the application asked for, newer fields aside: a quantity
    /// above u32 stays, so a sender below v4 refuses it (E2) rather than truncating it. A v3
    /// receiver of a v4+ frame, by contrast, delivers the capped legacy quantity.
    @Test func projectionKeepsAWideQuantityForTheSenderToRefuse() throws {
        let order = GoldenFrame.newOrderV5.message
        let onto3 = order.projected(onto: 3)
        #expect(onto3["quantity"] == u(5_000_000_000))
        #expect(onto3["stp"] == e("Stp", "None"))
        #expect(onto3["clientTag"] == t(""))
        #expect(encodeError(onto3, at: 3)?.refusal == .notRepresentable)
        #expect(try codec.decode(GoldenFrame.newOrderV5.bytes, asVersion: 3).message["quantity"] == u(4_294_967_295))
    }
}
