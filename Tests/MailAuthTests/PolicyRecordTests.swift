import DNSWire
import MailAuth
import MailCore
import Testing

@Suite struct DMARCTests {
    static let psl = PublicSuffixList(text: "// test list\ncom\nco.uk\n*.ck\n!www.ck\nexample\n")

    @Test func organisationalDomainFollowsTheList() throws {
        #expect(Self.psl.organizationalDomain(of: try DomainName("a.b.example.com"))?.description == "example.com")
        #expect(Self.psl.organizationalDomain(of: try DomainName("mail.shop.co.uk"))?.description == "shop.co.uk")
        #expect(Self.psl.organizationalDomain(of: try DomainName("a.b.foo.ck"))?.description == "b.foo.ck")
        #expect(Self.psl.organizationalDomain(of: try DomainName("a.www.ck"))?.description == "www.ck")
        #expect(Self.psl.organizationalDomain(of: try DomainName("co.uk")) == nil)
        #expect(Self.psl.organizationalDomain(of: try DomainName("x.unlisted"))?.description == "x.unlisted")
    }

    @Test func systemListLoadsOrSaysHowToInstall() {
        do {
            let l = try PublicSuffixList.load()
            #expect(l.organizationalDomain(of: try! DomainName("a.b.example.co.uk"))?.description == "example.co.uk")
        } catch {
            #expect(error.description.contains("publicsuffix"))
        }
        #expect(throws: PublicSuffixList.LoadError.self) { try PublicSuffixList.load(path: "/nonexistent/psl.dat") }
    }

    @Test func validRecordParses() throws {
        let r = try DMARCRecord.parse("v=DMARC1; p=reject; sp=quarantine; pct=50; adkim=s; aspf=r; fo=1:d; rua=mailto:d@example.com!10m, mailto:x@example.net; ri=3600")
        #expect(r.policy == .reject && r.subdomainPolicy == .quarantine && r.percent == 50 && r.strictDKIM && !r.strictSPF)
        #expect(r.rua.map(\.mailDomain) == ["example.com", "example.net"])
        #expect(r.errors.isEmpty)
    }

    /// The lab's broken record: every fault reported with its position.
    @Test func brokenRecordReportsEachFault() throws {
        let text = "v=DMARC1; p=rejectt; pct=150; rua=dmarc-reports.broken.lab.test"
        let r = try DMARCRecord.parse(text)
        #expect(r.errors.compactMap(\.tag).sorted() == ["p", "pct", "rua"])
        #expect(r.errors.first { $0.tag == "p" }?.position == 10)
        #expect(!r.isUsable)
    }

    @Test func notDMARCIsASyntaxError() {
        #expect(throws: DMARCRecord.SyntaxError.self) { try DMARCRecord.parse("p=reject; v=DMARC1") }
        #expect(throws: DMARCRecord.SyntaxError.self) { try DMARCRecord.parse("v=DMARC1; p") }
    }

    @Test func rfc9989Differences() throws {
        let r = try DMARCRecord.parse("v=DMARC1; rua=mailto:a@example.com; t=y; np=reject; pct=20", spec: .rfc9989)
        #expect(r.policy == DMARCPolicy.none && r.testing && r.nonexistentPolicy == .reject)
        #expect(r.issues.contains { $0.tag == "pct" && $0.rfc.number == 9989 })
        let old = try DMARCRecord.parse("v=DMARC1; rua=mailto:a@example.com")
        #expect(old.policy == nil && old.effectivePolicy == DMARCPolicy.none)
    }

    @Test func discoveryFallsBackToOrganisationalDomainAndChecksExternalDestinations() async throws {
        var zone = InMemoryDNSResolver.Zone()
        zone.add(try DomainName("_dmarc.example.com"), .txt(TXTRecord(["v=DMARC1; p=quarantine; rua=mailto:r@reports.example.net,mailto:x@other.example.org"])))
        zone.add(try DomainName("example.com._report._dmarc.reports.example.net"), .txt(TXTRecord(["v=DMARC1"])))
        let lookup = DMARCLookup(resolver: InMemoryDNSResolver(zone: zone), suffixes: Self.psl)
        let d = await lookup.discover(try DomainName("mail.sub.example.com"))
        #expect(d.status == .found)
        #expect(d.recordName?.description == "_dmarc.example.com")
        #expect(d.externalDestinations.map(\.authorized) == [true, false])
        #expect(d.policyStrength == "quarantine")
        let none = await lookup.discover(try DomainName("nothing.example"))
        #expect(none.status == .none)
    }

