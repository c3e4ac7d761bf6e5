import DNSWire
import MailCore

/// The outcome of DMARC policy discovery for a domain (RFC 7489 §6.6.3, RFC 9989 §4.10).
public struct DMARCDiscovery: Sendable {
    public enum Status: String, Sendable, Codable {
        /// A record was found (at the domain or the organisational domain).
        case found
        /// No record anywhere: DMARC does not apply.
        case none
        /// More than one record at the name that decided: DMARC does not apply (RFC 7489 §6.6.3).
        case multiple
        /// A DNS failure stopped discovery (temperror).
        case temperror
        /// A record starting with v=DMARC1 that is not a tag list.
        case invalid
    }
    public var domain: DomainName
    public var status: Status
    /// Where the record was found.
    public var recordName: DomainName?
    public var organizationalDomain: DomainName?
    public var record: DMARCRecord?
    public var syntaxError: String?
    public var externalDestinations: [DMARCExternalCheck] = []
    public var answers: [DNSAnswer] = []

    /// For the audit: "none" when no record or p=none, otherwise the policy and whether pct < 100.
    public var policyStrength: String {
        guard let r = record, let p = r.effectivePolicy else { return "no policy" }
        return p.rawValue + (r.percent < 100 ? " (pct=\(r.percent))" : "") + (r.testing ? " (t=y)" : "")
    }
}

/// RFC 7489 §7.1: a report destination outside the domain's organisational domain must
/// publish `<domain>._report._dmarc.<destination>` with `v=DMARC1`.
public struct DMARCExternalCheck: Sendable, Hashable {
    public let uri: String
    public let destination: DomainName
    public let queried: DomainName
    public let authorized: Bool
    public let status: DNSStatus
}

public struct DMARCLookup: Sendable {
    public let resolver: any DNSResolver
    public let suffixes: PublicSuffixList
    public var spec: DMARCSpec

    public init(resolver: any DNSResolver, suffixes: PublicSuffixList, spec: DMARCSpec = .rfc7489) {
        self.resolver = resolver; self.suffixes = suffixes; self.spec = spec
    }

    enum Fetch { case records([String]), failed(DNSStatus) }

    func fetch(_ name: DomainName, _ out: inout DMARCDiscovery) async -> Fetch {
        guard let q = try? name.prepending("_dmarc") else { return .records([]) }
        let a = await resolver.resolve(DNSQuery(q, .txt))
        out.answers.append(a)
        if a.status.isTemporaryFailure { return .failed(a.status) }
        return .records(a.rdata.compactMap { r -> String? in if case .txt(let t) = r { t.joined } else { nil } }
            .filter(DMARCRecord.isDMARC))
    }

    /// The names to try after the domain itself: RFC 7489 the organisational domain; RFC 9989
    /// the DNS tree walk (at most 8 labels, then one label at a time, never the TLD alone).
    func fallbacks(_ domain: DomainName) -> [DomainName] {
        switch spec {
        case .rfc7489:
            if let org = suffixes.organizationalDomain(of: domain), org != domain { return [org] }
            return []
        case .rfc9989:
            var out: [DomainName] = []
            var labels = domain.labels
            if labels.count > 8 { labels = Array(labels.suffix(8)) } else { labels.removeFirst() }
            while labels.count >= 2 {
                out.append(DomainName(uncheckedLabels: labels))
                labels.removeFirst()
            }
            return out
        }
    }

    public func discover(_ domain: DomainName) async -> DMARCDiscovery {
        var out = DMARCDiscovery(domain: domain, status: .none)
        out.organizationalDomain = suffixes.organizationalDomain(of: domain)
        for name in [domain] + fallbacks(domain) {
            switch await fetch(name, &out) {
            case .failed:
                out.status = .temperror
                return out
            case .records(let recs):
                if recs.isEmpty { continue }
                out.recordName = try? name.prepending("_dmarc")
                if recs.count > 1 { out.status = .multiple; return out }
                do {
                    out.record = try DMARCRecord.parse(recs[0], spec: spec)
                    out.status = .found
                } catch {
                    out.status = .invalid
                    out.syntaxError = error.description
                    return out
                }
                await checkDestinations(name, &out)
                return out
            }
        }
        return out
    }

    /// RFC 7489 §7.1: verify every external mailto: destination.
    func checkDestinations(_ policyDomain: DomainName, _ out: inout DMARCDiscovery) async {
        guard let r = out.record else { return }
        let ownOrg = suffixes.organizationalDomain(of: policyDomain) ?? policyDomain
        for u in r.rua + r.ruf {
            guard let d = u.mailDomain, let dest = try? DomainName(d) else { continue }
            let destOrg = suffixes.organizationalDomain(of: dest) ?? dest
            if destOrg == ownOrg { continue }
            guard let q = try? DomainName(policyDomain.description + "._report._dmarc." + dest.description) else { continue }
            let a = await resolver.resolve(DNSQuery(q, .txt))
            out.answers.append(a)
            let ok = a.rdata.contains { if case .txt(let t) = $0 { DMARCRecord.isDMARC(t.joined) } else { false } }
            out.externalDestinations.append(DMARCExternalCheck(uri: u.uri, destination: dest, queried: q, authorized: ok, status: a.status))
        }
    }
}
