import DNSClient
import DNSWire
import Foundation
import LabSupport
import MailCore
import NIOCore
import NIOPosix
import Probes
import Testing
@testable import Diagnosis
import Reporting

/// The repository root (for `scripts/lab`), from this file's path.
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// The path tests own 127.0.60.1 (nothing listens there: every SYN gets a reset).
let pathAddress = "127.0.60.1"

func samplePath(count: Int, concurrency: Int, confidence: Double) async -> PathReport {
    var o = ConnectTimingOptions()
    o.count = count
    o.concurrency = concurrency
    o.timeout = .seconds(8)
    let result = await ConnectTimingSampler(options: o).run(address: pathAddress, port: 25)
    return PathAssessment().assess(host: pathAddress, address: pathAddress, port: 25,
                                   samples: result.timings.map(pathSample), probeTimeout: 8,
                                   schedule: SYNSchedule(linearTimeouts: ConnectTimingSampler.synLinearTimeouts(),
                                                         maxRetransmissions: ConnectTimingSampler.synRetries()),
                                   confidence: confidence)
}

/// The same mapping `mxray path` does (PathCommand.sample), kept here so this target does not
/// depend on the CLI.
func pathSample(_ t: ConnectTiming) -> PathSample {
    let o: PathSample.Outcome = switch t.outcome {
    case .open: .open
    case .reset: .reset
    case .timeout: .timeout
    case .unreachable, .error: .unreachable
    }
    return PathSample(startMilliseconds: t.startMilliseconds, milliseconds: t.milliseconds, outcome: o, detail: t.detail)
}

@Suite("Path on the lab (127.0.60.1)", .serialized)
struct PathLabTests {
    @Test("no added delay: resets answer at once, about 0 % loss, good verdict")
    func undelayed() async throws {
        _ = try LabEnvironment.require()
        try LabDelay.run([pathAddress, "off"])
        var r = await samplePath(count: 100, concurrency: 8, confidence: 0.95)
        if r.statistics.packetLoss.value >= 0.02 || (r.statistics.rttMedian ?? 999) >= 20 {
            // Timestamps are taken in this (shared, parallel) test process: when CPU-heavy suites
            // starve it, answers look late (a median over 20 ms on loopback) or 0.5 s late and count as retransmissions. That is the host,
            // not the path: measure once more; a real lossy path fails both times.
            print("path undelayed: first sample looked lossy (buckets \(r.statistics.buckets)); sampling again")
            r = await samplePath(count: 100, concurrency: 8, confidence: 0.95)
        }
        print("path undelayed: median \(r.statistics.rttMedian ?? -1) ms, loss \(r.statistics.packetLoss.value) [\(r.statistics.packetLoss.lower), \(r.statistics.packetLoss.upper)], buckets \(r.statistics.buckets)")
        #expect(r.statistics.answered == 100)
        #expect((r.statistics.rttMedian ?? 999) < 20)
        #expect(r.statistics.packetLoss.value < 0.02)
        #expect(r.verdict == .good)
    }

    @Test("40 ms each way and 10 % loss: median RTT ≈ 80 ms, loss interval contains 10 %")
    func delayed() async throws {
        _ = try LabEnvironment.require()
        try LabDelay.run([pathAddress, "40", "0.10"])
        defer { try? LabDelay.run([pathAddress, "off"]) }
        // 99 %: the test checks that the estimator is right, so it should rarely fail by chance.
        let r = await samplePath(count: 240, concurrency: 8, confidence: 0.99)
        let s = r.statistics
        print("path delayed: median \(s.rttMedian ?? -1) ms, p90 \(s.rttP90 ?? -1), jitter \(s.jitter ?? -1), loss \(s.packetLoss.value) [\(s.packetLoss.lower), \(s.packetLoss.upper)], round trips \(s.roundTripLoss.successes)/\(s.roundTripLoss.trials), buckets \(s.buckets)")
        let median = try #require(s.rttMedian)
        #expect(median > 70 && median < 100, "median RTT \(median) ms")
        #expect(s.packetLoss.lower <= 0.10 && 0.10 <= s.packetLoss.upper, "loss interval \(s.packetLoss.lower)–\(s.packetLoss.upper)")
        #expect(s.buckets.count >= 2 && s.buckets[1] > 0, "no connect needed a SYN retransmission")
        #expect(r.verdict == .lossy)
        #expect(r.findings.map(\.id).contains("path.loss.high") && r.findings.map(\.id).contains("path.rtt.high"))
    }
}

func labResolver(_ address: String, timeout: Duration = .seconds(2), attempts: Int = 2) -> NetworkDNSResolver {
    NetworkDNSResolver(configuration: ResolverConfiguration(servers: [DNSServerAddress(parsing: address)!], timeout: timeout, attempts: attempts, source: "test"))
}

