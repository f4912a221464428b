// sbe-codegen: reads an SBE schema (XML and its profile sidecar) and writes the Swift source that
// builds the same IR. The SchemaCodegen build plugin runs it for every schema a target holds.
//
//     sbe-codegen SCHEMA.xml PROFILE.json|- OUTPUT.swift PROPERTY

import Foundation
import SchemaXML

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count == 4 else {
    FileHandle.standardError.write(Data("usage: sbe-codegen SCHEMA.xml PROFILE.json|- OUTPUT.swift PROPERTY\n".utf8))
    exit(2)
}
let (xml, profile, output, property) = (arguments[1], arguments[2], arguments[3], arguments[4])
do {
    let schema = try SchemaSource.load(xml: xml, profile: profile == "-" ? nil : profile)
    let emitter = SchemaSwiftEmitter(
        propertyName: property, sources: [xml, profile].filter { $0 != "-" }.map { ($0 as NSString).lastPathComponent })
    try Data(emitter.source(of: schema).utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
} catch {
    FileHandle.standardError.write(Data("sbe-codegen: \(error)\n".utf8))
    exit(2)
}
