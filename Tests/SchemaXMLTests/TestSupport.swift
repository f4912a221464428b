// Schemas written by the tests into a fresh temporary folder, and loading them.

import Foundation
import SBE
import SchemaXML
import Testing

/// A temporary folder holding the files of one test, removed when the test is done with it.
final class SchemaFolder {
    let path: String

    /// A new folder with each `name → text` written into it (names may hold subfolders).
    init(_ files: [String: String] = [:]) throws {
        let template = FileManager.default.temporaryDirectory.appendingPathComponent("schemaxml-XXXXXX").path
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else { throw CocoaError(.fileWriteUnknown) }
        path = String(cString: made)
        for (name, text) in files { try write(name, text) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }

    func write(_ name: String, _ text: String) throws {
        let target = file(name)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: target, atomically: false, encoding: .utf8)
    }

    func load(_ name: String = "schema.xml", profile: String? = nil) throws(SchemaFileError) -> Schema {
        try SchemaSource.load(xml: file(name), profile: profile.map(file))
    }

    /// The error loading `name` gives, with its file named relative to the folder.
    func error(_ name: String = "schema.xml", profile: String? = nil) -> String? {
        do {
            _ = try load(name, profile: profile)
            return nil
        } catch {
            return error.description.replacingOccurrences(of: path + "/", with: "")
        }
    }
}

/// A schema with the usual header and group and var-data encodings (on lines 3 to 15), then
/// `types` and `messages`: for the tests where positions do not matter.
func standardSchema(types: String = "", messages: String, attributes: String = #"id="7" version="2""#) -> String {
    """
    <?xml version="1.0" encoding="UTF-8"?>
    <sbe:messageSchema xmlns:sbe="http://fixprotocol.io/2016/sbe" package="test" \(attributes)>
        <types>
            <composite name="messageHeader">
                <type name="blockLength" primitiveType="uint16"/>
                <type name="templateId" primitiveType="uint16"/>
                <type name="schemaId" primitiveType="uint16"/>
                <type name="version" primitiveType="uint16"/>
            </composite>
            <composite name="groupSizeEncoding">
                <type name="blockLength" primitiveType="uint16"/>
                <type name="numInGroup" primitiveType="uint16"/>
            </composite>
            <composite name="varStringEncoding">
                <type name="length" primitiveType="uint16" maxValue="500"/>
                <type name="varData" primitiveType="uint8" length="0" characterEncoding="UTF-8"/>
            </composite>
    \(types)
        </types>
    \(messages)
    </sbe:messageSchema>
    """
}

/// Loads `standardSchema(...)` from a fresh folder.
func loadStandard(types: String = "", messages: String, attributes: String = #"id="7" version="2""#) throws -> Schema {
    try SchemaFolder(["schema.xml": standardSchema(types: types, messages: messages, attributes: attributes)]).load()
}

/// The error `standardSchema(...)` gives.
func standardError(types: String = "", messages: String = "", attributes: String = #"id="7" version="2""#) throws -> String? {
    try SchemaFolder(["schema.xml": standardSchema(types: types, messages: messages, attributes: attributes)]).error()
}

/// Expects the error `actual` (as `SchemaFolder.error` gives it) to read `expected`; a failure shows both.
func expectError(_ actual: String?, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual == expected, sourceLocation: sourceLocation)
}
