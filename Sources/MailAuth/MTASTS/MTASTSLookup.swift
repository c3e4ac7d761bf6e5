import DNSWire
import MailCore

/// MTA-STS for a domain: the TXT record, the fetched policy and which MX hosts it leaves out.
public struct MTASTSCheck: Sendable {
    public enum Status: String, Sendable, Codable {
        case none, recordInvalid, multipleRecords, temperror, fetchFailed, policyInvalid, valid
    }
    public var domain: DomainName
    public var status: Status
    public var record: MTASTSRecord?
    public var recordError: String?
    public var fetch: MTASTSFetchResult?
    public var policy: MTASTSPolicy?
    public var policyError: String?
    /// MX hosts no policy pattern matches (RFC 8461 §4.1).
    public var uncoveredMX: [DomainName] = []
    public var answers: [DNSAnswer] = []
}

public struct MTASTSLookup: Sendable {
    public let resolver: any DNSResolver
    public let fetcher: (any MTASTSPolicyFetcher)?

    public init(resolver: any DNSResolver, fetcher: (any MTASTSPolicyFetcher)?) {
        self.resolver = resolver; self.fetcher = fetcher
    }

    /// `mxHosts`: the domain's MX names, checked against the policy's patterns.
    public func check(_ domain: DomainName, mxHosts: [DomainName]) async -> MTASTSCheck {
        var out = MTASTSCheck(domain: domain, status: .none)
        guard let name = try? domain.prepending("_mta-sts") else { return out }
        let a = await resolver.resolve(DNSQuery(name, .txt))
        out.answers.append(a)
        if a.status.isTemporaryFailure { out.status = .temperror; return out }
        let recs = a.rdata.compactMap { r -> String? in if case .txt(let t) = r { t.joined } else { nil } }.filter(MTASTSRecord.isSTS)
        // RFC 8461 §3.1: more than one record is as if none were published.
        if recs.isEmpty { return out }
        if recs.count > 1 { out.status = .multipleRecords; return out }
        do { out.record = try MTASTSRecord.parse(recs[0]) } catch {
            out.status = .recordInvalid; out.recordError = error.description; return out
        }
        guard let fetcher else { out.status = .fetchFailed; out.policyError = "no HTTPS fetcher configured"; return out }
        let f = await fetcher.fetchPolicy(for: domain)
        out.fetch = f
        if let e = f.error { out.status = .fetchFailed; out.policyError = e; return out }
        guard f.status == 200 else {
            out.status = .fetchFailed; out.policyError = "HTTP status \(f.status.map(String.init) ?? "none") (RFC 8461 §3.3 needs 200)"; return out
        }
        // RFC 8461 §3.2: the media type is text/plain.
        if let ct = f.contentType, !ct.lowercased().hasPrefix("text/plain") {
            out.status = .policyInvalid; out.policyError = "Content-Type is \(ct), not text/plain (RFC 8461 §3.2)"; return out
        }
        do { out.policy = try MTASTSPolicy.parse(String(decoding: f.body, as: UTF8.self)) } catch {
            out.status = .policyInvalid; out.policyError = error.description; return out
        }
        out.status = .valid
        if let p = out.policy, p.mode != .none { out.uncoveredMX = mxHosts.filter { !p.covers($0) } }
        return out
    }
}
