import MailCore

/// Findings of the locate stage: the MX set, the mail hosts' addresses and reverse DNS, the
/// authoritative servers, DNSSEC. Ids are stable; reports and fault trees refer to them.
extension FindingCatalog {
    static let dns: [FindingDefinition] = [
        FindingDefinition(
            id: "dns.domain.nxdomain", severity: .error,
            title: "The domain does not exist",
            remediation: "Check the spelling; if the domain is yours, make sure it is delegated (NS at the parent) and its zone is loaded.",
            references: [RFCRef(1034, "4.3.2"), RFCRef(2308, "2.1")]),
        FindingDefinition(
            id: "dns.lookup.failed", severity: .error,
            title: "A DNS lookup failed (SERVFAIL, timeout or unreachable resolver)",
            remediation: "Retry; if it persists, check the authoritative servers (they may be down, lame or serving a broken DNSSEC chain) and the resolver.",
            references: [RFCRef(1035, "4.1.1"), RFCRef(7208, "2.6.6")]),
        FindingDefinition(
            id: "dns.mx.null", severity: .info,
            title: "Null MX: the domain accepts no mail",
            remediation: "Nothing to do if the domain should receive no mail. To receive mail, replace the \"0 .\" MX with real mail hosts.",
            references: [RFCRef(7505, "3")]),
        FindingDefinition(
            id: "dns.mx.null-mixed", severity: .error,
            title: "A null MX is published together with other MX records",
            remediation: "Publish either the single null MX (\"MX 0 .\") or real MX hosts, never both.",
            references: [RFCRef(7505, "3")]),
        FindingDefinition(
            id: "dns.mx.implicit", severity: .warning,
            title: "No MX records: senders fall back to the domain's own address (implicit MX)",
            remediation: "Publish MX records naming the hosts that receive mail; publish a null MX (\"MX 0 .\") if the domain takes no mail.",
            references: [RFCRef(5321, "5.1"), RFCRef(7505, "3")]),
        FindingDefinition(
            id: "dns.mx.none", severity: .error,
            title: "No MX and no address: mail to this domain cannot be delivered",
            remediation: "Publish MX records naming the hosts that receive mail, or a null MX (\"MX 0 .\") to say that it takes none.",
            references: [RFCRef(5321, "5.1"), RFCRef(7505, "3")]),
        FindingDefinition(
            id: "dns.mx.cname", severity: .warning,
            title: "An MX target is an alias (CNAME)",
            remediation: "Point the MX record at the canonical host name (the CNAME's target), not at the alias.",
            references: [RFCRef(2181, "10.3"), RFCRef(5321, "5.1")]),
        FindingDefinition(
            id: "dns.mx.nxdomain", severity: .error,
            title: "An MX target does not exist",
            remediation: "Create the host's A/AAAA records or remove the MX record that names it; senders try it and then defer or bounce.",
            references: [RFCRef(5321, "5.1"), RFCRef(2308, "2.1")]),
        FindingDefinition(
            id: "dns.mx.no-address", severity: .error,
            title: "An MX target has no A or AAAA record",
            remediation: "Add the host's A and/or AAAA records, or remove the MX record that names it.",
            references: [RFCRef(5321, "5.1")]),
        FindingDefinition(
            id: "dns.mx.ip-literal", severity: .error,
            title: "An MX target is an IP address, not a host name",
            remediation: "MX records must name a host; create an A record for the address and point the MX at that name.",
            references: [RFCRef(1035, "3.3.9"), RFCRef(5321, "5.1")]),
        FindingDefinition(
            id: "dns.mx.too-many", severity: .notice,
            title: "More than 10 MX hosts: only the first 10 were examined",
            remediation: "Senders rarely try more than a few MX hosts; trim the set to the hosts that really receive mail.",
            references: [RFCRef(5321, "5.1")]),
        FindingDefinition(
            id: "dns.ptr.missing", severity: .warning,
            title: "A mail host address has no reverse DNS (PTR)",
            remediation: "Ask whoever holds the address block (your provider) to publish a PTR naming the host, and make that name resolve back to the address.",
            references: [RFCRef(1912, "2.1"), RFCRef(8601, "2.7.3")],
            guidance: ["M3AAWG: Best Practices for Sending Mail — reverse DNS"]),
        FindingDefinition(
            id: "dns.fcrdns.mismatch", severity: .warning,
            title: "Reverse DNS is not forward-confirmed (PTR name does not resolve back to the address)",
            remediation: "Make the PTR name's A/AAAA record include this address, or change the PTR to a name that does; receivers that require FCrDNS reject or score the mail.",
            references: [RFCRef(8601, "2.7.3"), RFCRef(1912, "2.1")]),
        FindingDefinition(
            id: "dns.ns.lame", severity: .error,
            title: "A name server of the zone does not answer for it (lame delegation)",
            remediation: "Load the zone on that server or remove it from the NS set (at the parent too); resolvers waste time and may fail on it.",
            references: [RFCRef(1912, "2.8"), RFCRef(8499, "7")]),
        FindingDefinition(
            id: "dns.ns.inconsistent", severity: .warning,
            title: "The zone's name servers give different answers (SOA serial or MX set)",
            remediation: "Check zone transfers between primary and secondaries (NOTIFY/IXFR) so that every server serves the same version.",
            references: [RFCRef(1996), RFCRef(1034, "4.3.5")]),
        FindingDefinition(
            id: "dns.dnssec.unsigned", severity: .notice,
            title: "The zone is not signed with DNSSEC",
            remediation: "Sign the zone and publish the DS at the parent; DANE for SMTP (RFC 7672) needs it.",
            references: [RFCRef(4033), RFCRef(7672, "2.2")]),
        FindingDefinition(
            id: "dns.dnssec.not-validated", severity: .notice,
            title: "The zone is signed but the resolver did not validate the answers (no AD bit)",
            remediation: "Use a validating resolver (or check the DS at the parent: an island of trust is not validated); DANE checks need validated answers.",
            references: [RFCRef(4035, "3.2.3"), RFCRef(6698, "4")]),
        FindingDefinition(
            id: "dns.dnssec.bogus", severity: .critical,
            title: "DNSSEC validation fails for the zone (bogus): validating resolvers answer SERVFAIL",
            remediation: "Fix the chain: re-sign expired signatures, or make the DS at the parent match a published DNSKEY.",
            references: [RFCRef(4035, "5.5"), RFCRef(4033, "5")]),
    ]
}
