import Foundation
import Ledger
import Reporting

/// `anomalies:` — alerts from the online detectors over every target's probe series (connect and
/// handshake time, success per run, round-trip time). The detectors always run (metrics,
/// dashboard); `alerts: false` keeps their episodes out of the alert path.
public struct AnomaliesConfig: Sendable, Equatable {
    public var alerts = true
    /// The `severity` label of anomaly alerts.
    public var severity = "warning"
    /// Receivers of anomaly alerts; empty means every receiver.
    public var receivers: [String] = []
    /// `detector:` — baseline (robust baseline + CUSUM), knn (KNN-CAD, alarms once it has learnt
    /// 600 runs of a series) or combined (both; see `CombinedDetector`).
    public var detector = LogAnomalies.DetectorChoice.baseline
    public init() {}
}

/// `forecast:` — the latency limit whose crossing time is forecast, and how far ahead.
public struct ForecastConfig: Sendable, Equatable {
    /// Connect/handshake time that counts as too slow (seconds).
    public var latencyLimitSeconds = 1.0
    /// How far ahead a crossing is looked for (seconds).
    public var horizonSeconds = 7.0 * 86_400
    /// Runs needed before a trend is fitted.
    public var minimumRuns = 6
    public init() {}
}

/// `ledger:` — the evidence ledger (docs/ledger.md) every fired alert is appended to. The key
/// follows `mxray ledger`'s rules: a file of mode 0600 (`key_file`), else $MXRAY_LEDGER_KEY_FILE,
/// else $MXRAY_LEDGER_KEY (the key text); never the configuration text itself. No key: unsigned.
public struct LedgerConfig: Sendable, Equatable {
    public var path: String
    public var keyFile: String?
    public init(path: String, keyFile: String? = nil) {
        self.path = path
        self.keyFile = keyFile
    }

    /// The signer key, from `key_file` or the environment; nil when none is given.
    public func signer(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> NoteSignerKey? {
        if let path = keyFile ?? environment["MXRAY_LEDGER_KEY_FILE"] { return try Self.loadSigner(path: path) }
        if let text = environment["MXRAY_LEDGER_KEY"] {
            do { return try NoteSignerKey(parsing: text) } catch { throw ServeConfigError("$MXRAY_LEDGER_KEY: \(error)") }
        }
        return nil
    }

    /// A key file readable by others is refused (as `mxray ledger` does).
    static func loadSigner(path: String) throws -> NoteSignerKey {
        var st = stat()
        guard stat(path, &st) == 0, let data = FileManager.default.contents(atPath: path) else {
            throw ServeConfigError("ledger.key_file: cannot read \(path)")
        }
        guard st.st_mode & 0o077 == 0 else {
            throw ServeConfigError("ledger.key_file: \(path) is readable by others (mode \(String(st.st_mode & 0o777, radix: 8))); chmod 600 it")
        }
        do { return try NoteSignerKey(parsing: String(decoding: data, as: UTF8.self)) } catch {
            throw ServeConfigError("ledger.key_file: \(path): \(error)")
        }
    }
}

extension ServeConfig {
    static func parseAnomalies(_ r: YAMLReader) throws -> AnomaliesConfig {
        try r.onlyKeys(["alerts", "severity", "receivers", "detector"])
        var a = AnomaliesConfig()
        a.alerts = try r.bool("alerts") ?? a.alerts
        a.severity = try r.string("severity") ?? a.severity
        guard ["info", "warning", "critical", "error"].contains(a.severity) else {
            throw ServeConfigError("anomalies.severity: '\(a.severity)' is not info, warning, error or critical")
        }
        a.receivers = try r.strings("receivers") ?? []
        if let d = try r.string("detector") {
            guard let choice = LogAnomalies.DetectorChoice(rawValue: d) else {
                throw ServeConfigError("anomalies.detector: '\(d)' is not baseline, knn or combined")
            }
            a.detector = choice
        }
        return a
    }

    static func parseForecast(_ r: YAMLReader) throws -> ForecastConfig {
        try r.onlyKeys(["latency_limit", "horizon", "minimum_runs"])
        var f = ForecastConfig()
        if let d = try r.duration("latency_limit") {
            let c = d.components
            f.latencyLimitSeconds = Double(c.seconds) + Double(c.attoseconds) / 1e18
            guard f.latencyLimitSeconds > 0 else { throw ServeConfigError("forecast.latency_limit: must be positive") }
        }
        if let d = try r.duration("horizon") {
            f.horizonSeconds = Double(d.components.seconds)
            guard f.horizonSeconds >= 60 else { throw ServeConfigError("forecast.horizon: at least 1m") }
        }
        f.minimumRuns = try r.int("minimum_runs", in: 3...10_000) ?? f.minimumRuns
        return f
    }

    static func parseLedger(_ r: YAMLReader, base: String) throws -> LedgerConfig {
        try r.onlyKeys(["path", "key_file"])
        guard let path = try r.string("path") else { throw ServeConfigError("ledger.path: required (the ledger file)") }
        let l = LedgerConfig(path: resolve(path, base: base), keyFile: try r.string("key_file").map { resolve($0, base: base) })
        // Refuse a bad key now, not at the first alert.
        if let k = l.keyFile { _ = try LedgerConfig.loadSigner(path: k) }
        return l
    }
}
