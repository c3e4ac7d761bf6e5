import DNSWire
import Foundation

/// An address block: `127.0.20.0/24`, `2001:db8::/32`, or one address (`/32`, `/128` implied).
public struct CIDRBlock: Sendable, Hashable, CustomStringConvertible {
    public let base: IPAddress
    public let prefix: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let first = parts.first, let a = IPAddress(String(first)) else { return nil }
        let bits = a.isIPv6 ? 128 : 32
        if parts.count == 2 {
            guard let p = Int(parts[1]), (0...bits).contains(p) else { return nil }
            prefix = p
        } else {
            prefix = bits
        }
        base = a
    }

    public func contains(_ a: IPAddress) -> Bool {
        guard a.isIPv6 == base.isIPv6 else { return false }
        let x = a.bytes, y = base.bytes
        var remaining = prefix
        for i in 0..<x.count where remaining > 0 {
            let take = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - take))
            if x[i] & mask != y[i] & mask { return false }
            remaining -= take
        }
        return true
    }

    public var description: String { "\(base)/\(prefix)" }
}

/// Which resolved addresses `/probe` may connect to. Safe by default: nothing is allowed until
/// the configuration names it, and some addresses are refused whatever the configuration says.
public struct ProbeAllowlist: Sendable {
    /// Address blocks an operator allowed (`probe.allow` entries such as `127.0.20.0/24`).
    public var blocks: [CIDRBlock]
    /// Host patterns (`mx.example.net`, `*.example.net`): a matching name is allowed when every
    /// address it resolves to is globally routable (or inside `blocks`).
    public var hostPatterns: [String]
    /// Host names and addresses of configured targets: allowed to resolve to any address that is
    /// not always forbidden (the operator named them, private addresses included).
    public var configuredHosts: Set<String>

    public init(blocks: [CIDRBlock] = [], hostPatterns: [String] = [], configuredHosts: Set<String> = []) {
        self.blocks = blocks
        self.hostPatterns = hostPatterns.map { $0.lowercased() }
        self.configuredHosts = Set(configuredHosts.map { $0.lowercased().trimmingSuffixDot() })
    }

    /// Reads `probe.allow` entries: a CIDR block or address becomes a block, anything else a host pattern.
    public init(entries: [String], configuredHosts: Set<String>) throws(ProbeTargetSpec.Refusal) {
        var blocks: [CIDRBlock] = []
        var patterns: [String] = []
        for e in entries {
            if let b = CIDRBlock(e) {
                blocks.append(b)
            } else if e.contains("/") || e.contains(":") {
                throw ProbeTargetSpec.Refusal("probe.allow: not a CIDR block: \(e)")
            } else {
                let p = e.lowercased()
                try ProbeTargetSpec.validateName(p.replacingOccurrences(of: "*", with: "x"))
                patterns.append(p)
            }
        }
        self.init(blocks: blocks, hostPatterns: patterns, configuredHosts: configuredHosts)
    }

    /// `*.example.net` matches any name below example.net; elsewhere `*` matches within one
    /// label (`mx*.example.net` matches `mx1.example.net`, not `mx.a.example.net`).
    func matchesPattern(_ name: String) -> Bool {
        hostPatterns.contains { p in
            if p.hasPrefix("*.") { return name.hasSuffix(p.dropFirst(1)) && name.count > p.count - 1 }
            return Self.glob(Array(p.utf8)[...], Array(name.utf8)[...])
        }
    }

    static func glob(_ p: ArraySlice<UInt8>, _ s: ArraySlice<UInt8>) -> Bool {
        guard let first = p.first else { return s.isEmpty }
        if first == UInt8(ascii: "*") {
            var rest = s
            while true {
                if glob(p.dropFirst(), rest) { return true }
                guard let c = rest.first, c != UInt8(ascii: ".") else { return false }
                rest = rest.dropFirst()
            }
        }
        guard let c = s.first, c == first else { return false }
        return glob(p.dropFirst(), s.dropFirst())
    }

