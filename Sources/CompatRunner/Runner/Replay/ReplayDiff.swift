// Compares two replays' answers (or a replay's with the recording), request by request and
// session by session. Answers are paired by message type in order; each pair is decoded with
// the whole schema and compared field by field. A difference the schema explains — a field new
// at the candidate's version at its default (R1), the header's version and blockLength at the
// session's new version (E1, R2), a new negotiated version (N1) — is predicted, not a finding.

import Foundation
import MiniJSON
import SBE
import SchemaXML

public struct ReplayDifference: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// A value differs and nothing explains it.
        case finding
        /// The schema and its rules explain it (`rule` says which).
        case predicted
        /// An answer the reference has and the candidate does not, or the other way round.
        case missingAnswer = "missing answer"
        case extraAnswer = "extra answer"
    }

    public var kind: Kind
    /// Index of the request in the capture (from 1) and its session.
    public var request: Int
    public var stream: Int
    public var requestType: String
    /// The answer's message type and its position among that session's answers to the request (from 1).
    public var message: String
    public var answer: Int
    /// The field's path (`levels[0].bidPx`, `header.version`), nil for a whole answer.
    public var field: String?
    public var reference: String?
    public var candidate: String?
    public var rule: String?
    public var why: String?

    /// What identifies the same difference in another pair of runs (noise): message and field, no indexes.
    var noiseKey: String {
        let path = field.map(withoutIndexes) ?? kind.rawValue
        return "\(message).\(path)"
    }
}

/// What a comparison counted besides its differences.
public struct ReplayTally: Sendable, Hashable {
    public var answersCompared = 0
    /// Requests whose reading by the gateway (delivered or refused) was compared.
    public var readingsCompared = 0
    public var fieldsCompared = 0
    /// Values left out by an ignore mask, by `Message.field`.
    public var ignored: [String: Int] = [:]
    /// Values matched through a rebind, by id name.
    public var rebound: [String: Int] = [:]
}

struct ReplayComparison {
    let schema: Schema
    let profile: SessionProfile
    let masks: ReplayMasks
    let script: ReplayScript
    /// The candidate gateway's supported range (N1, N2).
    let candidateRange: ClosedRange<Int>?
    let candidateVersion: Int
    /// Each request of the script, decoded once: its type names the differences it caused.
    private var requests: [DecodedAnswer?] = []

    init(
        schema: Schema, profile: SessionProfile, masks: ReplayMasks, script: ReplayScript, candidateRange: ClosedRange<Int>?,
        candidateVersion: Int
    ) {
        self.schema = schema
        self.profile = profile
        self.masks = masks
        self.script = script
        self.candidateRange = candidateRange
        self.candidateVersion = candidateVersion
        requests = script.steps.map { decode($0.request) }
    }

    private var newest: Int { FrameTool.versions(of: schema).last ?? schema.version }

    private func requestType(_ index: Int) -> String { requests[index]?.type ?? "frame" }

    /// The maxVersion of request `index` when it is a Logon under the `tgp` profile.
    private func logonMax(_ index: Int) -> Int? {
        guard profile == .tgp, let request = requests[index], request.type == "Logon" else { return nil }
        return request.values["maxVersion"].flatMap { Int($0) }
    }

    func compare(reference: ReplayAnswers, candidate: ReplayAnswers) -> ([ReplayDifference], ReplayTally) {
        var differences: [ReplayDifference] = []
        var tally = ReplayTally()
        var bindings = Bindings()
        for stream in Set(reference.keys).union(candidate.keys).sorted() {
            let found = compareSession(
                reference[stream] ?? [], candidate[stream] ?? [], stream: stream, tally: &tally,
                bindings: &bindings)
            differences += collapseRefusedSession(found)
        }
        return (differences.sorted { ($0.request, $0.stream, $0.answer) < ($1.request, $1.stream, $1.answer) }, tally)
    }

    /// How each request was read: delivered as the same type, or refused with the same code (P12,
    /// P13); the version a gateway decodes at is its own. Only requests the reference reports.
    func compareReadings(reference: [GatewayReading?], candidate: [GatewayReading?], tally: inout ReplayTally) -> [ReplayDifference] {
        tally.readingsCompared = reference.prefix(script.steps.count).compactMap { $0 }.count
        return script.steps.indices.compactMap { index -> ReplayDifference? in
            guard index < reference.count, let expected = reference[index] else { return nil }
            let actual = index < candidate.count ? candidate[index] : nil
            guard actual.map({ !expected.sameVerdict($0) }) ?? true else { return nil }
            let step = script.steps[index]
            let type = requestType(index)
            return ReplayDifference(
                kind: .finding, request: index + 1, stream: step.stream, requestType: type, message: type, answer: 0,
                field: "the gateway's reading", reference: expected.description, candidate: actual?.description ?? "(none reported)",
                rule: actual == nil ? "P11" : (expected.isRefusal || actual!.isRefusal ? "R5–R9" : "P12"),
                why: actual == nil ? "the gateway reported no received or rejected_inbound event for it" : nil)
        }
    }

