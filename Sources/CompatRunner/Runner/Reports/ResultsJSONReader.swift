// Reads a results.json back into the values it was written from (RunResults), strictly: every
// key present with its type, no unknown key, each error naming the file and the key.

import Foundation
import MiniJSON
import TGP

/// What a results.json read back may hold. The file may be cut, old or forged: it never makes
/// compat hold, print or copy more than compat itself writes, nor report what no run found.
enum ResultsLimits {
    /// A run has at most 2,500 cells (MatrixConfig.cellLimit), about 90 KB each in results.json.
    static let fileBytes = 256 << 20
    /// Every shard a merge reads, together: the shards of one run hold its cells once.
    static let mergedBytes = 512 << 20
    /// Any string but a stderr tail: far above a message, a value or a name compat writes; longer is cut.
    static let textBytes = 64 << 10
    /// A frame: the most a peer's longest stdout line (4 MiB) can carry as hex; longer is refused.
    static let frameBytes = StdoutBudget.lineMaximum / 2
    /// A peer's stderr tail, as reports carry it: its last bytes are kept.
    static let stderrTailBytes = PeerProcess.stderrTailBytes
    /// Seconds: a run of 2,500 cells at the longest pairSeconds (3,600) is 9e6 s.
    static let seconds: ClosedRange<Double> = 0...1e8
    /// A peer's or a session's version (0: a fleet's or an upgrade's, which has many).
    static let versions = 0...65_535
    static let jobs = 1...100_000
    static let counts = 0...100_000_000
}

extension RunResults {
    /// Reads `path` (a results.json), or throws a ConfigError naming the file and the key.
    public static func read(path: String) throws(ConfigError) -> RunResults {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        guard let size else { throw ConfigError("\(path): cannot read it (missing or not a file)") }
        guard size <= ResultsLimits.fileBytes else {
            throw ConfigError("\(path): \(size) bytes, over the \(ResultsLimits.fileBytes) bytes (256 MiB) a results.json may have")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw ConfigError("\(path): cannot read it") }
        return try parse(Array(data), source: path)
    }

    public static func parse(_ bytes: [UInt8], source: String) throws(ConfigError) -> RunResults {
        let json: JSON
        do {
            json = try JSON.parse(bytes)
        } catch {
            throw ConfigError("\(source): not JSON: \(error)")
        }
        return try ResultsJSONReader(source: source).results(json)
    }
}

/// The keys of each object results.json holds, in the order ResultsJSON writes them.
enum ResultsKeys {
    static let top = [
        "schemaVersion", "runId", "startedAt", "command", "arguments", "compatVersion", "shard", "allExpected",
        "clients", "gateways", "wallSeconds", "jobs", "totals", "cells", "staleEntries", "gate",
    ]
    /// Keys the top level may leave out: reports written before they existed.
    static let topSince = ["provenance"]
    static let provenance = ["commit", "branch", "machine"]
    static let shard = ["index", "count", "units", "matrixDigest", "arguments", "knownFailures"]
    static let knownFailure = ["client", "gateway", "check", "reason"]
    static let staleEntry = knownFailure + ["passedChecks"]
    static let totals = ["cells", "checks", "states", "checkStatuses"]
    static let cell = [
        "name", "client", "gateway", "clientVersion", "gatewayVersion", "expectedVersion", "state", "problem",
        "keptDirectory", "seconds", "reproduce", "peers", "checks",
    ]
    /// Keys a cell may leave out: reports written before they existed.
    static let cellSince = ["profile", "timeline"]
    static let timelineMark = ["phase", "seconds"]
    /// Keys a check may leave out: reports written before they existed.
    static let checkSince = ["message"]
    static let peer = ["role", "name", "argv", "termination", "stderrTail"]
    static let check = ["name", "status", "rules", "knownReason", "reason", "seconds", "failure", "reproduce"]
    static let failure = ["message", "field", "expected", "actual", "sentFrame", "receivedFrame", "expectedFrame"]
    static let gate = ["passed", "seconds", "schema", "goldenFrames", "scenarios", "staleKnownFailures"]
    static let schema = ["passed", "baseline", "lockedVersions", "unlockedVersions", "breaking", "allowed", "unusedAllowances"]
    static let change = ["id", "rule", "location", "detail"]
    static let allowedChange = change + ["reason"]
    static let allowance = ["id", "reason"]
    static let golden = ["passed", "folder", "files", "frames", "refusals", "decodes", "problems"]
    static let goldenProblem = ["file", "case", "message"]
}

