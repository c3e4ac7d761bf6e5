import Foundation
import MailLogs
import TimeSeries

/// Renders a `LogSummary` as text (pflogsumm's sections, grouped: totals, traffic, delays, who,
/// problems, security, alerts) or Markdown.
public enum LogTextRenderer {
    public static func render(_ s: LogSummary, markdown: Bool = false, queueForecast: QueueForecast.Result? = nil) -> String {
        var out: [String] = []
        func title(_ t: String) { out.append(""); out.append(markdown ? "## \(t)" : t + "\n" + String(repeating: "-", count: t.count)) }
        func table(_ header: [String], _ rows: [[String]]) {
            guard !rows.isEmpty else { out.append(markdown ? "_none_" : "  none"); return }
            if markdown {
                out.append("| " + header.joined(separator: " | ") + " |")
                out.append("|" + header.map { _ in "---|" }.joined())
                for r in rows { out.append("| " + r.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |") }
            } else {
                var t = TextTable(header)
                for r in rows { t.add(r) }
                out.append(t.rendered(indent: "  "))
            }
        }
        out.append(markdown ? "# Mail log summary" : "mxray log summary")
        let span = [s.first, s.last].compactMap { $0 }.joined(separator: " … ")
        out.append("\(s.inputs.map { "\($0.name) (\($0.format), \($0.lines) lines)" }.joined(separator: ", "))\(span.isEmpty ? "" : "; " + span)")
        if s.approximate { out.append("Note: some tops and distinct counts are estimates (cardinality cap reached).") }

        title("Grand Totals")
        let t = s.totals
        let total = t.delivered + t.rejected + t.discarded
        func pct(_ n: Int64) -> String { total > 0 ? " (\(n * 100 / total)%)" : "" }
        table(["messages", "count"], [
            ["received", "\(t.received)"], ["delivered", "\(t.delivered)"], ["forwarded", "\(t.forwarded)"],
            ["deferred", "\(t.deferred) (\(t.deferrals) deferrals)"], ["bounced", "\(t.bounced)"],
            ["rejected", "\(t.rejected)\(pct(t.rejected))"], ["reject warnings", "\(t.rejectWarnings)"], ["held", "\(t.held)"],
            ["discarded", "\(t.discarded)\(pct(t.discarded))"], ["expired", "\(t.expired)"],
            ["bytes received", "\(t.bytesReceived)"], ["bytes delivered", "\(t.bytesDelivered)"],
            ["senders", "\(t.senders)"], ["sending hosts/domains", "\(t.sendingDomains)"],
            ["recipients", "\(t.recipients)"], ["recipient hosts/domains", "\(t.recipientDomains)"],
            ["smtpd connections", "\(t.connections)"],
            ["content-filter hand-offs (not counted above)", "\(s.contentFilter.handoffs)"],
        ])

        title("Alerts")
        if s.alerts.isEmpty { out.append("  none") }
        for a in s.alerts {
            out.append("\(markdown ? "- **" : "  * ")\(a.kind.rawValue): \(a.subject)\(markdown ? "**" : "") [\(a.windowStart) … \(a.windowEnd)]")
            out.append("    \(a.detail)")
            for e in a.evidence.prefix(5) { out.append("    > \(e)") }
            out.append("    advice: \(a.advice)")
        }

        if let q = queueForecast {
            title("Forecast: deferred queue")
            out.append("  \(q.summary)")
            out.append("  fitted \(q.points) minutes \(q.from) … \(q.to); level \(formatValue(q.level)), residual SD \(formatValue(q.residualSD)) messages")
        }

        title("Per-Day Traffic Summary")
        table(["date", "received", "delivered", "deferred", "bounced", "rejected"], s.perDay.map { [$0.label, "\($0.received)", "\($0.delivered)", "\($0.deferred)", "\($0.bounced)", "\($0.rejected)"] })
        title("Per-Hour Traffic Summary")
        table(["time", "received", "delivered", "deferred", "bounced", "rejected", "connections", "auth failures"],
              s.perHour.map { [$0.label, "\($0.received)", "\($0.delivered)", "\($0.deferred)", "\($0.bounced)", "\($0.rejected)", "\($0.connections)", "\($0.authFailures)"] })

        title("Delivery delays (seconds)")
        func prow(_ n: String, _ p: LogSummary.Percentiles) -> [String] { [n, "\(p.count)", f(p.p50), f(p.p90), f(p.p99), f(p.max)] }
        table(["stage", "n", "p50", "p90", "p99", "max"], [
            prow("total", s.delays.total), prow("a: before queue manager", s.delays.beforeQueueManager),
            prow("b: in queue manager", s.delays.inQueueManager), prow("c: connection setup", s.delays.connectionSetup),
            prow("d: transmission", s.delays.transmission),
        ] + s.delays.perRelay.map { prow("relay " + $0.relay, $0.delay) })

        title("Reply codes (5xx first)")
        table(["code", "count"], s.replyCodes.map { [$0.key, "\($0.count)"] })
        title("Enhanced status codes")
        table(["code", "count"], s.enhancedCodes.prefix(20).map { [$0.key, "\($0.count)"] })

        for (name, rows) in [("Senders by message count", s.top.senders), ("Recipients by message count", s.top.recipients),
                             ("Sending domains", s.top.senderDomains), ("Recipient domains", s.top.recipientDomains),
                             ("Relays", s.top.relays), ("Clients", s.top.clients)] {
            title(name)
            table(["", "count", "bytes"], rows.map { [$0.key, "\($0.count)", $0.bytes.map(String.init) ?? ""] })
        }

        for (name, reasons) in [("Reject reasons", s.rejectReasons), ("Deferral reasons", s.deferralReasons), ("Bounce reasons", s.bounceReasons)] {
            title(name)
            if reasons.isEmpty { out.append("  none") }
            for r in reasons {
                out.append("  \(r.count)  \(r.reason)")
                for e in r.examples { out.append("      e.g. \(e)") }
            }
        }

        title("TLS")
        out.append("  inbound: \(s.tls.inboundTLS) of \(s.tls.inboundConnections) smtpd connections (\(Int((s.tls.inboundShare * 100).rounded()))%); outbound TLS sessions: \(s.tls.outboundTLS); TLS errors: \(s.tls.errors)")
        table(["version", "count"], s.tls.versions.map { [$0.key, "\($0.count)"] })
        table(["cipher", "count"], s.tls.ciphers.map { [$0.key, "\($0.count)"] })

        title("smtpd commands (Postfix 3.x counters)")
        let refused = Dictionary(uniqueKeysWithValues: s.smtpCommandsRefused.map { ($0.key, $0.count) })
        table(["command", "total", "refused"], s.smtpCommands.map { [$0.key, "\($0.count)", "\(refused[$0.key] ?? 0)"] })
        title("Postscreen")
        table(["action", "count"], s.postscreen.map { [$0.key, "\($0.count)"] })
        title("SASL (SMTP AUTH)")
        out.append("  logins: \(s.sasl.logins), failures: \(s.sasl.failures)")
        table(["method", "count"], s.sasl.methods.map { [$0.key, "\($0.count)"] })
        table(["user", "count"], s.sasl.users.map { [$0.key, "\($0.count)"] })
        title("IMAP/POP3 (Dovecot)")
        out.append("  logins: \(s.dovecot.logins), authentication failures: \(s.dovecot.authFailures)")
        table(["protocol", "logins"], s.dovecot.byProtocol.map { [$0.key, "\($0.count)"] })

        title("Warnings")
        table(["count", "warning"], s.warnings.map { ["\($0.count)", $0.key] })
        title("Lines of unknown shape (by program)")
        table(["count", "program", "sample"], s.unknown.map { ["\($0.count)", $0.program, String(($0.samples.first ?? "").prefix(100))] })
        return out.joined(separator: "\n") + "\n"
    }

    static func f(_ v: Double) -> String { String(format: v < 10 ? "%.2f" : "%.0f", v) }
}
