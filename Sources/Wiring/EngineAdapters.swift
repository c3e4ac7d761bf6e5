import Diagnosis
import DNSWire
import MailAuth
import MailCore
import MailWire
import NIOCore
import Probes
import TLSWire

// The concrete I/O behind the engine's protocols (`PortProbing`, `TLSScanning`,
// `MTASTSPolicyFetcher`, `HTTPFetching`), shared by `mxray check`/`locate`/`dns` (MXRayCLI) and
// `mxray serve` (MXRayServer). Diagnosis may not import Probes (layer rule), so the adapters live
// in this module, one layer above both.

/// The real probes behind the engine's `PortProbing`: `MailProber` with the run's options, its
/// overall deadline set to what the engine has left.
public struct MailProberAdapter: PortProbing {
    public var options: ProbeOptions

    public init(options: ProbeOptions) { self.options = options }

    public func probe(_ targets: [ProbeAddress], ports: [Int], timeout: Duration) async -> [PortObservation] {
        var o = options
        o.overallTimeout = timeAmount(timeout)
        o.connectTimeout = min(o.connectTimeout, o.overallTimeout)
        return await MailProber(options: o).probe(targets.map { ProbeTarget(address: $0.address, host: $0.host) }, ports: ports)
    }
}

/// How deep `check` looks at TLS (`--tls-scan`).
public enum TLSScanMode: String, Sendable, CaseIterable {
    /// Every suite of every version by elimination (what `mxray tls` does).
    case full
    /// One wave of hellos per port: versions, weak suites per version, groups, features, the
    /// certificate: what the grade and the findings need (`TLSQuickAssessment`).
    case quick
    /// No TLS scan; STARTTLS is still probed.
    case off
}

/// The real TLS scanner behind `TLSScanning`: STARTTLS chosen by port, the extra CA for the
/// certificate check, the per-host cap; the full scan or the quick assessment.
public struct TLSScannerAdapter: TLSScanning {
    public var caFile: String?
    public var perHostConcurrency: Int
    public var mode: TLSScanMode

    public init(caFile: String?, perHostConcurrency: Int = 4, mode: TLSScanMode = .full) {
        self.caFile = caFile
        self.perHostConcurrency = perHostConcurrency
        self.mode = mode
    }

    /// The quick assessment splits its offers where the NCSC-NL grade changes.
    public static let ranking = TLSQuickAssessment.Ranking(
        suite: { NCSCGuidelines.grade(suite: $0).0.rawValue },
        group: { NCSCGuidelines.grade(group: $0).rawValue })

    public func scan(host: String, address: String, port: Int, timeout: Duration) async -> TLSScanResult {
        var o = TLSScanOptions(host: host, address: address, port: port, starttls: StartTLSProtocol.forPort(port))
        o.caFile = caFile
        o.perHostConcurrency = perHostConcurrency
        o.overallTimeout = timeAmount(timeout)
        switch mode {
        case .quick: return await TLSQuickAssessment(options: o, ranking: Self.ranking).scan()
        case .full, .off: return await TLSScanner(options: o).scan()
        }
    }
}

/// A `Duration` as NIO's `TimeAmount` (at least 1 ns: NIO treats 0 as "now").
public func timeAmount(_ d: Duration) -> TimeAmount {
    let c = d.components
    return .nanoseconds(max(1, c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000))
}

/// The real HTTP(S) client behind `HTTPFetching`: names resolved through the run's resolver,
/// the extra CA trusted, redirects reported and never followed.
public struct HTTPFetcherAdapter: HTTPFetching {
    let fetcher: HTTPRequestFetcher

    public init(resolver: any DNSResolver, caFile: String?) {
        fetcher = HTTPRequestFetcher(caFile: caFile, resolveAddresses: HTTPSPolicyFetcher.addresses(via: resolver))
    }

    public func fetch(_ r: HTTPFetchRequest, timeout: Duration) async -> HTTPFetchResponse {
        let o = await fetcher.fetch(scheme: r.scheme, host: r.host, path: r.path, method: r.method, body: r.body,
                                    contentType: r.contentType, timeout: timeout)
        return HTTPFetchResponse(address: o.address, status: o.status, contentType: o.contentType, location: o.location,
                                 body: o.body, error: o.error, milliseconds: o.elapsedMilliseconds)
    }
}

/// The real MTA-STS policy fetcher: the Probes HTTPS fetcher (AsyncHTTPClient, validated TLS,
/// no redirects, 64 KiB cap, timeout) behind MailAuth's protocol. It lives here because Probes
/// may not import MailAuth (layer rule); `mxray dns`, `check` and `serve` wire it in.
public struct HTTPSMTASTSFetcher: MTASTSPolicyFetcher {
    public let fetcher: HTTPSPolicyFetcher

    public init(resolver: any DNSResolver, caFile: String? = nil, timeout: Duration = .seconds(10)) {
        fetcher = HTTPSPolicyFetcher(caFile: caFile, timeout: timeout, resolveAddresses: HTTPSPolicyFetcher.addresses(via: resolver))
    }

    public func fetchPolicy(for domain: DomainName) async -> MTASTSFetchResult {
        // RFC 8461 §3.3: https://mta-sts.<domain>/.well-known/mta-sts.txt
        guard let host = try? domain.prepending("mta-sts") else {
            return MTASTSFetchResult(url: "https://mta-sts.\(domain)/.well-known/mta-sts.txt", error: "name too long")
        }
        let o = await fetcher.fetch(host: host, path: "/.well-known/mta-sts.txt")
        return MTASTSFetchResult(url: o.url, status: o.status, contentType: o.contentType, body: o.body, error: o.error,
                                 elapsedMilliseconds: o.elapsedMilliseconds)
    }
}
