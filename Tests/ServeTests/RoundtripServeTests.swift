import Foundation
import LabSupport
@testable import MXRayServer
import Testing

/// The scheduled round trip (issue 10 in `serve`) against the lab's flow address: submission
/// 587 STARTTLS, IMAP 993, the lab CA; stored, exported, and fed to the "round-trip too slow" rule.
@Suite(.serialized) struct RoundtripServeTests {
    /// The password variable the configs name (set from the lab's env file when the shell did not export it).
    static let passwordEnv = "MXRAY_LAB_PASSWORD"

    static func yaml(lab: LabEnvironment, dir: String, passwordEnv: String = passwordEnv) -> String {
        let flow = lab.values["MXRAY_LAB_GOOD_FLOW"] ?? "127.0.20.3"
        return """
        listen: 127.0.0.1:0
        resolvers: [\(lab.resolver)]
        ca_file: \(lab.caFile)
        targets:
          - name: flow-rt
            host: mx1.good.lab.test
            checks: []
            interval: 5m
            roundtrip:
              submission: \(flow):587
              submission_tls: starttls
              imap: \(flow):993
              tls_name: mx1.good.lab.test
              user: \(lab.user)
              password_env: \(passwordEnv)
              timeout: 30s
              poll: 500ms
        history:
          path: \(dir)/history.sqlite
        auth:
          disabled: true
        """
    }

    @Test func scheduledRoundtripIsStoredExportedAndAlerted() async throws {
        let lab = try LabEnvironment.require()
        if ProcessInfo.processInfo.environment[Self.passwordEnv] == nil { setenv(Self.passwordEnv, lab.password, 0) }
        let dir = try ServeTestSupport.tempDir("roundtrip")
        let config = try ServeConfig.parse(yaml: Self.yaml(lab: lab, dir: dir))
        #expect(config.targets.first?.roundtrip?.imapTLS == .implicit)
        let context = try ServerContext(config: config)

        let run = try await context.scheduler.runNow("flow-rt")
        let rt = try #require(run.roundtrip, "the run carries no round trip")
        #expect(rt.status == "arrived", "round trip: \(rt.status) \(rt.failure ?? "")")
        #expect(rt.folder == "INBOX")
        #expect(rt.folderIsJunk == false)
        #expect((rt.endToEndSeconds ?? 0) > 0)
        // Stored in the history with the run.
        let stored = try #require(try context.history.roundtrip(runID: run.id))
        #expect(stored == rt)

        let text = String(decoding: context.metrics.exposition(), as: UTF8.self)
        #expect(text.contains(#"mxray_roundtrip_seconds_bucket{target="flow-rt",le="600.0"} 1"#), "\(text.split(separator: "\n").filter { $0.contains("roundtrip") })")
        #expect(text.contains(#"mxray_roundtrip_seconds_count{target="flow-rt"} 1"#))
        #expect(text.contains(#"mxray_roundtrip_success{target="flow-rt"} 1"#))
        #expect(text.contains(#"mxray_roundtrip_last_folder_junk{target="flow-rt"} 0"#))
        let r = try LabEnvironment.run(["promtool", "check", "metrics"], input: text)
        #expect(r.status == 0, "promtool: \(r.output)")

        // "Round-trip too slow" reads the round trip: 1 ms fires, 10 min does not.
        let rules = AlertsConfig(rules: [AlertRule(name: "RoundtripSlow", condition: .slowRoundTrip(seconds: 0.001)),
                                         AlertRule(name: "RoundtripVerySlow", condition: .slowRoundTrip(seconds: 600))])
        let alerts = AlertService(config: rules, store: context.history, externalURL: "http://127.0.0.1")
        let notices = await alerts.runCompleted(run)
        #expect(notices.map(\.rule) == ["RoundtripSlow"])
        #expect(notices.first?.annotations["summary"]?.contains("round trip of flow-rt took") == true)
    }

    @Test func missingPasswordVariableIsRefused() throws {
        let lab = try LabEnvironment.require()
        let missing = "MXRAY_TEST_UNSET_PASSWORD_\(UInt32.random(in: 0...UInt32.max))"
        #expect(throws: ServeConfigError("targets[0].roundtrip.password_env: the environment variable \(missing) is not set (or empty)")) {
            try ServeConfig.parse(yaml: Self.yaml(lab: lab, dir: "/tmp", passwordEnv: missing))
        }
        if ProcessInfo.processInfo.environment[Self.passwordEnv] == nil { setenv(Self.passwordEnv, lab.password, 0) }
        let bad = Self.yaml(lab: lab, dir: "/tmp").replacingOccurrences(of: "submission_tls: starttls", with: "submission_tls: ssl")
        #expect(throws: ServeConfigError("targets[0].roundtrip.submission_tls: 'ssl' is not starttls, implicit or none")) {
            try ServeConfig.parse(yaml: bad)
        }
    }
}
