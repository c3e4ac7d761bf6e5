/// Two-sided CUSUM on robust z-scores (Page 1954; Montgomery, "Introduction to Statistical Quality
/// Control", §9.1): finds a sustained level shift that no single point makes unusual.
///
/// Each z is clamped to ±`clamp` before it is accumulated, so one huge spike cannot raise an alarm
/// on its own: a shift needs several consecutive points above `drift`. With the defaults (drift 0.75,
/// limit 10, clamp 4) four points at z ≥ 4 or seven at z ≈ 2.25 raise it; on pure Gaussian noise
/// the average run before a false alarm is millions of points (Siegmund's approximation).
public struct LevelShiftDetector: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// Reference value k: deviations smaller than this (in robust σ) are treated as noise.
        public var drift = 0.75
        /// Decision interval h: the alarm fires when the cumulative sum exceeds it.
        public var limit = 10.0
        /// Per-point cap on |z|.
        public var clamp = 4.0
        public var direction = AnomalyDirection.both
        public init() {}
    }

    public let configuration: Configuration
    /// Cumulative sums of upward and downward deviations.
    public private(set) var upper = 0.0
    public private(set) var lower = 0.0
    /// Consecutive points the current run has lasted.
    public private(set) var run = 0

    public init(_ configuration: Configuration = Configuration()) { self.configuration = configuration }

    /// Adds one robust z; returns the direction of a shift when the alarm fires (then restarts).
    public mutating func step(_ z: Double) -> AnomalyDirection? {
        guard z.isFinite else { return nil }
        let c = configuration
        let x = min(max(z, -c.clamp), c.clamp)
        upper = max(0, upper + x - c.drift)
        lower = max(0, lower - x - c.drift)
        run = upper > 0 || lower > 0 ? run + 1 : 0
        var fired: AnomalyDirection? = nil
        if upper > c.limit, c.direction != .down { fired = .up }
        else if lower > c.limit, c.direction != .up { fired = .down }
        if fired != nil || upper > c.limit || lower > c.limit { reset() }
        return fired
    }

    /// The larger of the two sums in the watched direction(s).
    public var statistic: Double {
        switch configuration.direction {
        case .up: return upper
        case .down: return lower
        case .both: return max(upper, lower)
        }
    }

    public mutating func reset() { upper = 0; lower = 0; run = 0 }
}
