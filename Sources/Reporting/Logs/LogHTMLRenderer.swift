import Foundation
import MailLogs
import TimeSeries

/// A self-contained HTML page (no scripts, no external resources) with inline SVG charts of the
/// per-minute (or per-hour) series.
public enum LogHTMLRenderer {
    public static func render(_ s: LogSummary, queueForecast: QueueForecast.Result? = nil) -> String {
        var h = """
        <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>mxray log summary</title>
        <style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0}
        td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}th{background:#f3f3f3}td:first-child{text-align:left}
        .alert{border-left:4px solid #c33;padding:.3em .8em;margin:.5em 0;background:#fff5f5}code{font-size:12px}
        svg{background:#fafafa;border:1px solid #ddd}</style></head><body>
        <h1>mxray log summary</h1>
        """
        h += "<p>\(htmlEscape(s.inputs.map { "\($0.name) (\($0.format), \($0.lines) lines)" }.joined(separator: ", "))) \(htmlEscape([s.first, s.last].compactMap { $0 }.joined(separator: " … ")))</p>"
        let t = s.totals
        h += "<h2>Grand totals</h2>" + table(["", "count"], [
            ["received", "\(t.received)"], ["delivered", "\(t.delivered)"], ["forwarded", "\(t.forwarded)"],
            ["deferred", "\(t.deferred) (\(t.deferrals) deferrals)"], ["bounced", "\(t.bounced)"], ["rejected", "\(t.rejected)"],
            ["reject warnings", "\(t.rejectWarnings)"], ["held", "\(t.held)"], ["discarded", "\(t.discarded)"],
            ["bytes received", "\(t.bytesReceived)"], ["bytes delivered", "\(t.bytesDelivered)"], ["senders", "\(t.senders)"],
            ["recipients", "\(t.recipients)"], ["smtpd connections", "\(t.connections)"],
        ])
        h += "<h2>Alerts</h2>"
        if s.alerts.isEmpty { h += "<p>none</p>" }
        for a in s.alerts {
            h += "<div class=\"alert\"><b>\(htmlEscape(a.kind.rawValue)): \(htmlEscape(a.subject))</b> \(htmlEscape(a.windowStart)) … \(htmlEscape(a.windowEnd))<br>\(htmlEscape(a.detail))<br>"
            for e in a.evidence.prefix(5) { h += "<code>\(htmlEscape(e))</code><br>" }
            h += "<i>\(htmlEscape(a.advice))</i></div>"
        }
        if let q = queueForecast {
            h += "<h2>Forecast: deferred queue</h2><p class=\"forecast\">\(htmlEscape(q.summary))</p>"
            h += table(["", "value"], [["fitted minutes", "\(q.points) (\(q.from) … \(q.to))"], ["method", q.method],
                                       ["messages now", formatValue(q.observed)], ["trend per hour", formatValue(q.trendPerHour)],
                                       ["limit", formatValue(q.limit)], ["reaches the limit", q.alreadyCrossed ? "already" : (q.crossing ?? "not within \(formatValue(q.horizonHours)) h")],
                                       ["\(Int(q.confidence * 100)) % interval", "\(q.crossingEarliest ?? "—") … \(q.crossingLatest ?? "—")"]])
        }
        let rows = s.perMinute.isEmpty ? s.perHour : s.perMinute
        let unit = s.perMinute.isEmpty ? "hour of day" : "minute"
        h += "<h2>Traffic per \(unit)</h2>"
        h += chart(rows, series: [("received", "#3a7", { $0.received }), ("delivered", "#37c", { $0.delivered }), ("rejected", "#c33", { $0.rejected }), ("deferred", "#e90", { $0.deferred })])
        h += chart(rows, series: [("connections", "#777", { $0.connections }), ("auth failures", "#c0c", { $0.authFailures }), ("5xx", "#900", { $0.fiveXX })])
        h += "<h2>Per hour</h2>" + table(["hour", "received", "delivered", "deferred", "bounced", "rejected"], s.perHour.map { [$0.label, "\($0.received)", "\($0.delivered)", "\($0.deferred)", "\($0.bounced)", "\($0.rejected)"] })
        func p(_ n: String, _ x: LogSummary.Percentiles) -> [String] { [n, "\(x.count)", String(format: "%.2f", x.p50), String(format: "%.2f", x.p90), String(format: "%.2f", x.p99), String(format: "%.2f", x.max)] }
        h += "<h2>Delays (s)</h2>" + table(["stage", "n", "p50", "p90", "p99", "max"], [p("total", s.delays.total), p("before qmgr", s.delays.beforeQueueManager), p("in qmgr", s.delays.inQueueManager), p("connection setup", s.delays.connectionSetup), p("transmission", s.delays.transmission)] + s.delays.perRelay.map { p($0.relay, $0.delay) })
        h += "<h2>Reply codes</h2>" + table(["code", "count"], s.replyCodes.map { [$0.key, "\($0.count)"] })
        for (name, rows) in [("Top senders", s.top.senders), ("Top recipients", s.top.recipients), ("Top relays", s.top.relays), ("Top clients", s.top.clients)] {
            h += "<h2>\(name)</h2>" + table(["", "count"], rows.map { [$0.key, "\($0.count)"] })
        }
        for (name, reasons) in [("Reject reasons", s.rejectReasons), ("Deferral reasons", s.deferralReasons), ("Bounce reasons", s.bounceReasons)] {
            h += "<h2>\(name)</h2>" + table(["reason", "count", "example"], reasons.map { [$0.reason, "\($0.count)", $0.examples.first ?? ""] })
        }
        h += "<h2>TLS</h2><p>\(s.tls.inboundTLS) of \(s.tls.inboundConnections) inbound connections used TLS.</p>" + table(["version", "count"], s.tls.versions.map { [$0.key, "\($0.count)"] })
        h += "<h2>Lines of unknown shape</h2>" + table(["program", "count", "sample"], s.unknown.map { [$0.program, "\($0.count)", $0.samples.first ?? ""] })
        return h + "</body></html>\n"
    }

