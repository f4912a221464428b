import Foundation
import Testing

@testable import CompatRunner

@Suite struct PcapngTests {
    /// The blocks are whole: each block's two lengths agree and the file ends on the last block.
    @Test func blocksAreWellFormed() throws {
        let frames = [
            WireFrame(nanoseconds: 1_700_000_000_123_456_789, direction: .clientToGateway, stream: 1, bytes: [1, 2, 3]),
            WireFrame(
                nanoseconds: 1_700_000_000_223_456_789, direction: .gatewayToClient, stream: 2, bytes: [4, 5, 6, 7, 8], comment: "c"),
        ]
        let bytes = Pcapng.file(dissector: "tgp", comments: ["cell v3-v5"], frames: frames)
        var offset = 0
        var types: [UInt32] = []
        while offset < bytes.count {
            let type =
                UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
            let length = Int(bytes[offset + 4]) | Int(bytes[offset + 5]) << 8 | Int(bytes[offset + 6]) << 16 | Int(bytes[offset + 7]) << 24
            let trailer =
                Int(bytes[offset + length - 4]) | Int(bytes[offset + length - 3]) << 8 | Int(bytes[offset + length - 2]) << 16 | Int(
                    bytes[offset + length - 1]) << 24
            #expect(length == trailer)
            #expect(length % 4 == 0)
            types.append(type)
            offset += length
        }
        #expect(offset == bytes.count)
        #expect(types == [0x0A0D_0D0A, 1, 6, 6])
        if let out = ProcessInfo.processInfo.environment["PCAPNG_OUT"] { try Pcapng.write(bytes, to: out) }
    }
}
