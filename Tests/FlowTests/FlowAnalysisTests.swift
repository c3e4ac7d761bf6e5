import Diagnosis
import Foundation
import MailCore
import MailWire
import Reporting
import Testing

@Suite struct FlowAnalysisTests {
    static func send(ending: String, stage: String? = nil, data: SMTPReply? = nil, failed: SMTPReply? = nil) -> SendSummary {
        var t = Transcript(label: "smtp://mx.example:25")
        t.append(.sent, "MAIL FROM:<a@example.org>", at: 1)
        return SendSummary(target: "smtp://mx.example:25", ending: ending, failedStage: stage, failedReply: failed,
                           dataReply: data, queueID: ending == "accepted" ? "ABC123" : nil, transcript: t)
    }

    static func roundtrip(status: String, folder: String?, junk: Bool, headers: String = "") -> RoundtripSummary {
        RoundtripSummary(status: status, token: "mxray-1", submission: send(ending: "accepted", data: SMTPReply(code: 250, lines: ["2.0.0 Ok: queued as ABC123"])),
                         imapTarget: "imap://mx.example:143", folder: folder, folderIsJunk: junk, usedIDLE: true,
                         submissionMilliseconds: 120, endToEndMilliseconds: 900, afterAcceptanceMilliseconds: 780,
                         pollIntervalMilliseconds: 1000, arrivalTimeoutSeconds: 30, headerSection: Array(headers.utf8),
                         imapFailure: nil, imapSteps: [], imapTranscript: Transcript(label: "imap://mx.example:143"))
    }

    @Test func rejectedAtDataIsAPassingFinding() {
        let s = Self.send(ending: "refused", stage: "data", data: SMTPReply(code: 550, lines: ["5.7.1 Virus found"]),
                          failed: SMTPReply(code: 550, lines: ["5.7.1 Virus found"]))
        let r = FlowAnalysis.filterTest(.eicar, send: s)
        #expect(r.verdict == .rejected)
        #expect(r.findings.map(\.id) == ["flow.eicar.rejected"])
        #expect(r.findings[0].severity == .pass)
        #expect(r.findings[0].evidenceIDs == [s.evidenceID])
        #expect(r.evidence.map(\.id) == [s.evidenceID])
    }

    @Test func temporaryRefusalAfterDataIsDeferred() {
        let s = Self.send(ending: "refused", stage: "data", data: SMTPReply(code: 451, lines: ["4.7.1 try later"]),
                          failed: SMTPReply(code: 451, lines: ["4.7.1 try later"]))
        #expect(FlowAnalysis.filterTest(.gtube, send: s).findings.map(\.id) == ["flow.gtube.deferred"])
    }

    @Test func refusedBeforeTheMessageMeansNotTested() {
        let s = Self.send(ending: "refused", stage: "rcpt", failed: SMTPReply(code: 554, lines: ["5.7.1 Relay access denied"]))
        let r = FlowAnalysis.filterTest(.gtube, send: s)
        #expect(r.verdict == .notTested)
        #expect(r.findings.first?.id == "flow.filter.not-tested")
        #expect(r.findings.first?.detail.contains("Relay access denied") == true)
    }

    @Test func placementDecidesAcceptedVerdicts() {
        let s = Self.send(ending: "accepted", data: SMTPReply(code: 250, lines: ["2.0.0 Ok: queued as ABC123"]))
        #expect(FlowAnalysis.filterTest(.gtube, send: s).findings.map(\.id) == ["flow.gtube.accepted"])
        let junk = FlowAnalysis.filterTest(.gtube, send: s, roundtrip: Self.roundtrip(status: "arrived", folder: "Junk", junk: true))
        #expect(junk.verdict == .quarantined && junk.findings.map(\.id) == ["flow.gtube.quarantined"])
        let inbox = FlowAnalysis.filterTest(.eicar, send: s, roundtrip: Self.roundtrip(status: "arrived", folder: "INBOX", junk: false))
        #expect(inbox.findings.map(\.id) == ["flow.eicar.delivered"] && inbox.findings[0].severity == .error)
        let lost = FlowAnalysis.filterTest(.eicar, send: s, roundtrip: Self.roundtrip(status: "notArrived", folder: nil, junk: false))
        #expect(lost.findings.map(\.id) == ["flow.eicar.accepted"])
        #expect(lost.findings[0].detail.contains("within 30 s"))
    }

    @Test func roundtripFindings() {
        let ok = FlowAnalysis.roundtrip(Self.roundtrip(status: "arrived", folder: "INBOX", junk: false))
        #expect(ok.findings.map(\.id) == ["flow.roundtrip.arrived"])
        #expect(ok.findings[0].detail.contains("0.90 s"))
        let slow = FlowAnalysis.roundtrip(Self.roundtrip(status: "arrived", folder: "INBOX", junk: false), slowSeconds: 0.5)
        #expect(slow.findings.map(\.id) == ["flow.roundtrip.arrived", "flow.roundtrip.slow"])
        let junk = FlowAnalysis.roundtrip(Self.roundtrip(status: "arrived", folder: "Junk", junk: true,
                                                         headers: "Authentication-Results: mx.example; spf=fail smtp.mailfrom=a.example\r\n\r\n"))
        #expect(junk.findings.map(\.id) == ["flow.roundtrip.arrived", "flow.roundtrip.junk", "flow.roundtrip.auth-failed"])
        #expect(FlowAnalysis.roundtrip(Self.roundtrip(status: "notArrived", folder: nil, junk: false)).findings.map(\.id) == ["flow.roundtrip.lost"])
        for f in ok.findings + junk.findings { #expect(!f.evidenceIDs.isEmpty) }
    }

    @Test func everyFlowFindingIsInTheCatalog() {
        for id in ["flow.gtube.rejected", "flow.gtube.quarantined", "flow.gtube.delivered", "flow.gtube.accepted", "flow.gtube.deferred",
                   "flow.eicar.rejected", "flow.eicar.quarantined", "flow.eicar.delivered", "flow.eicar.accepted", "flow.eicar.deferred",
                   "flow.filter.not-tested", "flow.roundtrip.arrived", "flow.roundtrip.slow", "flow.roundtrip.junk", "flow.roundtrip.lost",
                   "flow.roundtrip.not-accepted", "flow.roundtrip.imap-failed", "flow.roundtrip.auth-failed"] {
            #expect(FindingCatalog.definition(id) != nil, "\(id)")
        }
    }

    @Test func textRendererShowsVerdictStepsAndChain() {
        let rt = Self.roundtrip(status: "arrived", folder: "Junk", junk: true,
                                headers: "Received: from a (b [127.0.0.1]) by mx1.example with ESMTPSA; Sun, 29 Nov 2026 19:05:01 +0000\r\n\r\n")
        let text = FlowTextRenderer().render(roundtrip: rt, analysis: FlowAnalysis.roundtrip(rt))
        #expect(text.hasPrefix("ARRIVED in Junk (junk) after 0.90 s end to end"))
        #expect(text.contains("1. from a by mx1.example with ESMTPSA (TLS)"))
        #expect(text.contains("flow.roundtrip.junk"))
        let refused = Self.send(ending: "refused", stage: "data", data: SMTPReply(code: 550, lines: ["5.7.1 Virus found"]),
                                failed: SMTPReply(code: 550, lines: ["5.7.1 Virus found"]))
        #expect(FlowTextRenderer.headline(refused) == "REFUSED at data by smtp://mx.example:25: 550 5.7.1 Virus found")
    }
}
