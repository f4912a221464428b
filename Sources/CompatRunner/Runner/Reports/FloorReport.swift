// What `compat matrix floor` measured: the matrix's wall times against the times to only start
// and stop the same peers, as text or JSON.

import Foundation
import MiniJSON

public struct FloorReport: Sendable {
    public var cells: Int
    public var checks: Int
    public var jobs: Int
    /// Whether the matrix's cells kept to a CPU each; the floor's peers never do (see `startStopFloor`).
    public var pinned: Bool
    /// Seconds of each measured run, in the order they ran (they alternate with the floor's).
    public var matrixSeconds: [Double]
    public var floorSeconds: [Double]

    public init(cells: Int, checks: Int, jobs: Int, pinned: Bool, matrixSeconds: [Double], floorSeconds: [Double]) {
        self.cells = cells
        self.pinned = pinned
        self.checks = checks
        self.jobs = jobs
        self.matrixSeconds = matrixSeconds
        self.floorSeconds = floorSeconds
    }

    public var matrixMedian: Double { matrixSeconds.upperMedian }
    public var floorMedian: Double { floorSeconds.upperMedian }
    public var ratio: Double { matrixMedian / floorMedian }

    public var text: String {
        func runs(_ values: [Double]) -> String { values.map { String(format: "%.3f", $0) }.joined(separator: " ") }
        return String(
            format: "%d cells, %d peer processes, %d checks, %d jobs%@, median of %d runs\n", cells, cells * 2, checks, jobs,
            pinned ? " (the matrix's cells pinned, a CPU each)" : "", matrixSeconds.count)
            + String(format: "matrix run:            %.3f s  (runs: %@)\n", matrixMedian, runs(matrixSeconds))
            + String(format: "start/stop floor:      %.3f s  (runs: %@)\n", floorMedian, runs(floorSeconds))
            + String(format: "ratio matrix / floor:  %.2f\n", ratio)
    }

    public var json: JSON {
        .object([
            "cells": .integer(cells), "peerProcesses": .integer(cells * 2), "checks": .integer(checks), "jobs": .integer(jobs),
            "pinned": .bool(pinned),
            "runs": .integer(matrixSeconds.count),
            "matrixSeconds": .object(["median": .double(matrixMedian), "runs": .array(matrixSeconds.map(JSON.double))]),
            "floorSeconds": .object(["median": .double(floorMedian), "runs": .array(floorSeconds.map(JSON.double))]),
            "ratio": .double(ratio),
        ])
    }
}

extension [Double] {
    /// The middle value, the upper of the two middle ones for an even count (the runs are odd by default).
    var upperMedian: Double { sorted()[count / 2] }
}
