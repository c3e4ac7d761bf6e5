import DNSWire
import MailAuth
import MailCore

/// The auth stage: for a domain, SPF record lint and evaluation, DMARC discovery and
/// validation, DKIM keys under known selectors, MTA-STS (record, policy, MX coverage), TLS-RPT
/// and BIMI. Pure over `DNSResolver` and `MTASTSPolicyFetcher`: unit tests use in-memory fakes,
/// `mxray dns` the network ones.
public struct AuthStage: Sendable {
    public let resolver: any DNSResolver
    public let fetcher: (any MTASTSPolicyFetcher)?
    /// Selectors given by the user; tried before the built-in list.
    public var dkimSelectors: [String]
    public var tryCommonSelectors: Bool
    public var dmarcSpec: DMARCSpec
    /// nil: read the system list (Debian `publicsuffix`); a missing list is a finding.
    public var suffixes: PublicSuffixList?

    public init(resolver: any DNSResolver, fetcher: (any MTASTSPolicyFetcher)?, dkimSelectors: [String] = [],
                tryCommonSelectors: Bool = true, dmarcSpec: DMARCSpec = .rfc7489, suffixes: PublicSuffixList? = nil) {
        self.resolver = resolver; self.fetcher = fetcher; self.dkimSelectors = dkimSelectors
        self.tryCommonSelectors = tryCommonSelectors; self.dmarcSpec = dmarcSpec; self.suffixes = suffixes
    }

    /// The one entry point for `mxray dns` / `mxray check`.
    public static func run(domain: DomainName, resolver: any DNSResolver, fetcher: (any MTASTSPolicyFetcher)?,
                           dkimSelectors: [String] = [], mxHosts: [DomainName]? = nil) async -> AuthResult {
        await AuthStage(resolver: resolver, fetcher: fetcher, dkimSelectors: dkimSelectors).run(domain, mxHosts: mxHosts)
    }

    /// `mxHosts`: the MX names from the locate stage; looked up here when nil.
    public func run(_ domain: DomainName, mxHosts: [DomainName]? = nil) async -> AuthResult {
        var pslError: String?
        var psl = suffixes
        if psl == nil {
            do { psl = try PublicSuffixList.load() } catch { pslError = error.description }
        }
        let list = psl ?? PublicSuffixList(text: "")
        let selectors = uniq(dkimSelectors + (tryCommonSelectors ? DKIMKeyLookup.commonSelectors : []))

        // Independent lookups run concurrently.
        async let spfAudit = SPFLint.audit(domain, resolver: resolver)
        async let spfEval = SPFEvaluator(resolver: resolver).checkHost(
            SPFRequest(ip: IPAddress("192.0.2.1")!, sender: "postmaster@" + domain.description, helo: domain.description))
        async let dmarc = DMARCLookup(resolver: resolver, suffixes: list, spec: dmarcSpec).discover(domain)
        async let dkim = DKIMKeyLookup(resolver: resolver).lookup(domain, selectors: selectors)
        async let tlsrpt = resolver.lookupTLSRPT(domain)
        async let bimi = resolver.lookupBIMI(domain)
        var mx = mxHosts
        var mxAnswer: DNSAnswer?
        if mx == nil {
            let l = await resolver.lookupMX(domain)
            mxAnswer = l.answer
            mx = l.values.filter { !$0.isNullMX }.map(\.exchange)
        }
        let sts = await MTASTSLookup(resolver: resolver, fetcher: fetcher).check(domain, mxHosts: mx ?? [])

        var b = AuthAssembler(domain: domain)
        b.spf(await spfAudit, await spfEval)
        b.dmarc(await dmarc, spec: dmarcSpec, pslError: pslError)
        b.dkim(await dkim, tried: selectors)
        b.mtaSTS(sts, mxAnswer: mxAnswer)
        b.tlsRPT(await tlsrpt, name: (try? domain.prepending("_smtp._tls"))?.description ?? "")
        b.bimi(await bimi, name: (try? domain.prepending("default._bimi"))?.description ?? "")
        return b.result()
    }

    func uniq(_ a: [String]) -> [String] {
        var seen: Set<String> = []
        return a.filter { seen.insert($0.lowercased()).inserted }
    }
}
