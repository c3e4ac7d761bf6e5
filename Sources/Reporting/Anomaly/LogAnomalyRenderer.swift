import TimeSeries

/// Renders `LogAnomalies.Report` as text or Markdown (JSON goes through `JSONOutput`).
public enum LogAnomalyRenderer {
    public static func render(_ r: LogAnomalies.Report, markdown: Bool = false) -> String {
        var out = markdown ? "# Anomalies\n\n" : "Anomalies\n=========\n"
        if let first = r.first, let last = r.last { out += "\(markdown ? "" : "")\(r.minutes) minutes from \(first) to \(last)\n" }
        else { out += "No timestamped lines: nothing to analyse.\n"; return out }
        out += "\n"
        out += markdown ? "| series | total | busiest minute | median per minute |\n|---|---:|---:|---:|\n" : ""
        for s in r.series {
            if markdown { out += "| \(s.name) | \(formatValue(s.total)) | \(formatValue(s.max)) | \(formatValue(s.median)) |\n" }
            else { out += "  \(pad(s.name, 16)) total \(pad(formatValue(s.total), 8)) busiest minute \(pad(formatValue(s.max), 6)) median \(formatValue(s.median))\n" }
        }
        out += "\n"
        if r.alerts.isEmpty {
            out += "No anomalies: every series stayed within its expected range.\n"
        }
        for (i, a) in r.alerts.enumerated() {
            let when = a.end.map { "\(a.start) to \($0)" } ?? "\(a.start), still open at the end of the log"
            out += markdown ? "## \(i + 1). \(a.series): \(a.detector)\n\n" : "[\(i + 1)] \(a.series) (\(a.detector)) \(when)\n"
            if markdown { out += "- when: \(when)\n- " } else { out += "    " }
            out += "\(a.reason)\n"
            let peak = "peak \(formatValue(a.peak)) at \(a.peakTime); \(a.minutes) unusual minute\(a.minutes == 1 ? "" : "s")"
            out += markdown ? "- \(peak)\n" : "    \(peak)\n"
            if !a.evidence.isEmpty {
                out += markdown ? "- evidence (first lines of \(a.start)):\n\n```\n" : "    evidence (first lines of that minute):\n"
                for line in a.evidence { out += markdown ? "\(line)\n" : "      \(line)\n" }
                if markdown { out += "```\n" }
            }
            out += "\n"
        }
        if let q = r.queueForecast {
            out += markdown ? "## Forecast: deferred queue\n\n\(q.summary)\n\n" : "Forecast: deferred queue\n    \(q.summary)\n\n"
        }
        if r.suppressedEpisodes > 0 {
            out += "\(r.suppressedEpisodes) further episode\(r.suppressedEpisodes == 1 ? "" : "s") within the minimum spacing of an earlier alert were merged into it.\n"
        }
        return out
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
}
