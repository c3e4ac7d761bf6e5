import Diagnosis
import Foundation

/// The Nagios plugin line: `MXRAY CRITICAL - example.org: …| perfdata`, with the plugin exit
/// code (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; Nagios Plugin Development Guidelines §2.3).
public struct ReportNagiosRenderer: Sendable {
    public init() {}

    public enum Status: Int32, Sendable {
        case ok = 0, warning = 1, critical = 2, unknown = 3
        var label: String {
            switch self {
            case .ok: return "OK"
            case .warning: return "WARNING"
            case .critical: return "CRITICAL"
            case .unknown: return "UNKNOWN"
            }
        }
    }

    /// CRITICAL at `critical` severity and above (default error), WARNING at warning and above.
    public func status(_ r: Report, critical: Severity = .error) -> Status {
        if r.verdict == .unknown { return .unknown }
        let worst = r.worstSeverity
        if worst >= critical { return .critical }
        if worst >= .warning { return .warning }
        return .ok
    }

    public func render(_ r: Report, critical: Severity = .error) -> String {
        let s = status(r, critical: critical)
        let counts = r.counts.filter { $0.severity >= .warning && $0.count > 0 }.map { "\($0.count) \($0.severity.rawValue)" }
        var text = "MXRAY \(s.label) - \(clean(r.target.input)): "
        text += counts.isEmpty ? "no problems found" : counts.joined(separator: ", ")
        if let top = r.topRootCause { text += "; top cause: \(clean(top.title))" }
        let perf = Severity.allCases.reversed().map { sev in "\(sev.rawValue)=\(r.findings.filter { $0.severity == sev }.count);;;0" }
            + ["mx_hosts=\(r.mxHosts.count);;;0", "root_causes=\(r.faultTree.flatMap(\.rootCauses).count);;;0",
               String(format: "time=%.3fs;;;0", r.durationSeconds)]
        return text + " | " + perf.joined(separator: " ")
    }

    /// `|` separates perfdata and newlines end the first line: neither may appear in the text.
    func clean(_ s: String) -> String {
        String(s.map { $0 == "|" ? "/" : ($0.isNewline ? " " : $0) })
    }
}
