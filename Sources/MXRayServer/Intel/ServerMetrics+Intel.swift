import Foundation
import Prometheus

extension ServerMetrics {
    static let intelHelp: [String: String] = [
        "mxray_anomaly_active": "1 while an anomaly episode is open on the probe series (connect_seconds, handshake_seconds, success, roundtrip_seconds, roundtrip_success), 0 when it is normal.",
        "mxray_anomaly_episodes_total": "Anomaly episodes opened on the probe series since the start.",
        "mxray_forecast_latency_trend_seconds_per_day": "Trend of a latency series (linear or Holt fit over recent runs), seconds per day.",
        "mxray_forecast_latency_threshold_crossing_seconds": "Seconds from the last run until the latency forecast crosses forecast.latency_limit (0 when already beyond it); absent when no crossing is forecast within forecast.horizon.",
        "mxray_forecast_latency_threshold_crossing_earliest_seconds": "Seconds until the prediction interval first reaches forecast.latency_limit; absent when not within forecast.horizon.",
        "mxray_forecast_cert_expiry_seconds": "Seconds until the leaf certificate of the endpoint expires, as of the last run.",
        "mxray_forecast_cert_renewal_due_timestamp_seconds": "When the certificate's renewal is due, from the lifetime left at earlier renewals (absent before a renewal was seen).",
    ]

    /// Replaces the target's anomaly and forecast gauges with `view`, and counts the episodes
    /// that opened in this run.
    func updateIntel(target: String, view: ProbeIntel.TargetView, opened: [ProbeSeriesKey]) {
        var gauges: [(String, [(String, String)], Double)] = []
        for (key, active) in view.series.sorted(by: { $0.key < $1.key }) {
            gauges.append(("mxray_anomaly_active", key.labels, active ? 1 : 0))
        }
        for l in view.latency {
            let f = l.forecast
            gauges.append(("mxray_forecast_latency_trend_seconds_per_day", l.key.labels, f.slopePerSecond * 86_400))
            if f.alreadyCrossed {
                gauges.append(("mxray_forecast_latency_threshold_crossing_seconds", l.key.labels, 0))
            } else if let s = f.secondsToCrossing, f.slopePerSecond > 0 {
                gauges.append(("mxray_forecast_latency_threshold_crossing_seconds", l.key.labels, s))
            }
            if let e = f.crossingEarliest { gauges.append(("mxray_forecast_latency_threshold_crossing_earliest_seconds", l.key.labels, max(0, e - f.lastTime))) }
        }
        for c in view.certificates {
            let labels = [("target", target), ("host", c.host), ("port", c.port)]
            gauges.append(("mxray_forecast_cert_expiry_seconds", labels, c.forecast.secondsLeft))
            if let due = c.forecast.renewalDue { gauges.append(("mxray_forecast_cert_renewal_due_timestamp_seconds", labels, due)) }
        }
        state.withLockedValue { s in
            s.version += 1
            var fresh: [String: Gauge] = [:]
            for (name, labels, value) in gauges {
                let key = Self.key(name, labels)
                let g = fresh[key] ?? s.intel[target]?[key] ?? targetRegistry.makeGauge(name: name, labels: labels, help: Self.intelHelp[name] ?? "")
                g.set(value)
                fresh[key] = g
            }
            for (key, stale) in s.intel[target] ?? [:] where fresh[key] == nil { targetRegistry.unregisterGauge(stale) }
            s.intel[target] = fresh
            for key in opened {
                let name = "mxray_anomaly_episodes_total"
                let ckey = Self.key(name, key.labels)
                let c = s.counters[target, default: [:]][ckey] ?? targetRegistry.makeCounter(name: name, labels: key.labels, help: Self.intelHelp[name] ?? "")
                s.counters[target, default: [:]][ckey] = c
                c.increment()
            }
        }
    }
}
