import Foundation
import Testing
@testable import MailLogs

/// Alert streaks must not depend on how a file is split across cores, and `--follow` must keep
/// its streaks and lines across a rotation.
@Suite struct ChunkAndRotationTests {
    func write(_ text: String, _ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mxray-\(name)-\(getpid()).log").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A seeded mix of authentication failures/successes from a few addresses and deliveries that
    /// fail or succeed for a few relays, so streaks start, grow past the thresholds and reset.
    func mixedLog(seed: UInt64, lines: Int) -> String {
        var state = seed
        func next(_ n: UInt64) -> Int { state = state &* 6364136223846793005 &+ 1442695040888963407; return Int((state >> 33) % n) }
        var out = ""
        for i in 0..<lines {
            let t = i  // one line a second
            let stamp = String(format: "Nov 29 %02d:%02d:%02d", 10 + t / 3600, (t / 60) % 60, t % 60)
            let qid = String(format: "%010X", 0xB000000000 + i)
            let addr = "198.51.100.\(1 + next(4))"
            switch next(10) {
            case 0...3:
                out += "\(stamp) mx postfix/smtpd[1]: warning: unknown[\(addr)]: SASL LOGIN authentication failed: UGFzc3dvcmQ6\n"
            case 4:
                out += "\(stamp) mx postfix/submission/smtpd[2]: \(qid): client=unknown[\(addr)], sasl_method=PLAIN, sasl_username=u\(next(3))\n"
            case 5...7:
                let r = next(2)
                out += "\(stamp) mx postfix/smtp[3]: \(qid): to=<b@r\(r).example>, relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (connect to mx.r\(r).example[192.0.2.\(r + 1)]:25: Connection refused)\n"
            default:
                let r = next(2)
                out += "\(stamp) mx postfix/smtp[3]: \(qid): to=<b@r\(r).example>, relay=mx.r\(r).example[192.0.2.\(r + 1)]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok)\n"
            }
        }
        return out
    }

    struct Key: Hashable, CustomStringConvertible {
        let kind: String, subject: String, count: Int64, start: String, end: String
        var description: String { "\(kind) \(subject) ×\(count) \(start)…\(end)" }
    }

    func keys(_ s: LogSummary) -> Set<Key> {
        Set(s.alerts.filter { $0.kind == .bruteForce || $0.kind == .relayFailing }.map {
            Key(kind: $0.kind.rawValue, subject: $0.subject, count: $0.count, start: $0.windowStart, end: $0.windowEnd)
        })
    }

    @Test(arguments: [2, 3, 5, 8])
    func splitFileRaisesTheSameAlertsAsOnePass(threads: Int) throws {
        for seed in [1, 7, 42] as [UInt64] {
            let path = try write(mixedLog(seed: seed, lines: 3000), "chunks-\(threads)-\(seed)")
            defer { try? FileManager.default.removeItem(atPath: path) }
            var one = LogRunner(); one.year = 2026
            var split = one; split.threads = threads; split.parallelThreshold = 1
            let sequential = try one.run([path])
            let parallel = try split.run([path])
            let a = keys(sequential), b = keys(parallel)
            #expect(a.count >= 10, "the mix should raise several alerts (seed \(seed))")
            #expect(a == b, "seed \(seed), \(threads) chunks: only one pass \(a.subtracting(b).sorted { $0.description < $1.description }); only split \(b.subtracting(a).sorted { $0.description < $1.description })")
        }
    }

    static func failure(address: String, newline: Bool) -> @Sendable (Int) -> String {
        { s in "Nov 29 10:00:0\(s) mx postfix/smtpd[1]: warning: unknown[\(address)]: SASL LOGIN authentication failed: UGFzc3dvcmQ6" + (newline ? "\n" : "") }
    }

    @Test func followKeepsStreaksAndLastLineAcrossRotation() throws {
        let path = try write("", "rotate")
        defer { try? FileManager.default.removeItem(atPath: path); try? FileManager.default.removeItem(atPath: path + ".1") }
        let fail = Self.failure(address: "203.0.113.9", newline: false)
        // Two failures, then a third whose newline never comes before the file is rotated.
        try (fail(1) + "\n" + fail(2) + "\n" + fail(3)).write(toFile: path, atomically: false, encoding: .utf8)
        nonisolated(unsafe) var alerts: [LogSummary.Alert] = []
        nonisolated(unsafe) var lastLines: Int64 = 0
        let follower = LogFollower(runner: { var r = LogRunner(); r.year = 2026; return r }(), path: path, interval: 1) { s, a in
            alerts += a
            if let s { lastLines = s.inputs.first?.lines ?? 0 }
        }
        let rotator = Thread {
            usleep(700_000)
            // logrotate's default: rename, then the daemon writes to a new file at the same path.
            rename(path, path + ".1")
            try? (fail(4) + "\n" + fail(5) + "\n").write(toFile: path, atomically: false, encoding: .utf8)
        }
        rotator.start()
        try follower.run(maxPolls: 16)
        let brute = alerts.filter { $0.kind == .bruteForce && $0.subject == "smtp from 203.0.113.9" }
        #expect(!brute.isEmpty)
        // The streak runs across both files and the unterminated third line counts: 5, not 4.
        #expect(brute.last?.count == 5, "alerts: \(alerts.map { "\($0.subject) ×\($0.count)" })")
        #expect(lastLines == 5)
    }

    @Test func followRestartsAfterCopyTruncate() throws {
        let fail = Self.failure(address: "203.0.113.10", newline: true)
        let path = try write(fail(1) + fail(2) + fail(3) + fail(4), "truncate")
        defer { try? FileManager.default.removeItem(atPath: path) }
        nonisolated(unsafe) var alerts: [LogSummary.Alert] = []
        let follower = LogFollower(runner: { var r = LogRunner(); r.year = 2026; return r }(), path: path, interval: 60) { _, a in alerts += a }
        let truncator = Thread {
            usleep(700_000)
            // copytruncate: the same file is emptied in place, then written from the start.
            if let h = FileHandle(forWritingAtPath: path) { h.truncateFile(atOffset: 0); h.closeFile() }
            usleep(100_000)
            try? (fail(5) + fail(6)).write(toFile: path, atomically: false, encoding: .utf8)
        }
        truncator.start()
        try follower.run(maxPolls: 16)
        // 4 failures, then 2 more read from offset 0 of the truncated file: one streak of 6.
        #expect(alerts.filter { $0.subject == "smtp from 203.0.113.10" }.last?.count == 6, "alerts: \(alerts.map { "\($0.subject) ×\($0.count)" })")
    }
}
