import Diagnosis
import Foundation
import MailWire
import Reporting

/// One probe series of a target: per address and port the connect time, the handshake time
/// (greeting through STARTTLS/TLS, the sum of the session's steps) and success (0/1) per run;
/// per target the round-trip time and its success. The Prometheus labels of the anomaly and
/// forecast series.
public struct ProbeSeriesKey: Hashable, Sendable, Codable, Comparable {
    public var target: String
    /// Empty for the round-trip series.
    public var address: String
    public var port: String
    public var series: String

    public init(target: String, address: String, port: String, series: String) {
        self.target = target; self.address = address; self.port = port; self.series = series
    }

    public var labels: [(String, String)] { [("target", target), ("address", address), ("port", port), ("series", series)] }

    /// `127.0.20.1:25 connect_seconds`, or `roundtrip_seconds`.
    public var subject: String { address.isEmpty ? series : "\(address.contains(":") ? "[\(address)]" : address):\(port) \(series)" }

    public static func < (a: ProbeSeriesKey, b: ProbeSeriesKey) -> Bool {
        (a.target, a.address, a.port, a.series) < (b.target, b.address, b.port, b.series)
    }
}

/// One run's value of one probe series, with the probe result behind it (the evidence an
/// anomaly alert quotes).
struct ProbePoint: Sendable {
    var key: ProbeSeriesKey
    var kind: SeriesAnomalies.Kind
    var time: Double
    var value: Double
    var evidence: String
}

enum ProbeSeries {
    static let connect = "connect_seconds"
    static let handshake = "handshake_seconds"
    static let success = "success"
    static let roundtrip = "roundtrip_seconds"
    static let roundtripSuccess = "roundtrip_success"

    /// Series that are durations (forecast against the latency limit).
    static let latencySeries: Set<String> = [connect, handshake, roundtrip]

    /// The points of one stored run, at the run's finish time.
    static func points(target: String, runID: Int64, at: Date, report: Report?, roundtrip: RoundtripOutcome?) -> [ProbePoint] {
        points(target: target, runID: runID, at: at, ports: (report?.ports ?? []).map(ProbeFacts.Port.init), roundtrip: roundtrip)
    }

    static func points(target: String, runID: Int64, at: Date, ports: [ProbeFacts.Port], roundtrip: RoundtripOutcome?) -> [ProbePoint] {
        let t = at.timeIntervalSince1970
        let run = "run #\(runID) \(LogAnomalies.iso(t))"
        var out: [ProbePoint] = []
        var seen = Set<ProbeSeriesKey>()
        func add(_ key: ProbeSeriesKey, _ kind: SeriesAnomalies.Kind, _ value: Double, _ evidence: String) {
            guard value.isFinite, seen.insert(key).inserted else { return }
            out.append(ProbePoint(key: key, kind: kind, time: t, value: value, evidence: evidence))
        }
        for p in ports {
            func key(_ s: String) -> ProbeSeriesKey { ProbeSeriesKey(target: target, address: p.address, port: String(p.port), series: s) }
            let steps = (p.steps ?? []).map { "\($0.name) \(ms($0.milliseconds)) \($0.result)" }.joined(separator: ", ")
            let evidence = "\(run): \(p.subject) connect \(p.connect.state.rawValue) in \(ms(p.connect.milliseconds))"
                + (steps.isEmpty ? "" : "; \(steps)") + (p.outcome.map { "; \($0.rawValue)" } ?? "") + (p.outcomeDetail.map { " (\($0))" } ?? "")
            let ok = p.connect.state == .open && (p.outcome == nil || p.outcome == .completed)
            add(key(success), .successRate, ok ? 1 : 0, evidence)
            if p.connect.state == .open { add(key(connect), .latency, p.connect.milliseconds / 1000, evidence) }
            if ok, let st = p.steps, !st.isEmpty { add(key(handshake), .latency, st.reduce(0) { $0 + $1.milliseconds } / 1000, evidence) }
        }
        if let rt = roundtrip {
            func key(_ s: String) -> ProbeSeriesKey { ProbeSeriesKey(target: target, address: "", port: "", series: s) }
            let evidence = "\(run): round trip \(rt.status)" + (rt.endToEndSeconds.map { " in \(String(format: "%.2f", $0)) s" } ?? "")
                + (rt.folder.map { " to \($0)" } ?? "") + (rt.failure.map { "; \($0)" } ?? "")
            add(key(roundtripSuccess), .successRate, rt.arrived ? 1 : 0, evidence)
            if rt.arrived, let s = rt.endToEndSeconds { add(key(Self.roundtrip), .latency, s, evidence) }
        }
        return out
    }

    static func ms(_ v: Double) -> String { v < 10 ? String(format: "%.2f ms", v) : String(format: "%.0f ms", v) }
}

/// The parts of a stored report the probe series and the certificate countdown need, decoded
/// from the history's JSON without the rest (transcripts, evidence, findings): rebuilding the
/// detectors of a target reads up to 150 reports (619 when the detector includes KNN-CAD).
struct ProbeFacts: Decodable {
    struct Port: Decodable {
        var address: String
        var host: String?
        var port: Int
        var connect: ConnectObservation
        var outcome: SessionOutcome?
        var outcomeDetail: String?
        var steps: [StepTiming]?
        var tls: TLS?
        struct TLS: Decodable { var leafNotAfter: Double? }

        init(_ p: PortObservation) {
            address = p.address; host = p.host; port = p.port; connect = p.connect; outcome = p.outcome
            outcomeDetail = p.outcomeDetail; steps = p.steps; tls = p.tls.map { TLS(leafNotAfter: $0.leafNotAfter) }
        }

        /// As `PortObservation.subject`: `host[address]:port` or `address:port`.
        var subject: String {
            let a = address.contains(":") ? "[\(address)]" : address
            if let host, host != address { return "\(host)[\(address)]:\(port)" }
            return "\(a):\(port)"
        }
    }
    struct Scan: Decodable {
        var host: String
        var port: Int
        var certificate: Certificate?
        struct Certificate: Decodable { var chain: [Leaf] }
        struct Leaf: Decodable { var notAfter: Double }
    }
    var ports: [Port]
    var tls: [Scan]

    /// Endpoint (`host:port`) → leaf notAfter, as `ForecastAnalysis.observation(of:)` reads a report.
    var certificates: [String: Double] {
        var out: [String: Double] = [:]
        for p in ports { if let na = p.tls?.leafNotAfter { out["\(p.host ?? p.address):\(p.port)"] = na } }
        for s in tls { if let na = s.certificate?.chain.first?.notAfter { out["\(s.host):\(s.port)"] = na } }
        return out
    }
}
