import DNSWire
import MailCore

/// Address ranges and alias targets of HTTP CDNs and reverse proxies. A proxied name answers
/// with the CDN's edge addresses, which carry HTTP(S) only: an MX name proxied that way takes
/// no SMTP, so senders find port 25 dead. Data, versioned with the date it was taken from the
/// providers' published lists (Cloudflare publishes its ranges at https://www.cloudflare.com/ips/).
public enum HTTPCDN {
    public static let version = "2026-11-29"

    public struct Range: Sendable, Hashable {
        public let provider: String
        public let prefix: [UInt8]
        public let bits: Int

        init(_ provider: String, _ cidr: String) {
            let parts = cidr.split(separator: "/")
            self.provider = provider
            self.prefix = IPAddress(String(parts[0]))!.bytes
            self.bits = Int(parts[1])!
        }

        public func contains(_ a: IPAddress) -> Bool {
            let b = a.bytes
            guard b.count == prefix.count else { return false }
            var left = bits
            for i in 0..<b.count where left > 0 {
                let n = min(8, left)
                let mask: UInt8 = n == 8 ? 0xFF : ~(0xFF >> UInt8(n))
                if b[i] & mask != prefix[i] & mask { return false }
                left -= n
            }
            return true
        }
    }

    public static let ranges: [Range] = [
        // Cloudflare (https://www.cloudflare.com/ips-v4, ips-v6).
        "173.245.48.0/20", "103.21.244.0/22", "103.22.200.0/22", "103.31.4.0/22", "141.101.64.0/18", "108.162.192.0/18",
        "190.93.240.0/20", "188.114.96.0/20", "197.234.240.0/22", "198.41.128.0/17", "162.158.0.0/15", "104.16.0.0/13",
        "104.24.0.0/14", "172.64.0.0/13", "131.0.72.0/22",
        "2400:cb00::/32", "2606:4700::/32", "2803:f800::/32", "2405:b500::/32", "2405:8100::/32", "2a06:98c0::/29", "2c0f:f248::/32",
    ].map { Range("Cloudflare", $0) } + [
        // Fastly's anycast edge (https://api.fastly.com/public-ip-list).
        "151.101.0.0/16", "199.232.0.0/16",
    ].map { Range("Fastly", $0) }

    /// Alias (CNAME) target suffixes of CDN edges.
    public static let aliasSuffixes: [(suffix: String, provider: String)] = [
        ("cdn.cloudflare.net", "Cloudflare"), ("fastly.net", "Fastly"), ("fastlylb.net", "Fastly"),
        ("cloudfront.net", "Amazon CloudFront"), ("edgekey.net", "Akamai"), ("edgesuite.net", "Akamai"),
        ("akamaiedge.net", "Akamai"), ("azureedge.net", "Azure CDN"), ("azurefd.net", "Azure Front Door"),
        ("b-cdn.net", "Bunny CDN"), ("kxcdn.com", "KeyCDN"), ("cdn.dnsv1.com", "Tencent Cloud CDN"),
        ("kunlunca.com", "Alibaba Cloud CDN"), ("alikunlun.com", "Alibaba Cloud CDN"),
    ]

    public static func provider(for address: IPAddress) -> String? {
        ranges.first { $0.contains(address) }?.provider
    }

    public static func provider(forAlias name: DomainName) -> String? {
        let n = name.description.lowercased().trimmingSuffix(".")
        return aliasSuffixes.first { n == $0.suffix || n.hasSuffix("." + $0.suffix) }?.provider
    }
}

extension String {
    fileprivate func trimmingSuffix(_ s: String) -> String {
        hasSuffix(s) ? String(dropLast(s.count)) : self
    }
}
