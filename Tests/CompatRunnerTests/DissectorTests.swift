// `compat dissector`: the Lua it generates loads in tshark (TGP, RFQ, a schema of hostile names,
// big-endian), reads the golden frames exactly as compat decodes them, flags what a receiver
// refuses with the rule's expert info, survives truncated and random frames, and a dissector that
// reads a frame wrongly is caught by `verify`. tshark must be installed (scripts/install-deps).

import BuiltBinaries
import Foundation
import MiniJSON
import TGP
import Testing

@testable import CompatRunner

@Suite struct DissectorTests {
    static let root = Built.repositoryRoot
    static let tgpXML = root + "/Sources/TGP/tgp.xml"
    static let rfqXML = root + "/protocols/rfq/rfq.xml"

    static func tshark() throws -> String { try DissectorTshark.resolve("tshark") }

    /// tshark's layers for `frames` with `source` loaded (a Lua that does not load throws).
    static func layers(_ frames: [[UInt8]], _ source: DissectorSource) throws -> [JSON?] {
        let checked = frames.enumerated().map { CheckedFrame(label: "test \($0.offset)", bytes: $0.element) }
        return try DissectorTshark.layers(of: checked, source: source, program: try tshark())
    }

    static func report(_ frames: [[UInt8]], _ schema: Schema, _ source: DissectorSource) throws -> DissectorReport {
        let checked = frames.enumerated().map { CheckedFrame(label: "test \($0.offset)", bytes: $0.element) }
        return DissectorVerify.compare(checked, try layers(frames, source), schema: schema, source: source)
    }

