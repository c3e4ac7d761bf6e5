import MailCore

/// Facts the engine derives from several observations at once; fault trees refer to them.
public enum Fact {
    /// Every MX address was probed on 25 and none answered (all filtered).
    public static let port25AllFiltered = "mx.port25.all-filtered"
    /// Every MX address refused port 25.
    public static let port25AllRefused = "mx.port25.all-refused"
    /// No MX address accepted a connection on 25 (any mix of filtered, refused, unreachable).
    public static let port25NoneOpen = "mx.port25.none-open"
    /// The domain's MTA-STS policy is in `enforce` mode (RFC 8461 §5).
    public static let mtaSTSEnforce = "mtasts.enforce"
    /// Some MX host publishes TLSA records (DANE, RFC 7672).
    public static let danePublished = "dane.published"
    /// No client port (465, 587, 993, 143, 995, 110) accepted a connection on any host.
    public static let clientNoneOpen = "client.none-open"
}

private let clientPorts = [":465", ":587", ":993", ":143", ":995", ":110"]

private func onClientPorts(_ id: String) -> Condition { .any(clientPorts.map { .finding(id, subject: $0) }) }

/// Certificate problems MTA-STS senders refuse (RFC 8461 §4.2), a CN-only name among them.
private let certProblemOn25: Condition = .any([
    .finding("probe.tls.name-mismatch", subject: ":25"), .finding("tls.cert.name-mismatch", subject: ":25"),
    .finding("tls.cert.name-cn-only", subject: ":25"),
    .finding("probe.tls.untrusted", subject: ":25"), .finding("tls.cert.untrusted", subject: ":25"),
    .finding("tls.cert.self-signed", subject: ":25"), .finding("tls.cert.expired", subject: ":25"),
])

/// The fault trees, as data. Weights (0–100) are priors: how likely and how blocking each cause
/// is for the symptom when several are present. Every path has a unit test.
public enum FaultTrees {
    public static let all: [FaultTree] = [bounce, joined(delay, latency), client, spam, tls]

    public static func tree(_ symptom: Symptom) -> FaultTree { all.first { $0.symptom == symptom }! }

