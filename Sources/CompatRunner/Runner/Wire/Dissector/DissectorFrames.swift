// The frames `compat dissector verify` checks: golden frames of a fixtures folder (or, without
// one, the same documents made from the schema's own samples), and the frames of a capture.

import Foundation
import MiniJSON
import TGP

/// One frame to check, and where it came from (for the report).
public struct CheckedFrame: Sendable, Hashable {
    public let label: String
    public let bytes: [UInt8]

    public init(label: String, bytes: [UInt8]) {
        self.label = label
        self.bytes = bytes
    }
}

enum DissectorFrames {
    /// Every golden frame under `fixtures/golden`, in version then file name order; nil when the folder has none.
    static func golden(fixtures: String) throws(ConfigError) -> [CheckedFrame]? {
        let folder = GoldenFrames.folder(fixtures: fixtures)
        let manager = FileManager.default
        guard let versions = try? manager.contentsOfDirectory(atPath: folder), !versions.isEmpty else { return nil }
        var frames: [CheckedFrame] = []
        for version in versions.filter({ $0.hasPrefix("v") }).sorted(by: versionOrder) {
            let files = ((try? manager.contentsOfDirectory(atPath: folder + "/" + version)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
            for file in files {
                let path = "\(folder)/\(version)/\(file)"
                guard let data = manager.contents(atPath: path), let document = try? JSON.parse(Array(data)) else {
                    throw ConfigError("\(path): cannot read it as JSON")
                }
                frames += try cases(document, label: "\(version)/\(file)")
            }
        }
        return frames
    }

    /// The golden documents compat would write for `schema` from its own samples, at every version.
    static func samples(schema: Schema) throws(ConfigError) -> [CheckedFrame] {
        let samples = SchemaSamples.book(for: schema)
        var frames: [CheckedFrame] = []
        for (version, type) in GoldenFrames.expectedFiles(schema: schema) {
            let document = GoldenFrames.document(type: type, version: version, samples: samples, schema: schema)
            frames += try cases(document, label: "v\(version)/\(type.name)")
        }
        return frames
    }

    /// The cases of a golden document that have a frame (a case the sender refused has none).
    private static func cases(_ document: JSON, label: String) throws(ConfigError) -> [CheckedFrame] {
        var frames: [CheckedFrame] = []
        for item in document["cases"]?.arrayValue ?? [] {
            guard let rows = item["frame"]?.arrayValue else { continue }
            let name = item["name"]?.stringValue ?? "?"
            switch GoldenFrames.frameBytes(fromRows: rows) {
            case .success(let bytes): frames.append(CheckedFrame(label: "\(label) \(name)", bytes: bytes))
            case .failure(let error): throw ConfigError("\(label) \(name): \(error)")
            }
        }
        return frames
    }

    /// Frames derived from each of `frames` to exercise the refusals: the frame cut short at up
    /// to 32 lengths spread over it, and `changes` copies with one byte changed, the same on every
    /// run (a fixed-seed generator).
    static func mutations(of frames: [CheckedFrame], changes: Int) -> [CheckedFrame] {
        var state: UInt64 = 0x5EED
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        var derived: [CheckedFrame] = []
        for frame in frames where !frame.bytes.isEmpty {
            let step = max(1, frame.bytes.count / 32)
            for length in stride(from: 0, to: frame.bytes.count, by: step) {
                derived.append(CheckedFrame(label: "\(frame.label) cut at \(length)", bytes: Array(frame.bytes.prefix(length))))
            }
            for _ in 0..<changes {
                var bytes = frame.bytes
                let index = Int(next() % UInt64(bytes.count))
                bytes[index] = UInt8(truncatingIfNeeded: next())
                derived.append(CheckedFrame(label: "\(frame.label) byte \(index) changed", bytes: bytes))
            }
        }
        return derived
    }

    /// `v2` before `v10`.
    private static func versionOrder(_ a: String, _ b: String) -> Bool {
        (Int(a.dropFirst()) ?? 0, a) < (Int(b.dropFirst()) ?? 0, b)
    }
}
