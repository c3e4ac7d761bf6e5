/// Contextual k-nearest-neighbour conformal anomaly detection (KNN-CAD; Burnaev & Ishimtsev,
/// "Conformalized density- and distance-based anomaly detection in time-series data", 2016,
/// arXiv:1608.04585), online and causal.
///
/// Each point is seen together with the `dimension − 1` points before it (its *context*). The
/// context is compared with the contexts of a sliding training set: its nonconformity is the sum
/// of the squared Mahalanobis-type distances (metric: the inverse Gram matrix of the training
/// contexts) to its `neighbours` nearest training contexts. The conformal p-value is the share of
/// recent nonconformities (one per past point, as many as the training set holds) below the new
/// one; a p-value at or above `alarmLevel` is anomalous. No model is fitted: the detector learns
/// from the first `training` points and keeps learning from the stream, so it needs no training
/// service and sees only the past.
///
/// Why an alert fired is told in the series' own units: the last values of the nearest past
/// contexts give the expectation (their median) and the normal range (their extremes), beside the
/// p-value and how far the nonconformity exceeds every recent one.
public struct ContextKNNDetector: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// Context length in points (the current point and the ones before it).
        public var dimension = 19
        /// Nearest training contexts summed into the nonconformity.
        public var neighbours = 27
        /// Points learnt before the first score; also the size of the training and calibration sets.
        public var training = 600
        /// Conformal p-value at or above which a point is anomalous.
        public var alarmLevel = 0.9965
        /// Also require the nonconformity to exceed every recent one by this factor (0 = off). The
        /// p-value alone alarms at a fixed rate on any stationary series (that is what a conformal
        /// p-value is: uniform under exchangeability), about 1 − alarmLevel of the points; a factor
        /// above 1 asks for something unlike anything in the calibration window.
        public var minimumExcess = 0.0
        /// The robust scale reported in the expectation never falls below this (series units).
        public var scaleFloor = 1e-9
        /// Re-score the calibration contexts whenever the metric is recomputed. KNN-CAD as published
        /// keeps the old scores, so for a while new distances are compared with distances measured
        /// under another metric; on a quiet periodic series that raised a false alarm right after a
        /// refresh (see ContextKNNTests). Off reproduces the published procedure.
        public var rescoreOnNewMetric = true
        /// Which side counts (the p-value itself is two-sided): with `.up` or `.down` the point must
        /// also lie beyond the nearest contexts' range on that side, by at least `directionalZ` robust σ.
        public var direction = AnomalyDirection.both
        public var directionalZ = 3.0
        /// One alert per episode; `minSpacing` plays KNN-CAD's quiet period after an alarm.
        public var debounce = AlertDebouncer.Configuration(openAfter: 1, resolveAfter: 12, minSpacing: 36_000)
        public init() {}
    }

    /// The score of one point.
    public struct Score: Sendable, Equatable {
        /// Share of the recent nonconformities strictly below this point's (0…1).
        public var pValue: Double
        /// This point's nonconformity, and the largest of the recent ones it was compared with.
        public var nonconformity: Double
        public var calibrationMax: Double
        /// How many recent nonconformities the p-value was taken over.
        public var calibrationCount: Int
        /// What the nearest past contexts say about this point.
        public var expectation: Expectation
        /// (value − expected) / scale, signed.
        public var robustZ: Double
        /// nonconformity / calibrationMax: above 1 means more unusual than anything recent.
        public var excess: Double { calibrationMax > 0 ? nonconformity / calibrationMax : (nonconformity > 0 ? .infinity : 0) }
    }

    public let series: String
    public let configuration: Configuration
    private var context: [Double] = []
    private var count = 0
    /// Training contexts (raw) and the same contexts whitened by the current metric.
    private var trainRaw: [[Double]] = []
    private var trainWhite: [[Double]] = []
    private var calibration: [[Double]] = []
    private var scores: [Double] = []
    /// The raw context behind each entry of `scores`, so a new metric can re-score them.
    private var scoreItems: [[Double]] = []
    private var scoresReady = false
    /// Lower-triangular Cholesky factor of the Gram matrix; nil means the identity metric.
    private var factor: [[Double]]? = nil
    private var debouncer: AlertDebouncer
    public private(set) var current: AnomalyAlert? = nil
    public private(set) var lastScore: Score? = nil

    public init(series: String, _ configuration: Configuration = Configuration()) {
        precondition(configuration.dimension > 0 && configuration.neighbours > 0 && configuration.training > configuration.dimension,
                     "ContextKNNDetector needs dimension > 0, neighbours > 0, training > dimension")
        self.series = series
        self.configuration = configuration
        debouncer = AlertDebouncer(configuration.debounce)
    }

    public var suppressedEpisodes: Int { debouncer.suppressedEpisodes }

    /// Scores one point against the past (nil while learning), then learns it.
    public mutating func score(_ value: Double) -> Score? {
        let c = configuration
        guard value.isFinite else { return nil }
        context.append(value)
        if context.count > c.dimension { context.removeFirst(context.count - c.dimension) }
        count += 1
        guard count >= c.dimension else { return nil }
        let item = context
        if count < c.training {
            trainRaw.append(item)
            trainWhite.append(whiten(item))
            return nil
        }
        let phase = count % c.training
        if phase == 0 || phase == c.training / 2 {
            refreshMetric()
            // Distances under the old metric are not comparable with the new one: re-score the
            // calibration contexts (a context still in the training set leaves itself out).
            if scoresReady, c.rescoreOnNewMetric { scores = scoreItems.map { rescore($0) } }
        }
        if !scoresReady {
            // Leave-one-out nonconformities of the training contexts (each finds itself at distance 0).
            scoreItems = trainRaw
            scores = trainWhite.map { nearest($0, extra: 1).sum }
            scoresReady = true
        }
        let near = nearest(whiten(item), extra: 0)
        let below = scores.reduce(0) { $0 + ($1 < near.sum ? 1 : 0) }
        let p = scores.isEmpty ? 0 : Double(below) / Double(scores.count)
        let calMax = scores.max() ?? 0
        let calCount = scores.count
        // Slide: once a full calibration set exists, its oldest context joins training and the oldest training context leaves.
        if count >= 2 * c.training, !calibration.isEmpty {
            trainRaw.removeFirst(); trainWhite.removeFirst()
            let moved = calibration.removeFirst()
            trainRaw.append(moved); trainWhite.append(whiten(moved))
        }
        if !scores.isEmpty { scores.removeFirst(); scoreItems.removeFirst() }
        calibration.append(item)
        scores.append(near.sum)
        scoreItems.append(item)
        let e = expectation(nearest(item, extra: 0, prefix: true).indices)
        let s = Score(pValue: p, nonconformity: near.sum, calibrationMax: calMax, calibrationCount: calCount,
                      expectation: e, robustZ: e.robustZ(value))
        lastScore = s
        return s
    }

    /// Scores `p` and debounces: one alert per episode, with its explanation.
    public mutating func step(_ p: SeriesPoint) -> OnlineAnomalyDetector.Event? {
        guard let s = score(p.value) else { return nil }
        let c = configuration
        // A watched direction needs the point itself beyond the neighbours' range on that side: a
        // context that is odd only because of an earlier point (a drop a minute ago) is not a rise.
        let e = s.expectation
        let inDirection = c.direction == .both
            || (c.direction.signed(s.robustZ) >= c.directionalZ && (c.direction == .up ? p.value > e.high : p.value < e.low))
        let anomalous = s.pValue >= c.alarmLevel && s.excess >= c.minimumExcess && inDirection
        let name = series  // the closure must not read self while `current` is borrowed
        return Episode.follow(debouncer.step(time: p.time, anomalous: anomalous), current: &current, point: p, z: s.robustZ,
                              anomalous: anomalous) {
            AnomalyAlert(series: name, detector: .contextKNN, direction: p.value >= s.expectation.expected ? .up : .down,
                         start: p.time, observed: p.value, expectation: s.expectation, robustZ: s.robustZ,
                         reason: Self.reason(name, p.value, s, c))
        }
    }

    static func reason(_ series: String, _ x: Double, _ s: Score, _ c: Configuration) -> String {
        let e = s.expectation
        let pText = s.calibrationCount > 0 && s.pValue >= 1
            ? "less like its past than any of the last \(s.calibrationCount) points (p < 1/\(s.calibrationCount))"
            : "less like its past than \(formatValue((s.pValue * 1000).rounded() / 10)) % of the last \(s.calibrationCount) points"
        let excess = s.excess.isFinite ? ", \(formatValue((s.excess * 10).rounded() / 10)) × the largest recent distance" : ""
        return "\(series) \(formatValue(x)) breaks its pattern: the \(c.neighbours) most similar earlier stretches of \(c.dimension) points "
            + "ended at \(formatValue(e.low)) to \(formatValue(e.high)) (median \(formatValue(e.expected))); the last \(c.dimension) points are "
            + pText + excess + ", robust z \(formatValue((s.robustZ * 10).rounded() / 10))"
    }

    // MARK: - Geometry

    /// The nonconformity of a stored context under the current metric and training set, leaving
    /// out one exact match (the context itself when it is still in the training set).
    private func rescore(_ raw: [Double]) -> Double {
        let near = nearest(whiten(raw), extra: 1)
        let k = min(configuration.neighbours, near.distances.count)
        let sorted = near.distances.sorted()
        return sorted.first == 0 ? sorted.dropFirst().prefix(k).reduce(0, +) : sorted.prefix(k).reduce(0, +)
    }

    /// The `neighbours` (+ `extra`) smallest squared distances from a whitened context to the
    /// training set. With `prefix`, `w` is a raw context and only the points before the current one
    /// are compared, in plain (Euclidean) distance with the raw training contexts: the neighbours are
    /// the earlier stretches that looked like the one before this point, and their last values say
    /// what usually came next, which is the expectation an admin reads.
    private func nearest(_ w: [Double], extra: Int, prefix: Bool = false) -> (sum: Double, indices: [Int], distances: [Double]) {
        let k = min(configuration.neighbours + extra, trainWhite.count)
        guard k > 0 else { return (0, [], []) }
        let dims = prefix ? max(0, w.count - 1) : w.count
        // Max-heap of the k best (distance, index) pairs.
        var heap: [(Double, Int)] = []
        heap.reserveCapacity(k)
        for (i, t) in (prefix ? trainRaw : trainWhite).enumerated() {
            var d = 0.0
            for j in 0..<dims { let x = w[j] - t[j]; d += x * x }
            if heap.count < k {
                heap.append((d, i)); siftUp(&heap, heap.count - 1)
            } else if d < heap[0].0 {
                heap[0] = (d, i); siftDown(&heap, 0)
            }
        }
        return (heap.reduce(0) { $0 + $1.0 }, heap.map(\.1), heap.map(\.0))
    }

    private func siftUp(_ h: inout [(Double, Int)], _ i0: Int) {
        var i = i0
        while i > 0 { let p = (i - 1) / 2; if h[p].0 >= h[i].0 { break }; h.swapAt(p, i); i = p }
    }

    private func siftDown(_ h: inout [(Double, Int)], _ i0: Int) {
        var i = i0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < h.count, h[l].0 > h[m].0 { m = l }
            if r < h.count, h[r].0 > h[m].0 { m = r }
            if m == i { return }
            h.swapAt(m, i); i = m
        }
    }

    /// The expectation from the nearest contexts' last values: median, 1.4826 × MAD (floored), extremes.
    private func expectation(_ indices: [Int]) -> Expectation {
        let last = indices.map { trainRaw[$0][trainRaw[$0].count - 1] }
        let (m, mad) = RobustStats.medianAndMAD(last) ?? (0, 0)
        let scale = max(RobustStats.madToSigma * mad, configuration.scaleFloor)
        return Expectation(expected: m, scale: scale, low: last.min() ?? m, high: last.max() ?? m, seasonal: false, history: last.count)
    }

    /// x ↦ L⁻¹x with G = L Lᵀ, so |L⁻¹(a − b)|² = (a − b)ᵀ G⁻¹ (a − b).
    private func whiten(_ x: [Double]) -> [Double] {
        guard let L = factor else { return x }
        var y = [Double](repeating: 0, count: x.count)
        for i in 0..<x.count {
            var s = x[i]
            for j in 0..<i { s -= L[i][j] * y[j] }
            y[i] = s / L[i][i]
        }
        return y
    }

    /// Recomputes the metric from the training contexts (Gram matrix GᵀG → its Cholesky factor);
    /// a singular Gram matrix (e.g. a flat series) keeps the previous metric.
    private mutating func refreshMetric() {
        let n = configuration.dimension
        guard !trainRaw.isEmpty else { return }
        var g = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for t in trainRaw {
            for i in 0..<n { for j in 0...i { g[i][j] += t[i] * t[j] } }
        }
        var L = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n {
            for j in 0...i {
                var s = g[i][j]
                for k in 0..<j { s -= L[i][k] * L[j][k] }
                if i == j {
                    // Relative tolerance: a pivot this small means the contexts do not span all directions.
                    guard s > 1e-12 * max(g[i][i], .leastNormalMagnitude), s.isFinite else { return }
                    L[i][i] = s.squareRoot()
                } else {
                    L[i][j] = s / L[j][j]
                }
            }
        }
        factor = L
        trainWhite = trainRaw.map { whiten($0) }
    }
}