    public static let bounce = FaultTree(symptom: .bounce, branches: [
        FaultBranch("DNS: where mail for the domain goes", [
            CauseDefinition(id: "bounce.domain.nxdomain", title: "The domain does not exist",
                explanation: "Senders get NXDOMAIN for the domain and bounce at once.",
                fix: "Delegate the domain (NS records at the parent) and load its zone.",
                condition: .finding("dns.domain.nxdomain"), weight: 100, references: [RFCRef(2308, "2.1")]),
            CauseDefinition(id: "bounce.mx.null", title: "A null MX says the domain takes no mail",
                explanation: "With \"MX 0 .\" senders must not try delivery and bounce immediately.",
                fix: "Replace the null MX with MX records naming the hosts that receive mail.",
                condition: .any([.finding("dns.mx.null"), .finding("dns.mx.null-mixed")]), weight: 95, references: [RFCRef(7505, "3")]),
            CauseDefinition(id: "bounce.mx.none", title: "No MX and no address: nowhere to deliver",
                explanation: "Senders find neither MX nor A/AAAA for the domain and bounce.",
                fix: "Publish MX records naming the receiving hosts.",
                condition: .finding("dns.mx.none"), weight: 95, references: [RFCRef(5321, "5.1")]),
            CauseDefinition(id: "bounce.dns.failing", title: "DNS lookups for the domain fail",
                explanation: "SERVFAIL or timeouts (often a broken DNSSEC chain) make senders defer and finally bounce.",
                fix: "Fix the authoritative servers or the DNSSEC chain (DS at the parent matching a DNSKEY).",
                condition: .any([.finding("dns.lookup.failed"), .finding("dns.dnssec.bogus")]), weight: 80, references: [RFCRef(4035, "5.5")]),
            CauseDefinition(id: "bounce.mx.nxdomain", title: "An MX host does not exist or has no address",
                explanation: "Senders skip that MX; when it is the only usable one, mail bounces.",
                fix: "Create the host's A/AAAA records or remove the MX record naming it.",
                condition: .any([.finding("dns.mx.nxdomain"), .finding("dns.mx.no-address"), .finding("dns.mx.ip-literal")]),
                weight: 60, references: [RFCRef(5321, "5.1")]),
            CauseDefinition(id: "bounce.mx.cname", title: "An MX target is a CNAME",
                explanation: "Strict senders refuse an MX that points at an alias; others follow it, so only some senders fail.",
                fix: "Point the MX at the canonical name (the CNAME's target).",
                condition: .finding("dns.mx.cname"), weight: 45, references: [RFCRef(2181, "10.3")]),
        ]),
        FaultBranch("Reachability of port 25", [
            CauseDefinition(id: "bounce.mx.http-cdn", title: "An MX host points at an HTTP CDN address",
                explanation: "The MX name resolves to a CDN edge that proxies HTTP(S) only; SMTP is not proxied, so senders find port 25 dead there.",
                fix: "Stop proxying the MX name at the CDN (DNS only) or point the MX at an unproxied name with the mail server's own address.",
                condition: .finding("dns.mx.http-cdn"), weight: 92, references: [RFCRef(5321, "5.1")]),
            CauseDefinition(id: "bounce.port25.all-filtered", title: "Every MX address is filtered on port 25",
                explanation: "No sender can connect: a firewall drops the packets, or the network provider blocks port 25. Mail waits in senders' queues, then bounces.",
                fix: "Open TCP 25 inbound on the firewall; if it is open, test from another network — the provider may block 25.",
                condition: .fact(Fact.port25AllFiltered), weight: 90, references: [RFCRef(5321, "4.5.4.1")]),
            CauseDefinition(id: "bounce.port25.all-refused", title: "Every MX address refuses port 25",
                explanation: "Nothing listens on port 25 at those addresses (or a REJECT rule answers for it).",
                fix: "Start the SMTP server and make it listen on the MX addresses (Postfix inet_interfaces, master.cf).",
                condition: .fact(Fact.port25AllRefused), weight: 90, references: [RFCRef(5321, "4.5.4.1")]),
            CauseDefinition(id: "bounce.port25.none-open", title: "No MX address accepts connections on port 25",
                explanation: "Every MX is unreachable in one way or another, so nothing can be delivered.",
                fix: "Make at least one MX host listen on port 25 and open the firewall for it.",
                condition: .fact(Fact.port25NoneOpen), weight: 88),
            CauseDefinition(id: "bounce.port25.refused", title: "An MX address refuses port 25",
                explanation: "Nothing listens on port 25 at that address; senders move on to the next MX or defer.",
                fix: "Start the SMTP server on that host, or remove its MX record.",
                condition: .finding("port.refused", subject: ":25"), weight: 50),
            CauseDefinition(id: "bounce.port25.filtered", title: "An MX address is filtered on port 25",
                explanation: "A firewall drops connections to that MX; senders wait for a timeout, then try the next MX.",
                fix: "Open TCP 25 to that host, or remove its MX record.",
                condition: .finding("port.filtered", subject: ":25"), weight: 50),
            CauseDefinition(id: "bounce.greeting.rejected", title: "An MX refuses service in its greeting",
                explanation: "A 554 greeting tells every sender to go away.",
                fix: "Fix the server's access rules (postscreen, client restrictions) that refuse all clients.",
                condition: .finding("probe.greeting.rejected", subject: ":25"), weight: 55, references: [RFCRef(5321, "3.1")]),
        ]),
        FaultBranch("Transport security policy (MTA-STS, DANE)", [
            CauseDefinition(id: "bounce.mtasts.certificate", title: "Certificate problem on an MX while MTA-STS is in enforce mode",
                explanation: "MTA-STS senders (Gmail, Microsoft and others) require a valid certificate naming the MX; they will not deliver to it.",
                fix: "Install a certificate from a public CA that names the MX host, or switch the policy to testing until it is fixed.",
                condition: .all([certProblemOn25, .fact(Fact.mtaSTSEnforce)]), weight: 70, references: [RFCRef(8461, "4.2")]),
            CauseDefinition(id: "bounce.mtasts.uncovered", title: "The MTA-STS policy does not list an MX host, in enforce mode",
                explanation: "MTA-STS senders refuse to deliver to an MX the policy does not name.",
                fix: "Add every MX host to the policy's mx: lines and bump the id in the _mta-sts TXT record.",
                condition: .all([.finding("mtasts.mx.uncovered"), .fact(Fact.mtaSTSEnforce)]), weight: 65, references: [RFCRef(8461, "4.1")]),
            CauseDefinition(id: "bounce.dane.mismatch", title: "TLSA records do not match the MX certificate",
                explanation: "DANE senders (many European providers) defer and finally bounce when no TLSA record matches.",
                fix: "Publish TLSA records for the current key (3 1 1 of the SPKI) before rolling keys.",
                condition: .finding("tls.dane.mismatch"), weight: 60, references: [RFCRef(7672, "2.2")]),
            CauseDefinition(id: "bounce.starttls.broken", title: "STARTTLS fails on an MX",
                explanation: "Senders that require TLS (MTA-STS, DANE, policy) cannot deliver; others may fall back to plaintext.",
                fix: "Fix the server's TLS configuration (certificate and key files, protocols).",
                condition: .any([.finding("smtp.starttls.failed", subject: ":25"), .finding("probe.tls.failed", subject: ":25")]), weight: 40,
                references: [RFCRef(3207, "4")]),
        ]),
    ])

