import DNSWire
import Foundation
import MailCore
import Testing
@testable import Diagnosis

func dn(_ s: String) -> DomainName { try! DomainName(s) }
func ip(_ s: String) -> IPAddress { IPAddress(s)! }

/// An in-memory world: `example.test` served by ns1 (192.0.2.53), signed, with reverse zones.
struct World {
    var zone = InMemoryDNSResolver.Zone()
    var servers: [DNSServerAddress: InMemoryDNSResolver.Zone] = [:]

    init(signed: Bool = true, serial: UInt32 = 2026112901) {
        add("example.test", .soa(SOARecord(mname: dn("ns1.example.test"), rname: dn("hostmaster.example.test"), serial: serial,
                                           refresh: 3600, retry: 600, expire: 86400, minimum: 300)))
        add("example.test", .ns(dn("ns1.example.test")))
        add("ns1.example.test", .a(ip("192.0.2.53")))
        add("example.test", .dnskey(DNSKEYRecord(flags: 257, protocol: 3, algorithm: 13, publicKey: Array(repeating: 1, count: 64))))
        if signed { zone.signedApexes = [dn("example.test")] }
    }

    mutating func add(_ owner: String, ttl: UInt32 = 300, _ data: DNSRData) { zone.add(dn(owner), ttl: ttl, data) }

    mutating func mx(_ pref: UInt16, _ host: String, domain: String = "example.test") {
        add(domain, .mx(MXRecord(preference: pref, exchange: host == "." ? .root : dn(host))))
    }

    /// A host with an address, a PTR, and (when `confirm`) the forward record that confirms it.
    mutating func host(_ name: String, _ address: String, ptr: String? = nil, confirm: Bool = true) {
        let a = ip(address)
        if confirm { add(name, a.isIPv6 ? .aaaa(a) : .a(a)) }
        if let ptr { add(a.reverseName.description, .ptr(dn(ptr))) }
    }

    /// Every name server address answers authoritatively from a copy of the zone.
    mutating func serveAuthoritatively(_ address: String, zone override: InMemoryDNSResolver.Zone? = nil) {
        var z = override ?? zone
        z.authoritative = true
        servers[DNSServerAddress(ip(address))] = z
    }

    /// Runs the stage; ns1 serves the zone authoritatively unless the test set servers itself.
    func locate(_ domain: String = "example.test") async -> LocateResult {
        var w = self
        if w.servers.isEmpty { w.serveAuthoritatively("192.0.2.53") }
        return await LocateStage(resolver: InMemoryDNSResolver(zone: w.zone, servers: w.servers)).run(dn(domain))
    }
}

func ids(_ r: LocateResult) -> [String] { r.findings.map(\.id).sorted() }

@Suite struct LocateScenarioTests {
    func good() -> World {
        var w = World()
        w.mx(20, "mx2.example.test")
        w.mx(10, "mx1.example.test")
        w.host("mx1.example.test", "192.0.2.1", ptr: "mx1.example.test")
        w.host("mx1.example.test", "2001:db8::1", ptr: "mx1.example.test")
        w.host("mx2.example.test", "192.0.2.2", ptr: "mx2.example.test")
        w.serveAuthoritatively("192.0.2.53")
        return w
    }

    @Test func goodDomainHasNoFindings() async {
        let r = await good().locate()
        #expect(r.mxKind == .explicit)
        #expect(ids(r) == [])
        #expect(r.hosts.map(\.name.description) == ["mx1.example.test", "mx2.example.test"])
        #expect(r.hosts.map(\.preference) == [10, 20])
        #expect(r.hosts[0].addresses.map(\.address.description) == ["192.0.2.1", "2001:db8::1"])
        #expect(r.hosts.flatMap(\.addresses).allSatisfy { $0.fcrdns && $0.authenticated && $0.ttl == 300 })
        #expect(r.zone?.apex == dn("example.test"))
        #expect(r.zone?.nameservers.map(\.status) == [.ok])
        #expect(r.zone?.nameservers.first?.soaSerial == 2026112901)
        #expect(r.zone?.nameservers.first?.mxRecords == r.mxRecords)
        #expect(r.dnssec.state == .validated && r.dnssec.resolverValidates)
        #expect(r.mxAuthenticated)
    }

