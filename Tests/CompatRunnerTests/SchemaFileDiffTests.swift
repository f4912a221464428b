// `compat schema diff` on SBE XML files, through the built compat: OLD.xml NEW.xml, NEW.xml against
// itself at a git ref (--baseline REF and REF:PATH), and a file it cannot read.

import CompatRunner
import Foundation
import MiniJSON
import Testing

@Suite("compat schema diff on SBE XML files")
struct SchemaFileDiffTests {
    /// A version-0 order message: id (uint64), side (an enum), qty (uint32); `extra` goes after qty.
    static func schema(version: Int, fields: String, extra: String = "") -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <sbe:messageSchema xmlns:sbe="http://fixprotocol.io/2016/sbe" package="orders" id="9" version="\(version)" byteOrder="littleEndian">
            <types>
                <composite name="messageHeader">
                    <type name="blockLength" primitiveType="uint16"/>
                    <type name="templateId" primitiveType="uint16"/>
                    <type name="schemaId" primitiveType="uint16"/>
                    <type name="version" primitiveType="uint16"/>
                </composite>
                <enum name="Side" encodingType="uint8">
                    <validValue name="Buy">1</validValue>
                    <validValue name="Sell">2</validValue>
                </enum>
            </types>
            <sbe:message name="Order" id="1">
        \(fields)\(extra)
            </sbe:message>
        </sbe:messageSchema>

        """
    }

    static let fields = """
                <field name="id" id="1" type="uint64"/>
                <field name="side" id="2" type="Side"/>
                <field name="qty" id="3" type="uint32"/>
        """
    static let moved = """
                <field name="side" id="2" type="Side"/>
                <field name="id" id="1" type="uint64"/>
                <field name="qty" id="3" type="uint32"/>
        """
    static let added = """

                <field name="price" id="4" type="int64" presence="optional" sinceVersion="1"/>
        """

    func folder() throws -> String {
        let path = NSTemporaryDirectory() + "compat-schema-diff-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }

    func write(_ text: String, _ path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func anAdditionInANewVersionIsAllowed() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write(Self.schema(version: 0, fields: Self.fields), dir + "/old.xml")
        try write(Self.schema(version: 1, fields: Self.fields, extra: Self.added), dir + "/new.xml")
        let run = try runCompat(["schema", "diff", dir + "/old.xml", dir + "/new.xml", "--json"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let report = try JSON.parse(run.stdout)
        #expect(report["breaking"]?.arrayValue?.isEmpty == true)
        #expect(report["allowed"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["field-added@v1:Order.price"])
    }

    @Test func aMovedFieldIsBreakingByFileAndAtAGitRef() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write(Self.schema(version: 0, fields: Self.fields), dir + "/old.xml")
        try write(Self.schema(version: 0, fields: Self.moved), dir + "/new.xml")
        let byFile = try runCompat(["schema", "diff", dir + "/old.xml", dir + "/new.xml", "--json"])
        #expect(byFile.status == 1, "\(byFile.stdout)\(byFile.stderr)")
        let rules = Set(try JSON.parse(byFile.stdout)["breaking"]?.arrayValue?.compactMap { $0["rule"]?.stringValue } ?? [])
        #expect(rules == ["field-moved"])

        // The released file committed, then moved in the work tree: compared with itself at HEAD.
        let git = { (arguments: [String]) in
            let result = try PeerProcess.run(["git", "-C", dir] + arguments)
            #expect(result.termination == .exited(0), "git \(arguments): \(result.stderr)")
        }
        try git(["init", "-q"])
        try write(Self.schema(version: 0, fields: Self.fields), dir + "/orders.xml")
        try git(["add", "orders.xml"])
        try git(["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "v0"])
        try write(Self.schema(version: 0, fields: Self.moved), dir + "/orders.xml")
        for baseline in ["HEAD", "HEAD:orders.xml"] {
            let atRef = try runCompat(["schema", "diff", "orders.xml", "--baseline", baseline], in: dir)
            #expect(atRef.status == 1, "\(baseline): \(atRef.stdout)\(atRef.stderr)")
            #expect(atRef.stdout.contains("field-moved@v0:Order.side"), "\(atRef.stdout)")
            #expect(atRef.stdout.contains("orders.xml at git ref HEAD"), "\(atRef.stdout)")
        }
        let missing = try runCompat(["schema", "diff", "orders.xml", "--baseline", "HEAD:nothing.xml"], in: dir)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no nothing.xml"), "\(missing.stderr)")
    }

    @Test func aFileItCannotReadIsExit2AtItsLineAndColumn() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write(Self.schema(version: 0, fields: Self.fields), dir + "/old.xml")
        try write(
            Self.schema(version: 0, fields: Self.fields.replacingOccurrences(of: "type=\"Side\"", with: "type=\"Sides\"")), dir + "/new.xml"
        )
        let run = try runCompat(["schema", "diff", dir + "/old.xml", dir + "/new.xml"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("\(dir)/new.xml:17:9: <field name=\"side\">: unknown type \"Sides\""), "\(run.stderr)")
        #expect(run.stderr.contains("Sides"), "\(run.stderr)")
    }
}
