import DNSWire
import MailAuth
import MailCore

/// An address to look up on the block lists, and why it matters.
public struct DNSBLTarget: Sendable, Hashable, Codable {
    public var address: IPAddress
    /// `MX mx1.example.org`, `SPF ip4:192.0.2.0/30`, `SPF a:out.example.org`, `given`.
    public var roles: [String]

    public init(address: IPAddress, roles: [String]) {
        self.address = address
        self.roles = roles
    }
}

/// Collects the addresses that send or receive a domain's mail: every MX host's A/AAAA and the
/// outbound addresses its SPF record names — `ip4`/`ip6` hosts and small networks, `a`/`mx`
/// resolved — following `include:` and `redirect=` within RFC 7208 §4.6.4's ten lookups.
/// Networks wider than `maxNetworkHosts` addresses are noted, not expanded.
public struct DNSBLAddressCollector: Sendable {
    public let resolver: any DNSResolver
    public var maxAddresses = 64
    public var maxNetworkHosts = 16

    public init(resolver: any DNSResolver) { self.resolver = resolver }

    public struct Collection: Sendable {
        public var targets: [DNSBLTarget]
        /// What was not expanded or not followed, in words.
        public var notes: [String]
        public var traces: [DNSTrace]
    }

    public func collect(_ domain: DomainName) async -> Collection {
        var out = Collection(targets: [], notes: [], traces: [])
        var found: [(IPAddress, String)] = []
        // Inbound: MX hosts (RFC 5321 §5.1; an implicit MX is the domain itself).
        let mx = await resolver.lookupMX(domain)
        out.traces += mx.traces
        var hosts = mx.values.filter { !$0.isNullMX }.map(\.exchange)
        if mx.status == .nodata { hosts = [domain] }
        for host in hosts.prefix(10) {
            for ip in await addresses(of: host, traces: &out.traces) { found.append((ip, "MX \(host)")) }
        }
        // Outbound: the SPF record (RFC 7208 §4.5: the single v=spf1 TXT record).
        var budget = 10
        await walkSPF(domain, depth: 0, budget: &budget, found: &found, out: &out)
        var byAddress: [IPAddress: [String]] = [:]
        var order: [IPAddress] = []
        for (ip, role) in found {
            if byAddress[ip] == nil {
                guard order.count < maxAddresses else {
                    out.notes.append("more than \(maxAddresses) addresses: the rest were not checked"); break
                }
                order.append(ip)
            }
            if !(byAddress[ip]?.contains(role) ?? false) { byAddress[ip, default: []].append(role) }
        }
        out.targets = order.map { DNSBLTarget(address: $0, roles: byAddress[$0] ?? []) }
        return out
    }

    func addresses(of host: DomainName, traces: inout [DNSTrace]) async -> [IPAddress] {
        async let a = resolver.lookupA(host)
        async let aaaa = resolver.lookupAAAA(host)
        let (v4, v6) = await (a, aaaa)
        traces += v4.traces + v6.traces
        return v4.values + v6.values
    }

    func walkSPF(_ domain: DomainName, depth: Int, budget: inout Int, found: inout [(IPAddress, String)],
                 out: inout Collection) async {
        guard depth < 10 else { return }
        let txt = await resolver.lookupTXT(domain)
        out.traces += txt.traces
        let records = txt.values.filter { SPFRecord.isSPF($0.joinedOctets) }
        guard records.count == 1, let record = try? SPFRecord.parse(records[0].joined) else {
            if records.count > 1 { out.notes.append("\(domain) has \(records.count) SPF records (RFC 7208 §4.5: permerror); none followed") }
            return
        }
        for (_, mechanism, term) in record.mechanisms {
            switch mechanism {
            case .ip4(let ip, let prefix), .ip6(let ip, let prefix):
                let hosts = Self.expand(ip, prefix: prefix, limit: maxNetworkHosts)
                if hosts.isEmpty { out.notes.append("SPF \(term.text) in \(domain): network too wide to check every address") }
                for h in hosts { found.append((h, "SPF \(term.text)")) }
            case .a(let target, _, _), .mx(let target, _, _):
                guard budget > 0 else { out.notes.append("SPF \(term.text): lookup limit reached"); continue }
                budget -= 1
                guard let name = Self.name(target, default: domain) else {
                    out.notes.append("SPF \(term.text) in \(domain): macro not expanded"); continue
                }
                var ips: [IPAddress] = []
                if case .mx = mechanism {
                    let m = await resolver.lookupMX(name)
                    out.traces += m.traces
                    // RFC 7208 §4.6.4: at most 10 MX names per mx mechanism.
                    for ex in m.values.filter({ !$0.isNullMX }).prefix(10) { ips += await addresses(of: ex.exchange, traces: &out.traces) }
                } else {
                    ips = await addresses(of: name, traces: &out.traces)
                }
                for ip in ips.prefix(maxNetworkHosts) { found.append((ip, "SPF \(term.text)")) }
            case .include(let target):
                guard budget > 0 else { out.notes.append("SPF \(term.text): lookup limit reached"); continue }
                budget -= 1
                guard let name = Self.name(target, default: nil) else {
                    out.notes.append("SPF \(term.text) in \(domain): macro not expanded"); continue
                }
                await walkSPF(name, depth: depth + 1, budget: &budget, found: &found, out: &out)
            case .ptr, .exists, .all:
                continue
            }
        }
        if let (target, term) = record.redirect, record.mechanisms.allSatisfy({ if case .all = $0.1 { false } else { true } }) {
            guard budget > 0 else { out.notes.append("SPF \(term.text): lookup limit reached"); return }
            budget -= 1
            if let name = Self.name(target, default: nil) {
                await walkSPF(name, depth: depth + 1, budget: &budget, found: &found, out: &out)
            }
        }
    }

    static func name(_ macro: SPFMacroString?, default d: DomainName?) -> DomainName? {
        guard let macro else { return d }
        guard !macro.hasMacros else { return nil }
        return try? DomainName(macro.text)
    }

    /// The host addresses of a network when it holds at most `limit` of them (the whole block,
    /// network and broadcast included: mail may come from any of them); [] when wider.
    static func expand(_ ip: IPAddress, prefix: Int, limit: Int) -> [IPAddress] {
        let bits = ip.isIPv6 ? 128 : 32
        guard prefix >= 0, prefix <= bits else { return [] }
        let hostBits = bits - prefix
        guard hostBits < 31, 1 << hostBits <= limit else { return [] }
        var base = ip.bytes
        // Clear the host bits.
        for i in 0..<base.count {
            let bitStart = i * 8
            if bitStart >= prefix { base[i] = 0 } else if bitStart + 8 > prefix {
                base[i] &= UInt8(0xFF << (8 - (prefix - bitStart)) & 0xFF)
            }
        }
        var out: [IPAddress] = []
        for n in 0..<(1 << hostBits) {
            var b = base
            var carry = n, i = b.count - 1
            while carry > 0, i >= 0 {
                let sum = Int(b[i]) + (carry & 0xFF)
                b[i] = UInt8(sum & 0xFF)
                carry = (carry >> 8) + (sum >> 8)
                i -= 1
            }
            out.append(ip.isIPv6 ? IPAddress(v6: b) : IPAddress(v4: b))
        }
        return out
    }
}
