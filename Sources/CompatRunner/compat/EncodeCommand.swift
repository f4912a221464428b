// `compat encode`: the peer contract's message JSON as one frame of any schema, in hex.

import ArgumentParser
import CompatRunner
import TGP

struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encodes one message (the peer contract's JSON) as a sender acting at a version; prints the frame as hex.",
        discussion: """
            The message is {"type": …, "fields": {…}} as the peer contract writes it (fields left out take \
            their defaults), e.g. '{"type":"Heartbeat","fields":{"timestamp":"1"}}'. Exit status: 0 encoded, \
            1 the sender refuses the message (E1/E2: the refusal and field on stderr, e.g. a field newer than \
            the version), 2 a usage error (not JSON, an unknown message type or field, an unknown schema or version).
            """
    )

    @Option(name: .long, help: ArgumentHelp("The schema: an SBE XML file, or tgp.", valueName: "file"))
    var schema: String

    @Option(name: .long, help: "The acting version to encode at.")
    var version: Int

    @Argument(help: ArgumentHelp("The message as JSON, or - to read it from stdin.", valueName: "json"))
    var message: String

    func run() throws {
        let schema = try loadSchema(path: self.schema)
        let version = try FrameTool.version(version, of: schema, option: "--version")
        let message = try FrameTool.message(json: message == "-" ? try readStandardInput() : message, schema: schema)
        switch FrameTool.encode(message, schema: schema, at: version) {
        case .success(let frame):
            emit(frame.hexString + "\n")
        case .failure(let error):
            emitError("compat: refused: \(error)\n")
            throw ExitCode(1)
        }
    }
}
