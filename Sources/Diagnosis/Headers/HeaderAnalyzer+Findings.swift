import MailAuth
import MailCore

extension HeaderAnalyzer {
    func raise(_ id: String, _ subject: String, _ detail: String, _ evidence: [String], into a: inout HeaderAnalysis) {
        guard let d = FindingCatalog.definition(id) else { return }
        a.findings.append(d.raise(subject: subject, detail: detail, evidence: evidence))
    }

    func raiseFindings(_ header: MessageHeader, into a: inout HeaderAnalysis) {
        let subject = a.messageID ?? "message"
        if a.hops.isEmpty {
            a.evidence.append(Evidence(id: "header", kind: .note, title: "Header field names",
                                       lines: header.fields.prefix(40).map { "line \($0.line): \($0.name)" }))
            raise("headers.received.missing", subject, "No Received field among \(header.fields.count) header fields.", ["header"], into: &a)
        }
        for h in a.hops {
            let who = "hop \(h.number) (\(h.by ?? "unnamed host"))"
            if h.epochSeconds == nil {
                raise("headers.hop.date-missing", who, h.problems.first { $0.contains("date") } ?? "no date", [h.evidenceID], into: &a)
            }
            if let d = h.delaySeconds, d < -skewToleranceSeconds {
                raise("headers.hop.clock-skew", who, h.problems.last ?? "stamped \(-d) s earlier than the hop before", [h.evidenceID], into: &a)
            } else if let d = h.delaySeconds, d > slowHopSeconds {
                raise("headers.hop.slow", who, "\(HeaderAnalyzer.duration(d)) since the previous stamp (\(h.side) side).", [h.evidenceID], into: &a)
            }
            // Only a hop between two machines counts: a local hand-off (no client address, or loopback) is not on the wire.
            if h.tls.used == false, let ip = h.fromAddress, !ip.hasPrefix("127."), ip != "::1" {
                raise("headers.hop.plaintext", who, "from \(h.from ?? "?") [\(ip)] with \(h.with ?? "?"), no TLS stated.", [h.evidenceID], into: &a)
            }
        }
        let mine = a.verdicts.filter(\.isReceivers)
        if let spf = mine.first(where: { $0.method == "spf" }), spf.result != "pass" {
            let e = a.explanations.first { $0.check == "spf" }
            raise("headers.spf.fail", subject, "\(e?.what ?? "spf=\(spf.result)"). \(e?.fix ?? "")", ["authres-1"], into: &a)
        }
        if let dm = mine.first(where: { $0.method == "dmarc" }), dm.result != "pass" {
            let e = a.explanations.first { $0.check == "dmarc" }
            raise("headers.dmarc.fail", subject, "\(e?.what ?? "dmarc=\(dm.result)"). \(e?.fix ?? "")", ["authres-1"], into: &a)
        }
        for (k, s) in a.dkim.enumerated() {
            let id = "dkim-\(k + 1)"
            a.evidence.append(Evidence(id: id, kind: .note, title: "Our DKIM verification of signature \(k + 1)",
                                       lines: ["d=\(s.domain ?? "?") s=\(s.selector ?? "?") a=\(s.algorithm ?? "?")",
                                               "result \(s.result)\(s.reason.map { ": \($0)" } ?? "")",
                                               "keys from \(a.keySource)"]))
        }
        let dkimIDs = a.dkim.indices.map { "dkim-\($0 + 1)" }
        if a.dkim.isEmpty, header["DKIM-Signature"] == nil {
            a.evidence.append(Evidence(id: "dkim-none", kind: .note, title: "DKIM-Signature fields", lines: ["none in the message"]))
            raise("headers.dkim.missing", subject, "No DKIM-Signature field.", ["dkim-none"], into: &a)
        } else if a.dkim.isEmpty {
            // Too many signatures to verify (see problems): nothing to conclude.
        } else if a.dkim.allSatisfy({ $0.result == "pass" }) {
            raise("headers.dkim.ok", subject, "\(a.dkim.count) signature(s) verified with keys from \(a.keySource).", dkimIDs, into: &a)
        } else {
            for (k, s) in a.dkim.enumerated() where s.result != "pass" {
                raise("headers.dkim.fail", "d=\(s.domain ?? "?") s=\(s.selector ?? "?")", "\(s.result): \(s.reason ?? "no reason")", ["dkim-\(k + 1)"], into: &a)
            }
        }
        if let r = mine.first(where: { $0.method == "dkim" }), !a.dkim.isEmpty {
            let ours = a.dkim.contains { $0.result == "pass" } ? "pass" : a.dkim[0].result
            if (r.result == "pass") != (ours == "pass") {
                raise("headers.dkim.disagrees", subject, "\(r.authservID) said dkim=\(r.result); we get \(ours) with keys from \(a.keySource).",
                      ["authres-1"] + dkimIDs, into: &a)
            }
        }
        if a.arc.status != .none {
            a.evidence.append(Evidence(id: "arc", kind: .note, title: "ARC chain (RFC 8617 §5.2)", lines: a.arc.sets.map { s in
                "i=\(s.instance) \(s.authservID ?? "?") seal d=\(s.sealDomain ?? "?") s=\(s.sealSelector ?? "?") cv=\(s.statedCV ?? "?"): "
                    + "seal \(s.sealResult?.rawValue ?? "not checked"), AMS \(s.messageSignatureResult?.rawValue ?? "not checked")"
            } + ["chain: \(a.arc.status.rawValue)\(a.arc.reason.map { " — \($0)" } ?? "")"]))
            if a.arc.status == .pass {
                raise("headers.arc.ok", subject, "\(a.arc.sets.count) ARC set(s) validate.", ["arc"], into: &a)
            } else {
                raise("headers.arc.fail", subject, a.arc.reason ?? "the chain fails", ["arc"], into: &a)
            }
        }
        if let e = a.explanations.first(where: { $0.check == "filter" }) {
            a.evidence.append(Evidence(id: "spam-filter", kind: .note, title: "Spam filter fields", lines: a.spamFilter))
            raise("headers.spam.flagged", subject, e.what, ["spam-filter"], into: &a)
        }
        for p in a.problems where p.hasPrefix("Authentication-Results") {
            raise("headers.authres.unparsed", subject, p, a.evidence.filter { $0.id.hasPrefix("authres-") }.map(\.id), into: &a)
        }
    }
}
