// The built `compat` on any schema: `schema show` (the layout at a version), `decode` and
// `encode` (one frame by hand, against the committed golden frames), `fixtures generate` (golden
// frames from generated samples, which `fixtures verify`'s checks pass), and their exit statuses.

import BuiltBinaries
import CompatRunner
import Foundation
import MiniJSON
import TGP
import Testing

/// The schema the commands are given, and the same schema for the checks made here. `tgp` until
/// the SchemaXML reader lands; then these tests run against Sources/TGP/tgp.xml as well.
private let schemaFile = "tgp"
private let schema = Schema.tgp

/// The committed golden file `v3/NewOrder.json`'s case `name`.
private func goldenCase(_ file: String, _ name: String = "sample") throws -> JSONObject {
    let data = try #require(FileManager.default.contents(atPath: Built.fixtures + "/golden/" + file))
    let cases = try #require(try JSON.parse(Array(data))["cases"]?.arrayValue)
    return try #require(cases.first { $0["name"]?.stringValue == name }?.objectValue, "\(file) has no case \(name)")
}

/// A golden case's frame as one hex string.
private func hex(of goldenCase: JSONObject) throws -> String {
    let rows = try #require(goldenCase["frame"]?.arrayValue).compactMap { $0.stringValue }
    return rows.map { $0.split(separator: " ").dropFirst().joined() }.joined()
}

private func parse(_ text: String) throws -> JSON { try JSON.parse(Array(text.utf8)) }

@Suite("compat schema show, decode, encode and fixtures generate on any schema")
struct SchemaToolCommandTests {
    // MARK: schema show