private struct ResultsJSONReader {
    let source: String

    func results(_ json: JSON) throws(ConfigError) -> RunResults {
        let top = try Fields(json, at: "", keys: ResultsKeys.top, optional: ResultsKeys.topSince, source: source)
        let version = try top.int("schemaVersion")
        guard version == ResultsJSON.schemaVersion else {
            throw top.fail(
                "schemaVersion", "is \(version); this compat (\(CompatVersion.current)) reads version \(ResultsJSON.schemaVersion)")
        }
        _ = try top.bool("allExpected")
        _ = try top.object("totals", keys: ResultsKeys.totals)
        let run = RunInfo(
            runId: try runId(top), startedAt: try top.string("startedAt"), command: try top.string("command"),
            arguments: try top.strings("arguments"), compatVersion: try top.string("compatVersion"),
            shard: try top.optionalObject("shard", keys: ResultsKeys.shard).map(shard),
            provenance: top.object["provenance"] == nil
                ? nil : try top.optionalObject("provenance", keys: ResultsKeys.provenance).map(provenance))
        let matrix = MatrixResult(
            clients: try top.strings("clients"), gateways: try top.strings("gateways"),
            cells: try top.objects("cells", keys: ResultsKeys.cell, optional: ResultsKeys.cellSince).map(cell),
            wallSeconds: try top.seconds("wallSeconds"), jobs: try top.int("jobs", in: ResultsLimits.jobs),
            staleKnownFailures: try top.objects("staleEntries", keys: ResultsKeys.staleEntry).map(staleEntry))
        guard let gate = try top.optionalObject("gate", keys: ResultsKeys.gate) else {
            return RunResults(run: run, findings: .matrix(matrix))
        }
        return RunResults(run: run, findings: .gate(try self.gate(gate, matrix: matrix)))
    }

    /// A run id as compat makes them (`20260301T142205Z-3f09c2aa`): letters, digits and '-', short.
    func runId(_ fields: Fields) throws(ConfigError) -> RunID {
        let text = try fields.string("runId")
        let allowed = { (c: Character) in c.isASCII && (c.isLetter || c.isNumber || c == "-") }
        guard (1...64).contains(text.count), text.allSatisfy(allowed) else {
            throw fields.fail("runId", "is not a run id compat writes (up to 64 ASCII letters, digits and '-')")
        }
        return RunID(text)
    }

    func provenance(_ fields: Fields) throws(ConfigError) -> Provenance {
        Provenance(commit: try fields.string("commit"), branch: try fields.string("branch"), machine: try fields.string("machine"))
    }

    func shard(_ fields: Fields) throws(ConfigError) -> ShardRecord {
        let (index, count) = (try fields.int("index"), try fields.int("count"))
        guard count >= 1, (1...count).contains(index) else {
            throw fields.fail("index", "shard \(index)/\(count) is not K/N with 1 ≤ K ≤ N")
        }
        return ShardRecord(
            shard: Shard(index: index, count: count), units: try fields.strings("units"),
            matrixDigest: try fields.string("matrixDigest"), arguments: try fields.strings("arguments"),
            wildcardKnownFailures: try fields.objects("knownFailures", keys: ResultsKeys.knownFailure).map(knownFailure))
    }

    func knownFailure(_ fields: Fields) throws(ConfigError) -> KnownFailure {
        KnownFailure(
            client: try fields.string("client"), gateway: try fields.string("gateway"), check: try fields.string("check"),
            reason: try fields.string("reason"))
    }

    func staleEntry(_ fields: Fields) throws(ConfigError) -> StaleKnownFailure {
        StaleKnownFailure(
            client: try fields.string("client"), gateway: try fields.string("gateway"), check: try fields.string("check"),
            reason: try fields.string("reason"), passedChecks: try fields.int("passedChecks"))
    }

