import DNSClient
import DNSWire
import Diagnosis
import Foundation
import LabSupport
import Probes
import Testing
import TLSWire

/// Scans of the lab's planted TLS setups (scripts/lab): good, weak, broken.
@Suite(.serialized) struct TLSLabTests {
    func scan(_ lab: LabEnvironment, host: String, address: String, port: Int, dane: Bool = false) async throws -> (TLSScanResult, TLSAssessment) {
        var o = TLSScanOptions(host: host, address: address, port: port, starttls: StartTLSProtocol.forPort(port))
        o.caFile = lab.caFile
        o.overallTimeout = .seconds(60)
        var r = await TLSScanner(options: o).scan()
        if dane {
            let server = try #require(DNSServerAddress(parsing: lab.resolver))
            let dns = NetworkDNSResolver(configuration: ResolverConfiguration(servers: [server], timeout: .seconds(2), attempts: 2, source: "test"))
            r.dane = await TLSDANECheck(resolver: dns).evaluate(host: host, port: port, certificate: r.certificate)
        }
        return (r, TLSAssessment(scan: r))
    }

    @Test func goodPortOffersOnlyStrongTLS() async throws {
        let lab = try LabEnvironment.require()
        let (r, a) = try await scan(lab, host: "mx1.good.lab.test", address: try lab.address("GOOD_MX1"), port: 25, dane: true)
        #expect(r.status == .completed)
        #expect(r.acceptedVersions == [.tls12, .tls13])
        let suites12 = r.versions.first { $0.version == .tls12 }?.suites ?? []
        #expect(!suites12.isEmpty)
        #expect(suites12.allSatisfy { CipherSuiteTraits(name: IANATables.suiteName($0)).isAEAD })
        #expect(a.parts.filter { $0.area == "suite" }.allSatisfy { $0.grade <= .sufficient })
        #expect(r.groups.contains(NamedGroup.x25519))
        let cert = try #require(r.certificate)
        #expect(cert.trusted && cert.nameMatches && !cert.incompleteChain)
        #expect(cert.nameOnlyInCommonName == false)
        #expect(cert.daysToExpiry > 0)
        let dane = try #require(r.dane)
        #expect(dane.authentic)
        #expect(dane.anyMatch)
        #expect(r.features.secureRenegotiation == true && r.features.compression == false)
        // Postfix's default 2048-bit DHE group is "phase-out" for NCSC-NL; nothing is insufficient.
        #expect(a.grade.map { $0 <= .phaseOut } == true)
        #expect(!a.findings.contains { $0.id == "tls.version.phase-out" || $0.id.hasPrefix("tls.cert.") })
    }

    @Test func weakPortAcceptsOldVersionsCBCAndSelfSigned() async throws {
        let lab = try LabEnvironment.require()
        let (r, a) = try await scan(lab, host: "mx.weak.lab.test", address: try lab.address("WEAK_MX"), port: 25)
        #expect(r.status == .completed)
        #expect(r.acceptedVersions.contains(.tls10) && r.acceptedVersions.contains(.tls11))
        let all = r.versions.flatMap(\.suites)
        #expect(all.contains { CipherSuiteTraits(name: IANATables.suiteName($0)).cipher.hasSuffix("_CBC") })
        #expect(r.certificate?.chain.first?.selfSigned == true)
        let ids = Set(a.findings.map(\.id))
        #expect(ids.contains("tls.version.phase-out"))
        #expect(ids.contains("tls.cert.self-signed"))
        // The lab's weak certificate names its host in the CN only (no subjectAltName): a match
        // for Postfix and Exim, none for MTA-STS senders (RFC 8461 §4.2).
        #expect(r.certificate?.nameMatches == true && r.certificate?.sans.isEmpty == true)
        #expect(ids.contains("tls.cert.name-cn-only") && !ids.contains("tls.cert.name-mismatch"))
        #expect(a.grade.map { $0 >= .phaseOut } == true)
    }

    @Test func brokenPortHasWrongNameAndTLSAMismatch() async throws {
        let lab = try LabEnvironment.require()
        let (r, a) = try await scan(lab, host: "mx-real.broken.lab.test", address: try lab.address("BROKEN_REAL"), port: 25, dane: true)
        #expect(r.status == .completed)
        #expect(r.certificate?.nameMatches == false)
        #expect(r.certificate?.sans.contains("wrong-name.example.net") == true)
        let dane = try #require(r.dane)
        #expect(!dane.records.isEmpty && !dane.anyMatch)
        let ids = Set(a.findings.map(\.id))
        #expect(ids.contains("tls.cert.name-mismatch"))
        #expect(ids.contains("tls.dane.mismatch"))
    }

