/// The robust baseline (`OnlineAnomalyDetector`) and KNN-CAD (`ContextKNNDetector`) run side by
/// side as one `EpisodeDetector`. The baseline alerts from its own short warm-up; KNN-CAD joins
/// once it has learnt (its `training` points). One episode at a time: whichever detector opens
/// first owns the episode, which resolves when that detector's episode resolves, and a new episode
/// waits `minSpacing` after the last opening (the two detectors see the same incident).
///
/// `policy` picks who may open an episode:
/// - `baseline` / `knn`: one detector alone (the other is not run);
/// - `either`: whichever says so;
/// - `agree`: the baseline as usual; a KNN-CAD alarm opens an episode only when the baseline's
///   robust z, signed in the watched direction, is at least `agreeZ` at that point (a lower bar
///   than the baseline's own threshold), so KNN-CAD's fixed-rate p-value alarms on normal data
///   stay quiet while a stretch that is both unlike its past and high is reported earlier.
public struct CombinedDetector: Sendable, EpisodeDetector {
    public enum Policy: String, Sendable, Codable, CaseIterable { case baseline, knn, either, agree }

    public struct Configuration: Sendable, Equatable {
        public var baseline = OnlineAnomalyDetector.Configuration()
        public var knn = ContextKNNDetector.Configuration()
        public var policy = Policy.agree
        /// `agree`: the baseline's signed robust z a KNN-CAD alarm needs.
        public var agreeZ = 3.0
        /// Seconds between two openings of the combined detector.
        public var minSpacing: Double = 3_600
        public init() {}
    }

    enum Owner: Sendable { case baseline, knn }

    public let series: String
    public let configuration: Configuration
    private var baseline: OnlineAnomalyDetector
    private var knn: ContextKNNDetector
    private var owner: Owner? = nil
    private var lastOpen: Double? = nil
    private var ownSuppressed = 0
    public private(set) var current: AnomalyAlert? = nil

    public init(series: String, _ configuration: Configuration = Configuration()) {
        self.series = series
        self.configuration = configuration
        baseline = OnlineAnomalyDetector(series: series, configuration.baseline)
        knn = ContextKNNDetector(series: series, configuration.knn)
    }

    /// KNN-CAD's score of the last point (nil while it learns, or when it is not run).
    public var knnScore: ContextKNNDetector.Score? { knn.lastScore }

    /// Episodes merged by either detector's spacing, or by the combined spacing.
    public var suppressedEpisodes: Int {
        let p = configuration.policy
        return ownSuppressed + (p == .knn ? 0 : baseline.suppressedEpisodes) + (p == .baseline ? 0 : knn.suppressedEpisodes)
    }

    public mutating func step(_ p: SeriesPoint) -> OnlineAnomalyDetector.Event? {
        let c = configuration
        let eb = c.policy == .knn ? nil : baseline.step(p)
        let ek = c.policy == .baseline ? nil : knn.step(p)
        if let o = owner, var a = current {
            let (event, live) = o == .baseline ? (eb, baseline.current) : (ek, knn.current)
            if case .resolved(let r)? = event {
                a.end = r.end; a.points = r.points; a.peak = r.peak; a.peakZ = r.peakZ; a.peakTime = r.peakTime
                current = nil; owner = nil
                return .resolved(a)
            }
            if let l = live { a.points = l.points; a.peak = l.peak; a.peakZ = l.peakZ; a.peakTime = l.peakTime; current = a }
            return nil
        }
        var candidate: (AnomalyAlert, Owner)? = nil
        if case .opened(let a)? = eb { candidate = (a, .baseline) }
        if candidate == nil, c.policy != .baseline {
            // KNN-CAD's alarm: the point that opened its episode, or (agree) any alarming point of
            // an episode it opened earlier, once the baseline agrees.
            var knnAlert: AnomalyAlert? = nil
            if case .opened(let a)? = ek { knnAlert = a }
            else if c.policy == .agree, knn.current != nil, let s = knn.lastScore,
                    s.pValue >= c.knn.alarmLevel, s.excess >= c.knn.minimumExcess {
                knnAlert = AnomalyAlert(series: series, detector: .contextKNN, direction: p.value >= s.expectation.expected ? .up : .down,
                                        start: p.time, observed: p.value, expectation: s.expectation, robustZ: s.robustZ,
                                        reason: ContextKNNDetector.reason(series, p.value, s, c.knn))
            }
            if var a = knnAlert {
                if c.policy == .agree {
                    let z = baseline.lastZ
                    if let e = baseline.lastExpectation, z >= c.agreeZ {
                        a.reason += "; the baseline agrees: robust z \(formatValue((z * 10).rounded() / 10)) against its expected \(formatValue(e.expected))"
                        candidate = (a, .knn)
                    }
                } else {
                    candidate = (a, .knn)
                }
            }
        }
        guard let (a, o) = candidate else { return nil }
        if let last = lastOpen, p.time - last < c.minSpacing { ownSuppressed += 1; return nil }
        lastOpen = p.time
        current = a; owner = o
        return .opened(a)
    }
}
