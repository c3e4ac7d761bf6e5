import MailCore

/// Findings of the TLS scan (`mxray tls`): versions, suites, groups, features, certificate,
/// DANE. Grades follow the NCSC-NL guidelines (`TLS/NCSCGuidelines.swift`).
extension FindingCatalog {
    static let tls: [FindingDefinition] = [
        FindingDefinition(
            id: "tls.grade", severity: .info,
            title: "TLS grade of the port (worst of its parts, NCSC-NL levels)",
            remediation: "Fix the part named in the detail first: the port is only as good as its weakest accepted option.",
            guidance: ["NCSC-NL IT Security Guidelines for TLS v2.1"]),
        FindingDefinition(
            id: "tls.could-not-test", severity: .notice,
            title: "TLS could not be tested: the server did not let the scan run",
            remediation: "Retry later or from another address; a 421, throttling or a stalled handshake says nothing about the server's TLS.",
            references: [RFCRef(5321, "3.8")]),
        FindingDefinition(
            id: "tls.none", severity: .error,
            title: "No TLS on this port",
            remediation: "Enable STARTTLS (or implicit TLS on 465/993/995) with a certificate for the host name.",
            references: [RFCRef(3207, "4"), RFCRef(8314, "3")]),
        FindingDefinition(
            id: "tls.version.insufficient", severity: .error,
            title: "SSLv3 is accepted",
            remediation: "Disable SSLv3 (Postfix: smtpd_tls_protocols = >=TLSv1.2; Dovecot: ssl_min_protocol = TLSv1.2).",
            references: [RFCRef(7568, "1")]),
        FindingDefinition(
            id: "tls.version.phase-out", severity: .warning,
            title: "TLS 1.0 or 1.1 is accepted",
            remediation: "Disable TLS 1.0 and 1.1 (Postfix: smtpd_tls_protocols = >=TLSv1.2; Dovecot: ssl_min_protocol = TLSv1.2).",
            references: [RFCRef(8996, "1")]),
        FindingDefinition(
            id: "tls.version.no-tls13", severity: .notice,
            title: "TLS 1.3 is not offered",
            remediation: "Upgrade the TLS library (OpenSSL ≥1.1.1) and allow TLSv1.3.",
            references: [RFCRef(8446, "1")]),
        FindingDefinition(
            id: "tls.suite.insufficient", severity: .error,
            title: "Cipher suites the NCSC-NL guidelines call insufficient are accepted",
            remediation: "Restrict the suites to ECDHE/DHE with AES-GCM or ChaCha20-Poly1305 (Postfix: smtpd_tls_mandatory_ciphers = high and tls_high_cipherlist; Dovecot: ssl_cipher_list).",
            references: [RFCRef(9325, "4.1")]),
        FindingDefinition(
            id: "tls.suite.phase-out", severity: .warning,
            title: "Cipher suites to phase out are accepted (RSA key exchange, 3DES)",
            remediation: "Remove static-RSA and 3DES suites; keep ECDHE with AEAD ciphers.",
            references: [RFCRef(9325, "4.1")]),
        FindingDefinition(
            id: "tls.suite.client-order", severity: .info,
            title: "The server follows the client's cipher order",
            remediation: "Let the server choose (Postfix: tls_preempt_cipherlist = yes; Dovecot: ssl_prefer_server_ciphers = yes).",
            references: [RFCRef(9325, "4.2")]),
        FindingDefinition(
            id: "tls.group.weak", severity: .warning,
            title: "Weak key-exchange groups are accepted",
            remediation: "Offer X25519, secp256r1, secp384r1 (and X25519MLKEM768); drop ffdhe2048 and smaller DH groups.",
            references: [RFCRef(8446, "4.2.7"), RFCRef(7919, "3")]),
        FindingDefinition(
            id: "tls.pq.ready", severity: .pass,
            title: "Post-quantum hybrid key exchange is supported",
            remediation: "Nothing to do.",
            references: [RFCRef(8446, "4.2.7")]),
        FindingDefinition(
            id: "tls.pq.missing", severity: .info,
            title: "No post-quantum hybrid key exchange (X25519MLKEM768)",
            remediation: "Upgrade to a TLS library with ML-KEM hybrids (OpenSSL ≥3.5, BoringSSL) and enable X25519MLKEM768 first in the group list.",
            references: [RFCRef(8446, "4.2.7")]),
        FindingDefinition(
            id: "tls.compression", severity: .error,
            title: "TLS compression is enabled (CRIME)",
            remediation: "Disable TLS compression (OpenSSL: SSL_OP_NO_COMPRESSION, the default since 1.1.0).",
            references: [RFCRef(7457, "2.6")]),
        FindingDefinition(
            id: "tls.renegotiation.insecure", severity: .error,
            title: "Secure renegotiation (RFC 5746) is not supported",
            remediation: "Upgrade the TLS library; every maintained one supports renegotiation_info.",
            references: [RFCRef(5746, "3.6")]),
        FindingDefinition(
            id: "tls.ems.missing", severity: .notice,
            title: "Extended master secret (RFC 7627) is not supported",
            remediation: "Upgrade the TLS library or prefer TLS 1.3, where the transcript is always bound.",
            references: [RFCRef(7627, "5.1")]),
        FindingDefinition(
            id: "tls.fallback-scsv.missing", severity: .notice,
            title: "TLS_FALLBACK_SCSV is ignored: downgrades are not detected",
            remediation: "Upgrade the TLS library; or accept only TLS 1.2 and 1.3 so that there is nothing to fall back to.",
            references: [RFCRef(7507, "3")]),
        FindingDefinition(
            id: "tls.cert.untrusted", severity: .error,
            title: "The certificate does not chain to a trusted root",
            remediation: "Use a certificate from a public CA (or the CA your senders trust) and send the full chain.",
            references: [RFCRef(5280, "6.1")]),
        FindingDefinition(
            id: "tls.cert.self-signed", severity: .error,
            title: "The certificate is self-signed",
            remediation: "Replace it with a CA-issued certificate (e.g. ACME); MTA-STS senders refuse self-signed certificates.",
            references: [RFCRef(8461, "4.2")]),
        FindingDefinition(
            id: "tls.cert.incomplete-chain", severity: .error,
            title: "The server sends the leaf certificate without its intermediates",
            remediation: "Configure the full chain file (Postfix: smtpd_tls_chain_files; Dovecot: ssl_cert with the chain).",
            references: [RFCRef(8446, "4.4.2"), RFCRef(5246, "7.4.2")]),
        FindingDefinition(
            id: "tls.cert.name-mismatch", severity: .error,
            title: "The certificate does not name the host",
            remediation: "Issue the certificate with the MX host name in the subjectAltName (RFC 6125 rules, as MTA-STS requires).",
            references: [RFCRef(6125, "6.4"), RFCRef(8461, "4.1")]),
        FindingDefinition(
            id: "tls.cert.name-cn-only", severity: .warning,
            title: "The host name is only in the certificate's common name",
            remediation: "Reissue the certificate with the MX host name as a subjectAltName dNSName: MTA-STS senders accept no other (RFC 8461 §4.2) and current clients ignore the CN (RFC 9525 §6.3).",
            references: [RFCRef(8461, "4.2"), RFCRef(9525, "6.3")]),
        FindingDefinition(
            id: "tls.cert.expired", severity: .critical,
            title: "The certificate has expired",
            remediation: "Renew the certificate and reload the server; automate renewal.",
            references: [RFCRef(5280, "4.1.2.5")]),
        FindingDefinition(
            id: "tls.cert.expiring", severity: .warning,
            title: "The certificate expires within 14 days",
            remediation: "Renew now; check that automated renewal and the reload hook work.",
            references: [RFCRef(5280, "4.1.2.5")]),
        FindingDefinition(
            id: "tls.cert.weak", severity: .warning,
            title: "The certificate's key or signature is weak",
            remediation: "Reissue with RSA ≥3072 bits or ECDSA P-256/P-384, signed with SHA-256 or better.",
            references: [RFCRef(9325, "4.4")]),
        FindingDefinition(
            id: "tls.dane.match", severity: .pass,
            title: "DANE: a TLSA record matches the presented certificate chain",
            remediation: "Nothing to do; publish the next key's TLSA record before rolling over (RFC 7671 §8.1).",
            references: [RFCRef(7672, "2.2"), RFCRef(6698, "2.1")]),
        FindingDefinition(
            id: "tls.dane.mismatch", severity: .critical,
            title: "DANE: no TLSA record matches the certificate: DANE senders will not deliver",
            remediation: "Publish a TLSA record for the current key (e.g. 3 1 1 of the SPKI) or put back the certificate the records describe.",
            references: [RFCRef(7672, "2.2"), RFCRef(6698, "2.1")]),
        FindingDefinition(
            id: "tls.dane.not-authentic", severity: .warning,
            title: "DANE: the TLSA answer is not DNSSEC-authenticated",
            remediation: "Sign the zone and publish the DS; TLSA records are ignored without DNSSEC (RFC 7672 §2.1).",
            references: [RFCRef(7672, "2.1")]),
    ]
}
