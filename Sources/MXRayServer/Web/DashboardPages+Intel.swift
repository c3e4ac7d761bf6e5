import Foundation
import Reporting
import TimeSeries

/// The target page's anomaly and forecast sections (state from `ProbeIntel`).
extension DashboardPages {
    /// The overview's hint that a target has open anomaly episodes (after its verdict badge).
    func anomalyBadge(_ name: String) -> String {
        let n = context.intel.view(target: name).active.count
        guard n > 0 else { return "" }
        return " <a class=\"status firing\" href=\"/targets/\(WebFormat.pathComponent(name))#anomalies\">\(n) anomal\(n == 1 ? "y" : "ies")</a>"
    }

    func intelSections(_ name: String) -> [String] {
        let v = context.intel.view(target: name)
        var b: [String] = []
        var a = "<section id=\"anomalies\"><h2>Anomalies</h2>"
        if v.series.isEmpty {
            a += "<p class=\"muted\">No probe series yet: the detectors start with the first run.</p>"
        } else if v.active.isEmpty {
            a += "<p>\(v.series.count) probe series watched; all within their expected range.</p>"
        } else {
            a += "<p class=\"error\">\(v.active.count) open episode\(v.active.count == 1 ? "" : "s") of \(v.series.count) series watched.</p>"
        }
        let shown = v.active + v.recent.reversed().filter { r in !v.active.contains { $0.key == r.key && $0.alert.start == r.alert.start } }
        if !shown.isEmpty {
            a += "<table class=\"anomalies\"><thead><tr><th>Series</th><th>Since</th><th>State</th><th>Why</th><th>Evidence</th></tr></thead><tbody>"
            for e in shown.prefix(20) {
                let open = v.active.contains { $0.key == e.key && $0.alert.start == e.alert.start }
                a += "<tr><td>\(htmlEscape(e.key.subject))</td><td>\(htmlEscape(e.alert.start))</td>"
                    + "<td><span class=\"status \(open ? "firing" : "resolved")\">\(open ? "open" : "over")</span></td>"
                    + "<td>\(htmlEscape(e.alert.reason))</td><td><pre>\(htmlEscape(e.alert.evidence.joined(separator: "\n")))</pre></td></tr>"
            }
            a += "</tbody></table>"
        }
        b.append(a + "</section>")

        var f = "<section id=\"forecasts\"><h2>Forecasts</h2>"
        if v.latency.isEmpty && v.certificates.isEmpty {
            f += "<p class=\"muted\">Not enough runs for a forecast yet.</p>"
        }
        if !v.certificates.isEmpty {
            f += "<table class=\"forecast-certs\"><thead><tr><th>Certificate</th><th>Expires</th><th>Days left</th><th>Renewal</th></tr></thead><tbody>"
            // Endpoints usually share a certificate: one row per certificate (per notAfter).
            let groups = Dictionary(grouping: v.certificates, by: \.forecast.notAfter).sorted { $0.key < $1.key }
            for (_, certs) in groups {
                let fc = certs[0].forecast
                let names = certs.map(\.endpoint)
                let shown = names.count <= 4 ? names.joined(separator: ", ") : names.prefix(3).joined(separator: ", ") + " and \(names.count - 3) more"
                let renewal = fc.renewalDue.map { "due \(WebFormat.iso(Date(timeIntervalSince1970: $0)))\(fc.renewalOverdue ? " (overdue)" : "")" } ?? "no renewal seen yet"
                f += "<tr><td title=\"\(htmlEscape(names.joined(separator: ", ")))\">\(htmlEscape(shown))</td><td>\(htmlEscape(WebFormat.iso(Date(timeIntervalSince1970: fc.notAfter))))</td>"
                    + "<td>\(String(format: "%.1f", fc.daysLeft))</td><td>\(htmlEscape(renewal))</td></tr>"
            }
            f += "</tbody></table>"
        }
        if !v.latency.isEmpty {
            let limit = context.config.forecast.latencyLimitSeconds
            f += "<table class=\"forecast-latency\"><thead><tr><th>Series</th><th>Now</th><th>Trend per day</th><th>Reaches \(htmlEscape(formatValue(limit))) s</th><th>Method</th></tr></thead><tbody>"
            for l in v.latency {
                let fc = l.forecast
                var when = "not within the horizon"
                if fc.alreadyCrossed { when = "already beyond" }
                else if let c = fc.crossing, fc.slopePerSecond > 0 {
                    let range = [fc.crossingEarliest, fc.crossingLatest].map { $0.map { WebFormat.iso(Date(timeIntervalSince1970: $0)) } ?? "beyond the horizon" }
                    when = "\(WebFormat.iso(Date(timeIntervalSince1970: c))) (\(Int(fc.confidence * 100)) % interval \(range[0]) … \(range[1]))"
                }
                f += "<tr><td>\(htmlEscape(l.key.subject))</td><td>\(String(format: "%.1f ms", fc.current * 1000))</td>"
                    + "<td>\(String(format: "%+.2f ms", fc.slopePerSecond * 86_400 * 1000))</td><td>\(htmlEscape(when))</td><td>\(fc.method.rawValue), \(fc.points) runs</td></tr>"
            }
            f += "</tbody></table>"
        }
        b.append(f + "</section>")
        return b
    }
}
