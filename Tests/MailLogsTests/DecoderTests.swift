import Foundation
import Testing
@testable import MailLogs

@Suite struct TimestampTests {
    @Test func rfc3339Offsets() {
        func t(_ s: String) -> Int64? { withLineBytes(s) { LogTime.rfc3339($0, at: 0)?.micros } }
        let z = t("2026-11-29T16:10:39Z")
        #expect(z == LogTime.micros(year: 2026, month: 11, day: 29, hour: 16, minute: 10, second: 39))
        #expect(t("2026-11-29T17:10:39+01:00") == z)
        #expect(t("2026-11-29T17:10:39+0100") == z)
        #expect(t("2026-11-29T11:10:39-05:00") == z)
        #expect(t("2026-11-29T16:10:39.123456Z") == z! + 123456)
        #expect(t("2026-11-29T16:10:39.5Z") == z! + 500000)
        #expect(t("2026-13-29T16:10:39Z") == nil)
        #expect(t("2026-11-29T16:10") == nil)
        #expect(LogTime.iso(z!) == "2026-11-29T16:10:39Z")
    }

    @Test func syslogYearAcrossNewYear() {
        let y = YearInference(referenceYear: 2027, referenceMonth: 1)
        #expect(y.year(forMonth: 12) == 2026)
        #expect(y.year(forMonth: 1) == 2027)
        withLineBytes("Jan  5 01:02:03 host x: y") { b in
            let p = LogTime.syslog(b, at: 0)
            #expect(p?.month == 1 && p?.day == 5 && p?.secondOfDay == 3723)
        }
        withLineBytes("Feb 30 99:00:00") { #expect(LogTime.syslog($0, at: 0) == nil) }
    }

    @Test func journaldMicroseconds() throws {
        let line = #"{"__REALTIME_TIMESTAMP":"1796054439123456","_HOSTNAME":"mx1","SYSLOG_IDENTIFIER":"postfix/smtpd","_PID":"77","MESSAGE":"connect from a.example[192.0.2.1]"}"#
        var dec = LogDecoder(format: .journald, years: YearInference(referenceYear: 2026, referenceMonth: 11))
        var got: (MailEvent.Kind, Int64, String, String)? = nil
        withLineBytes(line) { b in dec.decode(b) { e, bb in got = (e.kind, e.time, bb.string(e.clientIP), bb.string(e.host)) } }
        #expect(got?.0 == .connect)
        #expect(got?.1 == 1796054439123456)
        #expect(got?.2 == "192.0.2.1")
        #expect(got?.3 == "mx1")
    }
}

@Suite struct FormatTests {
    func events(_ text: String, _ format: LogFormat) -> [(MailEvent, String)] {
        var dec = LogDecoder(format: format, years: YearInference(referenceYear: 2026, referenceMonth: 11))
        var out: [(MailEvent, String)] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            withLineBytes(String(line)) { b in dec.decode(b) { e, bb in out.append((e, bb.text)) } }
        }
        return out
    }

    @Test func detection() {
        func d(_ s: String) -> LogFormat { var c = s; return c.withUTF8 { LogDecoder.detect($0) } }
        #expect(d("Nov 29 16:10:39 mx postfix/smtpd[1]: connect from a[1.2.3.4]\n") == .postfix)
        #expect(d("2026-11-29 16:10:39 1tGxyz-000abc-DE <= a@b H=x [1.2.3.4] P=esmtp S=10\n") == .exim)
        #expect(d("\u{FEFF}#Software: Microsoft Exchange Server\n#Fields: date-time,event-id\n") == .exchange)
        #expect(d(#"{"MESSAGE":"x","__REALTIME_TIMESTAMP":"1"}"# + "\n") == .journald)
        #expect(d("Nov 29 16:10:39 imap-login: Info: Login: user=<a>, rip=1.2.3.4\n") == .dovecot)
    }

