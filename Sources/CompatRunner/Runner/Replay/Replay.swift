// `compat replay`: a capture's client sessions played into a fresh candidate gateway and its
// answers compared with a reference. Without a baseline the reference is the capture itself;
// with one, as Diffy does it, the baseline is replayed twice: what differs between those two
// runs is noise, and a candidate difference on the same field is counted as noise, not reported.

import Foundation
import SchemaXML

public struct ReplayReport: Sendable {
    public var capture: String
    public var candidate: String
    /// "the capture" or "baseline v4 (2 runs)".
    public var reference: String
    public var requests = 0
    public var sessions = 0
    /// Frames the gateway sent on the runner's command in the capture: not answers, left out.
    public var commandedLeftOut = 0
    public var differences: [ReplayDifference] = []
    /// Differences also seen between the two baseline runs, by `Message.field`.
    public var noise: [String: Int] = [:]
    public var tally = ReplayTally()
    /// A gateway run that did not end cleanly (crash, timeout, contract breach).
    public var gatewayProblems: [String] = []

    public var findings: [ReplayDifference] { differences.filter { $0.kind != .predicted } }
    public var predicted: [ReplayDifference] { differences.filter { $0.kind == .predicted } }
    public var passed: Bool { findings.isEmpty && gatewayProblems.isEmpty }
}

public enum Replay {
    public struct Options: Sendable {
        public var masks: ReplayMasks
        public var answerWait: Duration = .seconds(1)
        public var temporaryRoot: String?

        public init(masks: ReplayMasks) {
            self.masks = masks
        }
    }

    /// Replays the capture at `path` into `candidate` (and `baseline` twice, when given).
    public static func run(
        capture path: String, config: MatrixConfig, candidate: PeerSpec, baseline: PeerSpec?, options: Options
    ) throws(ConfigError) -> ReplayReport {
        let capture: Capture
        do {
            capture = try CaptureReader.read(path: path)
        } catch {
            throw ConfigError("\(error)")
        }
        try checkProtocol(capture, config: config, path: path)
        let script = ReplayScript(capture)
        guard !script.steps.isEmpty else { throw ConfigError("\(path): the capture has no client request to replay") }
        var runner = ReplayRunner(config: config)
        runner.answerWait = options.answerWait
        runner.temporaryRoot = options.temporaryRoot
        var report = ReplayReport(
            capture: path, candidate: "\(candidate.name) (version \(candidate.version))",
            reference: baseline.map { "baseline \($0.name) (version \($0.version), 2 runs)" } ?? "the capture")
        report.requests = script.steps.count
        report.sessions = script.streams.count
        report.commandedLeftOut = script.commanded

        let candidateRun = try replay(script, into: candidate, as: "candidate", runner: runner, report: &report)
        let comparison = ReplayComparison(
            schema: config.schema, profile: config.profile, masks: options.masks, script: script, candidateRange: candidateRun.gatewayRange,
            candidateVersion: candidateRun.gatewayVersion)
        guard let baseline else {
            var (differences, tally) = comparison.compare(reference: script.recorded, candidate: candidateRun.answers)
            differences += comparison.compareReadings(
                reference: script.steps.map(\.reading), candidate: candidateRun.readings, tally: &tally)
            (report.differences, report.tally) = (comparison.foldAfterRefusals(differences), tally)
            return report
        }
        let first = try replay(script, into: baseline, as: "baseline run 1", runner: runner, report: &report)
        let second = try replay(script, into: baseline, as: "baseline run 2", runner: runner, report: &report)
        var ignoredTally = ReplayTally()
        let baselineDifferences =
            comparison.compare(reference: first.answers, candidate: second.answers).0
            + comparison.compareReadings(reference: first.readings, candidate: second.readings, tally: &ignoredTally)
        let noiseKeys = Set(baselineDifferences.filter { $0.kind != .predicted }.map(\.noiseKey))
        var (differences, tally) = comparison.compare(reference: first.answers, candidate: candidateRun.answers)
        differences += comparison.compareReadings(reference: first.readings, candidate: candidateRun.readings, tally: &tally)
        report.tally = tally
        for difference in comparison.foldAfterRefusals(differences) {
            if difference.kind != .predicted, noiseKeys.contains(difference.noiseKey) {
                report.noise[difference.noiseKey, default: 0] += 1
            } else {
                report.differences.append(difference)
            }
        }
        return report
    }

    private static func replay(
        _ script: ReplayScript, into gateway: PeerSpec, as label: String, runner: ReplayRunner, report: inout ReplayReport
    ) throws(ConfigError) -> ReplayRunner.Outcome {
        let outcome = runner.run(script, gateway: gateway, role: label)
        if let problem = outcome.environmentProblem { throw ConfigError("replaying into \(gateway.name) (\(label)): \(problem)") }
        if outcome.run.state != .pass {
            var line = "\(label) \(gateway.name): \(outcome.run.state.rawValue)"
            if let problem = outcome.run.problem { line += " — \(problem)" }
            if let kept = outcome.run.keptDirectory { line += " (its stderr and transcript: \(kept))" }
            report.gatewayProblems.append(line)
        }
        return outcome
    }

    /// A capture tagged for another protocol's dissector is not this matrix's.
    private static func checkProtocol(_ capture: Capture, config: MatrixConfig, path: String) throws(ConfigError) {
        let expected = CaptureSettings.dissectorName(schemaPath: config.schemaPath)
        if let dissector = capture.dissector, dissector != expected {
            throw ConfigError(
                "\(path): the capture's packets are for the dissector \"\(dissector)\", and this matrix's protocol is \"\(expected)\" (give --matrix of that protocol)"
            )
        }
    }
}
