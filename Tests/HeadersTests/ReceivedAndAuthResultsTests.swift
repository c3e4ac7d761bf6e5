import MailAuth
import Testing

@Suite struct ReceivedHeaderTests {
    /// A field exactly as the lab's Postfix wrote it (unfolded).
    @Test func postfixWithTLS() {
        let v = "from client.example.net (unknown [127.0.0.1]) (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256) (No client certificate requested) by mx1.good.lab.test (Postfix) with ESMTPS id 15DDEF8695A for <alice@good.lab.test>; Sun, 29 Nov 2026 18:50:03 +0000 (UTC)"
        let r = ReceivedHeader.parse(v)
        #expect(r.from == "client.example.net")
        #expect(r.fromAddress == "127.0.0.1")
        #expect(r.fromReverseName == nil)
        #expect(r.by == "mx1.good.lab.test")
        #expect(r.with == "ESMTPS")
        #expect(r.id == "15DDEF8695A")
        #expect(r.forAddress == "alice@good.lab.test")
        #expect(r.tls.used == true && r.tls.version == "TLSv1.3" && r.tls.cipher == "TLS_AES_256_GCM_SHA384")
        #expect(r.date?.iso8601 == "2026-11-29T18:50:03Z")
        #expect(r.problems.isEmpty)
    }

    @Test func gmailEximAndSendmail() {
        let g = ReceivedHeader.parse("from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41]) by mx.google.com with SMTPS id a1sor for <alice@example.org> (Google Transport Security); Sun, 29 Nov 2026 10:50:03 -0800 (PST)")
        #expect(g.fromReverseName == "mail-sor-f41.google.com" && g.fromAddress == "209.85.220.41")
        #expect(g.date?.iso8601 == "2026-11-29T18:50:03Z")
        let e = ReceivedHeader.parse("from [192.0.2.7] (helo=client) by mx.example.net with esmtps  (TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) id 1abcde-000123-AB; Sun, 29 Nov 26 18:50:03 GMT")
        #expect(e.fromAddress == "192.0.2.7")
        #expect(e.tls.used == true && e.tls.version == "TLS1.3" && e.tls.cipher == "TLS_AES_256_GCM_SHA384")
        let s = ReceivedHeader.parse("from localhost (localhost [127.0.0.1]) by host.example (8.15.2/8.15.2) with ESMTP id x (version=TLSv1.2 cipher=ECDHE-RSA-AES256-GCM-SHA384 bits=256 verify=NO); Sun, 29 Nov 2026 18:50:03 -0000")
        #expect(s.tls.used == true && s.tls.version == "TLSv1.2")
        #expect(s.date?.offsetMinutes == nil)
        let plain = ReceivedHeader.parse("from a.example (a.example [192.0.2.1]) by b.example with ESMTPA id 1; Sun, 29 Nov 2026 18:50:03 +0000")
        #expect(plain.tls.used == false && plain.authenticated)
    }

    @Test func missingAndBrokenDatesAreProblemsNotCrashes() {
        let none = ReceivedHeader.parse("by 10.157.14.6 with HTTP")
        #expect(none.date == nil && none.by == "10.157.14.6")
        #expect(none.problems.contains { $0.contains("did not stamp a time") })
        let bad = ReceivedHeader.parse("from a by b; yesterday")
        #expect(bad.dateText == "yesterday" && bad.date == nil)
        #expect(bad.problems.contains { $0.contains("unreadable date") })
        // A ";" inside a comment is not the date separator.
        let c = ReceivedHeader.parse("from a (x; y) by b; Sun, 29 Nov 2026 18:50:03 +0000")
        #expect(c.fromComment == "x; y" && c.date != nil)
        #expect(ReceivedHeader.parse("").problems.count >= 2)
    }
}

@Suite struct AuthResultsTests {
    /// RFC 8601 Appendix B examples.
    @Test func rfc8601Examples() throws {
        let none = try AuthenticationResults.parse("example.org 1; none")
        #expect(none.authservID == "example.org" && none.version == 1 && none.results.isEmpty)
        let b3 = try AuthenticationResults.parse("example.com; spf=pass smtp.mailfrom=example.net")
        #expect(b3.result("spf")?.result == "pass" && b3.result("spf")?.property("smtp", "mailfrom") == "example.net")
        let b4 = try AuthenticationResults.parse("""
            example.com;\r\n  auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n  spf=pass smtp.mailfrom=example.net
            """)
        #expect(b4.results.map(\.method) == ["auth", "spf"])
        #expect(b4.results[0].comments == ["cram-md5"])
        let b5 = try AuthenticationResults.parse("example.com; sender-id=fail header.from=example.com; dkim=pass (good signature) header.d=example.com")
        #expect(b5.result("sender-id")?.result == "fail" && b5.result("dkim")?.property("header", "d") == "example.com")
        let v = try AuthenticationResults.parse("mx.example; spf=fail reason=\"not permitted\" smtp.mailfrom=a@b.example; dkim/1=pass header.b=Ab+/9w==;")
        #expect(v.result("spf")?.reason == "not permitted" && v.result("dkim")?.methodVersion == 1)
        #expect(v.result("dkim")?.property("header", "b") == "Ab+/9w==")
    }

    @Test func malformedValuesAreTypedErrors() {
        for bad in ["", ";spf=pass", "mx; spf", "mx; spf=", "mx; spf=pass foo", "mx; =pass", "mx; spf=pass; none", "mx x; spf=pass"] {
            #expect(throws: AuthResultsParseError.self, "\(bad)") { try AuthenticationResults.parse(bad) }
        }
    }

    @Test func arcAuthenticationResults() throws {
        let a = try AuthenticationResults.parseARC("i=2; lists.example.org; spf=pass smtp.mfrom=jqd@d1.example; dmarc=pass")
        #expect(a.instance == 2 && a.authservID == "lists.example.org" && a.results.count == 2)
        #expect(throws: AuthResultsParseError.self) { try AuthenticationResults.parseARC("lists.example.org; i=1; spf=pass") }
        #expect(throws: AuthResultsParseError.self) { try AuthenticationResults.parseARC("i=0; x; spf=pass") }
    }

    @Test func messageAccessors() throws {
        let m = Array("Authentication-Results: mx.example;\r\n spf=softfail smtp.mailfrom=a.example\r\nAuthentication-Results: broken\r\n  ; ;=\r\nReceived: by mx.example; Sun, 29 Nov 2026 18:50:03 +0000\r\n\r\n".utf8)
        let h = try MessageHeader.parse(m)
        #expect(h.authenticationResults.count == 1)
        #expect(h.authenticationResultsFields.count == 2)
        #expect(h.receivedChain.first?.by == "mx.example")
    }
}
