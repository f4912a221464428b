// The limits on untrusted input: file size, element count, nesting depth and array length.
// Each is an error, never a crash or a hang.

import Foundation
import SBE
import SchemaXML
import Testing

@Suite("Limits on untrusted input")
struct LimitTests {
    @Test func fileSize() throws {
        let folder = try SchemaFolder()
        let big = "<messageSchema id=\"1\">" + String(repeating: " ", count: 16 * 1024 * 1024) + "</messageSchema>"
        try folder.write("schema.xml", big)
        expectError(folder.error(), "schema.xml:1:1: the file is larger than 16777216 bytes (16 MiB)")
    }

    /// Below the limit a big file reads, even above libxml2's 10 MB lookahead. (One text or
    /// comment above 10,000,000 bytes is still refused: libxml2's own limit on a single node.)
    @Test func bigFileBelowTheLimit() throws {
        let padding = String(repeating: "<!--" + String(repeating: " ", count: 1017) + "-->\n", count: 12 * 1024)
        let folder = try SchemaFolder(["schema.xml": standardSchema(messages: padding + #"<sbe:message name="M" id="1"/>"#)])
        #expect(try folder.load().messages.map(\.name) == ["M"])
    }

    @Test func elementCount() throws {
        let folder = try SchemaFolder()
        let many = "<messageSchema id=\"1\"><types>\n" + String(repeating: "<x/>", count: 1_000_000) + "\n</types></messageSchema>"
        try folder.write("schema.xml", many)
        // The root and types are two elements: the 999,999th <x/> is the 1,000,001st element.
        expectError(folder.error(), "schema.xml:2:3999993: <x>: more than 1000000 elements")
    }

    @Test func nestingDepth() throws {
        let folder = try SchemaFolder()
        let deep =
            "<messageSchema id=\"1\">" + String(repeating: "<types>", count: 32) + String(repeating: "</types>", count: 32)
            + "</messageSchema>"
        try folder.write("schema.xml", deep)
        expectError(folder.error(), "schema.xml:1:240: <types>: elements nested deeper than 32")
    }

    @Test func arrayLength() throws {
        #expect(
            try standardError(types: #"<type name="Big" primitiveType="uint8" length="65536"/>"#)?.hasSuffix(
                #"<type name="Big">: length 65536 is above the limit of 65535"#) == true)
        #expect(
            try loadStandard(types: #"<composite name="C"><type name="a" primitiveType="char" length="65535"/></composite>"#, messages: "")
                .composites.first { $0.name == "C" }?.size == 65535)
    }

    @Test func notARegularFile() throws {
        let folder = try SchemaFolder()
        try FileManager.default.createDirectory(atPath: folder.file("schema.xml"), withIntermediateDirectories: true)
        expectError(folder.error(), "schema.xml:1:1: not a regular file")
    }

    /// One big file included again and again is read each time: the bytes of all files count.
    @Test func includedBytesTogether() throws {
        let big = "<types>" + String(repeating: " ", count: 15 * 1024 * 1024) + "</types>"
        let includes = String(repeating: #"<xi:include href="big.xml"/>"#, count: 5)
        let xml = """
            <sbe:messageSchema xmlns:sbe="http://fixprotocol.io/2016/sbe" xmlns:xi="http://www.w3.org/2001/XInclude" id="1">\(includes)
            </sbe:messageSchema>
            """
        let folder = try SchemaFolder(["schema.xml": xml, "big.xml": big])
        expectError(folder.error(), "big.xml:1:1: the schema and its includes are larger than 67108864 bytes together")
    }

    @Test func typeSize() throws {
        let refs = (1...33).map { #"<ref name="r\#($0)" type="Big"/>"# }.joined()
        let error = try standardError(
            types: #"<type name="Big" primitiveType="uint64" length="65535"/><composite name="C">"# + refs + "</composite>")
        #expect(
            error?.hasSuffix(#"<composite name="C">: the composite takes 17301240 bytes, above the limit of 16777216"#) == true,
            "\(error ?? "")")
    }
}
