import Diagnosis
import Foundation
import NIOConcurrencyHelpers
import Reporting
import TimeSeries

/// Anomaly detection and forecasts over every target's probe series, fed by each stored run
/// (`ServerContext.check`). One online detector per series (`SeriesAnomalies` settings per kind:
/// latency, success), rebuilt from the history the first time a target runs after a start, so
/// a restart keeps the baseline. Episodes become alerts through `AlertService` (the run carries
/// them in `RunRecord.anomalies`); the state here feeds `/metrics` and the target page.
public final class ProbeIntel: Sendable {
    /// An anomaly episode of one series: the explained alert (series, expected range, observed
    /// value, robust z, reason, the probe results behind it).
    public struct Episode: Sendable, Codable, Equatable {
        public var key: ProbeSeriesKey
        public var alert: LogAnomalies.Alert
    }

    /// An episode that opened or resolved in this run.
    public struct Event: Sendable, Codable, Equatable {
        public enum Status: String, Sendable, Codable { case opened, resolved }
        public var status: Status
        public var episode: Episode
    }

    /// A latency series' trend and when it will cross the configured limit.
    public struct LatencyForecast: Sendable, Equatable {
        public var key: ProbeSeriesKey
        public var forecast: ThresholdForecast
    }

    /// The certificate of one endpoint (`host:port`) counting down.
    public struct CertificateForecast: Sendable, Equatable {
        public var endpoint: String
        public var forecast: CertificateExpiryForecast
        public var host: String { endpoint.split(separator: ":").dropLast().joined(separator: ":") }
        public var port: String { endpoint.split(separator: ":").last.map(String.init) ?? "" }
    }

    /// What the dashboard and the metrics show for one target.
    public struct TargetView: Sendable {
        /// Every tracked series and whether an episode is open on it.
        public var series: [ProbeSeriesKey: Bool] = [:]
        public var active: [Episode] = []
        /// Episodes of this process, newest last (bounded).
        public var recent: [Episode] = []
        public var latency: [LatencyForecast] = []
        public var certificates: [CertificateForecast] = []
    }

    struct Tracker {
        var detector: CombinedDetector
        var last: Double
        /// The newest points (the forecast's input) and the evidence of the newest runs.
        var recent: [SeriesPoint] = []
        var evidence: [String] = []
    }

    struct State {
        var forecast: ForecastConfig
        var detector = LogAnomalies.DetectorChoice.baseline
        var trackers: [ProbeSeriesKey: Tracker] = [:]
        var primed: Set<String> = []
        /// Endpoint → notAfter observations, per target.
        var certificates: [String: [String: [CertificateExpiryForecast.Observation]]] = [:]
        var recent: [String: [Episode]] = [:]
        var views: [String: TargetView] = [:]
    }

    let history: HistoryStore
    let state: NIOLockedValueBox<State>
    /// Points kept per series for the forecast (and runs read back from the history at start).
    static let keep = 150

    public init(history: HistoryStore, forecast: ForecastConfig = ForecastConfig(),
                detector: LogAnomalies.DetectorChoice = .baseline) {
        self.history = history
        state = NIOLockedValueBox(State(forecast: forecast, detector: detector))
    }

    /// The detector every probe series runs (`anomalies.detector`).
    public var detector: LogAnomalies.DetectorChoice { state.withLockedValue { $0.detector } }

    /// New forecast settings after a reload; drops the state of targets no longer configured. A new
    /// `detector` starts every series afresh (primed again from the history on its next run).
    func apply(forecast: ForecastConfig, targets: Set<String>, detector: LogAnomalies.DetectorChoice? = nil) {
        state.withLockedValue { s in
            if let detector, detector != s.detector {
                s.detector = detector
                s.trackers = [:]
                s.primed = []
            }
            s.forecast = forecast
            s.trackers = s.trackers.filter { targets.contains($0.key.target) }
            s.primed.formIntersection(targets)
            s.certificates = s.certificates.filter { targets.contains($0.key) }
            s.recent = s.recent.filter { targets.contains($0.key) }
            s.views = s.views.filter { targets.contains($0.key) }
        }
    }

    /// The dashboard's view of a target (empty before its first run since the start).
    public func view(target: String) -> TargetView {
        state.withLockedValue { $0.views[target] } ?? TargetView()
    }

    /// Feeds one stored run (after priming the target from the history on its first run) and
    /// returns the episodes that opened or resolved, and the target's new view.
    func observe(_ run: RunRecord) -> (events: [Event], view: TargetView) {
        let needsPriming = !state.withLockedValue { $0.primed.contains(run.target) }
        let earlier = needsPriming ? priming(target: run.target, before: run.id) : []
        return state.withLockedValue { s in
            if needsPriming, !s.primed.contains(run.target) {
                for (points, certificates, at) in earlier {
                    for p in points { _ = Self.step(&s, p) }
                    Self.noteCertificates(&s, target: run.target, certificates, at: at)
                }
                s.primed.insert(run.target)
            }
            var events: [Event] = []
            for p in ProbeSeries.points(target: run.target, runID: run.id, at: run.finishedAt, report: run.report, roundtrip: run.roundtrip) {
                if let e = Self.step(&s, p) { events.append(e) }
            }
            if let report = run.report {
                Self.noteCertificates(&s, target: run.target, ForecastAnalysis.observation(of: report).certificates, at: run.finishedAt.timeIntervalSince1970)
            }
            for e in events where e.status == .opened {
                s.recent[run.target, default: []].append(e.episode)
                if s.recent[run.target]!.count > 20 { s.recent[run.target]!.removeFirst() }
            }
            let view = Self.view(&s, target: run.target, now: run.finishedAt.timeIntervalSince1970)
            s.views[run.target] = view
            return (events, view)
        }
    }

