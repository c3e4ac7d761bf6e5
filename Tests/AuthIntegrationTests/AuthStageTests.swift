import Diagnosis
import DNSWire
import MailAuth
import MailCore
import Reporting
import Testing

/// The auth stage over an in-memory zone and a fake policy fetcher (no lab, no sockets).
@Suite struct AuthStageTests {
    struct Fetcher: MTASTSPolicyFetcher {
        let result: MTASTSFetchResult
        func fetchPolicy(for domain: DomainName) async -> MTASTSFetchResult { result }
    }

    static let psl = PublicSuffixList(text: "com\nexample\n")

    static func zone() throws -> InMemoryDNSResolver.Zone {
        var z = InMemoryDNSResolver.Zone()
        let d = try DomainName("corp.example")
        z.add(d, .mx(MXRecord(preference: 10, exchange: try DomainName("mx1.corp.example"))))
        z.add(d, .txt(TXTRecord(["v=spf1 mx ptr +all"])))
        z.add(try DomainName("mx1.corp.example"), .a(IPAddress("192.0.2.25")!))
        z.add(try DomainName("_dmarc.corp.example"), .txt(TXTRecord(["v=DMARC1; p=quarantine; pct=25; rua=mailto:d@reports.example"])))
        z.add(try DomainName("_mta-sts.corp.example"), .txt(TXTRecord(["v=STSv1; id=1;"])))
        z.add(try DomainName("_smtp._tls.corp.example"), .txt(TXTRecord(["v=TLSRPTv1; rua=ftp://nope"])))
        z.add(try DomainName("default._bimi.corp.example"), .txt(TXTRecord(["v=BIMI1; l=https://corp.example/logo.svg"])))
        z.add(try DomainName("s2048._domainkey.corp.example"), .txt(TXTRecord(["v=DKIM1; t=y; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="])))
        z.add(try DomainName("old._domainkey.corp.example"), .txt(TXTRecord(["v=DKIM1; p="])))
        return z
    }

    @Test func everyPolicyIsCheckedAndFindingsCarryEvidence() async throws {
        let policy = "version: STSv1\nmode: testing\nmx: mx9.corp.example\nmax_age: 86400\n"
        let fetcher = Fetcher(result: MTASTSFetchResult(url: "https://mta-sts.corp.example/.well-known/mta-sts.txt", status: 200,
                                                        contentType: "text/plain", body: Array(policy.utf8)))
        let stage = AuthStage(resolver: InMemoryDNSResolver(zone: try Self.zone()), fetcher: fetcher,
                              dkimSelectors: ["s2048", "old"], tryCommonSelectors: false, suffixes: Self.psl)
        let r = await stage.run(try DomainName("corp.example"))
        let ids = Set(r.findings.map(\.id))
        #expect(ids.isSuperset(of: ["spf.all.pass", "spf.ptr", "dmarc.pct.partial", "dmarc.external.unauthorized",
                                    "dkim.key.testing", "dkim.key.revoked", "mtasts.mx.uncovered", "mtasts.mode.testing",
                                    "tlsrpt.invalid", "bimi.found"]), "\(ids.sorted())")
        #expect(!ids.contains("spf.ok"))
        #expect(r.spf.lookupsUsed == 2)
        #expect(r.mtaSTS.uncoveredMX == ["mx1.corp.example"])
        #expect(r.findings.first { $0.id == "mtasts.mx.uncovered" }?.severity == .warning)
        #expect(r.dkim.selectorsTried == ["s2048", "old"])
        let evidenceIDs = Set(r.evidence.map(\.id))
        #expect(r.findings.allSatisfy { !$0.evidenceIDs.isEmpty && $0.evidenceIDs.allSatisfy(evidenceIDs.contains) })
        #expect(r.findings.allSatisfy { FindingCatalog.definition($0.id) != nil })
        let text = AuthReportRenderer.text(r, showEvidence: true)
        #expect(text.contains("[CRITICAL] spf.all.pass"))
        #expect(text.contains("Evidence:"))
    }

    @Test func fetchFailureAndDNSFailureAreReported() async throws {
        var z = try Self.zone()
        z.fail(try DomainName("corp.example"), type: .txt, with: .servfail)
        let fetcher = Fetcher(result: MTASTSFetchResult(url: "https://mta-sts.corp.example/.well-known/mta-sts.txt", error: "TLS failed"))
        let r = await AuthStage(resolver: InMemoryDNSResolver(zone: z), fetcher: fetcher, tryCommonSelectors: false, suffixes: Self.psl)
            .run(try DomainName("corp.example"))
        let ids = Set(r.findings.map(\.id))
        #expect(ids.contains("spf.lookup.failed") && ids.contains("mtasts.fetch.failed") && ids.contains("dkim.none-found"))
        #expect(r.spf.status == "temperror")
    }

    @Test func authFindingIdsAreUniqueAndDotted() {
        let ids = FindingCatalog.all.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(FindingCatalog.all.filter { ["spf", "dmarc", "dkim", "mtasts", "tlsrpt", "bimi"].contains(String($0.id.split(separator: ".")[0])) }.count >= 45)
    }
}
