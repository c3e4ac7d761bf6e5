import Foundation
import Hummingbird
import HummingbirdTesting
import LabSupport
import NIOCore
import Testing
@testable import MXRayServer

/// `/probe` against the real lab servers.
@Suite(.serialized) struct ProbeEndpointTests {
    static func value(_ metric: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(metric + " ") {
            return Double(line.split(separator: " ").last ?? "")
        }
        return nil
    }

    @Test func everyModuleSucceedsOnTheGoodLabMX() async throws {
        let lab = try LabEnvironment.require()
        let mx = try lab.address("GOOD_MX1")
        let context = try ServerContext(config: WebTestSupport.config(lab: lab))
        try await WebTestSupport.app(context).test(.router) { client in
            for module in ProbeModule.builtIn.map(\.name) {
                let text = try await client.execute(uri: "/probe?target=\(mx)&module=\(module)", method: .get, headers: WebTestSupport.bearer) { r in
                    #expect(r.status == .ok)
                    #expect(r.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                    return String(buffer: r.body)
                }
                #expect(Self.value("probe_success", in: text) == 1, "\(module): \(text)")
                #expect((Self.value("probe_duration_seconds", in: text) ?? -1) > 0)
                #expect(text.contains("probe_mail_step_duration_seconds{step=\"connect\"}"))
                #expect(text.contains("probe_mail_step_duration_seconds{step=\"greeting\"}"), "\(module)")
                #expect(text.contains("probe_tls_version_info{version=\"TLSv1."), "\(module)")
                #expect((Self.value("probe_ssl_earliest_cert_expiry", in: text) ?? 0) > Date().timeIntervalSince1970)
            }
        }
    }

    @Test func closedPortFailsWithReason() async throws {
        let lab = try LabEnvironment.require()
        let closed = try lab.address("BROKEN_CLOSED")
        let context = try ServerContext(config: WebTestSupport.config(lab: lab))
        try await WebTestSupport.app(context).test(.router) { client in
            let text = try await client.execute(uri: "/probe?target=\(closed):25&module=smtp_starttls", method: .get, headers: WebTestSupport.bearer) { r in
                #expect(r.status == .ok)
                return String(buffer: r.body)
            }
            #expect(Self.value("probe_success", in: text) == 0)
            #expect(text.contains("probe_mail_failure_info{reason=\"connect refused"))
        }
    }

    /// The dropped address never answers: the probe must end before Prometheus' scrape timeout.
    @Test func honoursTheScrapeTimeoutHeader() async throws {
        let lab = try LabEnvironment.require()
        let dropped = try lab.address("BROKEN_DROPPED")
        let context = try ServerContext(config: WebTestSupport.config(lab: lab))
        try await WebTestSupport.app(context).test(.router) { client in
            var headers = WebTestSupport.bearer
            headers[.init("X-Prometheus-Scrape-Timeout-Seconds")!] = "2"
            let start = ContinuousClock.now
            let text = try await client.execute(uri: "/probe?target=\(dropped)&module=smtp_starttls", method: .get, headers: headers) { r in
                String(buffer: r.body)
            }
            let elapsed = ContinuousClock.now - start
            #expect(Self.value("probe_success", in: text) == 0)
            #expect(elapsed < .seconds(2), "took \(elapsed)")
            #expect((Self.value("probe_duration_seconds", in: text) ?? 9) <= 1.8)
        }
    }

    /// Every SSRF spelling in the list is refused with 403 and nothing is connected to; the
    /// allowed lab address works through the same endpoint (test above).
    @Test func refusesEverySSRFSpelling() async throws {
        let lab = try LabEnvironment.require()
        let context = try ServerContext(config: WebTestSupport.config(lab: lab))
        let refused = AddressPolicyTests.numericSpellings + [
            "127.0.0.1", "localhost", "169.254.169.254", "[fd00:ec2::254]", "[fe80::1]:25", "[::ffff:127.0.20.1]:25",
            "[::ffff:7f00:1401]", "[::1]:25", "0.0.0.0", "nonexistent.good.lab.test", "good.lab.test",
        ]
        try await WebTestSupport.app(context).test(.router) { client in
            for target in refused {
                let enc = target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? target
                try await client.execute(uri: "/probe?target=\(enc)&module=smtp_starttls", method: .get, headers: WebTestSupport.bearer) { r in
                    #expect(r.status == .forbidden, "\(target) → \(r.status): \(String(buffer: r.body))")
                    #expect(String(buffer: r.body).hasPrefix("probe refused"), "\(target)")
                }
            }
            try await client.execute(uri: "/probe?target=127.0.20.1&module=nope", method: .get, headers: WebTestSupport.bearer) { r in
                #expect(r.status == .badRequest)
            }
            try await client.execute(uri: "/probe?target=127.0.20.1&module=smtp_starttls", method: .get) { r in
                #expect(r.status == .unauthorized)
                #expect(r.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            }
            try await client.execute(uri: "/metrics", method: .get) { r in #expect(r.status == .unauthorized) }
            try await client.execute(uri: "/metrics", method: .get, headers: WebTestSupport.bearer) { r in #expect(r.status == .ok) }
        }
    }
}
