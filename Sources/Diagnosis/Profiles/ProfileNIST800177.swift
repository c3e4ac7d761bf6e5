/// NIST SP 800-177 Rev. 1, "Trustworthy Email" (February 2019). Sections: 4.4 SPF, 4.5 DKIM,
/// 4.6 DMARC, 5.2 e-mail transmission security (TLS for SMTP, with SP 800-52 for the TLS
/// configuration; DANE and MTA-STS to authenticate the MX), 6 unsolicited bulk e-mail.
/// Titles are paraphrased; the section is the document's own number.
extension ComplianceProfiles {
    public static let nist800177r1 = ComplianceProfile(
        id: "nist-800-177r1", name: "NIST SP 800-177r1 (trustworthy e-mail)",
        document: "NIST Special Publication 800-177 Revision 1, Trustworthy Email", documentVersion: "Rev. 1, February 2019",
        url: "https://doi.org/10.6028/NIST.SP.800-177r1", version: "1",
        reading: "The domain-authentication (SPF, DKIM, DMARC) and transmission-security (TLS, DANE, MTA-STS, TLS-RPT) recommendations that can be checked from outside; TLS settings judged as SP 800-52r2 asks (TLS 1.2 or later).",
        controls: [
            ComplianceControl("4.4", "Publish an SPF record that lists the sending hosts and ends in a fail policy",
                              failOn: FindingGroup.spf, requireAny: ["spf.ok"], needs: [Stage.auth],
                              reading: "a valid SPF record within the lookup limit whose all term is not +all or ?all"),
            ComplianceControl("4.5", "Sign outgoing mail with DKIM using adequate keys",
                              failOn: FindingGroup.dkim, requireAny: ["dkim.ok"], undecidedOn: ["dkim.none-found"], needs: [Stage.auth],
                              reading: "a DKIM key of adequate size under a known selector (selectors cannot be listed from outside; give --dkim-selector)"),
            ComplianceControl("4.6", "Publish a DMARC policy stronger than none, with reporting",
                              failOn: FindingGroup.dmarc, requireAny: ["dmarc.ok"], needs: [Stage.auth],
                              reading: "a valid DMARC record with p=quarantine or p=reject applied to all mail"),
            ComplianceControl("5.2", "Offer TLS (STARTTLS) on every MX host",
                              failOn: FindingGroup.mxTransportTLS, needs: [Stage.probe],
                              reading: "every MX host that answers on port 25 offers and completes STARTTLS"),
            ComplianceControl("5.2", "Use TLS 1.2 or later with strong cipher suites (per SP 800-52r2)",
                              failOn: FindingGroup.tlsBelow12 + FindingGroup.weakCrypto, needs: [Stage.tls],
                              reading: "no SSL, TLS 1.0 or 1.1, no insufficient suites, no compression or insecure renegotiation"),
            ComplianceControl("5.2", "Use certificates that clients and senders can validate",
                              failOn: FindingGroup.certificates, needs: [Stage.tls],
                              reading: "a trusted, unexpired certificate naming the host on every scanned port"),
            ComplianceControl("5.2", "Let senders authenticate the MX hosts (DANE or MTA-STS)",
                              failOn: FindingGroup.dane + FindingGroup.mtaSTS, requireAny: ["tls.dane.match", "mtasts.ok"],
                              needs: [Stage.auth, Stage.tls],
                              reading: "TLSA records that match the MX certificate in a signed zone, or an MTA-STS policy in enforce mode covering every MX"),
            ComplianceControl("5.2", "Ask for TLS failure reports (TLS-RPT)",
                              failOn: ["tlsrpt.invalid"], requireAny: ["tlsrpt.ok"], needs: [Stage.auth],
                              reading: "a valid _smtp._tls TXT record with a reporting address"),
            ComplianceControl("5.2", "Protect client submission and mailbox access with TLS",
                              failOn: FindingGroup.plaintextCredentials + ["client.config.security-mismatch"], needs: [Stage.probe],
                              reading: "no password accepted or advertised over an unencrypted channel on the client ports"),
            ComplianceControl("6", "Do not relay mail for outside parties",
                              failOn: FindingGroup.openRelay, minimumSeverity: .error, needs: [Stage.probe],
                              reading: "no MX or submission port accepts mail from and to outside domains without authentication"),
        ])
}
