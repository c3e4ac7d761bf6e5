import AsyncHTTPClient
import DNSWire
import MailCore
import NIOCore
import NIOSSL

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
        let url = "https://\(host.description)\(port == 443 ? "" : ":\(port)")\(path)"
        let clock = ContinuousClock()
        let start = clock.now
        func ms() -> Int { let d = clock.now - start; return Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000) }
        var out = HTTPSFetchOutcome(url: url, body: [], elapsedMilliseconds: 0)
        let addresses = await resolveAddresses(host)
        guard let address = addresses.first else {
            out.error = "\(host) has no A or AAAA record"; out.elapsedMilliseconds = ms(); return out
        }
        out.address = address.description
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if let caFile { tls.trustRoots = .file(caFile) }
        var config = HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: .disallow,
                                              timeout: .init(connect: .init(timeout), read: .init(timeout)))
        config.dnsOverride = [host.description: address.isIPv6 ? "[\(address)]" : address.description]
        // One attempt: a diagnosis wants the first TLS or connect error now, not retries until
        // the deadline hides it behind a timeout.
        config.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
        do {
            var request = HTTPClientRequest(url: url)
            request.method = .GET
            request.headers.add(name: "User-Agent", value: "mxray/\(MXRayVersion.string)")
            let response = try await client.execute(request, timeout: .init(timeout))
            out.status = Int(response.status.code)
            out.contentType = response.headers.first(name: "Content-Type")
            // RFC 8461 §3.3: senders must not follow redirects.
            if (300..<400).contains(Int(response.status.code)) {
                out.location = response.headers.first(name: "Location")
                out.error = "HTTP \(response.status.code) redirect to \(out.location ?? "?") (RFC 8461 §3.3: redirects are not followed)"
            } else {
                do {
                    let buffer = try await response.body.collect(upTo: maxBytes)
                    out.body = Array(buffer.readableBytesView)
                } catch {
                    out.error = "the body is larger than \(maxBytes) bytes"
                }
            }
        } catch {
            out.error = Self.describe(error)
        }
        try? await client.shutdown()
        out.elapsedMilliseconds = ms()
        return out
    }

    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if let e = error as? HTTPClientError {
            switch e {
            case .connectTimeout, .readTimeout, .deadlineExceeded: return "timed out (\(e))"
            default: return "HTTP error: \(e)"
            }
        }
        if error is NIOSSLError || text.contains("certificate") || text.contains("handshake") {
            return "TLS failed (certificate not valid for the name, or not trusted): \(text)"
        }
        return text
    }
}
