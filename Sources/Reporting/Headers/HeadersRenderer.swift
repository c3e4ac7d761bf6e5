import Diagnosis
import Foundation
import MailAuth

/// Renders a `HeaderAnalysis` (`mxray headers`) as text, JSON, Markdown or HTML. Every string
/// from the message is peer-controlled: control characters are made visible before printing.
public enum HeadersRenderer {
    /// Control characters (ESC sequences included) shown as `\u{1B}`; the rest kept, at most 300 characters.
    static func safe(_ s: String?, max: Int = 300) -> String {
        guard let s else { return "" }
        var out = ""
        for c in s.unicodeScalars.prefix(max) {
            if c.value < 0x20 || (c.value >= 0x7F && c.value < 0xA0) { out += "\\u{\(String(c.value, radix: 16, uppercase: true))}" } else {
                out.unicodeScalars.append(c)
            }
        }
        return s.unicodeScalars.count > max ? out + "…" : out
    }

    static func tls(_ t: ReceivedTLS) -> String {
        switch t.used {
        case true?: return [t.version ?? "TLS", t.cipher].compactMap { $0 }.joined(separator: " ")
        case false?: return "none"
        case nil: return "not stated"
        }
    }

    static func delay(_ h: HeaderAnalysis.Hop) -> String {
        guard let d = h.delaySeconds else { return h.epochSeconds == nil ? "no date" : "—" }
        return (d >= 0 ? "+" : "") + HeaderAnalyzer.duration(d)
    }

    static func timingLine(_ t: HeaderAnalysis.Timing) -> String {
        func v(_ x: Int?) -> String { x.map(HeaderAnalyzer.duration) ?? "unknown" }
        return "before the sender's server \(v(t.beforeSenderServer)) · in transit \(v(t.inTransit)) · at the receiver \(v(t.atReceiver)) · total \(v(t.total))"
    }

    static func verdictLine(_ v: HeaderAnalysis.Verdict) -> String {
        ([safe("\(v.method)=\(v.result)")] + (v.reason.map { ["reason=\"\(safe($0))\""] } ?? []) + v.properties.map { safe($0) }).joined(separator: " ")
    }

    static func arcLine(_ a: ARCValidation) -> String {
        switch a.status {
        case .none: return "none (no ARC sets)"
        case .pass: return "pass (\(a.sets.count) set(s), sealed by \(a.sets.map { safe($0.sealDomain) }.joined(separator: ", ")))"
        case .fail: return "fail: \(safe(a.reason))"
        }
    }

    public static func text(_ a: HeaderAnalysis) -> String {
        var out: [String] = []
        out.append("Message  \(safe(a.messageID ?? "(no Message-ID)"))")
        if let s = a.subject { out.append("Subject  \(safe(s))") }
        if let f = a.from { out.append("From     \(safe(f))") }
        out.append("Date     \(safe(a.date ?? "(no Date field)"))\(a.dateUTC.map { "  = \($0)" } ?? "")")
        out.append("")
        out.append("Path: \(a.hops.count) hop(s), oldest first")
        var table = TextTable(["#", "side", "by", "from", "with", "TLS", "time (UTC)", "delay"])
        if let d = a.dateUTC { table.add(["0", "author", "(Date field)", "", "", "", d, ""]) }
        for h in a.hops {
            let from = [h.from.map { safe($0, max: 60) }, h.fromAddress.map { "[\(safe($0, max: 45))]" }].compactMap { $0 }.joined(separator: " ")
            table.add(["\(h.number)", h.side, safe(h.by, max: 60), from, safe(h.with, max: 20) + (h.authenticated ? " (auth)" : ""),
                       safe(tls(h.tls), max: 50), h.date ?? "-", delay(h)])
        }
        out.append(table.rendered(indent: "  "))
        for h in a.hops { for p in h.problems { out.append("  ! hop \(h.number): \(safe(p))") } }
        out.append("Where the time went: \(timingLine(a.timing))")
        if let s = a.timing.slowest { out.append("  slowest: \(s)") }
        out.append("")
        out.append("Authentication-Results (RFC 8601; the topmost is the final receiver's)")
        if a.verdicts.isEmpty { out.append("  none in the message") }
        for id in uniqueIDs(a) {
            let vs = a.verdicts.filter { $0.authservID == id.0 && $0.isReceivers == id.1 }
            out.append("  \(safe(id.0))\(id.1 ? " (receiver)" : ""):")
            for v in vs { out.append("    \(verdictLine(v))") }
        }
        out.append("Our verification (keys from \(a.keySource))")
        if a.dkim.isEmpty { out.append("  DKIM: no signature") }
        for s in a.dkim {
            out.append("  DKIM d=\(safe(s.domain)) s=\(safe(s.selector)) \(safe(s.algorithm)): \(s.result)"
                       + (s.keySize.map { " (\($0)-bit key)" } ?? "") + (s.reason.map { " — \(safe($0))" } ?? ""))
        }
        out.append("  ARC: \(arcLine(a.arc))")
        if !a.spamFilter.isEmpty {
            out.append("Spam filter")
            for l in a.spamFilter { out.append("  \(safe(l))") }
        }
        out.append("")
        if a.explanations.isEmpty {
            out.append("Why it may land in spam: no authentication check failed.")
        } else {
            out.append("Why it may land in spam")
            for e in a.explanations { out.append("  - \(safe(e.what, max: 400))\n    fix: \(safe(e.fix, max: 400))") }
        }
        if !a.problems.isEmpty {
            out.append("Header problems")
            for p in a.problems { out.append("  ! \(safe(p))") }
        }
        out.append("")
        out.append("Findings")
        for f in a.findings { out.append("  [\(f.severity.rawValue)] \(f.id) — \(safe(f.subject)): \(safe(f.detail, max: 500))") }
        return out.joined(separator: "\n")
    }

    static func uniqueIDs(_ a: HeaderAnalysis) -> [(String, Bool)] {
        var seen: [(String, Bool)] = []
        for v in a.verdicts where !seen.contains(where: { $0.0 == v.authservID && $0.1 == v.isReceivers }) { seen.append((v.authservID, v.isReceivers)) }
        return seen
    }

    public static func json(_ a: HeaderAnalysis) throws -> String { try JSONOutput.encode(a) }
}
