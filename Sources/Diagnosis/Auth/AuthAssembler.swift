import DNSWire
import MailAuth
import MailCore

/// Turns what the auth stage gathered into summaries, findings and evidence, in one sequential
/// pass so that output and evidence ids are the same on every run.
struct AuthAssembler {
    let domain: DomainName
    var findings: [Finding] = []
    var evidence: [Evidence] = []
    var spfSummary = AuthResult.SPF(status: "none", record: nil, lookupsUsed: 0, issues: [], defaultResult: nil)
    var dmarcSummary = AuthResult.DMARC(status: "none", strength: "no policy", rua: [], issues: [], externalDestinations: [], spec: "rfc7489")
    var dkimSummary = AuthResult.DKIM(selectorsTried: [], keys: [])
    var stsSummary = AuthResult.MTASTS(status: "none", mx: [], uncoveredMX: [])
    var tlsrptSummary = AuthResult.SimpleRecord(name: "", status: "none", detail: [])
    var bimiSummary = AuthResult.SimpleRecord(name: "", status: "none", detail: [])

    init(domain: DomainName) { self.domain = domain }

    var subject: String { domain.description }

    /// Records the answers as one evidence item and returns its id.
    mutating func addEvidence(_ id: String, _ title: String, _ answers: [DNSAnswer], extra: [String] = []) -> String {
        var lines = answers.flatMap { $0.traces.map(\.description) }
        for a in answers {
            for r in a.records { if case .txt(let t) = r.data { lines.append("\(r.name.description) TXT \"\(t.joined.escapedForDisplay)\"") } }
        }
        evidence.append(Evidence(id: id, kind: .dns, title: title, lines: lines + extra))
        return id
    }

    mutating func raise(_ id: String, _ detail: String, _ ev: [String], severity: Severity? = nil) {
        guard let def = FindingCatalog.definition(id) else { return }
        findings.append(def.raise(subject: subject, detail: detail, evidence: ev, severity: severity))
    }

    mutating func spf(_ audit: SPFAudit, _ eval: SPFEvaluation) {
        let ev = addEvidence("auth.spf", "SPF of \(domain)", audit.answers,
                             extra: eval.trace.map { "check_host: " + $0.description.escapedForDisplay })
        spfSummary.record = audit.record
        spfSummary.lookupsUsed = audit.lookupsUsed
        spfSummary.issues = audit.issues.map(\.description)
        spfSummary.defaultResult = eval.result.rawValue
        spfSummary.status = audit.record != nil ? "found" : "none"
        var bad = false
        for i in audit.issues {
            switch i.kind {
            case .noRecord: raise("spf.missing", i.message, [ev])
            case .lookupFailed: spfSummary.status = "temperror"; raise("spf.lookup.failed", i.message, [ev]); bad = true
            case .multipleRecords: spfSummary.status = "multiple"; raise("spf.multiple", i.message, [ev]); bad = true
            case .syntax: raise("spf.syntax", i.description, [ev]); bad = true
            case .tooManyLookups: raise("spf.lookups.exceeded", i.message, [ev]); bad = true
            case .passAll: raise("spf.all.pass", i.message, [ev]); bad = true
            case .neutralAll: raise("spf.all.neutral", i.message, [ev]); bad = true
            case .noAll: raise("spf.no-all", i.message, [ev])
            case .ptr: raise("spf.ptr", i.message, [ev])
            case .recordTooLong: raise("spf.record.long", i.message, [ev])
            case .stringTooLong: raise("spf.string.long", i.message, [ev]); bad = true
            case .spfRRType: raise("spf.rrtype", i.message, [ev])
            case .includeMissing: raise("spf.include.invalid", i.message, [ev]); bad = true
            case .tooManyVoidLookups: raise("spf.permerror", i.message, [ev]); bad = true
            }
        }
        if audit.record != nil, let r = try? SPFRecord.parse(audit.record!),
           r.mechanisms.contains(where: { if case .all = $0.1, $0.0 == .softfail { true } else { false } }) {
            raise("spf.all.softfail", "the record ends in ~all: unlisted hosts get softfail, which receivers rarely reject", [ev])
        }
        if eval.result == .permerror && !findings.contains(where: { $0.id == "spf.lookups.exceeded" || $0.id == "spf.syntax" || $0.id == "spf.multiple" }) {
            raise("spf.permerror", "evaluating the record for an unlisted address gives permerror: \(eval.problem ?? "")", [ev]); bad = true
        }
        if audit.record != nil && !bad {
            raise("spf.ok", "\(audit.record!) — \(audit.lookupsUsed)/10 DNS lookups; an unlisted host gets \(eval.result.rawValue)", [ev])
        }
    }

