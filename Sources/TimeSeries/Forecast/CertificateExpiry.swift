/// Certificate expiry is a countdown, not a fit: what is uncertain is whether renewal happens.
/// From earlier observations of the same endpoint's notAfter (e.g. the monitor's history) this
/// learns how much lifetime was left when the certificate was renewed before, and says when a
/// renewal is due and whether it is overdue.
public struct CertificateExpiryForecast: Sendable, Equatable, Codable {
    public var notAfter: Double
    public var now: Double
    public var secondsLeft: Double
    /// When the remaining lifetime falls below the warning margin (e.g. 14 days before expiry).
    public var warnAt: Double
    /// Renewals seen in the history, and the median lifetime left when they happened.
    public var renewalsSeen: Int
    public var typicalSecondsLeftAtRenewal: Double?
    /// When the next renewal was expected, from that median; nil without history.
    public var renewalDue: Double?
    /// True when the expected renewal time has passed by more than the tolerance without a new certificate.
    public var renewalOverdue: Bool

    public var daysLeft: Double { secondsLeft / 86_400 }

    public struct Observation: Sendable, Equatable, Codable {
        public var time: Double
        public var notAfter: Double
        public init(time: Double, notAfter: Double) { self.time = time; self.notAfter = notAfter }
    }

    /// - Parameters:
    ///   - history: earlier observations (any order), possibly spanning renewals.
    ///   - warnMargin: seconds before expiry that count as "expiring" (default 14 days).
    ///   - tolerance: slack after the expected renewal time before calling it overdue (default 3 days).
    public static func evaluate(notAfter: Double, now: Double, history: [Observation] = [],
                                warnMargin: Double = 14 * 86_400, tolerance: Double = 3 * 86_400) -> CertificateExpiryForecast {
        let obs = history.sorted { $0.time < $1.time }
        var leftAtRenewal: [Double] = []
        for (prev, cur) in zip(obs, obs.dropFirst()) where cur.notAfter > prev.notAfter + 3_600 {
            // Renewed somewhere between the two observations: take the midpoint.
            leftAtRenewal.append(prev.notAfter - (prev.time + cur.time) / 2)
        }
        let typical: Double? = leftAtRenewal.isEmpty ? nil : leftAtRenewal.sorted()[leftAtRenewal.count / 2]
        let due = typical.map { notAfter - $0 }
        return CertificateExpiryForecast(
            notAfter: notAfter, now: now, secondsLeft: notAfter - now, warnAt: notAfter - warnMargin,
            renewalsSeen: leftAtRenewal.count, typicalSecondsLeftAtRenewal: typical, renewalDue: due,
            renewalOverdue: due.map { now > $0 + tolerance } ?? false)
    }
}
