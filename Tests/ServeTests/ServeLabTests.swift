import Diagnosis
import Foundation
import Hummingbird
import HummingbirdTesting
import LabSupport
import NIOConcurrencyHelpers
@testable import MXRayServer
import Testing

/// The server core against the real lab: checks stored, metrics exported, reload over HTTP.
@Suite(.serialized) struct ServeLabTests {
    @Test func runNowStoresTheRunAndExportsMetrics() async throws {
        let lab = try LabEnvironment.require()
        let dir = try ServeTestSupport.tempDir("lab")
        let config = try ServeConfig.parse(yaml: ServeTestSupport.labConfigYAML(lab: lab, dir: dir, port: 0))
        let context = try ServerContext(config: config)
        let seen = NIOLockedBox()
        context.onRunCompleted { r in seen.append(r.target) }

        let first = try await context.scheduler.runNow("good")
        #expect(first.success, "good.lab.test failed: \(first.report?.findings.filter { $0.severity >= .error }.map(\.id) ?? [])")
        #expect(first.report?.ports.contains { $0.port == 25 && $0.connect.state == .open } == true)
        let second = try await context.scheduler.runNow("good")
        #expect(second.id > first.id)
        #expect(second.changes.filter { $0.kind != .ports }.isEmpty, "unexpected changes: \(second.changes)")
        #expect(try context.history.runCount(target: "good") == 2)
        #expect(seen.values == ["good", "good"])

        let text = String(decoding: context.metrics.exposition(), as: UTF8.self)
        #expect(text.contains(#"mxray_check_success{target="good",stage="overall"} 1"#))
        #expect(text.contains(#"mxray_certificate_earliest_expiry_timestamp_seconds{target="good"}"#))
        #expect(text.contains(#"mxray_tls_version_info{target="good""#))
        #expect(text.contains(#"mxray_mta_sts_valid{target="good""#))
        #expect(text.contains("mxray_dns_answer_duration_seconds_count"))
        let r = try LabEnvironment.run(["promtool", "check", "metrics"], input: text)
        #expect(r.status == 0, "promtool: \(r.output)")
    }

    @Test func httpMetricsHealthyAndReload() async throws {
        let lab = try LabEnvironment.require()
        let dir = try ServeTestSupport.tempDir("reload")
        let path = dir + "/mxray.yaml"
        let yaml = ServeTestSupport.labConfigYAML(lab: lab, dir: dir, port: 0)
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let context = try ServerContext(config: try ServeConfig.load(path: path), configPath: path)
        let app = ServerApp.application(context: context)
        try await app.test(.router) { client in
            try await client.execute(uri: "/-/healthy", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                #expect(String(buffer: response.body).contains("mxray_build_info"))
            }
            // A bad file: refused with the reason, the old configuration stays.
            try (yaml + "\nbogus: 1\n").write(toFile: path, atomically: true, encoding: .utf8)
            try await client.execute(uri: "/-/reload", method: .post) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("bogus: unknown key"))
            }
            #expect(context.config.targets.count == 2)
            #expect(context.lastReloadError?.contains("bogus") == true)
            #expect(String(decoding: context.metrics.exposition(), as: UTF8.self).contains("mxray_config_last_reload_successful 0"))
            // A good one with a third target.
            try yaml.replacingOccurrences(of: "\nhistory:", with: "\n  - {name: weak, domain: weak.lab.test}\nhistory:")
                .write(toFile: path, atomically: true, encoding: .utf8)
            try await client.execute(uri: "/-/reload", method: .post) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
            }
            #expect(context.config.targets.map(\.name) == ["good", "good-mx1", "weak"])
            #expect(context.lastReloadError == nil)
            #expect(context.scheduler.nextRuns().keys.sorted() == ["good", "good-mx1", "weak"])
        }
    }
}

/// A tiny thread-safe list for handler observations.
final class NIOLockedBox: Sendable {
    let box = NIOLockedValueBox<[String]>([])
    func append(_ s: String) { box.withLockedValue { $0.append(s) } }
    var values: [String] { box.withLockedValue { $0 } }
}
