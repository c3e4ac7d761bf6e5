#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Student's t distribution: the CDF through the regularised incomplete beta function and the
/// quantile by bisection, enough for the ESD critical values (Rosner 1983).
public enum StudentT {
    /// P(T ≤ t) for ν degrees of freedom: 1 − ½·I_{ν/(ν+t²)}(ν/2, ½) for t ≥ 0 (Abramowitz & Stegun 26.7.1).
    public static func cdf(_ t: Double, degrees nu: Double) -> Double {
        let x = nu / (nu + t * t)
        let tail = 0.5 * incompleteBeta(x, a: nu / 2, b: 0.5)
        return t >= 0 ? 1 - tail : tail
    }

    /// The t with P(T ≤ t) = p, for 0 < p < 1.
    public static func quantile(_ p: Double, degrees nu: Double) -> Double {
        precondition(p > 0 && p < 1 && nu > 0, "StudentT.quantile needs 0 < p < 1 and ν > 0")
        if p < 0.5 { return -quantile(1 - p, degrees: nu) }
        var lo = 0.0, hi = 1.0
        while cdf(hi, degrees: nu) < p, hi < 1e12 { hi *= 2 }
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if cdf(mid, degrees: nu) < p { lo = mid } else { hi = mid }
            if hi - lo < 1e-10 * max(1, hi) { break }
        }
        return (lo + hi) / 2
    }

    /// Regularised incomplete beta I_x(a, b) by its continued fraction (modified Lentz's method;
    /// Numerical Recipes §6.4 describes the expansion), using the symmetry I_x(a,b) = 1 − I_{1−x}(b,a)
    /// where the fraction converges slowly.
    public static func incompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let lnFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(1 - x)
        if x < (a + 1) / (a + b + 2) {
            return exp(lnFront) * betaFraction(x, a, b) / a
        }
        return 1 - exp(lnFront) * betaFraction(1 - x, b, a) / b
    }

    static func betaFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...300 {
            let m = Double(m)
            // Even step: d_{2m} = m(b − m)x / ((a + 2m − 1)(a + 2m)).
            var num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + num * d; if abs(d) < tiny { d = tiny }
            c = 1 + num / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            // Odd step: d_{2m+1} = −(a + m)(a + b + m)x / ((a + 2m)(a + 2m + 1)).
            num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + num * d; if abs(d) < tiny { d = tiny }
            c = 1 + num / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-14 { break }
        }
        return h
    }
}
