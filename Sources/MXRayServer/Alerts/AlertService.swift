import Diagnosis
import Foundation

/// Glue between finished runs and receivers: evaluates the rules (flap guard and resolve in
/// `AlertEvaluator`), stores each state change in the history as an `AlertEvent`, and sends it
/// to the rule's receivers (all receivers when the rule names none).
public actor AlertService {
    var evaluator: AlertEvaluator
    var receivers: [AlertReceiver]
    let store: HistoryStore
    let delivery: AlertDelivery
    /// Anomaly episodes as alerts (`anomalies:`), and the evidence ledger (`ledger:`), if any.
    var anomalies: AnomaliesConfig
    var ledger: EvidenceLedger?
    /// The report of the previous run per target (for "new finding" rules).
    var previousReports: [String: Report] = [:]
    /// Delivery failures, newest last (the UI shows them; bounded).
    public private(set) var deliveryErrors: [String] = []
    /// Deliveries run in order on one consumer, off the scheduler's path: a slow receiver
    /// (bounded by its timeout) never delays the next check.
    let outbox: AsyncStream<[AlertNotice]>.Continuation
    let outboxStream: AsyncStream<[AlertNotice]>
    var consumer: Task<Void, Never>?

    public init(config: AlertsConfig, store: HistoryStore, externalURL: String,
                anomalies: AnomaliesConfig = AnomaliesConfig(), ledger: LedgerConfig? = nil) {
        evaluator = AlertEvaluator(rules: config.rules)
        receivers = config.receivers
        self.anomalies = anomalies
        var problem: String?
        do { self.ledger = try ledger.map(EvidenceLedger.init) } catch { self.ledger = nil; problem = "ledger: \(error)" }
        self.store = store
        delivery = AlertDelivery(externalURL: externalURL)
        (outboxStream, outbox) = AsyncStream.makeStream(of: [AlertNotice].self, bufferingPolicy: .bufferingNewest(1000))
        if let problem { deliveryErrors.append(problem) }
    }

    /// New rules after a reload; state of rules that still exist is kept.
    public func reload(_ config: AlertsConfig, anomalies: AnomaliesConfig? = nil, ledger: LedgerConfig?? = nil) {
        evaluator.rules = config.rules
        receivers = config.receivers
        if let anomalies { self.anomalies = anomalies }
        if let ledger {
            do { self.ledger = try ledger.map(EvidenceLedger.init) } catch { self.ledger = nil; note("ledger: \(error)") }
        }
    }

    /// Called after every stored run (the run carries its report). Returns the notices sent.
    @discardableResult
    public func runCompleted(_ run: RunRecord) async -> [AlertNotice] {
        var previous = previousReports[run.target]
        if previous == nil {
            // First run since start: the previous stored run of this target, if any.
            let ids = (try? store.runs(target: run.target, limit: 2).map(\.id)) ?? []
            if let prevID = ids.first(where: { $0 != run.id }) { previous = try? store.run(id: prevID)?.report }
        }
        if let r = run.report { previousReports[run.target] = r }
        let ruleNotices = evaluator.evaluate(AlertEvaluator.RunFacts(run: run, previous: previous))
        // Anomaly episodes opened or resolved by this run (ProbeIntel): the same path as rule alerts.
        let episodes = anomalies.alerts ? (run.anomalies ?? []) : []
        let notices = ruleNotices + episodes.map { $0.notice(severity: anomalies.severity, receivers: anomalies.receivers) }
        if let ledger {
            do { try ledger.record(rules: ruleNotices, anomalies: episodes) } catch { note("cannot append to the ledger \(ledger.path): \(error)") }
        }
        for n in notices {
            let event = AlertEvent(rule: n.rule, target: n.target, state: n.status == .firing ? .firing : .resolved,
                                   severity: n.labels["severity"] ?? "warning", summary: n.annotations["summary"] ?? "",
                                   at: n.endsAt ?? n.startsAt)
            do { try await store.recordAlert(event) } catch { note("cannot store alert \(n.rule)/\(n.target): \(error)") }
        }
        if !notices.isEmpty {
            if consumer == nil {
                let stream = outboxStream
                consumer = Task { [weak self] in
                    for await batch in stream { await self?.send(batch) }
                }
            }
            outbox.yield(notices)
        }
        return notices
    }

    func send(_ notices: [AlertNotice]) async {
        guard !notices.isEmpty else { return }
        // One payload per receiver with the notices routed to it.
        var byReceiver: [String: [AlertNotice]] = [:]
        for n in notices {
            let names = n.receivers.isEmpty ? receivers.map(\.name) : n.receivers
            for name in names { byReceiver[name, default: []].append(n) }
        }
        await withTaskGroup(of: String?.self) { group in
            for (name, batch) in byReceiver {
                guard let r = receivers.first(where: { $0.name == name }) else {
                    note("alert receiver \(name) is not configured")
                    continue
                }
                let delivery = self.delivery
                group.addTask {
                    do { try await delivery.deliver(batch, to: r) } catch { return "\(error)" }
                    return nil
                }
            }
            for await failure in group { if let failure { note(failure) } }
        }
    }

    func note(_ s: String) {
        deliveryErrors.append(s)
        if deliveryErrors.count > 50 { deliveryErrors.removeFirst(deliveryErrors.count - 50) }
    }
}
