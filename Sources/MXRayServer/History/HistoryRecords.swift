import Diagnosis
import Foundation

/// What a change event is about.
public enum ChangeKind: String, Sendable, Codable, CaseIterable {
    case mx
    case spf
    case dmarc
    case mtaSTS = "mta-sts"
    case certificate
    case tlsVersions = "tls-versions"
    case ports
}

/// One change between two consecutive runs of a target, stored as an event of its own.
public struct ChangeEvent: Sendable, Codable, Equatable {
    /// Row id; nil before it is stored.
    public var id: Int64?
    public var target: String
    /// The run that saw the new state.
    public var runID: Int64?
    public var at: Date
    public var kind: ChangeKind
    /// What changed within the kind: `mx1.example.org:25`, `mta-sts policy`, … (empty for the whole record).
    public var subject: String
    public var before: String?
    public var after: String?

    public init(id: Int64? = nil, target: String, runID: Int64? = nil, at: Date, kind: ChangeKind,
                subject: String, before: String?, after: String?) {
        self.id = id
        self.target = target
        self.runID = runID
        self.at = at
        self.kind = kind
        self.subject = subject
        self.before = before
        self.after = after
    }
}

/// One completed run of a target as the history keeps it.
public struct RunRecord: Sendable, Codable {
    public var id: Int64
    public var target: String
    public var startedAt: Date
    public var finishedAt: Date
    public var verdict: Verdict
    public var worstSeverity: Severity
    /// True when the check could run and found nothing at `error` or above.
    public var success: Bool
    /// Findings per severity (every severity present).
    public var findingCounts: [String: Int]
    /// What changed since the previous run of this target.
    public var changes: [ChangeEvent]
    /// The full report; loaded by `HistoryStore.run(id:)` and passed to `onRunCompleted`
    /// handlers, nil in lists.
    public var report: Report?
    /// The target's round trip in this run, if it has one (set for `onRunCompleted` handlers;
    /// `HistoryStore.roundtrip(runID:)` reads it back).
    public var roundtrip: RoundtripOutcome?
    /// Anomaly episodes that opened or resolved with this run (set for `onRunCompleted`
    /// handlers; not stored with the run: the alert service stores them as alert events).
    public var anomalies: [ProbeIntel.Event]?

    public var durationSeconds: Double { finishedAt.timeIntervalSince(startedAt) }

    public init(id: Int64, target: String, startedAt: Date, finishedAt: Date, verdict: Verdict, worstSeverity: Severity,
                success: Bool, findingCounts: [String: Int], changes: [ChangeEvent], report: Report?) {
        self.id = id
        self.target = target
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.verdict = verdict
        self.worstSeverity = worstSeverity
        self.success = success
        self.findingCounts = findingCounts
        self.changes = changes
        self.report = report
    }
}

/// The overview row of one target: the latest run (without report and changes) and the
/// success of recent runs, for the UI and API.
public struct TargetStatus: Sendable, Codable {
    public var target: String
    public var lastRun: RunRecord?
    /// Success (1) or failure (0) of the most recent runs, oldest first (for a sparkline).
    public var recent: [Bool]
    public init(target: String, lastRun: RunRecord?, recent: [Bool]) {
        self.target = target
        self.lastRun = lastRun
        self.recent = recent
    }
}

/// An alert state change, stored in the history next to the runs (the web half writes them).
public struct AlertEvent: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable { case firing, resolved }
    public var id: Int64?
    public var rule: String
    public var target: String
    public var state: State
    public var severity: String
    public var summary: String
    public var at: Date
    public init(id: Int64? = nil, rule: String, target: String, state: State, severity: String, summary: String, at: Date) {
        self.id = id
        self.rule = rule
        self.target = target
        self.state = state
        self.severity = severity
        self.summary = summary
        self.at = at
    }
}
