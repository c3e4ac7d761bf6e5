/// Alert rules that run while lines stream by (brute force, a relay failing repeatedly) and on the
/// finished per-minute series (spikes against a rolling median/MAD baseline, a growing queue).
public struct AlertOptions: Sendable {
    /// Consecutive authentication failures from one address (or for one user) that raise an alert.
    public var bruteForceThreshold = 3
    /// Consecutive failed delivery attempts to one relay that raise an alert.
    public var relayFailureThreshold = 5
    /// Minutes of history the spike baseline needs, and the window it looks back over.
    public var spikeMinHistory = 30
    public var spikeWindow = 60
    public var spikeMinimum: Int64 = 5
    public init() {}
}

/// Streaks of consecutive failures per key (an address, a user, a relay), reset by a success.
///
/// A split file is read in chunks, each with its own table. A chunk that is not the first
/// (`continuation`) also remembers, per key, the failures it saw before that key's first success
/// (`leading`), so `merge` can join a streak that crosses a chunk boundary: the result equals a
/// single sequential pass.
struct StreakTable: Sendable {
    struct Streak: Sendable { var count: Int64 = 0; var first: Int64 = 0; var last: Int64 = 0; var evidence: [String] = []; var alert: Int? = nil }
    /// Open streaks (failures since the key's last success).
    var open: [String: Streak] = [:]
    /// Continuation chunks only: keys that saw a success, and the streak each had closed by it.
    var resetSeen = Set<String>()
    var leading: [String: Streak] = [:]
    var continuation = false

    var isEmpty: Bool { open.isEmpty }

    /// Adds `n` failures; returns the streak after it.
    mutating func failure(_ key: String, by n: Int64, time: Int64, line: String) -> Streak {
        var s = open[key] ?? Streak()
        if s.count == 0 { s.first = time }
        s.count += n
        s.last = time
        if s.evidence.count < 6 { s.evidence.append(line) }
        open[key] = s
        return s
    }

    mutating func success(_ key: String) {
        let s = open.removeValue(forKey: key)
        guard continuation, !resetSeen.contains(key) else { return }
        resetSeen.insert(key)
        if let s, s.count > 0 { leading[key] = s }
    }

    mutating func setAlert(_ key: String, _ index: Int) { open[key]?.alert = index }
}

struct AlertTracker: Sendable {
    typealias Streak = StreakTable.Streak
    var options: AlertOptions
    var auth = StreakTable()
    var relays = StreakTable()
    var alerts: [LogSummary.Alert] = []
    /// Which table and whether the key is a user (for the advice) of each brute-force key.
    var userKeys = Set<String>()

    var continuation: Bool {
        get { auth.continuation }
        set { auth.continuation = newValue; relays.continuation = newValue }
    }

    init(options: AlertOptions) { self.options = options }

    mutating func authFailure(proto: String, address: String?, user: String?, attempts: Int64, time: Int64, line: String) {
        if let address, !address.isEmpty { bumpAuth(key: "\(proto) from \(address)", by: attempts, time: time, line: line) }
        if let user, !user.isEmpty {
            let key = "\(proto) user \(user)"
            if userKeys.count < 100_000 { userKeys.insert(key) }
            bumpAuth(key: key, by: attempts, time: time, line: line)
        }
    }

    mutating func authSuccess(proto: String, address: String?, user: String?) {
        if let address { auth.success("\(proto) from \(address)") }
        if let user { auth.success("\(proto) user \(user)") }
    }

    private mutating func bumpAuth(key: String, by n: Int64, time: Int64, line: String) {
        let s = auth.failure(key, by: n, time: time, line: line)
        if s.count >= Int64(options.bruteForceThreshold) { place(authAlert(key, s), for: key, in: \.auth, existing: s.alert) }
    }

    mutating func relayFailure(relay: String, time: Int64, line: String) {
        let s = relays.failure(relay, by: 1, time: time, line: line)
        if s.count >= Int64(options.relayFailureThreshold) { place(relayAlert(relay, s), for: relay, in: \.relays, existing: s.alert) }
    }

    mutating func relaySuccess(relay: String) { relays.success(relay) }

    private mutating func place(_ a: LogSummary.Alert, for key: String, in table: WritableKeyPath<AlertTracker, StreakTable>, existing: Int?) {
        if let i = existing { alerts[i] = a } else { alerts.append(a); self[keyPath: table].setAlert(key, alerts.count - 1) }
    }

    func authAlert(_ key: String, _ s: Streak) -> LogSummary.Alert {
        LogSummary.Alert(
            kind: .bruteForce, subject: key, windowStart: LogTime.iso(s.first), windowEnd: LogTime.iso(s.last), count: s.count,
            detail: "\(s.count) consecutive authentication failures (\(key)) without a success in between",
            evidence: s.evidence,
            advice: userKeys.contains(key)
                ? "Someone is guessing this account's password: check the account is not compromised, enforce a strong password or 2FA, and rate-limit authentication (Dovecot auth_failure_delay/auth penalty, Postfix smtpd_client_auth_rate_limit)."
                : "Block or throttle this address (fail2ban on these log lines, anvil rate limits), and allow AUTH only over TLS on submission ports.")
    }

    func relayAlert(_ relay: String, _ s: Streak) -> LogSummary.Alert {
        LogSummary.Alert(
            kind: .relayFailing, subject: relay, windowStart: LogTime.iso(s.first), windowEnd: LogTime.iso(s.last), count: s.count,
            detail: "\(s.count) consecutive failed delivery attempts to \(relay) with no success in between",
            evidence: s.evidence,
            advice: "Check that \(relay) is reachable on port 25 from this host (firewall, DNS, its MX), run `mxray probe` against it, and watch the deferred queue (`postqueue -p`); mail waits until maximal_queue_lifetime.")
    }

