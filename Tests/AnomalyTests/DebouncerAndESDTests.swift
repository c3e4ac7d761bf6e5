import Foundation
import Testing
@testable import TimeSeries

@Suite struct DebouncerTests {
    @Test func flappingEpisodeIsOneAlertAndOneResolve() {
        var d = AlertDebouncer(.init(openAfter: 1, resolveAfter: 3, minSpacing: 100))
        let pattern = [false, true, false, true, true, false, true, false, false, false, false]
        let decisions = pattern.enumerated().map { d.step(time: Double($0.offset), anomalous: $0.element) }
        #expect(decisions.filter { $0 == .open }.count == 1)
        #expect(decisions[1] == .open)
        #expect(decisions.contains(.resolve(since: 1)))
        #expect(decisions.firstIndex(of: .resolve(since: 1)) == 9)   // three quiet points after the last anomalous one (6)
        #expect(decisions.last == .quiet)
    }

    @Test func minimumSpacingSuppressesANewEpisode() {
        var d = AlertDebouncer(.init(openAfter: 1, resolveAfter: 1, minSpacing: 10))
        #expect(d.step(time: 0, anomalous: true) == .open)
        #expect(d.step(time: 1, anomalous: false) == .resolve(since: 0))
        #expect(d.step(time: 5, anomalous: true) == .suppressed)
        #expect(d.step(time: 6, anomalous: false) == .quiet)
        #expect(d.suppressedEpisodes == 1)
        #expect(d.step(time: 20, anomalous: true) == .open)
    }

    @Test func openAfterNeedsConsecutivePoints() {
        var d = AlertDebouncer(.init(openAfter: 2, resolveAfter: 1, minSpacing: 0))
        #expect(d.step(time: 0, anomalous: true) == .pending)
        #expect(d.step(time: 1, anomalous: false) == .quiet)
        #expect(d.step(time: 2, anomalous: true) == .pending)
        #expect(d.step(time: 3, anomalous: true) == .open)
    }
}

@Suite struct SeasonalESDTests {
    func seasonal(_ seed: UInt64, n: Int = 1440, period: Int = 144) -> [Double] {
        var rng = SeededRandom(seed)
        return (0..<n).map { i in 50 + 20 * sin(2 * .pi * Double(i % period) / Double(period)) + rng.gaussian() }
    }

    @Test func findsInjectedOutliersInASeasonalSeries() {
        var x = seasonal(3)
        let injected = [200, 710, 1300]
        for i in injected { x[i] += 15 }   // +15σ, yet inside the seasonal swing of ±20
        var c = SeasonalESD.Configuration()
        c.period = 144
        let found = SeasonalESD(c).detect(x)
        #expect(found.map(\.index) == injected)
        #expect(found.allSatisfy { $0.statistic > $0.critical })
        #expect(abs(found[0].expected - (x[200] - 15)) < 4)
    }

    @Test(arguments: [4, 5, 6] as [UInt64])
    func quietSeasonalSeriesHasNoAnomalies(seed: UInt64) {
        var c = SeasonalESD.Configuration()
        c.period = 144
        c.alpha = 0.01
        #expect(SeasonalESD(c).detect(seasonal(seed)).isEmpty)
    }

    @Test func withoutTheSeasonalStepTheSwingHidesTheOutliers() {
        var x = seasonal(3)
        for i in [200, 710, 1300] { x[i] += 15 }
        var c = SeasonalESD.Configuration()
        c.period = 1   // no seasonal decomposition
        #expect(SeasonalESD(c).detect(x).map(\.index) != [200, 710, 1300])
    }
}
