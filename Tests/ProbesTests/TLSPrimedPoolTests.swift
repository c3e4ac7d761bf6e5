import Foundation
@testable import Probes
import Testing

/// The pool of primed TLS-scan connections must never leave a scan waiting: a `take` that the
/// pool cannot serve ends at the watchdog deadline or when the scan is cancelled, and a `take`
/// after the pool closed returns at once. Each test holds the only slot forever and then asks
/// for a second one, which no connection will ever free.
@Suite struct TLSPrimedPoolTests {
    /// A preparation that needs no socket: every "connection" is a could-not-test.
    static let prepare: @Sendable (TLSPrimedPool) async -> TLSPrimedPool.Prepared = { _ in .failure(.couldNotTest("no socket in this test")) }

    static func reason(_ h: TLSPrimedPool.Handover) -> String? {
        if case .failure(.couldNotTest(let why)) = h.prepared { return why }
        return nil
    }

    @Test(.timeLimit(.minutes(1)))
    func aTakeNoSlotWillServeEndsAtTheWatchdogDeadline() async {
        let start = ContinuousClock.now
        let (first, second, afterClose) = await TLSPrimedPool.run(capacity: 1, deadline: .now + .milliseconds(300), prepare: Self.prepare) { pool in
            let held = await pool.take(priority: 0)   // never given back
            let starved = await pool.take(priority: 0)
            let late = await pool.take(priority: 2)
            return (Self.reason(held), Self.reason(starved), Self.reason(late))
        }
        let elapsed = ContinuousClock.now - start
        #expect(first == "no socket in this test")
        #expect(second?.contains("deadline") == true, "\(second ?? "nil")")
        #expect(afterClose?.contains("deadline") == true, "\(afterClose ?? "nil")")
        #expect(elapsed >= .milliseconds(250) && elapsed < .seconds(10), "\(elapsed)")
    }

    @Test(.timeLimit(.minutes(1)))
    func cancellingTheScanEndsAWaitingTake() async {
        let start = ContinuousClock.now
        let task = Task {
            await TLSPrimedPool.run(capacity: 1, deadline: .now + .seconds(600), prepare: Self.prepare) { pool in
                _ = await pool.take(priority: 1)
                return Self.reason(await pool.take(priority: 1))
            }
        }
        try? await Task.sleep(for: .milliseconds(200))
        task.cancel()
        let why = await task.value
        #expect(why?.contains("cancelled") == true, "\(why ?? "nil")")
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test(.timeLimit(.minutes(1)))
    func slotsGivenBackServeTheNextTakeAndTheBodyDoesNotWaitForTheWatchdog() async {
        let start = ContinuousClock.now
        let served = await TLSPrimedPool.run(capacity: 1, deadline: .now + .seconds(600), prepare: Self.prepare) { pool in
            var n = 0
            for i in 0..<20 {
                let h = await pool.take(priority: i % 3)
                if Self.reason(h) == "no socket in this test" { n += 1 }
                await pool.finished(h, priority: i % 3)
            }
            return n
        }
        #expect(served == 20)
        #expect(ContinuousClock.now - start < .seconds(10))
    }
}
