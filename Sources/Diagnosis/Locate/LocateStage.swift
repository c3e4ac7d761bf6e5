import DNSWire
import MailCore

/// The locate stage: from a domain to its mail hosts, their addresses and reverse DNS, the zone's
/// authoritative servers and its DNSSEC state. Pure over `DNSResolver`: unit tests run it on an
/// in-memory zone, `mxray dns` on the network resolver.
///
/// Queries that do not depend on each other run concurrently (hosts, addresses, PTRs, the zone's
/// servers, DNSSEC); the findings are then derived in one sequential pass so that the output, the
/// evidence ids and the trace order are the same on every run.
public struct LocateStage: Sendable {
    public let resolver: any DNSResolver
    /// RFC 5321 §5.1 sets no limit; senders try a few. We examine at most this many.
    public var maxHosts: Int
    public var checkNameservers: Bool

    public init(resolver: any DNSResolver, maxHosts: Int = 10, checkNameservers: Bool = true) {
        self.resolver = resolver
        self.maxHosts = maxHosts
        self.checkNameservers = checkNameservers
    }

    // MARK: gathering (concurrent)

    struct ReverseGather: Sendable {
        let address: IPAddress
        let ptr: DNSAnswer
        /// PTR name → its forward lookup of the address's family.
        let forward: [(name: DomainName, answer: DNSAnswer)]
    }

    struct HostGather: Sendable {
        let name: DomainName
        let preference: UInt16
        let isLiteral: Bool
        let a: DNSAnswer?
        let aaaa: DNSAnswer?
        let reverse: [ReverseGather]
    }

    struct ServerGather: Sendable {
        let name: DomainName
        let addressAnswers: [DNSAnswer]
        let probes: [(address: IPAddress, soa: DNSAnswer, mx: DNSAnswer)]
    }

    struct ZoneGather: Sendable {
        let soa: DNSAnswer
        let apex: DomainName?
        let ns: DNSAnswer?
        let servers: [ServerGather]
    }

    struct DNSSECGather: Sendable {
        let dnskey: DNSAnswer?
        let checkingDisabled: DNSAnswer?
    }

    public func run(_ domain: DomainName) async -> LocateResult {
        async let zoneTask = checkNameservers ? gatherZone(domain) : nil
        let mx = await resolver.resolve(DNSQuery(domain, .mx))
        var hostList: [(DomainName, UInt16)] = []
        var implicitA: DNSAnswer?
        var implicitAAAA: DNSAnswer?
        let mxRecords = DNSLookup(answer: mx, values: mx.rdata.compactMap { if case .mx(let m) = $0 { m } else { nil } })
            .values.sorted { ($0.preference, $0.exchange.description) < ($1.preference, $1.exchange.description) }
        if mx.status == .answer {
            let real = mxRecords.filter { !$0.isNullMX }
            hostList = real.map { ($0.exchange, $0.preference) }
        } else if mx.status == .nodata {
            // RFC 5321 §5.1: no MX → the domain itself, as if MX 0 pointed at it.
            async let a = resolver.resolve(DNSQuery(domain, .a))
            async let aaaa = resolver.resolve(DNSQuery(domain, .aaaa))
            implicitA = await a
            implicitAAAA = await aaaa
            if implicitA?.status == .answer || implicitAAAA?.status == .answer { hostList = [(domain, 0)] }
        }
        let examined = Array(hostList.prefix(maxHosts))
        let hosts = await withTaskGroup(of: (Int, HostGather).self) { group in
            for (i, (name, pref)) in examined.enumerated() {
                group.addTask { (i, await gatherHost(name, preference: pref)) }
            }
            var out: [(Int, HostGather)] = []
            for await r in group { out.append(r) }
            return out.sorted { $0.0 < $1.0 }.map(\.1)
        }
        let dnssec = await gatherDNSSEC(domain, zoneApex: nil)
        let zone = await zoneTask
        var assembler = LocateAssembler(domain: domain)
        return assembler.assemble(mx: mx, mxRecords: mxRecords, implicitA: implicitA, implicitAAAA: implicitAAAA,
                                  hosts: hosts, unexamined: hostList.dropFirst(maxHosts).map(\.0), zone: zone,
                                  dnssec: dnssec)
    }

    /// RFC 1035 §3.3.9 wants a domain name; an address written as one is an IP literal.
    static func isIPLiteral(_ name: DomainName) -> Bool {
        var text = name.description
        if text.hasPrefix("[") && text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        return IPAddress(text) != nil
    }

