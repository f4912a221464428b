// `[12/25] 2 failing · 3.4 s` on the terminal while cells run: redrawn in place (carriage return,
// erase line) when a cell ends and ten times a second for the clock, erased before the grid
// prints. The command shows it only when stderr is a terminal; a pipe gets none of it.

import Foundation
import Synchronization

public final class ProgressLine: Sendable {
    private struct Counts {
        var done = 0
        var failing = 0
        var ended = false
    }

    private let total: Int
    private let started = ContinuousClock.now
    private let counts = Mutex(Counts())
    private let write: @Sendable (String) -> Void
    private let stopTicking = DispatchSemaphore(value: 0)
    private let tickerStopped = DispatchSemaphore(value: 0)

    /// The line on screen now, so that an interrupt can take it off before it prints.
    private static let current = Mutex<ProgressLine?>(nil)

    /// Shows the line for `total` cells at once, through `write` (the command's stderr).
    public static func start(total: Int, write: @escaping @Sendable (String) -> Void) -> ProgressLine {
        let line = ProgressLine(total: total, write: write)
        current.withLock { $0 = line }
        line.redraw()
        // Its own thread: the clock must move while every worker waits on its peers.
        Thread.detachNewThread {
            while line.stopTicking.wait(timeout: .now() + .milliseconds(100)) == .timedOut { line.redraw() }
            line.tickerStopped.signal()
        }
        return line
    }

    /// Erases the line on screen, if there is one (for the interrupt's message and partial grid).
    public static func endCurrent() {
        current.withLock { $0 }?.end()
    }

    private init(total: Int, write: @escaping @Sendable (String) -> Void) {
        self.total = total
        self.write = write
    }

    /// Counts a cell (or fleet, or upgrade) that ended, and redraws.
    public func ended(_ cell: CellResult) {
        let failed = !cell.state.isExpected && cell.state != .notRun
        counts.withLock { counts in
            guard !counts.ended else { return }
            counts.done += 1
            if failed { counts.failing += 1 }
            write(Self.redrawn(Self.text(done: counts.done, total: total, failing: counts.failing, seconds: elapsed)))
        }
    }

    /// Stops the clock and erases the line; what is printed next starts at the line's beginning.
    public func end() {
        let first = counts.withLock { counts in
            guard !counts.ended else { return false }
            counts.ended = true
            write(Self.erase)
            return true
        }
        guard first else { return }
        stopTicking.signal()
        tickerStopped.wait()
        Self.current.withLock { if $0 === self { $0 = nil } }
    }

    private func redraw() {
        counts.withLock { counts in
            guard !counts.ended else { return }
            write(Self.redrawn(Self.text(done: counts.done, total: total, failing: counts.failing, seconds: elapsed)))
        }
    }

    private var elapsed: Double { (ContinuousClock.now - started).seconds }

    /// `[12/25] 2 failing · 3.4 s`
    public static func text(done: Int, total: Int, failing: Int, seconds: Double) -> String {
        "[\(done)/\(total)] \(failing) failing · " + String(format: "%.1f s", seconds)
    }

    /// Back to the start of the line and erase it (ECMA-48 CR, EL).
    static let erase = "\r\u{1B}[K"

    private static func redrawn(_ text: String) -> String { erase + text }
}
