import Foundation
import Reporting
import TimeSeries

extension ProbeIntel.Event {
    /// The episode as an Alertmanager alert: `alertname="anomaly"` with the series in the labels
    /// (one alert per target, address, port and series) and the explanation in the annotations.
    func notice(severity: String, receivers: [String]) -> AlertNotice {
        let k = episode.key, a = episode.alert
        var labels = ["alertname": "anomaly", "target": k.target, "series": k.series, "severity": severity, "service": "mxray"]
        if !k.address.isEmpty { labels["address"] = k.address; labels["port"] = k.port }
        let start = ISO8601DateFormatter().date(from: a.start) ?? Date()
        let end = a.end.flatMap { ISO8601DateFormatter().date(from: $0) }
        return AlertNotice(
            status: status == .opened ? .firing : .resolved, rule: "anomaly", target: k.target, labels: labels,
            annotations: [
                "summary": "\(k.target) \(k.subject): \(a.reason)",
                "description": "\(a.detector) detector: observed \(formatValue(a.observed)), expected \(formatValue(a.expected)) "
                    + "(normal range \(formatValue(a.expectedLow)) to \(formatValue(a.expectedHigh))), robust z \(formatValue(a.robustZ)); "
                    + "peak \(formatValue(a.peak)) at \(a.peakTime), \(a.minutes) unusual run(s)",
                "observed": formatValue(a.observed),
                "expected": formatValue(a.expected),
                "expected_range": "\(formatValue(a.expectedLow)) to \(formatValue(a.expectedHigh))",
                "robust_z": formatValue(a.robustZ),
                "detector": a.detector,
                "evidence": a.evidence.joined(separator: "\n"),
            ],
            startsAt: start, endsAt: status == .resolved ? (end ?? Date()) : nil, receivers: receivers)
    }
}
