/// Turns a point-wise "anomalous or not" into episodes: one alert when an episode opens, one
/// resolve when it has been quiet long enough, and no new alert within `minSpacing` of the last
/// one (a flapping series stays one alert, not a flood).
///
/// A value type that takes a step and returns a decision; the caller acts on it.
public struct AlertDebouncer: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// Consecutive anomalous points before an episode opens.
        public var openAfter = 1
        /// Consecutive normal points before an open episode resolves.
        public var resolveAfter = 5
        /// Seconds between two alert openings; an episode starting sooner is merged silently.
        public var minSpacing: Double = 1_800
        public init() {}
        public init(openAfter: Int, resolveAfter: Int, minSpacing: Double) {
            self.openAfter = openAfter; self.resolveAfter = resolveAfter; self.minSpacing = minSpacing
        }
    }

    public enum Decision: Sendable, Equatable {
        /// Nothing is happening.
        case quiet
        /// An anomalous point that does not (yet) open an episode.
        case pending
        /// A new episode: raise one alert.
        case open
        /// Inside an alerted episode (anomalous or waiting to resolve).
        case ongoing
        /// The alerted episode that began at `since` is over.
        case resolve(since: Double)
        /// An episode too close to the previous alert: counted, not alerted.
        case suppressed
    }

    enum State: Sendable { case idle(run: Int), active(start: Double, alerted: Bool, quiet: Int) }

    public let configuration: Configuration
    private var state = State.idle(run: 0)
    private var lastOpen: Double? = nil
    public private(set) var suppressedEpisodes = 0

    public init(_ configuration: Configuration = Configuration()) { self.configuration = configuration }

    public var isActive: Bool { if case .active(_, let alerted, _) = state { return alerted } else { return false } }

    public mutating func step(time: Double, anomalous: Bool) -> Decision {
        let c = configuration
        switch state {
        case .idle(let run):
            guard anomalous else { state = .idle(run: 0); return .quiet }
            guard run + 1 >= c.openAfter else { state = .idle(run: run + 1); return .pending }
            if let last = lastOpen, time - last < c.minSpacing {
                state = .active(start: time, alerted: false, quiet: 0)
                suppressedEpisodes += 1
                return .suppressed
            }
            lastOpen = time
            state = .active(start: time, alerted: true, quiet: 0)
            return .open
        case .active(let start, let alerted, let quiet):
            if anomalous { state = .active(start: start, alerted: alerted, quiet: 0); return alerted ? .ongoing : .suppressed }
            guard quiet + 1 >= c.resolveAfter else {
                state = .active(start: start, alerted: alerted, quiet: quiet + 1)
                return alerted ? .ongoing : .quiet
            }
            state = .idle(run: 0)
            return alerted ? .resolve(since: start) : .quiet
        }
    }
}