    mutating func dmarc(_ d: DMARCDiscovery, spec: DMARCSpec, pslError: String?) {
        let ev = addEvidence("auth.dmarc", "DMARC of \(domain)", d.answers)
        dmarcSummary.spec = spec.rawValue
        dmarcSummary.status = d.status.rawValue
        dmarcSummary.recordName = d.recordName?.description
        dmarcSummary.organizationalDomain = d.organizationalDomain?.description
        dmarcSummary.strength = d.policyStrength
        if let e = pslError { raise("dmarc.psl.missing", e, [ev]) }
        switch d.status {
        case .none: raise("dmarc.missing", "no v=DMARC1 record at _dmarc.\(domain)" + (d.organizationalDomain.map { $0 != domain ? " or _dmarc.\($0)" : "" } ?? ""), [ev])
        case .multiple: raise("dmarc.multiple", "more than one v=DMARC1 record at \(d.recordName?.description ?? "")", [ev])
        case .temperror: raise("dmarc.lookup.failed", "the _dmarc lookup failed", [ev])
        case .invalid: raise("dmarc.invalid", d.syntaxError ?? "", [ev])
        case .found: break
        }
        guard let r = d.record else { return }
        dmarcSummary.record = r.text
        dmarcSummary.policy = r.policy?.rawValue
        dmarcSummary.subdomainPolicy = r.subdomainPolicy?.rawValue
        dmarcSummary.percent = r.percent
        dmarcSummary.rua = r.rua.map(\.uri)
        dmarcSummary.issues = r.issues.map(\.description)
        if let n = d.recordName, n != (try? domain.prepending("_dmarc")) {
            raise("dmarc.inherited", "the policy comes from \(n)", [ev])
        }
        for i in r.issues where i.severity == .error { raise("dmarc.tag.invalid", i.description, [ev]) }
        if r.effectivePolicy == DMARCPolicy.none {
            raise("dmarc.policy.none", "p=none: receivers take no action on failing mail" + (r.policy == nil ? " (no valid p=; a valid rua makes receivers act as p=none)" : ""), [ev])
        }
        if r.percent < 100 { raise("dmarc.pct.partial", "pct=\(r.percent): the policy applies to \(r.percent)% of failing mail", [ev]) }
        if r.rua.isEmpty { raise("dmarc.rua.missing", "no valid rua= URI: no aggregate reports are sent", [ev]) }
        for x in d.externalDestinations {
            dmarcSummary.externalDestinations.append("\(x.uri): \(x.authorized ? "authorised" : "not authorised") (\(x.queried))")
            if !x.authorized { raise("dmarc.external.unauthorized", "\(x.uri): no v=DMARC1 at \(x.queried) (\(x.status.rawValue))", [ev]) }
        }
        if let p = r.effectivePolicy, p > DMARCPolicy.none, r.errors.isEmpty, r.percent == 100 {
            raise("dmarc.ok", "p=\(p.rawValue) at \(d.recordName?.description ?? "")", [ev])
        }
    }

    mutating func dkim(_ found: [DKIMKeyLookup.Found], tried: [String]) {
        let ev = addEvidence("auth.dkim", "DKIM keys of \(domain)", found.filter { $0.status == .answer }.map(\.answer),
                             extra: ["selectors tried: " + tried.joined(separator: ", ")])
        dkimSummary.selectorsTried = tried
        for f in found where f.record != nil || f.error != nil {
            let k = f.record
            dkimSummary.keys.append(AuthResult.DKIMKey(selector: f.selector, name: f.name.description, keyType: k?.keyType?.rawValue,
                                                       keySize: k?.keySize, revoked: k?.isRevoked ?? false, testing: k?.testing ?? false,
                                                       error: f.error ?? (k?.problems.isEmpty == false ? k!.problems.joined(separator: "; ") : nil)))
            guard let k else { raise("dkim.key.invalid", "\(f.name): \(f.error ?? "")", [ev]); continue }
            if !k.problems.isEmpty { raise("dkim.key.invalid", "\(f.name): " + k.problems.joined(separator: "; "), [ev]); continue }
            if k.isRevoked { raise("dkim.key.revoked", "\(f.name) has an empty p=", [ev]); continue }
            if k.testing { raise("dkim.key.testing", "\(f.name) sets t=y", [ev]) }
            if k.keyType == .rsa, let bits = k.keySize {
                if bits < 1024 { raise("dkim.key.insecure", "\(f.name): RSA \(bits) bits", [ev]); continue }
                if bits < 2048 { raise("dkim.key.weak", "\(f.name): RSA \(bits) bits", [ev]); continue }
            }
            raise("dkim.ok", "\(f.name): \(k.keyType?.rawValue ?? "?") \(k.keySize.map { "\($0) bits" } ?? "")", [ev])
        }
        if dkimSummary.keys.isEmpty {
            raise("dkim.none-found", "no key under \(tried.count) selectors: \(tried.joined(separator: ", "))", [ev])
        }
    }

