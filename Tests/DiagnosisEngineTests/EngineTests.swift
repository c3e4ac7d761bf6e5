import DNSWire
import Foundation
import MailCore
import MailWire
import TLSWire
import Testing
@testable import Diagnosis

func dn(_ s: String) -> DomainName { try! DomainName(s) }
func ip(_ s: String) -> IPAddress { IPAddress(s)! }

/// A fake prober: each port of each address in a given connect state; open SMTP ports greet
/// with `banner` and offer STARTTLS. Optionally slow, to test the deadline.
struct FakeProber: PortProbing {
    var states: [String: ConnectObservation.State] = [:]   // "address:port" → state; default open
    var banner = "220 mx.example.test ESMTP Postfix"
    var delay: Duration = .zero
    let calls = CallLog()

    func probe(_ targets: [ProbeAddress], ports: [Int], timeout: Duration) async -> [PortObservation] {
        await calls.add(targets.map(\.address))
        if delay > .zero { try? await Task.sleep(for: min(delay, timeout)) }
        var out: [PortObservation] = []
        for t in targets {
            for p in ports {
                let state = states["\(t.address):\(p)"] ?? .open
                var o = PortObservation(address: t.address, host: t.host, port: p, service: MailService.forPort(p),
                                        connect: ConnectObservation(state: state, milliseconds: state == .filtered ? 5000 : 1),
                                        transcript: Transcript(label: "\(t.address):\(p)"))
                if state == .open {
                    o.outcome = .completed
                    if MailService.forPort(p).mailProtocol == .smtp {
                        var s = SMTPObservation()
                        s.greeting = SMTPReply(code: 220, lines: [String(banner.dropFirst(4))])
                        s.fingerprint = ServerFingerprint.identify(banner)
                        o.smtp = s
                    }
                }
                out.append(o)
            }
        }
        return out
    }
}

actor CallLog {
    var addresses: [String] = []
    func add(_ a: [String]) { addresses += a }
}

struct FakeScanner: TLSScanning {
    func scan(host: String, address: String, port: Int, timeout: Duration) async -> TLSScanResult {
        var r = TLSScanResult(host: host, address: address, port: port, starttls: "smtp")
        r.versions = [VersionResult(version: .tls13, accepted: true)]
        return r
    }
}

/// `example.test` with two MX hosts (192.0.2.1, 192.0.2.2) with PTRs, SPF and DMARC.
func world(mx: [(UInt16, String, String)] = [(10, "mx1.example.test", "192.0.2.1"), (20, "mx2.example.test", "192.0.2.2")]) -> InMemoryDNSResolver {
    var z = InMemoryDNSResolver.Zone()
    z.add(dn("example.test"), .soa(SOARecord(mname: dn("ns1.example.test"), rname: dn("hostmaster.example.test"), serial: 1,
                                           refresh: 3600, retry: 600, expire: 86400, minimum: 300)))
    for (pref, host, addr) in mx {
        z.add(dn("example.test"), .mx(MXRecord(preference: pref, exchange: dn(host))))
        z.add(dn(host), .a(ip(addr)))
        z.add(ip(addr).reverseName, .ptr(dn(host)))
    }
    z.add(dn("example.test"), .txt(TXTRecord(["v=spf1 mx -all"])))
    z.add(dn("_dmarc.example.test"), .txt(TXTRecord(["v=DMARC1; p=reject; rua=mailto:d@example.test"])))
    return InMemoryDNSResolver(zone: z)
}

func engine(_ resolver: InMemoryDNSResolver = world(), prober: FakeProber = FakeProber(), timeout: Duration = .seconds(10),
            symptom: Symptom? = nil) -> CheckEngine {
    var o = CheckOptions()
    o.timeout = timeout
    o.symptom = symptom
    return CheckEngine(resolver: resolver, prober: prober, scanner: FakeScanner(), fetcher: nil, options: o,
                       now: { Date(timeIntervalSince1970: 1_800_000_000) })
}

