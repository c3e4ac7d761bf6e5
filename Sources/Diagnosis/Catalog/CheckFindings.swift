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
    ]
}
