// Change-point detection as Apache Otava 0.8.0 does it (Hunter: Fleming et al., ICPE 2023): E-divisive
// means on sliding windows, each candidate's significance by Student's t-test, then the weak change
// points merged away one by one until every remaining one is significant. Deterministic: Otava's
// windowed algorithm permutes nothing (only its --orig-edivisive mode does), and neither does this.
// One addition: a minimum segment length, which Otava lacks: after Otava's merge, a point next to a
// shorter segment is merged away too (1 gives Otava's results exactly).

import Foundation

/// The parameters of the detection; the defaults are Otava 0.8.0's, but for `minSegment`.
public struct ChangePointOptions: Sendable, Hashable {
    /// Rows analysed at once by E-divisive (Otava's `--window`, default 50); windows overlap by half.
    public var windowLength = 50
    /// The p-value a change point must be below to stay (Otava's `-P`, default 0.001). The split step
    /// keeps weak candidates up to 10× this (Otava's first-pass threshold).
    public var maxPValue = 0.001
    /// The relative change (|new/old − 1|, either way) under which a significant point still goes
    /// (Otava's `-M`, default 0).
    public var minMagnitude = 0.0
    /// Rows each segment must have at least (Otava: 1, no minimum). The default 5 keeps a single
    /// spike (which Otava 0.8.0 can call two change points) or a few rows at the end from being one.
    public var minSegment = 5

    public init() {}

    /// Otava 0.8.0's own parameters: no minimum segment length.
    public static var otava: ChangePointOptions {
        var options = ChangePointOptions()
        options.minSegment = 1
        return options
    }
}

/// Two neighbouring segments compared: their means and spreads, and the t-test's p-value.
public struct ChangePointStats: Sendable, Hashable {
    public var meanBefore: Double
    public var meanAfter: Double
    /// Population standard deviations (numpy's `std`, as Otava uses them).
    public var stddevBefore: Double
    public var stddevAfter: Double
    public var pValue: Double

    /// The change from before to after in %, 0 when the mean before is 0 (Otava's `forward_change_percent`).
    public var changePercent: Double { meanBefore == 0 ? 0 : (meanAfter / meanBefore - 1) * 100 }

    /// The larger relative change of the two directions (Otava's `change_magnitude`).
    public var magnitude: Double {
        let forward = meanBefore == 0 ? 0 : meanAfter / meanBefore - 1
        let backward = meanAfter == 0 ? 0 : meanBefore / meanAfter - 1
        return max(abs(forward), abs(backward))
    }
}

/// A change point: `index` is the first row of the new regime.
public struct ChangePoint: Sendable, Hashable {
    public var index: Int
    public var stats: ChangePointStats
}

public enum ChangePoints {
    /// The change points of `series` (in order), a nil value being missing: it takes the previous
    /// value (the next one at the start), as Otava fills it.
    public static func detect(_ series: [Double?], options: ChangePointOptions = ChangePointOptions()) -> [ChangePoint] {
        var values = series
        var previous: Double?
        for i in values.indices {
            if values[i] == nil, let previous { values[i] = previous }
            previous = values[i]
        }
        previous = nil
        for i in values.indices.reversed() {
            if values[i] == nil, let previous { values[i] = previous }
            previous = values[i]
        }
        guard values.allSatisfy({ $0 != nil }) else { return [] }
        return detect(values.map { $0! }, options: options)
    }

