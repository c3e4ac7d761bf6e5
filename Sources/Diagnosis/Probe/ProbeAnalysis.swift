import Foundation
import MailCore
import MailWire

/// Turns port observations into findings with evidence. Pure: the observations come from the
/// probes (or a test's fixtures), nothing here touches the network.
public enum ProbeAnalysis {
    public struct Result: Sendable {
        public var findings: [Finding] = []
        public var evidence: [Evidence] = []
    }

    public static func analyse(_ observations: [PortObservation]) -> Result {
        var result = Result()
        for obs in observations {
            let evidence = Self.evidence(for: obs)
            result.evidence.append(evidence)
            result.findings += findings(for: obs, evidenceID: evidence.id)
        }
        return result
    }

    /// The transcript of one session as evidence.
    public static func evidence(for obs: PortObservation) -> Evidence {
        let lines = obs.transcript.lines.map { l in
            String(format: "%8.1f ms %@: %@", l.milliseconds, l.direction.rawValue, l.text)
        } + (obs.transcript.droppedLines > 0 ? ["… \(obs.transcript.droppedLines) more lines not kept"] : [])
        return Evidence(id: "transcript:\(obs.subject)", kind: .transcript, title: "Session with \(obs.subject)", lines: lines)
    }

    static func raise(_ id: String, _ obs: PortObservation, _ detail: String, _ ev: String) -> Finding? {
        FindingCatalog.definition(id)?.raise(subject: obs.subject, detail: detail, evidence: [ev])
    }

    public static func findings(for obs: PortObservation, evidenceID ev: String) -> [Finding] {
        var out: [Finding?] = []
        switch obs.connect.state {
        case .filtered:
            out.append(raise("port.filtered", obs, "No answer within \(Int(obs.connect.milliseconds)) ms.", ev))
            return out.compactMap { $0 }
        case .refused:
            out.append(raise("port.refused", obs, "Connection refused after \(format(obs.connect.milliseconds)).", ev))
            return out.compactMap { $0 }
        case .unreachable:
            out.append(raise("port.unreachable", obs, obs.connect.detail ?? "unreachable", ev))
            return out.compactMap { $0 }
        case .error:
            out.append(raise("probe.inconclusive", obs, "Could not test: \(obs.connect.detail ?? "connect error")", ev))
            return out.compactMap { $0 }
        case .open:
            break
        }
        let detail = obs.outcomeDetail ?? ""
        switch obs.outcome {
        case .greetingTimeout:
            out.append(raise("probe.inconclusive", obs, "Could not test: connected, but no greeting before the deadline. \(detail)", ev))
        case .stalled:
            out.append(raise("probe.inconclusive", obs, "Could not test: a reply did not complete before its deadline (a drip-feeding or stuck server). \(detail)", ev))
        case .deadlineExceeded:
            out.append(raise("probe.inconclusive", obs, "Could not test: the overall deadline ended the session. \(detail)", ev))
        case .temporarilyRefused:
            let g = obs.smtp?.greeting.map { $0.wireLines.joined(separator: " ") } ?? ""
            out.append(raise("probe.inconclusive", obs, "Could not test: temporary refusal (\(g)) — rate limiting, greylisting or overload.", ev))
        case .greetingRejected:
            out.append(raise("probe.greeting.rejected", obs, greetingText(obs), ev))
        case .closedByPeer:
            out.append(raise("probe.closed-by-peer", obs, detail, ev))
        case .protocolViolation:
            out.append(raise("probe.protocol-violation", obs, detail, ev))
        case .tlsFailed:
            out.append(raise("probe.tls.failed", obs, obs.tls?.error ?? detail, ev))
        case .completed, nil:
            break
        }
        if let tls = obs.tls, tls.error == nil {
            if tls.chainVerified == false {
                out.append(raise("probe.tls.untrusted", obs, "Leaf \(tls.leafCommonName ?? "?") (\(tls.leafNames.joined(separator: ", "))) does not chain to a trusted root.", ev))
            }
            if tls.nameMatches == false {
                out.append(raise("probe.tls.name-mismatch", obs, "\(obs.host ?? obs.address) is not among \(tls.leafNames.joined(separator: ", ")) (CN \(tls.leafCommonName ?? "-")).", ev))
            }
        }
        if let smtp = obs.smtp { out += smtpFindings(smtp, obs, ev) }
        if let imap = obs.imap { out += imapFindings(imap, obs, ev) }
        if let pop = obs.pop3 { out += pop3Findings(pop, obs, ev) }
        return out.compactMap { $0 }
    }

