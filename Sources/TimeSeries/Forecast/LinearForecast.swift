/// Ordinary least-squares line y = a + b·t with the classical prediction interval
/// ŷ(t₀) ± t(1−α/2, n−2) · s · √(1 + 1/n + (t₀ − t̄)² / Sxx), s² = SSE / (n − 2).
/// Suits steady trends: a filling disk, a queue growing at a constant rate, a creeping latency.
public struct LinearTrend: Sendable, Equatable, FittedTrend {
    public let intercept: Double      // at t̄ (centred for numerical stability)
    public let slope: Double          // per second
    public let meanTime: Double
    public let sxx: Double
    public let residualSD: Double
    public let n: Int
    public let lastTime: Double
    public let confidence: Double
    let quantile: Double

    public static func fit(_ points: [SeriesPoint], confidence: Double = 0.95) throws(ForecastError) -> LinearTrend {
        guard points.count >= 3 else { throw .tooFewPoints(need: 3, have: points.count) }
        guard points.allSatisfy({ $0.time.isFinite && $0.value.isFinite }) else { throw .notFinite }
        let n = Double(points.count)
        let tm = points.reduce(0) { $0 + $1.time } / n
        let ym = points.reduce(0) { $0 + $1.value } / n
        var sxx = 0.0, sxy = 0.0
        for p in points { sxx += (p.time - tm) * (p.time - tm); sxy += (p.time - tm) * (p.value - ym) }
        guard sxx > 0 else { throw .noTimeSpread }
        let b = sxy / sxx
        var sse = 0.0
        for p in points { let r = p.value - (ym + b * (p.time - tm)); sse += r * r }
        let s = (sse / (n - 2)).squareRoot()
        return LinearTrend(intercept: ym, slope: b, meanTime: tm, sxx: sxx, residualSD: s, n: points.count,
                           lastTime: points.map(\.time).max()!, confidence: confidence,
                           quantile: Quantiles.studentT(0.5 + confidence / 2, degreesOfFreedom: points.count - 2))
    }

    public func predict(at t: Double) -> (mean: Double, halfWidth: Double) {
        let mean = intercept + slope * (t - meanTime)
        let se = residualSD * (1 + 1 / Double(n) + (t - meanTime) * (t - meanTime) / sxx).squareRoot()
        return (mean, quantile * se)
    }

    /// Coefficient of determination is not kept; the residual SD is what the interval uses.
    public func forecast(threshold: Double, direction: ThresholdForecast.Direction = .above, horizon: Double) -> ThresholdForecast {
        let current = predict(at: lastTime).mean
        let rising = direction == .above
        let c = crossings(threshold: threshold, rising: rising, horizon: horizon)
        return ThresholdForecast(method: .linear, points: n, lastTime: lastTime, current: current, slopePerSecond: slope,
                                 residualSD: residualSD, threshold: threshold, direction: direction, confidence: confidence,
                                 crossing: c.mean, crossingEarliest: c.earliest, crossingLatest: c.latest,
                                 horizon: horizon, alreadyCrossed: false)
    }
}