    func gatherHost(_ name: DomainName, preference: UInt16) async -> HostGather {
        if Self.isIPLiteral(name) {
            return HostGather(name: name, preference: preference, isLiteral: true, a: nil, aaaa: nil, reverse: [])
        }
        async let a = resolver.resolve(DNSQuery(name, .a))
        async let aaaa = resolver.resolve(DNSQuery(name, .aaaa))
        let (av4, av6) = await (a, aaaa)
        var addresses: [IPAddress] = []
        for answer in [av4, av6] {
            for d in answer.rdata {
                switch d {
                case .a(let ip), .aaaa(let ip): addresses.append(ip)
                default: break
                }
            }
        }
        let reverse = await withTaskGroup(of: (Int, ReverseGather).self) { group in
            for (i, ip) in addresses.enumerated() {
                group.addTask { (i, await gatherReverse(ip)) }
            }
            var out: [(Int, ReverseGather)] = []
            for await r in group { out.append(r) }
            return out.sorted { $0.0 < $1.0 }.map(\.1)
        }
        return HostGather(name: name, preference: preference, isLiteral: false, a: av4, aaaa: av6, reverse: reverse)
    }

    func gatherReverse(_ ip: IPAddress) async -> ReverseGather {
        let ptr = await resolver.resolve(DNSQuery(ip.reverseName, .ptr))
        let names = ptr.rdata.compactMap { if case .ptr(let n) = $0 { n } else { nil } }
        var forward: [(DomainName, DNSAnswer)] = []
        // RFC 8601 §2.7.3 / RFC 7208 §5.5: at most 10 PTR names are checked.
        for n in names.prefix(10) {
            forward.append((n, await resolver.resolve(DNSQuery(n, ip.isIPv6 ? .aaaa : .a))))
        }
        return ReverseGather(address: ip, ptr: ptr, forward: forward)
    }

    func gatherZone(_ domain: DomainName) async -> ZoneGather {
        let soa = await resolver.resolve(DNSQuery(domain, .soa))
        var apex: DomainName?
        if soa.status == .answer {
            apex = soa.records.first?.name
        } else {
            apex = soa.authority.first(where: { $0.type == .soa })?.name
        }
        guard let apex else { return ZoneGather(soa: soa, apex: nil, ns: nil, servers: []) }
        let ns = await resolver.resolve(DNSQuery(apex, .ns))
        let names = ns.rdata.compactMap { if case .ns(let n) = $0 { n } else { nil } }
            .sorted { $0.description < $1.description }
        let servers = await withTaskGroup(of: (Int, ServerGather).self) { group in
            for (i, name) in names.prefix(13).enumerated() {
                group.addTask { (i, await gatherServer(name, apex: apex, domain: domain)) }
            }
            var out: [(Int, ServerGather)] = []
            for await r in group { out.append(r) }
            return out.sorted { $0.0 < $1.0 }.map(\.1)
        }
        return ZoneGather(soa: soa, apex: apex, ns: ns, servers: servers)
    }

    func gatherServer(_ name: DomainName, apex: DomainName, domain: DomainName) async -> ServerGather {
        async let a = resolver.resolve(DNSQuery(name, .a))
        async let aaaa = resolver.resolve(DNSQuery(name, .aaaa))
        let answers = await [a, aaaa]
        var addresses: [IPAddress] = []
        for ans in answers {
            for d in ans.rdata {
                switch d {
                case .a(let ip), .aaaa(let ip): addresses.append(ip)
                default: break
                }
            }
        }
        var probes: [(IPAddress, DNSAnswer, DNSAnswer)] = []
        for ip in addresses {
            let server = DNSServerAddress(ip)
            async let soa = resolver.resolve(DNSQuery(apex, .soa, server: server, dnssecOK: false))
            async let mx = resolver.resolve(DNSQuery(domain, .mx, server: server, dnssecOK: false))
            probes.append((ip, await soa, await mx))
        }
        return ServerGather(name: name, addressAnswers: answers, probes: probes)
    }

    func gatherDNSSEC(_ domain: DomainName, zoneApex: DomainName?) async -> DNSSECGather {
        // The DNSKEY RRset lives at the zone apex; the domain itself is the apex for most mail
        // domains. A NODATA here with an SOA in authority tells the apex.
        var name = zoneApex ?? domain
        var key = await resolver.resolve(DNSQuery(name, .dnskey))
        if key.status.isVoid, let soaOwner = key.authority.first(where: { $0.type == .soa })?.name, soaOwner != name {
            name = soaOwner
            key = await resolver.resolve(DNSQuery(name, .dnskey))
        }
        var cd: DNSAnswer?
        if key.status == .servfail {
            // RFC 4035 §3.2.2: with CD the resolver skips validation; an answer now means bogus.
            cd = await resolver.resolve(DNSQuery(name, .dnskey, checkingDisabled: true))
        }
        return DNSSECGather(dnskey: key, checkingDisabled: cd)
    }
}
