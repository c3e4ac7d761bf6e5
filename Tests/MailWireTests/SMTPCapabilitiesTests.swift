import NIOCore
import Testing
@testable import MailWire

@Suite struct SMTPCapabilitiesTests {
    @Test func weakPostfixEHLO() throws {
        let replies = try decodeAllWays(try Fixture.bytes("postfix-weak-25.server")) { SMTPReplyDecoder() }
        let caps = SMTPCapabilities(ehloReply: replies[1])
        #expect(caps.serverName == "mx.weak.lab.test")
        #expect(caps.maxSize == 10_240_000)
        #expect(caps.pipelining && caps.eightBitMIME && caps.smtpUTF8 && caps.chunking && caps.dsn)
        #expect(caps.enhancedStatusCodes && caps.startTLS)
        #expect(!caps.requireTLS)
        #expect(caps.authMechanisms == ["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256"])
        #expect(caps.has("VRFY"))
        #expect(SMTPObservation.answersAddressQuery(replies[2]))   // 252 2.0.0 postmaster
        #expect(!SMTPObservation.answersAddressQuery(replies[3]))  // 500 not recognized
    }

    @Test func oldStyleAuthAndRequireTLS() {
        let r = SMTPReply(code: 250, lines: ["mx.example", "AUTH=LOGIN PLAIN", "AUTH login CRAM-MD5", "REQUIRETLS", "SIZE"])
        let c = SMTPCapabilities(ehloReply: r)
        #expect(c.authMechanisms == ["LOGIN", "PLAIN", "CRAM-MD5"])
        #expect(c.requireTLS)
        #expect(c.maxSize == nil)
    }

    @Test func diffBeforeAndAfterTLS() {
        let before = SMTPCapabilities(ehloReply: SMTPReply(code: 250, lines: ["x", "PIPELINING", "STARTTLS"]))
        let after = SMTPCapabilities(ehloReply: SMTPReply(code: 250, lines: ["x", "PIPELINING", "AUTH PLAIN"]))
        let d = SMTPCapabilities.diff(before: before, after: after)
        #expect(d.added == ["AUTH PLAIN"])
        #expect(d.removed == ["STARTTLS"])
        #expect(d.unchanged == ["PIPELINING"])
    }

    @Test func vrfyDisabledAnswersAreNotExposure() {
        #expect(!SMTPObservation.answersAddressQuery(SMTPReply(code: 502, enhancedCode: .init(5, 5, 1), lines: ["5.5.1 VRFY command is disabled"])))
        #expect(!SMTPObservation.answersAddressQuery(SMTPReply(code: 252, lines: ["Administrative prohibition"])))
        #expect(SMTPObservation.answersAddressQuery(SMTPReply(code: 250, lines: ["<postmaster@example.org>"])))
        #expect(SMTPObservation.answersAddressQuery(SMTPReply(code: 550, enhancedCode: .init(5, 1, 1), lines: ["5.1.1 unknown"])))
    }

    @Test func fingerprints() {
        #expect(ServerFingerprint.identify("mx1.good.lab.test ESMTP Postfix")?.software == "Postfix")
        #expect(ServerFingerprint.identify("mail.example ESMTP Exim 4.96 Mon, 1 Jan 2024") == ServerFingerprint(software: "Exim", version: "4.96"))
        #expect(ServerFingerprint.identify("EX01.corp Microsoft ESMTP MAIL Service ready at Mon")?.software == "Microsoft Exchange")
        #expect(ServerFingerprint.identify("mx.example ESMTP Sendmail 8.17.1/8.17.1; Mon") == ServerFingerprint(software: "Sendmail", version: "8.17.1"))
        #expect(ServerFingerprint.identify("mx.example ESMTP Haraka/3.0.2 ready") == ServerFingerprint(software: "Haraka", version: "3.0.2"))
        #expect(ServerFingerprint.identify("mx.example ESMTP") == nil)
    }
}
