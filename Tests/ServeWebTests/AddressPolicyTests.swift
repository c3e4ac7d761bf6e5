import DNSWire
import Foundation
import MailCore
import Testing
@testable import MXRayServer

/// The `/probe` allowlist: every spelling of a forbidden address is refused before anything is
/// resolved or connected, and the check runs on the resolved address.
struct AddressPolicyTests {
    static let lab = ProbeAllowlist(blocks: [CIDRBlock("127.0.20.0/24")!], hostPatterns: ["*.good.lab.test"],
                                    configuredHosts: ["mx.configured.test"])

    /// Spellings that inet_aton(3) or a URL parser read as 127.0.0.1 (or another address), none
    /// of which may pass as text.
    static let numericSpellings = [
        "0x7f000001", "0X7F000001", "2130706433", "017700000001", "0177.0.0.1", "0177.0000.0000.0001",
        "127.1", "127.0.1", "0x7f.0.0.1", "0x7f.1", "127.0.0.1.", "127.000.000.001", "0127.0.0.1",
        // 127.0.20.1 (allowed as a dotted quad) in other spellings: refused too.
        "0x7f001401", "2130711553", "127.0.5121", "0177.0.20.1",
        // 169.254.169.254 (cloud metadata) spelled differently.
        "0xa9fea9fe", "2852039166", "0251.0376.0251.0376", "169.254.43518",
    ]

    @Test(arguments: numericSpellings)
    func nonCanonicalNumericSpellingsAreRefused(_ spelling: String) {
        #expect(throws: ProbeTargetSpec.Refusal.self, "\(spelling) must be refused") { try ProbeTargetSpec.parse(spelling) }
        #expect(throws: ProbeTargetSpec.Refusal.self) { try ProbeTargetSpec.parse(spelling + ":25") }
    }

    @Test func lenientReadingMatchesInetAton() {
        func read(_ s: String) -> String? { NumericHost.looksNumeric(s).flatMap { $0 }.map { IPAddress.v4($0).description } }
        #expect(read("0x7f000001") == "127.0.0.1")
        #expect(read("0177.0.0.1") == "127.0.0.1")
        #expect(read("2130706433") == "127.0.0.1")
        #expect(read("127.1") == "127.0.0.1")
        #expect(read("0xa9fea9fe") == "169.254.169.254")
        #expect(read("mx1.example") == nil)
    }

    @Test func forbiddenAddressesAreRefusedEvenWhenABlockCoversThem() throws {
        let everything = ProbeAllowlist(blocks: [CIDRBlock("0.0.0.0/0")!, CIDRBlock("::/0")!])
        let forbidden = ["169.254.169.254", "169.254.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "100.100.100.200",
                         "fe80::1", "fd00:ec2::254", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:7f00:1",
                         "::127.0.0.1", "64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::1", "ff02::1", "::"]
        for text in forbidden {
            let a = try #require(IPAddress(text), "\(text) parses")
            #expect(everything.refusal(for: a, name: nil) != nil, "\(text) must be refused")
        }
        #expect(everything.refusal(for: IPAddress("127.0.0.1")!, name: nil) == nil)
        #expect(everything.refusal(for: IPAddress("2001:db8::1")!, name: nil) == nil)
    }

    @Test func ipv6LiteralFormsAreRefused() {
        for t in ["[::ffff:127.0.0.1]:25", "[::ffff:7f00:1]", "[fe80::1%25lo]:25", "[fe80::1%lo]", "[fd00:ec2::254]:25"] {
            if let spec = try? ProbeTargetSpec.parse(t), case .address(let a) = spec.host {
                #expect(Self.lab.refusal(for: a, name: nil) != nil, "\(t)")
            }
        }
        #expect(throws: ProbeTargetSpec.Refusal.self) { try ProbeTargetSpec.parse("[fe80::1%lo]:25") }
    }

    @Test func labAddressInTheAllowlistPasses() throws {
        let spec = try ProbeTargetSpec.parse("127.0.20.1:25")
        #expect(spec == ProbeTargetSpec(host: .address(IPAddress("127.0.20.1")!), port: 25))
        #expect(Self.lab.refusal(for: IPAddress("127.0.20.1")!, name: nil) == nil)
        #expect(Self.lab.refusal(for: IPAddress("127.0.0.1")!, name: nil) != nil)
        #expect(Self.lab.refusal(for: IPAddress("127.0.21.1")!, name: nil) != nil)
    }

    @Test func urlsAndJunkAreRefused() {
        for t in ["http://127.0.20.1/", "user@127.0.20.1", "127.0.20.1:0", "127.0.20.1:65536", "127.0.20.1:25x", "", "a b",
                  "exa_mple..com", "-bad.example", "1.2.3.4.5", "0x1g.0.0.1"] {
            #expect(throws: ProbeTargetSpec.Refusal.self, "\(t)") { try ProbeTargetSpec.parse(t) }
        }
    }