@Suite("Check engine with fake probes")
struct EngineTests {
    @Test("a healthy domain: stages complete, MX hosts listed, provider from the banner, no error")
    func healthy() async throws {
        let r = await engine().run(try CheckTarget.parse("example.test"))
        #expect(r.mxHosts.map(\.name) == ["mx1.example.test", "mx2.example.test"])
        #expect(r.mxHosts.first?.software == "Postfix")
        #expect(r.stages.first { $0.name == Stage.locate }?.status == .completed)
        #expect(r.stages.first { $0.name == Stage.probe }?.status == .completed)
        #expect(r.stages.first { $0.name == Stage.tls }?.status == .completed)
        #expect(r.provider?.provider.id == "postfix")
        #expect(r.ports.count == 14)   // 2 addresses × (25 + 6 client ports)
        #expect(r.tls.count == 2)
        #expect(!r.findings.contains { $0.id == "check.mx.unreachable" })
        #expect(r.faultTree.count == 5)
        #expect(!r.faultTree.first { $0.symptom == .bounce }!.rootCauses.contains { $0.id.hasPrefix("bounce.port25") })
        for f in r.findings { #expect(!f.evidenceIDs.isEmpty, "\(f.id) has no evidence") }
    }

    @Test("every MX filtered on 25: critical finding and the firewall cause first for bounce")
    func allFiltered() async throws {
        let p = FakeProber(states: ["192.0.2.1:25": .filtered, "192.0.2.2:25": .filtered])
        let r = await engine(prober: p, symptom: .bounce).run(try CheckTarget.parse("example.test"))
        #expect(r.findings.first?.id == "check.mx.unreachable")
        #expect(r.findings.first?.severity == .critical)
        #expect(r.topRootCause?.id == "bounce.port25.all-filtered")
        #expect(r.topRootCause?.support.count == 2)
        #expect(r.faultTree.map(\.symptom) == [.bounce])
        #expect(r.verdict == .failing)
        #expect(r.tls.isEmpty)
    }

    @Test("one MX refused, the other open: refused cause, no unreachable finding")
    func oneRefused() async throws {
        let p = FakeProber(states: ["192.0.2.2:25": .refused])
        let r = await engine(prober: p, symptom: .bounce).run(try CheckTarget.parse("example.test"))
        #expect(!r.findings.contains { $0.id == "check.mx.unreachable" })
        #expect(r.topRootCause?.id == "bounce.port25.refused")
    }

    @Test("a hosted provider by MX name: client ports are not probed on its MX hosts")
    func hostedProvider() async throws {
        let resolver = world(mx: [(1, "aspmx.l.google.com", "192.0.2.9")])
        let r = await engine(resolver).run(try CheckTarget.parse("example.test"))
        #expect(r.provider?.provider.id == "google")
        #expect(r.ports.map(\.port) == [25])
        // The SPF record lacks include:_spf.google.com.
        #expect(r.findings.contains { $0.id == "provider.spf.include-missing" })
    }

    @Test("the overall deadline: a stuck prober makes the probe stage could-not-test, the report still comes")
    func deadline() async throws {
        // The deadline leaves the in-memory locate stage ample time even when the whole suite
        // runs in parallel on two busy cores (2 s was once not enough); the prober never returns.
        // (FakeProber returns at its timeout, racing the engine's deadline; this one never returns.)
        var o = CheckOptions()
        o.timeout = .seconds(6)
        let start = ContinuousClock.now
        let r = await CheckEngine(resolver: world(), prober: StuckProber(), scanner: FakeScanner(), fetcher: nil, options: o)
            .run(try CheckTarget.parse("example.test"))
        #expect(ContinuousClock.now - start < .seconds(15))
        #expect(r.stages.first { $0.name == Stage.locate }?.status == .completed)
        let probe = r.stages.first { $0.name == Stage.probe }
        #expect(probe?.status == .couldNotTest, "\(String(describing: probe))")
        #expect(r.findings.contains { $0.id == "check.stage.could-not-test" && $0.subject == "stage probe" })
        let bounce = r.faultTree.first { $0.symptom == .bounce }!
        #expect(bounce.branches.flatMap(\.leaves).first { $0.id == "bounce.port25.all-filtered" }?.state == .unknown)
    }

    @Test("an e-mail address checks its domain; a host target skips MX and auth")
    func targets() async throws {
        let e = await engine().run(try CheckTarget.parse("alice@example.test"))
        #expect(e.target.kind == .email)
        #expect(e.mxHosts.count == 2)
        let h = await engine().run(try CheckTarget.parse("192.0.2.7"))
        #expect(h.target.kind == .host)
        #expect(Set(h.ports.map(\.address)) == ["192.0.2.7"])
        #expect(h.stages.first { $0.name == Stage.auth }?.status == .skipped)
    }

    @Test("null MX: nothing probed, the null-MX cause first")
    func nullMX() async throws {
        var z = InMemoryDNSResolver.Zone()
        z.add(dn("example.test"), .mx(MXRecord(preference: 0, exchange: .root)))
        let p = FakeProber()
        let r = await engine(InMemoryDNSResolver(zone: z), prober: p, symptom: .bounce).run(try CheckTarget.parse("example.test"))
        #expect(r.ports.isEmpty)
        #expect(await p.calls.addresses.isEmpty)
        #expect(r.topRootCause?.id == "bounce.mx.null")
        #expect(r.stages.first { $0.name == Stage.probe }?.status == .skipped)
        // Nothing to probe is not "could not test": the port leaves are absent, not unknown.
        let bounce = r.faultTree.first { $0.symptom == .bounce }!
        #expect(bounce.branches.flatMap(\.leaves).allSatisfy { $0.state != .unknown })
    }

    @Test("the report round-trips through JSON")
    func codable() async throws {
        let r = await engine().run(try CheckTarget.parse("example.test"))
        let enc = JSONEncoder()
        enc.dateEncodingStrategy = .iso8601
        let dec = JSONDecoder()
        dec.dateDecodingStrategy = .iso8601
        let back = try dec.decode(Report.self, from: try enc.encode(r))
        #expect(back.findings == r.findings)
        #expect(back.faultTree == r.faultTree)
        #expect(back.schemaVersion == Report.currentSchemaVersion)
    }

    @Test("target parsing")
    func parsing() throws {
        #expect(try CheckTarget.parse("Example.ORG").kind == .domain)
        #expect(try CheckTarget.parse("bob@example.org").domain == dn("example.org"))
        #expect(try CheckTarget.parse("[2001:db8::1]").address == "2001:db8::1")
        #expect(try CheckTarget.parse("mx.example.org", asHost: true).kind == .host)
        #expect(throws: CheckTarget.ParseError.self) { try CheckTarget.parse("") }
        #expect(throws: CheckTarget.ParseError.self) { try CheckTarget.parse("localhost") }
        #expect(throws: CheckTarget.ParseError.self) { try CheckTarget.parse("bob@") }
    }
}

/// A prober that never answers (until cancelled by the engine's deadline).
struct StuckProber: PortProbing {
    func probe(_ targets: [ProbeAddress], ports: [Int], timeout: Duration) async -> [PortObservation] {
        try? await Task.sleep(for: .seconds(3600))
        return []
    }
}
