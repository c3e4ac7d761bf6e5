import Diagnosis
import DNSWire
import Foundation
import MailCore

/// Output of `mxray path`, `mxray dnsbl` and `mxray split`: terminal text and JSON documents.
/// Peer-controlled text (DNSBL reasons, banners, names) goes through `Transcript.printable`.
public enum NetReportRenderer {
    struct PathDocument: Encodable {
        let schema = "mxray.path/1"
        let tool: String
        let result: PathReport
    }

    struct DNSBLDocument: Encodable {
        let schema = "mxray.dnsbl/1"
        let tool: String
        let result: DNSBLReport
    }

    struct SplitDocument: Encodable {
        let schema = "mxray.split/1"
        let tool: String
        let result: SplitViewReport
    }

    static var tool: String { "mxray \(MXRayVersion.string)" }
    static func safe(_ s: String) -> String { Transcript.printable(s, limit: 400) }
    static func ms(_ v: Double?) -> String { v.map { String(format: "%.1f ms", $0) } ?? "-" }
    static func pct(_ v: Double) -> String { String(format: "%.1f %%", v * 100) }

    public static func json(_ r: PathReport) throws -> String { try JSONOutput.encode(PathDocument(tool: tool, result: r)) }
    public static func json(_ r: DNSBLReport) throws -> String { try JSONOutput.encode(DNSBLDocument(tool: tool, result: r)) }
    public static func json(_ r: SplitViewReport) throws -> String { try JSONOutput.encode(SplitDocument(tool: tool, result: r)) }

    // MARK: path

    public static func text(_ r: PathReport) -> String {
        let s = r.statistics
        var out = ["Path to \(safe(r.host == r.address ? r.address : "\(r.host) [\(r.address)]")) port \(r.port): \(s.samples) TCP connects (\(s.answered) answered, \(s.timedOut) timed out, \(s.unreachable) unreachable)", ""]
        var t = TextTable(["measure", "value"])
        t.add(["RTT min / median / p90 / max", "\(ms(s.rttMin)) / \(ms(s.rttMedian)) / \(ms(s.rttP90)) / \(ms(s.rttMax))"])
        t.add(["jitter (RFC 3550 §6.4.1)", ms(s.jitter)])
        let c = String(format: "%.0f %%", s.packetLoss.confidence * 100)
        t.add(["loss per packet (\(c) Wilson interval)", "\(pct(s.packetLoss.value))  [\(pct(s.packetLoss.lower)) – \(pct(s.packetLoss.upper))]"])
        t.add(["round trips lost (SYN or answer)", "\(s.roundTripLoss.successes) of \(s.roundTripLoss.trials) = \(pct(s.roundTripLoss.value))"])
        t.add(["answered after k SYN retransmissions", s.buckets.enumerated().map { "k=\($0.offset): \($0.element)" }.joined(separator: ", ")])
        if let b = r.bannerDelayMilliseconds { t.add(["SMTP greeting after handshake", ms(b)]) }
        out.append(t.rendered(indent: "  "))
        let sends = (0...s.schedule.maxRetransmissions).map { s.schedule.sendTime($0) }.filter { $0 < s.probeTimeout }
            .map { String(format: "%g", $0) }.joined(separator: ", ")
        out += ["", "Verdict: \(r.verdict.rawValue) — \(r.summary)",
                String(format: "  (thresholds: RTT under %.0f ms is good; loss above %.0f %% needs the line checked. Loss assumes both directions lose alike;", r.thresholds.goodRTTMilliseconds, r.thresholds.maxLoss * 100)
                + " SYNs leave at \(sends) s after connect — initial RTO 1 s, RFC 6298 §2.1)"]
        out += findingLines(r.findings)
        return out.joined(separator: "\n")
    }

    // MARK: DNSBL

    public static func text(_ r: DNSBLReport) -> String {
        var out = ["Block lists for \(safe(r.subject)): \(r.targets.count) address(es) on \(r.zones.count) list(s)", ""]
        var t = TextTable(["address", "role", "list", "result", "detail"])
        let roles = Dictionary(r.targets.map { ($0.address, $0.roles.joined(separator: "; ")) }, uniquingKeysWith: { a, _ in a })
        for l in r.lookups {
            let detail = [l.status.detail, l.reason.map { "\"\($0)\"" } ?? ""].filter { !$0.isEmpty }.joined(separator: " ")
            t.add([l.address.description, safe(roles[l.address] ?? ""), l.zone.description, l.status.label, safe(detail)])
        }
        out.append(t.rendered(indent: "  "))
        out += ["", "List health (RFC 5782 §5 test entries: 127.0.0.2 listed, 127.0.0.1 not):"]
        for h in r.health {
            let state = h.healthy.map { $0 ? "ok" : "BROKEN" } ?? "could not test"
            out.append("  \(h.zone): \(state) (127.0.0.2 → \(h.testListed.label), 127.0.0.1 → \(h.testNotListed.label))")
        }
        if !r.notes.isEmpty { out += ["", "Notes:"] + r.notes.map { "  " + safe($0) } }
        out += findingLines(r.findings)
        return out.joined(separator: "\n")
    }

    // MARK: split view

    public static func text(_ r: SplitViewReport) -> String {
        var out = ["Split view of \(r.domain): " + r.views.map { "\($0.label) via \($0.resolver)" }.joined(separator: ", "), ""]
        for v in r.views {
            let mx = v.result.mxRecords.map { "\($0.preference) \($0.exchange)" }.joined(separator: ", ")
            out.append("  \(v.label): MX \(mx.isEmpty ? "(\(v.result.mxKind.rawValue))" : mx)")
            for h in v.result.hosts {
                out.append("    \(h.name): \(h.addresses.map(\.address.description).joined(separator: ", "))")
            }
        }
        out.append("")
        if r.differences.isEmpty {
            out.append("No differences.")
        } else {
            var t = TextTable(["what"] + r.views.map(\.label))
            for d in r.differences { t.add([safe(d.subject)] + d.values.map(safe)) }
            out += ["Differences:", t.rendered(indent: "  ")]
        }
        out += findingLines(r.findings)
        return out.joined(separator: "\n")
    }

    static func findingLines(_ findings: [Finding]) -> [String] {
        guard !findings.isEmpty else { return [] }
        var out = ["", "Findings:"]
        for f in findings.sorted(by: { $0.severity > $1.severity }) {
            out.append("  [\(f.severity.rawValue)] \(f.id) @ \(safe(f.subject)): \(safe(f.detail))")
            if f.severity >= .notice { out.append("      fix: \(f.remediation)") }
        }
        return out
    }
}