@Suite("DNSBL and split view on the lab")
struct ReputationLabTests {
    @Test("bl.lab.test lists broken's real MX with its reason; the dead list times out")
    func broken() async throws {
        let lab = try LabEnvironment.require()
        let zones = [DNSBLZone.named(dn("bl.lab.test")), DNSBLZone.named(dn("dead.bl.lab.test"))]
        let report = await DNSBLCheck(resolver: labResolver(lab.resolver, timeout: .seconds(1), attempts: 1), zones: zones)
            .run(domain: dn("broken.lab.test"))
        let real = try lab.address("BROKEN_REAL")
        let listed = try #require(report.lookups.first { $0.address.description == real && $0.zone == dn("bl.lab.test") })
        #expect(listed.status.label == "listed")
        #expect(listed.reason?.contains("mxray lab") == true)
        // The other broken addresses are clean on bl.lab.test.
        #expect(report.lookups.filter { $0.zone == dn("bl.lab.test") && $0.address.description != real }.allSatisfy { $0.status == .notListed })
        #expect(report.health.first { $0.zone == dn("bl.lab.test") }?.healthy == true)
        // Nothing answers for dead.bl.lab.test: Unbound first lets our query time out, then (once
        // it has marked the server down) answers SERVFAIL at once — "no answer" either way, never
        // "not listed". The pure timeout case is `silentResolver` below.
        let dead = report.lookups.filter { $0.zone == dn("dead.bl.lab.test") }
        #expect(!dead.isEmpty && dead.allSatisfy { $0.status.label == "no answer" })
        #expect(dead.allSatisfy { $0.status.detail.hasPrefix("timeout") || $0.status.detail.hasPrefix("SERVFAIL") })
        #expect(report.findings.contains { $0.id == "dnsbl.listed" && $0.subject.hasPrefix(real) })
        #expect(report.findings.contains { $0.id == "dnsbl.no-answer" })
    }

    @Test("weak's address gets the refusal code: refused, not listed")
    func refused() async throws {
        let lab = try LabEnvironment.require()
        let weak = try lab.address("WEAK_MX")
        let report = await DNSBLCheck(resolver: labResolver(lab.resolver), zones: [DNSBLZone.named(dn("bl.lab.test"))])
            .run(subject: weak, targets: [DNSBLTarget(address: IPAddress(weak)!, roles: ["given"])])
        #expect(report.lookups.map(\.status) == [.refused("127.255.255.254: error range 127.255.255.0/24")])
        #expect(report.findings.map(\.id) == ["dnsbl.refused"])
    }

    @Test("a resolver that never answers: every lookup is a timeout")
    func silentResolver() async throws {
        // A broken peer: a UDP socket that reads queries and never replies.
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        let r = labResolver("127.0.0.1:\(port)", timeout: .milliseconds(300), attempts: 1)
        let report = await DNSBLCheck(resolver: r, zones: [DNSBLZone.named(dn("bl.lab.test"))])
            .run(subject: "192.0.2.1", targets: [DNSBLTarget(address: IPAddress("192.0.2.1")!, roles: ["given"])])
        try await channel.close()
        #expect(report.lookups.count == 1)
        #expect(report.lookups.allSatisfy { $0.status.label == "no answer" && $0.status.detail.hasPrefix("timeout") })
        #expect(report.health.first?.healthy == nil)
        #expect(report.findings.map(\.id) == ["dnsbl.no-answer"])
    }

    @Test("the DNSBL text report shows the listing, the reason and the list health")
    func rendered() async throws {
        let lab = try LabEnvironment.require()
        let real = try lab.address("BROKEN_REAL")
        let report = await DNSBLCheck(resolver: labResolver(lab.resolver), zones: [DNSBLZone.named(dn("bl.lab.test"))])
            .run(subject: real, targets: [DNSBLTarget(address: IPAddress(real)!, roles: ["given"])])
        let text = NetReportRenderer.text(report)
        #expect(text.contains("\(real)") && text.contains("listed") && text.contains("Listed by the mxray lab"))
        #expect(text.contains("bl.lab.test: ok"))
        let json = try NetReportRenderer.json(report)
        #expect(json.contains("\"schema\" : \"mxray.dnsbl/1\""))
    }

    @Test("inside and outside views of good.lab.test: mx1 differs, MX sets agree")
    func split() async throws {
        let lab = try LabEnvironment.require()
        let inside = lab.values["MXRAY_LAB_INSIDE_RESOLVER"] ?? "127.0.10.55"
        async let a = LocateStage(resolver: labResolver(inside), checkNameservers: false).run(dn("good.lab.test"))
        async let b = LocateStage(resolver: labResolver(lab.resolver), checkNameservers: false).run(dn("good.lab.test"))
        let views = [LabelledLocate(label: "inside", resolver: inside, result: await a),
                     LabelledLocate(label: "outside", resolver: lab.resolver, result: await b)]
        let report = SplitViewComparison.compare(dn("good.lab.test"), views)
        let f = try #require(report.findings.first { $0.id == "split.address.differs" })
        #expect(f.subject == "mx1.good.lab.test")
        let mx1 = try lab.address("GOOD_MX1")
        #expect(f.detail.contains("inside: 127.0.20.9") && f.detail.contains("outside: \(mx1)"))
        #expect(!report.findings.contains { $0.id == "split.mx.differs" })
        #expect(report.differences.filter { $0.kind == .address }.count == 1)
    }
}
