// The golden frames in fixtures/golden: the committed files verify against today's codec and
// the rules; verify names the file, case, byte and values of a flipped byte, a changed table
// entry and a missing file; update never touches a released version's files.

import BuiltBinaries
import Foundation
import MiniJSON
import TGP
import Testing

@testable import CompatRunner

/// A copy of the repository's fixtures folder in a temporary folder of its own, removed with the value.
private final class FixturesCopy {
    let root: String
    var fixtures: String { root + "/fixtures" }
    let samples: SampleBook

    init() throws {
        var template = Array("/tmp/compat-golden-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        root = String(cString: made)
        try FileManager.default.copyItem(atPath: Built.fixtures, toPath: root + "/fixtures")
        // Each test says itself which versions are released.
        try? FileManager.default.removeItem(atPath: root + "/fixtures/schema-lock.json")
        samples = try SampleBook.load(path: root + "/fixtures/samples.json")
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func path(_ golden: String) -> String { fixtures + "/golden/" + golden }

    func read(_ golden: String) throws -> JSON {
        try JSON.parse(Array(try #require(FileManager.default.contents(atPath: path(golden)))))
    }

    func text(_ golden: String) throws -> String {
        try String(contentsOfFile: path(golden), encoding: .utf8)
    }

    func write(_ golden: String, _ document: JSON) throws {
        try (document.serialized(pretty: true) + "\n").write(toFile: path(golden), atomically: true, encoding: .utf8)
    }

    /// `document` with the case named `name` changed by `change`.
    func editing(_ golden: String, case name: String, _ change: (inout JSONObject) throws -> Void) throws {
        var root = try #require(try read(golden).objectValue)
        var cases = try #require(root["cases"]?.arrayValue)
        let index = try #require(cases.firstIndex { $0["name"]?.stringValue == name })
        var object = try #require(cases[index].objectValue)
        try change(&object)
        cases[index] = .object(object)
        root["cases"] = .array(cases)
        try write(golden, .object(root))
    }

    func verify() -> GoldenReport { GoldenFrames.verify(fixtures: fixtures, samples: samples) }
}

private func committedSamples() throws -> SampleBook { try SampleBook.load(path: Built.fixtures + "/samples.json") }

/// The case named `name` of a committed golden file.
private func committedCase(_ golden: String, _ name: String) throws -> JSONObject {
    let data = try #require(FileManager.default.contents(atPath: Built.fixtures + "/golden/" + golden))
    let cases = try #require(try JSON.parse(Array(data))["cases"]?.arrayValue)
    return try #require(cases.first { $0["name"]?.stringValue == name }?.objectValue)
}

@Suite("Golden frames in fixtures/golden")
struct GoldenFrameTests {
    @Test("the committed golden files verify: every version × type × case, with its cross-version table")
    func committedFilesVerify() throws {
        let report = fixturesSection(fixtures: Built.fixtures, samples: try committedSamples())
        #expect(report.problems.map(\.description) == [])
        // v1 has 11 types, v2 12, v3 13, v4 16, v5 17 (PROTOCOL.md's since column).
        #expect(report.files == 69)
        #expect(report.frames > 200)
        // Only the wide quantity is refused: NewOrder below v4 (v1, v2, v3), ModifyOrder at v3.
        #expect(report.refusals == 4)
        #expect(report.decodes == report.frames * 5)
    }

    @Test("one flipped byte of a frame row fails verify with the file, the offset and both byte values")
    func flippedByte() throws {
        let copy = try FixturesCopy()
        #expect(copy.verify().passed)
        try copy.editing("v3/NewOrder.json", case: "sample") { object in
            let frame = try #require(object["frame"]?.arrayValue)
            var rows = frame.compactMap { $0.stringValue }
            // Row 0x0010, byte 28 = block offset 20: side, Sell (0x02). Make it 0x03 (SellShort).
            var row = Array(rows[1])
            #expect(String(row[36..<38]) == "02")
            row.replaceSubrange(36..<38, with: "03")
            rows[1] = String(row)
            object["frame"] = .array(rows.map(JSON.string))
        }
        let report = copy.verify()
        #expect(!report.passed)
        #expect(report.problems.allSatisfy { $0.file == copy.path("v3/NewOrder.json") && $0.caseName == "sample" })
        let byte = try #require(report.problems.first { $0.message.hasPrefix("frame differs") })
        #expect(byte.message == "frame differs at byte 28 (0x001c, NewOrder.side): golden file has 0x03, today's encoder writes 0x02")
        // The decoders now read SellShort, which v1 does not know (R7).
        #expect(
            report.problems.contains {
                $0.message.contains("fields.side: golden file has \"Sell\", today's decoder of v3 gives \"SellShort\"")
            })
        #expect(report.problems.contains { $0.message.contains("decodedBy.1") && $0.message.contains("\"reject\":\"InvalidValue\"") })

        // The command says the same and exits 1.
        let run = try runCompat(["fixtures", "verify", "--matrix", Built.repositoryRoot + "/matrix.json", "--fixtures", copy.fixtures])
        #expect(run.status == 1)
        #expect(
            run.stdout.contains(
                "v3/NewOrder.json [sample]: frame differs at byte 28 (0x001c, NewOrder.side): golden file has 0x03, today's encoder writes 0x02"
            ))
    }

    @Test("a changed entry of the cross-version table fails verify, against today's decoder and the rules")
    func changedTableEntry() throws {
        let copy = try FixturesCopy()
        try copy.editing("v5/NewOrder.json", case: "edge-wide-quantity") { object in
            var table = try #require(object["decodedBy"]?.objectValue)
            var v1 = try #require(table["1"]?.objectValue)
            #expect(v1["quantity"] == "4294967295")
            v1["quantity"] = "18446744073709551615"
            table["1"] = .object(v1)
            object["decodedBy"] = .object(table)
        }
        let report = copy.verify()
        #expect(
            report.problems.map(\.description) == [
                "\(copy.path("v5/NewOrder.json")) [edge-wide-quantity]: decodedBy.1.quantity: golden file has \"18446744073709551615\", today's decoder of v1 gives \"4294967295\"",
                "\(copy.path("v5/NewOrder.json")) [edge-wide-quantity]: decodedBy.1.quantity: golden file has \"18446744073709551615\", the rules give \"4294967295\"",
            ])
    }

    @Test("a reject recorded where the rules deliver, or a frame where the rules refuse, fails verify")
    func tableAgainstTheRules() throws {
        let copy = try FixturesCopy()
        try copy.editing("v4/MassCancel.json", case: "sample") { object in
            var table = try #require(object["decodedBy"]?.objectValue)
            table["4"] = ["reject": "UnknownTemplate"]
            object["decodedBy"] = .object(table)
        }
        try copy.editing("v3/ModifyOrder.json", case: "edge-wide-quantity") { object in
            object["refused"] = "UnsupportedInVersion"
        }
        let report = copy.verify()
        let massCancel = report.problems.filter { $0.file == copy.path("v4/MassCancel.json") }.map(\.message)
        #expect(massCancel.count == 2)
        #expect(massCancel.allSatisfy { $0.hasPrefix("decodedBy.4: golden file has {\"reject\":\"UnknownTemplate\"}, ") })
        #expect(
            massCancel.last?.hasPrefix(
                "decodedBy.4: golden file has {\"reject\":\"UnknownTemplate\"}, the rules give {\"clOrdId\":\"1004\"") == true)
        let modify = report.problems.filter { $0.file == copy.path("v3/ModifyOrder.json") }.map(\.message)
        #expect(
            modify == [
                "the golden file says the sender refuses (UnsupportedInVersion); the rules say it refuses with NotRepresentable",
                "the golden file says the sender refuses with UnsupportedInVersion; today's encoder refuses with NotRepresentable: 18446744073709551615 needs quantityLong, added in version 4; version 3 carries at most 4294967295",
            ])
    }

    @Test("a missing file, a missing case and a stray file fail verify, each named")
    func missingAndStray() throws {
        let copy = try FixturesCopy()
        try FileManager.default.removeItem(atPath: copy.path("v4/MassCancel.json"))
        try copy.editing("v2/Heartbeat.json", case: "edge-min-integers") { object in object["name"] = "edge-renamed" }
        try "{}\n".write(toFile: copy.path("v1/ModifyOrder.json"), atomically: true, encoding: .utf8)
        let report = copy.verify()
        #expect(
            report.problems.map(\.description) == [
                "\(copy.path("v2/Heartbeat.json")) [edge-min-integers]: missing: samples.json has this case (run `compat fixtures update`)",
                "\(copy.path("v2/Heartbeat.json")) [edge-renamed]: not a case of samples.json (sample, edge-max-integers, edge-min-integers)",
                "\(copy.path("v4/MassCancel.json")): missing: the golden file of MassCancel at version 4 (run `compat fixtures update`)",
                "\(copy.path("v1/ModifyOrder.json")): not a golden file: version 1 has no such message type (remove it)",
            ])
        #expect(report.files == 68)
    }

    @Test("update with every version released writes nothing; with v5 unreleased it rewrites only v5's files")
    func updateLeavesReleasedVersions() throws {
        let copy = try FixturesCopy()
        let files = GoldenFrames.expectedFiles(schema: .tgp)
        #expect(files.count == 69)

        // A broken file of each of v3 and v5, and a released version's file gone.
        for golden in ["v3/NewOrder.json", "v5/NewOrder.json"] {
            try copy.editing(golden, case: "sample") { object in object["fields"] = ["quantity": "1"] }
        }
        try FileManager.default.removeItem(atPath: copy.path("v2/Heartbeat.json"))
        let brokenV3 = try copy.text("v3/NewOrder.json")

        let allReleased = try GoldenFrames.update(
            fixtures: copy.fixtures, samples: copy.samples, releasedVersions: Set(Schema.tgp.versions))
        #expect(allReleased.written == [copy.path("v2/Heartbeat.json")])  // missing: created, whatever the version
        #expect(allReleased.unchanged == [])
        #expect(allReleased.skippedReleased.count == 68)
        #expect(try copy.text("v3/NewOrder.json") == brokenV3)
        let again = try GoldenFrames.update(fixtures: copy.fixtures, samples: copy.samples, releasedVersions: Set(Schema.tgp.versions))
        #expect(again.written == [] && again.removed == [] && again.skippedReleased.count == 69)

        try "{}\n".write(toFile: copy.path("v5/Stray.json"), atomically: true, encoding: .utf8)
        try "{}\n".write(toFile: copy.path("v4/Stray.json"), atomically: true, encoding: .utf8)
        let v5Open = try GoldenFrames.update(fixtures: copy.fixtures, samples: copy.samples, releasedVersions: [1, 2, 3, 4])
        #expect(v5Open.written == [copy.path("v5/NewOrder.json")])
        #expect(v5Open.removed == [copy.path("v5/Stray.json")])
        #expect(v5Open.unchanged.count == 16 && v5Open.unchanged.allSatisfy { $0.contains("/golden/v5/") })
        #expect(v5Open.skippedReleased.count == 52)
        #expect(try copy.text("v3/NewOrder.json") == brokenV3)
        #expect(FileManager.default.fileExists(atPath: copy.path("v4/Stray.json")))

        let remaining = Set(copy.verify().problems.map(\.file))
        #expect(remaining == [copy.path("v3/NewOrder.json"), copy.path("v4/Stray.json")])
    }

    @Test("the released versions are the keys of versions in schema-lock.json; without it, none")
    func releasedVersionsFromTheLock() throws {
        let copy = try FixturesCopy()
        #expect(try GoldenFrames.releasedVersions(fixtures: copy.fixtures) == [])
        let lock: JSON = ["schemaId": 21575, "versions": ["1": [:], "2": [:], "3": [:]]]
        try lock.serialized(pretty: true).write(toFile: copy.fixtures + "/schema-lock.json", atomically: true, encoding: .utf8)
        #expect(try GoldenFrames.releasedVersions(fixtures: copy.fixtures) == [1, 2, 3])

        try copy.editing("v3/Heartbeat.json", case: "sample") { object in object["fields"] = [:] }
        try copy.editing("v4/Heartbeat.json", case: "sample") { object in object["fields"] = [:] }
        let run = try runCompat(["fixtures", "update", "--matrix", Built.repositoryRoot + "/matrix.json", "--fixtures", copy.fixtures])
        #expect(run.status == 0)
        #expect(run.stdout.contains("wrote    \(copy.path("v4/Heartbeat.json"))"))
        #expect(!run.stdout.contains("v3/Heartbeat.json"))
        #expect(run.stdout.contains("1 written, 0 removed, 32 unchanged, 36 skipped as released (v1, v2, v3)"))
    }

    @Test("worked by hand: v5 NewOrder read by older decoders, the widened quantity, types a version lacks")
    func handMadeTable() throws {
        // v5 sample, decoded by v1: the v1 block only — legacy quantity, no timeInForce, stp, account, clientTag.
        let sample = try committedCase("v5/NewOrder.json", "sample")
        #expect(
            sample["decodedBy"]?["1"] == [
                "clOrdId": "1001", "price": "1005000", "quantity": "100", "side": "Sell", "ordType": "Limit", "symbol": "ACME",
            ])
        // v2 adds timeInForce and account; stp and clientTag are v5's.
        #expect(
            sample["decodedBy"]?["2"]?.objectValue?.keys == [
                "clOrdId", "price", "quantity", "side", "ordType", "symbol", "timeInForce", "account",
            ])
        // Header: blockLength 40, templateId 10, schemaId 0x5447, version 5; clOrdId 1001 = 0x3e9.
        #expect(sample["frame"]?[0] == "0000  2800 0a00 4754 0500 e903 0000 0000 0000")

        // The wide quantity: u64 max from v4 on; a v1–v3 decoder reads the legacy u32, capped.
        let wide = try committedCase("v5/NewOrder.json", "edge-wide-quantity")
        for (receiver, quantity) in [
            ("1", "4294967295"), ("3", "4294967295"), ("4", "18446744073709551615"), ("5", "18446744073709551615"),
        ] {
            #expect(wide["decodedBy"]?[receiver]?["quantity"] == .string(quantity), "receiver v\(receiver)")
        }
        #expect(
            try committedCase("v3/NewOrder.json", "edge-wide-quantity") == ["name": "edge-wide-quantity", "refused": "NotRepresentable"])

        // A v1 frame read by v5: the newer fields at their defaults (R1: Day, None, empty strings).
        let old = try committedCase("v1/NewOrder.json", "sample")
        #expect(old["decodedBy"]?["5"]?["timeInForce"] == "Day")
        #expect(old["decodedBy"]?["5"]?["stp"] == "None")
        #expect(old["decodedBy"]?["5"]?["account"] == "")
        #expect(old["frame"]?[0] == "0000  1e00 0a00 4754 0100 e903 0000 0000 0000")

        // R5: TradingStatus (v5) is unknown to v1–v4.
        let status = try committedCase("v5/TradingStatus.json", "sample")
        for receiver in ["1", "2", "3", "4"] {
            #expect(status["decodedBy"]?[receiver] == ["reject": "UnknownTemplate"])
        }
        #expect(status["decodedBy"]?["5"]?["status"] == "Halted")
    }

    @Test("the rules independently of the codec: an enum value a receiver does not know is InvalidValue at its byte")
    func rulesRejectNewerEnumValues() throws {
        let type = try #require(Schema.tgp.message(named: "NewOrder"))
        var order = try committedSamples()[type].sample
        order["side"] = type.enumValue("SellShort", of: "side")  // Side.SellShort is v2's
        order["ordType"] = type.enumValue("Stop", of: "ordType")  // OrdType.Stop is v4's
        #expect(GoldenRules.delivered(order, encodedAt: 4, receiver: 1, schema: .tgp) == ["reject": "InvalidValue", "at": 28])
        #expect(GoldenRules.delivered(order, encodedAt: 4, receiver: 3, schema: .tgp) == ["reject": "InvalidValue", "at": 29])
        #expect(GoldenRules.delivered(order, encodedAt: 4, receiver: 4, schema: .tgp)["side"] == "SellShort")
        #expect(GoldenRules.refusal(order, at: 3) == "UnsupportedInVersion")
        #expect(GoldenRules.refusal(order, at: 4) == nil)
    }
}
