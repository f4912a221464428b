// Generates the Swift IR of every SBE schema a target holds: `NAME.xml` (with `NAME.profile.json`
// beside it, when there is one) becomes `Schema.NAME`, built when the target is, so the schema's
// one source is its XML and nothing reads XML when a program starts.

import Foundation
import PackagePlugin

@main
struct SchemaCodegen: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let tool = try context.tool(named: "sbe-codegen")
        let directory = target.directoryURL
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path(percentEncoded: false))
        return names.filter { $0.hasSuffix(".xml") }.sorted().map { name in
            let base = String(name.dropLast(".xml".count))
            let xml = directory.appending(path: name)
            let profile = directory.appending(path: base + ".profile.json")
            let hasProfile = FileManager.default.fileExists(atPath: profile.path(percentEncoded: false))
            let output = context.pluginWorkDirectoryURL.appending(path: "\(base).schema.swift")
            return .buildCommand(
                displayName: "Generating the IR of \(name)",
                executable: tool.url,
                arguments: [
                    xml.path(percentEncoded: false), hasProfile ? profile.path(percentEncoded: false) : "-",
                    output.path(percentEncoded: false), base,
                ],
                inputFiles: hasProfile ? [xml, profile] : [xml],
                outputFiles: [output])
        }
    }
}
