import MailCore

/// Findings of the probe stage: reachability of the mail ports, SMTP/IMAP/POP3 dialogue,
/// STARTTLS and exposure. Ids are stable; reports and fault trees refer to them.
extension FindingCatalog {
    static let probe: [FindingDefinition] = [
        // Reachability
        FindingDefinition(
            id: "port.filtered", severity: .warning,
            title: "Port filtered: no answer to the connection attempt",
            remediation: "If the service should be reachable, open the port in every firewall on the path (host, network, provider); for port 25 check that the provider does not block it.",
            references: [RFCRef(5321, "4.5.3.2")]),
        FindingDefinition(
            id: "port.refused", severity: .info,
            title: "Port closed: the connection was refused",
            remediation: "Nothing listens on this port. If the service should run here, start it or make it listen on this address.",
            references: [RFCRef(793, "3.4")]),
        FindingDefinition(
            id: "port.unreachable", severity: .error,
            title: "Address unreachable: no route or an ICMP error",
            remediation: "Check routing and that the address is still in use; a published mail host address must be reachable.",
            references: [RFCRef(1122, "3.2.2.1")]),
        FindingDefinition(
            id: "probe.inconclusive", severity: .notice,
            title: "Could not test: the server did not let the probe finish",
            remediation: "Retry later. A silent greeting, a 421 or a stalled reply can be rate limiting, greylisting or a tarpit aimed at the probing address rather than a fault.",
            references: [RFCRef(5321, "4.5.3.2"), RFCRef(5321, "3.8")]),
        FindingDefinition(
            id: "probe.greeting.rejected", severity: .error,
            title: "The server refused service in its greeting",
            remediation: "A 554 greeting (or IMAP BYE, POP3 -ERR) refuses every client. If the host should accept mail from anywhere, check connection-level blocks (postscreen, DNSBL, access lists).",
            references: [RFCRef(5321, "3.1"), RFCRef(9051, "7.1.5")]),
        FindingDefinition(
            id: "probe.closed-by-peer", severity: .warning,
            title: "The server closed the connection in the middle of the dialogue",
            remediation: "Look at the server's log for the probing address: crashes, connection limits and aggressive anti-abuse rules end sessions like this.",
            references: [RFCRef(5321, "3.8")]),
        FindingDefinition(
            id: "probe.protocol-violation", severity: .error,
            title: "The server's replies break the protocol or its bounds",
            remediation: "A reply line without line feed over 64 KiB, a reply over 1 MiB or a malformed reply is what a broken or hostile server sends; check what really answers on this port.",
            references: [RFCRef(5321, "4.2"), RFCRef(5321, "4.5.3.1")]),
        FindingDefinition(
            id: "probe.tls.failed", severity: .error,
            title: "The TLS handshake failed",
            remediation: "Check the server's certificate and key files and its TLS protocol and cipher settings; clients that require TLS cannot connect.",
            references: [RFCRef(3207, "4.1"), RFCRef(8314, "3")]),
        FindingDefinition(
            id: "probe.tls.untrusted", severity: .warning,
            title: "The certificate chain does not verify against the trust roots",
            remediation: "Install a certificate from a public CA (or publish DANE TLSA records) and serve the full chain including intermediates.",
            references: [RFCRef(8314, "4.4"), RFCRef(7672, "3")]),
        FindingDefinition(
            id: "probe.tls.name-mismatch", severity: .warning,
            title: "The certificate does not name the host",
            remediation: "Issue a certificate whose subjectAltName includes this host name (the MX name for port 25).",
            references: [RFCRef(6125, "6.4"), RFCRef(8461, "4.1")]),

        // SMTP
        FindingDefinition(
            id: "smtp.starttls.missing", severity: .error,
            title: "STARTTLS not offered: mail travels in clear",
            remediation: "Enable STARTTLS with a certificate (Postfix: smtpd_tls_security_level = may, smtpd_tls_chain_files).",
            references: [RFCRef(3207, "4"), RFCRef(8461, "1")]),
        FindingDefinition(
            id: "smtp.starttls.failed", severity: .error,
            title: "STARTTLS was offered but refused when used",
            remediation: "The server advertises STARTTLS and then refuses it: fix its TLS configuration (certificate and key files, permissions).",
            references: [RFCRef(3207, "4")]),
        FindingDefinition(
            id: "smtp.auth.plaintext", severity: .error,
            title: "AUTH offered before TLS: passwords can be sent in clear",
            remediation: "Offer AUTH only after STARTTLS (Postfix: smtpd_tls_auth_only = yes) and prefer implicit TLS on port 465 for submission.",
            references: [RFCRef(4954, "4"), RFCRef(8314, "3.3")]),
        FindingDefinition(
            id: "smtp.vrfy.enabled", severity: .warning,
            title: "VRFY answers: addresses can be enumerated",
            remediation: "Disable VRFY (Postfix: disable_vrfy_command = yes).",
            references: [RFCRef(5321, "3.5.3"), RFCRef(5321, "7.3")]),
        FindingDefinition(
            id: "smtp.expn.enabled", severity: .warning,
            title: "EXPN answers: list members can be enumerated",
            remediation: "Disable EXPN on servers reachable from the Internet.",
            references: [RFCRef(5321, "3.5.3"), RFCRef(5321, "7.3")]),
        FindingDefinition(
            id: "smtp.relay.open", severity: .critical,
            title: "Open relay: mail from outside to outside is accepted",
            remediation: "Accept a recipient only for your own domains, or from authenticated or trusted clients (Postfix: smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination). Keep mynetworks to your own hosts.",
            references: [RFCRef(5321, "3.6.2"), RFCRef(2505, "2")]),
        FindingDefinition(
            id: "smtp.submission.unauthenticated", severity: .critical,
            title: "Submission port accepts mail without authentication",
            remediation: "Require AUTH on ports 587 and 465 before MAIL or RCPT (Postfix master.cf: -o smtpd_client_restrictions=permit_sasl_authenticated,reject).",
            references: [RFCRef(6409, "4.3"), RFCRef(8314, "3.3")]),
        FindingDefinition(
            id: "smtp.starttls.injection", severity: .error,
            title: "STARTTLS command injection: a command sent before TLS is answered inside TLS",
            remediation: "Upgrade the MTA: it must discard input buffered before the TLS handshake (CVE-2011-0411 class).",
            references: [RFCRef(3207, "4.2")]),
        FindingDefinition(
            id: "smtp.starttls.pipelined-answer", severity: .notice,
            title: "A command pipelined after STARTTLS was answered in clear",
            remediation: "Not exploitable by itself, but a server should not process commands pipelined after STARTTLS (RFC 3207 §4.2); check the MTA version.",
            references: [RFCRef(3207, "4.2"), RFCRef(2920, "3.1")]),
        FindingDefinition(
            id: "smtp.ehlo.unsupported", severity: .warning,
            title: "EHLO refused: only HELO works, so no extensions (no STARTTLS, no SIZE)",
            remediation: "Enable ESMTP; every current MTA supports EHLO.",
            references: [RFCRef(5321, "4.1.4")]),

        // IMAP and POP3
        FindingDefinition(
            id: "imap.login.plaintext", severity: .error,
            title: "IMAP accepts a password before TLS",
            remediation: "Advertise LOGINDISABLED and refuse LOGIN and PLAIN until STARTTLS (Dovecot: ssl = required, auth_allow_cleartext = no / disable_plaintext_auth = yes); prefer port 993.",
            references: [RFCRef(9051, "6.2.3"), RFCRef(8314, "3.2")]),
        FindingDefinition(
            id: "imap.starttls.missing", severity: .warning,
            title: "IMAP port 143 offers no STARTTLS",
            remediation: "Enable TLS on port 143 or close it and serve IMAP on port 993 only.",
            references: [RFCRef(9051, "6.2.1"), RFCRef(8314, "3.2")]),
        FindingDefinition(
            id: "pop3.login.plaintext", severity: .error,
            title: "POP3 accepts a password before TLS",
            remediation: "Refuse USER/PASS and SASL PLAIN before STLS (Dovecot: auth_allow_cleartext = no / disable_plaintext_auth = yes); prefer port 995.",
            references: [RFCRef(2595, "2.1"), RFCRef(8314, "3.2")]),
        FindingDefinition(
            id: "pop3.stls.missing", severity: .warning,
            title: "POP3 port 110 offers no STLS",
            remediation: "Enable STLS on port 110 or close it and serve POP3 on port 995 only.",
            references: [RFCRef(2595, "4"), RFCRef(8314, "3.2")]),
    ]
}
