import Diagnosis
import Foundation
import GRDB

/// Reading the history (UI, API, metrics at start-up). All reads are snapshot reads of the WAL
/// and never block the writer.
extension HistoryStore {
    /// Runs of a target, newest first, without their reports. `before` pages by id.
    public func runs(target: String, limit: Int = 50, before: Int64? = nil) throws -> [RunRecord] {
        try pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, target, started_at, finished_at, verdict, worst, success, counts FROM runs
                WHERE target = ? AND id < ? ORDER BY id DESC LIMIT ?
                """, arguments: [target, before ?? Int64.max, max(0, limit)])
            return try rows.map { try Self.runRecord($0, db: db, withReport: false) }
        }
    }

    /// One run with its report and changes; nil when unknown (or deleted by retention).
    public func run(id: Int64) throws -> RunRecord? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT id, target, started_at, finished_at, verdict, worst, success, counts, gzip AS report
                FROM runs LEFT JOIN reports ON reports.run_id = runs.id WHERE id = ?
                """, arguments: [id]) else { return nil }
            return try Self.runRecord(row, db: db, withReport: true)
        }
    }

    /// The stored report JSON of a run, exactly as written (for the API, no re-encoding).
    public func reportJSON(runID: Int64) throws -> Data? {
        let zipped = try pool.read { db in try Data.fetchOne(db, sql: "SELECT gzip FROM reports WHERE run_id = ?", arguments: [runID]) }
        return try zipped.map { z in
            guard let json = gunzip(Array(z)) else { throw ServeConfigError("the stored report of run \(runID) is damaged") }
            return Data(json)
        }
    }

    /// The newest run of a target with its report.
    public func latestRun(target: String) throws -> RunRecord? {
        let id = try pool.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM runs WHERE target = ?", arguments: [target]) }
        return try id.flatMap { try run(id: $0) }
    }

    /// Every target with history, or the given ones in that order: latest run (no report) and
    /// the success of the last `recent` runs, oldest first.
    public func targetStatuses(_ names: [String]? = nil, recent: Int = 24) throws -> [TargetStatus] {
        try pool.read { db in
            // One pass over the (target, id) index: the newest `recent` runs of every target.
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, target, started_at, finished_at, verdict, worst, success, counts FROM (
                  SELECT *, ROW_NUMBER() OVER (PARTITION BY target ORDER BY id DESC) AS n FROM runs) WHERE n <= ?
                ORDER BY target, id
                """, arguments: [max(1, recent)])
            var byTarget: [String: [Row]] = [:]
            for r in rows { byTarget[r["target"], default: []].append(r) }
            let targets = names ?? byTarget.keys.sorted()
            return try targets.map { name in
                let runs = byTarget[name] ?? []
                let last = try runs.last.map { try Self.runRecord($0, db: db, withReport: false, withChanges: false) }
                return TargetStatus(target: name, lastRun: last, recent: runs.map { $0["success"] as Bool })
            }
        }
    }

    /// Change events, newest first; all targets when `target` is nil.
    public func changes(target: String? = nil, limit: Int = 100, before: Int64? = nil) throws -> [ChangeEvent] {
        try pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM changes WHERE (? IS NULL OR target = ?) AND id < ? ORDER BY id DESC LIMIT ?
                """, arguments: [target, target, before ?? Int64.max, max(0, limit)])
            return rows.compactMap(Self.changeEvent)
        }
    }

    /// Alert events, newest first.
    public func alerts(target: String? = nil, limit: Int = 100) throws -> [AlertEvent] {
        try pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM alerts WHERE (? IS NULL OR target = ?) ORDER BY id DESC LIMIT ?
                """, arguments: [target, target, max(0, limit)])
            return rows.compactMap { r in
                guard let state = AlertEvent.State(rawValue: r["state"]) else { return nil }
                return AlertEvent(id: r["id"], rule: r["rule"], target: r["target"], state: state, severity: r["severity"],
                                  summary: r["summary"], at: Date(timeIntervalSince1970: r["at"]))
            }
        }
    }

    /// Points for charts: per run its finish time, duration and success, oldest first.
    public func series(target: String, since: Date) throws -> [(at: Date, seconds: Double, success: Bool)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT started_at, finished_at, success FROM runs WHERE target = ? AND finished_at >= ? ORDER BY id
                """, arguments: [target, since.timeIntervalSince1970]).map { r in
                let s: Double = r["started_at"], f: Double = r["finished_at"]
                return (Date(timeIntervalSince1970: f), f - s, r["success"])
            }
        }
    }

    /// Number of stored runs (all targets, or one).
    public func runCount(target: String? = nil) throws -> Int {
        try pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runs WHERE (? IS NULL OR target = ?)", arguments: [target, target]) ?? 0
        }
    }

    static func runRecord(_ r: Row, db: Database, withReport: Bool, withChanges: Bool = true) throws -> RunRecord {
        let id: Int64 = r["id"]
        let counts = (try? decoder.decode([String: Int].self, from: r["counts"] as Data)) ?? [:]
        let changes = withChanges
            ? try Row.fetchAll(db, sql: "SELECT * FROM changes WHERE run_id = ? ORDER BY id", arguments: [id]).compactMap(changeEvent) : []
        var report: Report?
        if withReport, let zipped = r["report"] as Data?, let json = gunzip(Array(zipped)) {
            report = try decoder.decode(Report.self, from: Data(json))
        }
        return RunRecord(id: id, target: r["target"], startedAt: Date(timeIntervalSince1970: r["started_at"]),
                         finishedAt: Date(timeIntervalSince1970: r["finished_at"]),
                         verdict: Verdict(rawValue: r["verdict"]) ?? .unknown, worstSeverity: Severity(rawValue: r["worst"]) ?? .pass,
                         success: r["success"], findingCounts: counts, changes: changes, report: report)
    }

    static func changeEvent(_ r: Row) -> ChangeEvent? {
        guard let kind = ChangeKind(rawValue: r["kind"]) else { return nil }
        return ChangeEvent(id: r["id"], target: r["target"], runID: r["run_id"], at: Date(timeIntervalSince1970: r["at"]),
                           kind: kind, subject: r["subject"], before: r["before"], after: r["after"])
    }
}
