import Diagnosis
import Foundation
import MailCore
import MailWire

/// What `mxray probe` reports: every port observation (timings, replies, TLS, transcript) and
/// the findings raised from them. Its JSON is the `--format json` output.
public struct ProbeReport: Sendable, Codable {
    public var schemaVersion = 1
    public var toolVersion = MXRayVersion.string
    public let target: String
    public let startedAt: Date
    public let finishedAt: Date
    public let ports: [PortObservation]
    public let findings: [Finding]

    public init(target: String, startedAt: Date, finishedAt: Date, ports: [PortObservation], findings: [Finding]) {
        self.target = target
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.ports = ports
        self.findings = findings
    }

    public var worstSeverity: Severity? { findings.map(\.severity).max() }
}

/// Terminal rendering of a `ProbeReport`: per port its state, timings, banner, capabilities
/// before and after TLS, exposure results; then the findings. Peer text is escaped.
public struct ProbeTextRenderer: Sendable {
    public var showTranscripts: Bool

    public init(showTranscripts: Bool = false) { self.showTranscripts = showTranscripts }

    public func render(_ report: ProbeReport) -> String {
        var out: [String] = []
        var table = TextTable(["PORT", "SERVICE", "STATE", "CONNECT", "RESULT", "TLS"])
        for p in report.ports {
            table.add([p.subject, p.service.rawValue, p.connect.state.rawValue, ms(p.connect.milliseconds),
                       outcomeText(p), tlsText(p)])
        }
        out.append(table.rendered())
        for p in report.ports where p.connect.state == .open {
            out.append("")
            out += details(p)
        }
        out.append("")
        if report.findings.isEmpty {
            out.append("No findings.")
        } else {
            out.append("Findings:")
            for f in report.findings.sorted(by: { $0.severity > $1.severity }) {
                out.append("  [\(f.severity.rawValue)] \(f.id)  \(f.subject)")
                out.append("      \(f.title)")
                if !f.detail.isEmpty { out.append("      " + safe(f.detail)) }
                out.append("      fix: \(f.remediation)")
                if !f.references.isEmpty { out.append("      see: " + f.references.map(\.description).joined(separator: ", ")) }
            }
        }
        return out.joined(separator: "\n")
    }

    func details(_ p: PortObservation) -> [String] {
        var out = ["\(p.subject) (\(p.service.rawValue))"]
        if let s = p.smtp {
            if let g = s.greeting {
                out.append("  greeting  " + safe(g.wireLines.joined(separator: " | ")) + "  (\(ms(s.greetingMilliseconds)))"
                           + (s.fingerprint.map { "  looks like \($0)" } ?? ""))
            }
            if let c = s.capabilitiesBefore { out.append("  EHLO      " + safe(c.summaryItems.joined(separator: ", "))) }
            if s.usedHELO { out.append("  EHLO refused, HELO used") }
            if let d = s.capabilityDiff {
                out.append("  after TLS " + (d.added.map { "+" + $0 } + d.removed.map { "-" + $0 }).map(safe).joined(separator: ", "))
            }
            if let v = s.vrfy { out.append("  VRFY      " + safe(v.wireLines.joined(separator: " | "))) }
            if let e = s.expn { out.append("  EXPN      " + safe(e.wireLines.joined(separator: " | "))) }
            for r in s.relay {
                let rc = r.rcptReply.map { "\($0.code)" } ?? "not tried (MAIL \(r.mailReply?.code ?? 0))"
                out.append("  relay     \(r.form): RCPT TO:<\(safe(r.recipient))> → \(rc)\(r.accepted ? "  ACCEPTED" : "")")
            }
            if let i = s.injection { out.append("  STARTTLS injection test: \(i.verdict.rawValue)") }
        }
        if let i = p.imap {
            out.append("  greeting  * \(i.greetingStatus?.rawValue ?? "?") " + safe(i.greetingText ?? "") + "  (\(ms(i.greetingMilliseconds)))")
            if let c = i.capabilitiesBefore { out.append("  CAPABILITY " + safe(c.atoms.joined(separator: " "))) }
            if let d = i.capabilityDiff { out.append("  after TLS " + (d.added.map { "+" + $0 } + d.removed.map { "-" + $0 }).map(safe).joined(separator: " ")) }
        }
        if let pop = p.pop3 {
            if let g = pop.greeting { out.append("  greeting  " + safe(g.statusLine) + "  (\(ms(pop.greetingMilliseconds)))") }
            if let c = pop.capabilitiesBefore { out.append("  CAPA      " + safe(c.lines.joined(separator: ", "))) }
            if let u = pop.userBeforeTLS { out.append("  USER before TLS → " + safe(u.statusLine)) }
            if let d = pop.capabilityDiff { out.append("  after TLS " + (d.added.map { "+" + $0 } + d.removed.map { "-" + $0 }).map(safe).joined(separator: ", ")) }
        }
        if let t = p.tls {
            var line = "  TLS       \(t.mode.rawValue) \(t.version ?? "failed") \(ms(t.handshakeMilliseconds))"
            if let e = t.error { line += " error: " + safe(e) }
            if let v = t.chainVerified { line += v ? ", chain verified" : ", chain NOT verified" }
            if let n = t.nameMatches { line += n ? ", name matches" : ", name does NOT match" }
            if let cn = t.leafCommonName { line += ", CN " + safe(cn) }
            out.append(line)
        }
        if !p.steps.isEmpty {
            out.append("  steps     " + p.steps.map { "\($0.name) \(ms($0.milliseconds))" }.joined(separator: ", "))
        }
        if showTranscripts {
            out.append("  transcript:")
            out += p.transcript.rendered().split(separator: "\n").map { "    " + $0 }
        }
        return out
    }

    func outcomeText(_ p: PortObservation) -> String {
        guard p.connect.state == .open else { return p.couldNotTest ? "could not test" : "-" }
        let o = p.outcome?.rawValue ?? "-"
        return p.couldNotTest ? "could not test (\(o))" : o
    }

    func tlsText(_ p: PortObservation) -> String {
        guard let t = p.tls else { return "-" }
        return t.error == nil ? (t.version ?? "?") : "failed"
    }

    func ms(_ v: Double?) -> String { v.map { String(format: "%.1f ms", $0) } ?? "-" }
    func safe(_ s: String) -> String { Transcript.printable(s, limit: 400) }
}