    @Test func everyFindingPointsAtRecordedEvidence() async {
        var w = good()
        w.mx(30, "gone.example.test")
        let r = await w.locate()
        let known = Set(r.evidence.map(\.id))
        #expect(!r.findings.isEmpty)
        for f in r.findings {
            #expect(!f.evidenceIDs.isEmpty, "\(f.id) has no evidence")
            #expect(f.evidenceIDs.allSatisfy(known.contains), "\(f.id) cites unknown evidence")
        }
    }

    @Test func brokenMXSet() async {
        var w = World()
        w.mx(10, "alias.example.test")
        w.mx(20, "missing.example.test")
        w.mx(30, "noaddr.example.test")
        w.mx(40, "relay.example.test")
        w.mx(50, "noptr.example.test")
        w.add("alias.example.test", .cname(dn("real.example.test")))
        w.host("real.example.test", "192.0.2.10", ptr: "real.example.test")
        w.add("noaddr.example.test", .txt(TXTRecord(["exists"])))
        w.host("relay.example.test", "192.0.2.11", ptr: "relay.elsewhere.example.test")
        w.host("noptr.example.test", "192.0.2.12")
        let r = await w.locate()
        #expect(ids(r) == ["dns.fcrdns.mismatch", "dns.mx.cname", "dns.mx.no-address", "dns.mx.nxdomain", "dns.ptr.missing"])
        let alias = r.hosts[0]
        #expect(alias.cnameChain == [dn("real.example.test")] && alias.status == .ok)
        #expect(alias.addresses.first?.fcrdns == true)
        #expect(r.hosts[1].status == .nxdomain)
        #expect(r.hosts[2].status == .noAddress)
        #expect(r.hosts[3].addresses.first?.ptrNames == [dn("relay.elsewhere.example.test")])
        #expect(r.hosts[3].addresses.first?.fcrdns == false)
        #expect(r.hosts[4].addresses.first?.ptrStatus == .nxdomain)
        #expect(r.findings.first { $0.id == "dns.mx.cname" }?.subject == "alias.example.test")
        #expect(r.findings.first { $0.id == "dns.mx.cname" }?.references.contains(RFCRef(2181, "10.3")) == true)
    }

    @Test func nullMX() async {
        var w = World()
        w.mx(0, ".")
        let r = await w.locate()
        #expect(r.mxKind == .nullMX)
        #expect(ids(r) == ["dns.mx.null"])
        #expect(r.hosts.isEmpty)
        #expect(r.findings[0].severity == .info)
    }

    @Test func nullMXMixedWithRealOnes() async {
        var w = World()
        w.mx(0, ".")
        w.mx(10, "mx1.example.test")
        w.host("mx1.example.test", "192.0.2.1", ptr: "mx1.example.test")
        let r = await w.locate()
        #expect(r.mxKind == .explicit)
        #expect(ids(r) == ["dns.mx.null-mixed"])
        #expect(r.hosts.map(\.name) == [dn("mx1.example.test")])
    }

    @Test func implicitMX() async {
        var w = World()
        w.host("example.test", "192.0.2.80", ptr: "example.test")
        let r = await w.locate()
        #expect(r.mxKind == .implicit)
        #expect(ids(r) == ["dns.mx.implicit"])
        #expect(r.hosts.map(\.name) == [dn("example.test")] && r.hosts[0].preference == 0)
        #expect(r.hosts[0].addresses.first?.fcrdns == true)
    }

    @Test func noMXNoAddress() async {
        let r = await World().locate()
        #expect(r.mxKind == .none)
        #expect(ids(r) == ["dns.mx.none"])
    }

    @Test func atMostTenHostsExamined() async {
        var w = World()
        for i in 1...12 {
            w.mx(UInt16(i), "mx\(i).example.test")
            w.host("mx\(i).example.test", "192.0.2.\(i)", ptr: "mx\(i).example.test")
        }
        let r = await w.locate()
        #expect(r.hosts.count == 10)
        #expect(r.unexaminedHosts == [dn("mx11.example.test"), dn("mx12.example.test")])
        #expect(ids(r) == ["dns.mx.too-many"])
    }

    @Test func ipLiteralTarget() async {
        var w = World()
        w.add("example.test", .mx(MXRecord(preference: 10, exchange: DomainName(uncheckedLabels: ["192", "0", "2", "1"]))))
        let r = await w.locate()
        #expect(ids(r) == ["dns.mx.ip-literal"])
        #expect(r.hosts.first?.status == .ipLiteral)
    }

