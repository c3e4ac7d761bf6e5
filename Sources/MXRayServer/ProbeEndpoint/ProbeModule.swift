import MailWire

/// A `/probe` module in the blackbox_exporter sense: which service to speak on which default
/// port, and what counts as success.
public struct ProbeModule: Sendable, Equatable {
    public let name: String
    public let service: MailService
    public let defaultPort: Int
    /// STARTTLS (or STLS) must be advertised and the upgrade must succeed.
    public let requireStartTLS: Bool
    /// The certificate chain must verify (system roots plus the configured CA file).
    public var requireVerifiedChain: Bool
    /// Upper bound on the probe's time, below Prometheus' scrape timeout.
    public var timeoutSeconds: Double

    public init(name: String, service: MailService, defaultPort: Int, requireStartTLS: Bool,
                requireVerifiedChain: Bool = true, timeoutSeconds: Double = 10) {
        self.name = name
        self.service = service
        self.defaultPort = defaultPort
        self.requireStartTLS = requireStartTLS
        self.requireVerifiedChain = requireVerifiedChain
        self.timeoutSeconds = timeoutSeconds
    }

    /// The built-in modules. RFC 3207 (SMTP STARTTLS), RFC 8314 §3 (implicit TLS on 465, 993,
    /// 995), RFC 6409 (submission on 587), RFC 9051 §6.2.1 (IMAP STARTTLS), RFC 2595 §4 (POP3 STLS).
    public static let builtIn: [ProbeModule] = [
        ProbeModule(name: "smtp_starttls", service: .smtp, defaultPort: 25, requireStartTLS: true),
        ProbeModule(name: "smtp_implicit_tls", service: .submissions, defaultPort: 465, requireStartTLS: false),
        ProbeModule(name: "submission", service: .submission, defaultPort: 587, requireStartTLS: true),
        ProbeModule(name: "imap_starttls", service: .imap, defaultPort: 143, requireStartTLS: true),
        ProbeModule(name: "imaps", service: .imaps, defaultPort: 993, requireStartTLS: false),
        ProbeModule(name: "pop3_starttls", service: .pop3, defaultPort: 110, requireStartTLS: true),
        ProbeModule(name: "pop3s", service: .pop3s, defaultPort: 995, requireStartTLS: false),
    ]

    public static func named(_ name: String) -> ProbeModule? { builtIn.first { $0.name == name } }
}

/// Why a probe failed, in one line; nil when it succeeded. Judged from what the prober saw.
///
/// SMTP: RFC 5321 §4.2.1 — a 5yz reply is a permanent failure, so a 5xx greeting or EHLO ends
/// the probe as failed at once (the prober stops at a non-220 greeting; an EHLO refused with
/// 5xx is a failure here even though the prober falls back to HELO to learn more). Multi-line
/// replies are read whole by `SMTPReplyDecoder` (RFC 5321 §4.2.1, `250-` continuation), and
/// STARTTLS counts wherever it sits in the EHLO list.
public enum ProbeVerdict {
    public static func failure(of obs: PortObservation, module: ProbeModule) -> String? {
        guard obs.connect.state == .open else {
            return "connect \(obs.connect.state.rawValue)" + (obs.connect.detail.map { ": \($0)" } ?? "")
        }
        switch obs.service.mailProtocol {
        case .smtp: if let f = smtp(obs, module) { return f }
        case .imap: if let f = imap(obs, module) { return f }
        case .pop3: if let f = pop3(obs, module) { return f }
        case .none: break
        }
        if module.requireStartTLS || obs.service.implicitTLS {
            guard let tls = obs.tls, tls.error == nil, tls.version != nil else {
                return "TLS not established" + (obs.tls?.error.map { ": \($0)" } ?? "")
            }
            if module.requireVerifiedChain && tls.chainVerified != true { return "certificate chain did not verify" }
        }
        if let outcome = obs.outcome, outcome != .completed {
            return "session ended: \(outcome.rawValue)" + (obs.outcomeDetail.map { " (\($0))" } ?? "")
        }
        return nil
    }

    static func smtp(_ obs: PortObservation, _ m: ProbeModule) -> String? {
        guard let s = obs.smtp, let greeting = s.greeting else { return "no SMTP greeting" + detail(obs) }
        if greeting.code != 220 { return "greeting \(greeting.code): \(greeting.text)" }
        guard let ehlo = s.ehloBefore else { return "no EHLO reply" + detail(obs) }
        if ehlo.code >= 500 { return "EHLO refused with \(ehlo.code)" }
        if ehlo.code != 250 { return "EHLO answered \(ehlo.code)" }
        if m.requireStartTLS {
            guard s.capabilitiesBefore?.startTLS == true else { return "STARTTLS not advertised in EHLO" }
            guard let st = s.startTLSReply else { return "no STARTTLS reply" + detail(obs) }
            if st.code != 220 { return "STARTTLS answered \(st.code)" }
            guard let after = s.ehloAfter, after.code == 250 else { return "EHLO after TLS failed" + detail(obs) }
        }
        return nil
    }

    static func imap(_ obs: PortObservation, _ m: ProbeModule) -> String? {
        guard let i = obs.imap, let status = i.greetingStatus else { return "no IMAP greeting" + detail(obs) }
        if status != .ok && status != .preauth { return "greeting \(status.rawValue)" }
        if m.requireStartTLS {
            guard i.capabilitiesBefore?.startTLS == true else { return "STARTTLS not in CAPABILITY" }
            if i.startTLSResult != "OK" { return "STARTTLS answered \(i.startTLSResult ?? "nothing")" }
            if i.capabilitiesAfter == nil { return "CAPABILITY after TLS failed" + detail(obs) }
        }
        return nil
    }

    static func pop3(_ obs: PortObservation, _ m: ProbeModule) -> String? {
        guard let p = obs.pop3, let greeting = p.greeting else { return "no POP3 greeting" + detail(obs) }
        if !greeting.isOK { return "greeting -ERR \(greeting.text)" }
        if m.requireStartTLS {
            guard p.capabilitiesBefore?.stls == true else { return "STLS not in CAPA" }
            guard p.stlsReply?.isOK == true else { return "STLS refused" }
            if p.capabilitiesAfter == nil { return "CAPA after TLS failed" + detail(obs) }
        }
        return nil
    }

    static func detail(_ obs: PortObservation) -> String {
        obs.outcomeDetail.map { ": \($0)" } ?? ""
    }
}
