// TimeSeries — pure time-series analysis shared by logs, probes and the monitor:
// anomaly detectors (Anomaly/) and forecasts (Forecast/). Knows nothing of mail or the network.

/// One observation of a series: `time` in seconds since the Unix epoch (fractions allowed),
/// `value` in the series' own unit.
public struct SeriesPoint: Sendable, Hashable, Codable {
    public var time: Double
    public var value: Double

    public init(time: Double, value: Double) {
        self.time = time
        self.value = value
    }
}
