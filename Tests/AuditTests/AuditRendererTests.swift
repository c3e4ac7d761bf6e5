import Diagnosis
import Foundation
import MailCore
import Reporting
import Testing

/// The audit and locate renderers over fixed inputs: every format says the same thing, HTML is
/// self-contained and escaped, JSON round-trips.
@Suite struct AuditRendererTests {
    static func finding(_ id: String, _ subject: String, detail: String = "detail <b>&") -> Finding {
        FindingCatalog.definition(id)!.raise(subject: subject, detail: detail, evidence: ["ev-1"])
    }

    static let report: Report = {
        let stages = [Stage.locate, Stage.auth, Stage.probe, Stage.tls].map { StageResult(name: $0, status: .completed, detail: "", milliseconds: 1) }
        return Report(target: try! CheckTarget.parse("example.test"), resolvers: ["192.0.2.53:53"],
                      startedAt: Date(timeIntervalSince1970: 1_800_000_000), finishedAt: Date(timeIntervalSince1970: 1_800_000_002),
                      stages: stages,
                      findings: [finding("smtp.auth.plaintext", "mx1.example.test[192.0.2.1]:25"), finding("dmarc.ok", "example.test")],
                      evidence: [Evidence(id: "ev-1", kind: .transcript, title: "Session <with> mx1", lines: ["S: 220 <hello>", "C: EHLO x"])])
    }()

    static let audit = ComplianceProfiles.gdprArt32.evaluate(report)

    @Test func textNamesEveryControlAndTheFailingFinding() {
        let t = AuditRenderer().text(Self.audit)
        for c in Self.audit.controls { #expect(t.contains("§\(c.section) \(c.title)")) }
        #expect(t.contains("[FAIL] §Art. 32(1)(a) Encrypt client access and submission"))
        #expect(t.contains("smtp.auth.plaintext @ mx1.example.test[192.0.2.1]:25"))
        #expect(t.contains("[N/A ] §Art. 32(1)(d)"))
        #expect(t.contains("\(Self.audit.passed) pass, \(Self.audit.failed) fail, \(Self.audit.notAssessed) not assessed"))
    }

    @Test func markdownIsOneTableRowPerControl() {
        let m = AuditRenderer().markdown(Self.audit)
        let rows = m.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| Status") }
        #expect(rows.count == Self.audit.controls.count)
        #expect(m.contains("| FAIL | Art. 32(1)(a) | Encrypt client access and submission |"))
    }

    @Test func htmlIsSelfContainedAndEscaped() {
        let h = AuditRenderer().html(Self.audit)
        #expect(h.hasPrefix("<!DOCTYPE html>"))
        #expect(!h.contains("<script"))
        #expect(!h.contains("src=\"http") && !h.contains("href=\"http") && !h.contains("@import"))
        #expect(h.contains("detail &lt;b&gt;&amp;"))
        #expect(!h.contains("detail <b>&"))
        #expect(h.contains("id=\"ev-ev-1\""), "cited evidence is included")
        #expect(h.contains("S: 220 &lt;hello&gt;"))
        #expect(h.components(separatedBy: "<tr class=").count - 1 == Self.audit.controls.count)
    }

    @Test func jsonRoundTrips() throws {
        let json = try JSONOutput.encode(Self.audit)
        let back = try JSONDecoder.iso8601().decode(AuditResult.self, from: Data(json.utf8))
        #expect(back.controls == Self.audit.controls)
        #expect(back.profileID == "gdpr-art32")
        #expect(json.contains("\"status\" : \"not-assessed\""))
    }

    @Test func locateTextLeadsWithTheSettings() {
        let imap = ClientCandidate(service: .imap, host: "mail.example.test", port: 993, security: .ssl, username: "alice@example.test",
                                   sources: [ClientSource(kind: .srv, detail: "_imaps._tcp.example.test SRV 0 1 993 mail.example.test")])
        let checked = CheckedCandidate(candidate: imap, probe: ClientProbeResult(status: .confirmed, address: "192.0.2.10",
                                                                                 detail: "ssl TLSv1.3, AUTH PLAIN"),
                                       login: ClientLoginResult(status: "authenticated", user: "alice@example.test", mechanism: "PLAIN", milliseconds: 12))
        let r = ClientLocateResult(email: "alice@example.test", domain: try! DomainName("example.test"), recommended: [checked],
                                   candidates: [checked], sourceNotes: ["SRV _imaps._tcp.example.test: mail.example.test:993"],
                                   findings: [], evidence: [], loginTried: true, milliseconds: 1234)
        let t = LocateTextRenderer().render(r)
        let lines = t.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[2].contains("IMAP (incoming)") && lines[2].contains("server mail.example.test  port 993  security SSL/TLS"))
        #expect(t.contains("login: succeeded (PLAIN)"))
        #expect(t.contains("from srv: _imaps._tcp.example.test SRV 0 1 993 mail.example.test"))
        #expect(t.contains("SMTP (outgoing): no confirmed setting"))
    }
}

extension JSONDecoder {
    static func iso8601() -> JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }
}
