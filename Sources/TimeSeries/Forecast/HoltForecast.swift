/// Holt's linear (double exponential) smoothing on a regularly sampled series:
/// level ℓₜ = α·yₜ + (1−α)(ℓₜ₋₁ + bₜ₋₁), trend bₜ = β(ℓₜ − ℓₜ₋₁) + (1−β)·bₜ₋₁,
/// forecast ℓ + h·b. It follows a trend that changes (a queue that started growing faster) where
/// one straight line over all history lags. α and β are chosen by grid search on the one-step
/// errors. Interval (Hyndman & Athanasopoulos, FPP, ETS(A,A,N)):
/// σ²ₕ = σ²·[1 + (h−1)·(α² + αβ′h + β′²h(2h−1)/6)], β′ = αβ, σ² from the one-step errors.
public struct HoltTrend: Sendable, Equatable, FittedTrend {
    public let alpha: Double
    public let beta: Double
    public let level: Double
    public let trend: Double          // per step
    public let step: Double           // seconds between points
    public let residualSD: Double
    public let n: Int
    public let lastTime: Double
    public let confidence: Double
    let z: Double

    public static func fit(_ points: [SeriesPoint], confidence: Double = 0.95, alpha: Double? = nil, beta: Double? = nil) throws(ForecastError) -> HoltTrend {
        guard points.count >= 4 else { throw .tooFewPoints(need: 4, have: points.count) }
        guard points.allSatisfy({ $0.time.isFinite && $0.value.isFinite }) else { throw .notFinite }
        let sorted = points.sorted { $0.time < $1.time }
        let gaps = zip(sorted.dropFirst(), sorted).map { $0.time - $1.time }.sorted()
        let step = gaps[gaps.count / 2]
        guard step > 0 else { throw .noTimeSpread }
        let y = sorted.map(\.value)
        let grid = stride(from: 0.05, through: 0.95, by: 0.05).map { $0 }
        var best: (sse: Double, a: Double, b: Double) = (.infinity, 0.5, 0.1)
        for a in alpha.map({ [$0] }) ?? grid {
            for b in beta.map({ [$0] }) ?? grid {
                let sse = run(y, a, b).sse
                if sse < best.sse { best = (sse, a, b) }
            }
        }
        let r = run(y, best.a, best.b)
        let sigma = (r.sse / Double(max(1, y.count - 3))).squareRoot()
        return HoltTrend(alpha: best.a, beta: best.b, level: r.level, trend: r.trend, step: step, residualSD: sigma,
                         n: y.count, lastTime: sorted.last!.time, confidence: confidence, z: Quantiles.normal(0.5 + confidence / 2))
    }

    /// Runs the recursions from ℓ₁ = y₁, b₁ = y₂ − y₁; returns the final state and the sum of
    /// squared one-step errors from the third point on.
    static func run(_ y: [Double], _ a: Double, _ b: Double) -> (level: Double, trend: Double, sse: Double) {
        var level = y[0], trend = y[1] - y[0], sse = 0.0
        for t in 1..<y.count {
            let predicted = level + trend
            if t >= 2 { sse += (y[t] - predicted) * (y[t] - predicted) }
            let newLevel = a * y[t] + (1 - a) * predicted
            trend = b * (newLevel - level) + (1 - b) * trend
            level = newLevel
        }
        return (level, trend, sse)
    }

    public func predict(at t: Double) -> (mean: Double, halfWidth: Double) {
        let h = max(0, (t - lastTime) / step)
        let mean = level + h * trend
        let bp = alpha * beta
        let hc = max(1, h)
        let variance = residualSD * residualSD * (1 + (hc - 1) * (alpha * alpha + alpha * bp * hc + bp * bp * hc * (2 * hc - 1) / 6))
        return (mean, z * variance.squareRoot())
    }

    public func forecast(threshold: Double, direction: ThresholdForecast.Direction = .above, horizon: Double) -> ThresholdForecast {
        let rising = direction == .above
        let c = crossings(threshold: threshold, rising: rising, horizon: horizon)
        return ThresholdForecast(method: .holt, points: n, lastTime: lastTime, current: level, slopePerSecond: trend / step,
                                 residualSD: residualSD, threshold: threshold, direction: direction, confidence: confidence,
                                 crossing: c.mean, crossingEarliest: c.earliest, crossingLatest: c.latest,
                                 horizon: horizon, alreadyCrossed: false)
    }
}

/// The entry point: fits both models, keeps the one with the smaller error on the newest
/// fifth of the series (fitted on the rest), and reports when the threshold will be crossed.
public enum Forecaster {
    public static func forecast(_ points: [SeriesPoint], threshold: Double, direction: ThresholdForecast.Direction = .above, horizon: Double,
                                method: ThresholdForecast.Method? = nil, confidence: Double = 0.95) throws(ForecastError) -> ThresholdForecast {
        let sorted = points.sorted { $0.time < $1.time }
        let chosen: ThresholdForecast.Method
        if let method { chosen = method } else { chosen = try choose(sorted) }
        var f: ThresholdForecast
        if chosen == .holt && sorted.count >= 4 {
            f = try HoltTrend.fit(sorted, confidence: confidence).forecast(threshold: threshold, direction: direction, horizon: horizon)
        } else {
            f = try LinearTrend.fit(sorted, confidence: confidence).forecast(threshold: threshold, direction: direction, horizon: horizon)
        }
        if let last = sorted.last {
            // Already beyond: the last observation and the model's current value are both past the line.
            f.alreadyCrossed = direction == .above ? last.value >= threshold && f.current >= threshold : last.value <= threshold && f.current <= threshold
            if f.alreadyCrossed { f.crossing = last.time; f.crossingEarliest = last.time; f.crossingLatest = last.time }
        }
        return f
    }

    /// Holdout comparison: mean absolute error of each model on the last 20 % (at least 2 points).
    static func choose(_ sorted: [SeriesPoint]) throws(ForecastError) -> ThresholdForecast.Method {
        guard sorted.count >= 10 else { return .linear }
        let k = max(2, sorted.count / 5)
        let train = Array(sorted.dropLast(k)), test = sorted.suffix(k)
        let lin = try LinearTrend.fit(train), holt = try HoltTrend.fit(train)
        let el = test.reduce(0) { $0 + abs(lin.predict(at: $1.time).mean - $1.value) }
        let eh = test.reduce(0) { $0 + abs(holt.predict(at: $1.time).mean - $1.value) }
        return eh < el ? .holt : .linear
    }
}
