import Foundation
import Testing
@testable import TimeSeries

/// Deterministic pseudo-random normals (SplitMix64 + Box–Muller) so the synthetic series are fixed.
struct Noise {
    var state: UInt64
    mutating func uniform() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }
    mutating func normal() -> Double {
        let u = max(uniform(), 1e-300), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}

@Suite struct QuantileTests {
    @Test func tabulatedValues() {
        #expect(abs(Quantiles.normal(0.975) - 1.959964) < 1e-5)
        #expect(abs(Quantiles.normal(0.5)) < 1e-12)
        #expect(abs(Quantiles.normal(0.001) + 3.090232) < 1e-5)
        // Student t, two-sided 95 % (tables): ν = 1, 2, 3, 5, 10, 30.
        for (nu, want) in [(1, 12.7062), (2, 4.3027), (3, 3.1824), (5, 2.5706), (10, 2.2281), (30, 2.0423)] {
            let got = Quantiles.studentT(0.975, degreesOfFreedom: nu)
            #expect(abs(got - want) / want < 0.002, "t(0.975, \(nu)) = \(got), want \(want)")
        }
    }
}

@Suite struct LinearForecastTests {
    let hour = 3600.0

    @Test func exactLineCrossesWhereAlgebraSays() throws {
        // 10 + 2 per hour, sampled hourly for 10 hours: 50 is reached at hour 20.
        let pts = (0..<10).map { SeriesPoint(time: Double($0) * hour, value: 10 + 2 * Double($0)) }
        let f = try Forecaster.forecast(pts, threshold: 50, horizon: 100 * hour, method: .linear)
        #expect(abs(f.slopePerSecond * hour - 2) < 1e-9)
        #expect(abs(f.crossing! - 20 * hour) < 1)
        // No noise: the interval collapses onto the point forecast.
        #expect(abs(f.crossingEarliest! - 20 * hour) < 1 && abs(f.crossingLatest! - 20 * hour) < 1)
        #expect(!f.alreadyCrossed)
    }

    @Test func decreasingSeriesCrossesALowerThreshold() throws {
        // Free disk space falling 5 GB a day from 100 GB: 10 GB is left on day 18.
        let day = 86_400.0
        let pts = (0..<8).map { SeriesPoint(time: Double($0) * day, value: 100 - 5 * Double($0)) }
        let f = try Forecaster.forecast(pts, threshold: 10, direction: .below, horizon: 60 * day, method: .linear)
        #expect(abs(f.crossing! - 18 * day) < 60)
    }

    @Test func flatOrRecedingSeriesNeverCrosses() throws {
        let pts = (0..<20).map { SeriesPoint(time: Double($0) * hour, value: 40 - 0.5 * Double($0)) }
        let f = try Forecaster.forecast(pts, threshold: 100, horizon: 1000 * hour, method: .linear)
        #expect(f.crossing == nil)
    }

    @Test func noisyTrendGivesAnIntervalAroundTheTruth() throws {
        var noise = Noise(state: 42)
        // Latency creeping up 0.5 ms per minute from 20 ms, σ = 3 ms; threshold 100 ms at minute 160.
        let pts = (0..<120).map { SeriesPoint(time: Double($0) * 60, value: 20 + 0.5 * Double($0) + 3 * noise.normal()) }
        let f = try Forecaster.forecast(pts, threshold: 100, horizon: 600 * 60, method: .linear)
        #expect(abs(f.slopePerSecond * 60 - 0.5) < 0.05)
        let c = try #require(f.crossing), e = try #require(f.crossingEarliest), l = try #require(f.crossingLatest)
        #expect(e < c && c < l)
        #expect(e <= 160 * 60 && 160 * 60 <= l, "true crossing 160 min outside [\(e / 60), \(l / 60)] min")
        #expect(abs(f.residualSD - 3) < 0.6)
    }

    /// The 95 % prediction interval covers the next value about 95 % of the time.
    @Test func predictionIntervalCoverage() throws {
        var noise = Noise(state: 7)
        var covered = 0
        let runs = 400
        for _ in 0..<runs {
            let pts = (0..<30).map { SeriesPoint(time: Double($0), value: 5 + 0.3 * Double($0) + noise.normal()) }
            let fit = try LinearTrend.fit(pts)
            let truth = 5 + 0.3 * 35 + noise.normal()
            let p = fit.predict(at: 35)
            if abs(truth - p.mean) <= p.halfWidth { covered += 1 }
        }
        let rate = Double(covered) / Double(runs)
        #expect(rate > 0.91 && rate < 0.985, "coverage \(rate)")
    }

    @Test func rejectsDegenerateInput() {
        #expect(throws: ForecastError.tooFewPoints(need: 3, have: 2)) { _ = try LinearTrend.fit([.init(time: 0, value: 1), .init(time: 1, value: 2)]) }
        #expect(throws: ForecastError.noTimeSpread) { _ = try LinearTrend.fit((0..<5).map { SeriesPoint(time: 7, value: Double($0)) }) }
        #expect(throws: ForecastError.notFinite) { _ = try LinearTrend.fit([.init(time: 0, value: .nan), .init(time: 1, value: 2), .init(time: 2, value: 3)]) }
    }
}

