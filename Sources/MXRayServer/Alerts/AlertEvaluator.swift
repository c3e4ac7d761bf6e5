import Diagnosis
import Foundation

/// One alert as receivers see it: Alertmanager's alert object (labels, annotations, startsAt,
/// endsAt), with the state it moved to.
public struct AlertNotice: Sendable, Equatable {
    public enum Status: String, Sendable, Codable { case firing, resolved }
    public var status: Status
    public var rule: String
    public var target: String
    public var labels: [String: String]
    public var annotations: [String: String]
    public var startsAt: Date
    /// nil while firing.
    public var endsAt: Date?
    public var receivers: [String]
}

/// Evaluates the alert rules after each run of a target and keeps, per rule and target, the
/// state that makes the flap guard and the resolve work:
/// - the condition must hold `forRuns` runs in a row before the alert fires;
/// - a firing alert resolves only after the condition has been clear `resolveAfterRuns` runs
///   in a row;
/// - a state change is reported once (firing once, resolved once), never on every run.
///
/// A value type: the caller (`AlertService`) owns it inside an actor and injects time.
public struct AlertEvaluator: Sendable {
    public var rules: [AlertRule]

    struct Key: Hashable, Sendable { let rule: String; let target: String }

    struct State: Sendable {
        var holding = 0
        var clear = 0
        var firingSince: Date?
        var summary = ""
        /// For `newFinding`: the findings that made it fire, so it resolves when they are gone.
        var trigger: Set<String> = []
    }

    var states: [Key: State] = [:]
    /// Consecutive failed runs per target (for `targetDown`).
    var failureStreak: [String: Int] = [:]

    public init(rules: [AlertRule]) { self.rules = rules }

    /// What the evaluation needs from one run.
    public struct RunFacts: Sendable {
        public var target: String
        public var at: Date
        public var success: Bool
        public var durationSeconds: Double
        public var changes: [ChangeEvent]
        /// `id subject` → severity of each finding in this run and in the previous one.
        public var findings: [String: Severity]
        public var previousFindings: [String: Severity]?
        /// Earliest certificate expiry seen in the run (leaf notAfter), if any.
        public var earliestCertificateExpiry: Date?
        /// The run's round trip, for targets with one (`slowRoundTrip` reads it).
        public var roundtrip: RoundtripOutcome?

        public init(target: String, at: Date, success: Bool, durationSeconds: Double, changes: [ChangeEvent],
                    findings: [String: Severity], previousFindings: [String: Severity]?, earliestCertificateExpiry: Date?) {
            self.target = target; self.at = at; self.success = success; self.durationSeconds = durationSeconds
            self.changes = changes; self.findings = findings; self.previousFindings = previousFindings
            self.earliestCertificateExpiry = earliestCertificateExpiry
        }
    }

    /// Feeds one run; returns the alerts that changed state (fired or resolved).
    public mutating func evaluate(_ run: RunFacts) -> [AlertNotice] {
        failureStreak[run.target] = run.success ? 0 : failureStreak[run.target, default: 0] + 1
        var out: [AlertNotice] = []
        for rule in rules where rule.applies(to: run.target) {
            let key = Key(rule: rule.name, target: run.target)
            var st = states[key] ?? State()
            let (holds, summary, trigger) = check(rule, run, st)
            if holds {
                st.holding += 1
                st.clear = 0
                st.summary = summary
                if st.firingSince == nil && st.holding >= max(1, rule.forRuns) {
                    st.firingSince = run.at
                    st.trigger = trigger
                    out.append(notice(rule, run.target, .firing, st, at: run.at))
                } else if st.firingSince != nil {
                    st.trigger.formUnion(trigger)
                }
            } else {
                st.clear += 1
                st.holding = 0
                if st.firingSince != nil && st.clear >= max(1, rule.resolveAfterRuns) {
                    out.append(notice(rule, run.target, .resolved, st, at: run.at))
                    st.firingSince = nil
                    st.trigger = []
                }
            }
            states[key] = st
        }
        return out
    }

