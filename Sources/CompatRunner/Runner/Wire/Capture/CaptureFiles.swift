// Where a run's capture is written: beside the run's other files when its folder is kept (a
// result not as expected), and into the `--capture` folder when one is given. The section's
// comments say what ran, so a capture found on its own still says where it came from.

import Foundation

public struct CaptureSettings: Sendable {
    /// `--capture DIR`: every run's capture is written there too (nil: only kept runs have one).
    public var folder: String?
    /// The dissector every packet names (`compat dissector` registers it).
    public var dissector: String

    public init(folder: String? = nil, dissector: String) {
        self.folder = folder
        self.dissector = dissector
    }

    /// The capture's file name in `--capture DIR`: the run's name with only safe characters.
    static func fileName(for result: CellResult) -> String {
        let name = "\(result.client)-\(result.gateway)".unicodeScalars.map { scalar -> String in
            CharacterSet.alphanumerics.contains(scalar) && scalar.isASCII || "._=-".unicodeScalars.contains(scalar)
                ? String(scalar) : "_"
        }.joined()
        return String(name.prefix(200)) + ".pcapng"
    }

    /// Writes the run's capture where it belongs; a failure to write is returned for the report.
    func write(_ recorder: WireRecorder, for result: CellResult) -> String? {
        var targets: [String] = []
        if let kept = result.keptDirectory { targets.append("\(kept)/capture.pcapng") }
        if let folder { targets.append("\(folder)/\(Self.fileName(for: result))") }
        guard !targets.isEmpty else { return nil }
        let bytes = Pcapng.file(dissector: dissector, comments: comments(recorder, result), frames: recorder.capturedFrames())
        for target in targets {
            do {
                try Pcapng.write(bytes, to: target)
            } catch {
                return "\(error)"
            }
        }
        return nil
    }

    private func comments(_ recorder: WireRecorder, _ result: CellResult) -> [String] {
        var lines: [String]
        if result.clientVersion == 0 {
            lines = ["compat \(CompatVersion.current): \(result.client), gateway \(result.gateway) (version \(result.gatewayVersion))"]
        } else {
            lines = [
                "compat \(CompatVersion.current): client \(result.client) (version \(result.clientVersion)) × gateway \(result.gateway) (version \(result.gatewayVersion))",
                "expected version: \(result.expectedVersion.map(String.init) ?? "none (refused by design)")",
            ]
        }
        lines += ["result: \(result.state.rawValue)", "reproduce: \(result.reproduce)"]
        lines += recorder.logons
        if recorder.droppedFrames > 0 {
            lines.append(
                "\(recorder.droppedFrames) more frames not kept (a capture holds at most \(WireRecorder.frameLimit) frames, \(WireRecorder.byteLimit) bytes)"
            )
        }
        return lines
    }
}

extension CaptureSettings {
    /// The dissector's name for a matrix's schema file: `Dissector.name`'s ("tgp" when built in).
    public static func dissectorName(schemaPath: String?) -> String {
        schemaPath.map { Dissector.name(forSchemaFile: $0) } ?? "tgp"
    }
}

extension CaptureSettings {
    /// Makes `--capture`'s folder (and its parents) before anything runs.
    public static func prepareFolder(_ path: String) throws(ConfigError) -> String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ConfigError("--capture \(path): is a file, not a folder") }
            return path
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ConfigError("--capture \(path): the folder cannot be made (\(error.localizedDescription))")
        }
        return path
    }
}
