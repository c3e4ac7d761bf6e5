/// Groups of finding ids that several profiles map to the same kind of control. Each profile
/// still lists its controls in its own file; these only keep the lists in step.
enum FindingGroup {
    /// The MX hosts do not offer or complete STARTTLS (RFC 3207).
    static let mxTransportTLS = ["smtp.starttls.missing", "smtp.starttls.failed", "probe.tls.failed", "tls.none",
                                 "smtp.starttls.injection"]
    /// Protocol versions and suites below the current guidance (TLS 1.2+).
    static let tlsBelow12 = ["tls.version.insufficient", "tls.version.phase-out"]
    static let weakCrypto = ["tls.suite.insufficient", "tls.compression", "tls.renegotiation.insecure", "tls.group.weak"]
    /// Certificates clients and strict senders refuse.
    static let certificates = ["tls.cert.untrusted", "tls.cert.self-signed", "tls.cert.incomplete-chain", "tls.cert.name-mismatch", "tls.cert.name-cn-only",
                               "tls.cert.expired", "tls.cert.weak", "probe.tls.untrusted", "probe.tls.name-mismatch"]
    /// Passwords that would cross the network without TLS (RFC 8314 §3, RFC 4954 §4, RFC 2595 §2.1).
    static let plaintextCredentials = ["smtp.auth.plaintext", "imap.login.plaintext", "pop3.login.plaintext",
                                       "client.config.plaintext"]
    /// The server relays or submits for anyone.
    static let openRelay = ["smtp.relay.open", "smtp.submission.unauthenticated"]
    static let spf = ["spf.missing", "spf.multiple", "spf.syntax", "spf.lookups.exceeded", "spf.permerror", "spf.all.pass",
                      "spf.all.neutral", "spf.no-all", "spf.include.invalid", "spf.string.long"]
    static let dmarc = ["dmarc.missing", "dmarc.multiple", "dmarc.invalid", "dmarc.tag.invalid", "dmarc.policy.none",
                        "dmarc.external.unauthorized", "dmarc.psl.missing"]
    static let dkim = ["dkim.key.insecure", "dkim.key.invalid", "dkim.key.weak"]
    static let mtaSTS = ["mtasts.record.invalid", "mtasts.fetch.failed", "mtasts.policy.invalid", "mtasts.mx.uncovered"]
    static let dane = ["tls.dane.mismatch", "tls.dane.not-authentic", "dns.dnssec.bogus"]
    static let dnssec = ["dns.dnssec.unsigned", "dns.dnssec.not-validated", "dns.dnssec.bogus"]
    /// Nobody can deliver: the MX set or its port 25 is unusable.
    static let availability = ["check.mx.unreachable", "dns.mx.none", "dns.mx.nxdomain", "dns.mx.no-address", "dns.lookup.failed",
                               "dns.dnssec.bogus", "dns.mx.http-cdn", "dns.ns.lame"]
    /// Services that give information away or known protocol flaws.
    static let exposure = ["smtp.vrfy.enabled", "smtp.expn.enabled"]
    static let knownFlaws = ["smtp.starttls.injection", "tls.renegotiation.insecure", "tls.compression"]
}
