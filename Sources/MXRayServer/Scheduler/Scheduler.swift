import Foundation
import NIOConcurrencyHelpers

/// Runs every target at its interval, each run starting at a random point within the target's
/// jitter after its slot, at most `maxConcurrent` at a time. One dispatcher task sleeps until
/// the next due run (or a wake-up) and starts due runs as child tasks, so a shutdown waits for
/// the runs in flight: `stop()` lets them finish and be written, then `run()` returns.
public final class Scheduler: Sendable {
    /// Runs one check of a target and stores it; the server context supplies it.
    public typealias Runner = @Sendable (TargetConfig) async throws -> RunRecord

    struct Entry {
        var target: TargetConfig
        /// The nominal slot of the next run.
        var slot: ContinuousClock.Instant
        /// slot + this run's jitter.
        var due: ContinuousClock.Instant
        var running = false
    }

    struct State {
        var entries: [String: Entry] = [:]
        var maxConcurrent: Int
        var running = 0
        var stopping = false
    }

    /// A run was asked for a target that is not configured, or while shutting down.
    public struct RunError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    let state: NIOLockedValueBox<State>
    let waker = Waker()
    let runner: Runner
    let metrics: ServerMetrics?
    let clock = ContinuousClock()

    init(targets: [TargetConfig], maxConcurrent: Int, metrics: ServerMetrics?, runner: @escaping Runner) {
        self.state = NIOLockedValueBox(State(maxConcurrent: max(1, maxConcurrent)))
        self.runner = runner
        self.metrics = metrics
        apply(targets: targets, maxConcurrent: maxConcurrent)
    }

    /// Runs a check of `targetName` now, outside the schedule, and returns the stored run.
    public func runNow(_ targetName: String) async throws -> RunRecord {
        let target = try state.withLockedValue { s -> TargetConfig in
            guard !s.stopping else { throw RunError(description: "the server is shutting down") }
            guard let e = s.entries[targetName] else { throw RunError(description: "no target named '\(targetName)'") }
            return e.target
        }
        return try await runner(target)
    }

    /// The next due time of each target (for the UI and tests), by name.
    public func nextRuns() -> [String: Date] {
        let now = clock.now, wall = Date()
        return state.withLockedValue { s in
            s.entries.mapValues { wall.addingTimeInterval(Self.seconds($0.due - now)) }
        }
    }

    /// Replaces the targets (after a reload): a target that stays keeps its schedule, a new
    /// one is due within its jitter, a removed one is dropped (a run in flight still finishes).
    func apply(targets: [TargetConfig], maxConcurrent: Int) {
        let now = clock.now
        state.withLockedValue { s in
            var entries: [String: Entry] = [:]
            for t in targets {
                if var e = s.entries[t.name] {
                    if t.interval < e.target.interval, e.slot > now + t.interval {
                        e.slot = now + t.interval
                        e.due = e.slot + Self.randomJitter(t.jitter)
                    }
                    e.target = t
                    entries[t.name] = e
                } else {
                    entries[t.name] = Entry(target: t, slot: now, due: now + Self.randomJitter(t.jitter))
                }
            }
            s.entries = entries
            s.maxConcurrent = max(1, maxConcurrent)
        }
        waker.poke()
    }

    /// Stops starting runs; `run()` returns once the runs in flight are written.
    public func stop() {
        state.withLockedValue { $0.stopping = true }
        waker.poke()
    }

    /// The dispatcher. Returns after `stop()` (or cancellation) when no run is in flight.
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            while !Task.isCancelled {
                let (launch, wake, stopping) = nextStep()
                if stopping { break }
                for (target, lag) in launch {
                    metrics?.schedulerLag.record(lag)
                    group.addTask { await self.execute(target) }
                }
                await waker.wait(timeout: wake)
            }
        }
    }

    /// Marks the due targets running (within the concurrency bound) and says how long to sleep.
    func nextStep() -> (launch: [(TargetConfig, Duration)], wake: Duration, stopping: Bool) {
        let now = clock.now
        return state.withLockedValue { s in
            if s.stopping { return ([], .zero, true) }
            var launch: [(TargetConfig, Duration)] = []
            let due = s.entries.values.filter { !$0.running && $0.due <= now }.sorted { $0.due < $1.due }
            for e in due where s.running < s.maxConcurrent {
                s.entries[e.target.name]?.running = true
                s.running += 1
                launch.append((e.target, now - e.due))
            }
            metrics?.runningChecks.set(Double(s.running))
            // Waiting for a free slot: a finished run pokes the waker.
            guard s.running < s.maxConcurrent else { return (launch, .seconds(3600), false) }
            let next = s.entries.values.filter { !$0.running }.map(\.due).min()
            return (launch, next.map { max(.milliseconds(1), $0 - now) } ?? .seconds(3600), false)
        }
    }

    func execute(_ target: TargetConfig) async {
        do { _ = try await runner(target) } catch {
            ServerLog.error("check of \(target.name) not stored: \(error)")
        }
        let now = clock.now
        let missed = state.withLockedValue { s -> Int in
            s.running -= 1
            guard var e = s.entries[target.name] else { return 0 }
            e.running = false
            // The next slot after now; slots that passed while this run was going are missed.
            var missed = -1
            repeat {
                e.slot = e.slot + e.target.interval
                missed += 1
            } while e.slot <= now
            e.due = e.slot + Self.randomJitter(e.target.jitter)
            s.entries[target.name] = e
            metrics?.runningChecks.set(Double(s.running))
            return missed
        }
        if missed > 0 { metrics?.missedIntervals.increment(by: Int64(missed)) }
        waker.poke()
    }

    static func randomJitter(_ jitter: Duration) -> Duration {
        guard jitter > .zero else { return .zero }
        return .milliseconds(Int64.random(in: 0...max(0, Int64(seconds(jitter) * 1000))))
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
