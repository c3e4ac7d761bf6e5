import MailLogs
import TimeSeries

/// Wires the per-minute mail series (MailLogs) to the online detectors (TimeSeries) and explains
/// each alert with the raw log lines behind it.
public enum LogAnomalies {
    /// Which detector watches the series (`mxray logs --anomalies --detector`, serve's
    /// `anomalies.detector`): the robust baseline with CUSUM, KNN-CAD alone, or both
    /// (`CombinedDetector`; see benchmarks/anomaly/README.md for how each scores).
    public enum DetectorChoice: String, Sendable, Codable, CaseIterable {
        case baseline, knn, combined

        /// The combined detector's policy for this choice.
        public var policy: CombinedDetector.Policy {
            switch self {
            case .baseline: return .baseline
            case .knn: return .knn
            case .combined: return .agree
            }
        }
    }

    /// Settings shared by every mail series; per-series choices are in `configuration(for:)`.
    public struct Options: Sendable {
        /// Robust z beyond which a minute is unusual.
        public var threshold = 5.0
        /// A minute must also differ from the expectation by at least this many events.
        public var minimumDeviation = 5.0
        /// Consecutive unusual minutes before an alert (2 keeps one-minute flukes quiet).
        public var openAfter = 2
        /// Quiet minutes before an episode resolves.
        public var resolveAfter = 10
        /// Minutes between two alerts on the same series.
        public var minSpacingMinutes = 60
        /// The series to watch (all by default).
        public var series = MailSeries.Name.allCases
        public var detector = DetectorChoice.baseline
        /// KNN-CAD learns from this many minutes before it alarms (two days).
        public var knnTrainingMinutes = 2 * 1_440
        /// `combined`: the baseline's robust z a KNN-CAD alarm needs.
        public var agreeZ = 3.0
        public init() {}
    }

    /// The detector settings for one mail series: per-minute counts are Poisson-like (scale at
    /// least √median), only rises matter, and a season is one day in one-hour slots.
    public static func configuration(for name: MailSeries.Name, _ o: Options) -> OnlineAnomalyDetector.Configuration {
        var c = OnlineAnomalyDetector.Configuration()
        c.direction = .up
        c.minimumDeviation = o.minimumDeviation
        c.baseline.window = 60
        c.baseline.minHistory = 30
        c.baseline.seasonPeriod = 86_400
        c.baseline.slotWidth = 3_600
        c.baseline.slotCapacity = 7 * 60
        c.baseline.minSlotHistory = 2 * 60
        c.baseline.minSeasons = 2
        c.baseline.threshold = o.threshold
        c.baseline.scaleFloor = 1
        c.baseline.poissonFloor = true
        c.baseline.nonNegative = true
        c.levelShift.drift = 1.0
        c.levelShift.limit = 10
        c.debounce = AlertDebouncer.Configuration(openAfter: o.openAfter, resolveAfter: o.resolveAfter, minSpacing: Double(o.minSpacingMinutes * 60))
        if name == .queue {
            // A level, not a count: a dead relay makes it climb steadily, which CUSUM sees first.
            c.baseline.seasonPeriod = nil
        }
        return c
    }

    /// Both detectors' settings for one mail series, with the policy of `o.detector`.
    public static func combinedConfiguration(for name: MailSeries.Name, _ o: Options) -> CombinedDetector.Configuration {
        var c = CombinedDetector.Configuration()
        c.baseline = configuration(for: name, o)
        c.policy = o.detector.policy
        c.agreeZ = o.agreeZ
        c.minSpacing = Double(o.minSpacingMinutes * 60)
        c.knn.training = max(o.knnTrainingMinutes, c.knn.dimension + 1)
        c.knn.direction = .up
        c.knn.scaleFloor = 1
        c.knn.debounce = AlertDebouncer.Configuration(openAfter: 1, resolveAfter: o.resolveAfter, minSpacing: Double(o.minSpacingMinutes * 60))
        return c
    }

    /// One alert as reported: times in RFC 3339, the detector's explanation and its evidence.
    public struct Alert: Codable, Sendable, Equatable {
        public var series: String
        public var detector: String
        public var direction: String
        public var start: String
        public var end: String?
        public var observed: Double
        public var expected: Double
        public var expectedLow: Double
        public var expectedHigh: Double
        public var robustZ: Double
        public var peak: Double
        public var peakTime: String
        public var minutes: Int
        public var reason: String
        /// For logs: the first raw lines of the opening minute for this series; for probes: the results behind it.
        public var evidence: [String]
    }

    public struct SeriesStats: Codable, Sendable { public var name: String; public var total: Double; public var max: Double; public var median: Double }

    /// What `mxray logs --anomalies` reports.
    public struct Report: Codable, Sendable {
        public var schema = "mxray.anomalies/1"
        /// The detector that watched the series (`DetectorChoice`).
        public var detector = "baseline"
        public var first: String? = nil
        public var last: String? = nil
        public var minutes = 0
        public var series: [SeriesStats] = []
        public var alerts: [Alert] = []
        /// Episodes within the minimum spacing of an earlier alert: merged, not alerted.
        public var suppressedEpisodes = 0
        /// The deferred-queue forecast (`QueueForecast`), when the queue grows at the end of the log.
        public var queueForecast: QueueForecast.Result? = nil
    }

    public static func iso(_ seconds: Double) -> String { LogTime.iso(Int64(seconds) * LogTime.microsPerSecond) }

    /// Runs the online detectors over every series in time order, as `--follow` would have seen them.
    public static func detect(_ s: MailSeries, options: Options = Options()) -> Report {
        var r = Report()
        r.detector = options.detector.rawValue
        r.minutes = s.minutes
        guard s.minutes > 0 else { return r }
        r.first = iso(Double(s.firstMinute * 60))
        r.last = iso(Double((s.firstMinute + Int64(s.minutes)) * 60 - 1))
        for name in options.series {
            let values = s.values[name] ?? []
            let sorted = values.sorted()
            r.series.append(SeriesStats(name: name.rawValue, total: values.reduce(0, +), max: sorted.last ?? 0,
                                        median: sorted.isEmpty ? 0 : RobustStats.medianOfSorted(sorted)))
            var d = CombinedDetector(series: name.rawValue, combinedConfiguration(for: name, options))
            let points = values.enumerated().map { SeriesPoint(time: Double((s.firstMinute + Int64($0.offset)) * 60), value: $0.element) }
            for a in d.run(points) { r.alerts.append(alert(a, evidence: s.lines(name, minute: Int64(a.start) / 60))) }
            r.suppressedEpisodes += d.suppressedEpisodes
        }
        r.alerts.sort { ($0.start, $0.series) < ($1.start, $1.series) }
        return r
    }
}
