import MailAuth
import Testing

@Suite struct MessageHeaderTests {
    @Test func unfoldsAndKeepsRaw() throws {
        let msg = Array("Subject: a\r\n b\r\nFrom: x@y\r\n\r\nbody".utf8)
        let h = try MessageHeader.parse(msg)
        #expect(h.fields.count == 2)
        #expect(h["subject"]?.value == "a b")
        #expect(h["Subject"]?.raw == "Subject: a\r\n b")
        #expect(h.bodyOffset == msg.count - 4)
        #expect(h.fields[1].line == 3)
    }

    @Test func bareLFAndMboxSeparatorAndGarbageAreReported() throws {
        let msg = Array("From alice@example.org Sun Nov 29 18:50:03 2026\nReceived: by a; Sun, 29 Nov 2026 18:50:03 +0000\nnot a field\nTo : b@example.org\n\nbody\n".utf8)
        let h = try MessageHeader.parse(msg)
        #expect(h.fields.map(\.name) == ["Received", "To"])
        #expect(h["to"]?.value == "b@example.org")  // RFC 5322 §4.5: WSP before the colon
        #expect(h.problems.count == 2)
        #expect(h.problems.contains { $0.contains("mbox") })
        #expect(h.problems.contains { $0.contains("\"not a field\"") })
    }

    @Test func boundsAreTypedErrors() {
        #expect(throws: MessageParseError.self) { try MessageHeader.parse([]) }
        let many = Array(String(repeating: "X-A: 1\r\n", count: 50).utf8)
        do { _ = try MessageHeader.parse(many, limits: .init(maxHeaderBytes: 1 << 20, maxFields: 10)); Issue.record("no error") } catch {
            #expect(error.kind == .tooManyFields)
        }
        let long = Array(("X-A: " + String(repeating: "a", count: 5000) + "\r\n\r\n").utf8)
        do { _ = try MessageHeader.parse(long, limits: .init(maxHeaderBytes: 1000, maxFields: 10)); Issue.record("no error") } catch {
            #expect(error.kind == .headerTooLarge)
        }
        do { _ = try MessageHeader.parse(Array("\r\nbody only".utf8)); Issue.record("no error") } catch { #expect(error.kind == .noFields) }
    }

    @Test func headerOnlyInputHasNoBody() throws {
        let h = try MessageHeader.parse(Array("Subject: x\r\nTo: y".utf8))
        #expect(h.bodyOffset == nil)
        #expect(h.fields.count == 2)
    }
}

@Suite struct MailDateTests {
    @Test func zonesAreNormalisedToUTC() throws {
        let d = try MailDate.parse("Tue, 3 Jan 2017 12:22:54 -0800 (PST)")
        #expect(d.iso8601 == "2017-01-03T20:22:54Z")
        #expect(d.offsetMinutes == -480)
        let e = try MailDate.parse("Wed, 4 Jan 2017 04:22:54 +0800")
        #expect(e.epochSeconds == d.epochSeconds)
        #expect(try MailDate.parse("Sun, 29 Nov 2026 18:50:03 +0530").iso8601 == "2026-11-29T13:20:03Z")
    }

    @Test func obsoleteFormsOfRFC5322Section4_3() throws {
        #expect(try MailDate.parse("3 Jan 17 12:22 EST").iso8601 == "2017-01-03T17:22:00Z")
        #expect(try MailDate.parse("Sun, 29 Nov 99 18:50:03 GMT").iso8601 == "1999-11-29T18:50:03Z")
        #expect(try MailDate.parse("1 Mar 2024 00:00:00 -0000").offsetMinutes == nil)
        #expect(try MailDate.parse("29 Feb 2024 23:59:60 +0000").iso8601 == "2024-02-29T23:59:59Z")
    }

    @Test func badDatesAreErrorsWithAReason() {
        for bad in ["Tue, 3 Jan 2017 12:31:41 -080", "", "31 Feb 2021 10:00:00 +0000", "3 Foo 2017 10:00 +0000", "3 Jan 2017 25:00 +0000", "3 Jan 2017 10:00"] {
            #expect(throws: MailDateError.self, "\(bad)") { try MailDate.parse(bad) }
        }
    }
}
