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

    /// Dovecot under `ALL:@SECLEVEL=0` with server preference picks DHE suites it cannot serve
    /// (no DH parameters) and drops the connection without an alert, which hides every suite it
    /// prefers less. Splitting the offer by key-exchange family must still find them; the sets
    /// were checked against one `openssl s_client -cipher X` per suite (8 and 29 suites).
    @Test func weakIMAPHidesSuitesBehindOnesItCannotServe() async throws {
        let lab = try LabEnvironment.require()
        var o = TLSScanOptions(host: "mx.weak.lab.test", address: try lab.address("WEAK_MX"), port: 143, starttls: .imap)
        o.fetchCertificate = false
        let r = await TLSScanner(options: o).scan()
        let v10 = Set(r.versions.first { $0.version == .tls10 }?.suites ?? [])
        let v12 = Set(r.versions.first { $0.version == .tls12 }?.suites ?? [])
        #expect(v10.isSuperset(of: [0xC014, 0xC013, 0xC019, 0x002F]))
        #expect(v12.isSuperset(of: [0xC030, 0xC02F, 0xC060, 0xCCA8, 0x009C]))
        #expect(v12.allSatisfy { CipherSuiteTraits(name: IANATables.suiteName($0)).keyExchange != "DHE" })
        #expect(v10.count == 8 && v12.count == 29)
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
