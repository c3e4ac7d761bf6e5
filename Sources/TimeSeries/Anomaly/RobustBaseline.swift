/// Which side of the baseline counts as anomalous: a mail admin cares about *more* auth failures,
/// while a probe's success rate matters when it *drops*.
public enum AnomalyDirection: String, Sendable, Codable, CaseIterable {
    case up, down, both

    /// The robust z as seen from this direction: positive when the deviation is in the watched direction.
    @inlinable public func signed(_ z: Double) -> Double {
        switch self {
        case .up: return z
        case .down: return -z
        case .both: return abs(z)
        }
    }
}

/// What a baseline expected at one instant: the median, the robust scale and the range a value may
/// take before it counts as unusual (`expected ± threshold × scale`).
public struct Expectation: Sendable, Codable, Equatable {
    public var expected: Double
    /// Robust standard deviation: 1.4826 × MAD, raised to the configured floors.
    public var scale: Double
    public var low: Double
    public var high: Double
    /// True when the value came from the time-of-day (or day-of-week) slot, false for the plain rolling window.
    public var seasonal: Bool
    /// How many past values the median was taken over.
    public var history: Int

    /// (x − expected) / scale.
    public func robustZ(_ x: Double) -> Double { (x - expected) / scale }
}

/// Online robust baseline: a rolling median/MAD over the last `window` points, and once enough
/// history exists, a median/MAD per seasonal slot (hour of the day by default; day of week with
/// `seasonPeriod = 604_800`, `slotWidth = 3600`).
///
/// `expectation(at:)` looks only at points already added, so scoring then adding keeps the
/// detector causal (no look-ahead), as an online detector must be.
public struct RobustBaseline: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// Points in the plain rolling window.
        public var window = 120
        /// Points needed before any expectation is given.
        public var minHistory = 30
        /// Length of a season in seconds (86 400 = daily), nil to turn seasonal slots off.
        public var seasonPeriod: Double? = 86_400
        /// Width of one slot within the season, in seconds.
        public var slotWidth: Double = 3_600
        /// Values kept per slot (the most recent ones).
        public var slotCapacity = 420
        /// A slot is used once it holds this many values and the history spans `minSeasons` seasons.
        public var minSlotHistory = 60
        public var minSeasons = 2
        /// Robust z beyond which a value is outside the expected range.
        public var threshold = 5.0
        /// The scale never falls below this (counts: one event), so a flat series does not turn every blip into z = ∞.
        public var scaleFloor = 1.0
        /// For counts: the scale is at least √median (Poisson noise), so busy minutes are not held to a tiny MAD.
        public var poissonFloor = false
        /// For counts and sizes: the expected range never goes below zero.
        public var nonNegative = false

        public init() {}
    }

    public let configuration: Configuration
    private var rolling: RollingWindow
    private var slots: [Int: RollingWindow] = [:]
    private var firstTime: Double?
    public private(set) var count = 0

    public init(_ configuration: Configuration = Configuration()) {
        self.configuration = configuration
        rolling = RollingWindow(capacity: max(configuration.window, 1))
    }

    func slot(_ time: Double) -> Int? {
        guard let period = configuration.seasonPeriod, period > 0, configuration.slotWidth > 0 else { return nil }
        var phase = time.truncatingRemainder(dividingBy: period)
        if phase < 0 { phase += period }
        return Int(phase / configuration.slotWidth)
    }

    /// The expectation for a value at `time`, from the history added so far; nil while too short.
    public func expectation(at time: Double) -> Expectation? {
        let c = configuration
        guard count >= c.minHistory else { return nil }
        if let k = slot(time), let first = firstTime, let period = c.seasonPeriod,
           time - first >= Double(c.minSeasons) * period,
           let w = slots[k], w.count >= c.minSlotHistory, let (m, mad) = w.medianAndMAD {
            return make(m, mad, seasonal: true, history: w.count)
        }
        guard let (m, mad) = rolling.medianAndMAD else { return nil }
        return make(m, mad, seasonal: false, history: rolling.count)
    }

    private func make(_ m: Double, _ mad: Double, seasonal: Bool, history: Int) -> Expectation {
        let c = configuration
        var scale = max(RobustStats.madToSigma * mad, c.scaleFloor)
        if c.poissonFloor { scale = max(scale, abs(m).squareRoot()) }
        let low = m - c.threshold * scale
        return Expectation(expected: m, scale: scale, low: c.nonNegative ? max(0, low) : low, high: m + c.threshold * scale,
                           seasonal: seasonal, history: history)
    }

    public mutating func add(_ p: SeriesPoint) {
        guard p.value.isFinite else { return }
        if firstTime == nil { firstTime = p.time }
        rolling.add(p.value)
        if let k = slot(p.time) {
            slots[k, default: RollingWindow(capacity: max(configuration.slotCapacity, 1))].add(p.value)
        }
        count += 1
    }

    /// Scores `p` against the history before it, then adds it.
    public mutating func score(_ p: SeriesPoint) -> (expectation: Expectation, z: Double)? {
        defer { add(p) }
        guard let e = expectation(at: p.time) else { return nil }
        return (e, e.robustZ(p.value))
    }
}
