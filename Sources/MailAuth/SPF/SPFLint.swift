import DNSWire
import MailCore

/// A problem in a published SPF record, for the audit report (not an evaluation result).
public struct SPFLintIssue: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, Codable {
        case syntax, passAll, neutralAll, ptr, tooManyLookups, tooManyVoidLookups, recordTooLong, stringTooLong
        case multipleRecords, spfRRType, noRecord, lookupFailed, includeMissing, noAll
    }
    public let kind: Kind
    /// Character offset in the record, when the issue is at one place.
    public let position: Int?
    public let message: String
    public let rfc: RFCRef

    public var description: String { (position.map { "at character \($0 + 1): " } ?? "") + message + " (\(rfc))" }
}

/// What the audit learned about a domain's SPF: the record, its issues and the DNS-querying
/// terms it costs once includes and redirects are followed.
public struct SPFAudit: Sendable {
    public var domain: DomainName
    public var record: String?
    public var issues: [SPFLintIssue]
    /// RFC 7208 §4.6.4: lookups the record needs in the worst case (every term evaluated).
    public var lookupsUsed: Int
    public var answers: [DNSAnswer]
}

public enum SPFLint {
    /// Static checks of one record's text (RFC 7208 §4.6, §5.1, §5.5, §3.4).
    public static func lint(_ text: String, strings: [[UInt8]]? = nil) -> [SPFLintIssue] {
        var out: [SPFLintIssue] = []
        if let strings {
            for (i, s) in strings.enumerated() where s.count > 255 {
                out.append(.init(kind: .stringTooLong, position: nil,
                                 message: "character-string \(i + 1) is \(s.count) octets; a TXT string holds at most 255", rfc: RFCRef(7208, "3.3")))
            }
        }
        // RFC 7208 §3.4: keep the answer within 512 octets: records should stay under 450.
        if text.utf8.count > 450 {
            out.append(.init(kind: .recordTooLong, position: nil,
                             message: "the record is \(text.utf8.count) octets; keep it under 450 so answers fit in 512-octet UDP", rfc: RFCRef(7208, "3.4")))
        }
        let record: SPFRecord
        do { record = try SPFRecord.parse(text) } catch {
            out.append(.init(kind: .syntax, position: error.position, message: "syntax error: \(error.message)", rfc: RFCRef(7208, "4.6")))
            return out
        }
        var hasAll = false
        for (q, m, t) in record.mechanisms {
            switch m {
            case .all:
                hasAll = true
                if q == .pass {
                    out.append(.init(kind: .passAll, position: t.position, message: "\"\(t.text)\" lets every host on the Internet send as this domain", rfc: RFCRef(7208, "5.1")))
                } else if q == .neutral {
                    out.append(.init(kind: .neutralAll, position: t.position, message: "\"\(t.text)\" asserts nothing about other hosts; use ~all or -all", rfc: RFCRef(7208, "5.1")))
                }
            case .ptr:
                out.append(.init(kind: .ptr, position: t.position, message: "\"\(t.text)\": the ptr mechanism is slow and unreliable and SHOULD NOT be used", rfc: RFCRef(7208, "5.5")))
            default: break
            }
        }
        if !hasAll && record.redirect == nil {
            out.append(.init(kind: .noAll, position: nil, message: "no \"all\" or \"redirect=\": unlisted hosts get neutral", rfc: RFCRef(7208, "4.7")))
        }
        return out
    }

