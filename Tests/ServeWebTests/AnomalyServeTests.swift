import Diagnosis
import Foundation
import Hummingbird
import HummingbirdTesting
import LabSupport
import Ledger
import MailWire
@testable import MXRayServer
import Testing

/// Anomaly detection in `mxray serve` against the real lab: a baseline of earlier runs in the
/// history (so the detectors must be rebuilt from it), then a short burst of added latency on
/// one lab address. The episode must reach every output: the run, /metrics, the history's
/// alerts, the Alertmanager webhook (explanation in the annotations), the evidence ledger and
/// the target page.
@Suite(.serialized) struct AnomalyServeTests {
    /// Earlier runs for the history: copies of a real run of the same target at five-minute
    /// steps, with the connect and step times spread by a few per cent (no two alike). The
    /// connect time is that of an idle loopback (at most 5 ms): the live run may be slowed by a
    /// loaded machine or another test's delay on the shared address, and the baseline must not be.
    static func baseline(from live: Report, runs: Int, endingBefore end: Date) -> [Report] {
        (0..<runs).map { i in
            var r = live
            let at = end.addingTimeInterval(-Double(runs - i) * 300)
            r.startedAt = at.addingTimeInterval(-live.durationSeconds)
            r.finishedAt = at
            let f = 0.9 + 0.2 * Double((i * 37) % 11) / 10
            r.ports = live.ports.map { p in
                var q = p
                q.connect = ConnectObservation(state: p.connect.state, milliseconds: min(p.connect.milliseconds, 5) * f, detail: p.connect.detail)
                q.steps = p.steps.map { StepTiming(name: $0.name, milliseconds: $0.milliseconds * f, result: $0.result) }
                return q
            }
            return r
        }
    }

