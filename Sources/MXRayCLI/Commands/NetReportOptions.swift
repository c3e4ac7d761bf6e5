import ArgumentParser
import Diagnosis

/// The DNS-answer options `mxray dnsbl` and `mxray split` share: how long to wait for one server,
/// the output format, and the severity that makes the exit code 1.
struct NetReportOptions: ParsableArguments {
    @Option(help: "Seconds to wait for one server on one try.")
    var timeout: Double = 2

    @Option(help: "Output format: text or json.")
    var format: String = "text"

    @Option(name: .customLong("fail-on"), help: "Exit 1 when a finding is at or above this severity (pass, info, notice, warning, error, critical).")
    var failOn: String = "error"

    func validate() throws {
        guard timeout > 0, timeout <= 60 else { throw ValidationError("--timeout must be between 0 and 60 seconds") }
        guard ["text", "json"].contains(format) else { throw ValidationError("--format must be text or json, not '\(format)'") }
        guard Severity(rawValue: failOn) != nil else { throw ValidationError("--fail-on must be one of \(Severity.allCases.map(\.rawValue).joined(separator: ", "))") }
    }

    var timeoutMilliseconds: Int64 { Int64(timeout * 1000) }
    var threshold: Severity { Severity(rawValue: failOn) ?? .error }
    var json: Bool { format == "json" }

    /// Exit 1 (design: findings at or above --fail-on) after the report was printed.
    func exitForFindings(_ findings: [Finding]) throws {
        if findings.contains(where: { $0.severity >= threshold }) { throw FindingsExit(1) }
    }
}
