// What the reports of an interrupted run say of the units it did not run: a matrix counts
// cells; a gate counts its cells, fleets and upgrades together, and says so.

/// The units a run's results hold: a matrix's cells, or a gate's cells, fleets and upgrades.
enum RunUnits {
    case cells
    case gateUnits

    /// "the run was interrupted: 1 cell of 2 not run", "the run was interrupted: 3 of its 6 cells, fleets and upgrades not run".
    func interruptedMessage(notRun: Int, total: Int) -> String {
        switch self {
        case .cells: "the run was interrupted: " + ReportText.plural(notRun, "cell", "cells") + " of \(total) not run"
        case .gateUnits: "the run was interrupted: \(notRun) of its \(total) cells, fleets and upgrades not run"
        }
    }
}
