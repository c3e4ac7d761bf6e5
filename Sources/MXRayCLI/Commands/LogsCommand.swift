import ArgumentParser
import Foundation
import MailLogs
import Reporting

struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Summarise mail server logs: traffic, rejects, delays, TLS, SASL, and alerts (brute force, spikes, queue growth, failing relays).",
        discussion: """
        Reads Postfix and Dovecot syslog files, Exim mainlog, Exchange message tracking CSV and
        `journalctl -o json` exports, plain or .gz, several at once; `-` reads stdin. The format is
        detected per file unless --format-in is given. Traditional syslog timestamps get their year
        from the file's modification time (or --year). Totals use pflogsumm's names and rules; see
        docs/logs.md for where mxray deliberately counts differently.

        Example:
          mxray logs /var/log/mail.log /var/log/mail.log.1.gz
          mxray logs --format json --since 2026-11-29T00:00:00Z /var/log/mail.log
          mxray logs --forecast --queue-limit 500 /var/log/mail.log
          mxray logs --anomalies /var/log/mail.log /var/log/mail.log.1
          mxray logs --anomalies --ledger evidence.ledger --ledger-key-file /etc/mxray/ledger.key /var/log/mail.log
          journalctl -u postfix -o json | mxray logs - --format html > report.html
        """
    )

    @Argument(help: "Log files (`.gz` allowed); `-` for stdin.") var files: [String] = []
    @Option(help: "Output: text, json, html, markdown, prometheus.") var format: String = "text"
    @Option(name: .customLong("format-in"), help: "Force the input format: postfix, dovecot, syslog, exim, exchange, journald.") var formatIn: String?
    @Option(help: "Only lines at or after this RFC 3339 time.") var since: String?
    @Option(help: "Only lines before this RFC 3339 time.") var until: String?
    @Option(help: "Year of the newest line, for syslog timestamps without one.") var year: Int?
    @Flag(help: "Keep reading the (single) file as it grows, across rotation; prints alerts as they appear and a summary every --interval seconds.") var follow = false
    @Option(help: "Seconds between summaries with --follow.") var interval: Int = 60
    @Flag(help: "Report anomalies instead of the summary: per-minute series (connections, rejects, 4xx/5xx, deferrals, auth failures, queue size) against a robust seasonal baseline and a level-shift detector, one explained alert per episode (text, json or markdown).") var anomalies = false
    @Option(help: "With --anomalies: the detector, baseline (robust seasonal baseline + CUSUM), knn (KNN-CAD, alarms after two days of log) or combined (both; a KNN-CAD alarm needs the baseline to agree).") var detector: String = "baseline"
    @Option(help: "Consecutive authentication failures that make a brute-force alert.") var bruteForce: Int = 3
    @Option(help: "Consecutive failed attempts to one relay that make an alert.") var relayFailures: Int = 5
    @Option(help: "Exact counting up to this many distinct keys per table, then heavy hitters.") var cardinality: Int = 50_000
    @Option(help: "Rows in each top table.") var top: Int = 10
    @Option(help: "Threads for large files (default: the number of cores).") var threads: Int?
    @Option(name: .customLong("queue-limit"), help: "Queue size (messages) the deferred-queue forecast looks for.") var queueLimit: Double = 1_000
    @Flag(inversion: .prefixedNo, help: "Forecast the deferred queue (trend, time until --queue-limit, interval). Default: when the queue-growth alert fires; --forecast always, --no-forecast never. Made from the same single pass over the input.") var forecast: Bool?
    @OptionGroup var ledgerAlerts: LedgerAlertOptions

    func validate() throws {
        guard ["text", "json", "html", "markdown", "prometheus"].contains(format) else { throw ValidationError("--format must be text, json, html, markdown or prometheus") }
        if let formatIn, LogFormat(rawValue: formatIn) == nil { throw ValidationError("--format-in must be one of \(LogFormat.allCases.map(\.rawValue).joined(separator: ", "))") }
        if files.isEmpty { throw ValidationError("give at least one log file, or - for stdin") }
        if follow, files.count != 1 || files[0] == "-" { throw ValidationError("--follow takes exactly one file") }
        if anomalies, follow || files.contains("-") || !["text", "json", "markdown"].contains(format) { throw ValidationError("--anomalies reads files (not stdin, not --follow) and writes text, json or markdown") }
        if LogAnomalies.DetectorChoice(rawValue: detector) == nil { throw ValidationError("--detector must be baseline, knn or combined") }
        if let since, Self.time(since) == nil { throw ValidationError("--since must be RFC 3339, e.g. 2026-11-29T00:00:00Z") }
        if let until, Self.time(until) == nil { throw ValidationError("--until must be RFC 3339, e.g. 2026-11-29T00:00:00Z") }
        if bruteForce < 1 || relayFailures < 1 || cardinality < 16 || top < 1 || !(queueLimit > 0) { throw ValidationError("thresholds must be positive") }
    }

    static func time(_ s: String) -> Int64? {
        withLineBytes(s) { b in LogTime.rfc3339(b, at: 0).flatMap { $0.end == b.count ? $0.micros : nil } }
    }

    func runner() -> LogRunner {
        var r = LogRunner()
        r.formatIn = formatIn.flatMap(LogFormat.init(rawValue:))
        r.year = year
        r.options.since = since.flatMap(Self.time)
        r.options.until = until.flatMap(Self.time)
        r.options.alerts.bruteForceThreshold = bruteForce
        r.options.alerts.relayFailureThreshold = relayFailures
        r.options.cardinalityCap = cardinality
        r.options.top = top
        r.options.keepQueueBacklog = forecast == true
        r.threads = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        return r
    }

    func render(_ s: LogSummary, queue: QueueForecast.Result? = nil) throws -> String {
        switch format {
        case "json": return try (queue == nil ? JSONOutput.encode(s) : JSONOutput.encode(LogReportWithForecast(summary: s, queue: queue))) + "\n"
        case "html": return LogHTMLRenderer.render(s, queueForecast: queue)
        case "markdown": return LogTextRenderer.render(s, markdown: true, queueForecast: queue)
        case "prometheus": return LogPrometheusRenderer.render(s)
        default: return LogTextRenderer.render(s, queueForecast: queue)
        }
    }

    /// The deferred-queue forecast from the summary's per-minute backlog (kept by the aggregator when
    /// the queue-growth alert fired, or always with --forecast): the files are read once.
    func queueForecast(_ s: LogSummary) -> QueueForecast.Result? {
        guard format != "prometheus", forecast ?? true, let b = s.queueBacklog else { return nil }
        var o = QueueForecast.Options()
        o.limit = queueLimit
        return QueueForecast.forecast(b, options: o)
    }

    func run() throws {
        let r = runner()
        if follow {
            try LogFollower(runner: r, path: files[0], interval: interval) { summary, newAlerts in
                var text = ""
                for a in newAlerts { text += "ALERT \(a.kind.rawValue) \(a.subject) [\(a.windowStart) … \(a.windowEnd)]: \(a.detail)\n" }
                do { try ledgerAlerts.record(newAlerts) } catch { FileHandle.standardError.write(Data("mxray: ledger: \(error)\n".utf8)) }
                if let summary { text += (try? render(summary)) ?? "" }
                FileHandle.standardOutput.write(Data(text.utf8))
            }.run()
            return
        }
        if anomalies {
            do {
                let series = try r.series(files)
                var options = LogAnomalies.Options()
                options.detector = LogAnomalies.DetectorChoice(rawValue: detector) ?? .baseline
                var report = LogAnomalies.detect(series, options: options)
                if forecast != false {
                    var o = QueueForecast.Options()
                    o.limit = queueLimit
                    report.queueForecast = QueueForecast.forecast(series, options: o)
                }
                try ledgerAlerts.recordAnomalies(report.alerts)
                let text = format == "json" ? try JSONOutput.encode(report) + "\n" : LogAnomalyRenderer.render(report, markdown: format == "markdown")
                FileHandle.standardOutput.write(Data(text.utf8))
                return
            } catch let e as LogInputError {
                throw MXRayError.couldNotRun(e.description)
            }
        }
        do {
            let s = try r.run(files)
            try ledgerAlerts.record(s.alerts)
            FileHandle.standardOutput.write(Data(try render(s, queue: queueForecast(s)).utf8))
        } catch let e as LogInputError {
            throw MXRayError.couldNotRun(e.description)
        }
    }
}
