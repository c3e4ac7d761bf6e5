import Testing
@testable import MailWire

/// The exact bytes the client writes, and refusal of CR/LF/NUL injection in user input.
@Suite struct CommandEncodingTests {
    func text(_ c: EncodedCommand) -> String { String(decoding: c.bytes, as: UTF8.self) }

    @Test func smtpBytes() throws {
        #expect(text(try SMTPCommand.ehlo("mxray.invalid").encoded()) == "EHLO mxray.invalid\r\n")
        #expect(text(try SMTPCommand.mailFrom("").encoded()) == "MAIL FROM:<>\r\n")
        #expect(text(try SMTPCommand.rcptTo("@[192.0.2.1]:u@example.net").encoded()) == "RCPT TO:<@[192.0.2.1]:u@example.net>\r\n")
        #expect(text(try SMTPCommand.rcptTo("\"u@example.net\"@[192.0.2.1]").encoded()) == "RCPT TO:<\"u@example.net\"@[192.0.2.1]>\r\n")
        #expect(text(try SMTPCommand.startTLS.encoded()) == "STARTTLS\r\n")
        let auth = try SMTPCommand.auth(mechanism: "PLAIN", initialResponse: "AGFsaWNlAHNlY3JldA==").encoded()
        #expect(text(auth) == "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n")
        #expect(auth.redacted && auth.transcriptText == "AUTH PLAIN <redacted>")
        #expect(!auth.transcriptText.contains("AGFs"))
    }

    @Test func smtpRefusesInjection() {
        let attempts: [SMTPCommand] = [
            .ehlo("x\r\nMAIL FROM:<a@b>"), .helo("x\nRSET"), .mailFrom("a@b>\r\nRCPT TO:<c@d"),
            .rcptTo("a@b\u{0}"), .vrfy("root\r\nEXPN root"), .auth(mechanism: "PLAIN", initialResponse: "abc\r\nQUIT"),
            .auth(mechanism: "PLAIN\r\nQUIT", initialResponse: nil), .saslResponse("x\ry"), .mailFrom("a b@c"),
        ]
        for a in attempts {
            #expect(throws: CommandEncodingError.self, "\(a)") { _ = try a.encoded() }
        }
    }

    @Test func imapBytesAndQuoting() throws {
        #expect(text(try IMAPCommand.capability.encoded(tag: "a1")) == "a1 CAPABILITY\r\n")
        let login = try IMAPCommand.login(user: "alice@good.lab.test", password: "p\"w\\d").encoded(tag: "a2")
        #expect(text(login) == "a2 LOGIN \"alice@good.lab.test\" \"p\\\"w\\\\d\"\r\n")
        #expect(login.transcriptText == "a2 LOGIN <redacted>")
        #expect(text(try IMAPCommand.select("INBOX").encoded(tag: "a3")) == "a3 SELECT \"INBOX\"\r\n")
        #expect(text(try IMAPCommand.fetch(sequence: "7", items: "(BODY.PEEK[HEADER])").encoded(tag: "a4")) == "a4 FETCH 7 (BODY.PEEK[HEADER])\r\n")
        #expect(text(try IMAPCommand.authenticate(mechanism: "PLAIN", initialResponse: "").encoded(tag: "a5")) == "a5 AUTHENTICATE PLAIN =\r\n")
    }

    @Test func imapRefusesInjection() {
        let attempts: [(IMAPCommand, String)] = [
            (.login(user: "alice\r\na9 DELETE INBOX", password: "x"), "a1"),
            (.login(user: "alice", password: "pw\n"), "a1"),
            (.select("INBOX\u{0}"), "a1"),
            (.fetch(sequence: "1 BODY[]\r\na2 LOGOUT", items: "FLAGS"), "a1"),
            (.capability, "a 1"),
            (.capability, "a\r\n"),
        ]
        for (c, tag) in attempts {
            #expect(throws: CommandEncodingError.self, "\(c)") { _ = try c.encoded(tag: tag) }
        }
    }

    @Test func pop3BytesAndInjection() throws {
        #expect(text(try POP3Command.capa.encoded()) == "CAPA\r\n")
        #expect(text(try POP3Command.user("alice@good.lab.test").encoded()) == "USER alice@good.lab.test\r\n")
        let pass = try POP3Command.pass("s3cret").encoded()
        #expect(text(pass) == "PASS s3cret\r\n" && pass.transcriptText == "PASS <redacted>")
        #expect(throws: CommandEncodingError.self) { _ = try POP3Command.user("a\r\nDELE 1").encoded() }
        #expect(throws: CommandEncodingError.self) { _ = try POP3Command.pass("x\r\nDELE 1").encoded() }
        #expect(throws: CommandEncodingError.self) { _ = try POP3Command.user("a b").encoded() }
    }
}
