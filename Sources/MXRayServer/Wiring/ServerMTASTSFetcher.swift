import DNSWire
import MailAuth
import MailCore
import Probes

/// MailAuth's MTA-STS fetcher over the Probes HTTPS fetcher (validated TLS, no redirects,
/// bounded body, timeout). `mxray check` has the same adapter in MXRayCLI, which this module may
/// not import.
struct ServerMTASTSFetcher: MTASTSPolicyFetcher {
    let fetcher: HTTPSPolicyFetcher

    init(resolver: any DNSResolver, caFile: String?, timeout: Duration = .seconds(10)) {
        fetcher = HTTPSPolicyFetcher(caFile: caFile, timeout: timeout, resolveAddresses: HTTPSPolicyFetcher.addresses(via: resolver))
    }

    func fetchPolicy(for domain: DomainName) async -> MTASTSFetchResult {
        // RFC 8461 §3.3: the policy lives at https://mta-sts.<domain>/.well-known/mta-sts.txt
        guard let host = try? domain.prepending("mta-sts") else {
            return MTASTSFetchResult(url: "https://mta-sts.\(domain)/.well-known/mta-sts.txt", error: "name too long")
        }
        let o = await fetcher.fetch(host: host, path: "/.well-known/mta-sts.txt")
        return MTASTSFetchResult(url: o.url, status: o.status, contentType: o.contentType, body: o.body, error: o.error,
                                 elapsedMilliseconds: o.elapsedMilliseconds)
    }
}
