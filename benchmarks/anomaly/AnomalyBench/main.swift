// AnomalyBench: runs mxray's detectors over NAB data files and writes NAB-style result files
// (timestamp,value,anomaly_score) that benchmarks/anomaly/nab_score.py scores with NAB's rules.
//
//   AnomalyBench <nab-dir> <out-dir>
//
// Every detector is causal (it sees only the past) and reports one score per debounced episode, at
// its first point; all other rows score 0. NAB's sweep then picks the threshold on that score.
import Foundation
import TimeSeries

struct DataFile { var rel: String; var stamps: [String]; var points: [SeriesPoint] }

func epoch(_ s: Substring) -> Double? {
    // "YYYY-MM-DD HH:MM:SS"
    let p = s.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == ":" }).compactMap { Int($0) }
    guard p.count >= 6 else { return nil }
    var y = p[0], m = p[1]
    if m <= 2 { y -= 1; m += 12 }
    let days = 365 * y + y / 4 - y / 100 + y / 400 + (153 * (m - 3) + 2) / 5 + p[2] - 719469
    return Double(days * 86400 + p[3] * 3600 + p[4] * 60 + p[5])
}

func load(_ dir: String) throws -> [DataFile] {
    var out: [DataFile] = []
    let fm = FileManager.default
    for sub in try fm.contentsOfDirectory(atPath: dir).sorted() {
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: dir + "/" + sub, isDirectory: &isDir), isDir.boolValue else { continue }
        for f in try fm.contentsOfDirectory(atPath: dir + "/" + sub).sorted() where f.hasSuffix(".csv") {
            let text = try String(contentsOfFile: dir + "/" + sub + "/" + f, encoding: .utf8)
            var file = DataFile(rel: sub + "/" + f, stamps: [], points: [])
            for line in text.split(separator: "\n").dropFirst() {
                let cols = line.split(separator: ",")
                guard cols.count >= 2, let t = epoch(cols[0]), let v = Double(cols[1].trimmingCharacters(in: .whitespaces)) else { continue }
                file.stamps.append(String(cols[0])); file.points.append(SeriesPoint(time: t, value: v))
            }
            out.append(file)
        }
    }
    return out
}

/// Anomaly score in [0, 1) from a robust z (monotone, so NAB's threshold sweep sees the same order).
func squash(_ z: Double) -> Double { let a = abs(z); return a / (a + 10) }

/// Scale floor from the probationary stretch only (NAB's first 15 %): 1 % of its spread, so flat
/// stretches do not make every wiggle infinitely unusual.
func floorScale(_ f: DataFile) -> Double {
    let n = max(10, Int(Double(f.points.count) * 0.15))
    let head = f.points.prefix(n).map(\.value).sorted()
    let spread = (head.last ?? 1) - (head.first ?? 0)
    return max(spread * 0.01, 1e-9)
}

/// Sensitivity runs: ANOMALY_THRESHOLD, ANOMALY_WINDOW_DAYS, ANOMALY_SPACING_HOURS override the defaults below.
func env(_ k: String, _ d: Double) -> Double { ProcessInfo.processInfo.environment[k].flatMap(Double.init) ?? d }

func onlineConfig(_ f: DataFile, cusum: Bool, seasonal: Bool) -> OnlineAnomalyDetector.Configuration {
    let step = f.points.count > 1 ? max(1, f.points[1].time - f.points[0].time) : 300
    let perDay = Int(86400 / step)
    var c = OnlineAnomalyDetector.Configuration()
    c.direction = .both
    c.detectLevelShifts = cusum
    c.baseline.window = max(48, Int(Double(perDay) * env("ANOMALY_WINDOW_DAYS", 1)))   // one day of points
    c.baseline.minHistory = max(24, perDay / 4)
    c.baseline.seasonPeriod = seasonal ? 86400 : nil
    c.baseline.slotWidth = 3600
    c.baseline.slotCapacity = max(24, 14 * Int(3600 / step))
    c.baseline.minSlotHistory = max(6, 3 * Int(3600 / step))
    c.baseline.minSeasons = 3
    c.baseline.threshold = env("ANOMALY_THRESHOLD", 5)
    c.baseline.scaleFloor = floorScale(f)
    c.debounce = AlertDebouncer.Configuration(openAfter: 1, resolveAfter: max(6, perDay / 24), minSpacing: env("ANOMALY_SPACING_HOURS", 6) * 3600)
    return c
}

func runOnline(_ f: DataFile, cusum: Bool, seasonal: Bool) -> [Double] {
    var d = OnlineAnomalyDetector(series: f.rel, onlineConfig(f, cusum: cusum, seasonal: seasonal))
    var scores = [Double](repeating: 0, count: f.points.count)
    for (i, p) in f.points.enumerated() {
        if case .opened(let a)? = d.step(p) {
            // A level-shift opening may have a small z; score it at least as the spike threshold.
            scores[i] = squash(a.detector == .levelShift ? max(abs(a.robustZ), d.configuration.baseline.threshold) : a.robustZ)
        }
    }
    return scores
}

