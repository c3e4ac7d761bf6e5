import DNSWire
import Foundation
import MailCore
import MailWire
import Testing
@testable import Diagnosis

@Suite("HTTP CDN leaf, --shard, compliance profiles")
struct CDNShardProfileTests {
    @Test func cdnRanges() {
        #expect(HTTPCDN.provider(for: ip("104.16.1.1")) == "Cloudflare")
        #expect(HTTPCDN.provider(for: ip("172.67.0.9")) == "Cloudflare")
        #expect(HTTPCDN.provider(for: ip("2606:4700::6810:1")) == "Cloudflare")
        #expect(HTTPCDN.provider(for: ip("151.101.1.1")) == "Fastly")
        #expect(HTTPCDN.provider(for: ip("104.15.255.255")) == nil)
        #expect(HTTPCDN.provider(for: ip("192.0.2.1")) == nil)
        #expect(HTTPCDN.provider(forAlias: dn("www.example.org.cdn.cloudflare.net")) == "Cloudflare")
        #expect(HTTPCDN.provider(forAlias: dn("d111.cloudfront.net")) == "Amazon CloudFront")
        #expect(HTTPCDN.provider(forAlias: dn("notcloudfront.net")) == nil)
    }

    /// The MX name is proxied by Cloudflare: 25 is dead there, and the bounce tree names the
    /// CDN first, above the generic "all filtered".
    @Test func mxBehindCDNIsTheTopBounceCause() async {
        let resolver = world(mx: [(10, "mail.example.test", "104.16.1.1")])
        let prober = FakeProber(states: ["104.16.1.1:25": .filtered])
        let r = await engine(resolver, prober: prober, symptom: .bounce).run(try! CheckTarget.parse("example.test"))
        let f = r.findings.first { $0.id == "dns.mx.http-cdn" }
        #expect(f?.subject == "mail.example.test")
        #expect(f?.severity == .error)
        #expect(f.map { $0.evidenceIDs.allSatisfy { id in r.evidence.contains { $0.id == id } } } == true)
        #expect(r.topRootCause?.id == "bounce.mx.http-cdn")
    }

    /// A CDN product that carries SMTP (port 25 greets): no finding.
    @Test func cdnAddressThatSpeaksSMTPIsFine() async {
        let r = await engine(world(mx: [(10, "mail.example.test", "104.16.1.1")])).run(try! CheckTarget.parse("example.test"))
        #expect(!r.findings.contains { $0.id == "dns.mx.http-cdn" })
    }

    @Test func shardsPartitionTheList() {
        let targets = (0..<500).map { "d\($0).example.test" }
        for n in [1, 2, 3, 7, 16] {
            let shards = (0..<n).map { BulkShard(index: $0, count: n)!.select(targets) }
            #expect(shards.map(\.count).reduce(0, +) == targets.count)
            #expect(Set(shards.flatMap { $0 }) == Set(targets))
        }
        let s = BulkShard(parsing: "3/8")!
        #expect(s.contains("Example.ORG") == s.contains("example.org"))
        // Pure: the same target always lands in the same shard (FNV-1a of the text).
        #expect(BulkShard.key("example.org") == 0xee71_6063_1269_bf51)
        #expect(BulkShard.key("EXAMPLE.org") == BulkShard.key("example.org"))
        #expect(BulkShard.key("") == 0xcbf2_9ce4_8422_2325)
        #expect(BulkShard(parsing: "8/8") == nil)
        #expect(BulkShard(parsing: "-1/4") == nil)
        #expect(BulkShard(parsing: "1") == nil)
    }

    // MARK: profiles

    @Test func everyProfileReferenceIsACatalogFinding() {
        let ids = Set(FindingCatalog.all.map(\.id))
        for p in ComplianceProfiles.all {
            #expect(!p.controls.isEmpty)
            for c in p.controls {
                #expect(!c.section.isEmpty && !c.title.isEmpty, "\(p.id)")
                for pattern in c.failOn + c.requireAny + c.undecidedOn {
                    let ok = pattern.hasSuffix("*") ? ids.contains { $0.hasPrefix(String(pattern.dropLast())) } : ids.contains(pattern)
                    #expect(ok, "\(p.id) §\(c.section) names \(pattern), which is not in the catalog")
                }
                #expect(c.observable || (c.failOn.isEmpty && c.requireAny.isEmpty), "\(p.id) §\(c.section)")
            }
        }
        #expect(Set(ComplianceProfiles.all.map(\.id)).count == ComplianceProfiles.all.count)
        #expect(ComplianceProfiles.profile("nist")?.id == "nist-800-177r1")
        #expect(ComplianceProfiles.profile("BSI-TR-03108")?.id == "bsi-tr-03108")
        #expect(ComplianceProfiles.profile("sox") == nil)
    }

    static func report(_ findings: [Finding], stages: [StageResult]? = nil) -> Report {
        let all = stages ?? [Stage.locate, Stage.auth, Stage.probe, Stage.tls].map { StageResult(name: $0, status: .completed, detail: "", milliseconds: 1) }
        return Report(target: try! CheckTarget.parse("example.test"), resolvers: [], startedAt: Date(timeIntervalSince1970: 0),
                      finishedAt: Date(timeIntervalSince1970: 1), stages: all, findings: findings)
    }

