/// What the SMTP dialogue showed (RFC 5321, 3207, 4954).
public struct SMTPObservation: Sendable, Codable, Equatable {
    public var greeting: SMTPReply?
    public var greetingMilliseconds: Double?
    public var fingerprint: ServerFingerprint?
    public var ehloBefore: SMTPReply?
    public var capabilitiesBefore: SMTPCapabilities?
    /// EHLO was refused and HELO used instead (RFC 5321 §4.1.4).
    public var usedHELO = false
    public var startTLSReply: SMTPReply?
    public var ehloAfter: SMTPReply?
    public var capabilitiesAfter: SMTPCapabilities?
    public var capabilityDiff: CapabilityDiff?
    public var vrfy: SMTPReply?
    public var expn: SMTPReply?
    public var relay: [RelayAttempt] = []
    public var injection: InjectionResult?

    public init() {}

    /// RFC 4954 §4 / RFC 3207 §5: AUTH advertised before TLS on a channel that was not TLS.
    public var authOfferedWithoutTLS: [String] { capabilitiesBefore?.authMechanisms ?? [] }

    /// RFC 5321 §3.5.2: 250/251 verify an address; 252 "cannot verify but will accept" is what a
    /// server says when VRFY is switched off, unless it then leaks a 5.1.x address status.
    public static func answersAddressQuery(_ reply: SMTPReply?) -> Bool {
        guard let reply else { return false }
        if reply.code == 250 || reply.code == 251 { return true }
        if reply.code == 252 {
            let t = reply.text.lowercased()
            let off = ["disabled", "prohibit", "not allowed", "not permitted", "cannot vrfy", "cannot verify",
                       "not implemented", "administrative", "send some mail"]
            return !off.contains { t.contains($0) }
        }
        // 550 5.1.1 "user unknown" answers the question as well.
        if reply.code == 550 || reply.code == 551 || reply.code == 553, reply.enhancedCode?.subject == 1 { return true }
        return false
    }
}

/// One open-relay attempt: a sender and recipient outside the server's domains, in one of the
/// address forms relays have been tricked with. Stops after RCPT (no DATA is ever sent).
public struct RelayAttempt: Sendable, Codable, Equatable {
    public let form: String
    public let sender: String
    public let recipient: String
    public var mailReply: SMTPReply?
    public var rcptReply: SMTPReply?

    public init(form: String, sender: String, recipient: String) {
        self.form = form
        self.sender = sender
        self.recipient = recipient
    }

    /// RFC 5321 §4.1.1.3: a 250/251 to RCPT means the server took responsibility to deliver.
    public var accepted: Bool { rcptReply.map { $0.code == 250 || $0.code == 251 } ?? false }
}

/// The STARTTLS command-injection test (CVE-2011-0411 class): a command pipelined after
/// STARTTLS in the same packet must be discarded, never answered inside TLS.
public struct InjectionResult: Sendable, Codable, Equatable {
    public enum Verdict: String, Sendable, Codable {
        /// Nothing answered the injected command.
        case notVulnerable
        /// A reply to the injected command arrived inside TLS.
        case vulnerable
        /// The server answered the injected command in plaintext, before the handshake.
        case answeredInPlaintext
    }
    public let verdict: Verdict
    public let evidence: [String]

    public init(verdict: Verdict, evidence: [String] = []) {
        self.verdict = verdict
        self.evidence = evidence
    }
}

/// What the IMAP dialogue showed (RFC 9051, 3501).
public struct IMAPObservation: Sendable, Codable, Equatable {
    /// `OK`, `PREAUTH` or `BYE` (RFC 9051 §7.1).
    public var greetingStatus: IMAPStatus?
    public var greetingText: String?
    public var greetingMilliseconds: Double?
    public var fingerprint: ServerFingerprint?
    public var capabilitiesBefore: IMAPCapabilities?
    public var startTLSResult: String?
    public var capabilitiesAfter: IMAPCapabilities?
    public var capabilityDiff: CapabilityDiff?

    public init() {}

    /// RFC 9051 §6.2.3 / RFC 3501 §6.2.3: without LOGINDISABLED on a plaintext channel, LOGIN
    /// would carry the password in clear; `AUTH=PLAIN`/`AUTH=LOGIN` likewise.
    public var plaintextLoginOffered: Bool {
        guard let c = capabilitiesBefore else { return false }
        let mechs = c.authMechanisms
        return !c.loginDisabled || mechs.contains("PLAIN") || mechs.contains("LOGIN")
    }
}

/// What the POP3 dialogue showed (RFC 1939, 2449, 2595).
public struct POP3Observation: Sendable, Codable, Equatable {
    public var greeting: POP3Response?
    public var greetingMilliseconds: Double?
    public var fingerprint: ServerFingerprint?
    public var apopTimestamp: String?
    public var capabilitiesBefore: POP3Capabilities?
    /// The answer to `USER` sent on the plaintext channel (no PASS follows).
    public var userBeforeTLS: POP3Response?
    public var stlsReply: POP3Response?
    public var capabilitiesAfter: POP3Capabilities?
    public var capabilityDiff: CapabilityDiff?

    public init() {}

    /// RFC 2595 §2.1: a server should refuse plaintext login before TLS. `+OK` to USER (or
    /// SASL PLAIN/LOGIN offered in CAPA) on the plaintext channel means it would accept it.
    public var plaintextLoginAccepted: Bool {
        if userBeforeTLS?.isOK == true { return true }
        let m = capabilitiesBefore?.saslMechanisms ?? []
        return m.contains("PLAIN") || m.contains("LOGIN")
    }
}
