/// What a forecast says about one series and one threshold, in the series' own units and in
/// seconds since the Unix epoch — a value an admin (or a Prometheus rule) can act on.
public struct ThresholdForecast: Sendable, Equatable, Codable {
    public enum Method: String, Sendable, Codable { case linear, holt }
    /// Which side of the threshold is trouble: `above` for latency or queue size, `below` for
    /// free disk space or days of certificate lifetime.
    public enum Direction: String, Sendable, Codable { case above, below }

    public var method: Method
    /// Points the model was fitted on, and the time of the last one.
    public var points: Int
    public var lastTime: Double
    /// The model's value at the last observation (the smoothed level for Holt).
    public var current: Double
    /// Estimated change per second at the end of the series.
    public var slopePerSecond: Double
    /// Standard deviation of the one-step (Holt) or regression (linear) residuals.
    public var residualSD: Double
    public var threshold: Double
    public var direction: Direction
    /// Confidence level of the prediction interval, e.g. 0.95.
    public var confidence: Double
    /// When the forecast crosses the threshold (nil: not within the horizon, or moving away).
    public var crossing: Double?
    /// The earliest time the prediction interval reaches the threshold (nil: not within the horizon).
    public var crossingEarliest: Double?
    /// The time by which the interval lies wholly beyond the threshold (nil: not within the horizon).
    public var crossingLatest: Double?
    /// Forecast horizon in seconds after the last observation.
    public var horizon: Double
    /// True when the last observation is already at or beyond the threshold.
    public var alreadyCrossed: Bool

    /// Seconds from the last observation to the point forecast's crossing.
    public var secondsToCrossing: Double? { crossing.map { $0 - lastTime } }
}

/// A fitted model that predicts a value and its interval half-width at a future time.
protocol FittedTrend {
    var lastTime: Double { get }
    func predict(at t: Double) -> (mean: Double, halfWidth: Double)
}

extension FittedTrend {
    /// Scans the horizon for the first time the mean, the near band edge and the far band edge
    /// reach the threshold; rising means "values grow toward the threshold".
    func crossings(threshold: Double, rising: Bool, horizon: Double, steps: Int = 2000) -> (mean: Double?, earliest: Double?, latest: Double?) {
        var mean: Double?, earliest: Double?, latest: Double?
        func beyond(_ v: Double) -> Bool { rising ? v >= threshold : v <= threshold }
        var previous = lastTime
        for i in 1...steps {
            let t = lastTime + horizon * Double(i) / Double(steps)
            let p = predict(at: t)
            let near = rising ? p.mean + p.halfWidth : p.mean - p.halfWidth
            let far = rising ? p.mean - p.halfWidth : p.mean + p.halfWidth
            if earliest == nil, beyond(near) { earliest = refine(previous, t, threshold, rising) { self.predict(at: $0).mean + (rising ? 1 : -1) * self.predict(at: $0).halfWidth } }
            if mean == nil, beyond(p.mean) { mean = refine(previous, t, threshold, rising) { self.predict(at: $0).mean } }
            if latest == nil, beyond(far) { latest = refine(previous, t, threshold, rising) { self.predict(at: $0).mean - (rising ? 1 : -1) * self.predict(at: $0).halfWidth } }
            if latest != nil { break }
            previous = t
        }
        return (mean, earliest, latest)
    }

    /// Bisection between a time before and a time at/after the crossing.
    private func refine(_ lo: Double, _ hi: Double, _ threshold: Double, _ rising: Bool, _ f: (Double) -> Double) -> Double {
        var lo = lo, hi = hi
        for _ in 0..<60 {
            let mid = (lo + hi) / 2
            if rising ? f(mid) >= threshold : f(mid) <= threshold { hi = mid } else { lo = mid }
        }
        return hi
    }
}

public enum ForecastError: Error, Equatable, CustomStringConvertible {
    case tooFewPoints(need: Int, have: Int)
    case noTimeSpread
    case notFinite

    public var description: String {
        switch self {
        case let .tooFewPoints(need, have): "a forecast needs at least \(need) points; the series has \(have)"
        case .noTimeSpread: "all points share one time: no trend can be fitted"
        case .notFinite: "the series contains NaN or infinite values"
        }
    }
}
