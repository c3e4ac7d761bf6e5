/// Median and median absolute deviation (MAD): location and scale that a few outliers cannot move.
///
/// 1.4826 × MAD estimates the standard deviation of normally distributed data, so
/// `(x − median) / (1.4826 × MAD)` is a "robust z" read like an ordinary z-score
/// (Rousseeuw & Croux 1993; Leys et al. 2013 recommend MAD over the mean ± 3σ rule).
public enum RobustStats {
    /// Consistency constant: 1.4826 × MAD ≈ σ for a normal distribution (1 / Φ⁻¹(3/4)).
    public static let madToSigma = 1.4826

    /// The median of `values` (the mean of the two middle values for an even count); nil when empty.
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        return medianOfSorted(values.sorted())
    }

    /// The median of values already in ascending order.
    public static func medianOfSorted(_ s: [Double]) -> Double {
        let n = s.count
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
    }

    /// The MAD of values already in ascending order around their median `m`.
    public static func madOfSorted(_ s: [Double], median m: Double) -> Double {
        guard !s.isEmpty else { return 0 }
        // The deviations of a sorted array are two sorted runs (left of m descending, right ascending): merge them.
        let lo = s.firstIndex(where: { $0 >= m }) ?? s.count
        var i = lo - 1, j = lo
        var merged: [Double] = []
        merged.reserveCapacity(s.count)
        while i >= 0 || j < s.count {
            let left = i >= 0 ? m - s[i] : .infinity
            let right = j < s.count ? s[j] - m : .infinity
            if left <= right { merged.append(left); i -= 1 } else { merged.append(right); j += 1 }
        }
        return medianOfSorted(merged)
    }

    /// Median and MAD of `values`; nil when empty.
    public static func medianAndMAD(_ values: [Double]) -> (median: Double, mad: Double)? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        let m = medianOfSorted(s)
        return (m, madOfSorted(s, median: m))
    }
}

/// The last `capacity` values of a series, kept both in arrival order and sorted, so the rolling
/// median costs O(log n) to find and O(n) to update (no re-sort per point).
public struct RollingWindow: Sendable {
    public let capacity: Int
    private var ring: [Double] = []
    private var head = 0
    public private(set) var sorted: [Double] = []

    public init(capacity: Int) {
        precondition(capacity > 0, "RollingWindow needs a positive capacity")
        self.capacity = capacity
        ring.reserveCapacity(capacity)
        sorted.reserveCapacity(capacity)
    }

    public var count: Int { sorted.count }

    public mutating func add(_ x: Double) {
        guard x.isFinite else { return }
        if ring.count < capacity {
            ring.append(x)
        } else {
            let old = ring[head]
            ring[head] = x
            head = (head + 1) % capacity
            sorted.remove(at: Self.lowerBound(sorted, old))
        }
        sorted.insert(x, at: Self.lowerBound(sorted, x))
    }

    public var median: Double? { sorted.isEmpty ? nil : RobustStats.medianOfSorted(sorted) }

    public var medianAndMAD: (median: Double, mad: Double)? {
        guard !sorted.isEmpty else { return nil }
        let m = RobustStats.medianOfSorted(sorted)
        return (m, RobustStats.madOfSorted(sorted, median: m))
    }

    static func lowerBound(_ a: [Double], _ x: Double) -> Int {
        var lo = 0, hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
