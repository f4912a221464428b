import BuiltBinaries
import Foundation
import MiniJSON
import PeerContract
import Testing

@testable import CompatRunner

/// Captures: what compat writes reads back exactly, a kept cell holds one that matches what its
/// client reported, and a capture file that is cut or corrupt is an error, never a crash.
@Suite struct CaptureTests {
    private let frames = [
        WireFrame(nanoseconds: 1_700_000_000_123_456_789, direction: .clientToGateway, stream: 1, bytes: [1, 2, 3]),
        WireFrame(nanoseconds: 1_700_000_000_223_456_789, direction: .gatewayToClient, stream: 2, bytes: [4, 5, 6, 7, 8], comment: "c"),
        WireFrame(nanoseconds: 1_700_000_001_000_000_000, direction: .gatewayToClient, stream: 1, bytes: []),
    ]

    @Test func whatCompatWritesReadsBackExactly() throws {
        let capture = try CaptureReader.capture(Pcapng.file(dissector: "tgp", comments: ["one", "two"], frames: frames))
        #expect(capture.dissector == "tgp")
        #expect(capture.comments == ["one", "two"])
        #expect(capture.frames == frames)
    }

    @Test func everyCutOfAFileReadsOrIsAnError() {
        let bytes = Pcapng.file(dissector: "tgp", comments: ["a comment"], frames: frames)
        var errors = 0
        for length in 0..<bytes.count {
            do {
                _ = try CaptureReader.capture(Array(bytes.prefix(length)))
            } catch {
                errors += 1
            }
        }
        // Only the cuts at a block's end read; every other one is an error.
        #expect(errors == bytes.count - 4)
    }

    @Test func aBlockLengthBeyondTheFileIsAnErrorNamingTheOffset() {
        var bytes = Pcapng.file(dissector: "tgp", comments: [], frames: frames)
        bytes[4] = 0xFF
        bytes[5] = 0xFF
        #expect(throws: CaptureError.self) { try CaptureReader.capture(bytes) }
        do {
            _ = try CaptureReader.capture(bytes)
        } catch {
            #expect(error.offset == 0)
        }
    }

    /// A failing cell's folder holds capture.pcapng with exactly the frames its client reported,
    /// in order, and the Logons the gateway received for it.
    @Test func aKeptCellHoldsTheCaptureOfWhatItsClientReported() throws {
        let matrix = try TestMatrix(extraArguments: [5: ["--fault", "wrong-reject-code"]])
        let (config, samples) = try matrix.load()
        let result = MatrixRunner(config: config, samples: samples).run(
            cells: [(client: "v3", gateway: "v5")], options: RunOptions(jobs: 1, temporaryRoot: matrix.folder))
        let cell = try #require(result.cells.first)
        #expect(cell.state == .fail)
        let folder = try #require(cell.keptDirectory)
        let capture = try CaptureReader.read(path: folder + "/capture.pcapng")
        let reported = try reportedFrames(transcript: folder + "/client.transcript")
        let logons = Set(
            try reportedFrames(transcript: folder + "/gateway.transcript", events: ["received"]).filter { $0.1.count > 4 && $0.1[2] == 1 }
                .map(\.1))
        let captured = capture.frames.map { ($0.direction, $0.bytes) }.filter { !($0.0 == .clientToGateway && logons.contains($0.1)) }
        #expect(captured.map(\.0) == reported.map(\.0))
        #expect(captured.map(\.1) == reported.map(\.1))
        #expect(capture.frames.allSatisfy { $0.stream == 1 })
        #expect(capture.comments.contains("result: FAIL"))
    }

    /// The frames a peer's transcript shows it reported, in order: what it sent, what it received.
    private func reportedFrames(transcript path: String, events: Set<String> = ["sent", "received", "rejected_inbound"]) throws -> [(
        WireDirection, [UInt8]
    )] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").filter { $0.hasPrefix("< ") }.compactMap { line in
            let json = try JSON.parse(Array(line.dropFirst(2).utf8))
            guard let event = json["event"]?.stringValue, events.contains(event), let hex = json["bytes"]?.stringValue,
                let bytes = TGPBytes.fromHex(hex)
            else { return nil }
            return (event == "sent" ? .clientToGateway : .gatewayToClient, bytes)
        }
    }
}

enum TGPBytes {
    static func fromHex(_ hex: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) ?? hex.endIndex
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
