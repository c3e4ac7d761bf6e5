import MailCore
import TLSWire

/// Raises the TLS findings of one scan from the catalog (`Catalog/TLSFindings.swift`).
enum TLSFindingRules {
    static func findings(scan r: TLSScanResult, assessment a: TLSAssessment, evidence: String) -> [Finding] {
        var out: [Finding] = []
        func raise(_ id: String, _ detail: String, severity: Severity? = nil) {
            guard let d = FindingCatalog.definition(id) else { return }
            out.append(d.raise(subject: r.subject, detail: detail, evidence: [evidence], severity: severity))
        }
        switch r.status {
        case .couldNotTest: raise("tls.could-not-test", r.statusDetail ?? "the server did not let the scan finish"); return out
        case .unreachable: raise("tls.could-not-test", r.statusDetail ?? "unreachable"); return out
        case .noTLS: raise("tls.none", r.statusDetail ?? "no TLS version accepted"); return out
        case .completed: break
        }
        let accepted = r.acceptedVersions
        if accepted.contains(.ssl3) { raise("tls.version.insufficient", "SSLv3 is accepted") }
        let old = accepted.filter { $0 == .tls10 || $0 == .tls11 }
        if !old.isEmpty { raise("tls.version.phase-out", old.map(\.description).joined(separator: ", ") + " accepted") }
        if !accepted.contains(.tls13) { raise("tls.version.no-tls13", "highest version: \(accepted.last?.description ?? "none")") }
        let badSuites = a.parts.filter { $0.area == "suite" && $0.grade == .insufficient }
        if !badSuites.isEmpty { raise("tls.suite.insufficient", badSuites.prefix(8).map { "\($0.item) (\($0.reason))" }.joined(separator: "; ")) }
        let oldSuites = a.parts.filter { $0.area == "suite" && $0.grade == .phaseOut }
        if !oldSuites.isEmpty { raise("tls.suite.phase-out", oldSuites.prefix(8).map { "\($0.item) (\($0.reason))" }.joined(separator: "; ")) }
        let badGroups = a.parts.filter { $0.area == "group" && $0.grade >= .phaseOut }
        if !badGroups.isEmpty { raise("tls.group.weak", badGroups.map { "\($0.item) is \($0.grade)" }.joined(separator: "; ")) }
        for v in r.versions where v.serverOrder == false {
            raise("tls.suite.client-order", "\(v.version): the server follows the client's order")
        }
        if a.postQuantumReady { raise("tls.pq.ready", a.postQuantumLine) } else if accepted.contains(.tls13) { raise("tls.pq.missing", a.postQuantumLine) }
        if r.features.compression == true { raise("tls.compression", "DEFLATE was accepted") }
        if r.features.secureRenegotiation == false { raise("tls.renegotiation.insecure", "no renegotiation_info in the ServerHello") }
        if r.features.extendedMasterSecret == false { raise("tls.ems.missing", "no extended_master_secret in the TLS ≤1.2 ServerHello") }
        if r.features.fallbackSCSV == false { raise("tls.fallback-scsv.missing", "a lower-version hello with TLS_FALLBACK_SCSV was accepted") }
        if let c = r.certificate {
            if c.chain.first?.selfSigned == true { raise("tls.cert.self-signed", c.chain.first?.subject ?? "") }
            else if c.incompleteChain { raise("tls.cert.incomplete-chain", "only the leaf was sent; issuer \(c.chain.first?.issuer ?? "?")") }
            else if !c.trusted { raise("tls.cert.untrusted", c.trustDetail ?? "no path to a trusted root") }
            if !c.nameMatches { raise("tls.cert.name-mismatch", "\(r.host) is not in \(c.sans.isEmpty ? "the subject" : c.sans.joined(separator: ", "))") }
            else if c.nameOnlyInCommonName == true { raise("tls.cert.name-cn-only", "\(r.host) is in the subject's CN; the certificate has no subjectAltName") }
            if c.daysToExpiry < 0 { raise("tls.cert.expired", "expired \(-c.daysToExpiry) days ago") }
            else if c.daysToExpiry < 14 { raise("tls.cert.expiring", "expires in \(c.daysToExpiry) days") }
            if let k = a.parts.first(where: { $0.area == "certificate" && $0.grade >= .phaseOut }) { raise("tls.cert.weak", "\(k.item) is \(k.grade)") }
        }
        let noCertificate = r.certificate == nil && r.notes.contains(TLSScanResult.certificateFailedNote)
        if noCertificate {
            // Nothing said about the certificate must not read as "nothing wrong with it".
            let tlsa = r.dane.map { $0.records.isEmpty ? "" : "; TLSA records are published at \($0.name), but there was no chain to compare them with" } ?? ""
            raise("tls.could-not-test", "the certificate's full handshake failed (a busy or throttling server), so the certificate was not checked\(tlsa)")
        }
        if let d = r.dane, !d.records.isEmpty {
            if d.anyMatch { raise("tls.dane.match", "\(d.name): " + d.records.map { "\($0.usage) \($0.selector) \($0.matchingType) \($0.result)" }.joined(separator: ", ")) }
            else if d.records.allSatisfy({ $0.result == "no-certificate" }) {
                // Nothing was compared: the certificate handshake failed (a busy or throttling
                // server). A mismatch is only what a compared chain shows (RFC 6698 §2.1). Said
                // once, with the certificate's could-not-test above when there is one.
                if !noCertificate {
                    raise("tls.could-not-test", "\(d.name): TLSA records are published, but no certificate was captured to compare them with")
                }
            } else { raise("tls.dane.mismatch", "\(d.name): no TLSA record matches the presented chain") }
            if !d.authentic { raise("tls.dane.not-authentic", "the TLSA answer for \(d.name) did not carry AD") }
        }
        if let g = a.grade {
            let sev: Severity = g == .good ? .pass : g == .sufficient ? .info : g == .phaseOut ? .warning : .error
            raise("tls.grade", "\(g): \(a.gradeReason)", severity: sev)
        }
        return out
    }
}
