// Golden frames of any schema into a folder of their own (`compat fixtures generate`): the same
// golden files `compat fixtures update` writes for TGP, from samples made from the schema.

import Foundation
import MiniJSON
import TGP

/// What `compat fixtures generate` wrote.
public struct GoldenGeneration: Sendable {
    /// The folder written to.
    public let folder: String
    /// The golden files, `FOLDER/golden/vN/TYPE.json`, in version then schema order.
    public internal(set) var files: [String] = []
    /// The samples the files were made from, `FOLDER/samples.json`.
    public internal(set) var samplesFile = ""
    /// Cases with a frame, and cases the sender refused (E2), over every file.
    public internal(set) var frames = 0
    public internal(set) var refusals = 0

    /// `wrote 69 golden files and samples.json to out: 431 frames, 52 refused`.
    public var summary: String {
        "wrote \(files.count) golden file\(files.count == 1 ? "" : "s") and samples.json to \(folder): "
            + "\(frames) frame\(frames == 1 ? "" : "s"), \(refusals) refused"
    }
}

extension GoldenFrames {
    /// Writes a fixtures folder: `folder/samples.json` (`samples` as samples.json holds them) and,
    /// for every version of `schema` × message type that version has, `folder/golden/vN/TYPE.json`
    /// (`document`), replacing files already there. Nothing else in the folder is touched.
    public static func generate(schema: Schema, samples: SampleBook, into folder: String) throws(ConfigError) -> GoldenGeneration {
        var result = GoldenGeneration(folder: folder)
        result.samplesFile = folder + "/samples.json"
        try write(samples.json(schema: schema), to: result.samplesFile)
        for (version, type) in expectedFiles(schema: schema) {
            let path = GoldenFrames.folder(fixtures: folder) + "/" + relativePath(version: version, type: type.name)
            let document = document(type: type, version: version, samples: samples, schema: schema)
            for item in document["cases"]?.arrayValue ?? [] {
                if item["refused"] != nil { result.refusals += 1 } else { result.frames += 1 }
            }
            try write(document, to: path)
            result.files.append(path)
        }
        return result
    }

    /// `document`, pretty-printed as the golden files are, into `path` (its folder created).
    private static func write(_ document: JSON, to path: String) throws(ConfigError) {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try text(of: document).write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw ConfigError("\(path): cannot write: \(error.localizedDescription)")
        }
    }
}

extension GoldenFrames {
    /// Every case of every version × message type that the codec does not give back as it was
    /// given: encoded at the version, then decoded by a receiver of that version, the message must
    /// be the sample projected onto the version (R1). A case the sender refuses (E2) is no problem
    /// here: the golden file records the refusal. Each problem names version, type, case and why.
    public static func roundTripProblems(schema: Schema, samples: SampleBook) -> [String] {
        let codec = Codec(schema: schema)
        var problems: [String] = []
        for (version, type) in expectedFiles(schema: schema) {
            for (name, message) in cases(of: type, in: samples) {
                let projected = message.projected(onto: version)
                guard let frame = try? codec.encode(projected, at: version) else { continue }
                let place = "v\(version) \(type.name) \(name)"
                do throws(DecodeError) {
                    let decoded = try codec.decode(frame, asVersion: version).message
                    if decoded != projected {
                        let differing = zip(type.logicalFields, zip(decoded.values, projected.values)).filter { $1.0 != $1.1 }
                        problems.append("\(place): decoded differently in \(differing.map(\.0.name).joined(separator: ", "))")
                    }
                } catch {
                    problems.append("\(place): its own frame is refused: \(error)")
                }
            }
        }
        return problems
    }
}
