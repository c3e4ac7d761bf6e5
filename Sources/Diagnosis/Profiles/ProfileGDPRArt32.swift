/// GDPR (Regulation (EU) 2016/679) Art. 32, read for mail transport: personal data in mail must
/// be encrypted in transit (Art. 32(1)(a)) with state-of-the-art TLS (1.2 or later, as EU
/// supervisory authorities read "state of the art"), the systems must keep it confidential and
/// available (Art. 32(1)(b)), and the measures must be tested regularly (Art. 32(1)(d): a
/// process, not observable here). The reading is mxray's, not legal advice.
extension ComplianceProfiles {
    public static let gdprArt32 = ComplianceProfile(
        id: "gdpr-art32", name: "GDPR Art. 32 (transport security reading, TLS 1.2+)",
        document: "Regulation (EU) 2016/679 (General Data Protection Regulation), Article 32 Security of processing",
        documentVersion: "OJ L 119, 4.5.2016", url: "https://eur-lex.europa.eu/eli/reg/2016/679/oj", version: "1",
        reading: "Transport encryption of mail (MX and client ports) with TLS 1.2 or later and valid certificates, no credentials in clear, no open relay, a reachable MX. Organisational measures are not observable and are listed as not assessed.",
        controls: [
            ComplianceControl("Art. 32(1)(a)", "Encrypt mail in transit between servers",
                              failOn: FindingGroup.mxTransportTLS + FindingGroup.tlsBelow12, needs: [Stage.probe, Stage.tls],
                              reading: "STARTTLS on every MX, TLS 1.2 or later only"),
            ComplianceControl("Art. 32(1)(a)", "Encrypt client access and submission",
                              failOn: FindingGroup.plaintextCredentials + ["imap.starttls.missing", "pop3.stls.missing", "client.config.security-mismatch"],
                              needs: [Stage.probe],
                              reading: "mailbox and submission ports encrypt before any password or mail is exchanged"),
            ComplianceControl("Art. 32(1)", "State-of-the-art TLS configuration and certificates",
                              failOn: FindingGroup.weakCrypto + FindingGroup.certificates, needs: [Stage.tls],
                              reading: "no insufficient suites, no compression or insecure renegotiation, trusted unexpired certificates naming the host"),
            ComplianceControl("Art. 32(1)(b)", "Keep the mail system confidential: no relay or address harvesting",
                              failOn: FindingGroup.openRelay + FindingGroup.exposure + ["smtp.starttls.injection"], needs: [Stage.probe],
                              reading: "no open relay or unauthenticated submission, VRFY/EXPN off, no STARTTLS command injection"),
            ComplianceControl("Art. 32(1)(b)", "Keep mail delivery available",
                              failOn: FindingGroup.availability, minimumSeverity: .error, needs: [Stage.locate, Stage.probe],
                              reading: "the MX set resolves and at least one MX accepts connections on port 25"),
            ComplianceControl("Art. 32(1)(d)", "Test and evaluate the measures regularly", observable: false,
                              reading: "a process of regular testing; running mxray on a schedule (mxray serve) is one part of it"),
        ])
}
