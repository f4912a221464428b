// Schema.tgp is generated at build time from Sources/TGP/tgp.xml and tgp.profile.json: the value
// the generated Swift builds is the one the reader makes of the files, message by message.
// (When the hand-written tables were replaced, this suite compared the reader's result with them
// field by field, and they agreed; the golden frames and the lock guard TGP's bytes since.)

import Foundation
import SBE
import SchemaXML
import TGP
import Testing

@Suite("tgp.xml is Schema.tgp")
struct TGPEquivalenceTests {
    /// Sources/TGP/tgp.xml, from this file's place in the repository.
    static let tgpXML = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/TGP/tgp.xml").path

    @Test func theGeneratedSchemaIsWhatTheReaderReads() throws {
        let loaded = try SchemaSource.load(xml: Self.tgpXML)
        #expect(loaded.messages.map(\.name) == Schema.tgp.messages.map(\.name))
        for (read, generated) in zip(loaded.messages, Schema.tgp.messages) {
            #expect(read == generated, "\(read.name)")
        }
        #expect(loaded.enums == Schema.tgp.enums)
        #expect(loaded == Schema.tgp)
    }

    @Test func theProfileSaysWhatTheXMLCannot() {
        let tgp = Schema.tgp
        #expect(tgp.peerRanges == [1: 1...1, 2: 1...2, 3: 1...3, 4: 2...4, 5: 3...5])
        let limits: [Int] = [tgp.maxFrameSize, tgp.maxVarDataLength, tgp.maxGroupEntries]
        #expect(limits == [4096, 1024, 64])
        #expect(tgp.message(named: "Heartbeat")?.direction == .both)
        #expect(tgp.message(named: "NewOrder")?.rootField(named: "quantityLong")?.widens == "quantity")
        let timeInForce = tgp.enumeration(named: "TimeInForce")!
        #expect(timeInForce.value(timeInForce.defaultValue)?.name == "Day")
    }
}
