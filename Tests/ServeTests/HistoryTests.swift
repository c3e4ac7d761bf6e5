import Diagnosis
import Foundation
import GRDB
@testable import MXRayServer
import Testing
import TLSWire

@Suite struct HistoryTests {
    @Test func walModeAndMigrationsSurviveReopen() async throws {
        let dir = try ServeTestSupport.tempDir("wal")
        let path = dir + "/h.sqlite"
        let store = try HistoryStore(path: path)
        #expect(try store.journalMode() == "wal")
        try await store.record(target: "t", report: ServeTestSupport.report(ports: [("127.0.20.1", 25, .open)]))
        let again = try HistoryStore(path: path)
        #expect(try again.runCount() == 1)
        let applied = try await again.pool.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(applied == ["v1", "v2-roundtrips"])
    }

    @Test func changesBetweenRunsAreEventsOfTheirOwn() async throws {
        let store = try HistoryStore(path: try ServeTestSupport.tempDir("changes") + "/h.sqlite")
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let first = try await store.record(target: "mx", report: ServeTestSupport.report(
            ports: [("127.0.20.1", 25, .open), ("127.0.20.1", 587, .open)], at: t0))
        #expect(first.changes.isEmpty)
        let second = try await store.record(target: "mx", report: ServeTestSupport.report(
            ports: [("127.0.20.1", 25, .open), ("127.0.20.1", 587, .refused)], versions: [.tls13],
            certSHA: "bb", notAfter: 2_100_000_000, at: t0.addingTimeInterval(300)))
        let kinds = second.changes.map(\.kind)
        #expect(kinds.contains(.ports) && kinds.contains(.tlsVersions) && kinds.contains(.certificate))
        let port = try #require(second.changes.first { $0.kind == .ports })
        #expect(port.subject == "127.0.20.1:587" && port.before == "open" && port.after == "refused")
        let versions = try #require(second.changes.first { $0.kind == .tlsVersions })
        #expect(versions.before == "TLSv1.2, TLSv1.3" && versions.after == "TLSv1.3")
        let cert = try #require(second.changes.first { $0.kind == .certificate })
        #expect(cert.before?.contains("sha256=aa") == true && cert.after?.contains("sha256=bb") == true)
        // Stored as events: listed without the runs, and attached to the run that saw them.
        let events = try store.changes(target: "mx")
        #expect(events.count == second.changes.count)
        #expect(events.allSatisfy { $0.runID == second.id && $0.id != nil })
        let loaded = try #require(try store.run(id: second.id))
        #expect(loaded.changes.count == second.changes.count)
        #expect(loaded.report?.ports.count == 2)
        // A third identical run changes nothing.
        let third = try await store.record(target: "mx", report: ServeTestSupport.report(
            ports: [("127.0.20.1", 25, .open), ("127.0.20.1", 587, .refused)], versions: [.tls13],
            certSHA: "bb", notAfter: 2_100_000_000, at: t0.addingTimeInterval(600)))
        #expect(third.changes.isEmpty)
    }

    @Test func retentionByCountAndAge() async throws {
        let store = try HistoryStore(path: try ServeTestSupport.tempDir("retention") + "/h.sqlite")
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for i in 0..<10 {
            for target in ["a", "b"] {
                try await store.record(target: target, report: ServeTestSupport.report(
                    ports: [("127.0.20.1", 25, i % 2 == 0 ? .open : .refused)], at: now.addingTimeInterval(Double(i - 9) * 86_400)))
            }
        }
        #expect(try store.runCount() == 20)
        // Keep 5 days: runs at days -9…-5 go (5 per target); then keep 3 per target.
        let deleted = try store.applyRetention(keepDays: 5, keepRuns: 3, now: now.addingTimeInterval(1))
        #expect(deleted == 14)
        #expect(try store.runCount(target: "a") == 3 && store.runCount(target: "b") == 3)
        let kept = try store.runs(target: "a").map(\.finishedAt)
        #expect(kept == kept.sorted(by: >) && kept.first == now.addingTimeInterval(1.25))
        // Change events older than keep_days go too; newer ones outlive their run.
        #expect(try store.changes().allSatisfy { $0.at >= now.addingTimeInterval(-5 * 86_400) })
    }

    @Test func targetStatusesAndSeries() async throws {
        let store = try HistoryStore(path: try ServeTestSupport.tempDir("status") + "/h.sqlite")
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let bad = Finding(id: "smtp.starttls.missing", severity: .error, subject: "x", title: "t", detail: "d", remediation: "r", references: [], evidenceIDs: [])
        try await store.record(target: "a", report: ServeTestSupport.report(ports: [], at: t0))
        try await store.record(target: "a", report: ServeTestSupport.report(ports: [], findings: [bad], at: t0.addingTimeInterval(60)))
        let s = try #require(try store.targetStatuses().first)
        #expect(s.target == "a" && s.recent == [true, false] && s.lastRun?.success == false)
        #expect(s.lastRun?.findingCounts["error"] == 1)
        let series = try store.series(target: "a", since: t0)
        #expect(series.count == 2 && abs(series[0].seconds - 1.25) < 0.001)
        try await store.recordAlert(AlertEvent(rule: "down", target: "a", state: .firing, severity: "critical", summary: "a is down", at: t0))
        #expect(try store.alerts().map(\.summary) == ["a is down"])
    }
}