    @Test func nameComesFromTheSchemaFile() {
        #expect(Dissector.name(forSchemaFile: "Sources/TGP/tgp.xml") == "tgp")
        #expect(Dissector.name(forSchemaFile: "/x/Example-Schema.v2.XML") == "example_schema_v2")
        #expect(Dissector.name(forSchemaFile: "3x.xml") == "sbe_3x")
        #expect(Dissector.isValidName("rfq_2"))
        #expect(
            !Dissector.isValidName("Rfq") && !Dissector.isValidName("2x") && !Dissector.isValidName("a.b") && !Dissector.isValidName(""))
    }

    @Test func luaLiteralsEscapeEveryByteThatCouldEndThem() {
        #expect(LuaText.string(#"a"b\c"#) == #""a\"b\\c""#)
        #expect(LuaText.string("]]\n--[[") == #""]]\010--[[""#)
        #expect(LuaText.string("é\u{0}1") == #""\195\169\0001""#)
    }

    /// The golden frames of TGP: every field of every frame as compat decodes it (exact figures).
    @Test func verifyAgreesOnTGP() throws {
        let run = try runCompat(["dissector", "verify", "--schema", Self.tgpXML, "--fixtures", Self.root + "/fixtures"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout == "228 frames (228 decoded, 0 refused), 3402 fields compared, 0 mismatches\n")
    }

    /// RFQ's golden frames, from the fixtures folder beside its schema.
    @Test func verifyAgreesOnRFQ() throws {
        let run = try runCompat(["dissector", "verify", "--schema", Self.rfqXML])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout == "68 frames (68 decoded, 0 refused), 772 fields compared, 0 mismatches\n")
    }

    /// `--mutations`: each golden frame cut short and changed, the refusals agreeing rule by rule.
    @Test func verifyAgreesOnMutatedFrames() throws {
        let run = try runCompat(["dissector", "verify", "--schema", Self.rfqXML, "--mutations", "2"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout == "2581 frames (149 decoded, 2432 refused), 1677 fields compared, 0 mismatches\n")
    }

    /// A frame of each refusal rule carries that rule's expert info, and verify counts them as agreeing.
    @Test func refusalsCarryTheirRule() throws {
        let source = Dissector.generate(schema: .tgp, name: "tgp")
        let heartbeat = try #require(
            try DissectorFrames.golden(fixtures: Self.root + "/fixtures")?.first { $0.label.contains("Heartbeat") })
        var unknownTemplate = heartbeat.bytes
        unknownTemplate[2] = 0xEE
        let frames = [Array(heartbeat.bytes.prefix(3)), unknownTemplate, heartbeat.bytes]
        let layers = try Self.layers(frames, source)
        let experts = layers.map { $0.map { Set(DissectorTree.experts(in: $0, name: "tgp")) } ?? [] }
        #expect(experts[0].contains("tgp.r8") && experts[1].contains("tgp.r5"))
        #expect(experts[2].isDisjoint(with: ["tgp.r5", "tgp.r7", "tgp.r8", "tgp.bug"]))
        let report = DissectorVerify.compare(
            frames.map { CheckedFrame(label: "", bytes: $0) }, layers, schema: .tgp, source: source)
        #expect(report.agrees && report.refused == 2 && report.decoded == 1, "\(report.summary)")
    }

    /// Every golden frame cut at every length, with bytes changed, and random frames: tshark never
    /// raises a Lua error, and refuses each frame by the rule compat refuses it by.
    @Test func truncatedAndRandomFramesAgree() throws {
        for (xml, fixtures) in [(Self.tgpXML, Self.root + "/fixtures"), (Self.rfqXML, Self.root + "/protocols/rfq/fixtures")] {
            let schema = try SchemaFile.load(path: xml)
            let golden = try #require(try DissectorFrames.golden(fixtures: fixtures)).map(\.bytes)
            var random = Noise(state: 42)
            var frames: [[UInt8]] = []
            for frame in golden {
                frames += (0..<frame.count).map { Array(frame.prefix($0)) }
                for _ in 0..<4 {
                    var changed = frame
                    changed[Int(random.next() % UInt64(frame.count))] = UInt8(truncatingIfNeeded: random.next())
                    frames.append(changed)
                }
            }
            frames += (0..<200).map { _ in (0..<Int(random.next() % 48)).map { _ in UInt8(truncatingIfNeeded: random.next()) } }
            let source = Dissector.generate(schema: schema, name: Dissector.name(forSchemaFile: xml))
            let report = try Self.report(frames, schema, source)
            #expect(report.agrees, "\(xml): \(report.summary)")
            #expect(report.refused > frames.count / 2 && report.decoded > golden.count)
        }
    }

    /// A dissector that reads v5 frames as v4 (fields missing) is caught, field by field.
    @Test func aWrongDissectorIsCaught() throws {
        let generated = Dissector.generate(schema: .tgp, name: "tgp")
        let wrong = DissectorSource(
            name: "tgp", lua: generated.lua.replacingOccurrences(of: "local NEWEST = 5\n", with: "local NEWEST = 4\n"),
            catalogue: generated.catalogue)
        #expect(wrong.lua != generated.lua)
        let frames = try #require(try DissectorFrames.golden(fixtures: Self.root + "/fixtures")).filter { $0.label.hasPrefix("v5/") }
        let report = try Self.report(frames.map(\.bytes), .tgp, wrong)
        #expect(!report.agrees)
        #expect(report.mismatches.contains { $0.contains("compat") && $0.contains("(not shown)") }, "\(report.summary)")
    }

    /// A catalogue that does not explain what tshark shows is a mismatch too.
    @Test func anUndeclaredFieldIsCaught() throws {
        let generated = Dissector.generate(schema: .tgp, name: "tgp")
        let missing = DissectorSource(name: "tgp", lua: generated.lua, catalogue: generated.catalogue.filter { $0.key != "tgp.f_1" })
        let frames = try #require(try DissectorFrames.golden(fixtures: Self.root + "/fixtures")).filter { $0.label.contains("Logon.json") }
        let report = try Self.report(frames.map(\.bytes), .tgp, missing)
        #expect(report.mismatches.contains { $0.contains("tgp.f_1, which the dissector does not declare") }, "\(report.summary)")
    }

    /// Text var-data with control bytes, a backslash and non-ASCII UTF-8 shows whole.
    @Test func textWithControlBytesShowsWhole() throws {
        let schema = try SchemaFile.load(path: Self.rfqXML)
        let golden = try #require(
            try DissectorFrames.golden(fixtures: Self.root + "/protocols/rfq/fixtures")?.first { $0.label.contains("QuoteStatusReport") })
        var message = try Codec(schema: schema).decode(golden.bytes, asVersion: FrameTool.versions(of: schema).last ?? 0).message
        message["text"] = .text("a\u{0}b\n\\x00 é ü\u{7F}")
        let frame = try Codec(schema: schema).encode(message, at: FrameTool.versions(of: schema).last ?? 0)
        let report = try Self.report([frame], schema, Dissector.generate(schema: schema, name: "rfq"))
        #expect(report.agrees && report.decoded == 1, "\(report.summary)")
    }

    /// Names with quotes, backslashes, `]]`, newlines and Lua code only ever reach the Lua as
    /// escaped literals: the dissector loads, reads a big-endian frame of every kind of field, and
    /// shows the names as they are.
    @Test func hostileNamesCannotBreakTheLua() throws {
        let schema = HostileSchema.schema
        let source = Dissector.generate(schema: schema, name: "hostile", port: 5555)
        let frame = try Codec(schema: schema).encode(HostileSchema.message, at: 1)
        let report = try Self.report([frame], schema, source)
        #expect(report.agrees && report.decoded == 1 && report.fieldsCompared >= 10, "\(report.summary)")
        let layer = try #require(try Self.layers([frame], source).first ?? nil)
        #expect(layer["hostile.message"]?.stringValue == #"q"'\\]]\x0a--[[ os.exit(1) --]] ]=] \x00éMsg"#)
    }

    /// With a port, ZeroMQ traffic over TCP: the greeting and READY skipped, frames reassembled
    /// across segments cut anywhere, each message frame's body read by the SBE dissector.
    @Test func zmtpOverTCPReachesTheSBEDissector() throws {
        let heartbeat = try #require(
            try DissectorFrames.golden(fixtures: Self.root + "/fixtures")?.first { $0.label.contains("Heartbeat") })
        let greeting: [UInt8] = [0xFF] + Array(repeating: 0, count: 8) + [0x7F, 3, 0] + Array("NULL".utf8) + Array(repeating: 0, count: 48)
        let ready: [UInt8] = [0x04, 6, 5] + Array("READY".utf8)
        let message: [UInt8] = [0x00, UInt8(heartbeat.bytes.count)] + heartbeat.bytes
        let stream = greeting + ready + message + message
        let cuts = [5, 64, 70, greeting.count + ready.count + 3, stream.count]
        let segments = zip([0] + cuts, cuts).map { Array(stream[$0..<$1]) }
        let folder = NSTemporaryDirectory() + "compat-zmtp-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let script = folder + "/tgp.lua"
        let capture = folder + "/zmtp.pcap"
        FileManager.default.createFile(atPath: script, contents: Data(Dissector.generate(schema: .tgp, name: "tgp", port: 5555).lua.utf8))
        FileManager.default.createFile(atPath: capture, contents: Data(TCPCapture.pcap(segments, port: 5555)))
        let run = try PeerProcess.run([
            try Self.tshark(), "-n", "-X", "lua_script:" + script, "-r", capture, "-T", "fields", "-e", "tgp.message", "-e",
            "tgp_zmtp.flags",
        ])
        let lines = run.stdoutText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.contains("Heartbeat,Heartbeat\t0x00,0x00"), "\(run.stdoutText)\(run.stderr)")
        #expect(lines.contains("\t0x04"), "the READY command frame")
        #expect(!run.stderr.contains("Lua"), "\(run.stderr)")
    }

    /// `--capture`: the frames of a capture compat wrote are checked after the golden ones, a
    /// garbage frame among them as a refusal; a capture of another link type is exit 2.
    @Test func verifyReadsACapture() throws {
        let folder = NSTemporaryDirectory() + "compat-dissector-capture-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let golden = try #require(try DissectorFrames.golden(fixtures: Self.root + "/protocols/rfq/fixtures"))
        let bytes = [golden[0].bytes, [0xDE, 0xAD], golden[1].bytes]
        let frames = bytes.enumerated().map {
            WireFrame(
                nanoseconds: UInt64($0.offset), direction: $0.offset % 2 == 0 ? .clientToGateway : .gatewayToClient, stream: 1,
                bytes: $0.element)
        }
        let capture = folder + "/rfq.pcapng"
        try Pcapng.write(Pcapng.file(dissector: "rfq", comments: ["test"], frames: frames), to: capture)
        let run = try runCompat(["dissector", "verify", "--schema", Self.rfqXML, "--capture", capture])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.hasPrefix("71 frames (70 decoded, 1 refused), "), "\(run.stdout)")

        var other = Pcapng.file(dissector: "rfq", comments: [], frames: frames)
        // The interface block follows the section header: its link type is its body's first two bytes.
        let sectionLength = Int(other[4]) | Int(other[5]) << 8
        other[sectionLength + 8] = 1
        other[sectionLength + 9] = 0
        try Pcapng.write(other, to: capture)
        let refused = try runCompat(["dissector", "verify", "--schema", Self.rfqXML, "--capture", capture])
        #expect(refused.status == 2 && refused.stderr.contains("not an exported PDU"), "\(refused.stderr)")
    }

    @Test func commandErrorsExitTwo() throws {
        let badName = try runCompat(["dissector", "--schema", Self.rfqXML, "--name", "Bad-Name"])
        #expect(badName.status == 2 && badName.stderr.contains("a-z, 0-9 and _"))
        let noTshark = try runCompat(["dissector", "verify", "--schema", Self.rfqXML, "--tshark", "/nonexistent/tshark"])
        #expect(noTshark.status == 2 && noTshark.stderr.contains("not an executable file"))
        let printed = try runCompat(["dissector", "--schema", Self.rfqXML, "--port", "5555"])
        #expect(printed.status == 0 && printed.stdout.contains("local NAME = \"rfq\"") && printed.stdout.contains("local ZMTP_PORT = 5555"))
    }
}

