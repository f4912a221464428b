// Ctrl-C and SIGTERM: every peer process group is killed before the runner exits, so
// nothing is left running. Signals are taken by one thread with sigwait(2), not in a handler.

import Foundation
import Synchronization

/// Blocks SIGINT and SIGTERM in this thread (and so in every thread started after it) and
/// starts a thread that waits for them: it kills every registered process group, lets
/// `cleanUp` run, and exits with 128 + the signal (130 for SIGINT, 143 for SIGTERM).
/// Call before any other thread starts. Children get a clean signal mask from PeerProcess.
public func handleInterrupts(cleanUp: @escaping @Sendable (Int32) -> Void = { _ in }) {
    var signals = sigset_t()
    sigemptyset(&signals)
    sigaddset(&signals, SIGINT)
    sigaddset(&signals, SIGTERM)
    pthread_sigmask(SIG_BLOCK, &signals, nil)
    let waited = signals
    Thread.detachNewThread {
        var set = waited
        var signal: Int32 = 0
        guard sigwait(&set, &signal) == 0 else { return }
        _ = ProcessRegistry.shared.killAll()
        // Reap them too (for up to a second), so none is left as a zombie.
        let deadline = ContinuousClock.now + .seconds(1)
        while ContinuousClock.now < deadline {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid < 0 { break }
            if pid == 0 { usleep(1000) }
        }
        // The folders of cells still running hold nothing worth keeping once their peers are killed.
        for folder in CellFolders.shared.inProgress() { try? FileManager.default.removeItem(atPath: folder) }
        cleanUp(signal)
        InterruptActions.shared.run(signal)
        exit(128 + signal)
    }
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
    while ProcessRegistry.shared.isClosed { pause() }
}
