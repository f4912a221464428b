// `compat decode`: one frame of any schema, in hex, as the peer contract's message JSON.

import ArgumentParser
import CompatRunner
import Foundation

struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decodes one frame (hex) as a receiver of a version, into the peer contract's message JSON.",
        discussion: """
            Prints {"templateId": …, "version": …, "blockLength": …, "message": {"type": …, "fields": {…}}}: \
            the header as sent, and the message as a receiver whose newest version is --as-version delivers \
            it (fields it does not know left out, fields the frame's version lacks at their defaults). \
            Exit status: 0 decoded, 1 the receiver refuses the frame (the reason, field and byte offset on \
            stderr), 2 a usage error (not hex, an unknown schema or version).
            """
    )

    @Option(name: .long, help: ArgumentHelp("The schema: an SBE XML file, or tgp.", valueName: "file"))
    var schema: String

    @Argument(help: ArgumentHelp("The frame as hex (spaces allowed), or - to read it from stdin.", valueName: "hex"))
    var hex: String

    @Option(name: .customLong("as-version"), help: "The receiver's newest version (default: the schema's newest).")
    var asVersion: Int?

    func run() throws {
        let schema = try loadSchema(path: self.schema)
        let receiver = try FrameTool.version(asVersion, of: schema, option: "--as-version")
        let frame = try FrameTool.frame(hex: hex == "-" ? try readStandardInput() : hex)
        switch FrameTool.decode(frame, schema: schema, asVersion: receiver) {
        case .success(let json):
            emit(json.serialized + "\n")
        case .failure(let error):
            emitError("compat: refused: \(error)\n")
            throw ExitCode(1)
        }
    }
}

/// All of stdin, as text (`-` for a command's argument).
func readStandardInput() throws(ConfigError) -> String {
    guard let data = try? FileHandle.standardInput.readToEnd(), let text = String(data: data, encoding: .utf8) else {
        throw ConfigError("stdin: cannot read it as UTF-8 text")
    }
    return text
}
