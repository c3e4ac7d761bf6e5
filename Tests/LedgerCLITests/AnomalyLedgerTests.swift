import Foundation
import Testing
import Ledger
@testable import MXRayCLI

/// `mxray logs --anomalies --ledger`: each anomaly episode becomes a ledger entry that carries
/// its explanation, and the ledger still verifies.
@Suite struct AnomalyLedgerTests {
    /// Six hours of ordinary inbound mail (a few connections a minute) and one password-guessing
    /// burst of `burst` failures a minute for twelve minutes from 04:00; RFC 3339 syslog lines.
    static func log(burst: Int) -> String {
        let start = 1_793_577_600.0   // 2026-11-02T00:00:00Z
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        var state: UInt64 = 7
        func next(_ n: UInt64) -> Int { state = state &* 6364136223846793005 &+ 1442695040888963407; return Int((state >> 33) % n) }
        var lines: [(Double, String)] = []
        var pid = 100, q = 0
        func emit(_ t: Double, _ prog: String, _ text: String) {
            pid += 1
            lines.append((t, "\(f.string(from: Date(timeIntervalSince1970: t))) mx1 \(prog)[\(pid)]: \(text)"))
        }
        for m in 0..<(6 * 60) {
            let t0 = start + Double(m) * 60
            for k in 0..<(3 + next(4)) {
                q += 1
                let t = t0 + Double(k * 9 + 1)
                let ip = "192.0.2.\(2 + next(200))"
                let id = String(format: "5B%08X", q)
                emit(t, "postfix/smtpd", "connect from mail.example.net[\(ip)]")
                emit(t + 1, "postfix/smtpd", "\(id): client=mail.example.net[\(ip)]")
                emit(t + 2, "postfix/qmgr", "\(id): from=<ann@example.net>, size=2048, nrcpt=1 (queue active)")
                emit(t + 3, "postfix/lmtp", "\(id): to=<bob@good.lab.test>, relay=mx1.good.lab.test[private/dovecot-lmtp], delay=0.3, delays=0.1/0/0.1/0.1, dsn=2.0.0, status=sent (250 2.0.0 Saved)")
                emit(t + 4, "postfix/qmgr", "\(id): removed")
                emit(t + 5, "postfix/smtpd", "disconnect from mail.example.net[\(ip)] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5")
            }
        }
        for m in 240..<252 {
            for k in 0..<burst {
                emit(start + Double(m) * 60 + Double(k) * 50 / Double(burst) + 1, "dovecot",
                     "imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<admin>, method=PLAIN, rip=203.0.113.66, lip=127.0.20.1, session=<g\(m)x\(k)>")
            }
        }
        return lines.sorted { $0.0 < $1.0 }.map(\.1).joined(separator: "\n") + "\n"
    }

    @Test func anomalyEpisodeLandsInTheLedgerWithItsExplanation() async throws {
        let d = LedgerCLITests.dir()
        defer { try? FileManager.default.removeItem(atPath: d) }
        let key = try await LedgerCLITests.keygen(d)
        let path = d + "/mail.log"
        try Self.log(burst: 16).write(toFile: path, atomically: true, encoding: .utf8)
        let ledger = d + "/evidence.ledger"

        #expect(await MXRayMain.run(["logs", "--anomalies", "--format", "json", path, "--ledger", ledger, "--ledger-key-file", key]) == 0)
        #expect(await MXRayMain.run(["ledger", "verify", ledger, "--vkey-file", key + ".pub"]) == 0)
        let scan = try LedgerFile.read(path: ledger)
        let episodes = scan.entries.filter { $0.entry.kind.hasPrefix("anomaly.") }
        #expect(episodes.count == 1, "\(scan.entries.map { $0.entry.kind })")
        let e = try #require(episodes.first)
        #expect(e.entry.kind == "anomaly.auth-failures")
        struct Payload: Decodable {
            var series: String, start: String, observed: Double, expected: Double, expectedLow: Double, expectedHigh: Double
            var robustZ: Double, reason: String, evidence: [String]
        }
        let p = try JSONDecoder().decode(Payload.self, from: Data(e.entry.payload))
        #expect(p.series == "auth failures")
        #expect(p.start.hasPrefix("2026-11-02T04:0"), "\(p.start)")
        #expect(p.observed >= 16 && p.expectedHigh < p.observed && p.expectedLow <= p.expected)
        #expect(p.robustZ >= 5)
        #expect(p.reason.contains("auth failures") && p.reason.contains("normal range"), "\(p.reason)")
        #expect(!p.evidence.isEmpty && p.evidence.allSatisfy { $0.contains("203.0.113.66") }, "\(p.evidence)")
        #expect(LedgerVerification.verify(scan, key: try LedgerKeys.loadVerifier(path: key + ".pub")).isValid)

        // Run again: the episode is already recorded, nothing is added.
        #expect(await MXRayMain.run(["logs", "--anomalies", "--format", "json", path, "--ledger", ledger, "--ledger-key-file", key]) == 0)
        #expect(try LedgerFile.read(path: ledger).entries.count == scan.entries.count)
    }

    /// A quiet log has no episode, so the ledger gets nothing (the entry above is not a given).
    @Test func quietLogAddsNothing() async throws {
        let d = LedgerCLITests.dir()
        defer { try? FileManager.default.removeItem(atPath: d) }
        let path = d + "/mail.log"
        try Self.log(burst: 0).write(toFile: path, atomically: true, encoding: .utf8)
        let ledger = d + "/evidence.ledger"
        #expect(await MXRayMain.run(["logs", "--anomalies", "--format", "json", path, "--ledger", ledger]) == 0)
        let exists = FileManager.default.fileExists(atPath: ledger)
        #expect(try !exists || LedgerFile.read(path: ledger).entries.isEmpty)
    }
}
