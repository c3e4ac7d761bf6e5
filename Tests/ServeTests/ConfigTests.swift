import Foundation
@testable import MXRayServer
import Testing

@Suite struct ConfigTests {
    static let full = """
        listen: 0.0.0.0:9425
        resolvers: [127.0.10.54, "[::1]:53"]
        max_concurrent_checks: 16
        defaults:
          interval: 2m
          checks: [probe, tls]
        targets:
          - name: corp
            domain: corp.example
          - host: mx1.corp.example
            ports: [25, 587]
            interval: 30s
            jitter: 5s
            timeout: 20s
            labels: {team: mail}
        history: {path: data/h.sqlite, keep_days: 30, keep_runs: 500}
        probe:
          allow: [192.0.2.0/24, "*.corp.example"]
        auth:
          tokens:
            - {name: prometheus, token: 0123456789abcdef0123}
          users:
            - name: admin
              password_bcrypt: "$2b$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234"
              totp_secret: JBSWY3DPEHPK3PXPJBSWY3DP
        alerts:
          receivers:
            - {name: am, webhook: "http://127.0.0.1:9093/api/v2/alerts"}
            - {name: pager, command: [/usr/local/bin/page, --now]}
          rules:
            - {name: down, kind: down, times: 3, severity: critical, receivers: [am]}
            - {name: cert, kind: certificate-expiry, days: 20, targets: [corp]}
            - {name: new, kind: new-finding, severity_at_least: error, for_runs: 2, resolve_after_runs: 3}
            - {name: mx, kind: record-changed, changes: [mx, spf]}
            - {name: slow, kind: slow, seconds: 10}
        """

    @Test func parsesEveryKey() throws {
        let c = try ServeConfig.parse(yaml: Self.full, baseDirectory: "/etc/mxray")
        #expect(c.listen == ListenAddress(host: "0.0.0.0", port: 9425))
        #expect(c.resolvers == ["127.0.10.54", "[::1]:53"])
        #expect(c.maxConcurrentChecks == 16)
        #expect(c.targets.map(\.name) == ["corp", "mx1.corp.example"])
        #expect(c.targets[0].interval == .seconds(120))
        #expect(c.targets[0].checks == [.probe, .tls])
        #expect(c.targets[1].kind == .host && c.targets[1].ports == [25, 587])
        #expect(c.targets[1].interval == .seconds(30) && c.targets[1].jitter == .seconds(5) && c.targets[1].timeout == .seconds(20))
        #expect(c.targets[1].labels == ["team": "mail"])
        #expect(c.history == HistoryConfig(path: "/etc/mxray/data/h.sqlite", keepDays: 30, keepRuns: 500))
        #expect(c.probe.allow == ["192.0.2.0/24", "*.corp.example"])
        #expect(c.auth.tokens == [APIToken(name: "prometheus", token: "0123456789abcdef0123")])
        #expect(c.auth.users.first?.totpSecret == "JBSWY3DPEHPK3PXPJBSWY3DP")
        #expect(c.alerts.receivers.map(\.kind) == [.webhook(url: "http://127.0.0.1:9093/api/v2/alerts"), .command(["/usr/local/bin/page", "--now"])])
        #expect(c.alerts.rules.map(\.condition) == [.targetDown(times: 3), .certificateExpiry(days: 20), .newFinding(minimum: .error),
                                                   .recordChanged(kinds: [.mx, .spf]), .slowRoundTrip(seconds: 10)])
        #expect(c.alerts.rules[2].forRuns == 2 && c.alerts.rules[2].resolveAfterRuns == 3)
    }

    @Test func defaultsAreFiveMinutesOnLoopback() throws {
        let c = try ServeConfig.parse(yaml: "targets: [{domain: example.org}]")
        #expect(c.listen.isLoopback)
        #expect(c.targets[0].interval == .seconds(300))
        #expect(c.targets[0].jitter == .seconds(30))
        #expect(c.targets[0].checks == Set(CheckKind.allCases))
    }

    @Test(arguments: [
        ("targets: [{domain: a.example, intervall: 5m}]", "targets[0].intervall: unknown key"),
        ("targets: [{domain: a.example, interval: 5x}]", "targets[0].interval: '5x' is not a duration"),
        ("targets: [{domain: a.example, host: b.example}]", "targets[0]: give exactly one of domain: or host:"),
        ("targets: [{domain: a.example}, {name: a.example, host: b.example}]", "the name 'a.example' is used twice"),
        ("listen: 192.0.2.1:9425", "is not loopback, so give at least one token or user"),
        ("listen: 192.0.2.1:80\nauth: {disabled: true, tokens: [{name: p, token: 0123456789abcdef}]}", "auth may be off only when listen is a loopback"),
        ("auth: {users: [{name: a, password_bcrypt: secret}]}", "not a bcrypt hash"),
        ("auth: {tokens: [{name: a, token: short}]}", "at least 16 characters"),
        ("alerts: {rules: [{name: r, kind: sometimes}]}", "'sometimes' is not one of down"),
        ("alerts: {rules: [{name: r, kind: down, receivers: [nobody]}]}", "no receiver named 'nobody'"),
        ("resolvers: [resolver.example]", "is not HOST[:PORT] with an IP address"),
        ("listen: nowhere", "is not HOST:PORT"),
        ("targets: [{domain: 'bad domain!'}]", "targets[0]"),
        ("targets: [{domain: a.example, interval: 10s, jitter: 20s}]", "must be shorter than the interval"),
        ("[1, 2", "not valid YAML"),
    ])
    func refusesWithOneClearLine(yaml: String, expected: String) {
        do {
            _ = try ServeConfig.parse(yaml: yaml)
            Issue.record("accepted: \(yaml)")
        } catch {
            let text = "\(error)"
            #expect(text.contains(expected), "\(text)")
            #expect(!text.contains("\n"), "error spans lines: \(text)")
        }
    }

    @Test func durations() {
        #expect(YAMLReader.parseDuration("500ms") == .milliseconds(500))
        #expect(YAMLReader.parseDuration("30s") == .seconds(30))
        #expect(YAMLReader.parseDuration("5m") == .seconds(300))
        #expect(YAMLReader.parseDuration("1.5h") == .seconds(5400))
        #expect(YAMLReader.parseDuration("2d") == .seconds(172_800))
        #expect(YAMLReader.parseDuration("45") == .seconds(45))
        #expect(YAMLReader.parseDuration("m") == nil)
        #expect(YAMLReader.parseDuration("-3s") == nil)
    }

    /// The example in docs/serve.md is a valid configuration.
    @Test func documentedExampleIsValid() throws {
        let doc = try String(contentsOfFile: "docs/serve.md", encoding: .utf8)
        let parts = doc.components(separatedBy: "```yaml\n")
        #expect(parts.count >= 2, "docs/serve.md has no ```yaml block")
        guard parts.count >= 2, let example = parts[1].components(separatedBy: "```").first else { return }
        let c = try ServeConfig.parse(yaml: example.replacingOccurrences(of: "/etc/mxray/lab-ca.crt", with: "/dev/null"))
        #expect(!c.targets.isEmpty)
        #expect(!c.alerts.rules.isEmpty)
    }
}