    public static let delay = FaultTree(symptom: .delay, branches: [
        FaultBranch("Reachability", [
            CauseDefinition(id: "delay.port25.filtered", title: "An MX is filtered on port 25 while another answers",
                explanation: "Senders that try the dead MX first wait for a connect timeout (often minutes) before the next.",
                fix: "Open TCP 25 to that host or remove its MX record.",
                condition: .all([.finding("port.filtered", subject: ":25"), .not(.fact(Fact.port25NoneOpen))]), weight: 80),
            CauseDefinition(id: "delay.port25.refused", title: "An MX refuses port 25 while another answers",
                explanation: "Senders that try it first lose a round trip and may queue the message for a retry.",
                fix: "Start the SMTP server on that host or remove its MX record.",
                condition: .all([.finding("port.refused", subject: ":25"), .not(.fact(Fact.port25NoneOpen))]), weight: 55),
            CauseDefinition(id: "delay.greeting.slow", title: "An MX greets late, greylists or rate-limits",
                explanation: "A tarpit, greylisting or a 421 makes senders retry later.",
                fix: "Check postscreen/greylisting delays and the server's load.",
                condition: .finding("probe.inconclusive", subject: ":25"), weight: 50, references: [RFCRef(5321, "4.5.3.2")]),
            CauseDefinition(id: "delay.mx.nxdomain", title: "An MX host does not exist or has no address",
                explanation: "Senders waste lookups and retries on it.",
                fix: "Remove the MX record or create the host's address records.",
                condition: .any([.finding("dns.mx.nxdomain"), .finding("dns.mx.no-address")]), weight: 40),
        ]),
        FaultBranch("Transport security", [
            CauseDefinition(id: "delay.dane.mismatch", title: "TLSA records do not match: DANE senders defer",
                explanation: "DANE senders keep the mail queued and retry until the records match or the queue lifetime ends.",
                fix: "Publish TLSA records that match the certificate in use.",
                condition: .finding("tls.dane.mismatch"), weight: 70, references: [RFCRef(7672, "2.2")]),
            CauseDefinition(id: "delay.mtasts.certificate", title: "Certificate problem on an MX under MTA-STS enforce",
                explanation: "MTA-STS senders defer delivery to that MX.",
                fix: "Install a valid certificate naming the MX host.",
                condition: .all([certProblemOn25, .fact(Fact.mtaSTSEnforce)]), weight: 65, references: [RFCRef(8461, "4.2")]),
            CauseDefinition(id: "delay.starttls.failed", title: "STARTTLS fails on an MX",
                explanation: "Senders retry or fall back; mail that requires TLS waits.",
                fix: "Fix the TLS configuration of that MX.",
                condition: .any([.finding("smtp.starttls.failed", subject: ":25"), .finding("probe.tls.failed", subject: ":25")]), weight: 50),
        ]),
        FaultBranch("DNS", [
            CauseDefinition(id: "delay.dns.failing", title: "DNS lookups fail intermittently",
                explanation: "Senders defer on SERVFAIL and retry later.",
                fix: "Fix the failing authoritative servers or the DNSSEC chain.",
                condition: .any([.finding("dns.lookup.failed"), .finding("dns.dnssec.bogus")]), weight: 55),
            CauseDefinition(id: "delay.dns.lame", title: "A name server is lame or out of sync",
                explanation: "Resolvers that ask it time out or get stale answers before trying another server.",
                fix: "Load the zone on every listed name server, or remove the lame one from the NS set.",
                condition: .any([.finding("dns.ns.lame"), .finding("dns.ns.inconsistent")]), weight: 40, references: [RFCRef(1912, "2.8")]),
        ]),
    ])