    /// After a session's refusal by design (the N2 entry), its other findings follow from it.
    func foldAfterRefusals(_ differences: [ReplayDifference]) -> [ReplayDifference] {
        var refusedFrom: [Int: Int] = [:]
        for difference in differences where difference.kind == .predicted && difference.rule == "N2" && difference.field == nil {
            refusedFrom[difference.stream] = min(refusedFrom[difference.stream] ?? .max, difference.request)
        }
        return differences.filter { difference in
            guard difference.kind != .predicted, let start = refusedFrom[difference.stream] else { return true }
            return difference.request < start
        }
    }

    private struct Context {
        var request: Int
        var stream: Int
        var requestType: String
        var logonMax: Int?
    }

    /// The request an answer answers: the last one its own session sent before it came.
    private func context(_ answer: ReplayAnswer, stream: Int) -> Context {
        guard let index = script.steps.indices.last(where: { $0 <= answer.after && script.steps[$0].stream == stream }) else {
            return Context(request: 0, stream: stream, requestType: "none")
        }
        return Context(
            request: index + 1, stream: stream, requestType: requestType(index), logonMax: logonMax(index))
    }

    /// One session's answers, paired by message type in order (a longest common subsequence).
    private func compareSession(
        _ reference: [ReplayAnswer], _ candidate: [ReplayAnswer], stream: Int, tally: inout ReplayTally,
        bindings: inout Bindings
    ) -> [ReplayDifference] {
        let referenceDecoded = reference.map { decode($0.bytes) }
        let candidateDecoded = candidate.map { decode($0.bytes) }
        let pairs = align(referenceDecoded.map { $0?.type ?? "?" }, candidateDecoded.map { $0?.type ?? "?" })
        var differences: [ReplayDifference] = []
        for pair in pairs {
            switch (pair.reference, pair.candidate) {
            case (let r?, let c?):
                tally.answersCompared += 1
                differences += compareFrames(
                    referenceDecoded[r], candidateDecoded[c], raw: (reference[r].bytes, candidate[c].bytes), answer: c + 1,
                    context: context(candidate[c], stream: stream), tally: &tally, bindings: &bindings)
            case (let r?, nil):
                differences.append(
                    difference(
                        .missingAnswer, context(reference[r], stream: stream),
                        message: referenceDecoded[r]?.type ?? "frame", answer: r + 1, reference: hex(reference[r].bytes), candidate: nil))
            case (nil, let c?):
                differences.append(
                    difference(
                        .extraAnswer, context(candidate[c], stream: stream),
                        message: candidateDecoded[c]?.type ?? "frame", answer: c + 1, reference: nil, candidate: hex(candidate[c].bytes)))
            case (nil, nil): break
            }
        }
        return differences
    }

    /// A session the candidate refuses at logon by design (N2: the client's range and the
    /// candidate's do not meet) differs from there on; that is one predicted difference, not many.
    private func collapseRefusedSession(_ differences: [ReplayDifference]) -> [ReplayDifference] {
        guard profile == .tgp, let range = candidateRange,
            let refusal = differences.firstIndex(where: { $0.kind == .extraAnswer && $0.message == "LogonReject" }),
            let max = logonMax(differences[refusal].request - 1), max < range.lowerBound
        else { return differences }
        let start = differences[refusal].request
        let before = differences.filter { $0.request < start }
        let after = differences.filter { $0.request >= start && $0.kind != .predicted }
        var collapsed = differences[refusal]
        collapsed.kind = .predicted
        collapsed.rule = "N2"
        collapsed.field = nil
        collapsed.why =
            "refused by design: the client's maxVersion \(max) is below the candidate's range \(range.lowerBound)–\(range.upperBound), and what the session does after differs with it (\(after.count) differences here)"
        return before + [collapsed] + differences.filter { $0.request >= start && $0.kind == .predicted && $0.message != "LogonReject" }
    }

