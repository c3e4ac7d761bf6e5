import Diagnosis
import Foundation
import MailWire
import Reporting
import Testing
@testable import Probes

/// What `mxray probe` prints: per-port lines, findings with fixes, and no raw control bytes from
/// a hostile banner (a peer must not rewrite the terminal).
@Suite struct RenderingTests {
    @Test func hostileBannerIsEscapedAndReportIsComplete() async throws {
        let peer = try await FakePeer.start(FakeSMTP.polite(ehlo: ["evil.test", "AUTH PLAIN", "SIZE 10\u{1B}]0;pwned\u{07}"]))
        defer { Task { await peer.stop() } }
        var o = ProbeOptions(tls: try ProbeTLSSettings())
        o.relayTest = false
        let obs = await MailProber(options: o).probePort(ProbeTarget(address: "127.0.0.1", host: "evil.test"), port: peer.port, as: .smtp)
        let analysis = ProbeAnalysis.analyse([obs])
        let report = ProbeReport(target: "evil.test", startedAt: Date(), finishedAt: Date(), ports: [obs], findings: analysis.findings)
        let text = ProbeTextRenderer(showTranscripts: true).render(report)
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
        #expect(text.contains("\\x1B]0;pwned"))
        #expect(text.contains("looks like Exim 4.96"))
        #expect(text.contains("[error] smtp.auth.plaintext  evil.test[127.0.0.1]:\(peer.port)"))
        #expect(text.contains("[error] smtp.starttls.missing"))
        #expect(text.contains("fix: Offer AUTH only after STARTTLS"))
        #expect(text.contains("C: EHLO mxray.invalid"))
        // Every finding points at the session transcript as evidence.
        #expect(analysis.findings.allSatisfy { $0.evidenceIDs == ["transcript:evil.test[127.0.0.1]:\(peer.port)"] })
        #expect(analysis.evidence.first?.lines.contains { $0.contains("S: 220 fake.test ESMTP Exim 4.96 ready") } == true)
        let json = try JSONOutput.encode(report)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let decoded = try decoder.decode(ProbeReport.self, from: Data(json.utf8))
        #expect(decoded.ports == report.ports)
    }
}
