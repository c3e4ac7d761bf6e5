import DNSWire
import Foundation
import MailCore
import MailWire
import Testing
@testable import Diagnosis

/// HTTP answers by URL; everything else is a connect failure.
struct FakeHTTP: HTTPFetching {
    var pages: [String: (Int, String)] = [:]

    func fetch(_ r: HTTPFetchRequest, timeout: Duration) async -> HTTPFetchResponse {
        let key = (r.method == "POST" ? "POST " : "") + r.url.split(separator: "?").first.map(String.init)!
        guard let (status, body) = pages[key] else { return HTTPFetchResponse(error: "connection refused") }
        return HTTPFetchResponse(address: "192.0.2.80", status: status, contentType: "application/xml", body: Array(body.utf8))
    }
}

/// A mail server as the probes would see it: per "address:port" a state; open ports speak
/// their protocol with TLS (implicit on 465/993/995, STARTTLS elsewhere unless `noSTARTTLS`)
/// and offer AUTH PLAIN after TLS.
struct MailFakeProber: PortProbing {
    var closed: Set<String> = []
    var noSTARTTLS: Set<String> = []
    var noAuth: Set<String> = []

    func probe(_ targets: [ProbeAddress], ports: [Int], timeout: Duration) async -> [PortObservation] {
        var out: [PortObservation] = []
        for t in targets {
            for p in ports {
                let key = "\(t.address):\(p)"
                let service = MailService.forPort(p)
                var o = PortObservation(address: t.address, host: t.host, port: p, service: service,
                                        connect: ConnectObservation(state: closed.contains(key) ? .refused : .open, milliseconds: 1),
                                        transcript: Transcript(label: key))
                guard !closed.contains(key) else { out.append(o); continue }
                o.outcome = .completed
                let tlsUp = service.implicitTLS || !noSTARTTLS.contains(key)
                if tlsUp {
                    var tls = TLSObservation(mode: service.implicitTLS ? .implicit : .startTLS)
                    tls.version = "TLSv1.3"; tls.chainVerified = true; tls.nameMatches = true
                    o.tls = tls
                }
                let auth = noAuth.contains(key) ? [] : ["AUTH PLAIN LOGIN"]
                switch service.mailProtocol {
                case .smtp:
                    var s = SMTPObservation()
                    let before = ["mx"] + (service.implicitTLS ? auth : (noSTARTTLS.contains(key) ? [] : ["STARTTLS"]))
                    s.capabilitiesBefore = SMTPCapabilities(ehloReply: SMTPReply(code: 250, lines: before))
                    if tlsUp && !service.implicitTLS { s.capabilitiesAfter = SMTPCapabilities(ehloReply: SMTPReply(code: 250, lines: ["mx"] + auth)) }
                    o.smtp = s
                case .imap:
                    var s = IMAPObservation()
                    let a = noAuth.contains(key) ? ["LOGINDISABLED"] : ["AUTH=PLAIN"]
                    s.capabilitiesBefore = IMAPCapabilities(atoms: ["IMAP4rev1"] + (service.implicitTLS ? a : (noSTARTTLS.contains(key) ? [] : ["STARTTLS", "LOGINDISABLED"])))
                    if tlsUp && !service.implicitTLS { s.capabilitiesAfter = IMAPCapabilities(atoms: ["IMAP4rev1"] + a) }
                    o.imap = s
                case .pop3:
                    var s = POP3Observation()
                    s.capabilitiesBefore = POP3Capabilities(lines: service.implicitTLS ? ["USER", "SASL PLAIN"] : ["STLS"])
                    if tlsUp && !service.implicitTLS { s.capabilitiesAfter = POP3Capabilities(lines: ["USER", "SASL PLAIN"]) }
                    o.pop3 = s
                case .none: break
                }
                out.append(o)
            }
        }
        return out
    }
}

struct FakeLogin: ClientLoginTesting {
    var password = "secret"
    func login(_ c: ClientCandidate, address: String, user: String, password: String, timeout: Duration) async -> ClientLoginResult {
        ClientLoginResult(status: password == self.password ? "authenticated" : "rejected", user: user, mechanism: "PLAIN", milliseconds: 1)
    }
}

