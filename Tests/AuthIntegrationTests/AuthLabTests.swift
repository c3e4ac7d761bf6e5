import Diagnosis
import DNSClient
import DNSWire
import Foundation
import LabSupport
import MailAuth
import MailCore
@testable import MXRayCLI
import Probes
import Reporting
import Testing
import Wiring

/// The auth stage, `mxray spf` and the HTTPS policy fetcher against the lab (Knot + Unbound +
/// nginx on loopback). Fails, never skips, when the lab is down.
@Suite(.serialized) struct AuthLabTests {
    static func resolver(_ lab: LabEnvironment) throws -> NetworkDNSResolver {
        let server = try #require(DNSServerAddress(parsing: lab.resolver), "MXRAY_LAB_RESOLVER is not an address")
        return NetworkDNSResolver(configuration: ResolverConfiguration(servers: [server], timeout: .seconds(2), attempts: 2, source: "lab"))
    }

    static func stage(_ lab: LabEnvironment) throws -> AuthStage {
        let r = try resolver(lab)
        return AuthStage(resolver: r, fetcher: HTTPSMTASTSFetcher(resolver: r, caFile: lab.caFile, timeout: .seconds(5)))
    }

    static func ids(_ r: AuthResult) -> Set<String> { Set(r.findings.map(\.id)) }

    @Test func spfResultsForLabSenders() async throws {
        let lab = try LabEnvironment.require()
        let spf = SPFEvaluator(resolver: try Self.resolver(lab))
        func check(_ domain: String, _ ip: String) async -> SPFEvaluation {
            await spf.checkHost(SPFRequest(ip: IPAddress(ip)!, sender: "postmaster@\(domain)", helo: domain))
        }
        let good = await check("good.lab.test", try lab.address("GOOD_MX1"))
        #expect(good.result == .pass && good.matchedTerm == "ip4:127.0.20.0/24")
        #expect(await check("good.lab.test", try lab.address("WEAK_MX")).result == .fail)
        #expect(await check("weak.lab.test", try lab.address("WEAK_MX")).result == .pass)
        #expect(await check("weak.lab.test", "192.0.2.1").result == .softfail)
        let broken = await check("broken.lab.test", "192.0.2.1")
        #expect(broken.result == .permerror)
        #expect(broken.problem?.contains("limit") == true)
        #expect(await check("nullmx.lab.test", "192.0.2.1").result == .fail)
        #expect(!good.dnsTraces.isEmpty && good.dnsTraces.allSatisfy { $0.server.hasPrefix(lab.resolver) })
    }

    @Test func goodPassesEveryCheck() async throws {
        let lab = try LabEnvironment.require()
        let r = try await Self.stage(lab).run(try DomainName("good.lab.test"))
        let bad = r.findings.filter { $0.severity >= .notice && $0.id != "dkim.key.weak" }
        #expect(bad.isEmpty, "\(bad.map { "\($0.id): \($0.detail)" })")
        #expect(Self.ids(r).isSuperset(of: ["spf.ok", "dmarc.ok", "dkim.ok", "mtasts.ok", "tlsrpt.ok"]), "\(Self.ids(r))")
        #expect(r.mtaSTS.mode == "enforce" && r.mtaSTS.uncoveredMX.isEmpty && r.mtaSTS.httpStatus == 200)
        #expect(r.dkim.keys.contains { $0.selector == "sel1" && $0.keyType == "rsa" && ($0.keySize ?? 0) >= 1024 })
        #expect(r.dmarc.policy == "reject")
        let text = AuthReportRenderer.text(r)
        #expect(text.contains("MTA-STS:  valid"))
        let json = try AuthReportRenderer.json(r)
        #expect(json.contains("\"schema\" : \"mxray.auth/1\""))
    }

    @Test func weakShowsSoftfailAndMonitoringDMARC() async throws {
        let lab = try LabEnvironment.require()
        let r = try await Self.stage(lab).run(try DomainName("weak.lab.test"))
        let ids = Self.ids(r)
        #expect(ids.isSuperset(of: ["spf.all.softfail", "dmarc.policy.none", "dmarc.rua.missing", "mtasts.missing", "tlsrpt.missing"]), "\(ids)")
        #expect(r.dmarc.policy == "none" && r.dmarc.rua.isEmpty)
        #expect(r.spf.defaultResult == "softfail")
    }

