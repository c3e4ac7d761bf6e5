import Foundation
import Testing
@testable import TimeSeries
import Reporting

@Suite struct OnlineDetectorTests {
    func gaussianConfig() -> OnlineAnomalyDetector.Configuration {
        var c = OnlineAnomalyDetector.Configuration()
        c.baseline.seasonPeriod = nil
        c.baseline.scaleFloor = 0.01
        c.debounce = .init(openAfter: 1, resolveAfter: 5, minSpacing: 600)
        return c
    }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func quietNoiseRaisesNoAlert(seed: UInt64) {
        var rng = SeededRandom(seed)
        let values = (0..<2000).map { _ in 100 + 5 * rng.gaussian() }
        var d = OnlineAnomalyDetector(series: "latency", gaussianConfig())
        #expect(d.run(minuteSeries(values)).isEmpty)
    }

    @Test func spikeIsDetectedOnceWithItsExplanation() {
        var rng = SeededRandom(7)
        var values = (0..<600).map { _ in 100 + 5 * rng.gaussian() }
        for i in 300..<304 { values[i] = 180 }   // a four-minute burst
        var d = OnlineAnomalyDetector(series: "latency", gaussianConfig())
        let alerts = d.run(minuteSeries(values))
        #expect(alerts.count == 1)
        let a = try! #require(alerts.first)
        #expect(a.start == 1_793_577_600 + 300 * 60)
        #expect(a.detector == .rollingBaseline)
        #expect(a.direction == .up)
        #expect(a.observed == 180)
        #expect(abs(a.expected - 100) < 3)
        #expect(a.expectedLow < 100 && a.expectedHigh > 100 && a.expectedHigh < 180)
        #expect(a.robustZ > 10)
        #expect(a.points == 4)
        #expect(a.end != nil && a.end! > a.start)
        #expect(a.reason.contains("latency 180 is above the normal range"))
    }

    @Test func directionUpIgnoresDrops() {
        var rng = SeededRandom(9)
        var values = (0..<400).map { _ in 100 + 5 * rng.gaussian() }
        for i in 200..<210 { values[i] = 10 }
        var c = gaussianConfig()
        c.direction = .up
        var up = OnlineAnomalyDetector(series: "x", c)
        #expect(up.run(minuteSeries(values)).isEmpty)
        c.direction = .down
        var down = OnlineAnomalyDetector(series: "x", c)
        let alerts = down.run(minuteSeries(values))
        #expect(alerts.count == 1)
        #expect(alerts.first?.direction == .down)
    }

    @Test func levelShiftBelowTheSpikeThresholdIsFoundByCUSUM() {
        var rng = SeededRandom(11)
        // +2.5σ from point 500 on: no single point is beyond 4σ often, but the level moved.
        let values = (0..<800).map { i in 100 + 5 * rng.gaussian() + (i >= 500 ? 12.5 : 0) }
        var c = gaussianConfig()
        c.baseline.threshold = 7   // spikes alone would need 7σ
        var d = OnlineAnomalyDetector(series: "rtt", c)
        let alerts = d.run(minuteSeries(values))
        #expect(alerts.count == 1)   // one shift, one alert: held open until the baseline learnt the new level
        let a = try! #require(alerts.first)
        #expect(a.detector == .levelShift)
        #expect(a.start >= 1_793_577_600 + 500 * 60 && a.start < 1_793_577_600 + 530 * 60)
        #expect(a.reason.contains("shifted up"))
        // Without CUSUM the same shift goes unnoticed.
        c.detectLevelShifts = false
        var plain = OnlineAnomalyDetector(series: "rtt", c)
        #expect(plain.run(minuteSeries(values)).isEmpty)
    }

    @Test func singleSpikeDoesNotTriggerCUSUM() {
        var cusum = LevelShiftDetector()
        var fired = 0
        for z in [0.1, -0.3, 50, 0.2, -0.1, 0.0, 0.3] where cusum.step(z) != nil { fired += 1 }
        #expect(fired == 0)
        var sustained = LevelShiftDetector()
        var at: Int? = nil
        for i in 0..<10 where sustained.step(4.0) != nil && at == nil { at = i }
        #expect(at == 3)   // 4 × (4 − 0.75) = 13 > 10, while 3 × 3.25 = 9.75 is not
    }

    @Test func seasonalSlotsLearnTheDailyCycle() {
        // Busy days (≈100/min), quiet nights (≈10/min). A daytime level at 03:00 is unusual only
        // to a baseline that knows the hour; the rolling window would call it normal after dusk.
        var rng = SeededRandom(21)
        let days = 4
        var values: [Double] = []
        for m in 0..<(days * 1440) {
            let hour = (m % 1440) / 60
            values.append((hour >= 8 && hour < 20 ? 100 : 10) + rng.gaussian() * 2)
        }
        let night = 3 * 1440 + 3 * 60   // 03:00 on the fourth day
        for i in night..<(night + 3) { values[i] = 60 }
        var c = OnlineAnomalyDetector.Configuration()
        c.baseline.window = 60
        c.baseline.minSlotHistory = 120
        c.baseline.minSeasons = 2
        c.baseline.scaleFloor = 1
        c.direction = .up
        c.detectLevelShifts = false
        c.debounce = .init(openAfter: 1, resolveAfter: 5, minSpacing: 600)
        var d = OnlineAnomalyDetector(series: "connections", c)
        let alerts = d.run(minuteSeries(values))
        // Only the injected night burst: the daily ramps up at 08:00 are expected once the slots know them.
        let late = alerts.filter { $0.start >= 1_793_577_600 + Double(2 * 1440 * 60) }
        #expect(late.count == 1)
        #expect(late.first?.detector == .seasonalBaseline)
        #expect(late.first?.start == 1_793_577_600 + Double(night * 60))
        #expect(late.first?.reason.contains("at this time of the season") == true)
    }
}

@Suite struct SeriesAnomaliesTests {
    @Test func probeSuccessDropIsAlertedWithItsEvidence() {
        var rng = SeededRandom(31)
        // A probe every minute; success ratio per minute ≈ 0.98, then the server stops answering.
        var values = (0..<300).map { _ in min(1, 0.98 + 0.01 * rng.gaussian()) }
        for i in 200..<215 { values[i] = 0.1 }
        let alerts = SeriesAnomalies.detect(series: "probe success mx1:25", kind: .successRate, points: minuteSeries(values)) { t in
            ["probe \(Int(t)): connect timed out after 5 s"]
        }
        #expect(alerts.count == 1)
        let a = alerts[0]
        #expect(a.direction == "down")
        #expect(a.start == "2026-11-02T03:21:00Z")   // the second failing minute (openAfter 2)
        #expect(a.evidence == ["probe 1793589660: connect timed out after 5 s"])
        #expect(a.reason.contains("below the normal range"))
        // Latency of a healthy server: no alert.
        let latency = (0..<300).map { _ in 0.040 + 0.004 * rng.gaussian() }
        #expect(SeriesAnomalies.detect(series: "latency", kind: .latency, points: minuteSeries(latency)).isEmpty)
    }
}