    private func compareFrames(
        _ reference: DecodedAnswer?, _ candidate: DecodedAnswer?, raw: ([UInt8], [UInt8]), answer: Int, context: Context,
        tally: inout ReplayTally, bindings: inout Bindings
    ) -> [ReplayDifference] {
        guard let reference, let candidate else {
            guard raw.0 != raw.1 else { return [] }
            let message = reference?.type ?? candidate?.type ?? "frame"
            return [
                difference(
                    .finding, context, message: message, answer: answer, field: "frame",
                    reference: reference == nil ? "undecodable \(hex(raw.0))" : hex(raw.0),
                    candidate: candidate == nil ? "undecodable \(hex(raw.1))" : hex(raw.1))
            ]
        }
        var differences = header(reference, candidate, answer: answer, context: context)
        let message = candidate.type
        for path in Set(reference.values.keys).union(candidate.values.keys).sorted() {
            tally.fieldsCompared += 1
            let r = reference.values[path]
            let c = candidate.values[path]
            let plain = withoutIndexes(path)
            if masks.ignores(message, plain) {
                tally.ignored["\(message).\(plain)", default: 0] += 1
                continue
            }
            if let binding = masks.binding(message, plain), let r, let c {
                if bindings.bind(binding, r, c) {
                    tally.rebound[binding, default: 0] += 1
                    continue
                }
                differences.append(
                    difference(
                        .finding, context, message: message, answer: answer, field: path, reference: r, candidate: c,
                        why: "rebound id \(binding) is inconsistent: \(bindings.describe(binding, r, c))"))
                continue
            }
            let presentInReference = present(plain, message: message, at: reference.version)
            let presentInCandidate = present(plain, message: message, at: candidate.version)
            guard r != c || presentInReference != presentInCandidate else { continue }
            differences.append(
                classify(path, message: message, r, c, presence: (presentInReference, presentInCandidate), answer: answer, context: context)
            )
        }
        return differences
    }

    /// A field that differs: predicted when the schema's rules explain it.
    private func classify(
        _ path: String, message: String, _ r: String?, _ c: String?, presence: (Bool, Bool), answer: Int, context: Context
    ) -> ReplayDifference {
        var result = difference(
            .finding, context, message: message, answer: answer, field: path, reference: r ?? "(none)", candidate: c ?? "(none)")
        if r == c, presence.0 != presence.1 {
            result.kind = .predicted
            result.rule = "R1"
            result.why =
                presence.1
                ? "new at the candidate's version, at its default" : "not at the candidate's version, at its default in the reference"
        } else if profile == .tgp, message == "LogonAck", path == "version", let max = context.logonMax, let range = candidateRange,
            c == String(min(max, range.upperBound))
        {
            result.kind = .predicted
            result.rule = "N1"
            result.why = "the negotiated version: min(the Logon's maxVersion \(max), the candidate's maximum \(range.upperBound))"
        } else if profile == .tgp, message == "LogonReject", path == "supportedMin" || path == "supportedMax", let range = candidateRange,
            c == String(path == "supportedMin" ? range.lowerBound : range.upperBound)
        {
            result.kind = .predicted
            result.rule = "N2"
            result.why = "the candidate's own range"
        }
        return result
    }

    /// header.version and blockLength: predicted when the candidate's session runs at another version.
    private func header(_ reference: DecodedAnswer, _ candidate: DecodedAnswer, answer: Int, context: Context) -> [ReplayDifference] {
        var differences: [ReplayDifference] = []
        if reference.version != candidate.version {
            var d = difference(
                .predicted, context, message: candidate.type, answer: answer, field: "header.version", reference: String(reference.version),
                candidate: String(candidate.version))
            d.rule = profile == .tgp ? "E1" : "SB1"
            d.why = profile == .tgp ? "encoded at the session's version" : "the candidate encodes at its own version"
            if profile == .sbe, candidate.version != candidateVersion {
                d.kind = .finding
                d.why = "the candidate gateway is version \(candidateVersion)"
            }
            differences.append(d)
        }
        if reference.blockLength != candidate.blockLength {
            let expected = schema.message(named: candidate.type)?.blockLength(at: candidate.version)
            var d = difference(
                .predicted, context, message: candidate.type, answer: answer, field: "header.blockLength",
                reference: String(reference.blockLength), candidate: String(candidate.blockLength))
            d.rule = "R2"
            d.why = "the block length at version \(candidate.version)"
            if expected != candidate.blockLength || reference.version == candidate.version {
                d.kind = .finding
                d.why = "the schema's block length at version \(candidate.version) is \(expected.map(String.init) ?? "unknown")"
            }
            differences.append(d)
        }
        return differences
    }