    @Test func discoveryTemperror() async throws {
        var zone = InMemoryDNSResolver.Zone()
        zone.fail(try DomainName("_dmarc.example.com"), with: .servfail)
        let d = await DMARCLookup(resolver: InMemoryDNSResolver(zone: zone), suffixes: Self.psl).discover(try DomainName("example.com"))
        #expect(d.status == .temperror)
    }
}

@Suite struct MTASTSTests {
    struct FakeFetcher: MTASTSPolicyFetcher {
        let body: String
        func fetchPolicy(for domain: DomainName) async -> MTASTSFetchResult {
            MTASTSFetchResult(url: "https://mta-sts.\(domain)/.well-known/mta-sts.txt", status: 200, contentType: "text/plain", body: Array(body.utf8))
        }
    }

    @Test func policyParsesAndMatchesWildcardsOneLabelDeep() throws {
        let p = try MTASTSPolicy.parse("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n")
        #expect(p.mode == .enforce && p.maxAge == 604800)
        #expect(p.covers(try DomainName("mail.example.com")))
        #expect(p.covers(try DomainName("mx1.example.net")))
        #expect(!p.covers(try DomainName("a.b.example.net")))
        #expect(!p.covers(try DomainName("example.net")))
    }

    @Test func invalidPoliciesAreTypedErrors() {
        #expect(throws: MTASTSPolicy.SyntaxError.self) { try MTASTSPolicy.parse("version: STSv1\nmode: enforce\nmax_age: 1") }
        #expect(throws: MTASTSPolicy.SyntaxError.self) { try MTASTSPolicy.parse("version: STSv1\nmode: enforce\nmx: a.b\nmax_age: 31557601") }
        #expect(throws: MTASTSPolicy.SyntaxError.self) { try MTASTSPolicy.parse("version: STSv1\nmode: strict\nmx: a.b\nmax_age: 1") }
        #expect(throws: MTASTSRecord.SyntaxError.self) { try MTASTSRecord.parse("v=STSv1; id=bad-id!") }
        #expect(throws: MTASTSRecord.SyntaxError.self) { try MTASTSRecord.parse("v=STSv1;") }
    }

    @Test func lookupReportsUncoveredMXHosts() async throws {
        var zone = InMemoryDNSResolver.Zone()
        zone.add(try DomainName("_mta-sts.example.com"), .txt(TXTRecord(["v=STSv1; id=20240101;"])))
        let fetcher = FakeFetcher(body: "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmax_age: 86400\n")
        let c = await MTASTSLookup(resolver: InMemoryDNSResolver(zone: zone), fetcher: fetcher)
            .check(try DomainName("example.com"), mxHosts: [try DomainName("mx1.example.com"), try DomainName("mx2.example.com")])
        #expect(c.status == .valid)
        #expect(c.uncoveredMX.map(\.description) == ["mx2.example.com"])
    }

    @Test func tlsrptAndBIMIRecords() throws {
        let t = try TLSRPTRecord.parse("v=TLSRPTv1; rua=mailto:tls@example.com,https://r.example.com/tlsrpt")
        #expect(t.rua.count == 2)
        #expect(throws: TLSRPTRecord.SyntaxError.self) { try TLSRPTRecord.parse("v=TLSRPTv1; rua=ftp://x") }
        let b = try BIMIRecord.parse("v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem")
        #expect(b.location == "https://example.com/logo.svg" && !b.isDeclination)
        #expect(try BIMIRecord.parse("v=BIMI1; l=; a=;").isDeclination)
        #expect(throws: BIMIRecord.SyntaxError.self) { try BIMIRecord.parse("v=BIMI1; l=http://example.com/logo.svg") }
    }
}