    @Test("schema show tgp --version 3 --message NewOrder: the root block at v3, one aligned row per field, then the var-data")
    func showNewOrder() throws {
        let run = try runCompat(["schema", "show", schemaFile, "--version", "3", "--message", "NewOrder"])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "schemaId 21575  package tgp  version 3 of 1, 2, 3, 4, 5  littleEndian  header 8 bytes  maxFrameSize 4096")
        let layout = Array(lines.drop { $0 != "NewOrder  templateId 10  since 1  blockLength 31" })
        #expect(
            layout == [
                "NewOrder  templateId 10  since 1  blockLength 31",
                "  field        offset  size  type         presence  since",
                "  clOrdId           0     8  u64          required      1",
                "  price             8     8  i64          required      1",
                "  quantity         16     4  u32          required      1",
                "  side             20     1  Side         required      1",
                "  ordType          21     1  OrdType      required      1",
                "  symbol           22     8  char8        required      1",
                "  timeInForce      30     1  TimeInForce  required      2",
                "  var-data  length   max  encoding  since",
                "  account   u16     1024  UTF-8         2",
                "",
            ], "\(run.stdout)")
    }

    @Test("schema show: a group's dimension and entry blockLength at the version, its fields indented under it")
    func showGroup() throws {
        let run = try runCompat(["schema", "show", schemaFile, "--version", "2", "--message", "MarketDataSnapshot"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            run.stdout.contains(
                "\n  group levels  since 2  dimension groupSizeEncoding 4 bytes (blockLength u16 at 0, numInGroup u16 at 2)  entry blockLength 24\n"
                    + "    field   offset  size  type  presence  since\n"
                    + "    bidPx        0     8  i64   required      2\n"), "\(run.stdout)")
        #expect(!run.stdout.contains("bidOrders"), "bidOrders is from v3")
    }

    @Test("schema show --json: every message type of the version, block lengths and offsets at that version")
    func showJSON() throws {
        let run = try runCompat(["schema", "show", schemaFile, "--version", "3", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try parse(run.stdout)
        #expect(json["version"]?.intValue == 3)
        let messages = try #require(json["messages"]?.arrayValue)
        #expect(messages.compactMap { $0["name"]?.stringValue } == schema.messages(knownAt: 3).map(\.name))
        let newOrder = try #require(messages.first { $0["name"]?.stringValue == "NewOrder" })
        #expect(newOrder["blockLength"]?.intValue == 31)
        #expect(newOrder["fields"]?.arrayValue?.count == 7)
        #expect(newOrder["fields"]?[3]?["type"]?.stringValue == "Side")
        #expect(newOrder["fields"]?[3]?["offset"]?.intValue == 20)
        #expect(newOrder["varData"]?[0]?["max"]?.intValue == 1024)
        let snapshot = try #require(messages.first { $0["name"]?.stringValue == "MarketDataSnapshot" })
        #expect(snapshot["groups"]?[0]?["blockLength"]?.intValue == 28)
        #expect(snapshot["groups"]?[0]?["dimension"]?["numInGroup"]?.stringValue == "u16")
    }

    @Test("schema show: an unknown message type, one newer than the version, or an unknown version is a usage error (exit 2)")
    func showErrors() throws {
        let unknown = try runCompat(["schema", "show", schemaFile, "--message", "Nope"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("--message Nope: not a message type"), "\(unknown.stderr)")
        let newer = try runCompat(["schema", "show", schemaFile, "--version", "3", "--message", "MassCancel"])
        #expect(newer.status == 2)
        #expect(newer.stderr.contains("added in version 4"), "\(newer.stderr)")
        let version = try runCompat(["schema", "show", schemaFile, "--version", "9"])
        #expect(version.status == 2)
        #expect(version.stderr.contains("--version 9: not a version of the schema (1, 2, 3, 4, 5)"), "\(version.stderr)")
    }

    // MARK: decode

    @Test("decode: each type's golden sample at v5 gives the header and exactly the golden file's fields")
    func decodeGoldenFrames() throws {
        for type in schema.messages(knownAt: 5) {
            let golden = try goldenCase("v5/\(type.name).json")
            let run = try runCompat(["decode", "--schema", schemaFile, try hex(of: golden)])
            #expect(run.status == 0, "\(type.name): \(run.stderr)")
            let json = try parse(run.stdout)
            #expect(json["templateId"]?.intValue == Int(type.templateId))
            #expect(json["version"]?.intValue == 5)
            #expect(json["blockLength"]?.intValue == type.blockLength(at: 5))
            #expect(json["message"]?["type"]?.stringValue == type.name)
            #expect(json["message"]?["fields"] == golden["fields"], "\(type.name)")
        }
    }

    @Test("decode --as-version: an older receiver's view is the golden file's decodedBy entry for that version")
    func decodeAsOlderReceiver() throws {
        let golden = try goldenCase("v3/NewOrder.json")
        for receiver in [1, 3, 5] {
            let run = try runCompat(["decode", "--schema", schemaFile, try hex(of: golden), "--as-version", String(receiver)])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(try parse(run.stdout)["message"]?["fields"] == golden["decodedBy"]?[String(receiver)], "v\(receiver)")
        }
    }

    @Test("decode: a refused frame exits 1 with the reason, the field and the byte offset")
    func decodeRefused() throws {
        var frame = try hex(of: try goldenCase("v3/NewOrder.json"))
        // side is at byte 20 of the block, 28 of the frame: 09 is no Side.
        frame.replaceSubrange(frame.index(frame.startIndex, offsetBy: 56)..<frame.index(frame.startIndex, offsetBy: 58), with: "09")
        let run = try runCompat(["decode", "--schema", schemaFile, frame])
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("InvalidValue: NewOrder.side at byte 28: 9 is not a known Side value"), "\(run.stderr)")

        let truncated = try runCompat(["decode", "--schema", schemaFile, String(frame.prefix(40))])
        #expect(truncated.status == 1)
        #expect(truncated.stderr.contains("Malformed: NewOrder at byte 8"), "\(truncated.stderr)")
    }

    @Test("decode: not hex, an unknown version or an unreadable schema is a usage error (exit 2)")
    func decodeUsageErrors() throws {
        let notHex = try runCompat(["decode", "--schema", schemaFile, "1f0g"])
        #expect(notHex.status == 2)
        #expect(notHex.stderr.contains("not hex"), "\(notHex.stderr)")
        let version = try runCompat(["decode", "--schema", schemaFile, "00", "--as-version", "0"])
        #expect(version.status == 2)
        #expect(version.stderr.contains("--as-version 0"), "\(version.stderr)")
        let missing = try runCompat(["decode", "--schema", "no-such-schema.xml", "00"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no-such-schema.xml"), "\(missing.stderr)")
    }

    // MARK: encode

    @Test("encode: the golden file's fields at its version give its frame, byte for byte")
    func encodeGoldenFields() throws {
        for (file, version) in [("v3/NewOrder.json", 3), ("v5/MarketDataSnapshot.json", 5), ("v4/ExecutionReport.json", 4)] {
            let golden = try goldenCase(file)
            let message: JSON = ["type": .string(String(file.dropFirst(3).dropLast(5))), "fields": try #require(golden["fields"])]
            let run = try runCompat(["encode", "--schema", schemaFile, "--version", String(version), message.serialized])
            #expect(run.status == 0, "\(file): \(run.stderr)")
            #expect(run.stdout == (try hex(of: golden)) + "\n", "\(file)")
        }
    }

    @Test("encode then decode: the same message back, groups and var-data included")
    func roundTrip() throws {
        let message =
            #"{"type":"MarketDataSnapshot","fields":{"symbol":"ACME","seqNo":"42","lastTradePx":"-7","#
            + #""levels":[{"bidPx":"100","bidQty":5,"askPx":"101","askQty":6,"bidOrders":1,"askOrders":2},"#
            + #"{"bidPx":"99","bidQty":7,"askPx":"102","askQty":8,"bidOrders":3,"askOrders":4}]}}"#
        let encoded = try runCompat(["encode", "--schema", schemaFile, "--version", "5", message])
        #expect(encoded.status == 0, "\(encoded.stderr)")
        let decoded = try runCompat(["decode", "--schema", schemaFile, encoded.stdout.trimmingCharacters(in: .whitespacesAndNewlines)])
        #expect(decoded.status == 0, "\(decoded.stderr)")
        #expect(try parse(decoded.stdout)["message"] == (try parse(message)))
    }

    @Test("encode: a message the version cannot carry exits 1 with the refusal and the field")
    func encodeRefused() throws {
        let wide = try runCompat([
            "encode", "--schema", schemaFile, "--version", "3", #"{"type":"NewOrder","fields":{"quantity":"5000000000"}}"#,
        ])
        #expect(wide.status == 1)
        #expect(wide.stdout.isEmpty)
        #expect(wide.stderr.contains("NotRepresentable: NewOrder.quantity"), "\(wide.stderr)")
        let newer = try runCompat(["encode", "--schema", schemaFile, "--version", "3", #"{"type":"MassCancel"}"#])
        #expect(newer.status == 1)
        #expect(newer.stderr.contains("UnsupportedInVersion: MassCancel"), "\(newer.stderr)")
    }

    @Test("encode: bad JSON, an unknown message type or field is a usage error (exit 2) that names it")
    func encodeUsageErrors() throws {
        let badJSON = try runCompat(["encode", "--schema", schemaFile, "--version", "3", #"{"type":"#])
        #expect(badJSON.status == 2)
        #expect(badJSON.stderr.contains("not JSON"), "\(badJSON.stderr)")
        let unknownType = try runCompat(["encode", "--schema", schemaFile, "--version", "3", #"{"type":"Nope"}"#])
        #expect(unknownType.status == 2)
        #expect(unknownType.stderr.contains(#"unknown message type "Nope""#), "\(unknownType.stderr)")
        let unknownField = try runCompat(["encode", "--schema", schemaFile, "--version", "3", #"{"type":"Heartbeat","fields":{"nope":1}}"#])
        #expect(unknownField.status == 2)
        #expect(unknownField.stderr.contains(#"Heartbeat has no field "nope""#), "\(unknownField.stderr)")
    }

    // MARK: fixtures generate

    @Test("fixtures generate: a fixtures folder, samples.json and golden/ with a file per version × type, which verify passes")
    func generate() throws {
        var template = Array("/tmp/compat-generate-XXXXXX".utf8CString)
        let root = String(cString: try #require(mkdtemp(&template)))
        defer { try? FileManager.default.removeItem(atPath: root) }
        let out = root + "/fixtures"
        let run = try runCompat(["fixtures", "generate", "--schema", schemaFile, "--out", out])
        #expect(run.status == 0, "\(run.stderr)")
        let files = schema.versions.map { schema.messages(knownAt: $0).count }.reduce(0, +)
        #expect(run.stdout.hasPrefix("wrote \(files) golden files and samples.json to \(out): "), "\(run.stdout)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == ["golden", "samples.json"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: out + "/golden").sorted() == schema.versions.map { "v\($0)" })

        // The folder is a fixtures folder as is: its files pass every check of `fixtures verify`.
        let report = GoldenFrames.verify(
            fixtures: out, samples: try SampleBook.load(path: out + "/samples.json", schema: schema), schema: schema)
        #expect(report.problems.map(\.description) == [])
        #expect(report.files == files)
        #expect(report.frames > 300)
    }
}
