import MailLogs
import TimeSeries

/// The deferred-queue forecast of `mxray logs`: from the per-minute queue-size series (messages
/// queued and not yet removed), the trend over the last hours and when the queue reaches a
/// limit, with its prediction interval. Reported only while the queue grows.
public enum QueueForecast {
    public struct Options: Sendable {
        /// Queue size that counts as trouble (messages).
        public var limit = 1_000.0
        /// How far ahead a crossing is looked for (seconds).
        public var horizon = 7.0 * 86_400
        /// The trend is fitted over at most this many of the last minutes.
        public var window = 180
        /// A queue below this size at the end is not worth a forecast.
        public var minimumSize = 10.0
        public init() {}
    }

    /// What the report shows (times RFC 3339).
    public struct Result: Codable, Sendable, Equatable {
        public var series = "queue size"
        public var method: String
        /// Minutes fitted and their span.
        public var points: Int
        public var from: String
        public var to: String
        /// Messages in the queue at the end of the log (observed) and the model's level there.
        public var observed: Double
        public var level: Double
        public var trendPerHour: Double
        public var residualSD: Double
        public var limit: Double
        public var confidence: Double
        public var horizonHours: Double
        public var alreadyCrossed: Bool
        /// When the point forecast reaches the limit, and the interval around it (nil: not within the horizon).
        public var crossing: String?
        public var crossingEarliest: String?
        public var crossingLatest: String?
        /// One sentence for the text report.
        public var summary: String
    }

    /// The forecast, or nil when the queue is small or not growing over the window.
    public static func forecast(_ s: MailSeries, options o: Options = Options()) -> Result? {
        forecast(firstMinute: s.firstMinute, values: s.values[.queue] ?? [], options: o)
    }

    /// From the summary's own backlog series (one pass over the files).
    public static func forecast(_ b: LogSummary.QueueBacklog, options o: Options = Options()) -> Result? {
        forecast(firstMinute: b.firstMinute, values: b.values, options: o)
    }

    static func forecast(firstMinute: Int64, values: [Double], options o: Options) -> Result? {
        guard values.count >= 10 else { return nil }
        let start = max(0, values.count - o.window)
        let points = (start..<values.count).map { SeriesPoint(time: Double((firstMinute + Int64($0)) * 60), value: values[$0]) }
        guard let last = points.last, let first = points.first, last.value >= o.minimumSize, last.value > first.value,
              let f = try? Forecaster.forecast(points, threshold: o.limit, direction: .above, horizon: o.horizon),
              f.slopePerSecond > 0 else { return nil }
        let iso = { (t: Double) in LogAnomalies.iso(t) }
        var r = Result(method: f.method.rawValue, points: points.count, from: iso(first.time), to: iso(last.time), observed: last.value,
                       level: (f.current * 10).rounded() / 10, trendPerHour: (f.slopePerSecond * 3_600 * 10).rounded() / 10,
                       residualSD: (f.residualSD * 100).rounded() / 100, limit: o.limit, confidence: f.confidence,
                       horizonHours: o.horizon / 3_600, alreadyCrossed: f.alreadyCrossed,
                       crossing: f.crossing.map(iso), crossingEarliest: f.crossingEarliest.map(iso), crossingLatest: f.crossingLatest.map(iso),
                       summary: "")
        let trend = "the queue grew to \(formatValue(last.value)) messages, \(formatValue(r.trendPerHour)) an hour over the last \(points.count) minutes (\(r.method))"
        if r.alreadyCrossed {
            r.summary = "\(trend); it is already at or above the limit of \(formatValue(o.limit))"
        } else if let c = r.crossing {
            let interval = "\(Int(f.confidence * 100)) % interval \(r.crossingEarliest ?? "?") … \(r.crossingLatest ?? "beyond \(formatValue(r.horizonHours)) h")"
            r.summary = "\(trend); at this rate it reaches \(formatValue(o.limit)) around \(c) (\(interval))"
        } else {
            r.summary = "\(trend); it does not reach \(formatValue(o.limit)) within \(formatValue(r.horizonHours)) h"
                + (r.crossingEarliest.map { " (the interval's edge does at \($0))" } ?? "")
        }
        return r
    }
}

/// `mxray logs --format json` with a forecast: the summary's own keys plus `forecasts`.
public struct LogReportWithForecast: Encodable {
    public var summary: LogSummary
    public var queue: QueueForecast.Result?
    public init(summary: LogSummary, queue: QueueForecast.Result?) { self.summary = summary; self.queue = queue }
    enum Keys: String, CodingKey { case forecasts }
    struct Forecasts: Encodable { var queue: QueueForecast.Result? }
    public func encode(to encoder: Encoder) throws {
        try summary.encode(to: encoder)
        guard let queue else { return }
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(Forecasts(queue: queue), forKey: .forecasts)
    }
}
