import Diagnosis
import Foundation
import MailCore

/// `mxray locate` for a person: the settings to type into a mail client first, each with where
/// it came from and how it was confirmed; then every source consulted and every candidate.
public struct LocateTextRenderer: Sendable {
    public var showCandidates: Bool

    public init(showCandidates: Bool = true) { self.showCandidates = showCandidates }

    static func securityText(_ s: ClientSecurity) -> String {
        switch s {
        case .ssl: return "SSL/TLS"
        case .starttls: return "STARTTLS"
        case .plain: return "none (plain text)"
        }
    }

    static func serviceText(_ s: ClientService) -> String {
        switch s {
        case .imap: return "IMAP (incoming)"
        case .pop3: return "POP3 (incoming)"
        case .smtp: return "SMTP (outgoing)"
        }
    }

    public func render(_ r: ClientLocateResult) -> String {
        var out = ["mxray locate \(safe(r.email)) — settings for a mail client", ""]
        if r.recommended.isEmpty {
            out.append("  No setting could be confirmed.")
        }
        for c in r.recommended {
            let k = c.candidate
            out.append("  \(Self.serviceText(k.service).padding(toLength: 16, withPad: " ", startingAt: 0)) server \(safe(k.host))  port \(k.port)  security \(Self.securityText(k.security))")
            out.append("  \(String(repeating: " ", count: 16)) user name \(safe(k.username ?? r.email))")
            out.append("  \(String(repeating: " ", count: 16)) confirmed: \(safe(c.probe.detail))")
            if let l = c.login {
                out.append("  \(String(repeating: " ", count: 16)) login: \(l.succeeded ? "succeeded" : l.status)\(l.mechanism.map { " (\($0))" } ?? "")\(l.succeeded ? "" : l.detail.map { ": \(safe($0))" } ?? "")")
            }
            for s in k.sources {
                out.append("  \(String(repeating: " ", count: 16)) from \(s.kind.rawValue): \(safe(s.detail))")
            }
            out.append("")
        }
        for m in r.missing {
            out.append("  \(Self.serviceText(m)): no confirmed setting")
        }
        if !r.loginTried {
            out.append("  (no password given: settings confirmed by probing only; set MXRAY_PASSWORD or answer the prompt to test a login)")
        }
        out += ["", "Sources consulted:"] + r.sourceNotes.map { "  " + safe($0) }
        if showCandidates {
            out += ["", "Candidates (\(r.candidates.count)):"]
            for c in r.candidates {
                let login = c.login.map { ", login \($0.status)" } ?? ""
                out.append("  \(c.probe.status.rawValue.padding(toLength: 17, withPad: " ", startingAt: 0)) \(safe(c.candidate.label)) [\(c.candidate.sources.map(\.kind.rawValue).joined(separator: ", "))] — \(safe(c.probe.detail))\(login)")
            }
        }
        if !r.findings.isEmpty {
            out += ["", "Findings:"]
            for f in r.findings {
                out.append("  \(f.severity.rawValue.uppercased()) \(f.id) @ \(safe(f.subject)): \(safe(f.detail))")
                out.append("      fix: \(f.remediation)")
            }
        }
        out.append("")
        out.append(String(format: "Located in %.1f s.", r.milliseconds / 1000))
        return out.joined(separator: "\n")
    }

    func safe(_ s: String) -> String { Transcript.printable(s, limit: 300) }
}
