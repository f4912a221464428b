// `compat report merge`: the results.json of every shard of one split run, joined into the
// results the unsharded run would have had — every unit once, in the unsharded run's order.
// Shards that are missing, repeated, or of another run are a configuration error (exit 2).

import Foundation

/// One folder's results, for messages.
public struct ShardResults: Sendable {
    public let folder: String
    public let results: RunResults

    public init(folder: String, results: RunResults) {
        self.folder = folder
        self.results = results
    }

    /// Reads `folder`/results.json.
    public static func read(folder: String) throws(ConfigError) -> ShardResults {
        ShardResults(folder: folder, results: try RunResults.read(path: folder + "/results.json"))
    }

    var record: ShardRecord? { results.run.shard }

    /// Refuses a merge that would write into one of the folders it reads, or read more than
    /// `ResultsLimits.mergedBytes` together, before anything is read or written.
    public static func checkMerge(of folders: [String], into reportDir: String?) throws(ConfigError) {
        func resolved(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path }
        if let reportDir {
            let output = resolved(reportDir)
            for folder in folders where resolved(folder) == output {
                throw ConfigError(
                    "--report-dir \(reportDir) is the shard folder \(folder): a merge never writes into what it reads; give it a folder of its own"
                )
            }
        }
        var total = 0
        for folder in folders {
            total += ((try? FileManager.default.attributesOfItem(atPath: folder + "/results.json")[.size] as? Int) ?? nil) ?? 0
        }
        guard total <= ResultsLimits.mergedBytes else {
            throw ConfigError(
                "the shards' results.json files hold \(total) bytes together, over the \(ResultsLimits.mergedBytes) bytes (512 MiB) a merge reads"
            )
        }
    }
}

public enum ReportMerge {
    /// The matrix file the shards read, when it is here unchanged (its digest is the shards'):
    /// the `--matrix` of their arguments, else `matrix.json`. Nil for an unsharded run's folder,
    /// which records no digest to tell.
    public static func matrixFile(of shards: [ShardResults]) -> String? {
        guard let record = shards.first?.record else { return nil }
        var path = "matrix.json"
        for (index, argument) in record.arguments.enumerated() {
            if ["--matrix", "--matrix-file"].contains(argument), index + 1 < record.arguments.count { path = record.arguments[index + 1] }
            for option in ["--matrix=", "--matrix-file="] where argument.hasPrefix(option) {
                path = String(argument.dropFirst(option.count))
            }
        }
        guard (try? ShardRecord.digest(ofFile: path)) == record.matrixDigest else { return nil }
        return path
    }

    /// Every shard's kept cell folders (KeptCells.shardFolders), by unit name, for the merged report folder.
    public static func keptFolders(of shards: [ShardResults]) -> [String: String] {
        shards.reduce(into: [:]) { folders, shard in folders.merge(KeptCells.shardFolders(shard)) { first, _ in first } }
    }

    /// The whole run's results from its shards' (or one unsharded run's results, as they are).
    public static func merge(_ shards: [ShardResults]) throws(ConfigError) -> RunResults {
        guard let first = shards.first else { throw ConfigError("report merge: give the report folders of the shards") }
        guard let record = first.record else {
            guard shards.count == 1 else { throw ConfigError("\(first.folder): results.json is not of a shard (its run had no --shard)") }
            return first.results
        }
        try checkComplete(shards, record: record)
        let units = try unitsByName(shards, order: record.units)
        let runs = shards.map(\.results)
        let run = RunInfo(
            runId: RunID(), startedAt: runs.map(\.run.startedAt).min()!, command: first.results.run.command,
            arguments: record.arguments, compatVersion: first.results.run.compatVersion,
            provenance: Provenance.merged(runs.compactMap(\.run.provenance)))
        let cells = runs.flatMap(\.matrix.cells).map { ReportText.cellName($0) }
        var matrix = mergedMatrix(order: record.units.filter(Set(cells).contains).compactMap { units[$0] }, runs)
        // A wildcard entry is stale when none of the checks it matched failed, in any shard.
        matrix.staleKnownFailures = staleWildcardEntries(record.wildcardKnownFailures, in: matrix.cells)
        guard let gate = first.results.gate else { return RunResults(run: run, findings: .matrix(matrix)) }
        try checkSameSections(shards)
        let scenarios = runs.flatMap { $0.gate?.scenarios ?? [] }.map { ReportText.cellName($0) }
        return RunResults(
            run: run,
            findings: .gate(
                GateResult(
                    schema: gate.schema, fixtures: gate.fixtures, matrix: matrix,
                    scenarios: record.units.filter(Set(scenarios).contains).compactMap { units[$0] },
                    seconds: runs.compactMap { $0.gate?.seconds }.max()!)))
    }

