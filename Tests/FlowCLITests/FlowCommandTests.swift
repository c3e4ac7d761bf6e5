import ArgumentParser
import Diagnosis
import MailCore
import MailWire
@testable import MXRayCLI
import Probes
import Testing

@Suite struct FlowCommandTests {
    @Test func helpDocumentsExitCodesAndExamples() {
        #expect(SendCommand.helpMessage().contains("Example"))
        let send = SendCommand.configuration.discussion
        for s in ["Example", "21 greeting", "24 no recipient", "26 message refused after DATA", "28 AUTH", "29 TLS", "MXRAY_PASSWORD", "--quit-after"] {
            #expect(send.contains(s), "\(s)")
        }
        #expect(RoundtripCommand.helpMessage().contains("Example"))
        let rt = RoundtripCommand.configuration.discussion
        #expect(rt.contains("IDLE") && rt.contains("Exit codes"))
    }

    @Test func exitCodesFollowTheFailingStage() {
        func result(_ ending: SendResult.Ending, _ stage: SendStage?, data: Bool = false) -> SendResult {
            var r = SendResult(target: "t", transcript: Transcript(label: "t"))
            r.ending = ending
            r.failedStage = stage
            if data { r.dataReply = SMTPReply(code: 554, lines: ["no"]) }
            return r
        }
        #expect(SendCommand.exitCode(result(.accepted, nil)) == 0)
        #expect(SendCommand.exitCode(result(.stoppedAsAsked, nil)) == 0)
        #expect(SendCommand.exitCode(result(.failed, .connect)) == 3)
        #expect(SendCommand.exitCode(result(.refused, .banner)) == 21)
        #expect(SendCommand.exitCode(result(.refused, .ehlo)) == 22)
        #expect(SendCommand.exitCode(result(.refused, .mail)) == 23)
        #expect(SendCommand.exitCode(result(.refused, .rcpt)) == 24)
        #expect(SendCommand.exitCode(result(.refused, .data)) == 25)
        #expect(SendCommand.exitCode(result(.refused, .data, data: true)) == 26)
        #expect(SendCommand.exitCode(result(.refused, .auth)) == 28)
        #expect(SendCommand.exitCode(result(.failed, .starttls)) == 29)
    }

    @Test func validationRefusesBadInput() {
        #expect(throws: (any Error).self) { try SendCommand.parse(["--via", "h:99999", "--from", "a@b.c", "--to", "d@e.f"]) }
        #expect(throws: (any Error).self) { try SendCommand.parse(["--via", "h", "--from", "a@b.c", "--to", "d@e.f", "--quit-after", "data"]) }
        #expect(throws: (any Error).self) { try SendCommand.parse(["--via", "h", "--from", "a@b.c", "--to", "d@e.f", "--test", "virus"]) }
        #expect(throws: (any Error).self) { try SendCommand.parse(["--via", "h", "--from", "a@b.c", "--to", "d@e.f", "--header", "Subject: a\r\nBcc: x"]) }
        #expect(throws: (any Error).self) { try SendCommand.parse(["--via", "h", "--from", "a@b.c>", "--to", "d@e.f"]) }
        #expect(throws: (any Error).self) { try RoundtripCommand.parse(["--submission", "h", "--user", "u@h", "--poll", "0"]) }
        let ok = try? SendCommand.parse(["--via", "[::1]:2525", "--from", "", "--to", "d@e.f", "--quit-after", "rcpt"])
        #expect(ok?.quitAfter == "rcpt")
        let e = try? FlowEndpoint("[::1]:2525", defaultPort: 25)
        #expect(e?.host == "::1" && e?.port == 2525)
        #expect((try? FlowEndpoint("mx.example", defaultPort: 587))?.port == 587)
    }

    @Test func summaryMappingKeepsEveryField() {
        var r = SendResult(target: "smtp://x:25", transcript: Transcript(label: "x"))
        r.ending = .refused
        r.failedStage = .data
        r.dataReply = SMTPReply(code: 550, lines: ["5.7.1 Virus"])
        r.failedReply = r.dataReply
        r.pipelined = true
        r.queueID = "Q1"
        r.refusedRecipients = [.init(recipient: "a@b.c", reply: SMTPReply(code: 550, lines: ["no"]))]
        let s = SendSummary(r)
        #expect(s.ending == "refused" && s.failedStage == "data" && s.dataReply?.code == 550 && s.pipelined && s.queueID == "Q1")
        #expect(s.refusedRecipients == ["a@b.c"])
        #expect(FlowAnalysis.filterTest(.eicar, send: s).verdict == .rejected)
    }
}
