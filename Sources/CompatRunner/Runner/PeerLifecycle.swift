// One run of peers start to finish, as a matrix cell and a fleet (or upgrade) share it: nothing
// starts once the runner is interrupted; the peers work in a private folder; every child is
// reaped whatever happened, and what left their groups is ended too; the state follows from how
// the run ended and what its checks found; the folder is kept only when the result is not as
// expected. What differs between them is passed in: which peers start (an upgrade starts one
// mid-run), how the checks run, how they are judged, and how the result is named.

import Foundation
import TGP

struct PeerLifecycle {
    /// How the peers still running are ended once the run stopped early.
    enum Reaping {
        /// Every one is killed: a fleet's clients are of no use once it stopped.
        case killAll
        /// The one that stopped answering is killed; the others still answer, so they are let go
        /// by closing their stdin (they exit, P1) and killed only if they do not. One the runner
        /// kills is reported as such, so that it is not taken for the one that timed out (a cell).
        case spareThoseStillAnswering
    }

    /// The deadline and the reported seconds run from here.
    let started = ContinuousClock.now
    let commandTimeout: Duration
    /// The longest a whole run may take (the matrix's pair timeout).
    let runTimeout: Duration
    let transport: Transport
    /// Where the private folder is made (nil: TemporaryRoot's default).
    let temporaryRoot: String?
    let reaping: Reaping
    /// Where the run's capture goes besides a kept folder.
    let capture: CaptureSettings
    /// Each peer's share of the stdout the runner may hold, from how many run at once.
    let stdoutBudget: StdoutBudget

    init(
        config: MatrixConfig, temporaryRoot: String?, reaping: Reaping, captureFolder: String? = nil,
        stdoutBudget: StdoutBudget = .alone
    ) {
        self.commandTimeout = config.commandTimeout
        self.runTimeout = config.pairTimeout
        self.transport = config.transport
        self.temporaryRoot = temporaryRoot
        self.reaping = reaping
        self.stdoutBudget = stdoutBudget
        self.capture = CaptureSettings(folder: captureFolder, dissector: CaptureSettings.dissectorName(schemaPath: config.schemaPath))
    }

    /// Runs a scenario: `start` starts its peers in the private folder and says how to run its
    /// checks. `named` is the result as the scenario names it; the lifecycle fills in how it went.
    /// `folderPrefix` names the folder so a kept one can be found; `whenNothingFailed` is the
    /// state of a run none of whose checks failed.
    func run(
        _ named: CellResult, folderPrefix: String, whenNothingFailed: CellState = .pass,
        start: (RunningPeers) throws(SpawnError) -> ScenarioRun
    ) -> CellResult {
        // Once interrupted, nothing starts, and a run that was going is not run, not a crash.
        guard !ProcessRegistry.shared.isClosed else { return interrupted(named) }
        let folder: String
        do {
            folder = try makeCellFolder(prefix: folderPrefix, in: temporaryRoot)
        } catch {
            var result = named
            result.state = .crash
            result.problem = "\(error)"
            return result
        }
        CellFolders.shared.started(folder)
        defer { CellFolders.shared.ended(folder) }
        return run(named, in: folder, whenNothingFailed: whenNothingFailed, start: start)
    }

    /// Starts, runs and reaps the peers in `folder`, and judges what they did.
    private func run(
        _ named: CellResult, in folder: String, whenNothingFailed: CellState, start: (RunningPeers) throws(SpawnError) -> ScenarioRun
    ) -> CellResult {
        var timeline = [mark("folder made")]
        let peers = RunningPeers(
            folder: folder, commandTimeout: commandTimeout, deadline: started + runTimeout, stdoutBudget: stdoutBudget,
            endpoint: transport == .ipc ? "ipc://\(folder)/gateway.sock" : "tcp://127.0.0.1:*")
        let ending = execute(start, with: peers, timeline: &timeline)
        var result = named
        result.peers = reap(peers.started, after: ending.abort)
        timeline.append(mark("peers reaped"))
        // What left the peers' groups (setsid) is this process's now that they are gone: ended too.
        ProcessRegistry.shared.endOrphans()
        timeline.append(mark("orphans swept"))
        result.checks = ending.run?.checks(ending.abort) ?? []
        (result.state, result.problem) = verdict(ending, checks: result.checks, whenNothingFailed: whenNothingFailed)
        if ProcessRegistry.shared.isClosed { result = interrupted(result) }
        result.keptDirectory = settleFolder(folder, keep: result.state != .notRun && !isExpected(result))
        if let failure = capture.write(peers.wire, for: result) {
            result.problem = [result.problem, "the capture could not be written: \(failure)"].compactMap { $0 }.joined(separator: "; ")
        }
        timeline.append(mark("folder settled"))
        result.timeline = timeline
        result.seconds = (ContinuousClock.now - started).seconds
        return result
    }

    private func mark(_ phase: String) -> TimelineMark { TimelineMark(phase: phase, seconds: (ContinuousClock.now - started).seconds) }

    /// How the peers' part ended: a peer that could not start, or a run its checks stopped early.
    private struct Ending {
        var run: ScenarioRun?
        var spawnFailure: SpawnError?
        var abort: CellAbort?
    }

    private func execute(
        _ start: (RunningPeers) throws(SpawnError) -> ScenarioRun, with peers: RunningPeers, timeline: inout [TimelineMark]
    ) -> Ending {
        let run: ScenarioRun
        do {
            run = try start(peers)
        } catch {
            return Ending(spawnFailure: error)
        }
        timeline.append(mark("peers started"))
        defer { timeline.append(mark("checks run")) }
        do {
            try run.execute()
        } catch {
            return Ending(run: run, abort: error)
        }
        return Ending(run: run)
    }