    @Test func latencyBurstOnOneAddressOpensOneExplainedEpisodeEverywhere() async throws {
        let lab = try LabEnvironment.require()
        let address = try lab.address("GOOD_MX2")
        let sink = WebhookSink()
        try await WebhookReceiver.run(sink) { port in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mxray-anomaly-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let key = try NoteSignerKey.generate(name: "serve.test/evidence")
            let keyFile = dir + "/ledger.key"
            #expect(FileManager.default.createFile(atPath: keyFile, contents: Data(key.encoded.utf8), attributes: [.posixPermissions: 0o600]))
            let yaml = """
                listen: 127.0.0.1:0
                resolvers: [\(lab.resolver)]
                ca_file: \(lab.caFile)
                targets:
                  - {name: mx2, host: "\(address)", ports: [25], checks: [probe], timeout: 60s}
                history: {path: \(dir)/history.sqlite}
                auth: {disabled: true}
                alerts:
                  receivers: [{name: hook, webhook: "http://127.0.0.1:\(port)/hook", timeout: 5s}]
                anomalies: {severity: critical}
                ledger: {path: \(dir)/evidence.ledger, key_file: \(keyFile)}
                """
            let config = try ServeConfig.parse(yaml: yaml)
            #expect(config.ledger?.keyFile == keyFile && config.anomalies.severity == "critical")

            // A real run on a throwaway history gives the shape of the baseline.
            var probeConfig = config
            probeConfig.history.path = dir + "/probe.sqlite"
            let live = try #require(try await ServerContext(config: probeConfig).scheduler.runNow("mx2").report)
            #expect(live.ports.contains { $0.address == address && $0.port == 25 && $0.connect.state == .open }, "\(live.ports.map(\.subject))")

            // The history the server starts with: forty earlier runs.
            let context = try ServerContext(config: config)
            for r in Self.baseline(from: live, runs: 40, endingBefore: Date()) { _ = try await context.history.record(target: "mx2", report: r) }
            let app = Application(router: ServerApp.router(context: context))   // installs the alert service

            let connectKey = ProbeSeriesKey(target: "mx2", address: address, port: "25", series: "connect_seconds")
            let quiet = try await context.scheduler.runNow("mx2")
            #expect(!(quiet.anomalies ?? []).contains { $0.episode.key == connectKey }, "\(quiet.anomalies ?? [])")
            var text = String(decoding: context.metrics.exposition(), as: UTF8.self)
            #expect(text.contains(#"mxray_anomaly_active{target="mx2",address="\#(address)",port="25",series="connect_seconds"} 0"#))
            #expect(text.contains(#"mxray_forecast_latency_trend_seconds_per_day{target="mx2",address="\#(address)",port="25",series="connect_seconds"}"#))

            // Two runs with 800 ms added on the address: the second completes the episode (two
            // unusual runs in a row; the first if the quiet run was already slow). The delay is
            // removed whatever happens.
            defer { try? LabDelay.run([address, "off"]) }
            try LabDelay.run([address, "800"])
            let slow1 = try await context.scheduler.runNow("mx2")
            let slow2 = try await context.scheduler.runNow("mx2")
            try LabDelay.run([address, "off"])
            let opened = ((slow1.anomalies ?? []) + (slow2.anomalies ?? [])).filter { $0.status == .opened && $0.episode.key == connectKey }
            #expect(opened.count == 1, "episodes: \(((slow1.anomalies ?? []) + (slow2.anomalies ?? [])).map { "\($0.status) \($0.episode.key.subject)" })")
            let episode = try #require(opened.first).episode
            let a = episode.alert
            #expect(a.series == "connect_seconds" && a.direction == "up")
            #expect(a.observed >= 0.5, "connect took \(a.observed) s with 800 ms added")
            #expect(a.expectedHigh < 0.25 && a.robustZ >= 5, "\(a.reason)")
            #expect(a.reason.contains("above the normal range"), "\(a.reason)")
            #expect(!a.evidence.isEmpty && a.evidence.allSatisfy { $0.contains(address) && $0.contains("run #") }, "\(a.evidence)")

            // /metrics: the series is active and one episode was counted.
            text = String(decoding: context.metrics.exposition(), as: UTF8.self)
            #expect(text.contains(#"mxray_anomaly_active{target="mx2",address="\#(address)",port="25",series="connect_seconds"} 1"#))
            #expect(text.contains(#"mxray_anomaly_episodes_total{target="mx2",address="\#(address)",port="25",series="connect_seconds"} 1"#))
            #expect(text.contains(#"mxray_forecast_cert_expiry_seconds{target="mx2""#))
            let promtool = try LabEnvironment.run(["promtool", "check", "metrics"], input: text)
            #expect(promtool.status == 0, "promtool: \(promtool.output)")

            // The history has the alert event, the webhook the Alertmanager payload with the explanation.
            let stored = try context.history.alerts(target: "mx2")
            #expect(stored.contains { $0.rule == "anomaly" && $0.state == .firing && $0.severity == "critical" && $0.summary.contains("connect_seconds") })
            var alert: [String: Any]?
            let deadline = ContinuousClock.now + .seconds(20)
            while alert == nil, ContinuousClock.now < deadline {
                for body in await sink.bodies {
                    let json = try JSONSerialization.jsonObject(with: body) as? [String: Any]
                    alert = (json?["alerts"] as? [[String: Any]])?.first { ($0["labels"] as? [String: String])?["series"] == "connect_seconds" }
                    if alert != nil { break }
                }
                if alert == nil { try await Task.sleep(for: .milliseconds(100)) }
            }
            let found = try #require(alert, "no anomaly alert reached the webhook")
            let labels = found["labels"] as? [String: String] ?? [:]
            #expect(labels["alertname"] == "anomaly" && labels["target"] == "mx2" && labels["address"] == address && labels["port"] == "25")
            let notes = found["annotations"] as? [String: String] ?? [:]
            #expect(notes["summary"]?.contains("above the normal range") == true, "\(notes)")
            #expect(notes["expected_range"] != nil && notes["robust_z"] != nil && notes["evidence"]?.contains(address) == true, "\(notes)")

            // The evidence ledger: one anomaly entry naming the series; verify passes with the key.
            let scan = try LedgerFile.read(path: dir + "/evidence.ledger")
            let entries = scan.entries.filter { $0.entry.kind == "anomaly.connect_seconds" }
            #expect(entries.count == 1, "\(scan.entries.map(\.entry.kind))")
            let payload = try #require(entries.first?.entry.payloadText)
            #expect(payload.contains("\"series\":\"connect_seconds\"") && payload.contains(address) && payload.contains("\"target\":\"mx2\""), "\(payload)")
            let v = LedgerVerification.verify(scan, key: key.verifier)
            #expect(v.isValid && v.signedCheckpoints == v.entries, "\(v.problems)")

            // The target page shows the open episode and the forecasts.
            let session = UISession(id: "s", user: "admin", csrfToken: "c", expires: Date().addingTimeInterval(60))
            let html = try #require(try DashboardPages(context: context, session: session).target("mx2"))
            #expect(html.contains("id=\"anomalies\"") && html.contains("\(address):25 connect_seconds") && html.contains(">open<"))
            #expect(html.contains("id=\"forecasts\"") && html.contains("forecast-latency") && html.contains("forecast-certs"))

            // The overview links the open episodes; the API gives the same state as JSON.
            #expect(try DashboardPages(context: context, session: session).overview().contains("href=\"/targets/mx2#anomalies\""))
            try await app.test(.router) { client in
                try await client.execute(uri: "/api/targets/mx2/anomalies", method: .get) { r in
                    #expect(r.status == .ok)
                    let doc = try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any]
                    let episodes = doc?["episodes"] as? [[String: Any]] ?? []
                    let open = episodes.first { ($0["alert"] as? [String: Any])?["series"] as? String == "connect_seconds" }
                    #expect(open?["open"] as? Bool == true && open?["address"] as? String == address, "\(doc ?? [:])")
                    #expect((doc?["latencyForecasts"] as? [Any])?.isEmpty == false && (doc?["certificateForecasts"] as? [Any])?.isEmpty == false)
                }
            }
        }
    }
}
