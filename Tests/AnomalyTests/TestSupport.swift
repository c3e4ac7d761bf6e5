import Foundation
import TimeSeries

/// SplitMix64: a seeded generator so every synthetic series is the same on every run.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
    mutating func gaussian() -> Double {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &self), v = Double.random(in: 0..<1, using: &self)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
    mutating func poisson(_ lambda: Double) -> Double {
        let l = exp(-lambda)
        var k = 0.0, p = 1.0
        repeat { p *= Double.random(in: 0..<1, using: &self); k += 1 } while p > l
        return k - 1
    }
}

/// One point a minute from 2026-11-02T00:00:00Z.
func minuteSeries(_ values: [Double]) -> [SeriesPoint] {
    values.enumerated().map { SeriesPoint(time: 1_793_577_600 + Double($0.offset) * 60, value: $0.element) }
}
