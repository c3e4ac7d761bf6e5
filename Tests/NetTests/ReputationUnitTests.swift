import DNSWire
import MailCore
import Testing
@testable import Diagnosis

func dn(_ s: String) -> DomainName { try! DomainName(s) }
func ip(_ s: String) -> IPAddress { IPAddress(s)! }

/// A list `bl.test` (127.0.0.2 test entry, 192.0.2.1 listed with a reason, 192.0.2.2 refused)
/// and a domain `example.test` with one MX and an SPF record naming more senders.
func reputationZone() -> InMemoryDNSResolver.Zone {
    var z = InMemoryDNSResolver.Zone()
    z.add(dn("2.0.0.127.bl.test"), .a(ip("127.0.0.2")))
    z.add(dn("1.2.0.192.bl.test"), .a(ip("127.0.0.2")))
    z.add(dn("1.2.0.192.bl.test"), .txt(TXTRecord(["spam seen from 192.0.2.1"])))
    z.add(dn("2.2.0.192.bl.test"), .a(ip("127.255.255.254")))
    z.add(dn("example.test"), .mx(MXRecord(preference: 10, exchange: dn("mx.example.test"))))
    z.add(dn("mx.example.test"), .a(ip("192.0.2.1")))
    z.add(dn("example.test"), .txt(TXTRecord(["v=spf1 mx ip4:198.51.100.4/30 ip4:203.0.113.0/24 a:out.example.test include:_spf.example.test -all"])))
    z.add(dn("out.example.test"), .a(ip("192.0.2.2")))
    z.add(dn("_spf.example.test"), .txt(TXTRecord(["v=spf1 ip6:2001:db8::25 -all"])))
    return z
}

@Suite("DNSBL classification and addresses")
struct ReputationUnitTests {
    let zone = DNSBLZone.named(dn("zen.spamhaus.org"))
    let generic = DNSBLZone(name: dn("bl.test"))

    @Test("RFC 5782 query names: reversed octets, reversed nibbles")
    func queryNames() {
        #expect(generic.queryName(for: ip("192.0.2.99")).description == "99.2.0.192.bl.test")
        #expect(generic.queryName(for: ip("2001:db8::1")).description
                == "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.test")
    }

    @Test("listed, refused (documented codes, error range, 127.0.0.1), unexpected, not listed")
    func classify() {
        #expect(zone.classify([ip("127.0.0.2")]) == .listed(["127.0.0.2 (SBL (spam source))"]))
        #expect(zone.classify([ip("127.0.0.4"), ip("127.0.0.10")]).label == "listed")
        if case .refused(let why) = zone.classify([ip("127.255.255.254")]) { #expect(why.contains("public")) } else { Issue.record("not refused") }
        if case .refused(let why) = zone.classify([ip("127.255.255.255")]) { #expect(why.contains("rate")) } else { Issue.record("not refused") }
        #expect(generic.classify([ip("127.255.255.253")]).label == "refused")
        #expect(generic.classify([ip("127.0.0.1")]).label == "refused")
        #expect(generic.classify([ip("127.0.0.2"), ip("127.255.255.254")]).label == "refused")
        #expect(generic.classify([ip("198.51.100.7")]).label == "unexpected")
        #expect(generic.classify([]) == .notListed)
    }

    @Test("answers that are not answers: NXDOMAIN is clean, timeout and SERVFAIL are no answer, REFUSED is refused")
    func statuses() {
        let q = DNSQuery(dn("1.2.0.192.bl.test"), .a)
        #expect(generic.classify(DNSAnswer(query: q, status: .nxdomain)) == .notListed)
        #expect(generic.classify(DNSAnswer(query: q, status: .timeout, detail: "no reply")).label == "no answer")
        #expect(generic.classify(DNSAnswer(query: q, status: .servfail)).label == "no answer")
        #expect(generic.classify(DNSAnswer(query: q, status: .refused)).label == "refused")
    }

    @Test("addresses: MX hosts, SPF ip4 networks up to 16 addresses, a, mx, include")
    func collect() async {
        let r = InMemoryDNSResolver(zone: reputationZone())
        let c = await DNSBLAddressCollector(resolver: r).collect(dn("example.test"))
        let addrs = c.targets.map(\.address.description)
        #expect(addrs.contains("192.0.2.1"))
        #expect(["198.51.100.4", "198.51.100.5", "198.51.100.6", "198.51.100.7"].allSatisfy(addrs.contains))
        #expect(addrs.contains("192.0.2.2"))
        #expect(addrs.contains("2001:db8::25"))
        #expect(!addrs.contains { $0.hasPrefix("203.0.113.") })
        #expect(c.notes.contains { $0.contains("ip4:203.0.113.0/24") })
        let mx = c.targets.first { $0.address == ip("192.0.2.1") }
        #expect(mx?.roles.contains("MX mx.example.test") == true)
        #expect(mx?.roles.contains("SPF mx") == true)
    }

    @Test("the check: listed with its TXT reason, refused, clean, list health, findings with evidence")
    func check() async throws {
        var z = reputationZone()
        z.fail(dn("1.0.0.127.bl.test"), with: .nxdomain)
        let r = InMemoryDNSResolver(zone: z)
        let report = await DNSBLCheck(resolver: r, zones: [generic]).run(domain: dn("example.test"))
        let listed = try #require(report.lookups.first { $0.address == ip("192.0.2.1") })
        #expect(listed.status.label == "listed")
        #expect(listed.reason == "spam seen from 192.0.2.1")
        #expect(report.lookups.first { $0.address == ip("192.0.2.2") }?.status.label == "refused")
        #expect(report.lookups.first { $0.address == ip("198.51.100.5") }?.status == .notListed)
        #expect(report.health.first?.healthy == true)
        let ids = report.findings.map(\.id)
        #expect(ids.contains("dnsbl.listed") && ids.contains("dnsbl.refused") && !ids.contains("dnsbl.clean"))
        for f in report.findings { #expect(f.evidenceIDs.allSatisfy { id in report.evidence.contains { $0.id == id } }) }
    }

    @Test("a list that does not list its 127.0.0.2 test entry is reported broken")
    func brokenList() async {
        let r = InMemoryDNSResolver(zone: InMemoryDNSResolver.Zone())
        let report = await DNSBLCheck(resolver: r, zones: [DNSBLZone(name: dn("dead.test"))])
            .run(subject: "192.0.2.9", targets: [DNSBLTarget(address: ip("192.0.2.9"), roles: ["given"])])
        #expect(report.health.first?.healthy == false)
        #expect(report.findings.map(\.id).sorted() == ["dnsbl.clean", "dnsbl.zone.broken"])
    }

    @Test("network expansion")
    func expand() {
        #expect(DNSBLAddressCollector.expand(ip("10.1.2.3"), prefix: 32, limit: 16).map(\.description) == ["10.1.2.3"])
        #expect(DNSBLAddressCollector.expand(ip("10.1.2.17"), prefix: 29, limit: 16).map(\.description).first == "10.1.2.16")
        #expect(DNSBLAddressCollector.expand(ip("10.1.2.17"), prefix: 29, limit: 16).count == 8)
        #expect(DNSBLAddressCollector.expand(ip("10.1.2.0"), prefix: 24, limit: 16).isEmpty)
        #expect(DNSBLAddressCollector.expand(ip("2001:db8::ff"), prefix: 126, limit: 16).map(\.description)
                == ["2001:db8::fc", "2001:db8::fd", "2001:db8::fe", "2001:db8::ff"])
    }
}