/// S-H-ESD made causal: every `stride` points, test the trailing `window` points and keep only
/// anomalies among the newest `stride`; episodes debounced like the online detectors.
func runESD(_ f: DataFile) -> [Double] {
    let step = f.points.count > 1 ? max(1, f.points[1].time - f.points[0].time) : 300
    let perDay = Int(86400 / step)
    let window = 3 * perDay, stride = max(1, perDay / 24)
    var c = SeasonalESD.Configuration()
    c.period = perDay
    c.maxAnomalies = 0.02
    c.alpha = 0.05
    let esd = SeasonalESD(c)
    var raw = [Double](repeating: 0, count: f.points.count)
    var i = max(window, Int(Double(f.points.count) * 0.15))
    let values = f.points.map(\.value)
    while i < values.count {
        let end = min(i + stride, values.count)
        let lo = max(0, end - window)
        for a in esd.detect(Array(values[lo..<end])) where lo + a.index >= i { raw[lo + a.index] = a.statistic }
        i = end
    }
    var scores = [Double](repeating: 0, count: raw.count)
    var deb = AlertDebouncer(.init(openAfter: 1, resolveAfter: max(6, perDay / 24), minSpacing: 6 * 3600))
    for (k, p) in f.points.enumerated() where deb.step(time: p.time, anomalous: raw[k] > 0) == .open { scores[k] = squash(raw[k]) }
    return scores
}

/// NAB's windowedGaussian (reference): a score on every row, as NAB runs it.
func runWindowedGaussian(_ f: DataFile) -> [Double] {
    var g = WindowedGaussian()
    return f.points.map { g.score($0.value) }
}

/// KNN-CAD (ContextKNNDetector), debounced like the others: one score per episode at its first row.
/// Training set: two days of points (ANOMALY_KNN_TRAIN_DAYS), not NAB's 15 % of the file, so the
/// detector never needs to know how long the file is. The score is the alarm's conformal p-value
/// (ties at 1 are left tied: ranking them by how far they exceed the calibration set let the sweep
/// fit a threshold that did not carry over between halves of the files; see README).
func knnConfig(_ f: DataFile, rescore: Bool = true) -> ContextKNNDetector.Configuration {
    let step = f.points.count > 1 ? max(1, f.points[1].time - f.points[0].time) : 300
    var c = ContextKNNDetector.Configuration()
    c.dimension = Int(env("ANOMALY_KNN_DIM", 19))
    c.neighbours = Int(env("ANOMALY_KNN_K", 27))
    c.training = max(c.dimension + 10, Int(env("ANOMALY_KNN_TRAIN_DAYS", 2) * 86400 / step))
    c.alarmLevel = env("ANOMALY_KNN_ALARM", 0.9965)
    c.scaleFloor = floorScale(f)
    c.rescoreOnNewMetric = rescore
    // KNN-CAD stays quiet for a fifth of its training length after an alarm.
    c.debounce = AlertDebouncer.Configuration(openAfter: 1, resolveAfter: max(6, Int(3600 / step)), minSpacing: Double(c.training / 5) * step)
    return c
}

func runContextKNN(_ f: DataFile, rescore: Bool = true) -> [Double] {
    var d = ContextKNNDetector(series: f.rel, knnConfig(f, rescore: rescore))
    var scores = [Double](repeating: 0, count: f.points.count)
    for (i, p) in f.points.enumerated() {
        if case .opened? = d.step(p), let s = d.lastScore { scores[i] = s.pValue }
    }
    return scores
}

/// CombinedDetector: the seasonal baseline + CUSUM (as mxray runs it) and KNN-CAD as above; the
/// combined spacing is the baseline's (6 h). Score of an opening: the baseline's squashed z, or
/// KNN-CAD's p-value when KNN-CAD opened it (`agree`: the baseline's z ≥ ANOMALY_AGREE_Z, 3).
func runCombined(_ f: DataFile, _ policy: CombinedDetector.Policy) -> [Double] {
    var c = CombinedDetector.Configuration()
    c.baseline = onlineConfig(f, cusum: true, seasonal: true)
    c.knn = knnConfig(f)
    c.policy = policy
    c.agreeZ = env("ANOMALY_AGREE_Z", 3)
    c.minSpacing = c.baseline.debounce.minSpacing
    var d = CombinedDetector(series: f.rel, c)
    var scores = [Double](repeating: 0, count: f.points.count)
    for (i, p) in f.points.enumerated() {
        if case .opened(let a)? = d.step(p) {
            switch a.detector {
            case .contextKNN: scores[i] = d.knnScore?.pValue ?? 1
            case .levelShift: scores[i] = squash(max(abs(a.robustZ), c.baseline.baseline.threshold))
            default: scores[i] = squash(a.robustZ)
            }
        }
    }
    return scores
}

let args = CommandLine.arguments
guard args.count == 3 else { FileHandle.standardError.write(Data("usage: AnomalyBench <nab-dir> <out-dir>\n".utf8)); exit(2) }
let files = try load(args[1])
let detectors: [(String, (DataFile) -> [Double])] = [
    ("mxrayBaseline", { runOnline($0, cusum: false, seasonal: false) }),
    ("mxraySeasonalBaseline", { runOnline($0, cusum: false, seasonal: true) }),
    ("mxrayBaselineCUSUM", { runOnline($0, cusum: true, seasonal: true) }),
    ("mxraySHESD", runESD),
    ("mxrayContextKNN", { runContextKNN($0) }),
    // The same without re-scoring the calibration set on a new metric, as KNN-CAD is published.
    ("mxrayKNNCADasPublished", { runContextKNN($0, rescore: false) }),
    ("mxrayCombinedEither", { runCombined($0, .either) }),
    ("mxrayCombinedAgree", { runCombined($0, .agree) }),
    ("nabWindowedGaussian", runWindowedGaussian),
]
for (name, run) in detectors {
    let start = Date()
    for f in files {
        let scores = run(f)
        let path = args[2] + "/" + name + "/" + f.rel
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var out = "timestamp,value,anomaly_score\n"
        for (k, p) in f.points.enumerated() { out += "\(f.stamps[k]),\(p.value),\(scores[k])\n" }
        try out.write(toFile: path, atomically: true, encoding: .utf8)
    }
    print("\(name): \(files.count) files in \(String(format: "%.2f", Date().timeIntervalSince(start))) s")
}