    /// Looks the record up at `domain`, lints it, and counts the lookups it needs across includes
    /// and redirects (each include/redirect target is read once).
    public static func audit(_ domain: DomainName, resolver: any DNSResolver) async -> SPFAudit {
        var audit = SPFAudit(domain: domain, record: nil, issues: [], lookupsUsed: 0, answers: [])
        let txt = await resolver.resolve(DNSQuery(domain, .txt))
        audit.answers.append(txt)
        if txt.status.isTemporaryFailure {
            audit.issues.append(.init(kind: .lookupFailed, position: nil, message: "TXT lookup for \(domain) failed: \(txt.status.rawValue)", rfc: RFCRef(7208, "4.4")))
            return audit
        }
        let records = txt.rdata.compactMap { r -> TXTRecord? in if case .txt(let t) = r { t } else { nil } }
            .filter { SPFRecord.isSPF($0.joinedOctets) }
        // RFC 7208 §3.1 / §14.1: the SPF RR type (99) is obsolete.
        let rr99 = await resolver.resolve(DNSQuery(domain, DNSRecordType(99)))
        if rr99.status == .answer {
            audit.answers.append(rr99)
            audit.issues.append(.init(kind: .spfRRType, position: nil, message: "a record of the obsolete SPF RR type (99) is published; only TXT is used", rfc: RFCRef(7208, "3.1")))
        }
        guard !records.isEmpty else {
            audit.issues.append(.init(kind: .noRecord, position: nil, message: "\(domain) publishes no v=spf1 record", rfc: RFCRef(7208, "4.5")))
            return audit
        }
        if records.count > 1 {
            audit.issues.append(.init(kind: .multipleRecords, position: nil, message: "\(records.count) v=spf1 records: receivers return permerror", rfc: RFCRef(7208, "4.5")))
        }
        audit.record = records[0].joined
        audit.issues += lint(records[0].joined, strings: records[0].strings)
        var visited: Set<DomainName> = [domain]
        var voids = 0
        audit.lookupsUsed = await countLookups(records[0].joined, depth: 0, resolver: resolver, visited: &visited, voids: &voids, audit: &audit)
        if audit.lookupsUsed > 10 {
            audit.issues.append(.init(kind: .tooManyLookups, position: nil, message: "evaluating the record needs \(audit.lookupsUsed) DNS lookups; the limit is 10, so receivers return permerror", rfc: RFCRef(7208, "4.6.4")))
        }
        return audit
    }

    static func countLookups(_ text: String, depth: Int, resolver: any DNSResolver, visited: inout Set<DomainName>,
                             voids: inout Int, audit: inout SPFAudit) async -> Int {
        guard depth < 10, let record = try? SPFRecord.parse(text) else { return 0 }
        var n = 0
        var targets: [(String, String)] = []
        for (_, m, t) in record.mechanisms where m.countsAsLookup {
            n += 1
            if case .include(let spec) = m, !spec.hasMacros { targets.append((spec.text, t.text)) }
        }
        if let (r, t) = record.redirect, !record.mechanisms.contains(where: { if case .all = $0.1 { true } else { false } }) {
            n += 1
            if !r.hasMacros { targets.append((r.text, t.text)) }
        }
        for (target, term) in targets {
            guard let name = try? DomainName(target), visited.insert(name).inserted else { continue }
            let txt = await resolver.resolve(DNSQuery(name, .txt))
            audit.answers.append(txt)
            let recs = txt.rdata.compactMap { r -> TXTRecord? in if case .txt(let t) = r { t } else { nil } }.filter { SPFRecord.isSPF($0.joinedOctets) }
            guard recs.count == 1 else {
                if !txt.status.isTemporaryFailure {
                    audit.issues.append(.init(kind: .includeMissing, position: nil, message: "\"\(term)\": \(name) has \(recs.count) SPF records; receivers return permerror", rfc: RFCRef(7208, "5.2")))
                }
                continue
            }
            if case .syntax = lint(recs[0].joined).first?.kind {
                audit.issues.append(.init(kind: .syntax, position: nil, message: "\"\(term)\": the record of \(name) has a syntax error", rfc: RFCRef(7208, "4.6")))
            }
            n += await countLookups(recs[0].joined, depth: depth + 1, resolver: resolver, visited: &visited, voids: &voids, audit: &audit)
        }
        return n
    }
}