    /// How many earlier runs rebuild a target's detectors: the forecast's `keep`, and for a detector
    /// with KNN-CAD its whole training and calibration set plus one context, so that after a restart
    /// it scores from the first new run as it did before (with fewer it would be blind until
    /// `training` new runs had come in: two days at a five-minute interval).
    static func primingRuns(for detector: LogAnomalies.DetectorChoice) -> Int {
        guard detector.policy != .baseline else { return keep }
        let knn = SeriesAnomalies.combinedConfiguration(for: .latency, detector: detector).knn
        return max(keep, knn.training + knn.dimension)
    }

    /// The earlier runs of a target, oldest first, as points and certificates (read outside the
    /// lock; only the report's ports and TLS scans are decoded).
    func priming(target: String, before id: Int64) -> [([ProbePoint], [String: Double], Double)] {
        let limit = Self.primingRuns(for: detector)
        let runs = (try? history.runs(target: target, limit: limit, before: id)) ?? []
        var out: [([ProbePoint], [String: Double], Double)] = []
        for r in runs.reversed() {
            guard let json = try? history.reportJSON(runID: r.id),
                  let facts = try? HistoryStore.decoder.decode(ProbeFacts.self, from: json) else { continue }
            let rt = try? history.roundtrip(runID: r.id)
            out.append((ProbeSeries.points(target: target, runID: r.id, at: r.finishedAt, ports: facts.ports, roundtrip: rt),
                        facts.certificates, r.finishedAt.timeIntervalSince1970))
        }
        return out
    }

    static func step(_ s: inout State, _ p: ProbePoint) -> Event? {
        var t = s.trackers[p.key] ?? Tracker(detector: CombinedDetector(series: p.key.series,
            SeriesAnomalies.combinedConfiguration(for: p.kind, detector: s.detector)), last: -.infinity)
        guard p.time > t.last else { return nil }   // points in time order only
        t.last = p.time
        t.recent.append(SeriesPoint(time: p.time, value: p.value))
        if t.recent.count > keep { t.recent.removeFirst(t.recent.count - keep) }
        t.evidence.append(p.evidence)
        if t.evidence.count > 3 { t.evidence.removeFirst() }
        let event = t.detector.step(SeriesPoint(time: p.time, value: p.value))
        let evidence = t.evidence
        s.trackers[p.key] = t
        switch event {
        case .opened(let a)?: return Event(status: .opened, episode: Episode(key: p.key, alert: LogAnomalies.alert(a, evidence: evidence)))
        case .resolved(let a)?: return Event(status: .resolved, episode: Episode(key: p.key, alert: LogAnomalies.alert(a, evidence: evidence)))
        case nil: return nil
        }
    }

    static func noteCertificates(_ s: inout State, target: String, _ certificates: [String: Double], at: Double) {
        for (endpoint, notAfter) in certificates {
            var obs = s.certificates[target, default: [:]][endpoint, default: []]
            guard obs.last.map({ at > $0.time }) ?? true else { continue }
            obs.append(.init(time: at, notAfter: notAfter))
            if obs.count > keep { obs.removeFirst(obs.count - keep) }
            s.certificates[target, default: [:]][endpoint] = obs
        }
    }

    static func view(_ s: inout State, target: String, now: Double) -> TargetView {
        var v = TargetView()
        let f = s.forecast
        for (key, t) in s.trackers where key.target == target {
            v.series[key] = t.detector.current != nil
            if let a = t.detector.current { v.active.append(Episode(key: key, alert: LogAnomalies.alert(a, evidence: t.evidence))) }
            if ProbeSeries.latencySeries.contains(key.series), t.recent.count >= f.minimumRuns,
               let fc = try? Forecaster.forecast(t.recent, threshold: f.latencyLimitSeconds, direction: .above, horizon: f.horizonSeconds) {
                v.latency.append(LatencyForecast(key: key, forecast: fc))
            }
        }
        v.active.sort { $0.key < $1.key }
        v.latency.sort { $0.key < $1.key }
        for (endpoint, obs) in s.certificates[target] ?? [:] {
            // Only endpoints seen in the newest run: a certificate no longer served is not counting down.
            guard let last = obs.last, last.time >= now else { continue }
            v.certificates.append(CertificateForecast(endpoint: endpoint,
                                                      forecast: CertificateExpiryForecast.evaluate(notAfter: last.notAfter, now: now, history: obs)))
        }
        v.certificates.sort { $0.endpoint < $1.endpoint }
        v.recent = s.recent[target] ?? []
        return v
    }
}
