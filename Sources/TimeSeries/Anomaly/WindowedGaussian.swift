#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// NAB's `windowedGaussian` reference detector (numenta/NAB, nab/detectors/gaussian), rewritten from
/// its description: the mean and (population) standard deviation of a window of past values, which
/// grows to `window` points and then slides forward `stride` points at a time; a value scores
/// 1 − Q(|z|), Q being the Gaussian tail probability ½·erfc(z/√2). No debouncing and no
/// explanation: it exists so the benchmark can score a published baseline with our own scorer.
public struct WindowedGaussian: Sendable {
    public let window: Int
    public let stride: Int
    private var values: [Double] = []
    private var pending: [Double] = []
    public private(set) var mean = 0.0
    public private(set) var std = 1.0

    public init(window: Int = 6400, stride: Int = 100) {
        precondition(window > 0 && stride > 0, "WindowedGaussian needs a positive window and stride")
        self.window = window
        self.stride = stride
    }

    /// The score of `x` against the values before it (0 for the very first), then `x` is learnt.
    public mutating func score(_ x: Double) -> Double {
        let s = values.isEmpty ? 0 : 1 - 0.5 * erfc(abs(x - mean) / std / 2.0.squareRoot())
        if values.count < window {
            values.append(x)
            refresh()
        } else {
            pending.append(x)
            if pending.count == stride {
                values.removeFirst(stride)
                values.append(contentsOf: pending)
                pending.removeAll(keepingCapacity: true)
                refresh()
            }
        }
        return s
    }

    private mutating func refresh() {
        let n = Double(values.count)
        mean = values.reduce(0, +) / n
        std = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n).squareRoot()
        if std == 0 { std = 1e-6 }
    }
}
