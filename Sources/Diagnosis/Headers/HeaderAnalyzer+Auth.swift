import MailAuth
import MailCore

extension HeaderAnalyzer {
    static let usefulProperties: Set<String> = ["smtp.mailfrom", "smtp.helo", "header.d", "header.i", "header.s", "header.from",
                                                "policy.dmarc", "smtp.remote-ip", "policy.iprev", "smtp.auth", "header.b"]

    /// The verdicts of every Authentication-Results field (RFC 8601), the topmost being the final
    /// receiver's own (RFC 8601 §5: fields of other hosts may be forged and are shown, not trusted).
    func analyzeVerdicts(_ header: MessageHeader, into a: inout HeaderAnalysis) {
        for (k, entry) in header.authenticationResultsFields.enumerated() {
            let id = "authres-\(k + 1)"
            a.evidence.append(Evidence(id: id, kind: .note, title: "Authentication-Results field \(k + 1) (line \(entry.field.line))",
                                       lines: entry.field.raw.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)))
            switch entry.parsed {
            case .failure(let e):
                a.problems.append("Authentication-Results at line \(entry.field.line) does not parse: \(e)")
            case .success(let ar):
                for r in ar.results {
                    let props = r.properties.filter { Self.usefulProperties.contains("\($0.type).\($0.name)") }.map { "\($0.type).\($0.name)=\($0.value)" }
                    a.verdicts.append(.init(method: r.method, result: r.result, reason: r.reason, properties: props,
                                            authservID: ar.authservID, isReceivers: k == 0))
                }
            }
        }
        for f in header.fields {
            let n = f.name.lowercased()
            if (n.hasPrefix("x-spam") && n != "x-spam-level" && n != "x-spam-checker-version") || n.hasPrefix("x-rspamd") || n == "x-forefront-antispam-report" {
                a.spamFilter.append("\(f.name): \(f.value.prefix(300))")
            }
        }
    }

    /// Which check failed and which record to fix — what a spam placement usually comes down to.
    func explain(_ header: MessageHeader, into a: inout HeaderAnalysis) {
        let mine = a.verdicts.filter(\.isReceivers)
        let senderIP = a.hops.first(where: { $0.side == "receiver" })?.fromAddress
        let fromDomain = Self.domain(ofAddress: header["From"]?.value ?? "")
        let bad: Set<String> = ["fail", "softfail", "permerror", "temperror", "none", "neutral", "policy"]
        if let spf = mine.first(where: { $0.method == "spf" }), bad.contains(spf.result) {
            let d = spf.properties.first { $0.hasPrefix("smtp.mailfrom=") }.flatMap { Self.domain(ofAddress: String($0.dropFirst(14))) } ?? "the MAIL FROM domain"
            let ip = senderIP ?? "the sending server's address"
            let fix: String
            switch spf.result {
            case "permerror": fix = "Fix the SPF record (TXT at \(d)): it has a syntax error or needs more than 10 lookups; see `mxray spf \(d) --ip \(ip)`."
            case "temperror": fix = "Make \(d)'s DNS answer reliably; the receiver could not read the SPF record."
            default: fix = "Authorise \(ip) in the SPF record (TXT at \(d)): add ip4:/ip6:\(ip) or include: your provider; check with `mxray spf \(d) --ip \(ip)`."
            }
            a.explanations.append(.init(check: "spf", what: "SPF \(spf.result) for \(d) from \(ip) (said by \(spf.authservID))", fix: fix))
        }
        let failedDKIM = a.dkim.filter { $0.result != "pass" }
        for s in failedDKIM {
            let key = "\(s.selector ?? "?")._domainkey.\(s.domain ?? "?")"
            let why = s.reason ?? ""
            var fix = "Make the TXT record at \(key) hold the public key of the private key the signer uses, or stop changing signed header fields."
            if why.contains("body hash") {
                fix = "The body changed after signing (a footer, a mailing list, a gateway rewrote it): sign after the last change, or have the changer sign (ARC)."
            } else if why.contains("no key") || why.contains("does not parse") || why.contains("revoked") {
                fix = "Publish the public key as TXT at \(key) (v=DKIM1; k=rsa; p=…)."
            }
            a.explanations.append(.init(check: "dkim", what: "Our DKIM check of d=\(s.domain ?? "?") s=\(s.selector ?? "?"): \(s.result) (\(s.reason ?? "no reason"))", fix: fix))
        }
        if a.dkim.isEmpty, header["DKIM-Signature"] == nil {
            a.explanations.append(.init(check: "dkim", what: "The message carries no DKIM-Signature",
                                        fix: "Sign outgoing mail with d=\(fromDomain ?? "your From domain") and publish the key at SELECTOR._domainkey.\(fromDomain ?? "your domain")."))
        } else if failedDKIM.isEmpty, let r = mine.first(where: { $0.method == "dkim" }), r.result != "pass" {
            a.explanations.append(.init(check: "dkim", what: "\(r.authservID) says dkim=\(r.result), but the signatures verify now",
                                        fix: "The key may have been unreachable or rotated at delivery time; keep old selectors published for a few days after a rotation."))
        }
        if let dm = mine.first(where: { $0.method == "dmarc" }), dm.result != "pass" {
            let d = dm.properties.first { $0.hasPrefix("header.from=") }.map { String($0.dropFirst(12)) } ?? fromDomain ?? "the From domain"
            a.explanations.append(.init(check: "dmarc", what: "DMARC \(dm.result) for \(d) (said by \(dm.authservID))",
                                        fix: "Make SPF pass with a MAIL FROM in \(d) or DKIM pass with d=\(d) (alignment, RFC 7489 §3.1); check the policy at _dmarc.\(d)."))
        }
        if a.arc.status == .fail {
            let s = a.arc.failedInstance.flatMap { i in a.arc.sets.first { $0.instance == i } }
            let who = s.map { "\($0.sealSelector ?? "?")._domainkey.\($0.sealDomain ?? "?")" } ?? "the sealer's key"
            a.explanations.append(.init(check: "arc", what: "The ARC chain fails: \(a.arc.reason ?? "")",
                                        fix: "A forwarder's seal is broken, so receivers cannot trust its results to excuse a DMARC failure; the sealer must fix its ARC signing or the key at \(who)."))
        }
        let flagged = a.spamFilter.contains { l in let x = l.lowercased(); return x.hasPrefix("x-spam-flag: yes") || x.hasPrefix("x-spam-status: yes") }
        if flagged {
            let tests = a.spamFilter.first { $0.lowercased().hasPrefix("x-spam-status") } ?? a.spamFilter[0]
            a.explanations.append(.init(check: "filter", what: "The receiver's spam filter marked it: \(tests.prefix(200))",
                                        fix: "Fix the authentication failures above first; then look at the filter's tests (URLs, content, sender reputation)."))
        }
    }

    /// `John <john@Example.org>` → `example.org`.
    static func domain(ofAddress s: String) -> String? {
        var t = s
        if let o = t.lastIndex(of: "<"), let c = t[o...].firstIndex(of: ">") { t = String(t[t.index(after: o)..<c]) }
        guard let at = t.lastIndex(of: "@") else { return nil }
        let d = t[t.index(after: at)...].filter { $0 != ">" && $0 != " " }.lowercased()
        return d.isEmpty ? nil : d
    }
}