/// A schema whose every name tries to break out of a Lua string or comment.
private enum HostileSchema {
    static let evil = "q\"'\\]]\n--[[ os.exit(1) --]] ]=] \u{0}é"

    static let side = EnumSchema(evil + "Side", [.init(1, evil + "Buy", since: 0), .init(2, "Sell]]", since: 0)], encoding: .uint8)
    static let flags = SetSchema(evil + "Flags", encoding: .uint16, choices: [.init(evil + "A", bit: 0), .init("B\n", bit: 9)])
    static let price = CompositeSchema(
        evil + "Price",
        members: [FieldSchema(evil + "m", .i64, at: 0, since: 0), FieldSchema(evil + "e", .primitive(.int8), at: 8, since: 0)])
    static let entries = GroupSchema(
        evil + "Group", since: 0, fields: [FieldSchema(evil + "px", .primitive(.double), at: 0, since: 0)],
        varData: [VarDataSchema(evil + "note", since: 0)])

    static let message = {
        var message = Message(schema.messages[0])
        message.values = [
            .unsigned(7), .unsigned(1), .unsigned(1 | 1 << 9), .composite([.signed(-5), .signed(2)]), .null, .text("AB"),
            .signed(-1), .group([[.double(0.25), .text("n")]]), .text("end"),
        ]
        return message
    }()

