// What results.json says about the run itself, beside its findings: which command, with which
// arguments, when, by which compat, and — for one shard of a split run — which part it ran and
// what the whole was, so `compat report merge` can tell that shards belong together.

import Foundation

public struct RunInfo: Sendable, Hashable {
    public var runId: RunID
    /// ISO-8601 UTC to the second, e.g. `2026-03-01T14:22:05Z`.
    public var startedAt: String
    /// The command whose results these are: `matrix run`, `pair`, `gate`, `fleet`, `upgrade`.
    public var command: String
    /// compat's command line after the program name (for a merge: the shards' common arguments).
    public var arguments: [String]
    public var compatVersion: String
    /// Set when the run was one shard of a split run.
    public var shard: ShardRecord?
    /// The commit, branch and machine (nil: not recorded, as in results.json written before it).
    /// For this process's own run it is found when first asked, so a run that writes no report
    /// starts no `git`.
    public var provenance: Provenance? {
        get { recordedProvenance ?? (isThisProcessRun ? Provenance.ofThisProcess : nil) }
        set { recordedProvenance = newValue }
    }
    private var recordedProvenance: Provenance?
    private var isThisProcessRun = false

    public init(
        runId: RunID = RunID(), startedAt: String = RunInfo.now(), command: String, arguments: [String],
        compatVersion: String = CompatVersion.current, shard: ShardRecord? = nil, provenance: Provenance? = nil
    ) {
        self.runId = runId
        self.startedAt = startedAt
        self.command = command
        self.arguments = arguments
        self.compatVersion = compatVersion
        self.shard = shard
        self.provenance = provenance
    }

    /// The run this process starts: its provenance is this process's, found when a report asks.
    public static func ofThisProcess(command: String, arguments: [String], shard: ShardRecord? = nil) -> RunInfo {
        var run = RunInfo(command: command, arguments: arguments, shard: shard)
        run.isThisProcessRun = true
        return run
    }

    /// The current time as `startedAt` writes it.
    public static func now() -> String {
        let utc = utcNow()
        return String(
            format: "%04ld-%02ld-%02ldT%02ld:%02ld:%02ldZ", Int(utc.tm_year) + 1900, Int(utc.tm_mon) + 1, Int(utc.tm_mday),
            Int(utc.tm_hour), Int(utc.tm_min), Int(utc.tm_sec))
    }
}

/// One shard's place in a split run, and what every shard of that run must agree on.
public struct ShardRecord: Sendable, Hashable {
    public var shard: Shard
    /// Every unit (cell, fleet, upgrade) of the unsharded run, in report order.
    public var units: [String]
    /// The matrix file's digest: shards of one run read the same file.
    public var matrixDigest: String
    /// The arguments without --shard, --report-dir and --jobs: shards of one run agree on the rest.
    public var arguments: [String]
    /// The run's knownFailures entries with a wildcard: whether one is stale is only known once
    /// every shard's checks are merged (a shard may hold only its passes).
    public var wildcardKnownFailures: [KnownFailure]

    public init(shard: Shard, units: [String], matrixDigest: String, arguments: [String], wildcardKnownFailures: [KnownFailure] = []) {
        self.shard = shard
        self.units = units
        self.matrixDigest = matrixDigest
        self.arguments = arguments
        self.wildcardKnownFailures = wildcardKnownFailures
    }

    /// The arguments that decide what a run checks: all but where its reports go, how many
    /// cells run at once and whether they are pinned, colour, and which shard it is.
    public static func configurationArguments(_ arguments: [String]) -> [String] {
        let droppedWithValue: Set<String> = ["--shard", "--report-dir", "--jobs"]
        var kept: [String] = []
        var skipNext = false
        for argument in arguments {
            if skipNext {
                skipNext = false
                continue
            }
            if droppedWithValue.contains(argument) {
                skipNext = true
                continue
            }
            if ["--color", "--no-color", "--pin", "--no-pin"].contains(argument)
                || droppedWithValue.contains(where: { argument.hasPrefix($0 + "=") })
            {
                continue
            }
            kept.append(argument)
        }
        return kept
    }

    /// `fnv1a64:` and 16 hex digits of the file's bytes: enough to tell two matrix files apart,
    /// not a defence against someone forging one.
    public static func digest(ofFile path: String) throws(ConfigError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw ConfigError("\(path): cannot read the matrix file") }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return "fnv1a64:" + String(format: "%016llx", hash)
    }
}
