// The one report of a run that SIGINT, SIGTERM or SIGHUP may cut short (`matrix run`, `gate`):
// either the whole run's, written by the command, or — on an interrupt — the units that had
// finished with the rest NOT RUN. Whichever comes first is written; the other is not, and an
// interrupt that comes while the whole run is being reported waits for it.

import CompatRunner
import Synchronization

final class InterruptibleReport: Sendable {
    private let finished = Mutex<[CellResult]>([])
    private let reported = Mutex(false)

    /// `partial` reports the units that finished (the rest NOT RUN); it runs on an interrupt,
    /// on the signal thread, after every peer is stopped — unless the run was reported already.
    init(partial: @escaping @Sendable (_ finished: [CellResult]) -> Void) {
        InterruptActions.shared.set { [self] _ in
            report { partial(finished.withLock { $0 }) }
        }
    }

    /// A cell, fleet or upgrade that ended. One the interrupt cut short is NOT RUN and not kept.
    func ended(_ result: CellResult) {
        guard result.state != .notRun else { return }
        finished.withLock { $0.append(result) }
    }

    /// Reports the run, unless it was reported already.
    func report(_ body: () throws -> Void) rethrows {
        try reported.withLock { done in
            guard !done else { return }
            try body()
            done = true
        }
    }
}