@Suite struct SPFUnitTests {
    @Test func syntaxErrorsCarryPositions() {
        do { _ = try SPFRecord.parse("v=spf1 a:example.com foo:bar -all"); Issue.record("no error") } catch {
            #expect(error.position == 21)
        }
        #expect(throws: SPFSyntaxError.self) { try SPFRecord.parse("v=spf1 ip4:192.0.2.1/33") }
        #expect(throws: SPFSyntaxError.self) { try SPFRecord.parse("v=spf1 redirect=a.example redirect=b.example") }
        #expect(throws: SPFSyntaxError.self) { try SPFRecord.parse("v=spf1 include:%{z}.example.com") }
    }

    @Test func lintFindsRiskyTerms() {
        let kinds = SPFLint.lint("v=spf1 ptr +all").map(\.kind)
        #expect(kinds.contains(.ptr) && kinds.contains(.passAll))
        #expect(SPFLint.lint("v=spf1 ?all").map(\.kind) == [.neutralAll])
        let long = "v=spf1 " + Array(repeating: "ip4:192.0.2.1", count: 40).joined(separator: " ") + " -all"
        #expect(SPFLint.lint(long).map(\.kind).contains(.recordTooLong))
        #expect(SPFLint.lint("v=spf1 -all", strings: [Array(repeating: 0x61, count: 256)]).map(\.kind) == [.stringTooLong])
    }

    /// The lab's broken.lab.test shape: 2 includes + 10 terms = 12 lookups → permerror.
    @Test func lookupLimitOverflowIsPermerrorWithTrace() async throws {
        var zone = InMemoryDNSResolver.Zone()
        zone.add(try DomainName("example.com"), .txt(TXTRecord(["v=spf1 include:_a.example.com include:_b.example.com -all"])))
        zone.add(try DomainName("_a.example.com"), .txt(TXTRecord(["v=spf1 a mx a:h1.example.com a:h2.example.com a:h3.example.com ~all"])))
        zone.add(try DomainName("_b.example.com"), .txt(TXTRecord(["v=spf1 a:h4.example.com a:h5.example.com a:h6.example.com mx:example.org a:h7.example.com ~all"])))
        for h in 1...7 { zone.add(try DomainName("h\(h).example.com"), .a(IPAddress("192.0.2.\(h)")!)) }
        let resolver = InMemoryDNSResolver(zone: zone)
        let e = await SPFEvaluator(resolver: resolver).checkHost(SPFRequest(ip: IPAddress("198.51.100.1")!, sender: "a@example.com"))
        #expect(e.result == .permerror)
        #expect(e.lookupCount == 11)
        #expect(e.problem?.contains("RFC 7208 §4.6.4") == true)
        let audit = await SPFLint.audit(try DomainName("example.com"), resolver: resolver)
        #expect(audit.lookupsUsed == 12)
        #expect(audit.issues.map(\.kind).contains(.tooManyLookups))
    }

    @Test func passNamesTheMatchingTerm() async throws {
        var zone = InMemoryDNSResolver.Zone()
        zone.add(try DomainName("example.com"), .txt(TXTRecord(["v=spf1 ip4:192.0.2.0/24 -all"])))
        let e = await SPFEvaluator(resolver: InMemoryDNSResolver(zone: zone)).checkHost(SPFRequest(ip: IPAddress("192.0.2.9")!, sender: "a@example.com"))
        #expect(e.result == .pass && e.matchedTerm == "ip4:192.0.2.0/24")
        #expect(e.trace.contains { $0.kind == .record })
    }
}

@Suite struct WriterTests {
    @Test func writersRoundTrip() throws {
        let spf = try SPFRecord.parse("v=spf1  ip4:192.0.2.0/24   include:_spf.example.com -all ")
        #expect(spf.normalized == "v=spf1 ip4:192.0.2.0/24 include:_spf.example.com -all")
        #expect(try SPFRecord.parse(spf.normalized).terms.map(\.kind) == spf.terms.map(\.kind))
        let dmarc = DMARCRecord.write(policy: .reject, subdomainPolicy: .quarantine, percent: 50, rua: ["mailto:d@example.com"], strictAlignment: true)
        let back = try DMARCRecord.parse(dmarc)
        #expect(back.policy == .reject && back.subdomainPolicy == .quarantine && back.percent == 50 && back.strictDKIM && back.errors.isEmpty)
        let p = MTASTSPolicy(mode: .enforce, mx: ["mx1.example.com", "*.example.net"], maxAge: 86400)
        #expect(try MTASTSPolicy.parse(p.text) == p)
    }
}