    static let schema: Schema = {
        let fields = [
            FieldSchema(evil + "id", .u32, at: 0, since: 0),
            FieldSchema(evil + "side", .enumeration(side), at: 4, since: 0),
            FieldSchema(evil + "flags", .set(flags), at: 5, since: 0),
            FieldSchema(evil + "price", .composite(price), at: 7, since: 0),
            FieldSchema(evil + "opt", .u16, at: 16, since: 0, presence: .optional),
            FieldSchema(evil + "sym", .chars(4), at: 18, since: 0),
            FieldSchema(evil + "v1", .primitive(.int16), at: 22, since: 1),
        ]
        let message = MessageSchema(
            1, evil + "Msg", .both, since: 0, fields: fields, groups: [entries], varData: [VarDataSchema(evil + "text", since: 0)])
        return Schema(
            schemaId: 9, messages: [message], enums: [side], peerRanges: [0: 0...1, 1: 0...1], maxFrameSize: 4096,
            maxVarDataLength: 1024, maxGroupEntries: 64, sets: [flags], composites: [price], package: evil, byteOrder: .bigEndian)
    }()
}

/// A 64-bit LCG: the same frames on every run.
private struct Noise {
    var state: UInt64

    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 11
    }
}

/// A classic pcap of Ethernet/IPv4/TCP segments from 127.0.0.1:40001 to `port`, in order.
private enum TCPCapture {
    static func pcap(_ segments: [[UInt8]], port: UInt16) -> [UInt8] {
        var out =
            le(UInt32(0xA1B2_C3D4)) + le(UInt16(2)) + le(UInt16(4)) + le(UInt32(0)) + le(UInt32(0)) + le(UInt32(65535)) + le(UInt32(1))
        var sequence: UInt32 = 1000
        for (index, payload) in segments.enumerated() {
            let packet = ethernet(ipv4(tcp(payload, port: port, sequence: sequence)))
            sequence += UInt32(payload.count)
            out += le(UInt32(index)) + le(UInt32(0)) + le(UInt32(packet.count)) + le(UInt32(packet.count)) + packet
        }
        return out
    }

    private static func tcp(_ payload: [UInt8], port: UInt16, sequence: UInt32) -> [UInt8] {
        be(UInt16(40001)) + be(port) + be(sequence) + be(UInt32(0)) + [0x50, 0x18] + be(UInt16(65535)) + be(UInt16(0)) + be(UInt16(0))
            + payload
    }

    private static func ipv4(_ segment: [UInt8]) -> [UInt8] {
        var header: [UInt8] =
            [0x45, 0] + be(UInt16(20 + segment.count)) + be(UInt16(1)) + [0, 0, 64, 6, 0, 0] + [127, 0, 0, 1, 127, 0, 0, 1]
        let sum = stride(from: 0, to: header.count, by: 2).reduce(UInt32(0)) { $0 + (UInt32(header[$1]) << 8 | UInt32(header[$1 + 1])) }
        let folded = ~UInt16(truncatingIfNeeded: (sum & 0xFFFF) + (sum >> 16))
        header[10] = UInt8(folded >> 8)
        header[11] = UInt8(folded & 0xFF)
        return header + segment
    }

    private static func ethernet(_ packet: [UInt8]) -> [UInt8] { Array(repeating: 0, count: 11) + [1, 0x08, 0x00] + packet }

    private static func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
    private static func be<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
}
