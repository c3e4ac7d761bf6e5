import Foundation
import MailCore

/// One TCP connect as the path sampler saw it: when it started (ms since the run began), how long
/// until the peer answered (SYN-ACK or RST), or that nothing answered before the probe timeout.
/// Pure data: the sampler in `Probes` fills it, the statistics here read it.
public struct PathSample: Sendable, Hashable, Codable {
    public enum Outcome: String, Sendable, Hashable, Codable {
        /// SYN-ACK: something listens.
        case open
        /// RST: nothing listens, but the path carried the SYN and the reset back: reachable.
        case reset
        /// No answer before the probe timeout (every SYN or every reply lost, or filtered).
        case timeout
        /// ICMP unreachable, no route, or a local error: the path did not carry the SYN.
        case unreachable
    }

    public var startMilliseconds: Double
    /// Time from connect() to the answer; for `timeout`, the probe timeout.
    public var milliseconds: Double
    public var outcome: Outcome
    public var detail: String?

    public init(startMilliseconds: Double, milliseconds: Double, outcome: Outcome, detail: String? = nil) {
        self.startMilliseconds = startMilliseconds
        self.milliseconds = milliseconds
        self.outcome = outcome
        self.detail = detail
    }

    public var answered: Bool { outcome == .open || outcome == .reset }
}

/// When a client sends its SYNs: the first at 0, each retransmission when the retransmission
/// timer expires. RFC 6298 §2.1: the initial RTO is 1 s; §5.5: back off by doubling — SYNs at 0,
/// 1, 3, 7, 15 s. Linux 6.5+ first retransmits `tcp_syn_linear_timeouts` more times at the
/// initial RTO before doubling (4 by default: SYNs at 0, 1, 2, 3, 4, 5, 7, 11 s, as measured on
/// the lab machine); the sampler reads the sysctl and says which schedule it used.
public struct SYNSchedule: Sendable, Hashable, Codable {
    public var initialRTO: Double
    /// Retransmissions after the first timeout that keep the initial RTO (Linux
    /// `net.ipv4.tcp_syn_linear_timeouts`; 0 is RFC 6298's pure doubling).
    public var linearTimeouts: Int
    public var maxRetransmissions: Int

    public init(initialRTO: Double = 1.0, linearTimeouts: Int = 0, maxRetransmissions: Int = 8) {
        self.initialRTO = initialRTO
        self.linearTimeouts = max(0, min(linearTimeouts, 16))
        self.maxRetransmissions = max(1, min(maxRetransmissions, 16))
    }

    /// The wait after attempt `i` before attempt `i + 1`.
    public func timeout(after i: Int) -> Double {
        i <= linearTimeouts ? initialRTO : initialRTO * pow(2.0, Double(i - linearTimeouts))
    }

    /// Seconds after connect() at which attempt `k` (0 = the first SYN) leaves.
    public func sendTime(_ k: Int) -> Double {
        (0..<max(0, k)).reduce(0.0) { $0 + timeout(after: $1) }
    }

    /// How many attempts had left by `seconds` after connect().
    public func attemptsSent(within seconds: Double) -> Int {
        var k = 0
        while k <= maxRetransmissions, sendTime(k) < seconds { k += 1 }
        return max(k, 1)
    }

    /// Which attempt a connect that took `seconds` was answered on, given the path's base RTT:
    /// the attempt whose send time plus the base RTT is nearest below, with the boundary halfway
    /// between two send times, so jitter up to half the first RTO does not move a sample.
    public func bucket(seconds: Double, baseRTT: Double) -> Int {
        let excess = seconds - baseRTT
        var k = 0
        while k < maxRetransmissions, excess >= (sendTime(k) + sendTime(k + 1)) / 2 { k += 1 }
        return k
    }
}

/// A proportion with its Wilson score interval (Wilson 1927; better than the normal
/// approximation near 0 and for small n, which is where loss estimates live).
public struct ProportionEstimate: Sendable, Hashable, Codable {
    public var successes: Int
    public var trials: Int
    public var value: Double
    public var lower: Double
    public var upper: Double
    public var confidence: Double

    /// Wilson interval of `successes` out of `trials` at `confidence` (two-sided).
    public static func wilson(_ successes: Int, of trials: Int, confidence: Double = 0.95) -> ProportionEstimate {
        guard trials > 0 else { return ProportionEstimate(successes: 0, trials: 0, value: 0, lower: 0, upper: 1, confidence: confidence) }
        let n = Double(trials), p = Double(successes) / n
        let z = normalQuantile(0.5 + confidence / 2)
        let z2 = z * z
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let half = z / denominator * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        return ProportionEstimate(successes: successes, trials: trials, value: p,
                                  lower: max(0, centre - half), upper: min(1, centre + half), confidence: confidence)
    }

