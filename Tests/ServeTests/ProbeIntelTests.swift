import Diagnosis
import Foundation
import Ledger
import MailWire
@testable import MXRayServer
import Testing

/// The probe-series detectors without the lab: runs stored in a real history (SQLite), episodes
/// opened and resolved by runs with known connect times, the detectors rebuilt from the history
/// by a new `ProbeIntel` (a restart), the Alertmanager notice and the ledger entries.
@Suite struct ProbeIntelTests {
    static let t0 = 1_790_000_000.0

    /// A run of 127.0.20.1:25 at `t0 + i·300 s` with the given connect time (ms).
    static func report(_ i: Int, connectMs: Double) -> Report {
        var r = ServeTestSupport.report(ports: [("127.0.20.1", 25, .open)], at: Date(timeIntervalSince1970: t0 + Double(i) * 300))
        r.ports[0].connect = ConnectObservation(state: .open, milliseconds: connectMs)
        return r
    }

    /// Spread of a few per cent so the baseline is not constant.
    static func normal(_ i: Int) -> Double { 1.5 * (0.9 + 0.2 * Double((i * 37) % 11) / 10) }

    @Test func episodeOpensResolvesAndSurvivesARestart() async throws {
        let dir = try ServeTestSupport.tempDir("intel")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let history = try HistoryStore(path: dir + "/history.sqlite")
        for i in 0..<40 { _ = try await history.record(target: "t", report: Self.report(i, connectMs: Self.normal(i))) }

        let intel = ProbeIntel(history: history)
        let key = ProbeSeriesKey(target: "t", address: "127.0.20.1", port: "25", series: "connect_seconds")
        func feed(_ i: Int, _ ms: Double, into intel: ProbeIntel) async throws -> [ProbeIntel.Event] {
            var run = try await history.record(target: "t", report: Self.report(i, connectMs: ms))
            run.report = Self.report(i, connectMs: ms)
            return intel.observe(run).events
        }
        #expect(try await feed(40, Self.normal(40), into: intel).isEmpty)
        #expect(intel.view(target: "t").series[key] == false)
        // 400 ms twice: the second opens the episode (two unusual runs in a row).
        #expect(try await feed(41, 400, into: intel).isEmpty)
        let opened = try await feed(42, 420, into: intel)
        #expect(opened.map(\.status) == [.opened] && opened.first?.episode.key == key, "\(opened)")
        let a = try #require(opened.first).episode.alert
        #expect(a.observed == 0.42 && a.expectedHigh < 0.05 && a.robustZ > 5)
        #expect(a.evidence.count == 3 && a.evidence.last?.contains("127.0.20.1]:25") == true && a.evidence.last?.contains("420") == true, "\(a.evidence)")
        #expect(intel.view(target: "t").series[key] == true && intel.view(target: "t").active.first?.key == key)

        // A restart: a new ProbeIntel rebuilds the detectors from the history and remembers the
        // open episode (no second alert for it), then resolves it once the runs are normal again
        // (five quiet runs after the level-shift statistic has drained).
        let restarted = ProbeIntel(history: history)
        var events: [ProbeIntel.Event] = []
        events += try await feed(43, 430, into: restarted)
        #expect(events.isEmpty, "the open episode must not alert again after a restart: \(events)")
        #expect(restarted.view(target: "t").series[key] == true)
        for i in 44..<74 { events += try await feed(i, Self.normal(i), into: restarted) }
        #expect(events.map(\.status) == [.resolved] && events.first?.episode.alert.end != nil, "\(events)")

        // Without the history the same runs cannot be judged: 30 runs are needed first.
        let empty = try HistoryStore(path: dir + "/empty.sqlite")
        let blank = ProbeIntel(history: empty)
        var run = try await empty.record(target: "t", report: Self.report(60, connectMs: 400))
        run.report = Self.report(60, connectMs: 400)
        #expect(blank.observe(run).events.isEmpty)

        // The Alertmanager notice carries the explanation; the ledger gets one anomaly entry.
        let notice = opened[0].notice(severity: "critical", receivers: [])
        #expect(notice.status == .firing && notice.rule == "anomaly")
        #expect(notice.labels == ["alertname": "anomaly", "target": "t", "address": "127.0.20.1", "port": "25", "series": "connect_seconds",
                                  "severity": "critical", "service": "mxray"])
        #expect(notice.annotations["summary"]?.contains("connect_seconds 0.42 is above the normal range") == true, "\(notice.annotations)")
        #expect(notice.annotations["observed"] == "0.42" && notice.annotations["evidence"]?.contains("run #") == true)
        let signer = try NoteSignerKey.generate(name: "serve.test/intel")
        let keyFile = dir + "/k"
        #expect(FileManager.default.createFile(atPath: keyFile, contents: Data(signer.encoded.utf8), attributes: [.posixPermissions: 0o600]))
        let ledger = try EvidenceLedger(LedgerConfig(path: dir + "/evidence.ledger", keyFile: keyFile))
        // A rule alert fired by the evaluator goes in as well, under its rule name.
        var evaluator = AlertEvaluator(rules: [AlertRule(name: "MailTargetDown", condition: .targetDown(times: 1), severity: "critical")])
        let ruleNotices = evaluator.evaluate(.init(target: "t", at: Date(), success: false, durationSeconds: 1, changes: [], findings: [:],
                                                   previousFindings: nil, earliestCertificateExpiry: nil))
        try ledger.record(rules: ruleNotices, anomalies: opened + events)   // the resolution is not an entry
        let scan = try LedgerFile.read(path: dir + "/evidence.ledger")
        #expect(scan.entries.map(\.entry.kind) == ["alert.mailtargetdown", "anomaly.connect_seconds"])
        #expect(scan.entries[0].entry.payloadText.contains("\"rule\":\"MailTargetDown\"") && scan.entries[0].entry.payloadText.contains("\"target\":\"t\""))
        #expect(scan.entries[1].entry.payloadText.contains("\"series\":\"connect_seconds\""))
        #expect(LedgerVerification.verify(scan, key: signer.verifier).isValid)
    }

    /// A steadily rising connect time is forecast to cross the limit; a flat one is not.
    @Test func risingLatencyIsForecastToCrossTheLimit() async throws {
        let dir = try ServeTestSupport.tempDir("intel-forecast")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let history = try HistoryStore(path: dir + "/history.sqlite")
        var f = ForecastConfig()
        f.latencyLimitSeconds = 0.5
        let intel = ProbeIntel(history: history, forecast: f)
        var view = ProbeIntel.TargetView()
        // 10 ms more every run (every 5 minutes), 100 ms at the last: 0.5 s is reached 40 runs later.
        for i in 0..<10 {
            var run = try await history.record(target: "t", report: Self.report(i, connectMs: 10 + 10 * Double(i)))
            run.report = Self.report(i, connectMs: 10 + 10 * Double(i))
            view = intel.observe(run).view
        }
        let key = ProbeSeriesKey(target: "t", address: "127.0.20.1", port: "25", series: "connect_seconds")
        let fc = try #require(view.latency.first { $0.key == key }?.forecast)
        #expect(abs(fc.slopePerSecond * 300 - 0.01) < 0.001, "\(fc.slopePerSecond)")
        let s = try #require(fc.secondsToCrossing)
        #expect(abs(s - 40 * 300) < 300, "crossing in \(s) s")
        #expect(view.certificates.isEmpty == false)

        let metrics = ServerMetrics(minRenderInterval: .zero)
        metrics.updateIntel(target: "t", view: view, opened: [])
        let text = String(decoding: metrics.exposition(), as: UTF8.self)
        #expect(text.contains(#"mxray_forecast_latency_threshold_crossing_seconds{target="t",address="127.0.20.1",port="25",series="connect_seconds"}"#))
        #expect(text.contains(#"mxray_forecast_cert_expiry_seconds{target="t",host="mx1.good.lab.test",port="25"}"#))
        #expect(text.contains(#"mxray_anomaly_active{target="t",address="127.0.20.1",port="25",series="connect_seconds"} 0"#))
        // A target removed from the configuration loses its series.
        metrics.retain(targets: [])
        #expect(!String(decoding: metrics.exposition(), as: UTF8.self).contains("mxray_forecast_"))
    }
}
