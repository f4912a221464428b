// xi:include: the included file's root takes the include's place; the href stays inside the
// including file's folder; cycles and deep nesting are refused; errors name the included file.

import Foundation
import SBE
import SchemaXML
import Testing

@Suite("xi:include")
struct XIncludeTests {
    static func schema(including href: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <sbe:messageSchema xmlns:sbe="http://fixprotocol.io/2016/sbe" xmlns:xi="http://www.w3.org/2001/XInclude" id="1">
            <xi:include href="\(href)"/>
            <types>
                <type name="Qty" primitiveType="uint32"/>
            </types>
            <sbe:message name="M" id="1"><field name="q" id="1" type="Qty"/><data name="d" id="2" type="varStringEncoding"/></sbe:message>
        </sbe:messageSchema>
        """
    }

    static let commonTypes = """
        <?xml version="1.0" encoding="UTF-8"?>
        <types>
            <composite name="messageHeader">
                <type name="blockLength" primitiveType="uint16"/>
                <type name="templateId" primitiveType="uint16"/>
                <type name="schemaId" primitiveType="uint16"/>
                <type name="version" primitiveType="uint16"/>
            </composite>
            <composite name="varStringEncoding">
                <type name="length" primitiveType="uint16"/>
                <type name="varData" primitiveType="uint8" length="0" characterEncoding="UTF-8"/>
            </composite>
        </types>
        """

    @Test func includesTypes() throws {
        let folder = try SchemaFolder(["schema.xml": Self.schema(including: "common-types.xml"), "common-types.xml": Self.commonTypes])
        let schema = try folder.load()
        #expect(schema.header == .standard)
        #expect(schema.message(named: "M")?.varData.first?.encoding.name == "varStringEncoding")
    }

    @Test func includesFromASubfolderAndThroughIt() throws {
        let nested = """
            <types xmlns:xi="http://www.w3.org/2001/XInclude">
                <xi:include href="more/header.xml"/>
                <composite name="varStringEncoding">
                    <type name="length" primitiveType="uint16"/>
                    <type name="varData" primitiveType="uint8" length="0"/>
                </composite>
            </types>
            """
        let header = Self.commonTypes.replacingOccurrences(of: "varStringEncoding", with: "unused")
        let folder = try SchemaFolder([
            "schema.xml": Self.schema(including: "common/types.xml"), "common/types.xml": nested, "common/more/header.xml": header,
        ])
        #expect(try folder.load().header == .standard)
    }

    @Test(arguments: ["../outside.xml", "sub/../../outside.xml"])
    func refusesParentEscape(_ href: String) throws {
        let folder = try SchemaFolder(["inner/schema.xml": Self.schema(including: href), "outside.xml": Self.commonTypes])
        expectError(
            folder.error("inner/schema.xml"), #"inner/schema.xml:3:5: <xi:include>: href "\#(href)" leaves the folder of schema.xml"#)
    }

    @Test func refusesAbsolutePathsAndURLs() throws {
        let folder = try SchemaFolder(["schema.xml": Self.schema(including: "/etc/hostname")])
        expectError(folder.error(), #"schema.xml:3:5: <xi:include>: href "/etc/hostname" must be a relative path"#)
        try folder.write("schema.xml", Self.schema(including: "file:common-types.xml"))
        expectError(folder.error(), #"schema.xml:3:5: <xi:include>: href "file:common-types.xml" must be a relative path"#)
    }

    @Test func refusesSymlinkOut() throws {
        let outside = try SchemaFolder(["common-types.xml": Self.commonTypes])
        let folder = try SchemaFolder(["schema.xml": Self.schema(including: "link.xml")])
        try FileManager.default.createSymbolicLink(atPath: folder.file("link.xml"), withDestinationPath: outside.file("common-types.xml"))
        expectError(folder.error(), #"schema.xml:3:5: <xi:include>: href "link.xml" leaves the folder of schema.xml"#)
    }

    @Test func symlinkInsideIsFine() throws {
        let folder = try SchemaFolder(["schema.xml": Self.schema(including: "link.xml"), "real.xml": Self.commonTypes])
        try FileManager.default.createSymbolicLink(atPath: folder.file("link.xml"), withDestinationPath: "real.xml")
        #expect(try folder.load().header == .standard)
    }

    @Test func refusesCycle() throws {
        let loop = #"<types xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="schema.xml"/></types>"#
        let folder = try SchemaFolder(["schema.xml": Self.schema(including: "loop.xml"), "loop.xml": loop])
        expectError(folder.error(), "loop.xml:1:51: <xi:include>: include cycle: schema.xml → loop.xml → schema.xml")
    }

    @Test func refusesIncludesNestedDeeperThanEight() throws {
        var files = ["schema.xml": Self.schema(including: "i1.xml"), "i9.xml": Self.commonTypes]
        for level in 1...8 {
            files["i\(level).xml"] = #"<types xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="i\#(level + 1).xml"/></types>"#
        }
        let folder = try SchemaFolder(files)
        expectError(folder.error(), "i8.xml:1:51: <xi:include>: includes nested deeper than 8")
        // Eight levels are fine.
        try folder.write("i8.xml", Self.commonTypes)
        #expect(try folder.load().header == .standard)
    }

    @Test func errorsNameTheIncludedFile() throws {
        let broken = Self.commonTypes.replacingOccurrences(of: #"primitiveType="uint16"/>"#, with: #"primitiveType="uint17"/>"#)
        let folder = try SchemaFolder(["schema.xml": Self.schema(including: "common-types.xml"), "common-types.xml": broken])
        expectError(folder.error(), #"common-types.xml:4:9: <type name="blockLength">: unknown primitiveType "uint17""#)
        try folder.write("common-types.xml", "<types>\n  <type>\n</types>\n")
        #expect(folder.error()?.hasPrefix("common-types.xml:3:") == true)
    }

    @Test func missingFile() throws {
        let folder = try SchemaFolder(["schema.xml": Self.schema(including: "nowhere.xml")])
        expectError(folder.error(), #"schema.xml:3:5: <xi:include>: cannot read "nowhere.xml": No such file or directory"#)
    }

    @Test func refusesFallbackAndXPointer() throws {
        let folder = try SchemaFolder([
            "schema.xml": Self.schema(including: "common-types.xml").replacingOccurrences(
                of: #"<xi:include href="common-types.xml"/>"#, with: #"<xi:include href="common-types.xml" xpointer="x"/>"#),
            "common-types.xml": Self.commonTypes,
        ])
        expectError(folder.error(), "schema.xml:3:5: <xi:include>: unsupported xpointer: the whole file is included")
    }
}