    /// Maps value and bounds through a monotonic increasing function.
    func mapped(_ f: (Double) -> Double) -> ProportionEstimate {
        ProportionEstimate(successes: successes, trials: trials, value: f(value), lower: f(lower), upper: f(upper), confidence: confidence)
    }

    /// The standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9).
    static func normalQuantile(_ p: Double) -> Double {
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let q = min(max(p, 1e-12), 1 - 1e-12)
        if q < 0.02425 {
            let r = (-2 * log(q)).squareRoot()
            return (((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5]) / ((((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1)
        }
        if q > 1 - 0.02425 { return -normalQuantile(1 - q) }
        let r = q - 0.5, s = r * r
        return (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r
            / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1)
    }
}

/// RTT distribution, jitter and loss from a series of connect samples. Pure and deterministic.
public struct PathStatistics: Sendable, Hashable, Codable {
    public var samples: Int
    public var answered: Int
    public var timedOut: Int
    public var unreachable: Int
    /// RTT of the answered attempt (connect time minus the send time of the SYN that got through), ms.
    public var rttMin: Double?
    public var rttMedian: Double?
    public var rttP90: Double?
    public var rttMax: Double?
    /// RFC 3550 §6.4.1 interarrival jitter over consecutive RTTs (ms).
    public var jitter: Double?
    /// Samples per number of SYN retransmissions before the answer (index 0 = first SYN answered).
    public var buckets: [Int]
    /// Round trips lost (SYN or its answer): failed attempts / all attempts, with Wilson interval.
    public var roundTripLoss: ProportionEstimate
    /// Per-packet loss assuming both directions lose alike: 1 − √(1 − round-trip loss).
    public var packetLoss: ProportionEstimate
    public var schedule: SYNSchedule
    public var probeTimeout: Double

    /// - Parameters:
    ///   - probeTimeout: seconds each connect was allowed (bounds how many SYNs a timeout stands for).
    public init(_ samples: [PathSample], schedule: SYNSchedule = SYNSchedule(), probeTimeout: Double,
                confidence: Double = 0.95) {
        self.samples = samples.count
        self.schedule = schedule
        self.probeTimeout = probeTimeout
        let ordered = samples.sorted { $0.startMilliseconds < $1.startMilliseconds }
        let ok = ordered.filter(\.answered)
        answered = ok.count
        timedOut = ordered.filter { $0.outcome == .timeout }.count
        unreachable = ordered.filter { $0.outcome == .unreachable }.count
        // Base RTT: the fastest answer cannot include a retransmission.
        let base = (ok.map(\.milliseconds).min() ?? 0) / 1000
        var buckets = [Int](repeating: 0, count: schedule.maxRetransmissions + 1)
        var rtts: [Double] = []
        var failedAttempts = 0, attempts = 0
        for s in ok {
            let k = schedule.bucket(seconds: s.milliseconds / 1000, baseRTT: base)
            buckets[k] += 1
            rtts.append(max(0, s.milliseconds - schedule.sendTime(k) * 1000))
            failedAttempts += k
            attempts += k + 1
        }
        // A timeout is censored: every SYN sent before the deadline went unanswered.
        let censored = schedule.attemptsSent(within: probeTimeout)
        failedAttempts += timedOut * censored
        attempts += timedOut * censored
        while buckets.count > 1, buckets.last == 0 { buckets.removeLast() }
        self.buckets = buckets
        let sorted = rtts.sorted()
        rttMin = sorted.first
        rttMax = sorted.last
        rttMedian = Self.quantile(sorted, 0.5)
        rttP90 = Self.quantile(sorted, 0.9)
        jitter = Self.jitter(rtts)
        roundTripLoss = .wilson(failedAttempts, of: attempts, confidence: confidence)
        packetLoss = roundTripLoss.mapped { 1 - (1 - $0).squareRoot() }
    }

    /// Linear interpolation between closest ranks (the "R-7" definition); nil for no data.
    public static func quantile(_ sorted: [Double], _ q: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let h = Double(sorted.count - 1) * q
        let lo = Int(h.rounded(.down)), hi = Int(h.rounded(.up))
        return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
    }

    /// RFC 3550 §6.4.1: J(i) = J(i−1) + (|D(i−1,i)| − J(i−1))/16, where D is the difference of
    /// consecutive transit times — here consecutive RTTs, in the order the connects started.
    public static func jitter(_ rtts: [Double]) -> Double? {
        guard rtts.count >= 2 else { return nil }
        var j = 0.0
        for i in 1..<rtts.count {
            let d = abs(rtts[i] - rtts[i - 1])
            j += (d - j) / 16
        }
        return j
    }
}
