// `compat schema show FILE`: the layout of any schema at one version.

import ArgumentParser
import CompatRunner
import TGP

extension SchemaCommand {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Shows where every field of each message sits at one version of a schema.",
            discussion: """
                For each message type the version has: its templateId, since and root blockLength at that \
                version; each field with its offset, size, type, presence and since (a composite's members \
                follow it, as NAME.MEMBER at their offsets in the block); each group with its dimension and \
                entry blockLength, its own fields, nested groups and var-data; each var-data field with its \
                length type, maximum length and encoding. FILE is an SBE XML schema, or `tgp` for TGP's own.
                """
        )

        @Argument(help: ArgumentHelp("The schema: an SBE XML file, or tgp.", valueName: "file"))
        var file: String

        @Option(name: .long, help: "The version to show (default: the schema's newest).")
        var version: Int?

        @Option(name: .long, help: "Only this message type.")
        var message: String?

        @Flag(name: .long, help: "Print the layout as JSON.")
        var json = false

        func run() throws {
            let schema = try loadSchema(path: file)
            let version = try FrameTool.version(version, of: schema, option: "--version")
            var types: [MessageSchema]?
            if let message {
                guard let type = schema.message(named: message) else {
                    throw ConfigError(
                        "--message \(message): not a message type of the schema (\(schema.messages.map(\.name).joined(separator: ", ")))")
                }
                guard type.since <= version else {
                    throw ConfigError("--message \(message): added in version \(type.since), after version \(version)")
                }
                types = [type]
            }
            emit(
                json
                    ? SchemaLayout.json(of: schema, at: version, messages: types).serialized(pretty: true) + "\n"
                    : SchemaLayout.text(of: schema, at: version, messages: types))
        }
    }
}
