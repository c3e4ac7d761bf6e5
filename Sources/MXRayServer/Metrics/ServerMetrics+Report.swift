import Diagnosis
import Foundation
import MailWire
import Prometheus
import TLSWire

extension ServerMetrics {
    /// Help text per metric name (one text per name: the registry requires it to be the same each time).
    static let help: [String: String] = [
        "mxray_check_success": "1 when the last check of the target (stage=overall) or of one stage succeeded, 0 when not.",
        "mxray_check_duration_seconds": "Duration of the last check of the target.",
        "mxray_check_last_run_timestamp_seconds": "When the last check of the target finished.",
        "mxray_checks_total": "Checks run, by result (success or failure).",
        "mxray_smtp_connect_duration_seconds": "TCP connect time to SMTP ports (25, 465, 587).",
        "mxray_imap_connect_duration_seconds": "TCP connect time to IMAP ports (143, 993).",
        "mxray_pop3_connect_duration_seconds": "TCP connect time to POP3 ports (110, 995).",
        "mxray_smtp_step_duration_seconds": "Duration of each SMTP step (banner, EHLO, STARTTLS, …).",
        "mxray_imap_step_duration_seconds": "Duration of each IMAP step (greeting, CAPABILITY, STARTTLS, …).",
        "mxray_pop3_step_duration_seconds": "Duration of each POP3 step (greeting, CAPA, STLS, …).",
        "mxray_port_up": "1 when the port accepted a TCP connection in the last check.",
        "mxray_tls_version_info": "1 for each TLS version the server accepted in the last scan.",
        "mxray_certificate_expiry_timestamp_seconds": "notAfter of the leaf certificate per host and port, whether or not it verified.",
        "mxray_certificate_earliest_expiry_timestamp_seconds": "The earliest notAfter among all leaf certificates of the target, verified or not.",
        "mxray_dane_valid": "1 when a TLSA record matched the certificate (RFC 7672), 0 when TLSA records exist and none matched.",
        "mxray_mta_sts_valid": "1 when the MTA-STS record and policy are valid (RFC 8461), 0 when a record exists but something is broken.",
        "mxray_findings": "Findings of the last check by severity.",
        "mxray_dns_answer_duration_seconds": "Round-trip time of each DNS answer during checks.",
    ]