    /// The weak Dovecot (`ALL:@SECLEVEL=0`, server preference, the lab's ffdhe2048 `ssl_dh`)
    /// serves DHE suites like any Dovecot with Debian's `ssl_dh`. A broken pick that hides suites
    /// (no DH parameters) is covered by `BrokenPeerTests`.
    @Test func weakIMAPServesDHESuitesInServerOrder() async throws {
        let lab = try LabEnvironment.require()
        var o = TLSScanOptions(host: "mx.weak.lab.test", address: try lab.address("WEAK_MX"), port: 143, starttls: .imap)
        o.fetchCertificate = false
        let r = await TLSScanner(options: o).scan()
        #expect(r.status == .completed)
        let v12 = try #require(r.versions.first { $0.version == .tls12 })
        #expect(v12.suites.contains { CipherSuiteTraits(name: IANATables.suiteName($0)).keyExchange == "DHE" })
        #expect(v12.suites.contains { CipherSuiteTraits(name: IANATables.suiteName($0)).keyExchange == "ECDHE" })
        #expect(v12.serverOrder == true)
        #expect(r.dhPrimeBits == 2048)
        #expect(r.acceptedVersions.contains(.tls10))
    }

    /// RFC 5746 §3.6 (renegotiation_info in the ServerHello), RFC 5077 §3.2 (session_ticket
    /// answered) and a session id (asked without the ticket extension, RFC 5077 §3.4). Checked
    /// by hand on 2026-11-29 with `openssl s_client -starttls smtp|imap -tls1_2 -reconnect`
    /// (both: "Secure Renegotiation IS supported", a ticket) and with `-no_ticket` (both: a
    /// session id). Postfix then resumes with the ticket; Dovecot (one login process per
    /// connection) resumes neither way: the scan reports what is offered, not a resumption.
    @Test func postfixAndDovecotAnswerRenegotiationInfoAndSessionTickets() async throws {
        let lab = try LabEnvironment.require()
        for port in [25, 143] {
            var o = TLSScanOptions(host: "mx1.good.lab.test", address: try lab.address("GOOD_MX1"), port: port, starttls: StartTLSProtocol.forPort(port))
            o.fetchCertificate = false
            let r = await TLSScanner(options: o).scan()
            #expect(r.status == .completed, "port \(port)")
            #expect(r.features.secureRenegotiation == true, "port \(port)")
            #expect(r.features.sessionTickets == true, "port \(port)")
            #expect(r.features.sessionIDs == true, "port \(port)")
            #expect(r.features.compression == false, "port \(port)")
        }
    }

    /// A real resumption attempt (`TLSResumptionProbe`): a full TLS 1.2 handshake, then a hello
    /// offering its ticket. Checked by hand on 2026-11-29 with `openssl s_client -tls1_2
    /// -reconnect`: Postfix resumes with its ticket; Dovecot (one login process per connection)
    /// resumes neither way.
    @Test func postfixResumesWithItsTicketAndDovecotDoesNot() async throws {
        let lab = try LabEnvironment.require()
        for (port, resumes) in [(25, true), (143, false)] {
            var o = TLSScanOptions(host: "mx1.good.lab.test", address: try lab.address("GOOD_MX1"), port: port, starttls: StartTLSProtocol.forPort(port))
            o.fetchCertificate = false
            let r = await TLSScanner(options: o).scan()
            #expect(r.status == .completed, "port \(port)")
            #expect(r.features.resumedWithTicket == resumes, "port \(port)")
        }
    }

    @Test func closedPortIsUnreachableNotNoTLS() async throws {
        let lab = try LabEnvironment.require()
        var o = TLSScanOptions(host: "mx-closed.broken.lab.test", address: try lab.address("BROKEN_CLOSED"), port: 25, starttls: .smtp)
        o.fetchCertificate = false
        let r = await TLSScanner(options: o).scan()
        #expect(r.status == .unreachable)
        #expect(TLSAssessment(scan: r).findings.map(\.id) == ["tls.could-not-test"])
    }
}