    mutating func mtaSTS(_ c: MTASTSCheck, mxAnswer: DNSAnswer?) {
        var extra: [String] = []
        if let f = c.fetch {
            extra.append("GET \(f.url) → \(f.status.map(String.init) ?? "no response")" + (f.error.map { " (\($0))" } ?? "")
                         + (f.elapsedMilliseconds.map { " in \($0) ms" } ?? ""))
            if f.error == nil { extra += String(decoding: f.body.prefix(2048), as: UTF8.self).split(separator: "\n").map { "  " + String($0).escapedForDisplay } }
        }
        let ev = addEvidence("auth.mta-sts", "MTA-STS of \(domain)", c.answers + (mxAnswer.map { [$0] } ?? []), extra: extra)
        stsSummary.status = c.status.rawValue
        stsSummary.id = c.record?.id
        stsSummary.url = c.fetch?.url
        stsSummary.httpStatus = c.fetch?.status
        stsSummary.mode = c.policy?.mode.rawValue
        stsSummary.mx = c.policy?.mx ?? []
        stsSummary.maxAge = c.policy?.maxAge
        stsSummary.uncoveredMX = c.uncoveredMX.map(\.description)
        stsSummary.error = c.recordError ?? c.policyError
        switch c.status {
        case .none: raise("mtasts.missing", "no v=STSv1 record at _mta-sts.\(domain)", [ev])
        case .recordInvalid, .multipleRecords: raise("mtasts.record.invalid", c.recordError ?? "more than one v=STSv1 record", [ev])
        case .temperror: raise("mtasts.record.invalid", "the _mta-sts lookup failed", [ev], severity: .warning)
        case .fetchFailed: raise("mtasts.fetch.failed", c.policyError ?? "", [ev])
        case .policyInvalid: raise("mtasts.policy.invalid", c.policyError ?? "", [ev])
        case .valid:
            guard let p = c.policy else { break }
            if !c.uncoveredMX.isEmpty {
                raise("mtasts.mx.uncovered", "mode \(p.mode.rawValue); not covered: \(c.uncoveredMX.map(\.description).joined(separator: ", ")); policy mx: \(p.mx.joined(separator: ", "))", [ev],
                      severity: p.mode == .enforce ? nil : .warning)
            }
            if p.mode == .testing { raise("mtasts.mode.testing", "mode: testing", [ev]) }
            if p.mode == MTASTSPolicy.Mode.none { raise("mtasts.mode.none", "mode: none", [ev]) }
            if c.uncoveredMX.isEmpty && p.mode == .enforce {
                raise("mtasts.ok", "mode enforce, id \(c.record?.id ?? ""), max_age \(p.maxAge), mx \(p.mx.joined(separator: ", "))", [ev])
            }
        }
    }

    mutating func tlsRPT(_ l: PolicyRecordLookup<TLSRPTRecord>?, name: String) {
        let ev = addEvidence("auth.tls-rpt", "TLS-RPT of \(domain)", l.map { [$0.answer] } ?? [])
        tlsrptSummary.name = name
        guard let l else { return }
        if l.status.isTemporaryFailure { tlsrptSummary.status = "temperror"; return }
        if let r = l.record {
            tlsrptSummary.status = "found"; tlsrptSummary.record = r.tags.tags.map { "\($0.name)=\($0.value)" }.joined(separator: "; ")
            tlsrptSummary.detail = r.rua
            raise("tlsrpt.ok", "reports go to \(r.rua.joined(separator: ", "))", [ev])
        } else if let e = l.error {
            tlsrptSummary.status = "invalid"; tlsrptSummary.error = e
            raise("tlsrpt.invalid", e, [ev])
        } else {
            raise("tlsrpt.missing", "no v=TLSRPTv1 record at \(name)", [ev])
        }
    }

    mutating func bimi(_ l: PolicyRecordLookup<BIMIRecord>?, name: String) {
        bimiSummary.name = name
        guard let l else { return }
        if l.status.isTemporaryFailure { bimiSummary.status = "temperror"; return }
        if let r = l.record {
            let ev = addEvidence("auth.bimi", "BIMI of \(domain)", [l.answer])
            bimiSummary.status = "found"
            bimiSummary.detail = ["l=\(r.location ?? "")", "a=\(r.authority ?? "")"]
            raise("bimi.found", r.isDeclination ? "the domain declines BIMI (empty l= and a=)" : "logo \(r.location ?? "-"), evidence \(r.authority ?? "-")", [ev])
        } else if let e = l.error {
            let ev = addEvidence("auth.bimi", "BIMI of \(domain)", [l.answer])
            bimiSummary.status = "invalid"; bimiSummary.error = e
            raise("bimi.invalid", e, [ev])
        }
    }

    func result() -> AuthResult {
        AuthResult(domain: domain, spf: spfSummary, dmarc: dmarcSummary, dkim: dkimSummary, mtaSTS: stsSummary,
                   tlsRPT: tlsrptSummary, bimi: bimiSummary, findings: findings, evidence: evidence)
    }
}

extension String {
    /// Control and non-ASCII characters as \u{…}, for text that came from the network.
    var escapedForDisplay: String {
        var out = ""
        for s in unicodeScalars {
            if s.value < 0x20 || s.value == 0x7F || s.value > 0x7E { out += "\\u{\(String(s.value, radix: 16))}" } else { out.unicodeScalars.append(s) }
        }
        return out
    }
}
