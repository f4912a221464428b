// `compat dissector`: prints a Wireshark Lua dissector made from a schema, and `compat dissector
// verify` checks that tshark with it reads frames exactly as compat's decoder does.

import ArgumentParser
import CompatRunner
import Foundation
import TGP

struct DissectorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dissector",
        abstract: "Prints a Wireshark Lua dissector for a schema, or checks one against compat's decoder (verify).",
        subcommands: [Generate.self, Verify.self],
        defaultSubcommand: Generate.self
    )

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate",
            abstract: "Prints the Lua dissector of a schema (load it with wireshark -X lua_script:FILE).",
            discussion: """
                The dissector registers under NAME (default: the schema file's name, lowercased, [a-z0-9_] \
                only), the name compat's captures tag each frame with. Exit status: 0 printed, 2 a usage or \
                configuration error.
                """
        )

        @OptionGroup var options: DissectorOptions

        @Option(name: .long, help: "Also decode ZeroMQ (ZMTP 3) traffic on this TCP port (a Wireshark preference after loading).")
        var port: Int?

        func run() throws {
            let (schema, name) = try options.load()
            if let port, !(1...65535).contains(port) { throw ConfigError("--port \(port): give a TCP port, 1 to 65535") }
            emit(Dissector.generate(schema: schema, name: name, port: port).lua)
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Runs tshark with the generated dissector over frames and requires it to read them as compat does.",
            discussion: """
                The frames: every golden frame of the fixtures folder (--fixtures, default FOLDER/fixtures beside \
                the schema when it has golden frames), else the samples compat makes from the schema at every \
                version; with --mutations, frames derived from each of those; plus every frame of --capture. Each frame compat decodes must show exactly the same \
                fields and values in tshark; each frame compat refuses must carry the expert info of the same \
                rule (R5, R7, R8). Exit status: 0 all agree, 1 a mismatch, 2 an environment or configuration \
                error (tshark missing, a schema that cannot be read).
                """
        )

        @OptionGroup var options: DissectorOptions

        @Option(name: .long, help: ArgumentHelp("The tshark to run (default: tshark on PATH).", valueName: "path"))
        var tshark: String = "tshark"

        @Option(name: .long, help: ArgumentHelp("A pcapng capture whose frames are checked too.", valueName: "file.pcapng"))
        var capture: String?

        @Option(name: .long, help: ArgumentHelp("The fixtures folder whose golden frames are checked.", valueName: "folder"))
        var fixtures: String?

        @Option(
            name: .long,
            help: ArgumentHelp(
                "Also check frames derived from each one: cut short at up to 32 lengths, and N copies with a byte changed (refusals).",
                valueName: "n"))
        var mutations = 0

        func run() throws {
            let (schema, name) = try options.load()
            let fixtures = self.fixtures ?? DissectorVerify.defaultFixtures(schemaPath: options.schema)
            let report = try DissectorVerify.run(
                schema: schema, name: name, fixtures: fixtures, capture: capture, mutations: mutations, tshark: tshark)
            emit(report.summary)
            if !report.agrees { throw ExitCode(1) }
        }
    }
}

struct DissectorOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The schema: an SBE XML file, or tgp.", valueName: "file"))
    var schema: String

    @Option(name: .long, help: ArgumentHelp("The dissector's name (a-z, 0-9, _).", valueName: "name"))
    var name: String?

    func load() throws -> (Schema, String) {
        let name = self.name ?? Dissector.name(forSchemaFile: schema)
        guard Dissector.isValidName(name) else {
            throw ConfigError("--name \(name): a dissector name is a-z, 0-9 and _, starting with a letter")
        }
        return (try loadSchema(path: schema), name)
    }
}
