import NIOCore
import NIOTestUtils
import Testing
@testable import MailWire

@Suite struct IMAPResponseDecoderTests {
    @Test func recordedDovecotPlaintextSession() throws {
        let r = try decodeAllWays(try Fixture.bytes("dovecot-good-143.server")) { IMAPResponseDecoder() }
        #expect(r.count == 7)
        #expect(r[0].kind == .untagged && r[0].status == .ok)
        let greetingCaps = try #require(IMAPCapabilities(response: r[0]))
        #expect(greetingCaps.loginDisabled && greetingCaps.startTLS && greetingCaps.imap4rev1 && greetingCaps.idle)
        #expect(!greetingCaps.imap4rev2)
        #expect(greetingCaps.authMechanisms == ["CRAM-MD5", "SCRAM-SHA-256"])
        #expect(IMAPCapabilities(response: r[1]) == greetingCaps)
        #expect(r[2].tag == "a1" && r[2].status == .ok)
        #expect(r[4].tag == "a2" && r[4].status == .no && r[4].responseCode == "PRIVACYREQUIRED")
        #expect(r[5].status == .bye)
    }

    @Test func recordedDovecotTLSSessionWithLoginListSelect() throws {
        let r = try decodeAllWays(try Fixture.bytes("dovecot-good-993.server")) { IMAPResponseDecoder() }
        let failed = try #require(r.first { $0.tag == "a2" })
        #expect(failed.status == .no && failed.responseCode == "AUTHENTICATIONFAILED")
        #expect(failed.statusText == "Authentication failed.")
        #expect(r.contains { $0.keyword == "LIST" })
        let exists = try #require(r.first { $0.keyword == "EXISTS" })
        #expect(exists.number == 0)
        #expect(r.first { $0.tag == "a5" }?.responseCode == "READ-WRITE")
    }

    @Test func literalsAreKeptAndTheLineContinues() throws {
        let input = "* 1 FETCH (BODY[HEADER] {24}\r\nSubject: hi\r\nFrom: a@b\r\n)\r\na3 OK done\r\n"
        let r = try decodeAllWays(Array(input.utf8)) { IMAPResponseDecoder() }
        #expect(r.count == 2)
        #expect(r[0].keyword == "FETCH" && r[0].number == 1)
        #expect(r[0].literals == [Array("Subject: hi\r\nFrom: a@b\r\n".utf8)])
        #expect(r[0].text == "1 FETCH (BODY[HEADER] {24})")
        #expect(r[1].tag == "a3")
    }

    @Test func verifier() throws {
        try ByteToMessageDecoderVerifier.verifyDecoder(
            stringInputOutputPairs: [
                ("+ \r\n", [IMAPResponse(kind: .continuation, text: "")]),
                ("+ PDE4OTY+\r\n", [IMAPResponse(kind: .continuation, text: "PDE4OTY+")]),
                ("* PREAUTH welcome\r\n", [IMAPResponse(kind: .untagged, text: "PREAUTH welcome")]),
                ("* 1 FETCH (X {3+}\r\nabc)\r\n", [IMAPResponse(kind: .untagged, text: "1 FETCH (X {3+})", literals: [Array("abc".utf8)])]),
            ],
            decoderFactory: { IMAPResponseDecoder() })
    }

    @Test func boundsAndGarbage() {
        var d = IMAPResponseDecoder()
        var b = ByteBuffer(string: "* 1 FETCH (BODY[] {99999999}\r\n")
        #expect(throws: MailWireDecodingError.literalTooLarge(announced: 99_999_999, limit: 1024 * 1024)) { _ = try d.decode(buffer: &b) }
        for bad in ["\r\n", "*\r\n", "a(1 OK x\r\n", "tag\r\n"] {
            var d2 = IMAPResponseDecoder()
            var b2 = ByteBuffer(string: bad)
            #expect(throws: MailWireDecodingError.self, "\(bad)") { _ = try d2.decode(buffer: &b2) }
        }
        var d3 = IMAPResponseDecoder()
        var b3 = ByteBuffer(string: "* OK " + String(repeating: "z", count: 70_000))
        #expect(throws: MailWireDecodingError.lineTooLong(limit: 64 * 1024)) { _ = try d3.decode(buffer: &b3) }
    }
}
