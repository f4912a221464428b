// The id of one run, written into every report file it leaves: files that carry the same id
// come from the same run.

import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

public struct RunID: Sendable, Hashable, CustomStringConvertible {
    public let value: String

    /// A new id: the UTC second the run started and 32 random bits, e.g. `20260301T142205Z-3f09c2aa`.
    /// The time sorts runs; the random part tells apart runs started in the same second.
    public init() {
        let utc = utcNow()
        value = String(
            format: "%04ld%02ld%02ldT%02ld%02ld%02ldZ-%08x", Int(utc.tm_year) + 1900, Int(utc.tm_mon) + 1, Int(utc.tm_mday),
            Int(utc.tm_hour), Int(utc.tm_min), Int(utc.tm_sec), UInt32.random(in: .min ... .max))
    }

    init(_ value: String) {
        self.value = value
    }

    public var description: String { value }

    /// The last line of a summary.md.
    var summaryLine: String { "run id: `\(value)`" }
}

/// The current UTC time, broken down: what run ids and `startedAt` are written from (without
/// Foundation's date formatters, whose time-zone tables cost a run a millisecond to load).
func utcNow() -> tm {
    var now = time(nil)
    var utc = tm()
    gmtime_r(&now, &utc)
    return utc
}
