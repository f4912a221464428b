// The axes of bench.html's percentile plot: round ticks whatever the latencies.

import Foundation
import Testing

@testable import CompatRunner

@Suite("bench.html axes")
struct BenchPlotTests {
    @Test(
        "the latency axis: from 0 past the maximum, in steps of 1, 2 or 5 times a power of ten, four to ten of them",
        arguments: [0.004, 0.7, 1, 3.2, 9.99, 10, 17, 42.5, 99, 100, 101, 263.9, 999, 1234.5, 48_000, 7_654_321])
    func latencyTicks(maximum: Double) {
        let ticks = BenchReport.latencyTicks(upTo: maximum)
        let step = ticks[1]
        let mantissa = step / pow(10, floor(log10(step)))
        #expect([1, 2, 5].contains { abs(mantissa - $0) < 1e-9 }, "\(maximum): step \(step)")
        #expect(ticks.first == 0 && ticks.last! >= maximum && ticks.dropLast().last! < maximum, "\(maximum): \(ticks)")
        #expect((4...10).contains(ticks.count - 1), "\(maximum): \(ticks)")
        for (index, tick) in ticks.enumerated() {
            let label = BenchReport.tickLabel(tick)
            #expect(abs((Double(label) ?? -1) - Double(index) * step) <= step * 1e-9, "\(maximum): tick \(index) labelled \(label)")
        }
    }

    @Test("tick labels carry no float noise")
    func labels() {
        #expect(BenchReport.tickLabel(0.1 + 0.2) == "0.3")
        #expect(BenchReport.tickLabel(250) == "250")
        #expect(BenchReport.tickLabel(0) == "0")
        #expect(BenchReport.percentileTicks.map(BenchReport.tickLabel) == ["0", "90", "99", "99.9", "99.99", "99.999"])
    }
}
