import MailCore

/// Findings of the mail-authentication stage: SPF, DMARC, DKIM keys, MTA-STS, TLS-RPT, BIMI.
/// Ids are stable; reports and fault trees refer to them.
extension FindingCatalog {
    static let auth: [FindingDefinition] = [
        FindingDefinition(
            id: "spf.ok", severity: .pass,
            title: "SPF record published and valid",
            remediation: "Nothing to do.",
            references: [RFCRef(7208, "4.5")]),
        FindingDefinition(
            id: "spf.missing", severity: .warning,
            title: "No SPF record",
            remediation: "Publish a TXT record \"v=spf1 <your senders> -all\" at the domain (or \"v=spf1 -all\" if it sends no mail).",
            references: [RFCRef(7208, "4.5")]),
        FindingDefinition(
            id: "spf.multiple", severity: .error,
            title: "More than one SPF record",
            remediation: "Merge the v=spf1 records into one; with two, receivers return permerror.",
            references: [RFCRef(7208, "4.5")]),
        FindingDefinition(
            id: "spf.syntax", severity: .error,
            title: "The SPF record has a syntax error",
            remediation: "Fix the term at the reported position; any syntax error makes the whole record permerror.",
            references: [RFCRef(7208, "4.6"), RFCRef(7208, "12")]),
        FindingDefinition(
            id: "spf.lookups.exceeded", severity: .error,
            title: "SPF needs more than 10 DNS lookups",
            remediation: "Flatten includes (replace them with ip4:/ip6: ranges) or drop unused ones until evaluation needs at most 10 lookups.",
            references: [RFCRef(7208, "4.6.4")]),
        FindingDefinition(
            id: "spf.permerror", severity: .error,
            title: "SPF evaluation ends in permerror",
            remediation: "Fix the cause shown in the detail; receivers treat permerror as a failure to authenticate.",
            references: [RFCRef(7208, "2.6.7")]),
        FindingDefinition(
            id: "spf.all.pass", severity: .critical,
            title: "SPF allows every host (+all)",
            remediation: "Replace +all with -all (or ~all while testing) so that only listed hosts pass.",
            references: [RFCRef(7208, "5.1")]),
        FindingDefinition(
            id: "spf.all.neutral", severity: .warning,
            title: "SPF ends in ?all: it asserts nothing about other hosts",
            remediation: "End the record with -all (or ~all while rolling out).",
            references: [RFCRef(7208, "5.1")]),
        FindingDefinition(
            id: "spf.all.softfail", severity: .notice,
            title: "SPF ends in ~all (softfail) rather than -all",
            remediation: "When every sending host is listed, switch to -all so that receivers can reject forgeries.",
            references: [RFCRef(7208, "2.6.5"), RFCRef(7208, "8.5")]),
        FindingDefinition(
            id: "spf.no-all", severity: .warning,
            title: "SPF has no all mechanism or redirect: unlisted hosts get neutral",
            remediation: "End the record with -all.",
            references: [RFCRef(7208, "4.7")]),
        FindingDefinition(
            id: "spf.ptr", severity: .warning,
            title: "SPF uses the ptr mechanism",
            remediation: "Replace ptr with ip4:/ip6: or a: terms; ptr is slow and SHOULD NOT be used.",
            references: [RFCRef(7208, "5.5")]),
        FindingDefinition(
            id: "spf.record.long", severity: .warning,
            title: "SPF record over 450 octets",
            remediation: "Shorten the record (fewer terms, includes for large lists) so the answer fits in 512 octets.",
            references: [RFCRef(7208, "3.4")]),
        FindingDefinition(
            id: "spf.string.long", severity: .error,
            title: "An SPF TXT string is over 255 octets",
            remediation: "Split the record into several quoted strings of at most 255 octets each.",
            references: [RFCRef(7208, "3.3")]),
        FindingDefinition(
            id: "spf.rrtype", severity: .notice,
            title: "An obsolete SPF (type 99) record is published",
            remediation: "Remove the type-99 record; only TXT is used.",
            references: [RFCRef(7208, "3.1")]),
        FindingDefinition(
            id: "spf.include.invalid", severity: .error,
            title: "An SPF include or redirect target has no usable record",
            remediation: "Point include:/redirect= at a domain that publishes exactly one valid v=spf1 record.",
            references: [RFCRef(7208, "5.2"), RFCRef(7208, "6.1")]),
        FindingDefinition(
            id: "spf.lookup.failed", severity: .error,
            title: "The SPF lookup failed (temperror)",
            remediation: "Check the domain's authoritative servers; receivers defer or treat the message as temperror.",
            references: [RFCRef(7208, "2.6.6")]),
        FindingDefinition(
            id: "dmarc.ok", severity: .pass,
            title: "DMARC policy published with enforcement",
            remediation: "Nothing to do.",
            references: [RFCRef(7489, "6.3")]),
        FindingDefinition(
            id: "dmarc.missing", severity: .warning,
            title: "No DMARC record",
            remediation: "Publish \"v=DMARC1; p=none; rua=mailto:…\" at _dmarc.<domain>, read the reports, then move to quarantine or reject.",
            references: [RFCRef(7489, "6.1")]),
        FindingDefinition(
            id: "dmarc.multiple", severity: .error,
            title: "More than one DMARC record",
            remediation: "Keep exactly one v=DMARC1 record at _dmarc.<domain>; with several, receivers apply none.",
            references: [RFCRef(7489, "6.6.3")]),
        FindingDefinition(
            id: "dmarc.invalid", severity: .error,
            title: "The DMARC record is not a valid tag list",
            remediation: "Rewrite the record as \"v=DMARC1; p=…\" with tag=value pairs separated by \";\".",
            references: [RFCRef(7489, "6.4")]),
        FindingDefinition(
            id: "dmarc.tag.invalid", severity: .error,
            title: "A DMARC tag has an invalid value",
            remediation: "Fix the tag at the reported position; an invalid p= makes receivers ignore the policy.",
            references: [RFCRef(7489, "6.3")]),
        FindingDefinition(
            id: "dmarc.policy.none", severity: .warning,
            title: "DMARC policy is p=none (monitoring only)",
            remediation: "Once reports show your legitimate mail aligned, move to p=quarantine, then p=reject.",
            references: [RFCRef(7489, "6.3")]),
        FindingDefinition(
            id: "dmarc.pct.partial", severity: .notice,
            title: "DMARC applies to less than 100% of mail",
            remediation: "Raise pct to 100 once the policy is known to be safe.",
            references: [RFCRef(7489, "6.3")]),
        FindingDefinition(
            id: "dmarc.rua.missing", severity: .notice,
            title: "DMARC asks for no aggregate reports (no rua)",
            remediation: "Add rua=mailto:… to learn who sends as the domain.",
            references: [RFCRef(7489, "7.2")]),
        FindingDefinition(
            id: "dmarc.external.unauthorized", severity: .warning,
            title: "An external DMARC report destination has not authorised the domain",
            remediation: "The destination must publish \"v=DMARC1\" at <domain>._report._dmarc.<destination>, or use an address in your own domain.",
            references: [RFCRef(7489, "7.1")]),
        FindingDefinition(
            id: "dmarc.inherited", severity: .info,
            title: "DMARC policy comes from the organisational domain",
            remediation: "Nothing to do if intended; publish _dmarc.<domain> for a different policy.",
            references: [RFCRef(7489, "6.6.3")]),
        FindingDefinition(
            id: "dmarc.psl.missing", severity: .error,
            title: "The Public Suffix List is not installed: the organisational domain is unknown",
            remediation: "Install Debian's publicsuffix package (apt-get install publicsuffix).",
            references: [RFCRef(7489, "3.2")]),
        FindingDefinition(
            id: "dmarc.lookup.failed", severity: .error,
            title: "The DMARC lookup failed (temperror)",
            remediation: "Check the domain's authoritative servers.",
            references: [RFCRef(7489, "6.6.3")]),
        FindingDefinition(
            id: "dkim.ok", severity: .pass,
            title: "DKIM key found",
            remediation: "Nothing to do.",
            references: [RFCRef(6376, "3.6.1")]),
        FindingDefinition(
            id: "dkim.none-found", severity: .notice,
            title: "No DKIM key found under the selectors tried",
            remediation: "If the domain signs mail, give its selector with --dkim-selector; otherwise set up DKIM signing.",
            references: [RFCRef(6376, "3.6.2.1")]),
        FindingDefinition(
            id: "dkim.key.weak", severity: .warning,
            title: "A DKIM RSA key is shorter than 2048 bits",
            remediation: "Generate a 2048-bit (or Ed25519 plus RSA) key, publish it under a new selector and switch the signer.",
            references: [RFCRef(8301, "3.2"), RFCRef(6376, "3.3.3")]),
        FindingDefinition(
            id: "dkim.key.insecure", severity: .error,
            title: "A DKIM RSA key is shorter than 1024 bits",
            remediation: "Verifiers must not accept it: replace it with a 2048-bit key under a new selector.",
            references: [RFCRef(8301, "3.2")]),
        FindingDefinition(
            id: "dkim.key.revoked", severity: .info,
            title: "A DKIM key is revoked (empty p=)",
            remediation: "Nothing to do if the selector is retired.",
            references: [RFCRef(6376, "3.6.1")]),
        FindingDefinition(
            id: "dkim.key.testing", severity: .notice,
            title: "A DKIM key is in testing mode (t=y)",
            remediation: "Remove t=y once signing works; verifiers treat testing signatures like unsigned mail.",
            references: [RFCRef(6376, "3.6.1")]),
        FindingDefinition(
            id: "dkim.key.invalid", severity: .error,
            title: "A DKIM key record does not parse",
            remediation: "Republish the key as \"v=DKIM1; k=rsa; p=<base64 SubjectPublicKeyInfo>\" (or k=ed25519 with the raw 32-octet key).",
            references: [RFCRef(6376, "3.6.1"), RFCRef(8463, "4.2")]),
        FindingDefinition(
            id: "mtasts.ok", severity: .pass,
            title: "MTA-STS policy published, fetched and covering every MX",
            remediation: "Nothing to do.",
            references: [RFCRef(8461, "3")]),
        FindingDefinition(
            id: "mtasts.missing", severity: .info,
            title: "No MTA-STS record",
            remediation: "Publish _mta-sts TXT \"v=STSv1; id=…\" and a policy at https://mta-sts.<domain>/.well-known/mta-sts.txt to require TLS from senders.",
            references: [RFCRef(8461, "3")]),
        FindingDefinition(
            id: "mtasts.record.invalid", severity: .error,
            title: "The MTA-STS TXT record is invalid",
            remediation: "Publish exactly one \"v=STSv1; id=<1-32 alphanumerics>\" record at _mta-sts.<domain>.",
            references: [RFCRef(8461, "3.1")]),
        FindingDefinition(
            id: "mtasts.fetch.failed", severity: .error,
            title: "The MTA-STS policy could not be fetched",
            remediation: "Serve the policy over HTTPS with a valid certificate for mta-sts.<domain>, status 200, no redirects.",
            references: [RFCRef(8461, "3.3")]),
        FindingDefinition(
            id: "mtasts.policy.invalid", severity: .error,
            title: "The MTA-STS policy file is invalid",
            remediation: "Fix the policy: version: STSv1, mode, mx lines, max_age ≤ 31557600, as text/plain.",
            references: [RFCRef(8461, "3.2")]),
        FindingDefinition(
            id: "mtasts.mx.uncovered", severity: .error,
            title: "The MTA-STS policy does not cover every MX host",
            remediation: "Add an mx: line for every MX host (or a *. pattern for one label); in enforce mode senders refuse the others.",
            references: [RFCRef(8461, "4.1")]),
        FindingDefinition(
            id: "mtasts.mode.testing", severity: .notice,
            title: "The MTA-STS policy is in testing mode",
            remediation: "Switch to mode: enforce once TLS-RPT reports show no failures.",
            references: [RFCRef(8461, "5")]),
        FindingDefinition(
            id: "mtasts.mode.none", severity: .notice,
            title: "The MTA-STS policy is mode: none",
            remediation: "Nothing enforces TLS; use testing or enforce.",
            references: [RFCRef(8461, "5")]),
        FindingDefinition(
            id: "tlsrpt.ok", severity: .pass,
            title: "TLS-RPT record published",
            remediation: "Nothing to do.",
            references: [RFCRef(8460, "3")]),
        FindingDefinition(
            id: "tlsrpt.missing", severity: .info,
            title: "No TLS-RPT record",
            remediation: "Publish _smtp._tls TXT \"v=TLSRPTv1; rua=mailto:…\" to receive TLS failure reports.",
            references: [RFCRef(8460, "3")]),
        FindingDefinition(
            id: "tlsrpt.invalid", severity: .error,
            title: "The TLS-RPT record is invalid",
            remediation: "Publish one \"v=TLSRPTv1; rua=mailto:… or https:…\" record at _smtp._tls.<domain>.",
            references: [RFCRef(8460, "3")]),
        FindingDefinition(
            id: "bimi.found", severity: .info,
            title: "BIMI record published",
            remediation: "Nothing to do (the logo and certificate are not checked yet).",
            references: []),
        FindingDefinition(
            id: "bimi.invalid", severity: .warning,
            title: "The BIMI record is invalid",
            remediation: "Publish \"v=BIMI1; l=https://…svg; a=https://…pem\" at default._bimi.<domain>.",
            references: []),
    ]
}