    @Test func hostPatternsNeedPublicAddressesUnlessABlockAllows() {
        let p = ProbeAllowlist(hostPatterns: ["*.example.net", "mx*.example.org"])
        #expect(p.refusal(for: IPAddress("203.0.113.5")!, name: "a.b.example.net") == nil)
        #expect(p.refusal(for: IPAddress("203.0.113.5")!, name: "mx7.example.org") == nil)
        #expect(p.refusal(for: IPAddress("203.0.113.5")!, name: "mx.a.example.org") != nil)
        #expect(p.refusal(for: IPAddress("203.0.113.5")!, name: "example.net") != nil)
        #expect(p.refusal(for: IPAddress("127.0.0.1")!, name: "evil.example.net") != nil, "a pattern never reaches loopback")
        #expect(p.refusal(for: IPAddress("10.1.2.3")!, name: "evil.example.net") != nil, "nor private space")
        #expect(p.refusal(for: IPAddress("169.254.169.254")!, name: "evil.example.net") != nil)
        // A configured host may resolve to a private address, never to a forbidden one.
        #expect(Self.lab.refusal(for: IPAddress("10.0.0.5")!, name: "mx.configured.test") == nil)
        #expect(Self.lab.refusal(for: IPAddress("169.254.169.254")!, name: "mx.configured.test") != nil)
    }

    /// Arbitrary short strings over the characters numeric spellings are made of: the parser
    /// never crashes, and whatever it accepts as an IPv4 address was written canonically.
    @Test func randomSpellingsAreCanonicalOrRefused() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789xXabcdefg.:[]%-")
        var accepted = 0
        for _ in 0..<20_000 {
            let s = String((0..<Int.random(in: 1...18, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            guard let spec = try? ProbeTargetSpec.parse(s) else { continue }
            accepted += 1
            if case .address(let a) = spec.host, !a.isIPv6 {
                let host = s.split(separator: ":").first.map(String.init) ?? s
                #expect(a.description == host, "\(s) accepted as \(a)")
            }
        }
        #expect(accepted > 0)
    }

    @Test func cidrBlocks() {
        let b = CIDRBlock("10.0.0.0/8")!
        #expect(b.contains(IPAddress("10.255.1.2")!))
        #expect(!b.contains(IPAddress("11.0.0.1")!))
        #expect(!b.contains(IPAddress("::ffff:10.0.0.1")!))
        #expect(CIDRBlock("2001:db8::/32")!.contains(IPAddress("2001:db8:ffff::1")!))
        #expect(CIDRBlock("10.0.0.0/33") == nil)
        #expect(CIDRBlock("10.0.0/8") == nil)
        #expect(throws: ProbeTargetSpec.Refusal.self) { try ProbeAllowlist(entries: ["10.0.0.0/99"], configuredHosts: []) }
    }
}

/// A resolver that answers differently each time it is asked: the DNS-rebinding attack. The
/// probe must resolve once and connect to what it checked.
actor RebindingResolverState {
    var calls = 0
    func next() -> Int { calls += 1; return calls }
}

struct RebindingResolver: DNSResolver {
    let state = RebindingResolverState()
    let first: String
    let later: String

    func resolve(_ query: DNSQuery) async -> DNSAnswer {
        let n = await state.next()
        guard query.type == .a else { return DNSAnswer(query: query, status: .nodata) }
        let ip = IPAddress(n <= 2 ? first : later)!
        guard case .v4(let v) = ip else { return DNSAnswer(query: query, status: .nodata) }
        let rr = DNSResourceRecord(name: query.name, ttl: 0, data: .a(IPAddress.v4(v)))
        return DNSAnswer(query: query, status: .answer, answers: [rr])
    }
}

struct RebindingTests {
    @Test func resolvesOnceAndReturnsTheCheckedAddress() async throws {
        let resolver = RebindingResolver(first: "127.0.20.1", later: "169.254.169.254")
        let runner = ProbeRunner(allowlist: AddressPolicyTests.lab, resolver: resolver, tls: nil)
        let spec = try ProbeTargetSpec.parse("rebind.good.lab.test:25")
        let (address, name, _) = try await runner.authorise(spec)
        #expect(address == IPAddress("127.0.20.1"))
        #expect(name == "rebind.good.lab.test")
        // One A and one AAAA query, nothing more: the connection goes to the checked address.
        #expect(await resolver.state.calls == 2)
    }

    @Test func anyForbiddenAnswerRefusesTheName() async throws {
        let resolver = RebindingResolver(first: "169.254.169.254", later: "127.0.20.1")
        let runner = ProbeRunner(allowlist: AddressPolicyTests.lab, resolver: resolver, tls: nil)
        await #expect(throws: ProbeRunner.Rejection.self) { try await runner.authorise(try ProbeTargetSpec.parse("rebind.good.lab.test")) }
    }

    @Test func timeoutHeaderCapsTheProbe() {
        let m = ProbeModule.named("smtp_starttls")!
        #expect(ProbeRunner.effectiveTimeout(scrapeTimeoutHeader: "4", module: m) == 3.5)
        #expect(ProbeRunner.effectiveTimeout(scrapeTimeoutHeader: "60", module: m) == 10)
        #expect(ProbeRunner.effectiveTimeout(scrapeTimeoutHeader: "junk", module: m) == 10)
        #expect(ProbeRunner.effectiveTimeout(scrapeTimeoutHeader: nil, module: m) == 10)
    }
}
