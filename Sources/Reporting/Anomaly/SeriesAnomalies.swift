import MailLogs
import TimeSeries

/// Anomaly detection for any series mxray records besides the mail logs — probe latency, probe
/// success, round-trip time — with settings that suit each kind, and the same explained alerts.
public enum SeriesAnomalies {
    public enum Kind: String, Sendable, Codable {
        /// Events per interval (Poisson-like): only rises matter.
        case count
        /// Latency or round-trip time in seconds: rises matter; the scale never drops below 5 ms.
        case latency
        /// Success ratio 0…1 per interval: drops matter.
        case successRate
    }

    public static func configuration(for kind: Kind) -> OnlineAnomalyDetector.Configuration {
        var c = OnlineAnomalyDetector.Configuration()
        c.baseline.window = 120
        c.baseline.minHistory = 30
        c.baseline.threshold = 5
        c.debounce = AlertDebouncer.Configuration(openAfter: 2, resolveAfter: 5, minSpacing: 3600)
        switch kind {
        case .count:
            c.direction = .up
            c.baseline.poissonFloor = true
            c.baseline.nonNegative = true
            c.minimumDeviation = 5
        case .latency:
            c.direction = .up
            c.baseline.scaleFloor = 0.005
            c.baseline.nonNegative = true
        case .successRate:
            c.direction = .down
            c.baseline.scaleFloor = 0.02   // two points in a hundred
            c.minimumDeviation = 0.1
            c.baseline.seasonPeriod = nil
        }
        return c
    }

    /// Both detectors' settings for one kind, with the policy of `detector`. KNN-CAD learns from
    /// `knnTraining` points (probe runs) before it alarms.
    public static func combinedConfiguration(for kind: Kind, detector: LogAnomalies.DetectorChoice,
                                             knnTraining: Int = 600) -> CombinedDetector.Configuration {
        var c = CombinedDetector.Configuration()
        c.baseline = configuration(for: kind)
        c.policy = detector.policy
        c.minSpacing = c.baseline.debounce.minSpacing
        c.knn.training = max(knnTraining, c.knn.dimension + 1)
        c.knn.direction = c.baseline.direction
        c.knn.scaleFloor = c.baseline.baseline.scaleFloor
        c.knn.debounce = AlertDebouncer.Configuration(openAfter: 1, resolveAfter: c.baseline.debounce.resolveAfter,
                                                      minSpacing: c.baseline.debounce.minSpacing)
        return c
    }

    /// Runs the online detector over `points` (time order) and returns its alerts, each with the
    /// references `evidence` gives for the opening instant (probe transcripts, result ids, …).
    public static func detect(series name: String, kind: Kind, points: [SeriesPoint],
                              detector: LogAnomalies.DetectorChoice = .baseline, knnTraining: Int = 600,
                              evidence: (Double) -> [String] = { _ in [] }) -> [LogAnomalies.Alert] {
        var d = CombinedDetector(series: name, combinedConfiguration(for: kind, detector: detector, knnTraining: knnTraining))
        return d.run(points).map { LogAnomalies.alert($0, evidence: evidence($0.start)) }
    }
}

extension LogAnomalies {
    /// The reported form of a detector's alert: RFC 3339 times and the evidence lines.
    public static func alert(_ a: AnomalyAlert, evidence: [String]) -> Alert {
        Alert(series: a.series, detector: a.detector.rawValue, direction: a.direction.rawValue,
              start: iso(a.start), end: a.end.map(iso), observed: a.observed, expected: a.expected,
              expectedLow: a.expectedLow, expectedHigh: a.expectedHigh, robustZ: (a.robustZ * 10).rounded() / 10,
              peak: a.peak, peakTime: iso(a.peakTime), minutes: a.points, reason: a.reason, evidence: evidence)
    }
}
