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

struct AlertTracker: Sendable {
    struct Streak: Sendable { var count: Int64 = 0; var first: Int64 = 0; var last: Int64 = 0; var evidence: [String] = []; var alert: Int? = nil }
    var options: AlertOptions
    var auth: [String: Streak] = [:]
    var relays: [String: Streak] = [:]
    var alerts: [LogSummary.Alert] = []

    init(options: AlertOptions) { self.options = options }

    mutating func authFailure(proto: String, address: String?, user: String?, attempts: Int64, time: Int64, line: String) {
        if let address, !address.isEmpty { bump(key: "\(proto) from \(address)", by: attempts, time: time, line: line, user: false) }
        if let user, !user.isEmpty { bump(key: "\(proto) user \(user)", by: attempts, time: time, line: line, user: true) }
    }

    mutating func authSuccess(proto: String, address: String?, user: String?) {
        if let address { auth["\(proto) from \(address)"] = nil }
        if let user { auth["\(proto) user \(user)"] = nil }
    }

    private mutating func bump(key: String, by n: Int64, time: Int64, line: String, user: Bool) {
        var s = auth[key] ?? Streak()
        if s.count == 0 { s.first = time }
        s.count += n
        s.last = time
        if s.evidence.count < 6 { s.evidence.append(line) }
        if s.count >= Int64(options.bruteForceThreshold) {
            let a = LogSummary.Alert(
                kind: .bruteForce, subject: key, windowStart: LogTime.iso(s.first), windowEnd: LogTime.iso(s.last), count: s.count,
                detail: "\(s.count) consecutive authentication failures (\(key)) without a success in between",
                evidence: s.evidence,
                advice: user
                    ? "Someone is guessing this account's password: check the account is not compromised, enforce a strong password or 2FA, and rate-limit authentication (Dovecot auth_failure_delay/auth penalty, Postfix smtpd_client_auth_rate_limit)."
                    : "Block or throttle this address (fail2ban on these log lines, anvil rate limits), and allow AUTH only over TLS on submission ports.")
            if let i = s.alert { alerts[i] = a } else { alerts.append(a); s.alert = alerts.count - 1 }
        }
        auth[key] = s
    }

    mutating func relayFailure(relay: String, time: Int64, line: String) {
        var s = relays[relay] ?? Streak()
        if s.count == 0 { s.first = time }
        s.count += 1
        s.last = time
        if s.evidence.count < 6 { s.evidence.append(line) }
        if s.count >= Int64(options.relayFailureThreshold) {
            let a = LogSummary.Alert(
                kind: .relayFailing, subject: relay, windowStart: LogTime.iso(s.first), windowEnd: LogTime.iso(s.last), count: s.count,
                detail: "\(s.count) consecutive failed delivery attempts to \(relay) with no success in between",
                evidence: s.evidence,
                advice: "Check that \(relay) is reachable on port 25 from this host (firewall, DNS, its MX), run `mxray probe` against it, and watch the deferred queue (`postqueue -p`); mail waits until maximal_queue_lifetime.")
            if let i = s.alert { alerts[i] = a } else { alerts.append(a); s.alert = alerts.count - 1 }
        }
        relays[relay] = s
    }

    mutating func relaySuccess(relay: String) { if relays[relay] != nil { relays[relay] = nil } }
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
