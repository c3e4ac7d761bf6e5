import Diagnosis
import DNSClient
import DNSWire
import Foundation
import LabSupport
import MailCore
import MXRayCLI
import Testing

/// `mxray locate` against the lab: good.lab.test publishes SRV records, autoconfig (nginx) and
/// Autodiscover; the settings found must be the lab's real ones, and logging in with them (the
/// `login` code) must succeed.
@Suite("mxray locate against the lab", .serialized)
struct LocateLabTests {
    static func locator(_ lab: LabEnvironment) throws -> LocateWiring.Locator {
        let server = try #require(DNSServerAddress(parsing: lab.resolver))
        return try LocateWiring.locator(LocateWiring.Settings(
            resolver: ResolverConfiguration(servers: [server], timeout: .seconds(2), attempts: 2, source: "lab"), caFile: lab.caFile))
    }

    @Test("alice@good.lab.test: the lab's settings, from SRV, autoconfig and Autodiscover, and the logins succeed")
    func good() async throws {
        let lab = try LabEnvironment.require()
        let email = try EmailAddress(lab.user)
        let r = try #require(await Self.locator(lab).run(email: email, password: lab.password, timeout: .seconds(60)))
        let summary = r.candidates.map { "\($0.candidate.label) \($0.probe.status.rawValue) \($0.login?.status ?? "-")" }
        let imap = try #require(r.recommended.first { $0.candidate.service == .imap }, "\(summary)")
        #expect(imap.candidate.host == "mx1.good.lab.test" && imap.candidate.port == 993 && imap.candidate.security == .ssl)
        #expect(Set(imap.candidate.sources.map(\.kind)) == [.srv, .autoconfig, .autodiscover], "\(imap.candidate.sources)")
        #expect(imap.login?.succeeded == true, "\(String(describing: imap.login))")
        let smtp = try #require(r.recommended.first { $0.candidate.service == .smtp }, "\(summary)")
        #expect(smtp.candidate.host == "mx1.good.lab.test" && smtp.candidate.port == 465 && smtp.candidate.security == .ssl)
        #expect(smtp.login?.succeeded == true)
        let pop3 = try #require(r.recommended.first { $0.candidate.service == .pop3 })
        #expect(pop3.candidate.port == 995)
        // Every published candidate of the lab is real: 143/110/587 with STARTTLS confirmed too.
        for c in r.candidates where c.candidate.sources.contains(where: { $0.kind.published }) {
            #expect(c.probe.status == .confirmed, "\(c.candidate.label): \(c.probe.detail)")
        }
        #expect(r.findings.isEmpty, "\(r.findings.map { "\($0.id): \($0.detail)" })")
        #expect(r.candidates.contains { $0.candidate.label == "smtp mx1.good.lab.test:587 starttls" && $0.candidate.sources.contains { $0.kind == .autodiscover } })

        // An independent login with the located settings, through the same code as `mxray login`.
        let tester = try LocateWiring.loginTester(caFile: lab.caFile)
        let again = await tester.login(smtp.candidate, address: try #require(smtp.probe.address),
                                                            user: smtp.candidate.username ?? lab.user, password: lab.password, timeout: .seconds(30))
        #expect(again.succeeded, "\(again)")
    }

    @Test("a wrong password: no setting is recommended and the login failure is a finding")
    func wrongPassword() async throws {
        let lab = try LabEnvironment.require()
        let r = try #require(await Self.locator(lab).run(email: try EmailAddress(lab.user), password: lab.password + "x", timeout: .seconds(60)))
        #expect(r.recommended.isEmpty)
        #expect(r.findings.contains { $0.id == "client.login.failed" })
    }

    @Test("weak.lab.test publishes nothing: guesses find nothing, exit 1; usage errors exit 2")
    func cli() async throws {
        let lab = try LabEnvironment.require()
        #expect(await MXRayMain.run(["locate", "bob@weak.lab.test", "--resolver", lab.resolver, "--ca-file", lab.caFile, "--no-login"]) == 1)
        #expect(await MXRayMain.run(["locate", "not-an-address"]) == 2)
        // Nothing answers DNS on this loopback port: could not run.
        #expect(await MXRayMain.run(["locate", lab.user, "--resolver", "127.0.10.54:5999", "--no-login", "--timeout", "10"]) == 3)
        #expect(await MXRayMain.run(["locate", lab.user, "--format", "yaml"]) == 2)
        #expect(await MXRayMain.run(["locate", lab.user, "--resolver", lab.resolver, "--ca-file", lab.caFile, "--no-login", "--format", "json"]) == 0)
    }
}