    public static let client = FaultTree(symptom: .client, branches: [
        FaultBranch("Reachability of client ports", [
            CauseDefinition(id: "client.ports.none-open", title: "No client port (465, 587, 993, 143, 995, 110) accepts connections",
                explanation: "Mail clients cannot reach any submission or mailbox service.",
                fix: "Start the submission and IMAP services and open their ports on the firewall.",
                condition: .fact(Fact.clientNoneOpen), weight: 90, references: [RFCRef(8314, "3")]),
            CauseDefinition(id: "client.port.filtered", title: "A client port is filtered",
                explanation: "Clients configured for that port hang until a timeout.",
                fix: "Open the port on the firewall, or configure clients for a port that answers.",
                condition: onClientPorts("port.filtered"), weight: 60),
            CauseDefinition(id: "client.port.refused", title: "A client port refuses connections",
                explanation: "Nothing listens there; clients configured for it fail at once.",
                fix: "Enable the service (e.g. Postfix submission/submissions in master.cf, Dovecot imaps) or use another port.",
                condition: onClientPorts("port.refused"), weight: 50),
            CauseDefinition(id: "client.config.wrong", title: "Published client settings send clients to the wrong place",
                explanation: "Clients configure themselves from SRV, autoconfig or Autodiscover; a setting there names a host or port that does not answer, or the wrong TLS mode.",
                fix: "Correct the SRV, autoconfig or Autodiscover entry to the host, port and security the server really uses.",
                condition: .any([.finding("client.config.unreachable"), .finding("client.config.security-mismatch"), .finding("client.config.no-auth")]),
                weight: 65, references: [RFCRef(6186, "3"), RFCRef(8314, "5.1")]),
        ]),
        FaultBranch("Certificates and TLS", [
            CauseDefinition(id: "client.cert.expired", title: "A certificate has expired",
                explanation: "Every current client refuses the connection.",
                fix: "Renew the certificate and reload the services.",
                condition: .finding("tls.cert.expired"), weight: 85),
            CauseDefinition(id: "client.cert.untrusted", title: "A client port's certificate is not trusted",
                explanation: "Clients warn or refuse: the certificate is self-signed or its chain is incomplete.",
                fix: "Use a certificate from a public CA with the full chain.",
                condition: .any([onClientPorts("probe.tls.untrusted"), .finding("tls.cert.self-signed"), .finding("tls.cert.incomplete-chain")]),
                weight: 70),
            CauseDefinition(id: "client.cert.name", title: "A client port's certificate does not name the host",
                explanation: "Clients refuse a certificate for another name.",
                fix: "Include the client-facing host names (imap., smtp., mail.) in the certificate.",
                condition: onClientPorts("probe.tls.name-mismatch"), weight: 70, references: [RFCRef(9525, "6.3")]),
            CauseDefinition(id: "client.tls.failed", title: "The TLS handshake fails on a client port",
                explanation: "Clients cannot establish TLS at all.",
                fix: "Check the certificate and key files and the allowed protocol versions.",
                condition: onClientPorts("probe.tls.failed"), weight: 75),
        ]),
    ])
}
