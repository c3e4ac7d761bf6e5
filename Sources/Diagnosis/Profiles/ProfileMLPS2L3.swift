/// MLPS 2.0 (网络安全等级保护 2.0), GB/T 22239-2019 "Baseline for classified protection of
/// cybersecurity", level 3 (第三级) general requirements, §8.1: only the items a mail service
/// shows from outside. Item letters follow the standard's lists; titles are short paraphrases.
extension ComplianceProfiles {
    public static let mlps2Level3 = ComplianceProfile(
        id: "mlps2-l3", name: "MLPS 2.0 level 3 (等保2.0 三级), externally observable items",
        document: "GB/T 22239-2019 信息安全技术 网络安全等级保护基本要求 (Baseline for classified protection of cybersecurity), §8 第三级安全要求",
        documentVersion: "GB/T 22239-2019 (2019-05-10, in force 2019-12-01)", url: "https://openstd.samr.gov.cn/", version: "1",
        reading: "Items of §8.1 (安全通用要求) that a mail service exposes to the network: transmission integrity and confidentiality, authentication data in transit, high-risk services, known vulnerabilities, spam protection. Audit, management and physical items are listed as not assessed.",
        controls: [
            ComplianceControl("8.1.2.2 a)", "通信传输: protect integrity in transit with cryptography (TLS on MX hosts)",
                              failOn: FindingGroup.mxTransportTLS, needs: [Stage.probe],
                              reading: "STARTTLS offered and completed on every MX"),
            ComplianceControl("8.1.2.2 b)", "通信传输: protect confidentiality in transit with strong cryptography",
                              failOn: FindingGroup.tlsBelow12 + FindingGroup.weakCrypto + FindingGroup.certificates, needs: [Stage.tls],
                              reading: "TLS 1.2 or later, no insufficient suites, valid certificates"),
            ComplianceControl("8.1.3.4 b)", "垃圾邮件防范: detect and block spam at key nodes",
                              failOn: FindingGroup.openRelay + ["spf.all.pass", "spf.missing", "dmarc.missing"], needs: [Stage.probe, Stage.auth],
                              reading: "not an open relay; SPF and DMARC published so receivers can reject forged mail"),
            ComplianceControl("8.1.4.1 a)", "身份鉴别: identify and authenticate users before use",
                              failOn: ["smtp.submission.unauthenticated", "smtp.relay.open"], minimumSeverity: .error, needs: [Stage.probe],
                              reading: "submission requires authentication"),
            ComplianceControl("8.1.4.1 c)", "身份鉴别: keep authentication data from being eavesdropped in transit",
                              failOn: FindingGroup.plaintextCredentials + ["client.config.security-mismatch"], needs: [Stage.probe],
                              reading: "no password accepted or advertised without TLS on SMTP, IMAP or POP3"),
            ComplianceControl("8.1.4.3", "安全审计: audit logging", observable: false,
                              reading: "audit records are inside the system (mxray logs analyses them separately)"),
            ComplianceControl("8.1.4.4 b)", "入侵防范: close unneeded services and high-risk ports",
                              failOn: FindingGroup.exposure + ["imap.starttls.missing", "pop3.stls.missing"], needs: [Stage.probe],
                              reading: "VRFY/EXPN off; no plaintext-only mailbox service"),
            ComplianceControl("8.1.4.4 e)", "入侵防范: find and fix known vulnerabilities",
                              failOn: FindingGroup.knownFlaws, needs: [Stage.probe, Stage.tls],
                              reading: "no STARTTLS command injection (CVE-2011-0411 class), TLS compression or insecure renegotiation"),
            ComplianceControl("8.1.4.8 a)", "数据保密性: encrypt important data in transit (client access)",
                              failOn: FindingGroup.plaintextCredentials + ["imap.starttls.missing", "pop3.stls.missing"], needs: [Stage.probe],
                              reading: "mailbox and submission ports encrypt before data is exchanged"),
        ])
}
