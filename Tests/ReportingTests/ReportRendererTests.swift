import Diagnosis
import Foundation
import MailCore
import Testing
@testable import Reporting

/// A fixed report: a broken domain with one MX refusing 25, a CNAME MX and a peer banner that
/// tries to inject markup and terminal escapes.
enum FixedReport {
    static func make() -> Report {
        let ev = [Evidence(id: "transcript:mx1.example.test[192.0.2.1]:25", kind: .transcript, title: "Session with mx1.example.test[192.0.2.1]:25",
                           lines: ["     0.4 ms S: 220 mx1 ESMTP <script>alert(1)</script> | \u{1B}[31mred"]),
                  Evidence(id: "dns:mx", kind: .dns, title: "MX example.test", lines: ["example.test. 300 IN MX 10 mx1.example.test.", "example.test. 300 IN MX 20 mx2.example.test."])]
        let findings = [
            FindingCatalog.definition("port.refused")!.raise(subject: "mx2.example.test[192.0.2.2]:25", detail: "Connection refused after 0.3 ms.", evidence: ["dns:mx"]),
            FindingCatalog.definition("dns.mx.cname")!.raise(subject: "mx1.example.test", detail: "mx1.example.test → real.example.test", evidence: ["dns:mx"]),
            FindingCatalog.definition("smtp.relay.open")!.raise(subject: "mx1.example.test[192.0.2.1]:25", detail: "Accepted RCPT TO:<x@example.net> | <b>", evidence: ["transcript:mx1.example.test[192.0.2.1]:25"]),
            FindingCatalog.definition("spf.ok")!.raise(subject: "example.test", detail: "v=spf1 mx -all", evidence: ["dns:mx"]),
            FindingCatalog.definition("dns.ptr.missing")!.raise(subject: "192.0.2.2", detail: "no PTR", evidence: ["dns:mx"]),
        ]
        let obs = FaultObservations(findings: findings)
        let trees = FaultTreeEvaluator().evaluate(obs, symptom: .bounce)
        let provider = ProviderCatalog.match(mxHosts: [], banners: ["220 mx1 ESMTP Postfix"])
        return Report(target: try! CheckTarget.parse("example.test"), resolvers: ["127.0.10.54:53"],
                      startedAt: Date(timeIntervalSince1970: 1_800_000_000), finishedAt: Date(timeIntervalSince1970: 1_800_000_002.5),
                      symptom: .bounce, provider: provider,
                      mxHosts: [ReportHost(name: "mx1.example.test", preference: 10, addresses: ["192.0.2.1"], software: "Postfix"),
                                ReportHost(name: "mx2.example.test", preference: 20, addresses: ["192.0.2.2"])],
                      stages: [StageResult(name: "locate", status: .completed, detail: "2 MX, 2 addresses", milliseconds: 12, findingCount: 3),
                               StageResult(name: "probe", status: .partial, detail: "14 ports on 2 addresses", milliseconds: 2300, findingCount: 2),
                               StageResult(name: "tls", status: .couldNotTest, detail: "the overall deadline passed", milliseconds: 0, findingCount: 0)],
                      findings: findings, faultTree: trees, evidence: ev, toolVersion: "0.0.0-test")
    }
}

@Suite("Check report renderers (golden files)")
struct ReportRendererTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/report")

    /// Compares with `Tests/Fixtures/report/<name>`; MXRAY_UPDATE_GOLDEN=1 rewrites it.
    func golden(_ name: String, _ actual: String) throws {
        let url = Self.fixtures.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["MXRAY_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: url, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(actual == expected, "\(name) differs from the golden file (MXRAY_UPDATE_GOLDEN=1 to accept)")
    }

    @Test func text() throws { try golden("check.txt", ReportTextRenderer(color: false).render(FixedReport.make())) }
    @Test func textColor() throws { try golden("check-color.txt", ReportTextRenderer(color: true).render(FixedReport.make())) }
    @Test func markdown() throws { try golden("check.md", ReportMarkdownRenderer().render(FixedReport.make())) }
    @Test func html() throws { try golden("check.html", ReportHTMLRenderer().render(FixedReport.make())) }
    @Test func nagios() throws { try golden("check.nagios", ReportNagiosRenderer().render(FixedReport.make()) + "\n") }
    @Test func json() throws { try golden("check.json", try JSONOutput.encode(FixedReport.make()) + "\n") }

    @Test("summary comes first: verdict, provider, MX hosts, counts, top root cause")
    func summaryFirst() {
        let lines = ReportTextRenderer().render(FixedReport.make()).split(separator: "\n").map(String.init)
        #expect(lines[0] == "mxray check example.test — FAILING")
        #expect(lines[1].contains("Self-hosted Postfix"))
        #expect(lines[2].contains("10 mx1.example.test (192.0.2.1)  Postfix"))
        #expect(lines[4].contains("1 critical, 0 error, 2 warning, 0 notice, 1 info"))
        #expect(lines[5].contains("An MX address refuses port 25"))
    }

    @Test("no colour codes without colour; peer escapes never reach the terminal")
    func noColorNoEscapes() {
        let plain = ReportTextRenderer(color: false).render(FixedReport.make())
        #expect(!plain.contains("\u{1B}"))
        let colored = ReportTextRenderer(color: true).render(FixedReport.make())
        #expect(colored.contains("\u{1B}[1;31m"))
        #expect(ReportTextRenderer.wantsColor(environment: [:], isTTY: true))
        #expect(!ReportTextRenderer.wantsColor(environment: ["NO_COLOR": "1"], isTTY: true))
        #expect(!ReportTextRenderer.wantsColor(environment: [:], isTTY: false))
    }

    @Test("HTML is self-contained and escapes peer text")
    func htmlSafe() {
        let html = ReportHTMLRenderer().render(FixedReport.make())
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;"))
        #expect(!html.contains("src=") && !html.contains("<link"))
        #expect(!html.contains("\u{1B}"))
    }

    @Test("Nagios: one line, CRITICAL with perfdata, no stray pipe in the text")
    func nagiosLine() {
        let r = FixedReport.make()
        let line = ReportNagiosRenderer().render(r)
        #expect(!line.contains("\n"))
        #expect(line.hasPrefix("MXRAY CRITICAL - example.test:"))
        #expect(line.split(separator: "|").count == 2)
        #expect(line.contains("critical=1;;;0"))
        #expect(ReportNagiosRenderer().status(r) == .critical)
        #expect(ReportNagiosRenderer().status(r, critical: .critical) == .critical)
    }

    @Test("an info finding raised more than three times is one line listing its subjects")
    func compactInfo() {
        var r = FixedReport.make()
        let refused = (1...5).map { FindingCatalog.definition("port.refused")!.raise(subject: "mx.example.test[192.0.2.9]:\(100 + $0)", detail: "refused", evidence: ["dns:mx"]) }
        r.findings += refused
        let text = ReportTextRenderer().render(r)
        #expect(text.contains("    port.refused ×6  mx2.example.test[192.0.2.2]:25, mx.example.test[192.0.2.9]:101, "))
        #expect(!text.contains("mx.example.test[192.0.2.9]:101  refused"))
    }
}
