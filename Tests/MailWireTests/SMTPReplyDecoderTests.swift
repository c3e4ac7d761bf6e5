import NIOCore
import NIOTestUtils
import Testing
@testable import MailWire

@Suite struct SMTPReplyDecoderTests {
    @Test func recordedPostfixSessionDecodesTheSameEveryWay() throws {
        let replies = try decodeAllWays(try Fixture.bytes("postfix-good-25.server")) { SMTPReplyDecoder() }
        #expect(replies.map(\.code) == [220, 250, 502, 250, 554, 250, 221])
        let ehlo = replies[1]
        #expect(ehlo.lines.count == 10)
        #expect(ehlo.lines.first == "mx1.good.lab.test")
        #expect(ehlo.lines.last == "CHUNKING")
        #expect(replies[2].enhancedCode == EnhancedStatusCode(5, 5, 1))
        #expect(replies[4].text == "<mxray-relay-test@example.net>: Relay access denied")
        #expect(replies[0].enhancedCode == nil)
    }

    @Test func verifierAgreesOnMultiLineAndBareLF() throws {
        try ByteToMessageDecoderVerifier.verifyDecoder(
            stringInputOutputPairs: [
                ("250-a\r\n250-b\r\n250 c\r\n", [SMTPReply(code: 250, lines: ["a", "b", "c"])]),
                ("220 ready\n", [SMTPReply(code: 220, lines: ["ready"])]),
                ("354\r\n", [SMTPReply(code: 354, lines: [""])]),
                ("550 5.1.1 no\r\n", [SMTPReply(code: 550, enhancedCode: .init(5, 1, 1), lines: ["5.1.1 no"])]),
            ],
            decoderFactory: { SMTPReplyDecoder() })
    }

    @Test func rejectsGarbageWithTypedErrors() {
        for bad in ["hello\r\n", "25\r\n", "999 x\r\n", "250x\r\n", "250-a\r\n251 b\r\n"] {
            var d = SMTPReplyDecoder()
            var b = ByteBuffer(string: bad)
            #expect(throws: MailWireDecodingError.self, "\(bad)") {
                while try d.decode(buffer: &b) != nil {}
            }
        }
    }

    @Test func lineOver64KiBIsAnError() {
        var d = SMTPReplyDecoder()
        var b = ByteBuffer(string: "250 " + String(repeating: "x", count: 64 * 1024 + 10))
        #expect(throws: MailWireDecodingError.lineTooLong(limit: 64 * 1024)) { _ = try d.decode(buffer: &b) }
    }

    @Test func endlessMultiLineReplyStopsAtOneMiB() {
        var d = SMTPReplyDecoder()
        var b = ByteBuffer()
        var error: MailWireDecodingError?
        for _ in 0..<40_000 {
            b.writeString("250-" + String(repeating: "y", count: 40) + "\r\n")
            do { _ = try d.decode(buffer: &b) } catch let e as MailWireDecodingError { error = e; break } catch {}
        }
        #expect(error == .responseTooLarge(limit: 1024 * 1024))
    }

    @Test func eofMidReplyIsTruncated() {
        var d = SMTPReplyDecoder()
        var b = ByteBuffer(string: "250-first\r\n250-sec")
        #expect(throws: MailWireDecodingError.self) {
            _ = try d.decode(buffer: &b)
            _ = try d.decodeLast(buffer: &b, seenEOF: true)
        }
    }

    @Test func enhancedCodes() {
        #expect(EnhancedStatusCode.prefix(of: "2.0.0 Ok")?.code == EnhancedStatusCode(2, 0, 0))
        #expect(EnhancedStatusCode.prefix(of: "5.7.1")?.code == EnhancedStatusCode(5, 7, 1))
        #expect(EnhancedStatusCode.prefix(of: "3.0.0 x") == nil)
        #expect(EnhancedStatusCode.prefix(of: "2.0.0x") == nil)
        #expect(EnhancedStatusCode.prefix(of: "mx1.example") == nil)
    }
}
