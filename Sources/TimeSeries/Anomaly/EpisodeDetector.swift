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