    /// The change points of `series`, in order.
    public static func detect(_ series: [Double], options: ChangePointOptions = ChangePointOptions()) -> [ChangePoint] {
        let window = max(2, options.windowLength)
        let maxP = options.maxPValue
        let firstPass = maxP < 0.05 ? maxP * 10 : (maxP < 0.5 ? maxP * 2 : maxP)
        let minSegment = max(1, options.minSegment)

        // Split: E-divisive in each window; the union of what the windows find.
        var weak: [Int] = []
        var start = 0
        let step = window / 2
        while start < series.count {
            let end = min(start + window, series.count)
            let found = divisive(Array(series[start..<end]), maxPValue: firstPass).map { $0 + start }
            start = max(found.last ?? 0, start + step)
            for index in found where !weak.contains(index) { weak.append(index) }
        }
        weak.sort()
        var points = weak.enumerated().map { position, index in
            ChangePoint(index: index, stats: segmentStats(series, weak, position))
        }

        // Merge: the weakest point goes until every one left is significant (and big enough).
        while !points.isEmpty {
            var weakest = 0
            for i in points.indices where points[i].stats.pValue > points[weakest].stats.pValue { weakest = i }
            if points[weakest].stats.pValue < maxP {
                weakest = 0
                for i in points.indices where points[i].stats.magnitude < points[weakest].stats.magnitude { weakest = i }
                if points[weakest].stats.magnitude > options.minMagnitude { break }
            }
            points.remove(at: weakest)
            // As Otava 0.8.0 does: it recomputes the point that followed the one removed and the one
            // after that (not the one before it, whose figures stay as they were).
            let indices = points.map(\.index)
            for position in [weakest, weakest + 1] where position < points.count {
                points[position].stats = segmentStats(series, indices, position)
            }
        }
        if minSegment > 1 { enforceMinimumSegment(&points, series, minSegment: minSegment, options: options) }
        // The figures of the segments as they end up.
        let indices = points.map(\.index)
        for position in points.indices { points[position].stats = segmentStats(series, indices, position) }
        return points
    }

    /// Otava's result with every point next to a segment shorter than `minSegment` merged away,
    /// the least significant such point first, then Otava's merge rule again. When no segment of
    /// Otava's result is that short, the result is Otava's.
    static func enforceMinimumSegment(_ points: inout [ChangePoint], _ series: [Double], minSegment: Int, options: ChangePointOptions) {
        while !points.isEmpty {
            let bounds = [0] + points.map(\.index) + [series.count]
            let short = points.indices.filter { bounds[$0 + 1] - bounds[$0] < minSegment || bounds[$0 + 2] - bounds[$0 + 1] < minSegment }
            var weakest = short.first ?? 0
            if short.isEmpty {
                for i in points.indices where points[i].stats.pValue > points[weakest].stats.pValue { weakest = i }
                if points[weakest].stats.pValue < options.maxPValue {
                    weakest = 0
                    for i in points.indices where points[i].stats.magnitude < points[weakest].stats.magnitude { weakest = i }
                    if points[weakest].stats.magnitude > options.minMagnitude { return }
                }
            } else {
                for i in short where points[i].stats.pValue > points[weakest].stats.pValue { weakest = i }
            }
            points.remove(at: weakest)
            let indices = points.map(\.index)
            for position in [weakest - 1, weakest] where points.indices.contains(position) {
                points[position].stats = segmentStats(series, indices, position)
            }
        }
    }

    /// The segments either side of change point `position` of `indices` compared.
    static func segmentStats(_ series: [Double], _ indices: [Int], _ position: Int) -> ChangePointStats {
        let from = position == 0 ? 0 : indices[position - 1]
        let to = position + 1 < indices.count ? indices[position + 1] : series.count
        return tTest(series[from..<indices[position]], series[indices[position]..<to])
    }

    /// E-divisive means within one window: the best split of a segment, while it is significant.
    static func divisive(_ z: [Double], maxPValue: Double) -> [Int] {
        let n = z.count
        // prefix[k][b]: the sum of |z[i] − z[k]| for i < b.
        var prefix = [[Double]](repeating: [], count: n)
        for k in 0..<n {
            var row = [Double](repeating: 0, count: n + 1)
            for i in 0..<n { row[i + 1] = row[i] + abs(z[i] - z[k]) }
            prefix[k] = row
        }
        var points: [Int] = []
        while true {
            let bounds = [0] + points + [n]
            var best: (index: Int, qhat: Double, from: Int, to: Int)?
            for (from, to) in zip(bounds, bounds.dropFirst()) where to - from > 1 {
                guard let candidate = bestSplit(z, prefix, from: from, to: to) else { continue }
                if best == nil || candidate.qhat > best!.qhat { best = (candidate.index, candidate.qhat, from, to) }
            }
            guard let best else { break }
            let stats = tTest(z[best.from..<best.index], z[best.index..<best.to])
            guard stats.pValue <= maxPValue else { break }
            points.append(best.index)
            points.sort()
        }
        return points
    }

