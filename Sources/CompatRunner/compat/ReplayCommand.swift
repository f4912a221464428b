// `compat replay CAPTURE --gateway v5 [--baseline v4]`: a capture's client sessions replayed
// into a fresh gateway, its answers compared field by field with the capture's (or with two
// runs of a baseline gateway, whose own differences are noise).

import ArgumentParser
import CompatRunner
import Foundation

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replays a capture's client sessions into a fresh gateway and compares its answers field by field.",
        discussion: """
            The capture is one compat wrote (--capture, or capture.pcapng in a kept cell folder) or a pcap(ng) of \
            live ZeroMQ tcp traffic. Without --baseline the answers are compared with the capture's; with it, the \
            baseline gateway is replayed twice and what differs between those runs is noise. Times are ignored and \
            ids a gateway assigns are rebound (docs/WIRE.md); --ignore and --rebind add masks.
            Exit status: 0 no difference beyond those the schema predicts, 1 a difference or a gateway that broke, \
            2 a usage, capture or environment problem.
            """
    )

    @Argument(help: "The capture file (pcapng or pcap).")
    var capture: String

    @Option(name: .long, help: "The candidate gateway: a peer's name in the matrix.")
    var gateway: String

    @Option(name: .long, help: "A baseline gateway, replayed twice to measure noise; the reference instead of the capture.")
    var baseline: String?

    @Option(name: .long, help: "Ignore a field: Message.field, * for any message (repeatable).")
    var ignore: [String] = []

    @Option(name: .long, help: "Rebind an id field the gateway assigns: Message.field (repeatable).")
    var rebind: [String] = []

    @Option(name: .long, help: "A JSON file of masks: {\"ignore\": [...], \"rebind\": [...]}.")
    var masks: String?

    @Option(name: .long, help: "Longest wait, in milliseconds, for the answers a request had in the capture.")
    var answerWait: Int = 1000

    @Flag(name: .long, help: "Print the report as JSON.")
    var json = false

    @OptionGroup var matrixOptions: MatrixOptions

    func validate() throws {
        guard answerWait >= 1, answerWait <= 600_000 else { throw ValidationError("--answer-wait must be 1 to 600000 milliseconds") }
    }

    func run() throws {
        var (config, _) = try matrixOptions.load()
        var peers = [gateway]
        if let baseline { peers.append(baseline) }
        for name in peers where !config.gateways.contains(name) {
            throw ConfigError("\(config.path): no gateway named \"\(name)\" (gateways: \(config.gateways.joined(separator: ", ")))")
        }
        try checkBeforeStarting(&config, peers: Set(peers))
        var options = Replay.Options(masks: try replayMasks(config))
        options.answerWait = .milliseconds(answerWait)
        let report = try Replay.run(
            capture: capture, config: config, candidate: config.peer(named: gateway)!, baseline: baseline.flatMap(config.peer(named:)),
            options: options)
        parkIfInterrupted()
        emit(json ? report.json.serialized(pretty: true) + "\n" : report.renderTerminal())
        if !report.passed { throw ExitCode(1) }
    }

    private func replayMasks(_ config: MatrixConfig) throws -> ReplayMasks {
        var result = ReplayMasks.defaults(schema: config.schema, profile: config.profile)
        let given = ReplayMasks(ignore: ignore, rebind: rebind)
        try given.validate(option: "--ignore/--rebind")
        result.add(given)
        if let masks { result.add(try ReplayMasks.load(masks)) }
        return result
    }
}