    @Test func nonexistentDomain() async {
        let r = await World().locate("nope.example.test")
        #expect(r.mxKind == .nxdomain)
        #expect(ids(r) == ["dns.domain.nxdomain"])
        #expect(r.failure?.contains("does not exist") == true)
    }

    @Test func temporaryFailureIsNotNonexistence() async {
        var w = good()
        w.zone.fail(dn("example.test"), type: .mx, with: .timeout)
        let r = await w.locate()
        #expect(r.mxKind == .failed)
        #expect(ids(r).contains("dns.lookup.failed"))
        #expect(!ids(r).contains("dns.domain.nxdomain"))
    }

    @Test func lameServerIsAFinding() async {
        var w = good()
        w.add("example.test", .ns(dn("ns2.example.test")))
        w.add("ns2.example.test", .a(ip("192.0.2.54")))
        w.serveAuthoritatively("192.0.2.53")
        // 192.0.2.54 has no zone: it does not answer.
        let r = await w.locate()
        #expect(ids(r) == ["dns.ns.lame"])
        let lame = r.zone?.nameservers.first { $0.status == .lame }
        #expect(lame?.name == dn("ns2.example.test") && lame?.address == ip("192.0.2.54"))
        #expect(lame?.detail?.contains("did not answer") == true)
    }

    @Test func nonAuthoritativeAnswerIsLame() async {
        var w = good()
        var copy = w.zone
        copy.authoritative = false
        w.servers[DNSServerAddress(ip("192.0.2.53"))] = copy
        let r = await w.locate()
        #expect(ids(r) == ["dns.ns.lame"])
        #expect(r.zone?.nameservers.first?.detail?.contains("AA") == true)
    }

    @Test func inconsistentServers() async {
        var w = good()
        w.add("example.test", .ns(dn("ns2.example.test")))
        w.add("ns2.example.test", .a(ip("192.0.2.54")))
        w.serveAuthoritatively("192.0.2.53")
        var stale = World(serial: 2026010101)
        stale.mx(10, "mx1.example.test")
        w.serveAuthoritatively("192.0.2.54", zone: stale.zone)
        let r = await w.locate()
        #expect(ids(r) == ["dns.ns.inconsistent"])
        #expect(r.zone?.serials == [2026010101, 2026112901])
        #expect(r.zone?.consistent == false)
        let detail = r.findings.first?.detail ?? ""
        #expect(detail.contains("SOA serials") && detail.contains("MX sets"))
    }

    @Test func unsignedZone() async {
        var w = World(signed: false)
        w.zone = InMemoryDNSResolver.Zone(w.zone.records.filter { $0.type != .dnskey })
        w.mx(10, "mx1.example.test")
        w.host("mx1.example.test", "192.0.2.1", ptr: "mx1.example.test")
        let r = await w.locate()
        #expect(r.dnssec.state == .unsigned)
        #expect(ids(r) == ["dns.dnssec.unsigned"])
        #expect(!r.mxAuthenticated)
    }

    @Test func signedButNotValidated() async {
        var w = World(signed: false)
        w.mx(10, "mx1.example.test")
        w.host("mx1.example.test", "192.0.2.1", ptr: "mx1.example.test")
        let r = await w.locate()
        #expect(r.dnssec.state == .signedNotValidated)
        #expect(ids(r) == ["dns.dnssec.not-validated"])
    }

    @Test func bogusZone() async {
        var w = good()
        w.zone.bogusApexes = [dn("example.test")]
        let r = await w.locate()
        #expect(r.dnssec.state == .bogus)
        #expect(ids(r).contains("dns.dnssec.bogus"))
        #expect(r.mxKind == .failed)
    }

    @Test func stableOutputAndCodable() async throws {
        var w = good()
        w.mx(30, "gone.example.test")
        let a = await w.locate(), b = await w.locate()
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        #expect(try enc.encode(a) == enc.encode(b))
        let back = try JSONDecoder().decode(LocateResult.self, from: enc.encode(a))
        #expect(try enc.encode(back) == enc.encode(a))
    }

    @Test func catalogHasTheLocateIDs() {
        for id in ["dns.mx.cname", "dns.mx.nxdomain", "dns.mx.null", "dns.ptr.missing", "dns.fcrdns.mismatch",
                   "dns.ns.lame", "dns.ns.inconsistent", "dns.dnssec.unsigned"] {
            let d = FindingCatalog.definition(id)
            #expect(d != nil, "\(id) missing")
            #expect(d?.references.isEmpty == false)
        }
    }
}