    /// The split τ of z[from..<to] that maximises Q(τ, κ) over κ (the first of equal ones in (τ, κ)
    /// order, as numpy's argmax takes it).
    static func bestSplit(_ z: [Double], _ prefix: [[Double]], from: Int, to: Int) -> (index: Int, qhat: Double)? {
        var best: (index: Int, qhat: Double)?
        var within = 0.0  // the sum of |x_i − x_k| over pairs of X = z[from..<tau]
        for tau in (from + 1)..<to {
            if tau > from + 1 { within += prefix[tau - 1][tau - 1] - prefix[tau - 1][from] }
            let n = Double(tau - from)
            var cross = 0.0
            var withinY = 0.0
            for kappa in (tau + 1)...to {
                let y = kappa - 1
                cross += prefix[y][tau] - prefix[y][from]
                withinY += prefix[y][y] - prefix[y][tau]
                let m = Double(kappa - tau)
                var q = 2 / (m + n) * cross
                if n > 1 { q -= 2 * m / ((m + n) * (n - 1)) * within }
                if m > 1 { q -= 2 * n / ((m + n) * (m - 1)) * withinY }
                if best == nil || q > best!.qhat { best = (tau, q) }
            }
        }
        return best
    }

    /// Student's two-sided t-test with pooled variance on population spreads, as Otava calls scipy's
    /// `ttest_ind_from_stats(mean, np.std, n, …)`; p is 1 for one row each side.
    static func tTest(_ left: ArraySlice<Double>, _ right: ArraySlice<Double>) -> ChangePointStats {
        func meanAndStd(_ values: ArraySlice<Double>) -> (Double, Double) {
            let mean = values.reduce(0, +) / Double(values.count)
            guard values.count >= 2 else { return (mean, 0) }
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
            return (mean, variance.squareRoot())
        }
        let (meanL, stdL) = meanAndStd(left)
        let (meanR, stdR) = meanAndStd(right)
        var p = 1.0
        if left.count + right.count > 2 {
            let n1 = Double(left.count)
            let n2 = Double(right.count)
            let df = n1 + n2 - 2
            let pooled = ((n1 - 1) * stdL * stdL + (n2 - 1) * stdR * stdR) / df
            let t = (meanL - meanR) / (pooled * (1 / n1 + 1 / n2)).squareRoot()
            p = twoSidedP(t: t, df: df)
        }
        return ChangePointStats(meanBefore: meanL, meanAfter: meanR, stddevBefore: stdL, stddevAfter: stdR, pValue: p)
    }

    /// P(|T| ≥ |t|) for Student's t with `df` degrees of freedom: I_{df/(df+t²)}(df/2, 1/2).
    static func twoSidedP(t: Double, df: Double) -> Double {
        guard !t.isNaN else { return .nan }
        guard t.isFinite else { return 0 }
        return regularizedIncompleteBeta(x: df / (df + t * t), a: df / 2, b: 0.5)
    }

    /// I_x(a, b) by its continued fraction (modified Lentz).
    static func regularizedIncompleteBeta(x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logBeta: Double = lgamma(a) + lgamma(b) - lgamma(a + b)
        let logFront: Double = a * log(x) + b * log(1 - x) - logBeta
        if x < (a + 1) / (a + b + 2) {
            return exp(logFront) * continuedFraction(x: x, a: a, b: b) / a
        }
        return 1 - exp(logFront) * continuedFraction(x: 1 - x, a: b, b: a) / b
    }

    private static func continuedFraction(x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...10_000 {
            let m = Double(m)
            let even: Double = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + even * d
            if abs(d) < tiny { d = tiny }
            c = 1 + even / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            let odd: Double = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + odd * d
            if abs(d) < tiny { d = tiny }
            c = 1 + odd / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return h
    }
}
