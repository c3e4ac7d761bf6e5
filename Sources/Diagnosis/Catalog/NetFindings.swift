import MailCore

/// Findings about the network path (`mxray path`), the server's own delays, block-list reputation
/// (`mxray dnsbl`) and split-horizon DNS (`mxray split`). Ids are stable; the latency fault tree
/// refers to them.
extension FindingCatalog {
    static let net: [FindingDefinition] = [
        // Path quality (TCP connect timings)
        FindingDefinition(
            id: "path.good", severity: .pass,
            title: "The network path is good: RTT under 50 ms and loss within 5 %",
            remediation: "Nothing to do."),
        FindingDefinition(
            id: "path.rtt.high", severity: .notice,
            title: "The round-trip time to the server is 50 ms or more",
            remediation: "Expect every SMTP step to take at least this long; if senders time out, check routing (traceroute) or place a relay closer to them.",
            references: [RFCRef(5321, "4.5.3.2")]),
        FindingDefinition(
            id: "path.loss.high", severity: .warning,
            title: "Packet loss on the path is above 5 %: have the line checked",
            remediation: "Each lost SYN costs a retransmission timeout (1 s at first, RFC 6298); check the line, its error counters and congestion with the provider.",
            references: [RFCRef(6298, "2"), RFCRef(6298, "5")]),
        FindingDefinition(
            id: "path.unreachable", severity: .error,
            title: "No TCP connect to the destination was answered",
            remediation: "Check that the address is right and routed, and that no firewall drops the packets (a reset would have been answered).",
            references: [RFCRef(9293, "3.5")]),
        // Server-side delays (the other half of "mail arrives late")
        FindingDefinition(
            id: "server.banner.slow", severity: .warning,
            title: "The SMTP server greets long after the TCP connection is up",
            remediation: "The delay is the server's, not the network's: check postscreen/greet pauses, reverse-DNS lookups of clients, milters and the server's load.",
            references: [RFCRef(5321, "4.5.3.2")]),
        FindingDefinition(
            id: "server.queue.slow", severity: .warning,
            title: "Messages wait long in the server's queue",
            remediation: "Look at the queue (postqueue -p): deferred deliveries, a slow content filter or a busy queue manager keep mail waiting; fix the cause shown in the deferral reasons.",
            references: [RFCRef(5321, "4.5.4.1")]),
        // DNS block lists (RFC 5782)
        FindingDefinition(
            id: "dnsbl.listed", severity: .error,
            title: "A mail address is listed on a DNS block list",
            remediation: "Find and stop the cause (open relay, compromised account, infected host), then request delisting at the list's web page quoted in the reason.",
            references: [RFCRef(5782, "2.1")]),
        FindingDefinition(
            id: "dnsbl.refused", severity: .notice,
            title: "A block list refused to answer (rate limit or blocked resolver)",
            remediation: "The list could not be tested: query it through your own resolver (not a public one), or register for its data feed.",
            references: [RFCRef(5782, "2.1")]),
        FindingDefinition(
            id: "dnsbl.no-answer", severity: .notice,
            title: "A block list did not answer (timeout or server failure)",
            remediation: "The list could not be tested: retry later; a list that never answers may have shut down — remove it from the zones checked.",
            references: [RFCRef(5782, "5")]),
        FindingDefinition(
            id: "dnsbl.zone.broken", severity: .warning,
            title: "A block list fails its RFC 5782 test entries",
            remediation: "The list does not list 127.0.0.2 or lists 127.0.0.1 (it may be dead or list everything): stop using it for filtering.",
            references: [RFCRef(5782, "5")]),
        FindingDefinition(
            id: "dnsbl.clean", severity: .pass,
            title: "Not listed on the block lists checked",
            remediation: "Nothing to do."),
        // Split-horizon DNS
        FindingDefinition(
            id: "split.mx.differs", severity: .warning,
            title: "The MX set differs between DNS views",
            remediation: "Senders inside and outside route mail to different hosts: make sure that is intended (internal relay) and that both sets accept the domain's mail.",
            references: [RFCRef(5321, "5.1")]),
        FindingDefinition(
            id: "split.address.differs", severity: .notice,
            title: "A mail host resolves to different addresses in different DNS views",
            remediation: "Intended for intranet routing, a mistake otherwise: check that each address serves the same mail host, with a certificate naming it.",
            references: [RFCRef(1034, "4.3.1")]),
        FindingDefinition(
            id: "split.record.differs", severity: .info,
            title: "Other mail DNS records differ between views",
            remediation: "Check that the difference (reverse DNS, host status) is intended."),
        FindingDefinition(
            id: "split.view.failed", severity: .warning,
            title: "One DNS view could not resolve the domain's mail DNS",
            remediation: "Check that resolver: it failed where the other answered."),
        FindingDefinition(
            id: "split.consistent", severity: .pass,
            title: "Every DNS view gives the same mail DNS",
            remediation: "Nothing to do."),
    ]
}
