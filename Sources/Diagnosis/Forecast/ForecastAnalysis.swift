import Foundation
import MailWire
import TimeSeries
import TLSWire

/// What one check saw that can be forecast across runs: certificate expiry dates and connect
/// latencies per endpoint. Kept small so every run can store it (e.g. in the evidence ledger).
public struct ForecastObservation: Sendable, Codable, Equatable {
    /// Seconds since the Unix epoch.
    public var time: Double
    /// Endpoint (`mx1.example.org:25`) → leaf certificate notAfter, seconds since the epoch.
    public var certificates: [String: Double]
    /// Endpoint → TCP connect time in milliseconds.
    public var connectMilliseconds: [String: Double]

    public init(time: Double, certificates: [String: Double] = [:], connectMilliseconds: [String: Double] = [:]) {
        self.time = time
        self.certificates = certificates
        self.connectMilliseconds = connectMilliseconds
    }
}

/// Adds forecast findings to a finished report: certificate expiry for every certificate seen
/// (with the renewal schedule learnt from earlier runs, when there are any), and the connect
/// latency trend of every endpoint with enough earlier runs. Pure: history comes in as values.
public enum ForecastAnalysis {
    public struct Options: Sendable {
        /// Seconds before expiry that count as the warning window (the `tls.cert.expiring` line).
        public var certificateWarning: Double = 14 * 86_400
        /// Connect latency that counts as too slow, in milliseconds.
        public var latencyLimit: Double = 1_000
        /// How far ahead a latency crossing is reported as a warning.
        public var latencyHorizon: Double = 7 * 86_400
        /// Earlier runs needed before a latency trend is fitted.
        public var minimumHistory = 5
        public init() {}
    }

    public static func observation(of report: Report) -> ForecastObservation {
        var o = ForecastObservation(time: report.finishedAt.timeIntervalSince1970)
        for p in report.ports {
            if let na = p.tls?.leafNotAfter { o.certificates[endpoint(p)] = na }
            if p.connect.state == .open { o.connectMilliseconds[endpoint(p)] = p.connect.milliseconds }
        }
        for s in report.tls { if let na = s.certificate?.chain.first?.notAfter { o.certificates[s.subject] = na } }
        return o
    }

    static func endpoint(_ p: PortObservation) -> String { "\(p.host ?? p.address):\(p.port)" }

    public static func apply(to report: Report, history: [ForecastObservation], options: Options = Options()) -> Report {
        var r = report
        let now = observation(of: report)
        var n = 0
        func add(_ id: String, _ subject: String, _ detail: String, _ lines: [String]) {
            guard let d = FindingCatalog.definition(id) else { return }
            n += 1
            let evidenceID = "forecast-\(n)"
            r.evidence.append(Evidence(id: evidenceID, kind: .note, title: "Forecast for \(subject)", lines: lines))
            r.findings.append(d.raise(subject: subject, detail: detail, evidence: [evidenceID]))
        }
        // Endpoints usually share a certificate: one finding per certificate (per notAfter), so
        // the text report shows each expiry in full rather than a compacted list of endpoints.
        let byCertificate = Dictionary(grouping: now.certificates, by: \.value).map { (notAfter: $0.key, endpoints: $0.value.map(\.key).sorted()) }
        for (notAfter, endpoints) in byCertificate.sorted(by: { $0.endpoints[0] < $1.endpoints[0] }) {
            let subject = endpoints.count <= 4 ? endpoints.joined(separator: ", ") : endpoints.prefix(4).joined(separator: ", ") + " and \(endpoints.count - 4) more"
            let past = history.compactMap { h in h.certificates[endpoints[0]].map { CertificateExpiryForecast.Observation(time: h.time, notAfter: $0) } }
            let f = CertificateExpiryForecast.evaluate(notAfter: notAfter, now: now.time, history: past + [.init(time: now.time, notAfter: notAfter)],
                                                       warnMargin: options.certificateWarning)
            var detail = "expires \(iso(notAfter)) (\(days(f.secondsLeft)) days); the \(Int(options.certificateWarning / 86_400))-day warning window opens \(iso(f.warnAt))"
            var lines = ["notAfter: \(iso(notAfter))", "observed: \(iso(now.time))", "seconds left: \(Int(f.secondsLeft))", "earlier observations: \(past.count)"]
            if let due = f.renewalDue, let typical = f.typicalSecondsLeftAtRenewal {
                detail += "; \(f.renewalsSeen) earlier renewal(s) happened with about \(days(typical)) days left, so renewal is due \(iso(due))"
                lines.append("renewals seen: \(f.renewalsSeen), median lifetime left at renewal: \(days(typical)) days, due: \(iso(due))")
            }
            add("forecast.cert.expiry", subject, detail, lines)
            if f.renewalOverdue, let due = f.renewalDue {
                add("forecast.cert.renewal-overdue", subject, "renewal was due \(iso(due)); the certificate still expires \(iso(notAfter)) (\(days(f.secondsLeft)) days left)", lines)
            }
        }
        for (subject, ms) in now.connectMilliseconds.sorted(by: { $0.key < $1.key }) {
            let series = history.compactMap { h in h.connectMilliseconds[subject].map { SeriesPoint(time: h.time, value: $0) } }
                + [SeriesPoint(time: now.time, value: ms)]
            guard series.count > options.minimumHistory,
                  let f = try? Forecaster.forecast(series, threshold: options.latencyLimit, direction: .above, horizon: options.latencyHorizon) else { continue }
            let perDay = f.slopePerSecond * 86_400
            var lines = ["method: \(f.method.rawValue), \(f.points) runs from \(iso(series.map(\.time).min()!)) to \(iso(f.lastTime))",
                         String(format: "level %.1f ms, trend %+.1f ms/day, residual SD %.1f ms", f.current, perDay, f.residualSD),
                         String(format: "limit %.0f ms, %.0f %% prediction interval", options.latencyLimit, f.confidence * 100)]
            if let c = f.crossing { lines.append("limit crossed (point forecast): \(iso(c))") }
            if let e = f.crossingEarliest { lines.append("earliest crossing within the interval: \(iso(e))") }
            if let c = f.crossing, f.slopePerSecond > 0 || f.alreadyCrossed {
                let range = [f.crossingEarliest, f.crossingLatest].map { $0.map(iso) ?? "beyond \(days(options.latencyHorizon)) days" }
                add("forecast.latency.rising", subject, String(format: "connect time %.0f ms now, rising %.1f ms/day: reaches %.0f ms around ", f.current, perDay, options.latencyLimit)
                    + "\(iso(c)) (\(Int(f.confidence * 100)) % interval \(range[0]) … \(range[1]))", lines)
            } else {
                let soonest = f.crossingEarliest.map { "; the interval reaches it no earlier than \(iso($0))" } ?? "; not within \(days(options.latencyHorizon)) days even at the interval's edge"
                add("forecast.latency.trend", subject, String(format: "connect time %.0f ms, trend %+.1f ms/day over %d runs", f.current, perDay, f.points) + soonest, lines)
            }
        }
        r.findings = Report.sorted(r.findings)
        return r
    }

    static func iso(_ t: Double) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date(timeIntervalSince1970: t))
    }

    static func days(_ s: Double) -> String { String(format: "%.1f", s / 86_400) }
}
