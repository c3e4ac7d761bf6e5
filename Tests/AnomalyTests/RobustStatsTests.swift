import Testing
@testable import TimeSeries

@Suite struct RobustStatsTests {
    @Test func medianAndMADOfKnownValues() {
        let (m, mad) = RobustStats.medianAndMAD([1, 2, 3, 4, 100])!
        #expect(m == 3)
        #expect(mad == 1)   // deviations 2 1 0 1 97 → median 1
        #expect(RobustStats.median([4, 1, 3, 2]) == 2.5)
        #expect(RobustStats.median([]) == nil)
    }

    @Test func rollingWindowMatchesSortedRecomputation() {
        var w = RollingWindow(capacity: 7)
        var recent: [Double] = []
        var x = 12345.0
        for _ in 0..<200 {
            x = (x * 1103515245 + 12345).truncatingRemainder(dividingBy: 2147483648)
            let v = (x / 2147483648 * 50).rounded()
            w.add(v)
            recent.append(v)
            if recent.count > 7 { recent.removeFirst() }
            let expect = RobustStats.medianAndMAD(recent)!
            #expect(w.medianAndMAD!.median == expect.median)
            #expect(w.medianAndMAD!.mad == expect.mad)
        }
        #expect(w.count == 7)
    }

    @Test func studentTQuantilesMatchTables() {
        // Textbook values: t_{0.975, 10} = 2.228, t_{0.995, 30} = 2.750, t_{0.95, 1} = 6.314.
        #expect(abs(StudentT.quantile(0.975, degrees: 10) - 2.2281) < 1e-3)
        #expect(abs(StudentT.quantile(0.995, degrees: 30) - 2.7500) < 1e-3)
        #expect(abs(StudentT.quantile(0.95, degrees: 1) - 6.3138) < 1e-3)
        #expect(abs(StudentT.cdf(0, degrees: 5) - 0.5) < 1e-12)
    }
}
