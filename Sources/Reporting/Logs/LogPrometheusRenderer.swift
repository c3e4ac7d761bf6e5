import Foundation
import MailLogs

/// A text file for node_exporter's textfile collector (Prometheus exposition format 0.0.4), with
/// metric names in the `postfix_…` convention of the Postfix exporters.
public enum LogPrometheusRenderer {
    public static func render(_ s: LogSummary) -> String {
        var out: [String] = []
        func metric(_ name: String, _ help: String, _ type: String = "gauge", _ samples: [(String, Double)]) {
            out.append("# HELP \(name) \(help)")
            out.append("# TYPE \(name) \(type)")
            for (labels, v) in samples { out.append("\(name)\(labels) \(v.rounded() == v ? String(Int64(v)) : String(v))") }
        }
        func label(_ pairs: [(String, String)]) -> String {
            "{" + pairs.map { "\($0.0)=\"\($0.1.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n"))\"" }.joined(separator: ",") + "}"
        }
        let t = s.totals
        metric("postfix_smtpd_messages_processed_total", "Messages received (pflogsumm: received).", "counter", [("", Double(t.received))])
        metric("postfix_smtp_messages_processed_total", "Delivery attempts by status.", "counter", [
            (label([("status", "sent")]), Double(t.delivered)), (label([("status", "deferred")]), Double(t.deferrals)),
            (label([("status", "bounced")]), Double(t.bounced)), (label([("status", "forwarded")]), Double(t.forwarded)),
        ])
        metric("postfix_messages_deferred", "Distinct messages deferred at least once.", "gauge", [("", Double(t.deferred))])
        metric("postfix_smtpd_messages_rejected_total", "Messages rejected, by class of reason.", "counter",
               s.rejectReasons.map { (label([("reason", $0.reason)]), Double($0.count)) })
        metric("postfix_smtpd_reject_warnings_total", "reject_warning and header/body WARN actions.", "counter", [("", Double(t.rejectWarnings))])
        metric("postfix_messages_held_total", "Messages put on hold.", "counter", [("", Double(t.held))])
        metric("postfix_messages_discarded_total", "Messages discarded.", "counter", [("", Double(t.discarded))])
        metric("postfix_smtpd_connects_total", "smtpd connections.", "counter", [("", Double(t.connections))])
        metric("postfix_bytes_received_total", "Bytes of received messages.", "counter", [("", Double(t.bytesReceived))])
        metric("postfix_bytes_delivered_total", "Bytes delivered (per recipient).", "counter", [("", Double(t.bytesDelivered))])
        metric("postfix_smtp_status_code_total", "SMTP reply codes seen.", "counter", s.replyCodes.map { (label([("code", $0.key)]), Double($0.count)) })
        metric("postfix_smtp_enhanced_status_code_total", "Enhanced status codes (RFC 3463) seen.", "counter", s.enhancedCodes.map { (label([("code", $0.key)]), Double($0.count)) })
        metric("postfix_smtp_delivery_delay_seconds", "Delivery delay quantiles by delays= stage.", "gauge",
               [("total", s.delays.total), ("before_qmgr", s.delays.beforeQueueManager), ("in_qmgr", s.delays.inQueueManager),
                ("conn_setup", s.delays.connectionSetup), ("transmission", s.delays.transmission)].flatMap { stage, p in
                   [("0.5", p.p50), ("0.9", p.p90), ("0.99", p.p99), ("1", p.max)].map { (label([("stage", stage), ("quantile", $0.0)]), $0.1) }
               })
        metric("postfix_smtpd_tls_connections_total", "Inbound TLS sessions by protocol version.", "counter", s.tls.versions.map { (label([("version", $0.key)]), Double($0.count)) })
        metric("postfix_postscreen_actions_total", "postscreen actions.", "counter", s.postscreen.map { (label([("action", $0.key)]), Double($0.count)) })
        metric("postfix_smtpd_sasl_authentication_failures_total", "SMTP AUTH failures.", "counter", [("", Double(s.sasl.failures))])
        metric("dovecot_auth_failures_total", "IMAP/POP3 authentication failures.", "counter", [("", Double(s.dovecot.authFailures))])
        metric("mxray_logs_alerts", "Alerts raised by mxray logs, by kind.", "gauge",
               Dictionary(grouping: s.alerts, by: \.kind.rawValue).sorted { $0.key < $1.key }.map { (label([("kind", $0.key)]), Double($0.value.count)) })
        metric("mxray_logs_unknown_lines_total", "Lines that fit no known shape.", "counter", [("", Double(s.inputs.reduce(0) { $0 + $1.unknownLines }))])
        return out.joined(separator: "\n") + "\n"
    }
}