/// `example.test` publishing SRV for imaps (mail.example.test:993) and submission
/// (mail.example.test:587), plus autoconfig with imaps and smtps on the same host.
func clientWorld(extra: (inout InMemoryDNSResolver.Zone) -> Void = { _ in }) -> InMemoryDNSResolver {
    var z = InMemoryDNSResolver.Zone()
    z.add(dn("example.test"), .mx(MXRecord(preference: 10, exchange: dn("mx1.example.test"))))
    z.add(dn("mx1.example.test"), .a(ip("192.0.2.1")))
    z.add(dn("mail.example.test"), .a(ip("192.0.2.10")))
    z.add(dn("autoconfig.example.test"), .a(ip("192.0.2.80")))
    z.add(dn("_imaps._tcp.example.test"), .srv(SRVRecord(priority: 0, weight: 1, port: 993, target: dn("mail.example.test"))))
    z.add(dn("_submission._tcp.example.test"), .srv(SRVRecord(priority: 0, weight: 1, port: 587, target: dn("mail.example.test"))))
    z.add(dn("_pop3._tcp.example.test"), .srv(SRVRecord(priority: 0, weight: 0, port: 0, target: .root)))
    extra(&z)
    return InMemoryDNSResolver(zone: z)
}

let autoconfigXML = """
<clientConfig version="1.1"><emailProvider id="example.test">
<incomingServer type="imap"><hostname>mail.example.test</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username></incomingServer>
<outgoingServer type="smtp"><hostname>mail.example.test</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username></outgoingServer>
</emailProvider></clientConfig>
"""

@Suite("Client settings: discovery, confirmation, login")
struct ClientLocateTests {
    let http = FakeHTTP(pages: ["https://autoconfig.example.test/mail/config-v1.1.xml": (200, autoconfigXML)])

    func locate(_ resolver: InMemoryDNSResolver, prober: MailFakeProber = MailFakeProber(), password: String? = nil,
                http: FakeHTTP? = nil) async -> ClientLocateResult {
        let g = await ClientDiscovery(resolver: resolver, fetcher: http ?? self.http).run(email: "alice@example.test", domain: dn("example.test"))
        return await ClientConfirmation(resolver: resolver, prober: prober, loginTester: FakeLogin())
            .run(g, email: "alice@example.test", domain: dn("example.test"), password: password, deadline: .now + .seconds(10))
    }

    @Test func srvAndAutoconfigMergeAndConfirm() async {
        let r = await locate(clientWorld())
        let imap = r.recommended.first { $0.candidate.service == .imap }
        #expect(imap?.candidate.label == "imap mail.example.test:993 ssl")
        #expect(Set(imap?.candidate.sources.map(\.kind) ?? []) == [.srv, .autoconfig])
        #expect(imap?.probe.status == .confirmed)
        // RFC 8314 §3: implicit TLS (465) ranks before STARTTLS (587) when both are confirmed.
        #expect(r.recommended.first { $0.candidate.service == .smtp }?.candidate.port == 465)
        #expect(!r.candidates.contains { $0.candidate.service == .pop3 && $0.candidate.sources.contains { $0.kind == .srv } }, "SRV target \".\" offers nothing")
        #expect(r.findings.isEmpty, "\(r.findings.map(\.id))")
        #expect(!r.loginTried)
        #expect(r.missing.isEmpty)
    }

    @Test func loginDecidesWhatIsRecommended() async {
        let ok = await locate(clientWorld(), password: "secret")
        #expect(ok.loginTried)
        #expect(ok.recommended.allSatisfy { $0.login?.succeeded == true })
        // IMAP and SMTP as published; POP3 from a guessed name (mail.example.test), as no source named it.
        #expect(ok.recommended.map(\.candidate.service) == [.imap, .pop3, .smtp])
        #expect(ok.recommended.first { $0.candidate.service == .pop3 }?.candidate.sources.map(\.kind) == [.guess])
        let bad = await locate(clientWorld(), password: "wrong")
        #expect(bad.recommended.isEmpty)
        #expect(bad.findings.contains { $0.id == "client.login.failed" })
    }

