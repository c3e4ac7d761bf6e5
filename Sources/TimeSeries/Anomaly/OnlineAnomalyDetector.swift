/// The online detector for one series: a robust (seasonal) baseline for spikes, CUSUM for level
/// shifts, and a debouncer, so each episode yields one explained alert and one resolve.
///
/// Points are scored before they join the baseline (no look-ahead). A point outside the expected
/// range joins the baseline clipped to that range, so a burst does not drag the median with it,
/// while a lasting shift is still learned after about half a window.
public struct OnlineAnomalyDetector: Sendable {
    public struct Configuration: Sendable, Equatable {
        public var baseline = RobustBaseline.Configuration()
        public var levelShift = LevelShiftDetector.Configuration()
        public var debounce = AlertDebouncer.Configuration()
        public var direction = AnomalyDirection.both
        /// Also require |observed − expected| ≥ this (counts: a jump from 0 to 2 is not news).
        public var minimumDeviation = 0.0
        /// While an episode is open, points above this fraction of the threshold keep it open (hysteresis).
        public var holdFraction = 0.5
        /// Set false to run the baseline alone (no CUSUM).
        public var detectLevelShifts = true
        public init() {}
    }

    public enum Event: Sendable, Equatable {
        case opened(AnomalyAlert)
        case resolved(AnomalyAlert)
    }

    public let series: String
    public let configuration: Configuration
    private var baseline: RobustBaseline
    private var cusum: LevelShiftDetector
    private var debouncer: AlertDebouncer
    public private(set) var current: AnomalyAlert? = nil
    /// The last scored point's expectation and robust z (signed in the watched direction), for callers that plot or rank.
    public private(set) var lastExpectation: Expectation? = nil
    public private(set) var lastZ: Double = 0

    public init(series: String, _ configuration: Configuration = Configuration()) {
        self.series = series
        self.configuration = configuration
        baseline = RobustBaseline(configuration.baseline)
        var ls = configuration.levelShift
        ls.direction = configuration.direction
        cusum = LevelShiftDetector(ls)
        debouncer = AlertDebouncer(configuration.debounce)
    }

    public var suppressedEpisodes: Int { debouncer.suppressedEpisodes }

    /// Scores one point (points must come in time order) and returns what changed.
    public mutating func step(_ p: SeriesPoint) -> Event? {
        let c = configuration
        guard p.value.isFinite else { return nil }
        guard let e = baseline.expectation(at: p.time) else { baseline.add(p); return nil }
        let z = e.robustZ(p.value)
        let zs = c.direction.signed(z)
        lastExpectation = e
        lastZ = zs
        let bigEnough = abs(p.value - e.expected) >= c.minimumDeviation
        let spike = zs > c.baseline.threshold && bigEnough   // strictly outside the range it reports
        let shifted = c.detectLevelShifts ? cusum.step(z) != nil : false
        let shift = shifted && bigEnough
        // Hold an open episode while points stay well above normal or the CUSUM is still climbing
        // (a lasting shift keeps it open until the baseline has learnt the new level).
        let hold = debouncer.isActive && (zs >= c.baseline.threshold * c.holdFraction
            || (c.detectLevelShifts && cusum.statistic > c.levelShift.limit * 0.25))
        // Clip before learning: a burst stays out of the baseline, a lasting shift creeps in.
        baseline.add(SeriesPoint(time: p.time, value: min(max(p.value, e.low), e.high)))
        let name = series  // the closure must not read self while `current` is borrowed
        return Episode.follow(debouncer.step(time: p.time, anomalous: spike || shift || hold), current: &current, point: p, z: z,
                              anomalous: spike || shift || hold) {
            let detector: AnomalyAlert.Detector = spike ? (e.seasonal ? .seasonalBaseline : .rollingBaseline) : .levelShift
            return AnomalyAlert(series: name, detector: detector, direction: z >= 0 ? .up : .down, start: p.time,
                                observed: p.value, expectation: e, robustZ: z, reason: Self.reason(name, detector, p.value, e, z, cusum: c.levelShift))
        }
    }

    static func reason(_ series: String, _ d: AnomalyAlert.Detector, _ x: Double, _ e: Expectation, _ z: Double,
                       cusum: LevelShiftDetector.Configuration) -> String {
        let basis = e.seasonal ? "the median of \(e.history) earlier values at this time of the season"
                               : "the median of the previous \(e.history) values"
        let range = "expected \(formatValue(e.expected)) (normal range \(formatValue(e.low)) to \(formatValue(e.high)), \(basis))"
        let zText = "robust z \(formatValue((z * 10).rounded() / 10))"
        switch d {
        case .levelShift:
            return "\(series) shifted \(z >= 0 ? "up" : "down"): \(formatValue(x)) against \(range); several points in a row deviated (CUSUM over \(formatValue(cusum.limit)) σ), \(zText)"
        default:
            return "\(series) \(formatValue(x)) is \(z >= 0 ? "above" : "below") the normal range: \(range), \(zText)"
        }
    }
}
