import Foundation
import Testing
import MailLogs
import Reporting
@testable import MXRayCLI

/// The deferred-queue forecast in `mxray logs` reports (text, JSON, HTML), on generated logs
/// whose queue size is known: three messages a minute, all delivered for the first half, all
/// deferred (a dead next hop) from then on, so the queue grows three messages a minute.
@Suite struct LogsForecastTests {
    static func log(deferFrom: Int, minutes: Int = 180) -> String {
        let start = 1_793_577_600.0   // 2026-11-02T00:00:00Z
        let f = ISO8601DateFormatter()
        var lines: [String] = []
        var q = 0
        func emit(_ t: Double, _ prog: String, _ text: String) {
            lines.append("\(f.string(from: Date(timeIntervalSince1970: t))) mx1 \(prog)[\(4000 + q)]: \(text)")
        }
        for m in 0..<minutes {
            for k in 0..<3 {
                q += 1
                let t = start + Double(m * 60 + k * 15 + 1)
                let id = String(format: "7C%08X", q)
                emit(t, "postfix/smtpd", "connect from mail.example.net[192.0.2.10]")
                emit(t + 1, "postfix/smtpd", "\(id): client=mail.example.net[192.0.2.10]")
                emit(t + 2, "postfix/qmgr", "\(id): from=<ann@example.net>, size=2048, nrcpt=1 (queue active)")
                if m < deferFrom {
                    emit(t + 3, "postfix/smtp", "\(id): to=<bob@remote.example>, relay=mx.remote.example[198.51.100.7]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok)")
                    emit(t + 4, "postfix/qmgr", "\(id): removed")
                } else {
                    emit(t + 3, "postfix/smtp", "\(id): to=<bob@remote.example>, relay=none, delay=30, delays=0.1/0/30/0, dsn=4.4.1, status=deferred (connect to mx.remote.example[198.51.100.7]:25: Connection timed out)")
                }
                emit(t + 5, "postfix/smtpd", "disconnect from mail.example.net[192.0.2.10] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func write(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "mxray-queue-\(UUID().uuidString).log"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The command's own steps (parse, run, forecast, render), without capturing stdout.
    static func report(_ args: [String]) throws -> (LogSummary, QueueForecast.Result?, LogsCommand) {
        let cmd = try LogsCommand.parse(args)
        try cmd.validate()
        let r = cmd.runner()
        let s = try r.run(cmd.files)
        return (s, cmd.queueForecast(s), cmd)
    }

    @Test func growingQueueIsForecastInEveryFormat() throws {
        let path = try Self.write(Self.log(deferFrom: 90))
        defer { unlink(path) }
        let (s, q, cmd) = try Self.report([path, "--format", "json", "--queue-limit", "1000"])
        #expect(s.alerts.contains { $0.kind == .queueGrowth }, "the generated log must trip the queue-growth rule")
        let f = try #require(q, "no forecast although the queue grew")
        // 3 messages a minute = 180 an hour; the last 90 minutes end at 270 messages.
        #expect(f.trendPerHour > 150 && f.trendPerHour < 210, "\(f.trendPerHour)")
        #expect(f.observed >= 260 && f.observed <= 270, "\(f.observed)")
        #expect(!f.alreadyCrossed)
        // (1000 − 270) / 180 per hour ≈ 4 h after the end of the log (02:59): around 07:00.
        let crossing = try #require(f.crossing)
        #expect(crossing > "2026-11-02T06:00:00Z" && crossing < "2026-11-02T08:00:00Z", "\(crossing)")
        // The interval: its near edge comes first; its far edge may lie beyond the 7-day horizon (nil).
        let early = try #require(f.crossingEarliest)
        #expect(early < crossing && f.crossingLatest.map { crossing < $0 } ?? true)

        let json = try cmd.render(s, queue: q)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(doc["schema"] as? String == "mxray.logs/1" && doc["totals"] != nil, "the summary's keys stay")
        let fq = try #require((doc["forecasts"] as? [String: Any])?["queue"] as? [String: Any])
        #expect(fq["crossing"] as? String == crossing && fq["limit"] as? Double == 1000)

        let text = try LogsCommand.parse([path]).render(s, queue: q)
        #expect(text.contains("Forecast: deferred queue") && text.contains("reaches 1000 around \(crossing)"), "\(text.prefix(2000))")
        let html = try LogsCommand.parse([path, "--format", "html"]).render(s, queue: q)
        #expect(html.contains("<h2>Forecast: deferred queue</h2>") && html.contains(crossing))
    }

    /// `--anomalies` has the queue series anyway: its report carries the same forecast.
    @Test func anomalyReportCarriesTheQueueForecast() throws {
        let path = try Self.write(Self.log(deferFrom: 90))
        defer { unlink(path) }
        let cmd = try LogsCommand.parse(["--anomalies", path])
        let series = try cmd.runner().series([path])
        var o = QueueForecast.Options()
        o.limit = 1000
        let direct = try #require(QueueForecast.forecast(series, options: o))
        var report = LogAnomalies.detect(series)
        report.queueForecast = direct
        let text = LogAnomalyRenderer.render(report)
        #expect(text.contains("Forecast: deferred queue") && text.contains(direct.summary))
        let json = try JSONOutput.encode(report)
        #expect(json.contains("\"queueForecast\"") && json.contains(direct.crossing ?? "-"))
        // The summary's own single-pass backlog gives the same forecast as the anomaly series.
        let (_, single, _) = try Self.report([path, "--queue-limit", "1000"])
        let s1 = try #require(single)
        #expect(abs(s1.trendPerHour - direct.trendPerHour) <= 0.1 * direct.trendPerHour, "\(s1.trendPerHour) vs \(direct.trendPerHour)")
        #expect(abs(s1.observed - direct.observed) <= 2, "\(s1.observed) vs \(direct.observed)")
    }

    /// No growth: no forecast and the JSON is the summary alone; --no-forecast skips it even with growth.
    @Test func steadyQueueHasNoForecast() throws {
        let steady = try Self.write(Self.log(deferFrom: 10_000))
        defer { unlink(steady) }
        let (s, q, cmd) = try Self.report([steady, "--format", "json", "--forecast"])
        #expect(q == nil)
        #expect(!(try cmd.render(s, queue: q)).contains("\"forecasts\""))

        let growing = try Self.write(Self.log(deferFrom: 90))
        defer { unlink(growing) }
        #expect(try Self.report([growing, "--no-forecast"]).1 == nil)
    }
}
