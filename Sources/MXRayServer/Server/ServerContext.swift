import DNSWire
import Diagnosis
import Foundation
import NIOConcurrencyHelpers

/// The running server as route handlers see it: the current configuration, the history, the
/// scheduler, the metrics registry, and notifications of completed runs and reloads. One per
/// server; Sendable, so handlers may keep it. See `CONTRACT.md` for what the web half relies on.
public final class ServerContext: Sendable {
    /// The history database.
    public let history: HistoryStore
    /// Runs the checks; `scheduler.runNow(name)` runs one now.
    public let scheduler: Scheduler
    /// The `/metrics` registry.
    public let metrics: ServerMetrics
    /// The file the configuration came from (nil when built from a value, in tests).
    public let configPath: String?
    /// Anomaly detectors and forecasts over the probe series (Intel/).
    public let intel: ProbeIntel

    struct Live {
        var config: ServeConfig
        var wiring: ServerWiring
        var runHandlers: [@Sendable (RunRecord) async -> Void] = []
        var configHandlers: [@Sendable (ServeConfig) async -> Void] = []
        var lastReloadError: String?
    }

    let live: NIOLockedValueBox<Live>

    /// The configuration in force (replaced atomically by a successful reload).
    public var config: ServeConfig { live.withLockedValue { $0.config } }

    /// The DNS resolver the checks use (the endpoint re-resolves `/probe` targets with it).
    public var resolver: any DNSResolver { live.withLockedValue { $0.wiring.resolver } }

    /// Why the last reload was refused; nil when it succeeded.
    public var lastReloadError: String? { live.withLockedValue { $0.lastReloadError } }

    /// Opens the history and sets up the scheduler for `config` (nothing runs until the
    /// scheduler service starts).
    public init(config: ServeConfig, configPath: String? = nil, metrics: ServerMetrics = ServerMetrics()) throws {
        let wiring = try ServerWiring(config: config)
        let history = try HistoryStore(path: config.history.path)
        self.history = history
        self.metrics = metrics
        self.configPath = configPath
        let intel = ProbeIntel(history: history, forecast: config.forecast, detector: config.anomalies.detector)
        self.intel = intel
        let live = NIOLockedValueBox(Live(config: config, wiring: wiring))
        self.live = live
        self.scheduler = Scheduler(targets: config.targets, maxConcurrent: config.maxConcurrentChecks, metrics: metrics) { target in
            try await ServerContext.check(target, live: live, history: history, metrics: metrics, intel: intel)
        }
        metrics.configLoaded(success: true, targets: config.targets.count)
    }

    /// Registers a handler called after every stored run (scheduled or `runNow`), with the run's
    /// report and changes. Handlers run in registration order; keep them short (the alert
    /// engine queues its deliveries).
    public func onRunCompleted(_ handler: @escaping @Sendable (RunRecord) async -> Void) {
        live.withLockedValue { $0.runHandlers.append(handler) }
    }

    /// Registers a handler called after each successful reload with the new configuration.
    public func onConfigReloaded(_ handler: @escaping @Sendable (ServeConfig) async -> Void) {
        live.withLockedValue { $0.configHandlers.append(handler) }
    }

    /// Re-reads the configuration file; on any error the old configuration stays and the
    /// error (one line) is returned and logged. Used by SIGHUP and `POST /-/reload`.
    @discardableResult
    public func reload() async -> Result<ServeConfig, ServeConfigError> {
        guard let configPath else { return .failure(ServeConfigError("no configuration file to reload")) }
        do {
            let new = try ServeConfig.load(path: configPath)
            try await apply(new)
            return .success(new)
        } catch {
            let e = (error as? ServeConfigError) ?? ServeConfigError("\(error)")
            live.withLockedValue { $0.lastReloadError = e.description }
            metrics.configLoaded(success: false, targets: 0)
            ServerLog.error("reload refused, keeping the previous configuration: \(e.description)")
            return .failure(e)
        }
    }

    /// Puts a validated configuration in force. The listen address and history path cannot
    /// change while running: a reload that changes them is refused.
    public func apply(_ new: ServeConfig) async throws {
        let old = config
        guard new.listen == old.listen else {
            throw ServeConfigError("listen changed from \(old.listen) to \(new.listen): restart mxray serve to change it")
        }
        guard new.history.path == old.history.path else {
            throw ServeConfigError("history.path changed: restart mxray serve to change it")
        }
        let wiring = try ServerWiring(config: new)
        let handlers = live.withLockedValue { l in
            l.config = new
            l.wiring = wiring
            l.lastReloadError = nil
            return l.configHandlers
        }
        scheduler.apply(targets: new.targets, maxConcurrent: new.maxConcurrentChecks)
        metrics.retain(targets: Set(new.targets.map(\.name)))
        intel.apply(forecast: new.forecast, targets: Set(new.targets.map(\.name)), detector: new.anomalies.detector)
        metrics.configLoaded(success: true, targets: new.targets.count)
        ServerLog.info("configuration loaded: \(new.targets.count) targets")
        for h in handlers { await h(new) }
    }

    /// One check: run the engine, store the run, update the metrics, tell the handlers. A run
    /// cancelled by shutdown is not stored (its report would be incomplete).
    static func check(_ target: TargetConfig, live: NIOLockedValueBox<Live>, history: HistoryStore,
                      metrics: ServerMetrics, intel: ProbeIntel) async throws -> RunRecord {
        let (engine, tls) = live.withLockedValue { ($0.wiring.engine(for: target), $0.wiring.probeOptions.tls) }
        async let roundtrip = ServerContext.roundtrip(target, settings: tls)
        let report = await engine.run(try target.checkTarget())
        let roundtripOutcome = await roundtrip
        try Task.checkCancellation()
        let clock = ContinuousClock()
        let t0 = clock.now
        var record: RunRecord
        do {
            record = try await history.record(target: target.name, report: report)
            if let roundtripOutcome {
                try await history.recordRoundtrip(runID: record.id, target: target.name, roundtripOutcome, at: report.finishedAt)
                record.roundtrip = roundtripOutcome
            }
        } catch {
            metrics.historyWriteErrors.increment()
            throw error
        }
        metrics.historyWrite.record(clock.now - t0)
        metrics.update(target: target.name, report: report, success: record.success)
        if let roundtripOutcome { metrics.updateRoundtrip(target: target.name, roundtripOutcome) }
        // The probe series feed the anomaly detectors; opened and resolved episodes travel with
        // the run to the handlers (the alert service turns them into alerts).
        let (events, view) = intel.observe(record)
        record.anomalies = events
        metrics.updateIntel(target: target.name, view: view, opened: events.filter { $0.status == .opened }.map(\.episode.key))
        for h in live.withLockedValue({ $0.runHandlers }) { await h(record) }
        return record
    }
}