    static func smtpFindings(_ s: SMTPObservation, _ obs: PortObservation, _ ev: String) -> [Finding?] {
        var out: [Finding?] = []
        let plaintextPort = !obs.service.implicitTLS
        if s.usedHELO { out.append(raise("smtp.ehlo.unsupported", obs, "EHLO got \(s.ehloBefore.map { "\($0.code)" } ?? "no answer"); HELO was used.", ev)) }
        if plaintextPort, s.greeting?.code == 220, s.ehloBefore != nil {
            if s.capabilitiesBefore?.startTLS != true {
                out.append(raise("smtp.starttls.missing", obs, "EHLO lists: \(s.capabilitiesBefore?.keywords.joined(separator: " ") ?? "(HELO only)").", ev))
            }
            if !s.authOfferedWithoutTLS.isEmpty {
                out.append(raise("smtp.auth.plaintext", obs, "Before STARTTLS the server offers AUTH \(s.authOfferedWithoutTLS.joined(separator: " ")).", ev))
            }
        }
        if let r = s.startTLSReply, r.code != 220 {
            out.append(raise("smtp.starttls.failed", obs, "STARTTLS answered: \(r.wireLines.joined(separator: " "))", ev))
        }
        if SMTPObservation.answersAddressQuery(s.vrfy), let r = s.vrfy {
            out.append(raise("smtp.vrfy.enabled", obs, "VRFY postmaster → \(r.wireLines.joined(separator: " "))", ev))
        }
        if SMTPObservation.answersAddressQuery(s.expn), let r = s.expn {
            out.append(raise("smtp.expn.enabled", obs, "EXPN postmaster → \(r.wireLines.joined(separator: " "))", ev))
        }
        let accepted = s.relay.filter(\.accepted)
        if !accepted.isEmpty {
            let forms = accepted.map { "\($0.form) (RCPT TO:<\($0.recipient)> → \($0.rcptReply?.code ?? 0))" }.joined(separator: "; ")
            let id = obs.service.isSubmission ? "smtp.submission.unauthenticated" : "smtp.relay.open"
            out.append(raise(id, obs, "Accepted without authentication: \(forms). The test stopped at RCPT; no DATA was sent.", ev))
        }
        switch s.injection?.verdict {
        case .vulnerable?:
            out.append(raise("smtp.starttls.injection", obs, s.injection?.evidence.joined(separator: " ") ?? "", ev))
        case .answeredInPlaintext?:
            out.append(raise("smtp.starttls.pipelined-answer", obs, s.injection?.evidence.joined(separator: " ") ?? "", ev))
        default:
            break
        }
        return out
    }

    static func imapFindings(_ i: IMAPObservation, _ obs: PortObservation, _ ev: String) -> [Finding?] {
        guard !obs.service.implicitTLS, let caps = i.capabilitiesBefore else { return [] }
        var out: [Finding?] = []
        if i.plaintextLoginOffered {
            let what = caps.loginDisabled ? "AUTH=\(caps.authMechanisms.joined(separator: " AUTH="))" : "LOGIN (no LOGINDISABLED)"
            out.append(raise("imap.login.plaintext", obs, "Before STARTTLS the server allows \(what).", ev))
        }
        if !caps.startTLS { out.append(raise("imap.starttls.missing", obs, "CAPABILITY: \(caps.atoms.joined(separator: " "))", ev)) }
        return out
    }

    static func pop3Findings(_ p: POP3Observation, _ obs: PortObservation, _ ev: String) -> [Finding?] {
        guard !obs.service.implicitTLS else { return [] }
        var out: [Finding?] = []
        if p.plaintextLoginAccepted {
            var why: [String] = []
            if let u = p.userBeforeTLS, u.isOK { why.append("USER answered \(u.statusLine)") }
            let m = p.capabilitiesBefore?.saslMechanisms.filter { $0 == "PLAIN" || $0 == "LOGIN" } ?? []
            if !m.isEmpty { why.append("CAPA offers SASL \(m.joined(separator: " "))") }
            out.append(raise("pop3.login.plaintext", obs, "Before STLS: \(why.joined(separator: "; ")).", ev))
        }
        if let caps = p.capabilitiesBefore, !caps.stls {
            out.append(raise("pop3.stls.missing", obs, "CAPA: \(caps.lines.joined(separator: ", "))", ev))
        }
        return out
    }

    static func greetingText(_ obs: PortObservation) -> String {
        if let g = obs.smtp?.greeting { return "Greeting: " + g.wireLines.joined(separator: " ") }
        if let t = obs.imap?.greetingText { return "Greeting: * \(obs.imap?.greetingStatus?.rawValue ?? "") \(t)" }
        if let g = obs.pop3?.greeting { return "Greeting: " + g.statusLine }
        return obs.outcomeDetail ?? ""
    }

    static func format(_ ms: Double) -> String { String(format: "%.1f ms", ms) }
}
