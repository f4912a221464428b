// `compat capture frames`: the protocol frames a capture file of live ZeroMQ tcp traffic holds,
// one line each, so a capture can be checked against what was sent without Wireshark.

import ArgumentParser
import CompatRunner
import Foundation

struct CaptureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture",
        abstract: "Reads capture files of ZeroMQ tcp traffic.",
        subcommands: [Frames.self]
    )

    struct Frames: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prints the protocol frames of a classic pcap file of live ZeroMQ tcp traffic.",
            discussion: """
                One line a frame, in time order: index, time (seconds.nanoseconds since the epoch), stream \
                (the connection, from 1), direction (c2g client to gateway, g2c back), length and the bytes in \
                hex. With --json, one JSON object a line with those fields. What was left out of the capture, \
                and why, goes to stderr as notes. Exit status: 0 read, 1 the capture cannot be read (the file, \
                the byte offset and why on stderr), 2 a usage error.
                """
        )

        @Argument(help: ArgumentHelp("The capture: a classic pcap file (dumpcap -P, tcpdump).", valueName: "file"))
        var file: String

        @Flag(name: .long, help: "One JSON object a frame.")
        var json = false

        func run() throws {
            let capture: Capture
            do {
                capture = try LiveTraffic.capture(try ClassicPcap.packets(try read()))
            } catch {
                var error = error
                error.file = file
                emitError("compat: \(error)\n")
                throw ExitCode(1)
            }
            for note in capture.notes { emitError("compat: note: \(note)\n") }
            for (index, frame) in capture.frames.enumerated() { emit(line(index + 1, frame) + "\n") }
        }

        private func read() throws(CaptureError) -> [UInt8] {
            guard let data = FileManager.default.contents(atPath: file) else { throw CaptureError("cannot read the file") }
            let bytes = [UInt8](data)
            // pcapng is read by the capture reader of exported PDUs; this command reads classic pcap for now.
            guard ClassicPcap.isPcap(bytes) else { throw CaptureError(offset: 0, "not a classic pcap file (write one with dumpcap -P)") }
            return bytes
        }

        private func line(_ index: Int, _ frame: WireFrame) -> String {
            let time = "\(frame.nanoseconds / 1_000_000_000).\(String(frame.nanoseconds % 1_000_000_000).leftPadded(to: 9))"
            let hex = frame.bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
            guard json else { return "\(index) \(time) \(frame.stream) \(frame.direction.rawValue) \(frame.bytes.count) \(hex)" }
            return """
                {"index": \(index), "nanoseconds": \(frame.nanoseconds), "time": "\(time)", "stream": \(frame.stream), \
                "direction": "\(frame.direction.rawValue)", "length": \(frame.bytes.count), "hex": "\(hex)"}
                """
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
