/// A detector that turns points into debounced episodes (`AlertDebouncer`): one `opened` event per
/// episode, one `resolved` when it ends. `run` is the batch form every such detector shares.
public protocol EpisodeDetector {
    /// The episode open now, if any.
    var current: AnomalyAlert? { get }
    /// Episodes merged into an earlier alert by the minimum spacing (counted, not alerted).
    var suppressedEpisodes: Int { get }
    mutating func step(_ p: SeriesPoint) -> OnlineAnomalyDetector.Event?
}

extension EpisodeDetector {
    /// Runs a whole series; returns every alert (those still open at the end have `end == nil`).
    public mutating func run(_ points: [SeriesPoint]) -> [AnomalyAlert] {
        var out: [AnomalyAlert] = []
        var openIndex: Int? = nil
        for p in points {
            switch step(p) {
            case .opened(let a): out.append(a); openIndex = out.count - 1
            case .resolved(let a): if let i = openIndex { out[i] = a }; openIndex = nil
            case nil: break
            }
        }
        if let i = openIndex, let a = current { out[i] = a }
        return out
    }
}

extension OnlineAnomalyDetector: EpisodeDetector {}
extension ContextKNNDetector: EpisodeDetector {}

/// The episode bookkeeping every debounced detector shares: what a debouncer decision does to the
/// open alert. `open` builds the alert (the detector's own explanation) only when one opens.
enum Episode {
    static func follow(_ decision: AlertDebouncer.Decision, current: inout AnomalyAlert?, point p: SeriesPoint, z: Double,
                       anomalous: Bool, open: () -> AnomalyAlert) -> OnlineAnomalyDetector.Event? {
        switch decision {
        case .open:
            let alert = open()
            current = alert
            return .opened(alert)
        case .ongoing:
            // One more unusual point: count it and keep the most unusual as the peak.
            if var a = current, anomalous {
                a.points += 1
                if abs(z) > abs(a.peakZ) { a.peak = p.value; a.peakZ = z; a.peakTime = p.time }
                current = a
            }
            return nil
        case .resolve:
            guard var a = current else { return nil }
            a.end = p.time
            current = nil
            return .resolved(a)
        case .quiet, .pending, .suppressed:
            return nil
        }
    }
}
