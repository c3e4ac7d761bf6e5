import AsyncHTTPClient
import DNSWire
import MailCore
import NIOCore
import NIOSSL

/// One HTTP or HTTPS request for a small document (autoconfig, Autodiscover): GET or POST with
/// a body, certificate validated against the system roots or a given CA file, redirects never
/// followed (reported with their Location), the body capped, one deadline over the exchange.
/// The host name is resolved through the given closure (our DNS resolver), never the system's.
/// `HTTPSPolicyFetcher` (MTA-STS) is this fetcher with the policy's rules on top.
public struct HTTPRequestFetcher: Sendable {
    public var caFile: String?
    public var maxBytes: Int
    let resolveAddresses: HTTPSPolicyFetcher.AddressResolver

    public init(caFile: String? = nil, maxBytes: Int = 262_144, resolveAddresses: @escaping HTTPSPolicyFetcher.AddressResolver) {
        self.caFile = caFile
        self.maxBytes = maxBytes
        self.resolveAddresses = resolveAddresses
    }

    /// `scheme` is `https` or `http`; `port` is given only when it is not the scheme's own;
    /// `path` starts with `/` and may carry a query.
    public func fetch(scheme: String, host: DomainName, port: Int? = nil, path: String, method: String = "GET",
                      body: [UInt8]? = nil, contentType: String? = nil, timeout: Duration) async -> HTTPSFetchOutcome {
        let url = "\(scheme)://\(host.description)\(port.map { ":\($0)" } ?? "")\(path)"
        let clock = ContinuousClock()
        let start = clock.now
        func ms() -> Int { let d = clock.now - start; return Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000) }
        var out = HTTPSFetchOutcome(url: url, body: [], elapsedMilliseconds: 0)
        guard scheme == "https" || scheme == "http" else {
            out.error = "unsupported scheme \(scheme)"; return out
        }
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
            request.method = method == "POST" ? .POST : .GET
            request.headers.add(name: "User-Agent", value: "mxray/\(MXRayVersion.string)")
            if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
            if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
            let response = try await client.execute(request, timeout: .init(timeout))
            out.status = Int(response.status.code)
            out.contentType = response.headers.first(name: "Content-Type")
            if (300..<400).contains(Int(response.status.code)) {
                out.location = response.headers.first(name: "Location")
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
