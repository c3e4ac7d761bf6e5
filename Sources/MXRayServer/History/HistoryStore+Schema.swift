import GRDB

extension HistoryStore {
    /// Schema migrations, applied in order at open; never edit a shipped one, add the next.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE runs (
                  id INTEGER PRIMARY KEY AUTOINCREMENT,
                  target TEXT NOT NULL,
                  started_at REAL NOT NULL,
                  finished_at REAL NOT NULL,
                  verdict TEXT NOT NULL,
                  worst TEXT NOT NULL,
                  success INTEGER NOT NULL,
                  counts BLOB NOT NULL,
                  snapshot BLOB NOT NULL
                );
                -- The report (JSON, gzip) apart from the run rows, so lists and the change
                -- detector read small rows only.
                CREATE TABLE reports (
                  run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
                  gzip BLOB NOT NULL
                );
                CREATE INDEX runs_target_id ON runs(target, id);
                CREATE INDEX runs_finished ON runs(finished_at);
                CREATE TABLE changes (
                  id INTEGER PRIMARY KEY AUTOINCREMENT,
                  target TEXT NOT NULL,
                  run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
                  at REAL NOT NULL,
                  kind TEXT NOT NULL,
                  subject TEXT NOT NULL,
                  before TEXT,
                  after TEXT
                );
                CREATE INDEX changes_target_id ON changes(target, id);
                CREATE INDEX changes_run ON changes(run_id);
                CREATE TABLE alerts (
                  id INTEGER PRIMARY KEY AUTOINCREMENT,
                  rule TEXT NOT NULL,
                  target TEXT NOT NULL,
                  state TEXT NOT NULL,
                  severity TEXT NOT NULL,
                  summary TEXT NOT NULL,
                  at REAL NOT NULL
                );
                CREATE INDEX alerts_at ON alerts(at);
                """)
        }
        m.registerMigration("v2-roundtrips") { db in
            // One scheduled round trip per run (Roundtrip/RoundtripOutcome.swift).
            try db.execute(sql: """
                CREATE TABLE roundtrips (
                  run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
                  target TEXT NOT NULL,
                  at REAL NOT NULL,
                  status TEXT NOT NULL,
                  seconds REAL,
                  outcome BLOB NOT NULL
                );
                CREATE INDEX roundtrips_target_at ON roundtrips(target, at);
                """)
        }
        return m
    }
}
