import DNSWire
import MailCore

/// What one HTTPS GET of a policy file gave: status, media type, body, or the problem.
public struct HTTPSFetchOutcome: Sendable, Hashable {
    public var url: String
    public var address: String?
    public var status: Int?
    public var contentType: String?
    public var location: String?
    public var body: [UInt8]
    public var error: String?
    public var elapsedMilliseconds: Int
}

/// Fetches small policy files (MTA-STS, RFC 8461 §3.3) over HTTPS with AsyncHTTPClient:
/// certificate validated against the system roots or a given CA file, redirects refused, the
/// body capped, one deadline over the whole exchange. The host name is resolved through the
/// given closure (our DNS resolver), never through the system resolver.
public struct HTTPSPolicyFetcher: Sendable {
    public typealias AddressResolver = @Sendable (DomainName) async -> [IPAddress]

    public var caFile: String?
    public var timeout: Duration
    /// RFC 8461 §3.3 suggests a size limit; 64 KiB is the issue's cap.
    public var maxBytes: Int
    public var port: Int
    let resolveAddresses: AddressResolver

    public init(caFile: String? = nil, timeout: Duration = .seconds(10), maxBytes: Int = 65_536, port: Int = 443,
                resolveAddresses: @escaping AddressResolver) {
        self.caFile = caFile; self.timeout = timeout; self.maxBytes = maxBytes; self.port = port
        self.resolveAddresses = resolveAddresses
    }

    /// An address resolver over a `DNSResolver`: A records first, then AAAA.
    public static func addresses(via resolver: any DNSResolver) -> AddressResolver {
        { name in
            let a = await resolver.lookupA(name)
            if !a.values.isEmpty { return a.values }
            return await resolver.lookupAAAA(name).values
        }
    }

    public func fetch(host: DomainName, path: String) async -> HTTPSFetchOutcome {
        let request = HTTPRequestFetcher(caFile: caFile, maxBytes: maxBytes, resolveAddresses: resolveAddresses)
        var out = await request.fetch(scheme: "https", host: host, port: port == 443 ? nil : port, path: path, timeout: timeout)
        // RFC 8461 §3.3: senders must not follow redirects.
        if let status = out.status, (300..<400).contains(status) {
            out.error = "HTTP \(status) redirect to \(out.location ?? "?") (RFC 8461 §3.3: redirects are not followed)"
        }
        return out
    }
}
