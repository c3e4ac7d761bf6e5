import Diagnosis
import Foundation
import LabSupport
import MailWire
import Probes
import Testing

/// `mxray send` against the lab's real Postfix.
@Suite struct LabSendTests {
    @Test(arguments: [SendStage.connect, .banner, .ehlo, .starttls, .auth, .mail, .rcpt])
    func quitAfterEachStage(_ stage: SendStage) async throws {
        let lab = try FlowLab.require()
        var req = lab.sendRequest(to: try lab.mx1, port: 587, tls: .starttls)
        req.user = lab.env.user
        req.password = lab.env.password
        req.quitAfter = stage
        let r = await lab.sender().send(req)
        #expect(r.ending == .stoppedAsAsked, "\(r.failure ?? "") \(r.failedReply?.description ?? "")")
        #expect(r.lastStage == stage)
        let sent = r.transcript.lines.filter { $0.direction == .sent }.map(\.text)
        // Nothing after the stage was sent (apart from QUIT).
        switch stage {
        case .connect: #expect(sent.isEmpty)
        case .banner: #expect(sent == ["QUIT"])
        case .ehlo: #expect(sent == ["EHLO mxray.invalid", "QUIT"])
        case .starttls: #expect(sent == ["EHLO mxray.invalid", "STARTTLS", "EHLO mxray.invalid", "QUIT"])
        case .auth: #expect(sent.last == "QUIT" && sent.contains { $0.hasPrefix("AUTH ") } && !sent.contains { $0.hasPrefix("MAIL") })
        case .mail: #expect(sent.suffix(2) == ["MAIL FROM:<probe@example.com>", "QUIT"])
        case .rcpt: #expect(sent.suffix(2) == ["RCPT TO:<\(lab.env.user)>", "QUIT"])
        case .data: break
        }
        if stage >= .starttls { #expect(r.tls?.version != nil) }
    }

    @Test func pipeliningIsUsedWhenOfferedAndTheMessageIsAccepted() async throws {
        let lab = try FlowLab.require()
        let r = await lab.sender().send(lab.sendRequest(to: try lab.mx1, port: 25, tls: .starttls))
        #expect(r.ending == .accepted, "\(r.failure ?? "") \(r.failedReply?.description ?? "")")
        #expect(r.capabilities?.pipelining == true)
        #expect(r.pipelined)
        // MAIL, RCPT and DATA went out before the first of their replies came back.
        let lines = r.transcript.lines
        guard let mail = lines.firstIndex(where: { $0.text.hasPrefix("MAIL FROM") }) else { Issue.record("no MAIL"); return }
        #expect(lines[mail + 1].text.hasPrefix("RCPT TO") && lines[mail + 2].text == "DATA")
        #expect(lines[mail + 1].direction == .sent && lines[mail + 2].direction == .sent)
        #expect(r.queueID != nil)
        #expect(r.dataReply?.code == 250)

        var plain = lab.sendRequest(to: try lab.mx1, port: 25, tls: .starttls)
        plain.pipelining = false
        let p = await lab.sender().send(plain)
        #expect(p.ending == .accepted && !p.pipelined)
        let pl = p.transcript.lines
        if let m = pl.firstIndex(where: { $0.text.hasPrefix("MAIL FROM") }) { #expect(pl[m + 1].direction == .received) }
    }

    @Test func authIsRedactedInTheTranscript() async throws {
        let lab = try FlowLab.require()
        var req = lab.sendRequest(to: try lab.mx1, port: 587, tls: .starttls, from: lab.env.user)
        req.user = lab.env.user
        req.password = lab.env.password
        req.mechanism = .plain
        let r = await lab.sender().send(req)
        #expect(r.ending == .accepted, "\(r.failure ?? "") \(r.failedReply?.description ?? "")")
        #expect(r.authMechanism == "PLAIN")
        let all = r.transcript.rendered()
        let secret = Data(([0] + Array(lab.env.user.utf8) + [0] + Array(lab.env.password.utf8))).base64EncodedString()
        #expect(!all.contains(lab.env.password))
        #expect(!all.contains(secret))
        #expect(r.transcript.lines.contains { $0.redacted && $0.text == "AUTH PLAIN <redacted>" })
        let json = String(decoding: try JSONEncoder().encode(r), as: UTF8.self)
        #expect(!json.contains(lab.env.password) && !json.contains(secret))
    }

    @Test func wrongPasswordFailsAtAuth() async throws {
        let lab = try FlowLab.require()
        var req = lab.sendRequest(to: try lab.mx1, port: 587, tls: .starttls)
        req.user = lab.env.user
        req.password = "wrong-" + lab.env.password
        let r = await lab.sender().send(req)
        #expect(r.ending == .refused && r.failedStage == .auth)
        #expect(r.failedReply?.code == 535)
        #expect(!r.transcript.rendered().contains(req.password!))
    }

    @Test func refusedRecipientStopsAtRcpt() async throws {
        let lab = try FlowLab.require()
        // Submission refuses unauthenticated clients at RCPT (permit_sasl_authenticated, reject).
        let r = await lab.sender().send(lab.sendRequest(to: try lab.mx1, port: 587, tls: .starttls))
        #expect(r.ending == .refused)
        #expect(r.failedStage == .rcpt || r.failedStage == .mail)
        #expect(r.failedReply?.isPermanentFailure == true)
    }

    @Test func eicarIsRefusedAtDataAsAFinding() async throws {
        let lab = try FlowLab.require()
        let msg = FilterTestString.eicar.message(from: "probe@example.com", to: [lab.env.user], token: RoundtripProbe.makeToken())
        let r = await lab.sender().send(lab.sendRequest(to: try lab.mx1, port: 25, tls: .starttls, message: msg))
        #expect(r.ending == .refused && r.failedStage == .data)
        #expect(r.dataReply?.code == 550)
        let analysis = FlowAnalysis.filterTest(.eicar, send: SendSummary(flowResult: r))
        #expect(analysis.verdict == .rejected)
        #expect(analysis.findings.map(\.id) == ["flow.eicar.rejected"])
        // The transcript never holds the test string itself.
        #expect(!r.transcript.rendered().contains("EICAR-STANDARD"))
    }

    @Test func gtubeIsAcceptedWithoutARoundTripSoItsFateIsUnseen() async throws {
        let lab = try FlowLab.require()
        let msg = FilterTestString.gtube.message(from: "probe@example.com", to: [lab.env.user], token: RoundtripProbe.makeToken())
        let r = await lab.sender().send(lab.sendRequest(to: try lab.mx1, port: 25, tls: .starttls, message: msg))
        #expect(r.ending == .accepted)
        let analysis = FlowAnalysis.filterTest(.gtube, send: SendSummary(flowResult: r))
        #expect(analysis.findings.map(\.id) == ["flow.gtube.accepted"])
    }

    @Test func closedPortFailsAtConnect() async throws {
        let lab = try FlowLab.require()
        let r = await lab.sender().send(lab.sendRequest(to: try lab.env.address("BROKEN_CLOSED"), port: 25, tls: .starttls))
        #expect(r.ending == .failed && r.failedStage == .connect)
        #expect(r.connect?.state == .refused)
    }
}
