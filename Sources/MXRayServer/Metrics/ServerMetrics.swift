import Diagnosis
import Foundation
import MailCore
import NIOConcurrencyHelpers
import NIOCore
import Prometheus

/// The `/metrics` registry: every series in the `mxray_` namespace, updated from each
/// completed run (`update(target:report:)`) and by the scheduler. Per-target gauges whose
/// subject disappeared (a TLS version no longer offered, a target removed from the config)
/// are unregistered, so stale series do not linger.
public final class ServerMetrics: Sendable {
    /// The swift-prometheus registry of the server-wide series; `/metrics` emits it fresh on
    /// every scrape, and the web half may add its own series to it.
    public let registry: PrometheusCollectorRegistry
    /// The per-target series (most of the output with many targets): rendered only when a run
    /// changed them, and served from that rendering (plain and gzip) otherwise.
    let targetRegistry = PrometheusCollectorRegistry()
    let state = NIOLockedValueBox(State())
    let rendering = NIOLockedValueBox(Rendering())

    struct Rendering {
        var version = -1
        var at = ContinuousClock.now
        var busy = false
        var plain = ByteBuffer()
        var gzipped = ByteBuffer()
    }

    /// The per-target part is rendered again at most this often (runs complete many times a
    /// second with many targets; a scrape may see them up to this much late).
    let minRenderInterval: Duration

    struct State {
        /// Bumped whenever a per-target series changes.
        var version = 0
        /// Gauges set by the last update of each target, by series key.
        var gauges: [String: [String: Gauge]] = [:]
        var histograms: [String: [String: DurationHistogram]] = [:]
        /// Histograms over all targets, by series key.
        var sharedHistograms: [String: DurationHistogram] = [:]
        var counters: [String: [String: Counter]] = [:]
        /// Anomaly and forecast gauges per target (Intel/), replaced as a set after each run.
        var intel: [String: [String: Gauge]] = [:]
    }

    /// Connect and step durations: 1 ms … 60 s.
    static let durationBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
    ]

    let schedulerLag: DurationHistogram
    let missedIntervals: Counter
    let runningChecks: Gauge
    let historyWrite: DurationHistogram
    let historyWriteErrors: Counter
    let reloadSuccess: Gauge
    let reloadTimestamp: Gauge
    let configuredTargets: Gauge

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), minRenderInterval: Duration = .seconds(1)) {
        self.registry = registry
        self.minRenderInterval = minRenderInterval
        registry.makeGauge(name: "mxray_build_info", labels: [("version", MXRayVersion.string)],
                           help: "Always 1; the version label says which mxray runs.").set(1.0)
        schedulerLag = registry.makeDurationHistogram(name: "mxray_scheduler_lag_seconds", labels: [], buckets: Self.durationBuckets,
                                                      help: "How late each scheduled check started after its slot (jitter excluded).")
        missedIntervals = registry.makeCounter(name: "mxray_scheduler_missed_intervals_total", labels: [],
                                               help: "Scheduled slots skipped because the previous run of the target had not finished or started too late.")
        runningChecks = registry.makeGauge(name: "mxray_scheduler_running_checks", labels: [], help: "Checks running now.")
        historyWrite = registry.makeDurationHistogram(name: "mxray_history_write_duration_seconds", labels: [], buckets: Self.durationBuckets,
                                                      help: "Time to write one run and its changes to the history.")
        historyWriteErrors = registry.makeCounter(name: "mxray_history_write_errors_total", labels: [],
                                                  help: "Runs that could not be written to the history.")
        reloadSuccess = registry.makeGauge(name: "mxray_config_last_reload_successful", labels: [],
                                           help: "1 when the last configuration (re)load succeeded, 0 when it was refused.")
        reloadTimestamp = registry.makeGauge(name: "mxray_config_last_reload_success_timestamp_seconds", labels: [],
                                             help: "When the configuration was last loaded successfully.")
        configuredTargets = registry.makeGauge(name: "mxray_targets", labels: [], help: "Targets in the configuration.")
    }

    /// The whole exposition text (`text/plain; version=0.0.4`).
    public func exposition() -> [UInt8] {
        let parts = scrape(gzip: false)
        return parts.flatMap { Array($0.readableBytesView) }
    }

    /// The exposition as buffers to send in order: the per-target part from the cached rendering,
    /// then the server-wide part rendered now. With `gzip`, each buffer is one gzip member
    /// (RFC 1952 §2.2: a gzip file is a series of members), as Prometheus accepts.
    public func scrape(gzip compress: Bool) -> [ByteBuffer] {
        let version = state.withLockedValue { $0.version }
        let now = ContinuousClock.now
        // One scrape renders (outside the lock); the others meanwhile get the previous rendering.
        let (cached, render) = rendering.withLockedValue { r -> (ByteBuffer, Bool) in
            let stale = r.version != version && (r.version < 0 || now - r.at >= minRenderInterval)
            if stale && !r.busy {
                r.busy = true
                return (ByteBuffer(), true)
            }
            return (compress ? r.gzipped : r.plain, false)
        }
        var part = cached
        if render {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(targetRegistry.internalBufferCapacity())
            targetRegistry.emit(into: &bytes)
            let plain = ByteBuffer(bytes: bytes)
            let gzipped = ByteBuffer(bytes: gzip(bytes) ?? [])
            rendering.withLockedValue { r in
                r = Rendering(version: version, at: now, busy: false, plain: plain, gzipped: gzipped)
            }
            part = compress ? gzipped : plain
        }
        var fresh: [UInt8] = []
        registry.emit(into: &fresh)
        if compress { return [part, ByteBuffer(bytes: gzip(fresh) ?? [])] }
        return [part, ByteBuffer(bytes: fresh)]
    }

    func configLoaded(success: Bool, targets: Int, at: Date = Date()) {
        reloadSuccess.set(success ? 1.0 : 0.0)
        if success {
            reloadTimestamp.set(at.timeIntervalSince1970)
            configuredTargets.set(Double(targets))
        }
    }

    /// Drops every per-target series of targets no longer configured.
    func retain(targets: Set<String>) {
        state.withLockedValue { s in
            s.version += 1
            for name in Set(s.gauges.keys).subtracting(targets) {
                for g in (s.gauges.removeValue(forKey: name) ?? [:]).values { targetRegistry.unregisterGauge(g) }
            }
            for name in Set(s.histograms.keys).subtracting(targets) {
                for h in (s.histograms.removeValue(forKey: name) ?? [:]).values { targetRegistry.unregisterDurationHistogram(h) }
            }
            for name in Set(s.intel.keys).subtracting(targets) {
                for g in (s.intel.removeValue(forKey: name) ?? [:]).values { targetRegistry.unregisterGauge(g) }
            }
            for name in Set(s.counters.keys).subtracting(targets) {
                for c in (s.counters.removeValue(forKey: name) ?? [:]).values { targetRegistry.unregisterCounter(c) }
            }
        }
    }
}
