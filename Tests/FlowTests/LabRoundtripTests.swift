import Diagnosis
import Foundation
import LabSupport
import NIOPosix
import Probes
import Testing

/// Round trips through the lab's Postfix (submission, 587) and Dovecot (IMAP, 143). Serialized:
/// the delay test slows the flow address, and the figures must not disturb each other.
@Suite(.serialized) struct LabRoundtripTests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    @Test func roundTripArrivesInTheInboxWithDelayChainAndResults() async throws {
        let lab = try FlowLab.require()
        let r = await RoundtripProbe(tlsSettings: lab.settings).run(lab.roundtripRequest(address: lab.flowAddress))
        #expect(r.status == .arrived, "\(r.imapFailure ?? "") \(r.send?.failure ?? "") \(r.send?.failedReply?.description ?? "")")
        #expect(r.folder == "INBOX" && !r.folderIsJunk)
        #expect(r.usedIDLE)
        let e2e = try #require(r.endToEndMilliseconds)
        let sub = try #require(r.submissionMilliseconds)
        #expect(e2e > sub && e2e < 30_000)
        let summary = RoundtripSummary(flowResult: r, imapTarget: "imap://\(lab.flowAddress):143", arrivalTimeoutSeconds: 30)
        #expect(summary.received.first?.by == "mx1.good.lab.test")
        #expect(summary.received.first?.with == "ESMTPSA")
        #expect(summary.received.first?.date != nil)
        let analysis = FlowAnalysis.roundtrip(summary)
        #expect(analysis.findings.first?.id == "flow.roundtrip.arrived")
        // Neither transcript holds the password or the PLAIN blob.
        let all = r.imapTranscript.rendered() + (r.send?.transcript.rendered() ?? "")
        #expect(!all.contains(lab.env.password))
        #expect(all.contains("<redacted>"))
        print(String(format: "flow: round trip (no delay) end-to-end %.1f ms, submission %.1f ms, after acceptance %.1f ms",
                     e2e, sub, r.afterAcceptanceMilliseconds ?? -1))
    }

    @Test func gtubeIsFiledIntoJunk() async throws {
        let lab = try FlowLab.require()
        var req = lab.roundtripRequest(address: try lab.mx1)
        req.test = .gtube
        let r = await RoundtripProbe(tlsSettings: lab.settings).run(req)
        #expect(r.status == .arrived, "\(r.imapFailure ?? "")")
        #expect(r.folder == "Junk" && r.folderIsJunk)
        let summary = RoundtripSummary(flowResult: r, imapTarget: "imap://mx1:143", arrivalTimeoutSeconds: 30)
        let analysis = FlowAnalysis.filterTest(.gtube, send: try #require(summary.submission), roundtrip: summary)
        #expect(analysis.verdict == .quarantined)
        #expect(analysis.findings.map(\.id) == ["flow.gtube.quarantined"])
    }

    @Test func eicarIsRefusedSoTheRoundTripReportsTheFilter() async throws {
        let lab = try FlowLab.require()
        var req = lab.roundtripRequest(address: try lab.mx1)
        req.test = .eicar
        let r = await RoundtripProbe(tlsSettings: lab.settings).run(req)
        #expect(r.status == .notAccepted)
        #expect(r.send?.failedStage == .data && r.send?.dataReply?.code == 550)
        let summary = RoundtripSummary(flowResult: r, imapTarget: "imap://mx1:143", arrivalTimeoutSeconds: 30)
        let analysis = FlowAnalysis.filterTest(.eicar, send: try #require(summary.submission), roundtrip: summary)
        #expect(analysis.findings.map(\.id) == ["flow.eicar.rejected"])
    }

    @Test func wrongImapPasswordIsAnImapFailureAndNothingIsSent() async throws {
        let lab = try FlowLab.require()
        var req = lab.roundtripRequest(address: try lab.mx1)
        req.password = "not-" + lab.env.password
        let r = await RoundtripProbe(tlsSettings: lab.settings).run(req)
        #expect(r.status == .imapFailed)
        #expect(r.send == nil)
        #expect(!r.imapTranscript.rendered().contains(req.password))
    }

    /// Milliseconds to connect to `address`:25 (≈ 2 × the one-way delay when one is set).
    static func connectMilliseconds(_ address: String) async -> Double {
        let (c, obs, _) = await ProbeConnection.connect(address: address, port: 25, group: MultiThreadedEventLoopGroup.singleton,
                                                        timeout: .seconds(5), label: "delay check")
        c?.abort()
        return obs.milliseconds
    }

    @Test func addedLatencyMakesTheRoundTripSlower() async throws {
        let lab = try FlowLab.require()
        let addr = lab.flowAddress
        let probe = RoundtripProbe(tlsSettings: lab.settings)
        // The faster of two undelayed runs, so a busy machine does not inflate the baseline.
        var fast = Double.infinity, fastSub = Double.infinity
        for _ in 0..<2 {
            let before = await probe.run(lab.roundtripRequest(address: addr))
            #expect(before.status == .arrived, "\(before.imapFailure ?? "")")
            fast = min(fast, before.endToEndMilliseconds ?? .infinity)
            fastSub = min(fastSub, before.submissionMilliseconds ?? .infinity)
        }
        defer { try? LabDelay.run([addr, "off"]) }
        try LabDelay.run([addr, "100"])
        let rtt = await Self.connectMilliseconds(addr)
        #expect(rtt >= 150, "the delay is not in effect (connect took \(rtt) ms): did something run `scripts/lab delay off`?")
        let after = await probe.run(lab.roundtripRequest(address: addr))
        let rttAfter = await Self.connectMilliseconds(addr)
        try? LabDelay.run([addr, "off"])
        #expect(rttAfter >= 150, "the delay was removed during the test (connect took \(rttAfter) ms)")
        #expect(after.status == .arrived, "\(after.imapFailure ?? "")")
        let slow = try #require(after.endToEndMilliseconds)
        let sub = try #require(after.submissionMilliseconds)
        // 100 ms each way: every round trip costs ≥ 200 ms; submission alone has about ten
        // (connect, greeting, EHLO, STARTTLS, handshake, EHLO, AUTH ×3, pipelined MAIL/RCPT/DATA, message).
        #expect(sub >= 1_500)
        #expect(slow >= fast + 1_000)
        print(String(format: "flow: round trip end-to-end %.1f ms without delay, %.1f ms with 100 ms each way (submission %.1f → %.1f ms, connect %.1f ms)",
                     fast, slow, fastSub, sub, rtt))
    }
}
