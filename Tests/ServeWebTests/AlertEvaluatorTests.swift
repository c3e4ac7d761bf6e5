import Diagnosis
import Foundation
import Testing
@testable import MXRayServer

struct AlertEvaluatorTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func facts(_ i: Int, success: Bool = true, seconds: Double = 1, changes: [ChangeEvent] = [],
                      findings: [String: Severity] = [:], previous: [String: Severity]? = [:], expiry: Date? = nil) -> AlertEvaluator.RunFacts {
        AlertEvaluator.RunFacts(target: "good", at: t0.addingTimeInterval(Double(i) * 300), success: success, durationSeconds: seconds,
                                changes: changes, findings: findings, previousFindings: previous, earliestCertificateExpiry: expiry)
    }

    @Test func downNTimesFiresOnceAndResolvesAfterTheGuard() {
        var e = AlertEvaluator(rules: [AlertRule(name: "MailDown", condition: .targetDown(times: 3), severity: "critical", resolveAfterRuns: 2)])
        #expect(e.evaluate(Self.facts(0, success: false)).isEmpty)
        #expect(e.evaluate(Self.facts(1, success: false)).isEmpty)
        let fired = e.evaluate(Self.facts(2, success: false))
        #expect(fired.count == 1)
        #expect(fired.first?.status == .firing)
        #expect(fired.first?.labels["alertname"] == "MailDown")
        #expect(fired.first?.labels["severity"] == "critical")
        #expect(fired.first?.startsAt == Self.t0.addingTimeInterval(600))
        #expect(e.evaluate(Self.facts(3, success: false)).isEmpty, "no repeat while firing")
        // One good run is not enough to resolve (resolve_after_runs: 2).
        #expect(e.evaluate(Self.facts(4)).isEmpty)
        let resolved = e.evaluate(Self.facts(5))
        #expect(resolved.map(\.status) == [.resolved])
        #expect(resolved.first?.endsAt == Self.t0.addingTimeInterval(5 * 300))
        #expect(resolved.first?.startsAt == Self.t0.addingTimeInterval(600))
    }

    /// A flapping target (down, up, down, up …) fires once and resolves once.
    @Test func flapGuardKeepsOneAlertWhileFlapping() {
        var e = AlertEvaluator(rules: [AlertRule(name: "Down", condition: .targetDown(times: 1), resolveAfterRuns: 2)])
        var all: [AlertNotice.Status] = []
        for (i, ok) in [false, true, false, true, false, true, true, true].enumerated() {
            all += e.evaluate(Self.facts(i, success: ok)).map(\.status)
        }
        #expect(all == [.firing, .resolved])
    }

    @Test func forRunsDelaysFiring() {
        var e = AlertEvaluator(rules: [AlertRule(name: "Slow", condition: .slowRoundTrip(seconds: 5), forRuns: 2)])
        #expect(e.evaluate(Self.facts(0, seconds: 9)).isEmpty)
        #expect(e.evaluate(Self.facts(1, seconds: 1)).isEmpty, "interrupted streak")
        #expect(e.evaluate(Self.facts(2, seconds: 9)).isEmpty)
        #expect(e.evaluate(Self.facts(3, seconds: 9)).map(\.status) == [.firing])
        #expect(e.evaluate(Self.facts(4, seconds: 1)).map(\.status) == [.resolved])
    }

    @Test func newFindingAtOrAboveSeverity() {
        var e = AlertEvaluator(rules: [AlertRule(name: "NewProblem", condition: .newFinding(minimum: .error))])
        let base: [String: Severity] = ["dns.mx.cname mx": .warning]
        #expect(e.evaluate(Self.facts(0, findings: base, previous: base)).isEmpty)
        let worse = base.merging(["smtp.starttls.missing mx:25": .error]) { a, _ in a }
        let fired = e.evaluate(Self.facts(1, findings: worse, previous: base))
        #expect(fired.count == 1)
        #expect(fired.first?.annotations["summary"]?.contains("smtp.starttls.missing") == true)
        #expect(e.evaluate(Self.facts(2, findings: worse, previous: worse)).isEmpty, "still present: stays firing")
        #expect(e.evaluate(Self.facts(3, findings: base, previous: worse)).map(\.status) == [.resolved])
        // A new warning is below the threshold.
        #expect(e.evaluate(Self.facts(4, findings: base.merging(["x y": .warning]) { a, _ in a }, previous: base)).isEmpty)
    }

    @Test func recordChangedAndCertificateExpiry() {
        var e = AlertEvaluator(rules: [
            AlertRule(name: "MXChanged", condition: .recordChanged(kinds: [.mx])),
            AlertRule(name: "CertSoon", condition: .certificateExpiry(days: 20), targets: ["good"]),
            AlertRule(name: "OtherTarget", condition: .slowRoundTrip(seconds: 0), targets: ["elsewhere"]),
        ])
        let mx = ChangeEvent(target: "good", at: Self.t0, kind: .mx, subject: "MX", before: "10 a.", after: "10 b.")
        let spf = ChangeEvent(target: "good", at: Self.t0, kind: .spf, subject: "SPF", before: "v=spf1 -all", after: "v=spf1 ~all")
        #expect(e.evaluate(Self.facts(0, changes: [spf], expiry: Self.t0.addingTimeInterval(90 * 86400))).isEmpty)
        let n = e.evaluate(Self.facts(1, changes: [mx], expiry: Self.t0.addingTimeInterval(10 * 86400)))
        #expect(Set(n.map(\.rule)) == ["MXChanged", "CertSoon"])
    }

    /// Alertmanager webhook payload, version 4.
    @Test func payloadShape() throws {
        var e = AlertEvaluator(rules: [AlertRule(name: "MailDown", condition: .targetDown(times: 1), severity: "critical")])
        let notices = e.evaluate(Self.facts(0, success: false))
        let payload = AlertmanagerPayload(receiver: "hook", notices: notices, externalURL: "http://127.0.0.1:9425")
        let json = try #require(try JSONSerialization.jsonObject(with: payload.jsonData()) as? [String: Any])
        #expect(json["version"] as? String == "4")
        #expect(json["status"] as? String == "firing")
        #expect(json["receiver"] as? String == "hook")
        #expect((json["groupLabels"] as? [String: String])?["alertname"] == "MailDown")
        #expect(json["groupKey"] is String && json["truncatedAlerts"] as? Int == 0 && json["externalURL"] is String)
        let alerts = try #require(json["alerts"] as? [[String: Any]])
        #expect(alerts.count == 1)
        let a = alerts[0]
        #expect(a["status"] as? String == "firing")
        #expect((a["labels"] as? [String: String])?["target"] == "good")
        #expect((a["annotations"] as? [String: String])?["summary"]?.isEmpty == false)
        #expect((a["startsAt"] as? String)?.hasPrefix("2027-01-15T") == true)
        #expect(a["endsAt"] as? String == "0001-01-01T00:00:00Z")
        #expect((a["fingerprint"] as? String)?.count == 16)
        #expect(a["generatorURL"] as? String == "http://127.0.0.1:9425/targets/good")
    }

    /// prometheus/common: the fingerprint of the empty label set is the FNV-1a offset basis.
    @Test func fingerprintIsFNV1a() {
        #expect(AlertmanagerPayload.fingerprint([:]) == "cbf29ce484222325")
        #expect(AlertmanagerPayload.fingerprint(["a": "b"]) == AlertmanagerPayload.fingerprint(["a": "b"]))
        #expect(AlertmanagerPayload.fingerprint(["a": "b"]) != AlertmanagerPayload.fingerprint(["a": "c"]))
    }
}
