import Foundation
import Testing
@testable import MailLogs

@Suite struct AlertAndFilterTests {
    func write(_ text: String, _ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mxray-\(name)-\(getpid()).log").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func runner() -> LogRunner { var r = LogRunner(); r.year = 2026; return r }

    @Test func contentFilterIsNotCountedTwice() throws {
        let log = """
        Nov 29 10:00:00 mx postfix/smtpd[1]: 1111111111: client=a.example.org[192.0.2.1]
        Nov 29 10:00:00 mx postfix/qmgr[2]: 1111111111: from=<a@example.org>, size=1000, nrcpt=1 (queue active)
        Nov 29 10:00:01 mx postfix/smtpd[3]: 2222222222: client=localhost[127.0.0.1]
        Nov 29 10:00:01 mx postfix/qmgr[2]: 2222222222: from=<a@example.org>, size=1500, nrcpt=1 (queue active)
        Nov 29 10:00:01 mx postfix/smtp[4]: 1111111111: to=<b@good.lab.test>, relay=127.0.0.1[127.0.0.1]:10024, delay=1, delays=0.1/0/0/0.9, dsn=2.0.0, status=sent (250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as 2222222222)
        Nov 29 10:00:01 mx postfix/qmgr[2]: 1111111111: removed
        Nov 29 10:00:02 mx postfix/lmtp[5]: 2222222222: to=<b@good.lab.test>, relay=mx[private/dovecot-lmtp], delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (250 2.0.0 Saved)
        Nov 29 10:00:02 mx postfix/qmgr[2]: 2222222222: removed

        """
        let path = try write(log, "filter")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let s = try runner().run([path])
        #expect(s.totals.received == 1)
        #expect(s.totals.delivered == 1)
        #expect(s.contentFilter.handoffs == 1 && s.contentFilter.reinjected == 1)
        #expect(s.totals.bytesReceived == 1000)
        #expect(s.totals.bytesDelivered == 1500)
        // pflogsumm counts both copies; the differences account for it exactly.
        let p = try PflogsummComparisonTests.pflogsumm(path)
        #expect(p["received"] == 2 && p["delivered"] == 2)
        PflogsummComparisonTests.compare(s, p)
    }

    @Test func spikeAgainstRollingMedian() throws {
        var log = ""
        for m in 0..<60 {
            for k in 0..<2 { log += String(format: "Nov 29 10:%02d:%02d mx postfix/smtpd[1]: connect from a[192.0.2.%d]\n", m, k * 10, k + 1) }
        }
        for k in 0..<40 { log += String(format: "Nov 29 11:00:%02d mx postfix/smtpd[1]: connect from b[198.51.100.%d]\n", k, k + 1) }
        for m in 1..<5 { log += String(format: "Nov 29 11:%02d:00 mx postfix/smtpd[1]: connect from a[192.0.2.1]\n", m) }
        let path = try write(log, "spike")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let s = try runner().run([path])
        let spikes = s.alerts.filter { $0.kind == .spike && $0.subject == "connections" }
        #expect(spikes.count == 1)
        #expect(spikes.first?.count == 40)
        #expect(spikes.first?.windowStart == "2026-11-29T11:00:00Z")
        #expect(spikes.first?.evidence.first?.contains("198.51.100.1]") == true)
    }

    @Test func queueThatKeepsGrowing() throws {
        var log = ""
        for m in 0..<45 {
            let q = String(format: "%010X", 0xA000000000 + m)
            log += String(format: "Nov 29 10:%02d:00 mx postfix/smtpd[1]: %@: client=a[192.0.2.1]\n", m, q)
            log += String(format: "Nov 29 10:%02d:01 mx postfix/qmgr[2]: %@: from=<a@example.org>, size=100, nrcpt=1 (queue active)\n", m, q)
            log += String(format: "Nov 29 10:%02d:02 mx postfix/smtp[3]: %@: to=<b@dead.example>, relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (connect to mx.dead.example[192.0.2.99]:25: Connection refused)\n", m, q)
        }
        let path = try write(log, "queue")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let s = try runner().run([path])
        let growth = s.alerts.filter { $0.kind == .queueGrowth }
        #expect(growth.count == 1)
        #expect((growth.first?.count ?? 0) >= 10)
        #expect(s.alerts.contains { $0.kind == .relayFailing && $0.subject == "mx.dead.example" && $0.count == 45 })
        #expect(s.deferralReasons.first?.reason == ReasonClass.connectionRefused.rawValue)
        #expect(s.totals.deferred == 45 && s.totals.deferrals == 45)
    }

    @Test func followReadsAppendedLines() throws {
        let path = try write("", "follow")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fixture = try String(contentsOfFile: PflogsummComparisonTests.fixtures + "/postfix-mixed.log", encoding: .utf8)
        try fixture.write(toFile: path, atomically: false, encoding: .utf8)
        nonisolated(unsafe) var alerts: [LogSummary.Alert] = []
        nonisolated(unsafe) var summaries = 0
        try LogFollower(runner: runner(), path: path, interval: 1) { s, a in
            alerts += a
            if s != nil { summaries += 1 }
        }.run(maxPolls: 8)
        #expect(alerts.contains { $0.kind == .bruteForce && $0.subject == "smtp from 198.51.100.77" })
        #expect(summaries >= 1)
    }
}