    @Test func controlsPassFailAndNotAssessed() throws {
        let nist = ComplianceProfiles.nist800177r1
        let good = [finding("spf.ok"), finding("dmarc.ok"), finding("dkim.ok"), finding("mtasts.ok"), finding("tlsrpt.ok")]
        let a = nist.evaluate(Self.report(good))
        #expect(a.failed == 0, "\(a.controls.filter { $0.status == .fail }.map(\.reason))")
        #expect(a.controls.first { $0.section == "4.6" }?.findings.map(\.id) == ["dmarc.ok"])

        let b = nist.evaluate(Self.report(good + [finding("smtp.starttls.missing")]))
        let starttls = try #require(b.controls.first { $0.title.contains("STARTTLS") })
        #expect(starttls.status == .fail)
        #expect(starttls.findings.map(\.id) == ["smtp.starttls.missing"])
        #expect(starttls.findings.first?.evidenceIDs == ["ev:smtp.starttls.missing"])

        // No DMARC pass finding: fails for lack of evidence. No DKIM key found: undecided.
        let c = nist.evaluate(Self.report([finding("dkim.none-found")]))
        #expect(c.controls.first { $0.section == "4.6" }?.status == .fail)
        #expect(c.controls.first { $0.section == "4.5" }?.status == .notAssessed)

        // A stage that could not test leaves its controls not assessed.
        let stages = [StageResult(name: Stage.auth, status: .completed, detail: "", milliseconds: 1),
                      StageResult(name: Stage.probe, status: .couldNotTest, detail: "deadline", milliseconds: 1)]
        let d = nist.evaluate(Self.report(good, stages: stages))
        #expect(starttlsStatus(d) == .notAssessed)

        // Severity threshold: a notice does not fail a warning-level control.
        let e = ComplianceProfiles.bsiTR03108.evaluate(Self.report([finding("dns.dnssec.unsigned")]))
        #expect(e.controls.first { $0.title.hasPrefix("DNSSEC") }?.status == .fail)
        #expect(e.controls.first { $0.section == "3.1" }?.status == .notAssessed)
        let g = ComplianceProfiles.gdprArt32.evaluate(Self.report([finding("tls.version.phase-out")]))
        #expect(g.controls.first { $0.section == "Art. 32(1)(a)" }?.status == .fail)
        #expect(g.controls.first { $0.section == "Art. 32(1)(d)" }?.status == .notAssessed)
        let m = ComplianceProfiles.mlps2Level3.evaluate(Self.report([finding("smtp.auth.plaintext")]))
        #expect(m.controls.first { $0.section == "8.1.4.1 c)" }?.status == .fail)
        #expect(m.controls.first { $0.section == "8.1.4.3" }?.status == .notAssessed)
    }

    func starttlsStatus(_ a: AuditResult) -> ControlResult.Status? { a.controls.first { $0.title.contains("STARTTLS") }?.status }
}

@Suite("The check plan (declared stage inputs)")
struct CheckPlanTests {
    @Test func everyNeedIsProducedByAnEarlierStage() {
        var available: Set<CheckInput> = [.target]
        for s in CheckPlan.stages {
            #expect(s.needs.allSatisfy(available.contains), "\(s.name) needs \(s.needs) before they exist")
            available.formUnion(s.produces)
        }
        #expect(Set(CheckPlan.stages.map(\.name)).count == CheckPlan.stages.count)
    }

    @Test func dependentsFollowTheData() {
        #expect(CheckPlan.dependents(of: Stage.locate) == [Stage.probe, Stage.tls, Stage.clientConfig, Stage.provider])
        #expect(CheckPlan.dependents(of: Stage.tls).isEmpty)
        #expect(CheckPlan.dependents(of: Stage.auth) == [Stage.provider])
        let lost = CheckPlan.untestedPrefixes(when: Stage.probe)
        #expect(lost.contains("tls.") && lost.contains("client.config.") && lost.contains("smtp."))
        #expect(!lost.contains("spf."))
    }

    /// Locate running out of time makes the probe-based bounce causes unknown, not absent.
    @Test func aLocateThatCannotTestLeavesProbeCausesUnknown() async {
        var o = CheckOptions()
        o.timeout = .milliseconds(300)
        o.symptom = .bounce
        let e = CheckEngine(resolver: SlowResolver(inner: world(), delay: .seconds(3)), prober: FakeProber(), scanner: FakeScanner(),
                            fetcher: nil, options: o)
        let r = await e.run(try! CheckTarget.parse("example.test"))
        let leaves = r.faultTree.first?.branches.flatMap(\.leaves) ?? []
        #expect(leaves.first { $0.id == "bounce.port25.all-filtered" }?.state == .unknown)
        #expect(leaves.first { $0.id == "bounce.mx.http-cdn" }?.state == .unknown)
    }
}

/// Every answer comes late: the overall deadline passes first.
struct SlowResolver: DNSResolver {
    let inner: InMemoryDNSResolver
    let delay: Duration
    func resolve(_ query: DNSQuery) async -> DNSAnswer {
        try? await Task.sleep(for: delay)
        return await inner.resolve(query)
    }
}
