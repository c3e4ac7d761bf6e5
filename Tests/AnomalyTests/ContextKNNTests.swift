import Foundation
import Testing
@testable import TimeSeries

@Suite struct ContextKNNTests {
    /// A daily-like cycle of 60 points with small noise: a pattern, not a level.
    func cycle(_ n: Int, seed: UInt64) -> [Double] {
        var rng = SeededRandom(seed)
        return (0..<n).map { 100 + 20 * sin(2 * Double.pi * Double($0 % 60) / 60) + rng.gaussian() }
    }

    func config() -> ContextKNNDetector.Configuration {
        var c = ContextKNNDetector.Configuration()
        c.dimension = 12
        c.neighbours = 10
        c.training = 400
        c.minimumExcess = 1.5
        c.scaleFloor = 0.1
        c.debounce = .init(openAfter: 1, resolveAfter: 12, minSpacing: 80 * 60)
        return c
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func quietCycleRaisesNoAlert(seed: UInt64) {
        var d = ContextKNNDetector(series: "connections", config())
        #expect(d.run(minuteSeries(cycle(3000, seed: seed))).isEmpty)
    }

    @Test func conformalPValueAloneAlarmsAtItsNominalRate() {
        // Without the excess rule the p-value is (about) uniform on stationary data: alarms happen.
        var c = config()
        c.minimumExcess = 0
        var d = ContextKNNDetector(series: "x", c)
        var alarms = 0, scored = 0
        for v in cycle(3000, seed: 4) { if let s = d.score(v) { scored += 1; if s.pValue >= c.alarmLevel { alarms += 1 } } }
        #expect(scored == 3000 - c.training + 1)
        #expect(alarms > 0 && alarms < scored / 20)
    }

    @Test func spikeIsOneAlertWithItsExplanation() {
        var values = cycle(3000, seed: 5)
        let at = 2015   // phase 35 of the cycle: expected ≈ 100 + 20 sin(7π/6) = 90
        values[at] = 160
        var d = ContextKNNDetector(series: "connections", config())
        let alerts = d.run(minuteSeries(values))
        #expect(alerts.count == 1)
        let a = try! #require(alerts.first)
        #expect(a.detector == .contextKNN)
        #expect(a.start == 1_793_577_600 + Double(at * 60))
        #expect(a.direction == .up)
        #expect(a.observed == 160)
        #expect(abs(a.expected - 90) < 4)
        #expect(a.expectedLow < 90 && a.expectedHigh > 90 && a.expectedHigh < 160)
        #expect(a.robustZ > 10)
        #expect(a.reason.contains("connections 160 breaks its pattern"))
        #expect(a.reason.contains("ended at"))
    }

    @Test func levelShiftIsOneDebouncedAlert() {
        var values = cycle(3000, seed: 6)
        for i in 2000..<3000 { values[i] -= 40 }
        var c = config()
        c.debounce = .init(openAfter: 1, resolveAfter: 12, minSpacing: 1200 * 60)
        var d = ContextKNNDetector(series: "deliveries", c)
        let alerts = d.run(minuteSeries(values))
        #expect(alerts.count == 1)
        let a = try! #require(alerts.first)
        #expect(a.start >= 1_793_577_600 + 2000 * 60 && a.start < 1_793_577_600 + 2005 * 60)
        #expect(a.direction == .down)
        #expect(a.observed < a.expectedLow)
        #expect(d.suppressedEpisodes >= 0)
    }

    @Test func directionFiltersTheSide() {
        var values = cycle(3000, seed: 7)
        values[2015] = 20   // a drop
        var c = config()
        c.direction = .up
        var up = ContextKNNDetector(series: "x", c)
        #expect(up.run(minuteSeries(values)).isEmpty)
        c.direction = .down
        var down = ContextKNNDetector(series: "x", c)
        #expect(down.run(minuteSeries(values)).map(\.direction) == [.down])
    }

    @Test func flatSeriesKeepsTheIdentityMetricAndStaysQuiet() {
        // A constant series has a singular Gram matrix: the detector must neither crash nor alarm.
        var d = ContextKNNDetector(series: "queue", config())
        #expect(d.run(minuteSeries([Double](repeating: 3, count: 1500))).isEmpty)
    }
}

@Suite struct WindowedGaussianTests {
    @Test func scoresAreTailProbabilitiesOfThePastWindow() {
        var g = WindowedGaussian(window: 4, stride: 2)
        #expect(g.score(1) == 0)          // nothing seen yet
        _ = g.score(3)                    // window [1, 3]: mean 2, σ 1
        #expect(g.mean == 2 && g.std == 1)
        let s = g.score(4)                // z = 2 against [1, 3]: 1 − Q(2) ≈ 0.97725
        #expect(abs(s - 0.97725) < 1e-4)
        _ = g.score(0)                    // window full: [1, 3, 4, 0]
        #expect(abs(g.mean - 2) < 1e-12)
        _ = g.score(10)                   // buffered, the window does not move yet
        #expect(abs(g.mean - 2) < 1e-12)
        _ = g.score(10)                   // second of the stride: window slides to [4, 0, 10, 10]
        #expect(abs(g.mean - 6) < 1e-12)
    }

    @Test func farValueScoresNearOneAndTypicalValueLow() {
        var rng = SeededRandom(3)
        var g = WindowedGaussian(window: 500, stride: 50)
        for _ in 0..<600 { _ = g.score(50 + 2 * rng.gaussian()) }
        #expect(g.score(50) < 0.6)   // 1 − Q(|z|) is 0.5 at the mean
        #expect(g.score(80) > 0.999999)
    }
}