    /// Every child reaped, in the order they started. After a clean end they have exited (each is
    /// given a moment); after an early stop, `reaping` says which are killed at once.
    private func reap(_ handles: [PeerHandle], after abort: CellAbort?) -> [PeerOutcome] {
        handles.map { handle in
            defer { handle.endTranscript() }
            let termination =
                handle.process.termination
                ?? (reaping.letsGo(handle.label, after: abort) ? handle.process.finish(grace: .milliseconds(500)) : handle.process.kill())
            return PeerOutcome(
                role: handle.role.rawValue, name: handle.label.name, argv: handle.spec.resolvedArgv + ["--role", handle.role.rawValue],
                termination: reaping.shown(termination, of: handle.label, after: abort), stderrTail: handle.process.stderrTail())
        }
    }

    /// How the run stopped, when it stopped early; otherwise what its checks found.
    private func verdict(_ ending: Ending, checks: [CheckResult], whenNothingFailed: CellState) -> (CellState, String?) {
        if let abort = ending.abort { return (abort.cellState, abort.problem) }
        if let failure = ending.spawnFailure { return (.crash, "\(failure)") }
        if checks.contains(where: { $0.status == .failed }) { return (.fail, nil) }
        if checks.contains(where: \.isUnacceptedSkip) { return (.partial, nil) }
        if checks.contains(where: { $0.status == .knownFailure }) { return (.known, nil) }
        return (whenNothingFailed, nil)
    }

    /// A stale known-failure entry makes an otherwise expected result worth a look too.
    private func isExpected(_ result: CellResult) -> Bool {
        result.state.isExpected && !result.checks.contains { $0.status == .stalePass }
    }

    /// Once the peers are gone: the folder when it is worth keeping, without the ipc socket
    /// files, which are dead and would only mislead; otherwise the folder is removed and nil.
    private func settleFolder(_ folder: String, keep: Bool) -> String? {
        guard keep else {
            try? FileManager.default.removeItem(atPath: folder)
            return nil
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasSuffix(".sock") {
            try? FileManager.default.removeItem(atPath: "\(folder)/\(name)")
        }
        return folder
    }

    private func interrupted(_ result: CellResult) -> CellResult {
        var result = result
        result.state = .notRun
        result.problem = "interrupted before it finished"
        return result
    }
}

extension PeerLifecycle.Reaping {
    /// Whether `peer`, still running after the run ended, is given a moment to exit rather than killed.
    func letsGo(_ peer: PeerLabel, after abort: CellAbort?) -> Bool {
        guard let abort else { return true }
        guard self == .spareThoseStillAnswering, let stopped = Self.stoppedAnswering(abort) else { return false }
        return stopped != peer
    }

    /// How a peer's end is reported.
    func shown(_ termination: Termination, of peer: PeerLabel, after abort: CellAbort?) -> String {
        guard self == .spareThoseStillAnswering, termination == .killedAfterTimeout,
            abort.flatMap(Self.stoppedAnswering) != peer
        else { return termination.description }
        return "killed by the runner when the cell stopped"
    }

    private static func stoppedAnswering(_ abort: CellAbort) -> PeerLabel? {
        if case .timeout(let peer, _) = abort { peer } else { nil }
    }
}

/// A scenario's peers once started: how to run its checks and what they came to.
struct ScenarioRun {
    /// Runs every check; a CellAbort stops the run early.
    let execute: () throws(CellAbort) -> Void
    /// Every check's result once the peers are reaped, given what stopped the run early, if anything.
    let checks: (CellAbort?) -> [CheckResult]
}

/// The peers of one run as they start, and what they need to work together. A reference: a peer
/// started mid-run (an upgrade's new gateway) is reaped with the others.
final class RunningPeers {
    /// The run's private folder: peers' logs, transcripts and ipc socket.
    let folder: String
    let commandTimeout: Duration
    /// Everything must end by then.
    let deadline: ContinuousClock.Instant
    /// Where the gateway is told to listen: a socket in the folder, or any loopback port.
    let endpoint: String
    /// Every peer started, in order.
    private(set) var started: [PeerHandle] = []
    /// The frames the clients report, for the run's capture.
    let wire = WireRecorder()
    /// Each peer's share of the stdout the runner may hold.
    let stdoutBudget: StdoutBudget

    init(folder: String, commandTimeout: Duration, deadline: ContinuousClock.Instant, stdoutBudget: StdoutBudget, endpoint: String) {
        self.folder = folder
        self.stdoutBudget = stdoutBudget
        self.commandTimeout = commandTimeout
        self.deadline = deadline
        self.endpoint = endpoint
    }

    /// Starts a peer; its stderr and transcript go to `files`.stderr and `files`.transcript in the folder.
    func start(_ spec: PeerSpec, as role: Role, label: String? = nil, files: String) throws(SpawnError) -> PeerHandle {
        let handle = try PeerHandle(
            spec: spec, role: role, stderrPath: "\(folder)/\(files).stderr", transcriptPath: "\(folder)/\(files).transcript",
            label: label, stdoutBudget: stdoutBudget)
        handle.wire = WireTap(
            recorder: wire, stream: role == .client ? wire.nextStream(client: "\(handle.label.name), version \(spec.version)") : nil)
        started.append(handle)
        return handle
    }
}
