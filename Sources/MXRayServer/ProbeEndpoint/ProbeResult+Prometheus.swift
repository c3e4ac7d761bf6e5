import Foundation
import MailWire

extension ProbeResult {
    /// The answer to `/probe` in the Prometheus text exposition format (version 0.0.4), with the
    /// names blackbox_exporter uses where they mean the same (`probe_success`,
    /// `probe_duration_seconds`, `probe_dns_lookup_time_seconds`, `probe_ip_protocol`,
    /// `probe_ssl_earliest_cert_expiry`, `probe_tls_version_info`) and `probe_mail_*` for the rest.
    public func prometheusText() -> String {
        var w = PrometheusTextWriter()
        w.gauge("probe_success", "Whether the probe succeeded (1) or failed (0).", success ? 1 : 0)
        w.gauge("probe_duration_seconds", "How long the probe took, DNS lookup included.", totalSeconds)
        w.gauge("probe_dns_lookup_time_seconds", "How long resolving the target took (0 for an address).", dnsSeconds)
        w.gauge("probe_ip_protocol", "IP version of the probed address.", address.isIPv6 ? 6 : 4)
        w.header("probe_mail_step_duration_seconds", "Duration of each protocol step (connect, greeting, EHLO, STARTTLS, TLS handshake, ...).")
        w.sample("probe_mail_step_duration_seconds", ["step": "connect"], observation.connect.milliseconds / 1000)
        var seen: [String: Int] = [:]
        for s in observation.steps {
            // The same step twice (EHLO before and after TLS) gets a numbered label.
            let n = seen[s.name, default: 0] + 1
            seen[s.name] = n
            let label = n == 1 ? s.name : "\(s.name) #\(n)"
            w.sample("probe_mail_step_duration_seconds", ["step": label], s.milliseconds / 1000)
        }
        if let code = observation.smtp?.greeting?.code {
            w.gauge("probe_mail_greeting_code", "SMTP reply code of the greeting.", Double(code))
        }
        w.gauge("probe_mail_starttls_offered", "Whether STARTTLS/STLS was advertised before TLS.", starttlsOffered ? 1 : 0)
        if let tls = observation.tls, tls.error == nil, let version = tls.version {
            w.header("probe_tls_version_info", "TLS version negotiated.", type: "gauge")
            w.sample("probe_tls_version_info", ["version": version], 1)
            if let notAfter = tls.leafNotAfter {
                w.gauge("probe_ssl_earliest_cert_expiry", "Expiry of the leaf certificate, seconds since 1970.", notAfter)
            }
            w.gauge("probe_tls_chain_verified", "Whether the certificate chain verified.", tls.chainVerified == true ? 1 : 0)
        }
        w.header("probe_mail_failure_info", "Why the probe failed (absent on success).", type: "gauge")
        if let failure { w.sample("probe_mail_failure_info", ["reason": failure], 1) }
        return w.text
    }

    var starttlsOffered: Bool {
        observation.smtp?.capabilitiesBefore?.startTLS == true
            || observation.imap?.capabilitiesBefore?.startTLS == true
            || observation.pop3?.capabilitiesBefore?.stls == true
    }
}

/// A small writer for the text exposition format: `# HELP`, `# TYPE`, samples with escaped labels.
struct PrometheusTextWriter {
    private(set) var text = ""

    mutating func header(_ name: String, _ help: String, type: String = "gauge") {
        text += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) \(type)\n"
    }

    mutating func gauge(_ name: String, _ help: String, _ value: Double) {
        header(name, help)
        sample(name, [:], value)
    }

    mutating func sample(_ name: String, _ labels: [String: String], _ value: Double) {
        var line = name
        if !labels.isEmpty {
            line += "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(Self.escapeLabel($0.value))\"" }.joined(separator: ",") + "}"
        }
        text += line + " " + Self.format(value) + "\n"
    }

    static func format(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        return String(format: "%.6g", v)
    }

    /// Exposition format: label values escape `\`, `"` and newline.
    static func escapeLabel(_ s: String) -> String {
        var out = ""
        for c in s.prefix(300) {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n", "\r": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    static func escapeHelp(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }
}
