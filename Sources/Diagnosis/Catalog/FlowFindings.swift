import MailCore

/// Findings of mail flow: content-filter tests (GTUBE, EICAR) and round trips through
/// submission and IMAP. A filter's verdict is a finding about the gateway, never an mxray error.
extension FindingCatalog {
    static let flow: [FindingDefinition] = [
        // GTUBE (spam filter)
        FindingDefinition(
            id: "flow.gtube.rejected", severity: .pass,
            title: "The spam filter refused the GTUBE test message during the SMTP session",
            remediation: "Nothing to do: spam is refused before the server takes responsibility for it, so no bounce is sent to forged senders.",
            references: [RFCRef(5321, "4.1.1.4"), RFCRef(5321, "6.2")]),
        FindingDefinition(
            id: "flow.gtube.quarantined", severity: .pass,
            title: "The GTUBE test message was accepted and filed as junk",
            remediation: "Nothing to do if users know to check their junk folder; refusing at DATA instead spares them that.",
            references: [RFCRef(6154, "2")]),
        FindingDefinition(
            id: "flow.gtube.delivered", severity: .warning,
            title: "The GTUBE test message reached the inbox: no spam filter acted on it",
            remediation: "Put a spam filter (rspamd, SpamAssassin via amavis or spamass-milter, or the provider's filter) in the path of this server and make it reject or file GTUBE; check that the filter also runs for mail from authenticated users if it should.",
            references: [RFCRef(5321, "6.2")],
            guidance: ["GTUBE: https://spamassassin.apache.org/gtube/"]),
        FindingDefinition(
            id: "flow.gtube.accepted", severity: .info,
            title: "The GTUBE test message was accepted; where it went was not seen",
            remediation: "Run `mxray roundtrip --test gtube` with a mailbox you can read to see whether it was filed as junk or delivered, or look in the server's log for its queue id.",
            references: [RFCRef(5321, "4.1.1.4")]),
        FindingDefinition(
            id: "flow.gtube.deferred", severity: .notice,
            title: "The GTUBE test message was refused temporarily after DATA",
            remediation: "A 4xx after DATA usually means the filter is not answering (timeout, crashed daemon): check the filter's service and the MTA's milter/content_filter settings.",
            references: [RFCRef(5321, "4.2.1")]),
        // EICAR (anti-virus)
        FindingDefinition(
            id: "flow.eicar.rejected", severity: .pass,
            title: "The anti-virus scanner refused the EICAR test file during the SMTP session",
            remediation: "Nothing to do: malware is refused before the server takes responsibility for it.",
            references: [RFCRef(5321, "4.1.1.4")]),
        FindingDefinition(
            id: "flow.eicar.quarantined", severity: .pass,
            title: "The EICAR test file was accepted and quarantined",
            remediation: "Nothing to do if the quarantine is not readable by the recipient; refusing at DATA is better still.",
            references: [RFCRef(6154, "2")]),
        FindingDefinition(
            id: "flow.eicar.delivered", severity: .error,
            title: "The EICAR test file reached the inbox: no virus scanner acted on it",
            remediation: "Put a virus scanner in the path (ClamAV through amavis or clamav-milter, or the provider's scanner), make it reject at DATA, and confirm it also scans attachments.",
            references: [RFCRef(5321, "6.2")],
            guidance: ["EICAR test file: https://www.eicar.org/download-anti-malware-testfile/"]),
        FindingDefinition(
            id: "flow.eicar.accepted", severity: .notice,
            title: "The EICAR test file was accepted; where it went was not seen",
            remediation: "A gateway that accepts malware must quarantine or drop it later: run `mxray roundtrip --test eicar` against a mailbox you can read, or follow the queue id in the server's log.",
            references: [RFCRef(5321, "4.1.1.4")]),
        FindingDefinition(
            id: "flow.eicar.deferred", severity: .notice,
            title: "The EICAR test file was refused temporarily after DATA",
            remediation: "A 4xx after DATA usually means the scanner is not answering (clamd down, timeout): check it; mail waits in senders' queues meanwhile.",
            references: [RFCRef(5321, "4.2.1")]),
        FindingDefinition(
            id: "flow.filter.not-tested", severity: .notice,
            title: "The filter test message never reached the filter",
            remediation: "The server refused the transaction before the message (connect, greeting, EHLO, TLS, AUTH, MAIL or RCPT): fix that first, or send from a client and to a recipient the server accepts.",
            references: [RFCRef(5321, "3.3")]),
        // Round trip
        FindingDefinition(
            id: "flow.roundtrip.arrived", severity: .pass,
            title: "The round-trip message arrived",
            remediation: "Nothing to do.",
            references: [RFCRef(6409, "1"), RFCRef(9051, "6.4.4")]),
        FindingDefinition(
            id: "flow.roundtrip.slow", severity: .warning,
            title: "The round-trip message arrived late",
            remediation: "Compare the Received chain's hop times: a slow submission points at the network path or the submission server; time after acceptance points at queueing, greylisting or content filters.",
            references: [RFCRef(5321, "4.4")]),
        FindingDefinition(
            id: "flow.roundtrip.junk", severity: .warning,
            title: "An ordinary test message was filed as junk",
            remediation: "Read the Authentication-Results of the delivered copy: SPF, DKIM or DMARC failures and the filter's score headers say why; fix the record or signing the results name.",
            references: [RFCRef(8601, "2.7"), RFCRef(6154, "2")]),
        FindingDefinition(
            id: "flow.roundtrip.lost", severity: .error,
            title: "The round-trip message was accepted but did not arrive before the deadline",
            remediation: "Follow the queue id in the submission server's log: a deferred delivery, a discarding rule, a filter holding it, or delivery to another mailbox or folder.",
            references: [RFCRef(5321, "6.1")]),
        FindingDefinition(
            id: "flow.roundtrip.not-accepted", severity: .error,
            title: "Submission did not accept the round-trip message",
            remediation: "See the stage that failed in the transcript (TLS, AUTH, MAIL, RCPT, DATA) and the server's reply.",
            references: [RFCRef(6409, "4"), RFCRef(4954, "6")]),
        FindingDefinition(
            id: "flow.roundtrip.imap-failed", severity: .error,
            title: "The mailbox could not be watched over IMAP",
            remediation: "Check the IMAP address, TLS and credentials with `mxray login imap://user@host`.",
            references: [RFCRef(9051, "6.2")]),
        FindingDefinition(
            id: "flow.roundtrip.auth-failed", severity: .warning,
            title: "The receiving side's Authentication-Results show a failed check",
            remediation: "Fix the failing method for the sending domain: SPF (authorise the submission server's address), DKIM (sign outgoing mail with a published key), DMARC (align them).",
            references: [RFCRef(8601, "2.7"), RFCRef(7208, "2.6"), RFCRef(6376, "6.1"), RFCRef(7489, "6.6")]),
    ]
}
