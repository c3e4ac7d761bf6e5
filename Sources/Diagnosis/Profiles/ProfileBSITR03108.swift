/// BSI TR-03108-1 "Secure E-Mail Transport" (requirements for e-mail service providers),
/// version 1.0.1: §3.1 security concept (not observable), §3.2 technical requirements (its
/// Table 1: TLS per BSI TR-02102-2, DNSSEC, DANE/TLSA, trustworthy certificates, encrypted user
/// access). Row titles are paraphrased; the section is the document's own number.
extension ComplianceProfiles {
    public static let bsiTR03108 = ComplianceProfile(
        id: "bsi-tr-03108", name: "BSI TR-03108 (secure e-mail transport)",
        document: "BSI TR-03108-1 Secure E-Mail Transport: Requirements for E-Mail Service Providers (EMSP)",
        documentVersion: "1.0.1", url: "https://www.bsi.bund.de/dok/TR-03108", version: "1",
        reading: "The technical requirements of §3.2 that can be tested from outside: STARTTLS with TLS 1.2 and strong suites, DNSSEC-signed zone, DANE/TLSA for every MX, valid certificates, encrypted client access. The security concept (§3.1) is not observable.",
        controls: [
            ComplianceControl("3.1", "Security concept (ISO 27001 or equivalent)", observable: false,
                              reading: "an organisational document"),
            ComplianceControl("3.2", "Transport encryption: STARTTLS on every MX",
                              failOn: FindingGroup.mxTransportTLS, needs: [Stage.probe],
                              reading: "every MX offers and completes STARTTLS"),
            ComplianceControl("3.2", "TLS 1.2 or later with suites allowed by BSI TR-02102-2 (forward secrecy)",
                              failOn: FindingGroup.tlsBelow12 + FindingGroup.weakCrypto + ["tls.suite.phase-out"], needs: [Stage.tls],
                              reading: "no protocol below TLS 1.2, no insufficient or phase-out suites"),
            ComplianceControl("3.2", "DNSSEC: the mail domain's zone is signed and validates",
                              failOn: FindingGroup.dnssec, minimumSeverity: .notice, needs: [Stage.locate],
                              reading: "DNSKEY published and answers validated (AD) by a validating resolver"),
            ComplianceControl("3.2", "DANE: TLSA records for every MX that match its certificate",
                              failOn: FindingGroup.dane, requireAny: ["tls.dane.match"], needs: [Stage.tls],
                              reading: "TLSA at _25._tcp of each MX, DNSSEC-authentic, matching the certificate"),
            ComplianceControl("3.2", "Trustworthy certificates",
                              failOn: FindingGroup.certificates, needs: [Stage.tls],
                              reading: "trusted, unexpired certificates naming the host"),
            ComplianceControl("3.2", "Encrypted access for users (submission, IMAP, POP3)",
                              failOn: FindingGroup.plaintextCredentials + ["imap.starttls.missing", "pop3.stls.missing", "client.config.security-mismatch"],
                              needs: [Stage.probe],
                              reading: "no client port accepts credentials without TLS"),
        ])
}
