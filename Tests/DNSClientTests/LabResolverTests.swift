import DNSWire
import LabSupport
import MailCore
import Testing
@testable import DNSClient

/// Against the lab's validating Unbound (and Knot directly): real answers, real AD.
@Suite struct LabResolverTests {
    func labResolver() throws -> (NetworkDNSResolver, LabEnvironment) {
        let lab = try LabEnvironment.require()
        let server = try #require(DNSServerAddress(parsing: lab.resolver))
        return (NetworkDNSResolver(configuration: ResolverConfiguration(servers: [server], timeout: .seconds(2))), lab)
    }

    @Test func goodMXIsAuthenticated() async throws {
        let (r, _) = try labResolver()
        let mx = await r.lookupMX(try DomainName("good.lab.test"))
        #expect(mx.status == .answer)
        #expect(mx.values.map(\.preference) == [10, 20])
        #expect(mx.values.map(\.exchange.description) == ["mx1.good.lab.test", "mx2.good.lab.test"])
        #expect(mx.authenticated)
        // DO was set: the RRSIG came along.
        #expect(mx.answer.answers.contains { $0.type == .rrsig })
        let t = try #require(mx.traces.first)
        #expect(t.transport == .udp && t.rcode == .noError && t.flags?.contains(.authenticData) == true)
        #expect(t.answerCount >= 3 && (t.rttMicroseconds ?? 0) > 0)
    }

    @Test func negativeAnswersKeepTheirKind() async throws {
        let (r, _) = try labResolver()
        let missing = await r.lookupA(try DomainName("mx-missing.broken.lab.test"))
        #expect(missing.status == .nxdomain)
        #expect(missing.ttl != nil)  // the SOA minimum came in the authority section
        let nodata = await r.lookupAAAA(try DomainName("mx1.good.lab.test"))
        #expect(nodata.status == .nodata)
        let cname = await r.lookupA(try DomainName("mail.good.lab.test"))
        #expect(cname.status == .answer && cname.answer.cnameChain.map(\.description) == ["mx1.good.lab.test"])
        #expect(cname.values.map(\.description) == ["127.0.20.1"])
    }

    @Test func authoritativeServerAskedDirectly() async throws {
        let (r, lab) = try labResolver()
        let knot = try #require(DNSServerAddress(parsing: lab.authoritative))
        let soa = await r.resolve(DNSQuery(try DomainName("lab.test"), .soa, server: knot, dnssecOK: false))
        #expect(soa.status == .answer && soa.authoritative)
        #expect(soa.traces.first?.server == knot.description)
        #expect(soa.traces.first?.flags?.contains(.recursionDesired) == false)
    }

    @Test func txtKeepsBothStringsOfTheDKIMKey() async throws {
        let (r, _) = try labResolver()
        let txt = await r.lookupTXT(try DomainName("sel1._domainkey.good.lab.test"))
        #expect(txt.values.first?.strings.count == 2)
        #expect(txt.values.first?.joined.hasPrefix("v=DKIM1;") == true)
    }
}