    /// Updates every per-target series from one completed run. Connect, step and DNS
    /// histograms are labelled by port or step, not by target (see `sharedHistograms`).
    func update(target: String, report: Report, success: Bool) {
        var gauges: [(name: String, labels: [(String, String)], value: Double)] = []
        var observations: [(name: String, labels: [(String, String)], value: Duration)] = []
        let t = ("target", target)

        gauges.append(("mxray_check_success", [t, ("stage", "overall")], success ? 1 : 0))
        for stage in report.stages where stage.status != .skipped {
            gauges.append(("mxray_check_success", [t, ("stage", stage.name)], stage.status == .completed ? 1 : 0))
        }
        gauges.append(("mxray_check_duration_seconds", [t], report.durationSeconds))
        gauges.append(("mxray_check_last_run_timestamp_seconds", [t], report.finishedAt.timeIntervalSince1970))
        for (severity, count) in report.counts {
            gauges.append(("mxray_findings", [t, ("severity", severity.rawValue)], Double(count)))
        }

        var earliest: Double?
        func expiry(_ host: String, _ port: Int, _ notAfter: Double, verified: Bool) {
            let key = [t, ("host", host), ("port", String(port)), ("verified", verified ? "true" : "false")]
            if !gauges.contains(where: { $0.name == "mxray_certificate_expiry_timestamp_seconds" && $0.labels.elementsEqual(key, by: ==) }) {
                gauges.append(("mxray_certificate_expiry_timestamp_seconds", key, notAfter))
            }
            earliest = min(earliest ?? notAfter, notAfter)
        }
        for p in report.ports {
            let host = p.host ?? p.address
            gauges.append(("mxray_port_up", [t, ("address", p.address), ("port", String(p.port))], p.connect.state == .open ? 1 : 0))
            let proto = Self.protocolName(p.service)
            if let proto {
                if p.connect.state == .open {
                    observations.append(("mxray_\(proto)_connect_duration_seconds", [("port", String(p.port))], .seconds(p.connect.milliseconds / 1000)))
                }
                for step in p.steps {
                    observations.append(("mxray_\(proto)_step_duration_seconds", [("step", step.name)], .seconds(step.milliseconds / 1000)))
                }
            }
            if let tls = p.tls, let notAfter = tls.leafNotAfter {
                expiry(host, p.port, notAfter, verified: tls.chainVerified == true && tls.nameMatches != false)
            }
        }
        for scan in report.tls {
            for v in scan.acceptedVersions {
                gauges.append(("mxray_tls_version_info", [t, ("host", scan.host), ("port", String(scan.port)), ("version", v.description)], 1))
            }
            if let cert = scan.certificate, let leaf = cert.chain.first {
                expiry(scan.host, scan.port, leaf.notAfter, verified: cert.trusted && cert.nameMatches)
            }
            if let dane = scan.dane, !dane.records.isEmpty {
                gauges.append(("mxray_dane_valid", [t, ("host", scan.host), ("port", String(scan.port))], dane.anyMatch ? 1 : 0))
            }
        }
        if let earliest { gauges.append(("mxray_certificate_earliest_expiry_timestamp_seconds", [t], earliest)) }
        if let sts = report.auth?.mtaSTS, sts.status != "none", sts.status != "temperror" {
            gauges.append(("mxray_mta_sts_valid", [t, ("mode", sts.mode ?? "")], sts.status == "valid" ? 1 : 0))
        }
        for trace in report.locate?.traces ?? [] {
            if let rtt = trace.rttMicroseconds {
                observations.append(("mxray_dns_answer_duration_seconds", [], .microseconds(rtt)))
            }
        }

        let result = success ? "success" : "failure"
        state.withLockedValue { s in
            s.version += 1
            var fresh: [String: Gauge] = [:]
            for g in gauges {
                let key = Self.key(g.name, g.labels)
                let gauge = s.gauges[target]?[key] ?? targetRegistry.makeGauge(name: g.name, labels: g.labels, help: Self.help[g.name] ?? "")
                gauge.set(g.value)
                fresh[key] = gauge
            }
            for (key, stale) in s.gauges[target] ?? [:] where fresh[key] == nil { targetRegistry.unregisterGauge(stale) }
            s.gauges[target] = fresh
            for o in observations {
                let key = Self.key(o.name, o.labels)
                // Histograms are shared by all targets (labels port or step only): per-target
                // buckets would multiply the output by the number of targets.
                let h = s.sharedHistograms[key] ?? targetRegistry.makeDurationHistogram(
                    name: o.name, labels: o.labels, buckets: Self.durationBuckets, help: Self.help[o.name] ?? "")
                s.sharedHistograms[key] = h
                h.record(o.value)
            }
            let ckey = Self.key("mxray_checks_total", [t, ("result", result)])
            let c = s.counters[target, default: [:]][ckey] ?? targetRegistry.makeCounter(
                name: "mxray_checks_total", labels: [t, ("result", result)], help: Self.help["mxray_checks_total"] ?? "")
            s.counters[target, default: [:]][ckey] = c
            c.increment()
        }
    }

    static func protocolName(_ s: MailService) -> String? {
        switch s {
        case .smtp, .submission, .submissions: "smtp"
        case .imap, .imaps: "imap"
        case .pop3, .pop3s: "pop3"
        case .unknown: nil
        }
    }

    static func key(_ name: String, _ labels: [(String, String)]) -> String {
        name + "{" + labels.map { "\($0.0)=\($0.1)" }.joined(separator: ",") + "}"
    }
}