    private func difference(
        _ kind: ReplayDifference.Kind, _ context: Context, message: String, answer: Int, field: String? = nil, reference: String?,
        candidate: String?, why: String? = nil
    ) -> ReplayDifference {
        ReplayDifference(
            kind: kind, request: context.request, stream: context.stream, requestType: context.requestType, message: message,
            answer: answer,
            field: field, reference: reference, candidate: candidate, rule: nil, why: why)
    }

    // MARK: decoding

    struct DecodedAnswer {
        var type: String
        var version: Int
        var blockLength: Int
        /// Every field by path, as its JSON text.
        var values: [String: String]
    }

    private func decode(_ frame: [UInt8]) -> DecodedAnswer? {
        guard case .success(let json) = FrameTool.decode(frame, schema: schema, asVersion: newest),
            let type = json["message"]?["type"]?.stringValue, let fields = json["message"]?["fields"]
        else { return nil }
        var values: [String: String] = [:]
        flatten(fields, prefix: "", into: &values)
        return DecodedAnswer(
            type: type, version: json["version"]?.intValue ?? 0, blockLength: json["blockLength"]?.intValue ?? 0, values: values)
    }

    private func flatten(_ json: JSON, prefix: String, into values: inout [String: String]) {
        switch json {
        case .object(let object):
            for (key, value) in object { flatten(value, prefix: prefix.isEmpty ? key : "\(prefix).\(key)", into: &values) }
        case .array(let entries) where entries.allSatisfy({ $0.objectValue != nil }) && !entries.isEmpty:
            for (index, entry) in entries.enumerated() { flatten(entry, prefix: "\(prefix)[\(index)]", into: &values) }
        default:
            values[prefix] = json.serialized
        }
    }

    /// Whether a field is on the wire at a version: its own `since` (or its group's) is not above it.
    private func present(_ path: String, message: String, at version: Int) -> Bool {
        guard let type = schema.message(named: message) else { return true }
        var components = path.split(separator: ".").map(String.init)
        var fields = type.logicalFields
        while !components.isEmpty {
            let name = components.removeFirst()
            guard let field = fields.first(where: { $0.name == name }) else { return true }
            if field.since > version { return false }
            guard case .group(let group) = field.kind else { return true }
            fields = group.logicalFields
        }
        return true
    }

    private func hex(_ bytes: [UInt8]) -> String {
        bytes.prefix(64).hexString + (bytes.count > 64 ? "… (\(bytes.count) bytes)" : "")
    }
}

/// A field's path without its group indexes (`levels[0].bidPx` → `levels.bidPx`): how masks and noise name it.
func withoutIndexes(_ path: String) -> String {
    path.replacingOccurrences(of: #"\[\d+\]"#, with: "", options: .regularExpression)
}

/// Pairs two lists of message types by a longest common subsequence, keeping both orders.
func align(_ reference: [String], _ candidate: [String]) -> [(reference: Int?, candidate: Int?)] {
    let (n, m) = (reference.count, candidate.count)
    var table = Array(repeating: Array(repeating: 0, count: m + 1), count: n + 1)
    for i in stride(from: n - 1, through: 0, by: -1) {
        for j in stride(from: m - 1, through: 0, by: -1) {
            table[i][j] = reference[i] == candidate[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
        }
    }
    var pairs: [(Int?, Int?)] = []
    var (i, j) = (0, 0)
    while i < n || j < m {
        if i < n, j < m, reference[i] == candidate[j] {
            pairs.append((i, j))
            (i, j) = (i + 1, j + 1)
        } else if j < m, i == n || table[i][j + 1] >= table[i + 1][j] {
            pairs.append((nil, j))
            j += 1
        } else {
            pairs.append((i, nil))
            i += 1
        }
    }
    return pairs
}

/// Rebound ids: each reference value stands for one candidate value, and back.
struct Bindings {
    private var forward: [String: [String: String]] = [:]
    private var backward: [String: [String: String]] = [:]

    /// Binds `reference` to `candidate` for `name`; false when either is bound to another value.
    mutating func bind(_ name: String, _ reference: String, _ candidate: String) -> Bool {
        let known = forward[name]?[reference]
        let knownBack = backward[name]?[candidate]
        if known == nil, knownBack == nil {
            forward[name, default: [:]][reference] = candidate
            backward[name, default: [:]][candidate] = reference
            return true
        }
        return known == candidate && knownBack == reference
    }

    func describe(_ name: String, _ reference: String, _ candidate: String) -> String {
        if let known = forward[name]?[reference], known != candidate { return "reference \(reference) was \(known) before" }
        if let knownBack = backward[name]?[candidate] { return "candidate \(candidate) stood for \(knownBack) before" }
        return "unbound"
    }
}
