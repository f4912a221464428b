// When a benchmark's figures are doubtful: the raw ZeroMQ baseline varied too much from run to
// run, or other processes took a share of the machine while it ran. Both are said in the table,
// in the JSON and in the history's `warnings` column; neither stops the benchmark.

import Foundation

/// How busy the machine was while one pair was measured: every CPU's busy time (from
/// /proc/stat), the part of it the benchmark's own processes used, and the wall time.
public struct BenchLoad: Sendable, Equatable {
    /// Busy CPU seconds of the whole machine (all cores) over the benchmark.
    public var machineBusySeconds: Double
    /// CPU seconds of the client, the gateway and compat itself over the same time.
    public var ownSeconds: Double
    public var wallSeconds: Double
    public var cores: Int

    public init(machineBusySeconds: Double, ownSeconds: Double, wallSeconds: Double, cores: Int) {
        self.machineBusySeconds = machineBusySeconds
        self.ownSeconds = ownSeconds
        self.wallSeconds = wallSeconds
        self.cores = cores
    }

    /// The share of the machine's capacity (wall time × cores) other processes used, 0 to 1.
    public var otherShare: Double {
        guard wallSeconds > 0, cores > 0 else { return 0 }
        return min(1, max(0, machineBusySeconds - ownSeconds) / (wallSeconds * Double(cores)))
    }

    /// Busy seconds of all CPUs so far (user, nice, system, irq, softirq, steal: all but idle
    /// and iowait), from /proc/stat's first line; nil where there is no /proc.
    public static func machineBusySeconds() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8), let line = stat.split(separator: "\n").first,
            line.hasPrefix("cpu ")
        else { return nil }
        let ticks = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard ticks.count >= 8 else { return nil }
        // user nice system idle iowait irq softirq steal (guest time is already in user).
        let busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6] + ticks[7]
        return busy / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// CPU seconds (user and system) this process has used so far.
    public static func ownProcessSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}

public enum BenchWarnings {
    /// The raw baseline is unstable when its p50 or its throughput varies by more than this
    /// share of its median across --runs ((highest − lowest) / median).
    public static let baselineSpreadBound = 0.25
    /// The machine is loaded when other processes used more than this share of its capacity.
    public static let otherLoadBound = 0.20

    /// A warning when the baseline's own p50 or throughput spread is over the bound.
    public static func unstableBaseline(_ raw: BenchSeries) -> String? {
        unstableBaseline(p50Spread: raw.spread.first ?? 0, throughputSpread: raw.spread.count > 5 ? raw.spread[5] : 0)
    }

    /// The same, from the spreads (each (highest − lowest) / median).
    public static func unstableBaseline(p50Spread: Double, throughputSpread: Double) -> String? {
        let over = [("p50", p50Spread), ("throughput", throughputSpread)].filter { $0.1 > baselineSpreadBound }
        guard !over.isEmpty else { return nil }
        let what = over.map { "\($0.0) varies \(percent($0.1))" }.joined(separator: ", ")
        return "raw baseline unstable: its \(what) across runs (bound \(percent(baselineSpreadBound)))"
    }

    /// A warning when other processes took more than the bound of the machine while it ran.
    public static func loadedMachine(_ load: BenchLoad) -> String? {
        let share = load.otherShare
        guard share > otherLoadBound else { return nil }
        return
            "machine loaded: other processes used \(percent(share)) of its \(load.cores) core\(load.cores == 1 ? "" : "s") over \(String(format: "%.1f", load.wallSeconds)) s (bound \(percent(otherLoadBound)))"
    }

    static func percent(_ share: Double) -> String { String(format: "%.0f%%", share * 100) }
}