    /// Appends the tracker of the chunk that follows this one in the file, joining streaks that
    /// cross the boundary so alerts come out as one sequential pass would raise them.
    mutating func merge(_ next: AlertTracker) {
        let offset = alerts.count
        var merged: [LogSummary.Alert?] = alerts.map { $0 } + next.alerts.map { $0 }
        userKeys.formUnion(next.userKeys)
        func shifted(_ s: Streak) -> Streak { var s = s; s.alert = s.alert.map { $0 + offset }; return s }
        func join(_ a: Streak, _ b: Streak) -> Streak {
            var j = a
            j.count += b.count
            j.last = b.last
            j.evidence = Array((a.evidence + b.evidence).prefix(6))
            j.alert = a.alert ?? b.alert
            if let ia = a.alert, let ib = b.alert, ia != ib { merged[ib] = nil }
            return j
        }
        func mergeTable(_ mine: StreakTable, _ theirs: StreakTable, threshold: Int, alert: (String, Streak) -> LogSummary.Alert) -> StreakTable {
            var out = StreakTable()
            out.continuation = mine.continuation
            for (k, s) in theirs.open { out.open[k] = shifted(s) }
            // Another input (not a later chunk of the same file): its streaks start afresh.
            guard theirs.continuation else { return out }
            for (k, a) in mine.open {
                var joined: Streak
                if !theirs.resetSeen.contains(k) {
                    // No success for k in the next chunk: its failures (if any) continue this streak.
                    joined = out.open[k].map { join(a, $0) } ?? a
                    out.open[k] = joined
                } else if let lead = theirs.leading[k] {
                    // The next chunk's first failures for k continue this streak, then a success closes it.
                    joined = join(a, shifted(lead))
                } else {
                    // The next chunk starts with a success for k: this streak is closed as it is.
                    continue
                }
                if joined.count >= Int64(threshold) {
                    if let i = joined.alert { merged[i] = alert(k, joined) } else { merged.append(alert(k, joined)); joined.alert = merged.count - 1 }
                    if out.open[k] != nil, !theirs.resetSeen.contains(k) { out.open[k] = joined }
                }
            }
            return out
        }
        let newAuth = mergeTable(auth, next.auth, threshold: options.bruteForceThreshold, alert: authAlert)
        let newRelays = mergeTable(relays, next.relays, threshold: options.relayFailureThreshold, alert: relayAlert)
        // Drop superseded alerts and renumber the indices open streaks keep.
        var remap = [Int: Int]()
        var kept: [LogSummary.Alert] = []
        for (i, a) in merged.enumerated() { if let a { remap[i] = kept.count; kept.append(a) } }
        func renumber(_ t: StreakTable) -> StreakTable {
            var t = t
            for (k, s) in t.open { if let i = s.alert { t.open[k]?.alert = remap[i] } }
            for (k, s) in t.leading { if let i = s.alert { t.leading[k]?.alert = remap[i] } }
            return t
        }
        auth = renumber(newAuth)
        relays = renumber(newRelays)
        alerts = kept
    }
}

enum SpikeDetector {
    /// Finds minutes whose value exceeds the rolling median of the previous `window` minutes by
    /// more than max(3, 6 × 1.4826 × MAD), with at least `minHistory` minutes of history.
    static func spikes(series: [(minute: Int64, value: Int64)], name: String, options: AlertOptions,
                       evidence: (Int64) -> [String]) -> [LogSummary.Alert] {
        guard let firstMinute = series.first?.minute, let lastMinute = series.last?.minute, lastMinute - firstMinute < 600_000 else { return [] }
        var values = [Int64](repeating: 0, count: Int(lastMinute - firstMinute + 1))
        for (m, v) in series { values[Int(m - firstMinute)] = v }
        var out: [LogSummary.Alert] = []
        var lastAlert = -1000
        guard values.count > options.spikeMinHistory else { return [] }
        for t in options.spikeMinHistory..<values.count where values[t] >= options.spikeMinimum {
            let lo = max(0, t - options.spikeWindow)
            let window = values[lo..<t].sorted()
            let median = Double(window[window.count / 2])
            let mad = Double(window.map { abs(Double($0) - median) }.sorted()[window.count / 2])
            let limit = median + max(3, 6 * 1.4826 * mad)
            guard Double(values[t]) > limit, t - lastAlert > 10 else { continue }
            lastAlert = t
            let minute = firstMinute + Int64(t)
            let start = minute * 60 * LogTime.microsPerSecond
            out.append(LogSummary.Alert(
                kind: .spike, subject: name, windowStart: LogTime.iso(start), windowEnd: LogTime.iso(start + 60 * LogTime.microsPerSecond - 1),
                count: values[t],
                detail: "\(values[t]) \(name) in one minute against a median of \(Int(median)) (MAD \(Int(mad))) over the previous \(t - lo) minutes",
                evidence: evidence(minute),
                advice: advice(name)))
        }
        return out
    }

    static func advice(_ name: String) -> String {
        switch name {
        case "connections": return "A burst of connections: check the clients in the top-clients table; postscreen and anvil limits (smtpd_client_connection_rate_limit) absorb floods."
        case "rejects": return "A burst of rejects: a spam run or a misconfigured sender; look at the reject reasons for this minute and the clients behind them."
        case "deferrals": return "A burst of deferrals: a destination or the network is failing; check the deferral reasons and relays for this minute."
        case "5xx replies": return "A burst of permanent failures: check the reply codes and the reasons; a policy or DNS change may be rejecting legitimate mail."
        default: return "A burst of authentication failures: likely a password-guessing run; see the brute-force alerts and block the sources."
        }
    }
}