    /// Whether the rule's condition holds for this run, a one-line summary, and (new findings) the trigger.
    func check(_ rule: AlertRule, _ run: RunFacts, _ st: State) -> (Bool, String, Set<String>) {
        switch rule.condition {
        case .targetDown(let times):
            let streak = failureStreak[run.target, default: 0]
            return (streak >= max(1, times), "\(run.target) failed \(streak) check(s) in a row", [])
        case .certificateExpiry(let days):
            guard let exp = run.earliestCertificateExpiry else { return (false, "", []) }
            let left = exp.timeIntervalSince(run.at) / 86400
            return (left < Double(days), "a certificate of \(run.target) expires in \(String(format: "%.1f", left)) days", [])
        case .newFinding(let minimum):
            let atLeast = run.findings.filter { $0.value >= minimum }
            // Still firing while the findings that triggered it are present.
            let persisting = st.trigger.intersection(atLeast.keys)
            guard let previous = run.previousFindings else {
                return (!persisting.isEmpty, "\(persisting.count) finding(s) at or above \(minimum.rawValue) still present", [])
            }
            let fresh = Set(atLeast.keys.filter { previous[$0] == nil })
            let all = fresh.union(persisting)
            let names = all.sorted().prefix(3).joined(separator: "; ")
            return (!all.isEmpty, "\(all.count) new finding(s) at or above \(minimum.rawValue): \(names)", fresh)
        case .recordChanged(let kinds):
            let hits = run.changes.filter { kinds.isEmpty || kinds.contains($0.kind) }
            let what = hits.map { "\($0.kind.rawValue) \($0.subject)" }.prefix(3).joined(separator: "; ")
            return (!hits.isEmpty, "\(run.target): \(hits.count) record change(s): \(what)", [])
        case .slowRoundTrip(let seconds):
            if let rt = run.roundtrip {
                // A round trip that did not arrive is slower than any limit.
                guard rt.arrived, let s = rt.endToEndSeconds else {
                    return (true, "round trip of \(run.target) did not arrive (\(rt.status)) (limit \(seconds) s)", [])
                }
                return (s > seconds, "round trip of \(run.target) took \(String(format: "%.2f", s)) s (limit \(seconds) s)", [])
            }
            // Targets without a round trip: the duration of the check itself.
            return (run.durationSeconds > seconds,
                    "check of \(run.target) took \(String(format: "%.2f", run.durationSeconds)) s (limit \(seconds) s)", [])
        }
    }

    func notice(_ rule: AlertRule, _ target: String, _ status: AlertNotice.Status, _ st: State, at: Date) -> AlertNotice {
        AlertNotice(
            status: status, rule: rule.name, target: target,
            labels: ["alertname": rule.name, "target": target, "severity": rule.severity, "service": "mxray"],
            annotations: ["summary": st.summary, "description": Self.describe(rule.condition)],
            startsAt: st.firingSince ?? at, endsAt: status == .resolved ? at : nil, receivers: rule.receivers)
    }

    static func describe(_ c: AlertRule.Condition) -> String {
        switch c {
        case .targetDown(let n): return "the check failed \(n) time(s) in a row"
        case .certificateExpiry(let d): return "a certificate expires within \(d) days"
        case .newFinding(let s): return "a new finding of severity \(s.rawValue) or higher"
        case .recordChanged(let k): return k.isEmpty ? "a record changed" : "a record changed: " + k.map(\.rawValue).joined(separator: ", ")
        case .slowRoundTrip(let s): return "the round trip (or, without one, the check) took longer than \(s) s"
        }
    }
}

extension AlertEvaluator.RunFacts {
    /// Facts from a stored run (its report attached) and the previous run's report.
    public init(run: RunRecord, previous: Report?) {
        let report = run.report
        var earliest: Double?
        for t in report?.tls ?? [] {
            for c in t.certificate?.chain.prefix(1) ?? [] { earliest = min(earliest ?? c.notAfter, c.notAfter) }
        }
        for p in report?.ports ?? [] {
            if let n = p.tls?.leafNotAfter { earliest = min(earliest ?? n, n) }
        }
        func keyed(_ r: Report?) -> [String: Severity]? {
            r.map { Dictionary($0.findings.map { ("\($0.id) \($0.subject)", $0.severity) }, uniquingKeysWith: { max($0, $1) }) }
        }
        self.init(target: run.target, at: run.finishedAt, success: run.success, durationSeconds: run.durationSeconds,
                  changes: run.changes, findings: keyed(report) ?? [:], previousFindings: keyed(previous),
                  earliestCertificateExpiry: earliest.map { Date(timeIntervalSince1970: $0) })
        self.roundtrip = run.roundtrip
    }
}