@Suite struct HoltForecastTests {
    @Test func exactLineIsFollowedExactly() throws {
        let pts = (0..<30).map { SeriesPoint(time: Double($0) * 60, value: 100 + 4 * Double($0)) }
        let h = try HoltTrend.fit(pts)
        #expect(abs(h.trend - 4) < 1e-6 && abs(h.level - 216) < 1e-6)
        let f = h.forecast(threshold: 400, horizon: 3600 * 10)
        // 216 + 4/min: 400 after 46 more minutes.
        #expect(abs(f.crossing! - (29 + 46) * 60) < 1)
    }

    /// A deferred queue that grew 1 message a minute for 3 hours, then 6 a minute for the last
    /// hour: Holt follows the new rate, a line through all history lags far behind.
    @Test func followsAChangedTrendWhereTheLineLags() throws {
        var noise = Noise(state: 3)
        var pts: [SeriesPoint] = []
        for m in 0..<240 {
            let base = m < 180 ? Double(m) : 180 + 6 * Double(m - 180)
            pts.append(SeriesPoint(time: Double(m) * 60, value: 50 + base + 2 * noise.normal()))
        }
        // Now at 50 + 540 = 590 messages, rising 6/min: 1000 is crossed (1000-590)/6 ≈ 68 min later.
        let truth = 239 * 60.0 + (1000 - 590) / 6 * 60
        let holt = try Forecaster.forecast(pts, threshold: 1000, horizon: 86_400, method: .holt)
        let line = try Forecaster.forecast(pts, threshold: 1000, horizon: 86_400, method: .linear)
        let hc = try #require(holt.crossing), lc = try #require(line.crossing)
        #expect(abs(hc - truth) < 15 * 60, "Holt crossing off by \((hc - truth) / 60) min")
        #expect(abs(lc - truth) > 3 * abs(hc - truth))
        let early = try #require(holt.crossingEarliest)
        #expect(early <= truth && truth <= (holt.crossingLatest ?? .infinity))
        print("ForecastTests: queue 1000 reached at +\((truth - 239 * 60) / 60) min; Holt says +\((hc - 239 * 60) / 60) min "
              + "(earliest +\((early - 239 * 60) / 60)), the line +\((lc - 239 * 60) / 60) min")
        // The automatic choice (holdout error) picks Holt here.
        #expect(try Forecaster.forecast(pts, threshold: 1000, horizon: 86_400).method == .holt)
    }

    @Test func intervalWidensWithTheHorizon() throws {
        var noise = Noise(state: 11)
        let pts = (0..<60).map { SeriesPoint(time: Double($0), value: Double($0) + noise.normal()) }
        let h = try HoltTrend.fit(pts)
        let w1 = h.predict(at: 60).halfWidth, w10 = h.predict(at: 69).halfWidth, w50 = h.predict(at: 109).halfWidth
        #expect(w1 < w10 && w10 < w50)
        #expect(abs(w1 - Quantiles.normal(0.975) * h.residualSD) < 1e-9)
    }

    @Test func alreadyCrossedIsSaid() throws {
        let pts = (0..<10).map { SeriesPoint(time: Double($0), value: 90 + Double($0)) }
        let f = try Forecaster.forecast(pts, threshold: 95, horizon: 100)
        #expect(f.alreadyCrossed && f.crossing == 9)
        // The same numbers against a lower limit (free space must stay above 95) are not crossed.
        let g = try Forecaster.forecast(pts, threshold: 95, direction: .below, horizon: 100)
        #expect(!g.alreadyCrossed && g.crossing == nil)
    }
}

@Suite struct CertificateExpiryTests {
    let day = 86_400.0

    @Test func countdownAndWarning() {
        let f = CertificateExpiryForecast.evaluate(notAfter: 100 * day, now: 90 * day)
        #expect(f.daysLeft == 10 && f.warnAt == 86 * day)
        #expect(f.renewalDue == nil && !f.renewalOverdue)
    }

    /// A 90-day certificate renewed with 30 days left, twice: the next renewal is due 30 days
    /// before expiry; 5 days past that without a new certificate is overdue.
    @Test func learnsTheRenewalScheduleAndFlagsAnOverdueRenewal() {
        var history: [CertificateExpiryForecast.Observation] = []
        for d in stride(from: 0.0, through: 150, by: 1) {
            let notAfter = d < 60 ? 90.0 : d < 120 ? 150 : 210
            history.append(.init(time: d * day, notAfter: notAfter * day))
        }
        let onTime = CertificateExpiryForecast.evaluate(notAfter: 210 * day, now: 175 * day, history: history)
        #expect(onTime.renewalsSeen == 2)
        #expect(abs(onTime.typicalSecondsLeftAtRenewal! - 30.5 * day) < 1)
        #expect(abs(onTime.renewalDue! - 179.5 * day) < 1 && !onTime.renewalOverdue)
        let late = CertificateExpiryForecast.evaluate(notAfter: 210 * day, now: 185 * day, history: history)
        #expect(late.renewalOverdue)
    }
}
