import Diagnosis
import DNSWire
import MailAuth
import MailCore

/// Renders the auth stage (SPF, DMARC, DKIM, MTA-STS, TLS-RPT, BIMI) as terminal text or JSON.
/// `mxray dns` appends `text(_:)` after the locate section and puts the result under `auth`.
public enum AuthReportRenderer {
    public struct Document: Encodable {
        public let schema = "mxray.auth/1"
        public let tool: String
        public let result: AuthResult
    }

    public static func json(_ r: AuthResult) throws -> String {
        try JSONOutput.encode(Document(tool: "mxray \(MXRayVersion.string)", result: r))
    }

    static func clean(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            if u.value < 0x20 || u.value == 0x7F { out += "\\u{\(String(u.value, radix: 16))}" } else { out.unicodeScalars.append(u) }
        }
        return out
    }

    public static func text(_ r: AuthResult, showEvidence: Bool = false) -> String {
        var out: [String] = ["Mail authentication of \(r.domain.presentation)", ""]
        let s = r.spf
        out.append("SPF:      " + (s.record.map { "\"\(clean($0))\"" } ?? s.status))
        if s.record != nil {
            out.append("          \(s.lookupsUsed)/10 DNS lookups; an unlisted host gets \(s.defaultResult ?? "-")")
        }
        let d = r.dmarc
        out.append("DMARC:    " + (d.record.map { "\"\(clean($0))\"" } ?? d.status) + (d.recordName.map { " at \($0)" } ?? ""))
        out.append("          policy strength: \(d.strength)" + (d.organizationalDomain.map { "; organisational domain \($0)" } ?? ""))
        if r.dkim.keys.isEmpty {
            out.append("DKIM:     no key under \(r.dkim.selectorsTried.count) selectors tried (\(r.dkim.selectorsTried.prefix(6).joined(separator: ", "))…)")
        } else {
            for (i, k) in r.dkim.keys.enumerated() {
                let what = k.error.map { "invalid: \($0)" } ?? (k.revoked ? "revoked" : "\(k.keyType ?? "?") \(k.keySize.map { "\($0) bits" } ?? "")" + (k.testing ? " (testing)" : ""))
                out.append((i == 0 ? "DKIM:     " : "          ") + "\(k.name): \(what)")
            }
            out.append("          selectors tried: \(r.dkim.selectorsTried.count)")
        }
        let m = r.mtaSTS
        var sts = m.status
        if let id = m.id { sts += ", id \(id)" }
        if let mode = m.mode { sts += ", mode \(mode), max_age \(m.maxAge ?? 0), mx \(m.mx.joined(separator: " "))" }
        if let e = m.error { sts += " — \(clean(e))" }
        out.append("MTA-STS:  " + sts)
        if !m.uncoveredMX.isEmpty { out.append("          not covered: \(m.uncoveredMX.joined(separator: ", "))") }
        out.append("TLS-RPT:  " + (r.tlsRPT.record.map { "\"\(clean($0))\"" } ?? r.tlsRPT.status) + (r.tlsRPT.error.map { " — \(clean($0))" } ?? ""))
        out.append("BIMI:     " + (r.bimi.status == "found" ? r.bimi.detail.joined(separator: " ") : r.bimi.status) + (r.bimi.error.map { " — \(clean($0))" } ?? ""))
        out.append("")
        let sorted = r.findings.sorted { $0.severity > $1.severity }
        out.append("Findings (\(r.findings.count)):")
        for f in sorted {
            out.append("  [\(f.severity.rawValue.uppercased())] \(f.id): \(f.title)")
            out.append("      \(clean(f.detail))")
            if f.severity > .info {
                out.append("      fix: \(f.remediation)")
                if !f.references.isEmpty { out.append("      see: \(f.references.map(\.description).joined(separator: ", "))") }
            }
        }
        if showEvidence {
            out.append("")
            out.append("Evidence:")
            for e in r.evidence {
                out.append("  \(e.id) — \(e.title)")
                for l in e.lines { out.append("    \(clean(l))") }
            }
        }
        return out.joined(separator: "\n")
    }
}

/// `mxray spf` output: the result, why, and every step and lookup it took.
public enum SPFReportRenderer {
    public struct Document: Encodable {
        public let schema = "mxray.spf/1"
        public let tool: String
        /// RFC 8601 result name: pass, fail, softfail, neutral, none, temperror, permerror.
        public let result: String
        public let domain: String
        public let ip: String
        public let sender: String
        public let helo: String
        public let matchedTerm: String?
        public let explanation: String?
        public let problem: String?
        public let lookups: Int
        public let voidLookups: Int
        public let trace: [SPFTraceStep]
        public let dns: [DNSTrace]
    }

    public static func document(_ e: SPFEvaluation, request: SPFRequest) -> Document {
        Document(tool: "mxray \(MXRayVersion.string)", result: e.result.rawValue, domain: request.domain ?? e.domain,
                 ip: request.ip.description, sender: request.sender, helo: request.helo, matchedTerm: e.matchedTerm,
                 explanation: e.explanation, problem: e.problem, lookups: e.lookupCount, voidLookups: e.voidLookupCount,
                 trace: e.trace, dns: e.dnsTraces)
    }

    public static func json(_ e: SPFEvaluation, request: SPFRequest) throws -> String {
        try JSONOutput.encode(document(e, request: request))
    }

    /// What each result means for the message (RFC 7208 §2.6, §8).
    static func meaning(_ r: SPFResult) -> String {
        switch r {
        case .pass: return "the address is authorised to send for the domain"
        case .fail: return "the domain says this address is NOT authorised; receivers may reject the message"
        case .softfail: return "the domain says this address is probably not authorised (~all); usually accepted but marked"
        case .neutral: return "the domain makes no assertion about this address"
        case .none: return "the domain publishes no SPF record (or the name is not a valid domain)"
        case .temperror: return "a DNS error stopped evaluation; receivers usually defer (4xx)"
        case .permerror: return "the domain's SPF record cannot be evaluated; receivers treat it as an error"
        }
    }

    public static func text(_ e: SPFEvaluation, request: SPFRequest) -> String {
        var out: [String] = []
        out.append("SPF for \(request.ip) sending as \(request.sender.isEmpty ? "<> (HELO \(request.helo))" : request.sender)")
        out.append("")
        out.append("Result: \(e.result.rawValue) — \(meaning(e.result))")
        if let m = e.matchedTerm { out.append("Matched: \(AuthReportRenderer.clean(m)) in the record of \(e.domain)") }
        if let p = e.problem { out.append("Why: \(AuthReportRenderer.clean(p))") }
        if let x = e.explanation { out.append("Explanation (exp=): \(AuthReportRenderer.clean(x))") }
        out.append("DNS lookups: \(e.lookupCount)/10 counted terms, \(e.voidLookupCount)/2 void lookups, \(e.answers.count) queries in all")
        out.append("")
        out.append("Trace:")
        for t in e.trace { out.append("  " + AuthReportRenderer.clean(t.description)) }
        out.append("")
        out.append("DNS:")
        for t in e.dnsTraces { out.append("  " + AuthReportRenderer.clean(t.description)) }
        return out.joined(separator: "\n")
    }
}