    static func table(_ header: [String], _ rows: [[String]]) -> String {
        var h = "<table><tr>" + header.map { "<th>\(htmlEscape($0))</th>" }.joined() + "</tr>"
        for r in rows { h += "<tr>" + r.map { "<td>\(htmlEscape($0))</td>" }.joined() + "</tr>" }
        return h + "</table>"
    }

    /// Inline SVG line chart: one polyline per series, axis labels at the ends.
    static func chart(_ rows: [LogSummary.Row], series: [(String, String, (LogSummary.Row) -> Int64)]) -> String {
        let w = 900.0, hgt = 220.0, pad = 30.0
        let maxV = max(1, series.flatMap { s in rows.map(s.2) }.max() ?? 1)
        let n = max(rows.count - 1, 1)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(hgt))\" role=\"img\">"
        svg += "<text x=\"2\" y=\"14\" font-size=\"11\">\(maxV)</text><text x=\"2\" y=\"\(Int(hgt - 4))\" font-size=\"11\">0</text>"
        if let f = rows.first, let l = rows.last {
            svg += "<text x=\"\(Int(pad))\" y=\"\(Int(hgt - 4))\" font-size=\"11\">\(htmlEscape(f.label))</text><text x=\"\(Int(w - 60))\" y=\"\(Int(hgt - 4))\" font-size=\"11\">\(htmlEscape(l.label))</text>"
        }
        for (i, s) in series.enumerated() {
            let pts = rows.enumerated().map { k, r -> String in
                let x = pad + (w - 2 * pad) * Double(k) / Double(n)
                let y = hgt - pad - (hgt - 2 * pad) * Double(s.2(r)) / Double(maxV)
                return String(format: "%.1f,%.1f", x, y)
            }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(s.1)\" stroke-width=\"1.5\" points=\"\(pts)\"/>"
            svg += "<text x=\"\(Int(pad) + 110 * i)\" y=\"14\" font-size=\"12\" fill=\"\(s.1)\">\(htmlEscape(s.0))</text>"
        }
        return svg + "</svg>"
    }
}
