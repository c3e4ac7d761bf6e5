import Diagnosis
import Foundation
import GRDB

/// The run history in SQLite through GRDB: every run's report (JSON) with what changed since
/// the previous run of its target, change events, alert events. WAL mode (a `DatabasePool`), so
/// readers (UI, API) never wait for the scheduler's writes; each run is written in one
/// transaction, so a crash loses at most the run being written, never one already committed.
public final class HistoryStore: Sendable {
    let pool: DatabasePool
    public let path: String

    /// Opens (creating if needed) the database and brings its schema up to date.
    public init(path: String) throws {
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            // WAL with synchronous=FULL: a commit is on disk when `write` returns.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            pool = try DatabasePool(path: path, configuration: config)
            try Self.migrator.migrate(pool)
        } catch {
            throw ServeConfigError("cannot open the history database \(path): \(error)")
        }
        self.path = path
    }

    /// The journal mode SQLite reports (`wal`).
    public func journalMode() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    // MARK: - Writing

    /// Stores one run and its change events in one transaction and returns the stored record.
    /// The changes are computed against the previous run of the same target inside the same
    /// transaction.
    @discardableResult
    public func record(target: String, report: Report) async throws -> RunRecord {
        let snapshot = RunSnapshot(report: report)
        let reportJSON = try Self.encoder.encode(report)
        // Reports are mostly evidence text: gzip makes them about ten times smaller.
        guard let reportGzip = gzip(Array(reportJSON)) else { throw ServeConfigError("cannot compress the report of \(target)") }
        let snapshotJSON = try Self.encoder.encode(snapshot)
        let counts = Dictionary(uniqueKeysWithValues: report.counts.map { ($0.severity.rawValue, $0.count) })
        let countsJSON = try Self.encoder.encode(counts)
        let success = Self.isSuccess(report)
        return try await pool.write { db in
            let previous = try Data.fetchOne(db, sql: "SELECT snapshot FROM runs WHERE target = ? ORDER BY id DESC LIMIT 1", arguments: [target])
                .flatMap { try? Self.decoder.decode(RunSnapshot.self, from: $0) }
            try db.execute(sql: """
                INSERT INTO runs (target, started_at, finished_at, verdict, worst, success, counts, snapshot)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [target, report.startedAt.timeIntervalSince1970, report.finishedAt.timeIntervalSince1970,
                                 report.verdict.rawValue, report.worstSeverity.rawValue, success, countsJSON, snapshotJSON])
            let runID = db.lastInsertedRowID
            try db.execute(sql: "INSERT INTO reports (run_id, gzip) VALUES (?, ?)", arguments: [runID, Data(reportGzip)])
            var changes = previous.map { snapshot.changes(since: $0, target: target, at: report.finishedAt) } ?? []
            for i in changes.indices {
                changes[i].runID = runID
                try db.execute(sql: "INSERT INTO changes (target, run_id, at, kind, subject, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               arguments: [target, runID, changes[i].at.timeIntervalSince1970, changes[i].kind.rawValue,
                                           changes[i].subject, changes[i].before, changes[i].after])
                changes[i].id = db.lastInsertedRowID
            }
            return RunRecord(id: runID, target: target, startedAt: report.startedAt, finishedAt: report.finishedAt,
                             verdict: report.verdict, worstSeverity: report.worstSeverity, success: success,
                             findingCounts: counts, changes: changes, report: report)
        }
    }

    /// Stores an alert state change; returns its id.
    @discardableResult
    public func recordAlert(_ event: AlertEvent) async throws -> Int64 {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO alerts (rule, target, state, severity, summary, at) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [event.rule, event.target, event.state.rawValue, event.severity, event.summary, event.at.timeIntervalSince1970])
            return db.lastInsertedRowID
        }
    }

    /// Deletes runs older than `keepDays` and all but the newest `keepRuns` runs per target;
    /// change and alert events older than `keepDays`. Returns the number of runs deleted.
    @discardableResult
    public func applyRetention(keepDays: Int, keepRuns: Int, now: Date = Date()) throws -> Int {
        let cutoff = now.addingTimeInterval(-Double(keepDays) * 86_400).timeIntervalSince1970
        return try pool.write { db in
            try db.execute(sql: "DELETE FROM runs WHERE finished_at < ?", arguments: [cutoff])
            var deleted = db.changesCount
            try db.execute(sql: """
                DELETE FROM runs WHERE id IN (
                  SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY target ORDER BY id DESC) AS n FROM runs) WHERE n > ?)
                """, arguments: [keepRuns])
            deleted += db.changesCount
            try db.execute(sql: "DELETE FROM changes WHERE at < ?", arguments: [cutoff])
            try db.execute(sql: "DELETE FROM alerts WHERE at < ?", arguments: [cutoff])
            return deleted
        }
    }

    /// A run succeeded when the check could run and found nothing at `error` or above.
    public static func isSuccess(_ report: Report) -> Bool {
        report.verdict == .healthy || report.verdict == .degraded
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }()
}
