import MailCore

/// Findings the check engine raises itself: stages it could not run, conclusions drawn from
/// several observations at once, and the provider catalog's checks.
extension FindingCatalog {
    static let check: [FindingDefinition] = [
        FindingDefinition(
            id: "check.stage.could-not-test", severity: .notice,
            title: "A stage of the check could not test",
            remediation: "Run the check again with a longer --timeout, from a network that reaches the hosts, or with a resolver that answers."),
        FindingDefinition(
            id: "check.mx.unreachable", severity: .critical,
            title: "No MX host accepts connections on port 25: mail to the domain cannot be delivered",
            remediation: "Make at least one MX host listen on TCP 25 and open the firewall for it; if it is open, test from another network (some providers block 25).",
            references: [RFCRef(5321, "5.1"), RFCRef(5321, "4.5.4.1")]),
        FindingDefinition(
            id: "provider.detected", severity: .info,
            title: "Mail is hosted by a known provider or server family",
            remediation: "Nothing to do; client settings and expected DNS records follow the provider's documentation."),
        FindingDefinition(
            id: "provider.spf.include-missing", severity: .warning,
            title: "The SPF record does not include the mail provider's SPF",
            remediation: "Add the provider's include: mechanism (shown in the detail) to the SPF record, before the all term.",
            references: [RFCRef(7208, "5.2")]),
        FindingDefinition(
            id: "dns.mx.http-cdn", severity: .error,
            title: "An MX host points at an HTTP CDN address: SMTP is not proxied there",
            remediation: "Point the MX at the mail server's own address: in the CDN's DNS settings, stop proxying the mail host name (e.g. Cloudflare \"DNS only\"), or publish a separate unproxied name for the MX.",
            references: [RFCRef(5321, "5.1")],
            guidance: ["https://www.cloudflare.com/ips/", "https://developers.cloudflare.com/dns/proxy-status/"]),
        FindingDefinition(
            id: "client.config.invalid", severity: .warning,
            title: "A client configuration document (autoconfig or Autodiscover) does not parse",
            remediation: "Serve a well-formed clientConfig 1.1 (autoconfig) or Autodiscover POX response; mail clients ignore a broken one and fall back to guessing.",
            guidance: ["https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat", "[MS-OXDSCLI] 2.2.4"]),
        FindingDefinition(
            id: "client.config.plaintext", severity: .warning,
            title: "Published client settings use no TLS",
            remediation: "Publish implicit TLS (993, 995, 465) or STARTTLS settings; clients that follow plain-text settings send passwords in clear.",
            references: [RFCRef(8314, "3"), RFCRef(8314, "5.1")]),
        FindingDefinition(
            id: "client.config.unreachable", severity: .warning,
            title: "Published client settings name a host or port that does not answer",
            remediation: "Fix the SRV, autoconfig or Autodiscover entry to name a host and port that serve the protocol, or start the service there.",
            references: [RFCRef(6186, "3"), RFCRef(8314, "5.1")]),
        FindingDefinition(
            id: "client.config.security-mismatch", severity: .warning,
            title: "Published client settings give a TLS mode the server does not use",
            remediation: "Publish the mode the port really uses (SSL/implicit TLS on 465, 993, 995; STARTTLS on 587, 143, 110) or change the server to match.",
            references: [RFCRef(8314, "3"), RFCRef(6186, "3.1")]),
        FindingDefinition(
            id: "client.config.no-auth", severity: .warning,
            title: "A published client server offers no authentication after TLS",
            remediation: "Enable SASL authentication on the submission or mailbox service (Postfix smtpd_sasl_auth_enable, Dovecot auth_mechanisms).",
            references: [RFCRef(4954, "4"), RFCRef(6409, "4.1")]),
        FindingDefinition(
            id: "client.login.failed", severity: .error,
            title: "Logging in with the located settings failed",
            remediation: "Check the user name form (full address or local part) and the password; if the server rejects valid credentials, check its authentication backend.",
            references: [RFCRef(4954, "6"), RFCRef(9051, "6.2.3")]),
    ]
}
