import Foundation
import GRDB
import Probes
import Prometheus

/// What the history keeps of one scheduled round trip (table `roundtrips`, one row per run).
/// Transcripts and headers are not stored (they may hold addresses; the password is redacted anyway).
public struct RoundtripOutcome: Sendable, Codable, Equatable {
    /// `arrived`, `notArrived`, `notAccepted`, `imapFailed` (`RoundtripResult.Status`).
    public var status: String
    public var token: String
    public var folder: String?
    public var folderIsJunk: Bool
    /// From the submission's connect to the moment IMAP found the message.
    public var endToEndSeconds: Double?
    public var submissionSeconds: Double?
    public var failure: String?

    public var arrived: Bool { status == RoundtripResult.Status.arrived.rawValue }

    public init(_ r: RoundtripResult) {
        status = r.status.rawValue
        token = r.token
        folder = r.folder
        folderIsJunk = r.folderIsJunk
        endToEndSeconds = r.endToEndMilliseconds.map { $0 / 1000 }
        submissionSeconds = r.submissionMilliseconds.map { $0 / 1000 }
        failure = r.imapFailure ?? r.send?.failure
    }

    /// A round trip that could not even be started (password variable gone since the load).
    init(failure: String) {
        status = RoundtripResult.Status.notAccepted.rawValue
        token = ""
        folderIsJunk = false
        self.failure = failure
    }
}

extension HistoryStore {
    /// Stores the round trip of a stored run.
    public func recordRoundtrip(runID: Int64, target: String, _ o: RoundtripOutcome, at: Date) async throws {
        let json = try Self.encoder.encode(o)
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO roundtrips (run_id, target, at, status, seconds, outcome) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [runID, target, at.timeIntervalSince1970, o.status, o.endToEndSeconds, json])
        }
    }

    /// The round trip stored with a run, if the target has one.
    public func roundtrip(runID: Int64) throws -> RoundtripOutcome? {
        try pool.read { db in
            try Data.fetchOne(db, sql: "SELECT outcome FROM roundtrips WHERE run_id = ?", arguments: [runID])
                .map { try Self.decoder.decode(RoundtripOutcome.self, from: $0) }
        }
    }
}

extension ServerMetrics {
    /// Round-trip seconds: 100 ms … 10 min.
    static let roundtripBuckets: [Duration] = [
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10),
        .seconds(20), .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(600),
    ]

    /// Updates the round-trip series of a target; call after `update(target:report:success:)`
    /// (which replaces the target's gauges).
    func updateRoundtrip(target: String, _ o: RoundtripOutcome) {
        let t = [("target", target)]
        state.withLockedValue { s in
            s.version += 1
            if o.arrived, let seconds = o.endToEndSeconds {
                let key = Self.key("mxray_roundtrip_seconds", t)
                let h = s.histograms[target]?[key] ?? targetRegistry.makeDurationHistogram(
                    name: "mxray_roundtrip_seconds", labels: t, buckets: Self.roundtripBuckets,
                    help: "End-to-end time of arrived round trips, from the submission's connect until IMAP found the message.")
                s.histograms[target, default: [:]][key] = h
                h.record(.milliseconds(Int64((seconds * 1000).rounded())))
            }
            let gauges: [(String, String, Double)] = [
                ("mxray_roundtrip_success", "1 when the last round trip arrived before its deadline, 0 when not.", o.arrived ? 1 : 0),
                ("mxray_roundtrip_last_folder_junk", "1 when the last arrived round-trip message landed in a junk folder.",
                 o.arrived && o.folderIsJunk ? 1 : 0),
            ]
            for (name, help, value) in gauges {
                let key = Self.key(name, t)
                let g = s.gauges[target]?[key] ?? targetRegistry.makeGauge(name: name, labels: t, help: help)
                s.gauges[target, default: [:]][key] = g
                g.set(value)
            }
        }
    }
}

extension ServerContext {
    /// The target's round trip, if it has one (run next to the check by `check`).
    static func roundtrip(_ target: TargetConfig, settings: ProbeTLSSettings?) async -> RoundtripOutcome? {
        guard let config = target.roundtrip else { return nil }
        let request: RoundtripRequest
        do { request = try config.request() } catch { return RoundtripOutcome(failure: "\(error)") }
        return RoundtripOutcome(await RoundtripProbe(tlsSettings: settings).run(request))
    }
}