    /// Every shard of one run, each once: same count, units, matrix file, arguments, command and compat.
    private static func checkComplete(_ shards: [ShardResults], record: ShardRecord) throws(ConfigError) {
        let first = shards[0]
        var seen: [Int: String] = [:]
        for shard in shards {
            guard let other = shard.record else {
                throw ConfigError("\(shard.folder): results.json is not of a shard (its run had no --shard), unlike \(first.folder)")
            }
            let differences = [
                other.shard.count != record.shard.count ? "split into \(other.shard.count), not \(record.shard.count)" : nil,
                other.matrixDigest != record.matrixDigest ? "another matrix file" : nil,
                other.arguments != record.arguments ? "other arguments (\(other.arguments.joined(separator: " ")))" : nil,
                other.units != record.units ? "other cells" : nil,
                shard.results.run.command != first.results.run.command ? "another command (\(shard.results.run.command))" : nil,
                shard.results.run.compatVersion != first.results.run.compatVersion
                    ? "another compat (\(shard.results.run.compatVersion))" : nil,
            ].compactMap { $0 }
            guard differences.isEmpty else {
                throw ConfigError("\(shard.folder): not a shard of the same run as \(first.folder): \(differences.joined(separator: ", "))")
            }
            if let earlier = seen[other.shard.index] {
                throw ConfigError("\(shard.folder): shard \(other.shard) again (\(earlier) holds it too); give each shard's folder once")
            }
            seen[other.shard.index] = shard.folder
        }
        let missing = (1...record.shard.count).filter { seen[$0] == nil }
        guard missing.isEmpty else {
            let command = first.results.run.command
            throw ConfigError(
                "shard\(missing.count == 1 ? "" : "s") \(missing.map { "\($0)/\(record.shard.count)" }.joined(separator: ", ")) missing: "
                    + "give the report folder of each `compat \(command) --shard K/\(record.shard.count)` run")
        }
    }

    /// The cells and scenarios of every shard by name: each unit of the run exactly once.
    private static func unitsByName(_ shards: [ShardResults], order: [String]) throws(ConfigError) -> [String: CellResult] {
        var units: [String: CellResult] = [:]
        let expected = Set(order)
        for shard in shards {
            for unit in shard.results.matrix.cells + (shard.results.gate?.scenarios ?? []) {
                let name = ReportText.cellName(unit)
                guard expected.contains(name) else {
                    throw ConfigError("\(shard.folder): \(name) is not a unit of the run it says it is a shard of")
                }
                guard units[name] == nil else { throw ConfigError("\(shard.folder): \(name) is in another shard's results too") }
                units[name] = unit
            }
        }
        if let absent = order.first(where: { units[$0] == nil }) {
            throw ConfigError(
                "\(absent): in no shard's results.json (a shard stopped before it ran it, or a file was edited); run that shard again")
        }
        return units
    }

    /// The grid of the whole run: its rows and columns in the order the cells come in.
    private static func mergedMatrix(order cells: [CellResult], _ runs: [RunResults]) -> MatrixResult {
        var clients: [String] = []
        var gateways: [String] = []
        for cell in cells {
            if !clients.contains(cell.client) { clients.append(cell.client) }
            if !gateways.contains(cell.gateway) { gateways.append(cell.gateway) }
        }
        return MatrixResult(
            clients: clients, gateways: gateways, cells: cells, wallSeconds: runs.map(\.matrix.wallSeconds).max()!,
            jobs: runs.map(\.matrix.jobs).max()!)
    }

    /// Every shard of a gate ran the schema and golden-frame sections; they must agree.
    private static func checkSameSections(_ shards: [ShardResults]) throws(ConfigError) {
        guard let gate = shards[0].results.gate else { return }
        for shard in shards.dropFirst() {
            guard let other = shard.results.gate,
                ResultsJSON.schema(other.schema) == ResultsJSON.schema(gate.schema),
                ResultsJSON.golden(other.fixtures) == ResultsJSON.golden(gate.fixtures)
            else {
                throw ConfigError(
                    "\(shard.folder): its schema or golden-frame section differs from \(shards[0].folder)'s: "
                        + "the shards did not check the same schema and fixtures")
            }
        }
    }
}
