import Foundation
import LabSupport
import Testing

/// A real Prometheus (Debian package, /usr/bin/prometheus) scrapes a lab-backed `mxray serve`
/// every second; the test reads the series back through Prometheus' HTTP API.
@Suite(.serialized) struct PrometheusScrapeTests {
    struct QueryResult: Decodable {
        struct Data: Decodable {
            struct Sample: Decodable {
                let metric: [String: String]
                let value: [ValueOrTime]
            }
            let result: [Sample]
        }
        enum ValueOrTime: Decodable {
            case time(Double), text(String)
            init(from decoder: any Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let d = try? c.decode(Double.self) { self = .time(d) } else { self = .text(try c.decode(String.self)) }
            }
            var text: String? { if case .text(let s) = self { s } else { nil } }
        }
        let status: String
        let data: Data
    }

    static func query(_ promPort: Int, _ q: String) throws -> [QueryResult.Data.Sample] {
        let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? q
        let r = try ServeTestSupport.http("GET", "http://127.0.0.1:\(promPort)/api/v1/query?query=\(encoded)")
        guard r.status == 200, let parsed = try? JSONDecoder().decode(QueryResult.self, from: Data(r.body.utf8)) else { return [] }
        return parsed.data.result
    }

    @Test func prometheusScrapesMetricsAndReadsThemBack() async throws {
        let lab = try LabEnvironment.require()
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/prometheus") else {
            Issue.record("/usr/bin/prometheus is missing: apt-get install prometheus")
            return
        }
        let dir = try ServeTestSupport.tempDir("prom")
        let servePort = try ServeTestSupport.freePort()
        let promPort = try ServeTestSupport.freePort()
        try ServeTestSupport.labConfigYAML(lab: lab, dir: dir, port: servePort, interval: "20s")
            .write(toFile: dir + "/mxray.yaml", atomically: true, encoding: .utf8)
        try """
            global: {scrape_interval: 1s, evaluation_interval: 1s}
            scrape_configs:
              - job_name: mxray
                metrics_path: /metrics
                static_configs: [{targets: ["127.0.0.1:\(servePort)"]}]
              - job_name: mxray-probe
                metrics_path: /probe
                scrape_interval: 5s
                scrape_timeout: 4s
                params: {module: [smtp_starttls]}
                static_configs: [{targets: ["mx1.good.lab.test:25"]}]
                relabel_configs:
                  - {source_labels: [__address__], target_label: __param_target}
                  - {source_labels: [__param_target], target_label: instance}
                  - {target_label: __address__, replacement: "127.0.0.1:\(servePort)"}
            """.write(toFile: dir + "/prometheus.yml", atomically: true, encoding: .utf8)
        let serve = try DaemonProcess(try ServeTestSupport.mxrayBinary(), ["serve", "--config", dir + "/mxray.yaml"], logPath: dir + "/serve.log")
        let prom = try DaemonProcess("/usr/bin/prometheus", [
            "--config.file=\(dir)/prometheus.yml", "--storage.tsdb.path=\(dir)/tsdb",
            "--web.listen-address=127.0.0.1:\(promPort)", "--log.level=warn",
        ], logPath: dir + "/prometheus.log")
        defer { Task { await prom.stop(); await serve.stop() } }

        let success = await DaemonProcess.poll(timeout: 120) { () -> [String: String]? in
            let samples = (try? Self.query(promPort, #"mxray_check_success{stage="overall"}"#)) ?? []
            let byTarget = Dictionary(samples.map { ($0.metric["target"] ?? "", $0.value.last?.text ?? "") }, uniquingKeysWith: { a, _ in a })
            return byTarget.count == 2 ? byTarget : nil
        }
        #expect(success == ["good": "1", "good-mx1": "1"], "serve log: \(serve.log.suffix(2000)) prometheus log: \(prom.log.suffix(1000))")
        let up = try Self.query(promPort, #"up{job="mxray"}"#)
        #expect(up.first?.value.last?.text == "1")
        let expiry = try Self.query(promPort, "mxray_certificate_earliest_expiry_timestamp_seconds - time()")
        #expect(expiry.count == 2)
        #expect(expiry.allSatisfy { Double($0.value.last?.text ?? "") ?? 0 > 86_400 }, "certificates expire within a day?")
        let versions = try Self.query(promPort, #"mxray_tls_version_info{target="good"}"#)
        #expect(versions.contains { $0.metric["version"] == "TLSv1.3" })
        let connect = try Self.query(promPort, #"sum(mxray_smtp_connect_duration_seconds_count)"#)
        #expect((Double(connect.first?.value.last?.text ?? "") ?? 0) >= 3, "connects to port 25: \(connect)")
        // /probe, blackbox style, through the same Prometheus.
        let probe = await DaemonProcess.poll(timeout: 30) { () -> [QueryResult.Data.Sample]? in
            let s = (try? Self.query(promPort, #"probe_success{job="mxray-probe"}"#)) ?? []
            return s.isEmpty ? nil : s
        }
        #expect(probe?.first?.value.last?.text == "1", "probe: \(String(describing: probe))")
        #expect(probe?.first?.metric["instance"] == "mx1.good.lab.test:25")
        let probeUp = try Self.query(promPort, #"up{job="mxray-probe"}"#)
        #expect(probeUp.first?.value.last?.text == "1")
        await prom.stop()
        await serve.stop()
    }
}