    @Test func exim() {
        let log = """
        2026-11-29 16:10:39 1tGxyz-000abc-DE <= alice@example.org H=mx.example.org (helo.example.org) [192.0.2.7]:4123 P=esmtps X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no S=1234 id=abc@x
        2026-11-29 16:10:40 1tGxyz-000abc-DE => bob@example.net R=dnslookup T=remote_smtp H=mx.example.net [198.51.100.2] C="250 OK id=1"
        2026-11-29 16:10:40 1tGxyz-0000000abcd-DEFG ** dave@example.net R=dnslookup T=remote_smtp: SMTP error from remote mail server after RCPT TO:<dave@example.net>: 550 5.1.1 unknown user
        2026-11-29 16:10:41 1tGxyz-000abc-DE == erin@example.net R=dnslookup T=remote_smtp defer (-44): SMTP error from remote mail server after RCPT TO:<erin@example.net>: 451 4.7.1 greylisted
        2026-11-29 16:10:42 H=(spam) [203.0.113.9]:5555 F=<x@y.z> rejected RCPT <u@example.org>: relay not permitted
        2026-11-29 16:10:43 dovecot_plain authenticator failed for (x) [203.0.113.9]:5556: 535 Incorrect authentication data (set_id=bob)
        """
        let ev = events(log, .exim)
        #expect(ev.count == 6)
        #expect(ev[0].0.kind == .received && ev[0].0.size == 1234)
        withLineBytes(ev[0].1) { b in
            #expect(b.string(ev[0].0.clientIP) == "192.0.2.7")
            #expect(b.string(ev[0].0.helo) == "helo.example.org")
            #expect(b.string(ev[0].0.from) == "alice@example.org")
        }
        #expect(ev[1].0.kind == .delivery && ev[1].0.status == .sent && ev[1].0.replyCode == 250)
        #expect(ev[2].0.status == .bounced && ev[2].0.queueID.count == 23 && ev[2].0.replyCode == 550)
        #expect(ev[3].0.status == .deferred)
        #expect(ev[4].0.kind == .reject)
        withLineBytes(ev[4].1) { b in #expect(b.string(ev[4].0.statusMessage) == "relay not permitted"); #expect(b.string(ev[4].0.clientIP) == "203.0.113.9") }
        #expect(ev[5].0.kind == .saslFailure)
        withLineBytes(ev[5].1) { b in #expect(b.string(ev[5].0.user) == "bob") }
    }

    @Test func dovecot() {
        let log = """
        Nov 29 16:10:39 mx dovecot: imap-login: Login: user=<alice>, method=PLAIN, rip=192.0.2.7, lip=192.0.2.1, mpid=42, TLS, session=<x>
        Nov 29 16:10:40 pop3-login: Info: Disconnected (auth failed, 3 attempts in 12 secs): user=<bob>, method=PLAIN, rip=203.0.113.9, lip=192.0.2.1, TLS, session=<y>
        Nov 29 16:10:41 mx dovecot: imap(alice)<42><x>: Disconnected: Logged out in=120 out=804
        """
        let ev = events(log, .syslog)
        #expect(ev[0].0.kind == .authSuccess && ev[0].0.source == .dovecot)
        withLineBytes(ev[0].1) { b in #expect(b.string(ev[0].0.user) == "alice"); #expect(b.string(ev[0].0.proto) == "imap"); #expect(b.string(ev[0].0.clientIP) == "192.0.2.7") }
        #expect(ev[1].0.kind == .saslFailure && ev[1].0.n1 == 3)
        withLineBytes(ev[1].1) { b in #expect(b.string(ev[1].0.proto) == "pop3"); #expect(b.string(ev[1].0.user) == "bob") }
        #expect(ev[2].0.kind == .disconnect)
    }

    @Test func exchange() {
        let log = "\u{FEFF}#Software: Microsoft Exchange Server\n#Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id,internal-message-id,message-id,recipient-address,recipient-status,total-bytes,recipient-count,sender-address\n"
            + "2026-11-29T16:10:39.123Z,192.0.2.7,mx.example.org,,ex1,\"a,b\",Default,SMTP,RECEIVE,4242,<id@x>,bob@example.net,,5000,1,alice@example.org\n"
            + "2026-11-29T16:10:40.000Z,,,,ex1,,,SMTP,SEND,4242,<id@x>,bob@example.net,\"250 2.0.0 OK \"\"quoted\"\"\",5000,1,alice@example.org"
        let ev = events(log, .exchange)
        #expect(ev.count == 2)
        #expect(ev[0].0.kind == .received && ev[0].0.size == 5000)
        withLineBytes(ev[0].1) { b in #expect(b.string(ev[0].0.from) == "alice@example.org"); #expect(b.string(ev[0].0.clientIP) == "192.0.2.7") }
        #expect(ev[1].0.kind == .delivery && ev[1].0.status == .sent && ev[1].0.replyCode == 250)
        #expect(ev[1].0.time == LogTime.micros(year: 2026, month: 11, day: 29, hour: 16, minute: 10, second: 40))
    }

    @Test func unknownLinesAreCountedNotErrors() {
        let ev = events("garbage without header\nNov 29 16:10:39 mx postfix/smtpd[1]: something new in Postfix 3.11\n\u{0}\u{1}\u{2}", .postfix)
        #expect(ev.count == 3)
        #expect(ev.allSatisfy { $0.0.kind == .unknown })
    }

    @Test func postfixInstancesAndServices() {
        let ev = events("Nov 29 16:10:39 mx postfix-in/submission/smtpd[1]: 4A1B2C3D4E: client=a[192.0.2.1]", .postfix)
        withLineBytes(ev[0].1) { b in
            #expect(b.string(ev[0].0.instance) == "postfix-in")
            #expect(b.string(ev[0].0.service) == "submission")
            #expect(b.string(ev[0].0.daemon) == "smtpd")
        }
        #expect(ev[0].0.kind == .received)
    }
}

@Suite struct CounterTests {
    @Test func boundedCounterKeepsHeavyHitters() {
        var c = ByteCounter(capacity: 100)
        for i in 0..<5000 { c.add("rare\(i)") ; if i % 3 == 0 { c.add("heavy") } }
        #expect(c.approximate)
        #expect(c.top(1).first?.key == "heavy")
        #expect(c.entries.count <= 100)
        let d = c.distinct
        #expect(d > 4500 && d < 5600, "HLL estimate \(d)")
    }

    @Test func histogramPercentiles() {
        var h = LogHistogram()
        for i in 1...1000 { h.add(Double(i) / 100) }
        #expect(abs(h.quantile(0.5) - 5) < 0.15)
        #expect(abs(h.quantile(0.99) - 9.9) < 0.25)
        #expect(h.max == 10)
    }

    @Test func gzipEqualsPlainAndMissingFileThrows() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mxray-logs-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = PflogsummComparisonTests.fixtures + "/postfix-mixed.log"
        let gz = dir.appendingPathComponent("m.log.gz").path
        let r = try LabSupportShim.sh("gzip -c '\(src)' > '\(gz)'")
        #expect(r == 0)
        var runner = LogRunner(); runner.year = 2026
        let a = try runner.run([src]), b = try runner.run([gz])
        #expect(a.totals == b.totals)
        #expect(throws: LogInputError.self) { try runner.run([dir.appendingPathComponent("missing.log").path]) }
    }

    @Test func parallelChunksEqualSequential() throws {
        // Many copies of the fixture with distinct queue ids, split across 4 threads.
        let src = try String(contentsOfFile: PflogsummComparisonTests.fixtures + "/postfix-mixed.log", encoding: .utf8)
        var big = ""
        for i in 0..<400 {
            let tag = String(format: "%03X", i)
            big += src.replacingOccurrences(of: "4A1B2C3D4E", with: "4A1B2C3" + tag).replacingOccurrences(of: "8E5F6A7B8C", with: "8E5F6A7" + tag)
                .replacingOccurrences(of: "6C3D4E5F6A", with: "6C3D4E5" + tag)
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mxray-par-\(getpid()).log").path
        try big.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var seq = LogRunner(); seq.year = 2026
        var par = seq; par.threads = 4; par.parallelThreshold = 1
        let a = try seq.run([path]), b = try par.run([path])
        #expect(a.totals == b.totals)
        #expect(a.pflogsummDifferences == b.pflogsummDifferences)
        #expect(a.inputs.first?.lines == b.inputs.first?.lines)
    }
}

enum LabSupportShim {
    static func sh(_ cmd: String) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", cmd]
        try p.run(); p.waitUntilExit()
        return p.terminationStatus
    }
}
