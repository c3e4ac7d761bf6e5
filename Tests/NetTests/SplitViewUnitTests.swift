import DNSWire
import MailCore
import Testing
@testable import Diagnosis

@Suite("Split view comparison")
struct SplitViewUnitTests {
    func view(_ label: String, mx1: String, extraMX: Bool = false) async -> LabelledLocate {
        var z = InMemoryDNSResolver.Zone()
        z.add(dn("corp.test"), .mx(MXRecord(preference: 10, exchange: dn("mx1.corp.test"))))
        if extraMX { z.add(dn("corp.test"), .mx(MXRecord(preference: 20, exchange: dn("relay.corp.test")))) }
        z.add(dn("mx1.corp.test"), .a(ip(mx1)))
        z.add(dn("relay.corp.test"), .a(ip("10.0.0.9")))
        let r = await LocateStage(resolver: InMemoryDNSResolver(zone: z), checkNameservers: false).run(dn("corp.test"))
        return LabelledLocate(label: label, resolver: "\(label)-resolver", result: r)
    }

    @Test("same answers: one pass finding, no differences")
    func same() async {
        let r = SplitViewComparison.compare(dn("corp.test"), [await view("inside", mx1: "192.0.2.1"), await view("outside", mx1: "192.0.2.1")])
        #expect(r.differences.isEmpty)
        #expect(r.findings.map(\.id) == ["split.consistent"])
    }

    @Test("a host with another address inside: split.address.differs naming both values")
    func address() async throws {
        let r = SplitViewComparison.compare(dn("corp.test"), [await view("inside", mx1: "10.0.0.25"), await view("outside", mx1: "192.0.2.1")])
        let f = try #require(r.findings.first { $0.id == "split.address.differs" })
        #expect(f.subject == "mx1.corp.test")
        #expect(f.detail.contains("inside: 10.0.0.25") && f.detail.contains("outside: 192.0.2.1"))
        #expect(r.differences.map(\.kind) == [.address])
        #expect(!r.findings.contains { $0.id == "split.mx.differs" })
    }

    @Test("an extra MX inside: split.mx.differs")
    func mx() async {
        let r = SplitViewComparison.compare(dn("corp.test"), [await view("inside", mx1: "192.0.2.1", extraMX: true), await view("outside", mx1: "192.0.2.1")])
        #expect(r.findings.map(\.id).contains("split.mx.differs"))
        #expect(r.differences.first?.values == ["10 mx1.corp.test, 20 relay.corp.test", "10 mx1.corp.test"])
    }

    @Test("a view whose resolver fails: split.view.failed, no record comparison")
    func failed() async {
        var z = InMemoryDNSResolver.Zone()
        z.fail(dn("corp.test"), with: .timeout)
        let broken = await LocateStage(resolver: InMemoryDNSResolver(zone: z), checkNameservers: false).run(dn("corp.test"))
        let r = SplitViewComparison.compare(dn("corp.test"), [await view("inside", mx1: "192.0.2.1"),
                                                              LabelledLocate(label: "outside", resolver: "x", result: broken)])
        #expect(r.findings.map(\.id) == ["split.view.failed"])
    }

    @Test("LABEL=RESOLVER parsing")
    func specs() throws {
        let s = try ViewSpec.parse("inside=127.0.10.55")
        #expect(s.label == "inside" && s.server.description == "127.0.10.55:53")
        #expect(try ViewSpec.parse("out_2=[::1]:5353").server.port == 5353)
        #expect(throws: ViewSpec.ParseError.self) { try ViewSpec.parse("inside") }
        #expect(throws: ViewSpec.ParseError.self) { try ViewSpec.parse("=127.0.0.1") }
        #expect(throws: ViewSpec.ParseError.self) { try ViewSpec.parse("in side=127.0.0.1") }
        #expect(throws: ViewSpec.ParseError.self) { try ViewSpec.parse("inside=ns.example") }
    }
}
