// `compat known --from results.json`: a run's failing checks as knownFailures entries, so that a
// release's known findings are recorded from the run that found them, not written by hand.

import Foundation
import MiniJSON

public enum KnownFailureRecorder {
    /// What a run's results give: an entry for each failing check, and the cells no entry can
    /// stand for (a peer crashed or stopped answering: a cell's problem, not a check's; skips a
    /// peer's older contract caused, which acceptedSkips accepts instead).
    public struct Recording: Sendable {
        public var entries: [KnownFailure] = []
        public var unrecordable: [String] = []
    }

    /// The longest part of a failure's message a default reason quotes.
    static let quotedMessage = 200

    /// One entry per failed check of every cell, by the part of its name after the cell, with
    /// `reason` or, without one, the run id and the failure's message (to be edited into a why).
    public static func record(_ results: RunResults, reason: String?) -> Recording {
        var recording = Recording()
        for cell in results.matrix.cells {
            let prefix = CheckName.cellPrefix(client: cell.client, gateway: cell.gateway)
            let failed = cell.checks.filter { $0.status == .failed }
            if failed.isEmpty, [.crash, .timeout].contains(cell.state) {
                recording.unrecordable.append("\(ReportText.cellName(cell)) \(cell.state.rawValue): \(cell.problem ?? "")")
            }
            let skipped = cell.checks.filter(\.isUnacceptedSkip).count
            if skipped > 0 {
                recording.unrecordable.append(
                    "\(ReportText.cellName(cell)) \(cell.state.rawValue): \(ReportText.plural(skipped, "check", "checks")) skipped for a peer's older contract; "
                        + "matrix.json's acceptedSkips accepts that, with the peer and a reason (README: acceptedSkips)")
            }
            for check in failed {
                let message = (check.failure?.message ?? "failed").prefix(quotedMessage)
                recording.entries.append(
                    KnownFailure(
                        client: cell.client, gateway: cell.gateway,
                        check: check.name.hasPrefix(prefix) ? String(check.name.dropFirst(prefix.count)) : check.name,
                        reason: reason ?? "found in run \(results.run.runId): \(message)"))
            }
        }
        return recording
    }

    /// The entries as matrix.json holds them.
    public static func json(_ entries: [KnownFailure]) -> JSON {
        .array(entries.map(json))
    }

    static func json(_ entry: KnownFailure) -> JSON {
        [
            "client": .string(entry.client), "gateway": .string(entry.gateway), "check": .string(entry.check),
            "reason": .string(entry.reason),
        ]
    }

    /// Adds the entries the matrix file at `path` does not list yet (same client, gateway and
    /// check) to its knownFailures, in one rename; the file must still load. Returns how many
    /// were added and how many it listed already.
    public static func add(_ entries: [KnownFailure], toMatrixFile path: String) throws(ConfigError) -> (added: Int, present: Int) {
        guard let data = FileManager.default.contents(atPath: path), case .object(var root)? = try? JSON.parse(Array(data)) else {
            throw ConfigError("\(path): cannot read it as a matrix file (use --matrix FILE)")
        }
        var listed = root["knownFailures"]?.arrayValue ?? []
        let present = Set(listed.map { [$0["client"]?.stringValue, $0["gateway"]?.stringValue, $0["check"]?.stringValue] })
        let new = entries.filter { !present.contains([$0.client, $0.gateway, $0.check]) }
        listed += new.map(json)
        root["knownFailures"] = .array(listed)
        let staging = path + ".compat-known-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: staging) }
        do {
            try (JSON.object(root).serialized(pretty: true) + "\n").write(toFile: staging, atomically: false, encoding: .utf8)
        } catch {
            throw ConfigError("\(path): cannot write beside it: \(error.localizedDescription)")
        }
        // What is written must load as the file did, knownFailures and all.
        do {
            _ = try MatrixConfig.load(path: staging)
        } catch {
            throw ConfigError(error.message.replacingOccurrences(of: staging, with: path) + " (the file was left as it was)")
        }
        guard rename(staging, path) == 0 else { throw ConfigError("\(path): cannot replace it: \(String(cString: strerror(errno)))") }
        return (new.count, entries.count - new.count)
    }
}
