import Diagnosis
import Foundation
@testable import MXRayServer
import NIOConcurrencyHelpers
import Testing

@Suite struct SchedulerTests {
    final class Probe: Sendable {
        let state = NIOLockedValueBox((running: 0, peak: 0, runs: [String: Int](), finished: 0))
        func run(_ t: TargetConfig, hold: Duration) async throws -> RunRecord {
            state.withLockedValue { s in
                s.running += 1
                s.peak = max(s.peak, s.running)
                s.runs[t.name, default: 0] += 1
            }
            try? await Task.sleep(for: hold)
            state.withLockedValue { s in
                s.running -= 1
                s.finished += 1
            }
            return RunRecord(id: 1, target: t.name, startedAt: Date(), finishedAt: Date(), verdict: .healthy, worstSeverity: .pass,
                             success: true, findingCounts: [:], changes: [], report: nil)
        }
    }

    static func targets(_ n: Int, interval: Duration) -> [TargetConfig] {
        (0..<n).map { TargetConfig(name: "t\($0)", kind: .domain, value: "t\($0).example", interval: interval, jitter: .milliseconds(100)) }
    }

    @Test func everyTargetRunsEachIntervalWithinTheConcurrencyBound() async throws {
        let probe = Probe()
        let s = Scheduler(targets: Self.targets(12, interval: .seconds(1)), maxConcurrent: 3, metrics: nil) { t in
            try await probe.run(t, hold: .milliseconds(50))
        }
        let start = ContinuousClock.now
        let task = Task { await s.run() }
        // Until every target has had its second slot (1 s apart), however slow a loaded machine is.
        let deadline = start + .seconds(30)
        while ContinuousClock.now < deadline, probe.state.withLockedValue({ $0.runs.count < 12 || $0.runs.values.contains { $0 < 2 } }) {
            try await Task.sleep(for: .milliseconds(50))
        }
        s.stop()
        await task.value
        let elapsed = ContinuousClock.now - start
        let (_, peak, runs, _) = probe.state.withLockedValue { $0 }
        #expect(peak <= 3)
        #expect(peak >= 2, "runs were not concurrent")
        #expect(runs.count == 12)
        #expect(runs.values.allSatisfy { $0 >= 2 }, "\(runs)")
        // No target runs more often than its 1 s interval allows (one slot a second, plus the first).
        let slots = Int(elapsed / .seconds(1)) + 1
        #expect(runs.values.allSatisfy { $0 <= slots }, "\(runs) in \(elapsed)")
    }

    @Test func stopWaitsForTheRunsInFlight() async throws {
        let probe = Probe()
        let s = Scheduler(targets: Self.targets(2, interval: .seconds(60)), maxConcurrent: 2, metrics: nil) { t in
            try await probe.run(t, hold: .milliseconds(1500))
        }
        let task = Task { await s.run() }
        // Wait (polling, the machine may be busy) until both runs are in flight, then stop.
        for _ in 0..<200 where probe.state.withLockedValue({ $0.running }) < 2 { try await Task.sleep(for: .milliseconds(25)) }
        #expect(probe.state.withLockedValue { $0.running } == 2)
        s.stop()
        await task.value
        // run() returned only after both runs in flight had finished (none was cut off).
        #expect(probe.state.withLockedValue { $0.running } == 0)
        #expect(probe.state.withLockedValue { $0.finished } == 2)
        await #expect(throws: Scheduler.RunError.self) { _ = try await s.runNow("t0") }
    }

    @Test func reloadKeepsSchedulesAndAddsTargets() async throws {
        let probe = Probe()
        let s = Scheduler(targets: Self.targets(1, interval: .seconds(60)), maxConcurrent: 4, metrics: nil) { t in
            try await probe.run(t, hold: .milliseconds(10))
        }
        let task = Task { await s.run() }
        for _ in 0..<200 where probe.state.withLockedValue({ $0.finished }) < 1 { try await Task.sleep(for: .milliseconds(25)) }
        s.apply(targets: Self.targets(3, interval: .seconds(60)), maxConcurrent: 4)
        for _ in 0..<200 where probe.state.withLockedValue({ $0.finished }) < 3 { try await Task.sleep(for: .milliseconds(25)) }
        try await Task.sleep(for: .milliseconds(200))
        s.stop()
        await task.value
        // t0 ran once (its next slot is a minute away), the new ones once each.
        #expect(probe.state.withLockedValue { $0.runs } == ["t0": 1, "t1": 1, "t2": 1])
    }
}
