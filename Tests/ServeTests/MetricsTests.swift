import Diagnosis
import Foundation
import LabSupport
@testable import MXRayServer
import Testing

@Suite struct MetricsTests {
    static func exposition(_ reports: [(String, Report)]) -> String {
        let m = ServerMetrics(minRenderInterval: .zero)
        for (t, r) in reports { m.update(target: t, report: r, success: HistoryStore.isSuccess(r)) }
        return String(decoding: m.exposition(), as: UTF8.self)
    }

    @Test func namesAndSeriesFromAReport() {
        let text = Self.exposition([("mx1", ServeTestSupport.report(ports: [("127.0.20.1", 25, .open), ("127.0.20.1", 993, .refused)]))])
        for needle in [
            #"mxray_check_success{target="mx1",stage="overall"} 1"#,
            #"mxray_check_success{target="mx1",stage="probe"} 1"#,
            #"mxray_check_duration_seconds{target="mx1"} 1.25"#,
            #"mxray_port_up{target="mx1",address="127.0.20.1",port="993"} 0"#,
            #"mxray_tls_version_info{target="mx1",host="mx1.good.lab.test",port="25",version="TLSv1.3"} 1"#,
            // An unverified certificate still has its expiry exported.
            #"mxray_certificate_expiry_timestamp_seconds{target="mx1",host="mx1.good.lab.test",port="25",verified="false"} 2000000000"#,
            #"mxray_certificate_earliest_expiry_timestamp_seconds{target="mx1"} 2000000000"#,
            #"mxray_smtp_connect_duration_seconds_count{port="25"} 1"#,
            #"mxray_smtp_step_duration_seconds_bucket{step="banner",le="0.005"} 1"#,
            #"mxray_findings{target="mx1",severity="error"} 0"#,
            #"mxray_checks_total{target="mx1",result="success"} 1"#,
        ] {
            #expect(text.contains(needle), "missing \(needle)")
        }
        #expect(!text.contains("version=\"TLSv1.0\""))
    }

    @Test func staleSeriesGoAway() {
        let m = ServerMetrics(minRenderInterval: .zero)
        m.update(target: "a", report: ServeTestSupport.report(ports: [], versions: [.tls12, .tls13]), success: true)
        m.update(target: "a", report: ServeTestSupport.report(ports: [], versions: [.tls13]), success: true)
        var text = String(decoding: m.exposition(), as: UTF8.self)
        #expect(!text.contains(#"version="TLSv1.2""#))
        #expect(text.contains(#"version="TLSv1.3""#))
        m.retain(targets: [])
        text = String(decoding: m.exposition(), as: UTF8.self)
        #expect(!text.contains(#"target="a""#))
    }

    /// What Prometheus gets with `Accept-Encoding: gzip` decompresses to the plain exposition.
    @Test func gzipScrapeIsTheSameText() throws {
        let m = ServerMetrics(minRenderInterval: .zero)
        m.update(target: "a", report: ServeTestSupport.report(ports: [("127.0.20.1", 25, .open)]), success: true)
        let plain = m.scrape(gzip: false).flatMap { Array($0.readableBytesView) }
        let zipped = m.scrape(gzip: true).flatMap { Array($0.readableBytesView) }
        #expect(zipped.starts(with: [0x1f, 0x8b]))
        let dir = try ServeTestSupport.tempDir("gz")
        try Data(zipped).write(to: URL(fileURLWithPath: dir + "/m.gz"))
        let r = try LabEnvironment.run(["gzip", "-dc", dir + "/m.gz"])
        #expect(r.status == 0)
        #expect(r.output == String(decoding: plain, as: UTF8.self))
        // A second scrape without a new run reuses the rendering; a run invalidates it.
        #expect(m.scrape(gzip: false).first?.readableBytes == m.scrape(gzip: false).first?.readableBytes)
        m.update(target: "b", report: ServeTestSupport.report(ports: []), success: true)
        #expect(String(decoding: m.exposition(), as: UTF8.self).contains(#"target="b""#))
    }

    /// `promtool check metrics` (Debian package prometheus) accepts the exposition.
    @Test func promtoolAcceptsTheExposition() throws {
        let text = Self.exposition([
            ("mx1", ServeTestSupport.report(ports: [("127.0.20.1", 25, .open), ("127.0.20.1", 587, .open), ("127.0.20.1", 110, .open)])),
            ("mx2", ServeTestSupport.report(ports: [("127.0.20.2", 25, .filtered)], versions: [])),
        ])
        let r = try LabEnvironment.run(["promtool", "check", "metrics"], input: text)
        #expect(r.status == 0, "promtool: \(r.output)")
    }
}
