import Diagnosis
import DNSWire
import MailCore

/// `mxray dns` output: the JSON document and the terminal text. Peer-controlled text (names,
/// TXT) reaches the terminal only in presentation form, where control octets are escaped.
public enum DNSReportRenderer {
    /// The JSON document: the locate result under a schema marker.
    public struct Document: Encodable {
        public let schema = "mxray.dns/1"
        public let tool: String
        public let result: LocateResult
        /// The mail-authentication policies (SPF, DMARC, DKIM keys, MTA-STS, TLS-RPT, BIMI).
        public let auth: AuthResult?
    }

    public static func json(_ result: LocateResult, auth: AuthResult? = nil) throws -> String {
        try JSONOutput.encode(Document(tool: "mxray \(MXRayVersion.string)", result: result, auth: auth))
    }

    static func yesNo(_ b: Bool) -> String { b ? "yes" : "no" }
    static func ttl(_ t: UInt32?) -> String { t.map(String.init) ?? "-" }

    public static func text(_ r: LocateResult) -> String {
        var out: [String] = []
        let via = r.resolvers.isEmpty ? "" : " (resolver \(r.resolvers.joined(separator: ", ")))"
        out.append("Mail DNS of \(r.domain.presentation)\(via)")
        out.append("")
        switch r.mxKind {
        case .explicit:
            out.append("MX: \(r.mxRecords.count) record(s), TTL \(ttl(r.mxTTL)), \(r.mxAuthenticated ? "authenticated (AD)" : "not authenticated")")
        case .implicit:
            out.append("MX: none; implicit MX — mail goes to \(r.domain.presentation) itself (RFC 5321 §5.1)")
        case .nullMX:
            out.append("MX: null MX (\"0 .\") — the domain accepts no mail (RFC 7505), TTL \(ttl(r.mxTTL))")
        case .none:
            out.append("MX: none, and no address — mail cannot be delivered")
        case .nxdomain:
            out.append("MX: the domain does not exist (NXDOMAIN)")
        case .failed:
            out.append("MX: lookup failed — \(r.failure ?? "unknown error")")
        }
        if !r.hosts.isEmpty {
            var table = TextTable(["PREF", "HOST", "ADDRESS", "TTL", "PTR", "FCrDNS", "AD"])
            for h in r.hosts {
                let name = h.name.presentation + (h.cnameChain.isEmpty ? "" : " → " + h.cnameChain.map(\.presentation).joined(separator: " → "))
                if h.addresses.isEmpty {
                    let why: String = switch h.status {
                    case .nxdomain: "(does not exist)"
                    case .noAddress: "(no A/AAAA)"
                    case .ipLiteral: "(IP literal)"
                    case .failed: "(lookup failed: \(h.failure ?? "?"))"
                    case .ok: "-"
                    }
                    table.add([String(h.preference), name, why, "-", "-", "-", yesNo(h.authenticated)])
                }
                for (i, a) in h.addresses.enumerated() {
                    let ptr: String = switch a.ptrStatus {
                    case .answer: a.ptrNames.map(\.presentation).joined(separator: ", ")
                    case .nxdomain, .nodata: "(none)"
                    default: "(\(a.ptrStatus.rawValue))"
                    }
                    table.add([i == 0 ? String(h.preference) : "", i == 0 ? name : "", a.address.description, ttl(a.ttl), ptr,
                               a.ptrStatus == .answer ? yesNo(a.fcrdns) : "-", yesNo(a.authenticated)])
                }
            }
            out.append(table.rendered(indent: "  "))
        }
        if !r.unexaminedHosts.isEmpty {
            out.append("  not examined: " + r.unexaminedHosts.map(\.presentation).joined(separator: ", "))
        }
        if let z = r.zone {
            out.append("")
            out.append("Name servers of \(z.apex.presentation) (asked directly): \(z.consistent ? "consistent" : "INCONSISTENT")")
            var table = TextTable(["NS", "ADDRESS", "STATUS", "SERIAL", "MX", "RTT"])
            for p in z.nameservers {
                let mx: String
                if let set = p.mxRecords {
                    mx = set == r.mxRecords ? "same as resolver (\(set.count))"
                        : set.isEmpty ? "(none)" : set.map { "\($0.preference) \($0.exchange.presentation)" }.joined(separator: ", ")
                } else { mx = "-" }
                let rtt = p.rttMicroseconds.map { "\($0) µs" } ?? "-"
                table.add([p.name.presentation, p.address?.description ?? "-", p.status == .ok ? "ok" : "\(p.status.rawValue): \(p.detail ?? "")",
                           p.soaSerial.map(String.init) ?? "-", mx, rtt])
            }
            out.append(table.rendered(indent: "  "))
        }
        out.append("")
        let d = r.dnssec
        let state: String = switch d.state {
        case .validated: "signed and validated (AD)"
        case .signedNotValidated: "signed, but answers not validated (no AD)"
        case .unsigned: "not signed"
        case .bogus: "BOGUS — validation fails"
        case .unknown: "unknown (lookups failed)"
        }
        out.append("DNSSEC: \(state)" + (d.zone.map { " — zone \($0.presentation), \(d.dnskeyCount) DNSKEY" } ?? "")
                   + "; resolver validates: \(yesNo(d.resolverValidates))")
        out.append("")
        out.append(findingsText(r.findings))
        out.append("")
        out.append("\(r.traces.count) queries; `--format json` shows every trace.")
        return out.joined(separator: "\n")
    }

    public static func findingsText(_ findings: [Finding]) -> String {
        guard !findings.isEmpty else { return "Findings: none." }
        var out = ["Findings (\(findings.count)):"]
        for f in findings.sorted(by: { $0.severity > $1.severity }) {
            out.append("  [\(f.severity.rawValue)] \(f.id) — \(f.subject)")
            out.append("      \(f.title)")
            out.append("      \(f.detail)")
            out.append("      Fix: \(f.remediation)")
            if !f.references.isEmpty { out.append("      See: " + f.references.map(\.description).joined(separator: ", ")) }
            out.append("      Evidence: " + f.evidenceIDs.joined(separator: ", "))
        }
        return out.joined(separator: "\n")
    }
}
