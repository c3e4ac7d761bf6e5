/// One debounced anomaly episode, with everything an admin needs to judge it: which series, what
/// was expected, what was seen, how unusual (robust z), which detector and why, and references
/// to the raw evidence (log lines, probe results) the caller attaches.
public struct AnomalyAlert: Sendable, Codable, Equatable {
    public enum Detector: String, Sendable, Codable {
        /// Rolling median/MAD over recent points.
        case rollingBaseline = "rolling-baseline"
        /// Median/MAD of the same time-of-day (or day-of-week) slot.
        case seasonalBaseline = "seasonal-baseline"
        /// CUSUM on robust z: a sustained level shift.
        case levelShift = "level-shift"
        /// Seasonal hybrid ESD over a whole series (batch).
        case seasonalESD = "seasonal-esd"
        /// Contextual nearest-neighbour conformal detector (KNN-CAD): the recent stretch is unlike its past.
        case contextKNN = "context-knn"
    }

    public var series: String
    public var detector: Detector
    public var direction: AnomalyDirection
    /// When the alert opened (the point that completed the debouncer's `openAfter` run), and when
    /// the episode resolved (nil while open).
    public var start: Double
    public var end: Double?
    /// The value at the opening point and what the baseline expected there.
    public var observed: Double
    public var expected: Double
    public var expectedLow: Double
    public var expectedHigh: Double
    /// (observed − expected) / robust σ at the opening point.
    public var robustZ: Double
    /// The most unusual point of the episode so far.
    public var peak: Double
    public var peakTime: Double
    public var peakZ: Double
    /// Anomalous points seen in the episode.
    public var points: Int
    /// One sentence: why this is an alert.
    public var reason: String
    /// Raw evidence: the first log lines of the minute, probe results, … (filled by the caller).
    public var references: [String]

    public init(series: String, detector: Detector, direction: AnomalyDirection, start: Double, end: Double? = nil,
                observed: Double, expectation: Expectation, robustZ: Double, reason: String, references: [String] = []) {
        self.series = series; self.detector = detector; self.direction = direction
        self.start = start; self.end = end
        self.observed = observed; self.expected = expectation.expected
        self.expectedLow = expectation.low; self.expectedHigh = expectation.high
        self.robustZ = robustZ
        self.peak = observed; self.peakTime = start; self.peakZ = robustZ
        self.points = 1
        self.reason = reason
        self.references = references
    }
}

/// Short number formatting without Foundation: integers as integers, others with two decimals.
public func formatValue(_ x: Double) -> String {
    guard x.isFinite else { return x > 0 ? "inf" : x < 0 ? "-inf" : "nan" }
    if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
    let r = (x * 100).rounded() / 100
    var s = String(r)
    if let dot = s.firstIndex(of: "."), s.distance(from: dot, to: s.endIndex) > 3 { s = String(s[..<s.index(dot, offsetBy: 3)]) }
    return s
}