    /// The verdict for one resolved address of `name` (nil for an address literal target).
    /// Returns nil when allowed, or the reason for refusing.
    public func refusal(for address: IPAddress, name: String?) -> String? {
        if let why = AddressClass.alwaysForbidden(address) { return "\(address) is \(why): never probed" }
        if blocks.contains(where: { $0.contains(address) }) { return nil }
        if configuredHosts.contains(address.description) { return nil }
        if let name {
            if configuredHosts.contains(name) { return nil }
            if matchesPattern(name) {
                if let kind = AddressClass.nonPublic(address) {
                    return "\(name) resolves to \(address) (\(kind)), which no probe.allow block covers"
                }
                return nil
            }
            return "\(name) (\(address)) is neither a configured target nor in probe.allow"
        }
        return "\(address) is not in probe.allow"
    }
}

/// Special-purpose address classes (IANA IPv4/IPv6 Special-Purpose Address Registries,
/// RFC 6890) as they matter for server-side request forgery.
enum AddressClass {
    /// Addresses never probed, whatever the allowlist says.
    static func alwaysForbidden(_ a: IPAddress) -> String? {
        switch a {
        case .v4(let v):
            let b = a.bytes
            if b[0] == 0 { return "in 0.0.0.0/8 (\"this network\", RFC 1122 §3.2.1.3)" }
            if b[0] == 169 && b[1] == 254 { return "link-local or a cloud metadata address (169.254.0.0/16, RFC 3927)" }
            if b[0] >= 224 && b[0] <= 239 { return "multicast (224.0.0.0/4)" }
            if b[0] >= 240 { return "reserved or broadcast (240.0.0.0/4)" }
            if v == 0x6464_64C8 { return "a cloud metadata address (100.100.100.200)" }
            return nil
        case .v6(let b):
            if b.allSatisfy({ $0 == 0 }) { return "the unspecified address ::" }
            if b[0] == 0xFE && b[1] & 0xC0 == 0x80 { return "link-local (fe80::/10)" }
            if b[0] == 0xFE && b[1] & 0xC0 == 0xC0 { return "site-local (fec0::/10, deprecated by RFC 3879)" }
            if b[0] == 0xFF { return "multicast (ff00::/8)" }
            if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF {
                return "an IPv4-mapped IPv6 address (::ffff:0:0/96, RFC 4291 §2.5.5.2)"
            }
            if b[0..<12].allSatisfy({ $0 == 0 }) && !(b[12..<15].allSatisfy { $0 == 0 }) {
                return "an IPv4-compatible IPv6 address (::/96, deprecated by RFC 4291 §2.5.5.1)"
            }
            if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B { return "a NAT64 address (64:ff9b::/96, RFC 6052)" }
            if b[0] == 0x20 && b[1] == 0x02 { return "a 6to4 address (2002::/16, RFC 3056) embedding an IPv4 address" }
            if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0 { return "a Teredo address (2001::/32, RFC 4380)" }
            // fd00:ec2::254: the EC2 instance metadata service over IPv6.
            if IPAddress("fd00:ec2::254") == a { return "a cloud metadata address (fd00:ec2::254)" }
            return nil
        }
    }

    /// Addresses that are not globally routable: allowed only through an explicit block.
    static func nonPublic(_ a: IPAddress) -> String? {
        let b = a.bytes
        switch a {
        case .v4:
            if b[0] == 127 { return "loopback" }
            if b[0] == 10 || (b[0] == 172 && b[1] & 0xF0 == 16) || (b[0] == 192 && b[1] == 168) { return "private, RFC 1918" }
            if b[0] == 100 && b[1] & 0xC0 == 64 { return "shared address space, RFC 6598" }
            if b[0] == 192 && b[1] == 0 && b[2] == 0 { return "IETF protocol assignments" }
            if b[0] == 198 && b[1] & 0xFE == 18 { return "benchmarking, RFC 2544" }
            return nil
        case .v6:
            if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return "loopback" }
            if b[0] & 0xFE == 0xFC { return "unique local, RFC 4193" }
            if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8 { return "documentation, RFC 3849" }
            return nil
        }
    }
}

extension String {
    func trimmingSuffixDot() -> String { hasSuffix(".") ? String(dropLast()) : self }
}
