// Ctrl-C, SIGTERM and SIGHUP (a dropped terminal or ssh session): every peer process group
// and every child left is killed before the runner exits, so nothing is left running.
// Signals are taken by one thread with sigwait(2), not in a handler; the command's own thread
// exits through the same gate, so that an interrupt, whenever it comes, decides the status.

import Foundation
import Synchronization

/// Blocks SIGINT, SIGTERM and SIGHUP in this thread (and so in every thread started after it)
/// and starts a thread that waits for them: it kills every registered process group and every
/// child left, lets `cleanUp` run, then the command's `InterruptActions`, and exits with
/// 128 + the signal (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP) — unless the command
/// had already written everything and was exiting (`ExitGate`).
/// Call before any other thread starts. Children get a clean signal mask from PeerProcess.
public func handleInterrupts(cleanUp: @escaping @Sendable (Int32) -> Void = { _ in }) {
    var signals = sigset_t()
    sigemptyset(&signals)
    for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&signals, signal) }
    pthread_sigmask(SIG_BLOCK, &signals, nil)
    let waited = signals
    Thread.detachNewThread {
        var set = waited
        var signal: Int32 = 0
        guard sigwait(&set, &signal) == 0, ExitGate.shared.interrupt() else { return }
        // Reaps them too (for up to a second), so none is left, not even as a zombie.
        ProcessRegistry.shared.endEveryChild(within: .seconds(1))
        // The folders of cells still running hold nothing worth keeping once their peers are killed.
        for folder in CellFolders.shared.inProgress() { try? FileManager.default.removeItem(atPath: folder) }
        cleanUp(signal)
        InterruptActions.shared.run(signal)
        exit(128 + signal)
    }
}

/// Who ends the process: the command's thread once it is done, or the signal thread after an
/// interrupt — never both. An interrupt that comes before the command has finished wins.
public final class ExitGate: Sendable {
    public static let shared = ExitGate()
    private let state = Mutex<(interrupted: Bool, exiting: Bool)>((false, false))

    /// For the signal thread: false when the command had already finished and is exiting.
    func interrupt() -> Bool {
        state.withLock { s in
            guard !s.exiting else { return false }
            s.interrupted = true
            return true
        }
    }

    /// Whether an interrupt has come.
    public var isInterrupted: Bool { state.withLock { $0.interrupted } }

    /// For the command's thread, once it has written everything: ends every child left and exits
    /// with `code` — unless an interrupt came first, whose thread then reports and exits instead.
    public func exit(_ code: Int32) -> Never {
        let proceed = state.withLock { s in
            if !s.interrupted { s.exiting = true }
            return s.exiting
        }
        guard proceed else { park() }
        ProcessRegistry.shared.endEveryChild(within: .seconds(1))
        Foundation.exit(code)
    }
}

/// Waits for the signal thread to exit the process.
private func park() -> Never {
    while true { pause() }
}

/// The private folders of the cells that are running now.
final class CellFolders: Sendable {
    static let shared = CellFolders()
    private let folders = Mutex<Set<String>>([])

    func started(_ folder: String) { folders.withLock { _ = $0.insert(folder) } }
    func ended(_ folder: String) { folders.withLock { _ = $0.remove(folder) } }
    func inProgress() -> [String] { folders.withLock { Array($0) } }
}

/// What a command wants done when it is interrupted, after its peers are stopped and
/// before the process exits (e.g. write the reports of the cells that finished).
public final class InterruptActions: Sendable {
    public static let shared = InterruptActions()
    private let action = Mutex<(@Sendable (Int32) -> Void)?>(nil)

    public func set(_ newAction: @escaping @Sendable (Int32) -> Void) { action.withLock { $0 = newAction } }
    func run(_ signal: Int32) { action.withLock { $0 }?(signal) }
}

/// After an interrupt the signal thread reports and exits the process: the command's own
/// thread must not race it with reports of its own, so it waits here for that exit.
public func parkIfInterrupted() {
    if ExitGate.shared.isInterrupted { park() }
}
