// `compat dissector verify`: the generated dissector against compat's own decoder. The frames go
// into a pcapng of exported PDUs tagged with the dissector's name, tshark reads it with the Lua
// loaded, and every frame must come out as `compat decode` reads it, as a receiver of the frame's
// own version (capped at the newest): the same header, message type, fields and values when
// compat decodes it, and the expert info of the same rule (R5, R7, R8) when compat refuses it.

import Foundation
import MiniJSON
import TGP

/// What `compat dissector verify` found.
public struct DissectorReport: Sendable {
    public var frames = 0
    /// Frames compat decodes, and frames it refuses (each compared by its rule).
    public var decoded = 0
    public var refused = 0
    /// Values compared, over every decoded frame (header and message fields).
    public var fieldsCompared = 0
    /// One line per difference: frame, field, compat's value, tshark's value.
    public var mismatches: [String] = []

    public var agrees: Bool { mismatches.isEmpty }

    public var summary: String {
        var text = mismatches.prefix(50).map { "  mismatch: \($0)\n" }.joined()
        if mismatches.count > 50 { text += "  … and \(mismatches.count - 50) more\n" }
        text += "\(frames) frames (\(decoded) decoded, \(refused) refused), \(fieldsCompared) fields compared, "
        text += "\(mismatches.count) mismatch\(mismatches.count == 1 ? "" : "es")\n"
        return text
    }
}

public enum DissectorVerify {
    /// `FOLDER/fixtures` beside the schema file.
    public static func defaultFixtures(schemaPath: String) -> String {
        ((schemaPath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("fixtures")
    }

    /// The frames to check: the golden frames of `fixtures` (else the schema's own samples), with
    /// `mutations` derived from each when above 0 (cut short, and that many with a byte changed),
    /// then `capture`'s.
    public static func frames(schema: Schema, fixtures: String, capture: String?, mutations: Int = 0) throws(ConfigError)
        -> [CheckedFrame]
    {
        var frames: [CheckedFrame]
        if let golden = try DissectorFrames.golden(fixtures: fixtures) {
            frames = golden
        } else {
            frames = try DissectorFrames.samples(schema: schema)
        }
        if mutations > 0 { frames += DissectorFrames.mutations(of: frames, changes: mutations) }
        if let capture { frames += try DissectorCaptureFrames.read(path: capture) }
        return frames
    }

    public static func run(schema: Schema, name: String, fixtures: String, capture: String?, mutations: Int = 0, tshark: String)
        throws(ConfigError) -> DissectorReport
    {
        let program = try DissectorTshark.resolve(tshark)
        let frames = try frames(schema: schema, fixtures: fixtures, capture: capture, mutations: mutations)
        let source = Dissector.generate(schema: schema, name: name)
        let layers = try DissectorTshark.layers(of: frames, source: source, program: program)
        return compare(frames, layers, schema: schema, source: source)
    }

    /// Each frame against its layer (nil: tshark showed no layer of the dissector for it).
    static func compare(_ frames: [CheckedFrame], _ layers: [JSON?], schema: Schema, source: DissectorSource) -> DissectorReport {
        var report = DissectorReport()
        report.frames = frames.count
        guard layers.count == frames.count else {
            report.mismatches.append("tshark read \(layers.count) packets, the capture has \(frames.count)")
            return report
        }
        for (number, (frame, layer)) in zip(frames, layers).enumerated() {
            let place = "frame \(number + 1) (\(frame.label))"
            guard let layer else {
                report.mismatches.append("\(place): tshark shows nothing of \(source.name)")
                continue
            }
            check(frame, layer, place: place, schema: schema, source: source, into: &report)
        }
        return report
    }

    private static func check(
        _ frame: CheckedFrame, _ layer: JSON, place: String, schema: Schema, source: DissectorSource, into report: inout DissectorReport
    ) {
        let experts = Set(DissectorTree.experts(in: layer, name: source.name))
        let refusals = experts.intersection(["r5", "r7", "r8", "bug"].map { "\(source.name).\($0)" })
        switch FrameTool.decode(frame.bytes, schema: schema, asVersion: receiver(of: frame.bytes, schema: schema)) {
        case .failure(let error):
            report.refused += 1
            let expected = "\(source.name).\(rule(of: error))"
            if refusals != [expected] {
                let shown = refusals.isEmpty ? "no refusal" : refusals.sorted().joined(separator: ", ")
                report.mismatches.append("\(place): compat refuses it (\(error)), tshark shows \(shown), expected \(expected)")
            }
        case .success(let decoded):
            report.decoded += 1
            if !refusals.isEmpty {
                report.mismatches.append("\(place): compat decodes it, tshark refuses it (\(refusals.sorted().joined(separator: ", ")))")
            }
            var tree = DissectorTree(name: source.name, catalogue: source.catalogue)
            let shown = tree.decoded(layer)
            var comparison = DissectorComparison()
            comparison.compare(decoded, shown, path: "")
            report.fieldsCompared += comparison.leaves
            report.mismatches += tree.problems.map { "\(place): \($0)" }
            report.mismatches += comparison.differences.map { "\(place): \($0.path): compat \($0.compat), tshark \($0.tshark)" }
        }
    }

    /// The receiver the dissector plays: the frame's own version, capped at the newest (R10).
    static func receiver(of frame: [UInt8], schema: Schema) -> Int {
        let newest = FrameTool.versions(of: schema).last ?? schema.version
        let slot = schema.header.version
        guard frame.count >= slot.end else { return newest }
        let bytes = frame[slot.offset..<slot.end]
        let ordered = schema.byteOrder == .littleEndian ? Array(bytes.reversed()) : Array(bytes)
        let version = ordered.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Int(min(version, UInt64(newest)))
    }

    /// The rule a refusal falls under, as the dissector's expert info names it.
    static func rule(of error: DecodeError) -> String {
        switch error.code {
        case .unknownTemplate: "r5"
        case .invalidValue: "r7"
        default: "r8"
        }
    }
}