    @Test func brokenShowsEachPlantedFault() async throws {
        let lab = try LabEnvironment.require()
        let r = try await Self.stage(lab).run(try DomainName("broken.lab.test"))
        let ids = Self.ids(r)
        #expect(ids.contains("spf.lookups.exceeded"), "\(ids)")
        #expect(r.spf.lookupsUsed == 12)
        #expect(r.spf.defaultResult == "permerror")
        let tagErrors = r.findings.filter { $0.id == "dmarc.tag.invalid" }.map(\.detail)
        #expect(tagErrors.count == 3, "\(tagErrors)")
        #expect(tagErrors.contains { $0.contains("(p=)") } && tagErrors.contains { $0.contains("(pct=)") } && tagErrors.contains { $0.contains("(rua=)") })
        #expect(ids.contains("mtasts.mx.uncovered"))
        #expect(Set(r.mtaSTS.uncoveredMX).isSuperset(of: ["mx-alias.broken.lab.test", "mx-closed.broken.lab.test", "relay.broken.lab.test"]), "\(r.mtaSTS.uncoveredMX)")
        #expect(r.findings.allSatisfy { !$0.evidenceIDs.isEmpty })
    }

    @Test func fetcherValidatesCertificatesAndCapsSize() async throws {
        let lab = try LabEnvironment.require()
        let r = try Self.resolver(lab)
        let trusted = HTTPSPolicyFetcher(caFile: lab.caFile, timeout: .seconds(5), resolveAddresses: HTTPSPolicyFetcher.addresses(via: r))
        let ok = await trusted.fetch(host: try DomainName("mta-sts.good.lab.test"), path: "/.well-known/mta-sts.txt")
        #expect(ok.status == 200 && ok.error == nil, "\(ok.error ?? "")")
        #expect(String(decoding: ok.body, as: UTF8.self).contains("mode: enforce"))
        #expect(ok.address == (try lab.address("WEB")))
        // System roots do not know the lab CA: the handshake must fail.
        let untrusted = HTTPSPolicyFetcher(caFile: nil, timeout: .seconds(5), resolveAddresses: HTTPSPolicyFetcher.addresses(via: r))
        let bad = await untrusted.fetch(host: try DomainName("mta-sts.good.lab.test"), path: "/.well-known/mta-sts.txt")
        #expect(bad.status == nil && bad.error != nil)
        let tiny = HTTPSPolicyFetcher(caFile: lab.caFile, timeout: .seconds(5), maxBytes: 10, resolveAddresses: HTTPSPolicyFetcher.addresses(via: r))
        let capped = await tiny.fetch(host: try DomainName("mta-sts.good.lab.test"), path: "/.well-known/mta-sts.txt")
        #expect(capped.error?.contains("larger than 10") == true)
        let missing = await trusted.fetch(host: try DomainName("mta-sts.weak.lab.test"), path: "/.well-known/mta-sts.txt")
        #expect(missing.error?.contains("no A or AAAA") == true)
        // A name the server's certificate does not carry: resolve it to nginx anyway; TLS must refuse.
        let web = try lab.address("WEB")
        let misdirected = HTTPSPolicyFetcher(caFile: lab.caFile, timeout: .seconds(5), resolveAddresses: { _ in [IPAddress(web)!] })
        let wrongName = await misdirected.fetch(host: try DomainName("mta-sts.weak.lab.test"), path: "/.well-known/mta-sts.txt")
        #expect(wrongName.status == nil && wrongName.error != nil, "\(wrongName)")
        // One attempt, the real reason: no retries until the deadline (AHC's default).
        #expect(bad.error?.contains("TLS failed") == true && bad.elapsedMilliseconds < 4000)
        #expect(wrongName.error?.contains("mta-sts.weak.lab.test") == true && wrongName.elapsedMilliseconds < 4000)
        let notFound = await trusted.fetch(host: try DomainName("autoconfig.good.lab.test"), path: "/.well-known/mta-sts.txt")
        #expect(notFound.status == 404 && notFound.error == nil)
    }

    @Test func spfCommandRunsAgainstTheLab() async throws {
        let lab = try LabEnvironment.require()
        let code = await MXRayMain.run(["spf", "good.lab.test", "--ip", try lab.address("GOOD_MX1"), "--resolver", lab.resolver, "--format", "json"])
        #expect(code == 0)
        #expect(await MXRayMain.run(["spf", "good.lab.test", "--ip", "not-an-ip"]) == 2)
        let r = try Self.resolver(lab)
        let req = SPFRequest(ip: IPAddress("127.0.30.1")!, sender: "x@good.lab.test", helo: "good.lab.test", domain: "good.lab.test")
        let json = try SPFReportRenderer.json(await SPFEvaluator(resolver: r).checkHost(req), request: req)
        #expect(json.contains("\"result\" : \"fail\""))
    }
}

