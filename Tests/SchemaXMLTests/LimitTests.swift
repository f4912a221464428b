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
}