    func cell(_ fields: Fields) throws(ConfigError) -> CellResult {
        _ = try fields.string("name")
        let stateText = try fields.string("state")
        guard let state = CellState(rawValue: stateText) else {
            throw fields.fail(
                "state", "\"\(stateText)\" is not a cell state (\(CellState.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let cell = CellResult(
            client: try fields.string("client"), gateway: try fields.string("gateway"),
            clientVersion: try fields.int("clientVersion", in: ResultsLimits.versions),
            gatewayVersion: try fields.int("gatewayVersion", in: ResultsLimits.versions),
            expectedVersion: try fields.optionalInt("expectedVersion", in: ResultsLimits.versions), state: state, checks: [],
            problem: try fields.optionalString("problem"), peers: try fields.objects("peers", keys: ResultsKeys.peer).map(peer),
            keptDirectory: try fields.optionalString("keptDirectory"), seconds: try fields.seconds("seconds"),
            reproduce: try fields.string("reproduce"))
        var withChecks = cell
        withChecks.profile = try fields.object["profile"] == nil ? "tgp" : fields.string("profile")
        withChecks.checks = try fields.objects("checks", keys: ResultsKeys.check, optional: ResultsKeys.checkSince).map(check)
        if fields.object["timeline"] != nil {
            withChecks.timeline = try fields.objects("timeline", keys: ResultsKeys.timelineMark).map { mark throws(ConfigError) in
                TimelineMark(phase: try mark.string("phase"), seconds: try mark.seconds("seconds"))
            }
        }
        if let contradiction = Self.contradiction(withChecks) { throw fields.fail("state", contradiction) }
        return withChecks
    }

    /// Why a cell's state cannot be what its checks found (as PeerLifecycle judges a run), if it cannot.
    static func contradiction(_ cell: CellResult) -> String? {
        func first(_ status: CheckStatus) -> String? { cell.checks.first { $0.status == status }?.name }
        if cell.state.isExpected, let failed = first(.failed) {
            return "\(cell.state.rawValue), yet its check \(failed) failed"
        }
        if cell.state == .pass || cell.state == .incompatible, let known = first(.knownFailure) {
            return "\(cell.state.rawValue), yet its check \(known) is a known failure (KNOWN)"
        }
        if cell.state == .known, first(.knownFailure) == nil { return "KNOWN, yet none of its checks is a known failure" }
        let unacceptedSkip = cell.checks.first(where: \.isUnacceptedSkip)?.name
        if cell.state.isExpected, let unacceptedSkip {
            return "\(cell.state.rawValue), yet its check \(unacceptedSkip) was skipped and no acceptedSkips entry accepts it (PARTIAL)"
        }
        if cell.state == .partial, let failed = first(.failed) { return "PARTIAL, yet its check \(failed) failed (FAIL)" }
        if cell.state == .partial, unacceptedSkip == nil { return "PARTIAL, yet none of its checks is a skip matrix.json does not accept" }
        return nil
    }

    func peer(_ fields: Fields) throws(ConfigError) -> PeerOutcome {
        PeerOutcome(
            role: try fields.string("role"), name: try fields.string("name"), argv: try fields.strings("argv"),
            termination: try fields.optionalString("termination"), stderrTail: try fields.stderrTail("stderrTail"))
    }

    func check(_ fields: Fields) throws(ConfigError) -> CheckResult {
        let statusText = try fields.string("status")
        guard let status = CheckStatus(rawValue: statusText) else {
            throw fields.fail(
                "status", "\"\(statusText)\" is not a check status (\(CheckStatus.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        _ = try fields.optionalString("reproduce")
        var check = CheckResult(
            name: try fields.string("name"), status: status,
            failure: try fields.optionalObject("failure", keys: ResultsKeys.failure).map(failure),
            knownReason: try fields.optionalString("knownReason"), rules: try fields.strings("rules"),
            reason: try fields.optionalString("reason"), seconds: try fields.optionalSeconds("seconds"))
        check.message = fields.object["message"] == nil ? nil : try fields.optionalString("message")
        return check
    }

    func failure(_ fields: Fields) throws(ConfigError) -> CheckFailure {
        CheckFailure(
            try fields.string("message"), field: try fields.optionalString("field"), expected: try fields.optionalString("expected"),
            actual: try fields.optionalString("actual"), sentFrame: try fields.optionalHex("sentFrame"),
            receivedFrame: try fields.optionalHex("receivedFrame"), expectedFrame: try fields.optionalHex("expectedFrame"))
    }

    // MARK: The gate's sections

    func gate(_ fields: Fields, matrix: MatrixResult) throws(ConfigError) -> GateResult {
        _ = try fields.bool("passed")
        _ = try fields.strings("staleKnownFailures")
        return GateResult(
            schema: try schema(fields.object("schema", keys: ResultsKeys.schema)),
            fixtures: try golden(fields.object("goldenFrames", keys: ResultsKeys.golden)), matrix: matrix,
            scenarios: try fields.objects("scenarios", keys: ResultsKeys.cell, optional: ResultsKeys.cellSince).map(cell),
            seconds: try fields.seconds("seconds"))
    }

    func schema(_ fields: Fields) throws(ConfigError) -> SchemaDiffReport {
        _ = try fields.bool("passed")
        let breaking = try fields.objects("breaking", keys: ResultsKeys.change).map(change)
        let allowed = try fields.objects("allowed", keys: ResultsKeys.allowedChange).map { (fields) throws(ConfigError) in
            (change: try change(fields), reason: try fields.string("reason"))
        }
        let unused = try fields.objects("unusedAllowances", keys: ResultsKeys.allowance).map { (fields) throws(ConfigError) in
            AllowedBreak(id: try fields.string("id"), reason: try fields.string("reason"))
        }
        // The report splits its changes by the allowances: the allowed ones' reasons and the unused ones give back both lists.
        let allowances = AllowedBreaks(allowed.map { AllowedBreak(id: $0.change.id, reason: $0.reason) } + unused)
        return SchemaDiffReport(
            changes: breaking + allowed.map(\.change), allowances: allowances,
            baselineDescription: try fields.string("baseline"), lockedVersions: try fields.ints("lockedVersions"),
            unlockedVersions: try fields.ints("unlockedVersions"))
    }

    func change(_ fields: Fields) throws(ConfigError) -> BreakingChange {
        let ruleText = try fields.string("rule")
        guard let rule = SchemaRule(rawValue: ruleText) else { throw fields.fail("rule", "\"\(ruleText)\" is not a schema rule id") }
        let change = BreakingChange(rule: rule, location: try fields.string("location"), detail: try fields.string("detail"))
        guard try fields.string("id") == change.id else { throw fields.fail("id", "is not rule@location (\(change.id))") }
        return change
    }

    func golden(_ fields: Fields) throws(ConfigError) -> GoldenReport {
        _ = try fields.bool("passed")
        var report = GoldenReport(folder: try fields.string("folder"))
        report.files = try fields.int("files")
        report.frames = try fields.int("frames")
        report.refusals = try fields.int("refusals")
        report.decodes = try fields.int("decodes")
        report.problems = try fields.objects("problems", keys: ResultsKeys.goldenProblem).map { (fields) throws(ConfigError) in
            GoldenProblem(
                file: try fields.string("file"), caseName: try fields.optionalString("case"), message: try fields.string("message"))
        }
        return report
    }
}

/// One object of results.json with exactly the keys it must have, read by key with its type;
/// every error names the file and the key's path (`cells[3].checks[0].status`).
private struct Fields {
    let object: JSONObject
    let path: String
    let source: String

    init(_ json: JSON, at path: String, keys: [String], optional: [String] = [], source: String) throws(ConfigError) {
        self.path = path
        self.source = source
        guard let object = json.objectValue else {
            throw ConfigError("\(source): \(path.isEmpty ? "(top level)" : path): must be an object, got \(json.typeName)")
        }
        self.object = object
        for key in object.keys where !keys.contains(key) && !optional.contains(key) {
            throw fail(key, "unknown key (expected \((keys + optional).joined(separator: ", ")))")
        }
        for key in keys where object[key] == nil { throw fail(key, "missing") }
    }

    func fail(_ key: String, _ problem: String) -> ConfigError {
        ConfigError("\(source): \(path.isEmpty ? key : path + "." + key): \(problem)")
    }

    private func wrongType(_ key: String, _ wanted: String) -> ConfigError {
        fail(key, "must be \(wanted), got \(object[key]!.typeName)")
    }

    /// A string, cut at `ResultsLimits.textBytes` as no string compat writes is longer.
    func string(_ key: String) throws(ConfigError) -> String {
        guard let value = object[key]!.stringValue else { throw wrongType(key, "a string") }
        return Self.capped(value)
    }

    static func capped(_ text: String) -> String {
        guard text.utf8.count > ResultsLimits.textBytes else { return text }
        let kept = String(decoding: text.utf8.prefix(ResultsLimits.textBytes), as: UTF8.self)
        return kept + "… (cut when read back: \(text.utf8.count) bytes)"
    }

    /// A stderr tail: its last bytes, as many as a report carries.
    func stderrTail(_ key: String) throws(ConfigError) -> String {
        guard let value = object[key]!.stringValue else { throw wrongType(key, "a string") }
        return tailText(Array(value.utf8), maxBytes: ResultsLimits.stderrTailBytes)
    }

    func optionalString(_ key: String) throws(ConfigError) -> String? {
        object[key]!.isNull ? nil : try string(key)
    }

    func int(_ key: String, in range: ClosedRange<Int> = ResultsLimits.counts) throws(ConfigError) -> Int {
        guard let value = object[key]!.intValue else { throw wrongType(key, "an integer") }
        guard range.contains(value) else { throw fail(key, "\(value) is out of range (\(range.lowerBound)…\(range.upperBound))") }
        return value
    }

    func optionalInt(_ key: String, in range: ClosedRange<Int> = ResultsLimits.counts) throws(ConfigError) -> Int? {
        object[key]!.isNull ? nil : try int(key, in: range)
    }

    /// A time in seconds: a finite number in `ResultsLimits.seconds`.
    func seconds(_ key: String) throws(ConfigError) -> Double {
        guard let value = object[key]!.doubleValue else { throw wrongType(key, "a number") }
        guard value.isFinite, ResultsLimits.seconds.contains(value) else {
            throw fail(key, "\(value) is not a number of seconds (0…\(ResultsLimits.seconds.upperBound))")
        }
        return value
    }

    func optionalSeconds(_ key: String) throws(ConfigError) -> Double? {
        object[key]!.isNull ? nil : try seconds(key)
    }

    func bool(_ key: String) throws(ConfigError) -> Bool {
        guard let value = object[key]!.boolValue else { throw wrongType(key, "true or false") }
        return value
    }

    func optionalHex(_ key: String) throws(ConfigError) -> [UInt8]? {
        guard let text = try optionalString(key) else { return nil }
        guard let bytes = TGP.bytes(fromHex: text) else { throw fail(key, "must be bytes as hex digits") }
        guard bytes.count <= ResultsLimits.frameBytes else {
            throw fail(key, "a frame of \(bytes.count) bytes, over the \(ResultsLimits.frameBytes) a report holds")
        }
        return bytes
    }

    private func array(_ key: String, of wanted: String) throws(ConfigError) -> [JSON] {
        guard let values = object[key]!.arrayValue else { throw wrongType(key, "an array of \(wanted)") }
        return values
    }

    func strings(_ key: String) throws(ConfigError) -> [String] {
        var strings: [String] = []
        for (index, value) in try array(key, of: "strings").enumerated() {
            guard let string = value.stringValue else { throw fail("\(key)[\(index)]", "must be a string, got \(value.typeName)") }
            strings.append(Self.capped(string))
        }
        return strings
    }

    func ints(_ key: String) throws(ConfigError) -> [Int] {
        var ints: [Int] = []
        for (index, value) in try array(key, of: "integers").enumerated() {
            guard let int = value.intValue else { throw fail("\(key)[\(index)]", "must be an integer, got \(value.typeName)") }
            ints.append(int)
        }
        return ints
    }

    func object(_ key: String, keys: [String]) throws(ConfigError) -> Fields {
        try Fields(object[key]!, at: path.isEmpty ? key : path + "." + key, keys: keys, source: source)
    }

    func optionalObject(_ key: String, keys: [String]) throws(ConfigError) -> Fields? {
        object[key]!.isNull ? nil : try self.object(key, keys: keys)
    }

    func objects(_ key: String, keys: [String], optional: [String] = []) throws(ConfigError) -> [Fields] {
        var fields: [Fields] = []
        for (index, value) in try array(key, of: "objects").enumerated() {
            let at = (path.isEmpty ? key : path + "." + key) + "[\(index)]"
            fields.append(try Fields(value, at: at, keys: keys, optional: optional, source: source))
        }
        return fields
    }
}