    @Test func publishedSettingsTheProbeContradicts() async {
        // SRV says submission on 587; nothing listens there. Autoconfig says IMAP SSL on 143.
        let xml = autoconfigXML.replacingOccurrences(of: "<port>993</port><socketType>SSL", with: "<port>143</port><socketType>SSL")
        let r = await locate(clientWorld(), prober: MailFakeProber(closed: ["192.0.2.10:587"]),
                             http: FakeHTTP(pages: ["https://autoconfig.example.test/mail/config-v1.1.xml": (200, xml)]))
        let byID = Dictionary(grouping: r.findings, by: \.id)
        #expect(byID["client.config.unreachable"]?.first?.subject == "mail.example.test:587")
        #expect(byID["client.config.security-mismatch"]?.first?.subject == "mail.example.test:143")
        for f in r.findings { #expect(!f.evidenceIDs.isEmpty, "\(f.id) has no evidence") }
        #expect(r.findings.allSatisfy { f in f.evidenceIDs.allSatisfy { id in r.evidence.contains { $0.id == id } } })
    }

    @Test func plaintextAndNoAuthAreFindings() async {
        let xml = autoconfigXML.replacingOccurrences(of: "<port>465</port><socketType>SSL", with: "<port>587</port><socketType>plain")
        let r = await locate(clientWorld(), prober: MailFakeProber(noAuth: ["192.0.2.10:993"]),
                             http: FakeHTTP(pages: ["https://autoconfig.example.test/mail/config-v1.1.xml": (200, xml)]))
        #expect(r.findings.contains { $0.id == "client.config.plaintext" })
        #expect(r.findings.contains { $0.id == "client.config.no-auth" && $0.subject == "mail.example.test:993" })
    }

    @Test func invalidDocumentIsAFinding() async {
        let r = await locate(clientWorld(), http: FakeHTTP(pages: ["https://autoconfig.example.test/mail/config-v1.1.xml": (200, "<clientConfig><oops>")]))
        #expect(r.findings.contains { $0.id == "client.config.invalid" })
    }

    @Test func autodiscoverAndGuessesFillTheGaps() async {
        // No SRV, no autoconfig: Autodiscover names IMAP; SMTP comes from a guessed name.
        var z = InMemoryDNSResolver.Zone()
        z.add(dn("example.test"), .mx(MXRecord(preference: 10, exchange: dn("mx1.example.test"))))
        z.add(dn("autodiscover.example.test"), .a(ip("192.0.2.81")))
        z.add(dn("mail.example.test"), .a(ip("192.0.2.10")))
        z.add(dn("smtp.example.test"), .a(ip("192.0.2.11")))
        let ad = "<Autodiscover><Response><Account><Protocol><Type>IMAP</Type><Server>mail.example.test</Server><Port>993</Port><SSL>on</SSL></Protocol></Account></Response></Autodiscover>"
        let r = await locate(InMemoryDNSResolver(zone: z),
                             http: FakeHTTP(pages: ["POST https://autodiscover.example.test/autodiscover/autodiscover.xml": (200, ad)]))
        #expect(r.recommended.first { $0.candidate.service == .imap }?.candidate.sources.first?.kind == .autodiscover)
        let smtp = r.recommended.first { $0.candidate.service == .smtp }
        #expect(smtp?.candidate.host == "smtp.example.test")
        #expect(smtp?.candidate.sources.first?.kind == .guess)
    }

    @Test func providerCatalogByMX() async {
        var z = InMemoryDNSResolver.Zone()
        z.add(dn("example.test"), .mx(MXRecord(preference: 0, exchange: dn("example-test.mail.protection.outlook.com"))))
        z.add(dn("outlook.office365.com"), .a(ip("192.0.2.20")))
        z.add(dn("smtp.office365.com"), .a(ip("192.0.2.21")))
        let r = await locate(InMemoryDNSResolver(zone: z), http: FakeHTTP())
        #expect(r.recommended.contains { $0.candidate.host == "outlook.office365.com" && $0.candidate.sources.first?.kind == .provider })
        #expect(r.recommended.contains { $0.candidate.host == "smtp.office365.com" && $0.candidate.port == 587 })
    }

    @Test func engineChecksPublishedSettingsAgainstProbes() async {
        let resolver = clientWorld()
        var o = CheckOptions()
        o.timeout = .seconds(10)
        o.symptom = .client
        var engine = CheckEngine(resolver: resolver, prober: MailFakeProber(closed: ["192.0.2.10:587"]), scanner: nil, fetcher: nil,
                                 options: o, now: { Date(timeIntervalSince1970: 1_800_000_000) })
        engine.clientFetcher = http
        let r = await engine.run(try! CheckTarget.parse("example.test"))
        let stage = r.stages.first { $0.name == Stage.clientConfig }
        #expect(stage?.status == .completed)
        #expect(stage?.detail.contains("published settings") == true)
        #expect(r.findings.contains { $0.id == "client.config.unreachable" && $0.subject == "mail.example.test:587" })
        #expect(r.topRootCause?.id == "client.config.wrong", "\(r.faultTree.flatMap(\.rootCauses).map(\.id))")
        // Without a fetcher the stage does not appear at all.
        let plain = await CheckEngine(resolver: resolver, prober: MailFakeProber(), scanner: nil, fetcher: nil, options: o).run(try! CheckTarget.parse("example.test"))
        #expect(!plain.stages.contains { $0.name == Stage.clientConfig })
    }
}
