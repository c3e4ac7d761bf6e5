import Foundation
import Testing
import MailLogs
@testable import Reporting

/// Writes Postfix/Dovecot syslog lines with RFC 3339 timestamps, as rsyslog does.
struct SyntheticMailLog {
    static let start = 1_793_577_600.0   // 2026-11-02T00:00:00Z
    var rng: SeededRandom
    var lines: [(Double, String)] = []
    var pid = 1000
    var queue = 0

    init(seed: UInt64) { rng = SeededRandom(seed) }

    static func stamp(_ t: Double) -> String {
        let s = Int64(t), us = Int64(((t - Double(s)) * 1e6).rounded())
        return String(LogTime.iso(s * LogTime.microsPerSecond).dropLast()) + String(format: ".%06lld+00:00", min(us, 999_999))
    }

    mutating func emit(_ t: Double, _ prog: String, _ text: String) {
        pid += 1
        lines.append((t, "\(Self.stamp(t)) mx1 \(prog)[\(pid)]: \(text)"))
    }

    /// Ordinary traffic: about `rate` inbound connections a minute, each delivered locally; now and then a mistyped password.
    mutating func background(minutes: Int, rate: Double) {
        for m in 0..<minutes {
            let t0 = Self.start + Double(m) * 60
            for _ in 0..<Int(rng.poisson(rate)) {
                let t = t0 + Double.random(in: 0..<55, using: &rng)
                let ip = "192.0.2.\(Int.random(in: 2...250, using: &rng))"
                queue += 1
                let q = String(format: "4A%08X", queue)
                emit(t, "postfix/smtpd", "connect from mail.example.net[\(ip)]")
                emit(t + 0.1, "postfix/smtpd", "\(q): client=mail.example.net[\(ip)]")
                emit(t + 0.2, "postfix/qmgr", "\(q): from=<ann@example.net>, size=2048, nrcpt=1 (queue active)")
                emit(t + 0.3, "postfix/lmtp", "\(q): to=<bob@good.lab.test>, relay=mx1.good.lab.test[private/dovecot-lmtp], delay=0.3, delays=0.1/0/0.1/0.1, dsn=2.0.0, status=sent (250 2.0.0 <bob@good.lab.test> Saved)")
                emit(t + 0.4, "postfix/qmgr", "\(q): removed")
                emit(t + 0.5, "postfix/smtpd", "disconnect from mail.example.net[\(ip)] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5")
            }
            if Double.random(in: 0..<1, using: &rng) < 0.05 {
                emit(t0 + 30, "dovecot", "imap-login: Disconnected (auth failed, 1 attempts in 4 secs): user=<carol>, method=PLAIN, rip=192.0.2.111, lip=127.0.20.1, TLS, session=<m\(m)>")
            }
        }
    }

    /// Password guessing from `address` over SMTP AUTH and IMAP.
    mutating func bruteForce(from minute: Int, minutes: Int, perMinute: Int, address: String) {
        for m in minute..<(minute + minutes) {
            for k in 0..<perMinute {
                let t = Self.start + Double(m) * 60 + Double(k) * 50 / Double(perMinute) + 1
                if k % 2 == 0 { emit(t, "postfix/submission/smtpd", "warning: unknown[\(address)]: SASL LOGIN authentication failed: UGFzc3dvcmQ6") }
                else { emit(t, "dovecot", "imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<admin>, method=PLAIN, rip=\(address), lip=127.0.20.1, session=<b\(m)x\(k)>") }
            }
        }
    }

    func text() -> String { lines.sorted { $0.0 < $1.0 }.map(\.1).joined(separator: "\n") + "\n" }

    func write() throws -> String {
        let path = NSTemporaryDirectory() + "mxray-anomaly-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).log"
        try text().write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

@Suite struct MailSeriesTests {
    @Test func collectorCountsEachSeriesPerMinute() throws {
        let log = """
        2026-11-02T10:00:01.000000+00:00 mx1 postfix/smtpd[1]: connect from a.example[192.0.2.1]
        2026-11-02T10:00:02.000000+00:00 mx1 postfix/smtpd[1]: NOQUEUE: reject: RCPT from a.example[192.0.2.1]: 554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.example; from=<a@b> to=<c@d> proto=ESMTP helo=<x>
        2026-11-02T10:00:03.000000+00:00 mx1 postfix/smtpd[1]: NOQUEUE: reject: RCPT from a.example[192.0.2.1]: 450 4.1.8 <a@b.example>: Sender address rejected: Domain not found; from=<a@b.example> to=<c@d> proto=ESMTP helo=<x>
        2026-11-02T10:01:00.000000+00:00 mx1 postfix/smtpd[2]: 4A1B2C3D4E: client=a.example[192.0.2.1]
        2026-11-02T10:01:01.000000+00:00 mx1 postfix/qmgr[3]: 4A1B2C3D4E: from=<a@b>, size=10, nrcpt=1 (queue active)
        2026-11-02T10:01:02.000000+00:00 mx1 postfix/smtp[4]: 4A1B2C3D4E: to=<x@remote.example>, relay=none, delay=30, delays=0.1/0/30/0, dsn=4.4.1, status=deferred (connect to mx.remote.example[198.51.100.1]:25: Connection timed out)
        2026-11-02T10:02:00.000000+00:00 mx1 dovecot[5]: imap-login: Disconnected (auth failed, 3 attempts in 10 secs): user=<bob>, method=PLAIN, rip=203.0.113.9, lip=127.0.20.1, session=<x>
        2026-11-02T10:03:00.000000+00:00 mx1 postfix/qmgr[3]: 4A1B2C3D4E: removed

        """
        let path = NSTemporaryDirectory() + "mxray-series-\(getpid()).log"
        try log.write(toFile: path, atomically: true, encoding: .utf8)
        defer { unlink(path) }
        let s = try LogRunner().series([path])
        #expect(s.minutes == 4)
        #expect(s.values[.connections] == [1, 0, 0, 0])
        #expect(s.values[.rejects] == [2, 0, 0, 0])
        #expect(s.values[.replies5xx] == [1, 0, 0, 0])
        #expect(s.values[.replies4xx] == [1, 1, 0, 0])
        #expect(s.values[.deferrals] == [0, 1, 0, 0])
        #expect(s.values[.authFailures] == [0, 0, 3, 0])
        #expect(s.values[.queue] == [0, 1, 1, 0])
        let minute = s.firstMinute
        #expect(s.lines(.rejects, minute: minute).count == 2)
        #expect(s.lines(.authFailures, minute: minute + 2).first?.contains("rip=203.0.113.9") == true)
        #expect(s.lines(.queue, minute: minute + 1).first?.contains("status=deferred") == true)
    }

    @Test func quietGeneratedLogHasNoAnomalies() throws {
        var g = SyntheticMailLog(seed: 5)
        g.background(minutes: 8 * 60, rate: 6)
        let path = try g.write()
        defer { unlink(path) }
        let report = LogAnomalies.detect(try LogRunner().series([path]))
        #expect(report.minutes == 8 * 60)
        #expect(report.alerts.isEmpty, "\(report.alerts.map(\.reason))")
    }
}
