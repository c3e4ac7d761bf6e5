import NIOCore
import Testing
@testable import MailWire

@Suite struct POP3ResponseDecoderTests {
    /// Decodes a recorded session where the second response (CAPA) is multi-line.
    func decodeSession(_ name: String, chunk: Int) throws -> [POP3Response] {
        let input = try Fixture.bytes(name)
        var d = POP3ResponseDecoder()
        var b = ByteBuffer()
        var out: [POP3Response] = []
        var i = 0
        while i < input.count {
            b.writeBytes(input[i..<min(i + chunk, input.count)])
            i += chunk
            while let r = try d.decode(buffer: &b) {
                out.append(r)
                if out.count == 1 { d.expectMultiLine() }  // the client sent CAPA next
            }
        }
        return out
    }

    @Test func recordedDovecotSessions() throws {
        for chunk in [1, 5, 4096] {
            let good = try decodeSession("dovecot-good-110.server", chunk: chunk)
            #expect(good.map(\.status) == [.ok, .ok, .err, .ok])
            let caps = POP3Capabilities(capaResponse: good[1])
            #expect(caps.stls && caps.top && caps.uidl && caps.pipelining && !caps.user)
            #expect(caps.saslMechanisms == ["CRAM-MD5", "SCRAM-SHA-256"])
            #expect(good[2].responseCode == "AUTH")
            let weak = try decodeSession("dovecot-weak-110.server", chunk: chunk)
            #expect(POP3Capabilities(capaResponse: weak[1]).user)
            #expect(weak[2].isOK)  // USER accepted before TLS
        }
    }

    @Test func dotUnstuffingAndTerminator() throws {
        // The mode is per response, so each way starts from a decoder told to expect multi-line.
        let r = try decodeAllWays(Array("+OK list follows\r\n..hidden\r\nplain\r\n.\r\n-ERR no\r\n".utf8)) {
            var d = POP3ResponseDecoder()
            d.expectMultiLine()
            return d
        }
        #expect(r == [POP3Response(status: .ok, text: "list follows", lines: [".hidden", "plain"]),
                      POP3Response(status: .err, text: "no")])
    }

    @Test func singleLineAndContinuation() throws {
        let r = try decodeAllWays(Array("+OK POP3 ready <1896.697170952@dbc.mtview.ca.us>\r\n+ PDE4\r\n-ERR [IN-USE] busy\r\n".utf8)) { POP3ResponseDecoder() }
        #expect(r[0].apopTimestamp == "<1896.697170952@dbc.mtview.ca.us>")
        #expect(r[1].status == .continuation && r[1].text == "PDE4")
        #expect(r[2].responseCode == "IN-USE")
        #expect(POP3Response(status: .ok, text: "Dovecot ready.").apopTimestamp == nil)
    }

    @Test func garbageAndBounds() {
        for bad in ["OK\r\n", "+OKAY\r\n", "\r\n"] {
            var d = POP3ResponseDecoder()
            var b = ByteBuffer(string: bad)
            #expect(throws: MailWireDecodingError.self, "\(bad)") { _ = try d.decode(buffer: &b) }
        }
        var d = POP3ResponseDecoder()
        d.expectMultiLine()
        var b = ByteBuffer(string: "+OK\r\n")
        var error: MailWireDecodingError?
        for _ in 0..<30_000 {
            b.writeString(String(repeating: "w", count: 60) + "\r\n")
            do { _ = try d.decode(buffer: &b) } catch let e as MailWireDecodingError { error = e; break } catch {}
        }
        #expect(error == .responseTooLarge(limit: 1024 * 1024))
    }
}
