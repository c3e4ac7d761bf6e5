import Foundation
import MailLogs
import Reporting
import Testing
import TimeSeries

/// `CombinedDetector` (robust baseline + KNN-CAD) on per-minute mail counts, with the mail-series
/// settings `mxray logs --anomalies --detector combined` uses (KNN-CAD trained on 300 minutes here
/// instead of two days, so the test stays short).
@Suite struct CombinedDetectorTests {
    static func configuration(_ choice: LogAnomalies.DetectorChoice) -> CombinedDetector.Configuration {
        var o = LogAnomalies.Options()
        o.detector = choice
        o.knnTrainingMinutes = 300
        return LogAnomalies.combinedConfiguration(for: .connections, o)
    }

    /// Poisson counts around 20 a minute with a slow wave, seeded.
    static func quiet(_ n: Int, seed: UInt64) -> [Double] {
        var rng = SeededRandom(seed &+ 0x9E37_79B9)
        return (0..<n).map { i in rng.poisson(20 + 4 * sin(Double(i) / 90)) }
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func quietSeriesRaisesNoAlert(seed: UInt64) {
        for choice in [LogAnomalies.DetectorChoice.combined, .baseline] {
            var d = CombinedDetector(series: "connections", Self.configuration(choice))
            let alerts = d.run(minuteSeries(Self.quiet(1_500, seed: seed)))
            #expect(alerts.isEmpty, "\(choice) seed \(seed): \(alerts.map { "\($0.detector) \($0.start): \($0.reason)" })")
        }
    }

    @Test func spikeAfterLearningIsOneExplainedAlert() throws {
        var values = Self.quiet(900, seed: 7)
        for i in 700..<706 { values[i] += 80 }
        var d = CombinedDetector(series: "connections", Self.configuration(.combined))
        let alerts = d.run(minuteSeries(values))
        #expect(alerts.count == 1, "\(alerts.map { "\($0.detector) \($0.start): \($0.reason)" })")
        let a = try #require(alerts.first)
        let t0 = minuteSeries([0])[0].time
        #expect(a.start >= t0 + 700 * 60 && a.start <= t0 + 701 * 60, "opened at minute \((a.start - t0) / 60)")
        #expect(a.end != nil && a.direction == .up)
        // Explained: the observed value beyond the expected range, how unusual, and why.
        #expect(a.observed > a.expectedHigh && a.expected < 30 && a.robustZ > 3)
        #expect(a.reason.contains("connections") && a.reason.contains(formatValue(a.observed)))
        if a.detector == .contextKNN {
            #expect(a.reason.contains("breaks its pattern") && a.reason.contains("the baseline agrees"))
        }
        // KNN-CAD sees the spike first (one minute), the baseline needs two unusual minutes.
        var knnOnly = CombinedDetector(series: "connections", Self.configuration(.knn))
        let k = knnOnly.run(minuteSeries(values))
        #expect(k.contains { $0.detector == .contextKNN && $0.start == t0 + 700 * 60 }, "\(k.map { "\(($0.start - t0) / 60)" })")
    }

    @Test func knnWaitsForItsTrainingWhileTheBaselineAlertsFromTheStart() {
        var values = Self.quiet(400, seed: 9)
        for i in 200..<206 { values[i] += 80 }
        var knn = CombinedDetector(series: "connections", Self.configuration(.knn))
        #expect(knn.run(minuteSeries(values)).isEmpty)
        var combined = CombinedDetector(series: "connections", Self.configuration(.combined))
        let a = combined.run(minuteSeries(values))
        #expect(a.count == 1 && a.first?.detector != .contextKNN, "\(a.map(\.reason))")
    }
}
