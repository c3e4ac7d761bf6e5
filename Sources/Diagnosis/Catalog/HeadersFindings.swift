import MailCore

/// Findings of `mxray headers`: the path a message took and how it was authenticated.
/// Ids are stable; reports refer to them.
extension FindingCatalog {
    static let headers: [FindingDefinition] = [
        FindingDefinition(
            id: "headers.received.missing", severity: .notice,
            title: "The message has no Received fields",
            remediation: "Read the message as delivered (\"show original\"), not as sent; without Received fields the path cannot be traced.",
            references: [RFCRef(5321, "4.4")]),
        FindingDefinition(
            id: "headers.hop.date-missing", severity: .warning,
            title: "A Received field has no readable date",
            remediation: "The delay of this hop cannot be measured; the host that wrote it should stamp \"; <RFC 5322 date-time>\".",
            references: [RFCRef(5322, "3.6.7"), RFCRef(5322, "3.3")]),
        FindingDefinition(
            id: "headers.hop.clock-skew", severity: .warning,
            title: "A hop is stamped earlier than the hop before it",
            remediation: "One of the two hosts has a wrong clock: run NTP (chrony/systemd-timesyncd) on both and check their time zones.",
            references: [RFCRef(5322, "3.3")]),
        FindingDefinition(
            id: "headers.hop.slow", severity: .warning,
            title: "A hop took longer than five minutes",
            remediation: "Look at the queue and logs of the host that received the message at this hop (mxray logs), and at the link to it (mxray path).",
            references: [RFCRef(5321, "4.5.4.1")]),
        FindingDefinition(
            id: "headers.hop.plaintext", severity: .notice,
            title: "A hop between servers did not use TLS",
            remediation: "Offer STARTTLS on the receiving host and have the sending host use it (smtp_tls_security_level = may or stronger).",
            references: [RFCRef(3207), RFCRef(3848)]),
        FindingDefinition(
            id: "headers.spf.fail", severity: .error,
            title: "The receiver's SPF check did not pass",
            remediation: "Add the sending server to the SPF record of the MAIL FROM domain (see the explanation for the exact record).",
            references: [RFCRef(7208, "2.6"), RFCRef(8601, "2.7.2")]),
        FindingDefinition(
            id: "headers.dkim.fail", severity: .error,
            title: "A DKIM signature does not verify",
            remediation: "Publish the signer's public key at the selector named, or stop changing the message after signing.",
            references: [RFCRef(6376, "6.1"), RFCRef(8601, "2.7.1")]),
        FindingDefinition(
            id: "headers.dkim.missing", severity: .warning,
            title: "The message is not DKIM-signed",
            remediation: "Sign outgoing mail with d=<From domain> (OpenDKIM, rspamd, or your provider) and publish the key.",
            references: [RFCRef(6376, "3.5")]),
        FindingDefinition(
            id: "headers.dkim.ok", severity: .pass,
            title: "Every DKIM signature verifies",
            remediation: "Nothing to do.",
            references: [RFCRef(6376, "6.1")]),
        FindingDefinition(
            id: "headers.dkim.disagrees", severity: .notice,
            title: "Our DKIM result differs from the receiver's",
            remediation: "The key changed since delivery or the receiver's DNS failed; keep old selectors published for some days after a rotation.",
            references: [RFCRef(8601, "2.7.1")]),
        FindingDefinition(
            id: "headers.dmarc.fail", severity: .error,
            title: "The receiver's DMARC check did not pass",
            remediation: "Make SPF or DKIM pass aligned with the From domain (see the explanation); check the policy at _dmarc.<domain>.",
            references: [RFCRef(7489, "3.1"), RFCRef(7489, "6.6.2")]),
        FindingDefinition(
            id: "headers.arc.fail", severity: .warning,
            title: "The ARC chain does not validate",
            remediation: "The intermediary that sealed the message must fix its ARC signing or publish its seal key; receivers ignore a broken chain.",
            references: [RFCRef(8617, "5.2")]),
        FindingDefinition(
            id: "headers.arc.ok", severity: .pass,
            title: "The ARC chain validates",
            remediation: "Nothing to do.",
            references: [RFCRef(8617, "5.2")]),
        FindingDefinition(
            id: "headers.spam.flagged", severity: .warning,
            title: "The receiver's spam filter marked the message",
            remediation: "Fix any authentication failure first, then the filter's listed tests.",
            references: []),
        FindingDefinition(
            id: "headers.authres.unparsed", severity: .notice,
            title: "An Authentication-Results field does not parse",
            remediation: "The host named in it writes fields outside RFC 8601; its verdicts are shown as raw evidence only.",
            references: [RFCRef(8601, "2.2")]),
    ]
}
