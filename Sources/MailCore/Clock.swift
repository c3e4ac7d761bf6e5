import Foundation

/// Wall-clock time, injected wherever a decision depends on "now" (certificate expiry,
/// report timestamps, log year inference), so tests can pin it.
public protocol WallClock: Sendable {
    func now() -> Date
}

public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}

public struct FixedWallClock: WallClock {
    public let date: Date
    public init(_ date: Date) { self.date = date }
    public func now() -> Date { date }
}

/// Milliseconds elapsed since a start instant, for transcripts and step timings.
public struct Stopwatch: Sendable {
    public let start: ContinuousClock.Instant

    public init() { start = ContinuousClock.now }

    public var milliseconds: Double {
        let d = ContinuousClock.now - start
        let (s, atto) = d.components
        return Double(s) * 1000 + Double(atto) / 1e15
    }
}
