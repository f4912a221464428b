// `compat capture frames`: the protocol frames a capture file holds (compat's own, or live
// ZeroMQ tcp traffic), one line each, so a capture can be checked without Wireshark.

import ArgumentParser
import CompatRunner
import Foundation
import MiniJSON
import TGP

struct CaptureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture",
        abstract: "Reads capture files: compat's own (--capture) and pcap(ng) of live ZeroMQ tcp traffic.",
        subcommands: [Frames.self]
    )

    struct Frames: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "frames",
            abstract: "Prints the protocol frames of a capture file.",
            discussion: """
                One line a frame, in time order: index, time (seconds.nanoseconds since the epoch), stream \
                (the connection, from 1), direction (c2g client to gateway, g2c back), length and the bytes in \
                hex. With --json, one JSON object a line with those fields. What was left out of the capture, \
                and why, goes to stderr as notes. Exit status: 0 read, 2 a usage error or a capture that cannot be \
                read (the file, the byte offset and why on stderr).
                """
        )

        @Argument(help: ArgumentHelp("The capture: pcapng or pcap.", valueName: "file"))
        var file: String

        @Flag(name: .long, help: "One JSON object a frame.")
        var json = false

        func run() throws {
            let capture: Capture
            do {
                capture = try CaptureReader.read(path: file)
            } catch {
                throw ConfigError("\(error)")
            }
            for note in capture.notes { emitError("compat: note: \(note)\n") }
            for (index, frame) in capture.frames.enumerated() { emit(line(index + 1, frame) + "\n") }
        }

        private func line(_ index: Int, _ frame: WireFrame) -> String {
            let fraction = String(frame.nanoseconds % 1_000_000_000)
            let time = "\(frame.nanoseconds / 1_000_000_000)." + String(repeating: "0", count: 9 - fraction.count) + fraction
            let hex = frame.bytes.hexString
            guard json else { return "\(index) \(time) \(frame.stream) \(frame.direction.rawValue) \(frame.bytes.count) \(hex)" }
            let object: JSON = [
                "index": .integer(index), "nanoseconds": .integer(frame.nanoseconds), "time": .string(time),
                "stream": .integer(frame.stream),
                "direction": .string(frame.direction.rawValue), "length": .integer(frame.bytes.count), "hex": .string(hex),
            ]
            return object.serialized
        }
    }
}
