/// Seasonal Hybrid ESD (S-H-ESD; Hochenbaum, Vallis & Kejariwal 2017, "Automatic Anomaly Detection
/// in the Cloud Via Statistical Learning", Twitter's AnomalyDetection package), for batch analysis.
///
/// 1. Remove the seasonal component and the median: residual = x − seasonal − median(x).
///    Twitter uses STL with a periodic seasonal window; here the seasonal component of each point
///    is the median of its phase across the other periods (a robust periodic estimate without loess).
/// 2. Run the generalized ESD test (Rosner 1983) on the residuals with the median and MAD in place
///    of the mean and standard deviation ("hybrid"), up to `maxAnomalies` × n points.
/// With `piecewise` set (Twitter's "longterm"), steps 1–2 run on consecutive pieces so a trend
/// does not swamp the residuals.
public struct SeasonalESD: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// Points per season (e.g. 1440 for per-minute data and a daily season); < 2 for none.
        public var period = 1440
        /// Upper bound on the fraction of points reported, as in Twitter's `max_anoms`.
        public var maxAnomalies = 0.02
        /// Significance level of each ESD test.
        public var alpha = 0.05
        public var direction = AnomalyDirection.both
        /// Points per piece (0: the whole series at once).
        public var piecewise = 0
        public init() {}
    }

    public struct Anomaly: Sendable, Equatable {
        public var index: Int
        public var value: Double
        /// Seasonal + median: what the point "should" have been.
        public var expected: Double
        /// |residual − median| / MAD of the remaining residuals when it was removed (the ESD statistic R_i).
        public var statistic: Double
        /// The critical value λ_i it exceeded.
        public var critical: Double
    }

    public let configuration: Configuration
    public init(_ configuration: Configuration = Configuration()) { self.configuration = configuration }

    public func detect(_ values: [Double]) -> [Anomaly] {
        let c = configuration
        let piece = c.piecewise > 0 ? max(c.piecewise, 2 * max(c.period, 1)) : values.count
        var out: [Anomaly] = []
        var start = 0
        while start < values.count {
            var end = min(start + piece, values.count)
            if values.count - end < piece / 2 { end = values.count }   // fold a short tail into the last piece
            out += detectPiece(Array(values[start..<end])).map { var a = $0; a.index += start; return a }
            start = end
        }
        return out.sorted { $0.index < $1.index }
    }

    func detectPiece(_ x: [Double]) -> [Anomaly] {
        let c = configuration
        let n = x.count
        guard n >= 3, let overall = RobustStats.median(x) else { return [] }
        var seasonal = [Double](repeating: 0, count: n)
        if c.period >= 2, n >= 2 * c.period {
            for phase in 0..<c.period {
                // Leave-one-out: a point's seasonal value is the median of its phase in the *other*
                // periods, so its own noise does not pull its residual towards zero (which would
                // shrink the MAD and inflate every statistic when there are few periods).
                let idx = Array(stride(from: phase, to: n, by: c.period))
                let values = idx.map { x[$0] }
                for (k, i) in idx.enumerated() {
                    var others = values
                    others.remove(at: k)
                    if let m = RobustStats.median(others) { seasonal[i] = m - overall }
                }
            }
        }
        let residual = (0..<n).map { x[$0] - seasonal[$0] - overall }
        let k = max(1, Int(Double(n) * c.maxAnomalies))
        var alive = Array(0..<n)
        var candidates: [Anomaly] = []
        var found = 0
        for i in 1...k {
            guard alive.count > 2, let (m, mad) = RobustStats.medianAndMAD(alive.map { residual[$0] }), mad > 0 else { break }
            // The most extreme remaining point in the watched direction.
            var best = -1, bestDev = -Double.infinity
            for (pos, j) in alive.enumerated() {
                let dev = c.direction.signed(residual[j] - m)
                if dev > bestDev { bestDev = dev; best = pos }
            }
            guard best >= 0 else { break }
            let j = alive.remove(at: best)
            let stat = bestDev / (RobustStats.madToSigma * mad)   // R's mad() is scaled to σ, as Twitter's code uses it
            // Rosner (1983): λ_i = (n−i)·t_{p,n−i−1} / √((n−i−1+t²)(n−i+1)), p = 1 − α/(2(n−i+1)); one-sided: α/(n−i+1).
            let ni = Double(n - i)
            let p = c.direction == .both ? 1 - c.alpha / (2 * (ni + 1)) : 1 - c.alpha / (ni + 1)
            let t = StudentT.quantile(p, degrees: ni - 1)
            let lambda = ni * t / ((ni - 1 + t * t) * (ni + 1)).squareRoot()
            candidates.append(Anomaly(index: j, value: x[j], expected: seasonal[j] + overall, statistic: stat, critical: lambda))
            if stat > lambda { found = i }
        }
        return Array(candidates.prefix(found))
    }
}
