import Diagnosis
import DNSWire
import MailAuth
import Testing
import TLSWire

/// Pure tests of the NCSC-NL grading, the assessment and DANE matching (no sockets).
@Suite struct GradingTests {
    @Test func versionAndSuiteGrades() {
        #expect(NCSCGuidelines.grade(version: .tls13) == .good)
        #expect(NCSCGuidelines.grade(version: .tls12) == .sufficient)
        #expect(NCSCGuidelines.grade(version: .tls10) == .phaseOut)
        #expect(NCSCGuidelines.grade(version: .ssl3) == .insufficient)
        #expect(NCSCGuidelines.grade(suite: 0x1301).0 == .good)
        #expect(NCSCGuidelines.grade(suite: 0xC02F).0 == .good)                  // ECDHE-RSA-AES128-GCM
        #expect(NCSCGuidelines.grade(suite: 0xC013).0 == .sufficient)            // ECDHE-RSA-AES128-CBC-SHA
        #expect(NCSCGuidelines.grade(suite: 0x009C).0 == .phaseOut)              // static RSA key exchange
        #expect(NCSCGuidelines.grade(suite: 0x000A).0 == .phaseOut)              // RSA + 3DES
        #expect(NCSCGuidelines.grade(suite: 0x0005).0 == .insufficient)          // RC4
        #expect(NCSCGuidelines.grade(suite: 0x0041).0 == .insufficient)          // Camellia: not listed
        #expect(NCSCGuidelines.grade(suite: 0xC018).1 == "no authentication")    // ECDH_anon
        #expect(NCSCGuidelines.grade(group: NamedGroup.x25519MLKEM768) == .good)
        #expect(NCSCGuidelines.grade(group: 0x0100) == .phaseOut)                // ffdhe2048
        #expect(NCSCGuidelines.grade(key: "RSA", bits: 2048) == .sufficient)
        #expect(NCSCGuidelines.grade(key: "RSA", bits: 1024) == .insufficient)
        #expect(NCSCGuidelines.grade(signature: "sha1WithRSAEncryption") == .insufficient)
    }

    func scan(suites12: [UInt16], groups: [UInt16]) -> TLSScanResult {
        var r = TLSScanResult(host: "mx.example", address: "192.0.2.1", port: 25, starttls: "smtp")
        var v12 = VersionResult(version: .tls12, accepted: true)
        v12.suites = suites12
        var v13 = VersionResult(version: .tls13, accepted: true)
        v13.suites = [0x1301, 0x1302]
        r.versions = [VersionResult(version: .tls11, accepted: false), v12, v13]
        r.groups = groups
        return r
    }

    /// DANE is judged only against a captured chain: TLSA records with no certificate to compare
    /// (the certificate handshake failed on a busy server) are "could not test", not a mismatch.
    @Test func daneWithoutACertificateIsNotAMismatch() {
        func ids(_ results: [String]) -> [String] {
            var r = scan(suites12: [0xC02F], groups: [NamedGroup.x25519])
            var d = DANEReport(name: "_25._tcp.mx.example", authentic: true, lookupStatus: "ok")
            d.records = results.map { DANEReport.RecordResult(usage: 3, selector: 1, matchingType: 1, data: "00", result: $0) }
            r.dane = d
            return TLSAssessment(scan: r).findings.map(\.id).filter { $0.hasPrefix("tls.dane") || $0 == "tls.could-not-test" }
        }
        #expect(ids(["no-certificate", "no-certificate"]) == ["tls.could-not-test"])
        #expect(ids(["mismatch"]) == ["tls.dane.mismatch"])
        #expect(ids(["mismatch", "match"]) == ["tls.dane.match"])
    }

    /// A scan whose certificate handshake failed (a busy server) says so once, TLSA or not:
    /// without it the certificate findings would simply be missing, which reads as "no problem".
    @Test func aCertificateThatCouldNotBeFetchedIsCouldNotTestOnce() {
        var r = scan(suites12: [0xC02F], groups: [NamedGroup.x25519])
        r.notes.append(TLSScanResult.certificateFailedNote)
        let ids = { (r: TLSScanResult) in TLSAssessment(scan: r).findings.map(\.id).filter { $0.hasPrefix("tls.cert") || $0.hasPrefix("tls.dane") || $0 == "tls.could-not-test" } }
        #expect(ids(r) == ["tls.could-not-test"])
        var d = DANEReport(name: "_25._tcp.mx.example", authentic: true, lookupStatus: "ok")
        d.records = [DANEReport.RecordResult(usage: 3, selector: 1, matchingType: 1, data: "00", result: "no-certificate")]
        r.dane = d
        #expect(ids(r) == ["tls.could-not-test"])
        #expect(TLSAssessment(scan: r).findings.first { $0.id == "tls.could-not-test" }?.detail.contains("TLSA") == true)
    }

    @Test func portGradeIsTheWorstPartWithItsReason() {
        let a = TLSAssessment(scan: scan(suites12: [0xC02F, 0x009C], groups: [NamedGroup.x25519]))
        #expect(a.grade == .phaseOut)
        #expect(a.gradeReason.contains("TLS_RSA_WITH_AES_128_GCM_SHA256"))
        #expect(a.findings.contains { $0.id == "tls.suite.phase-out" })
        #expect(a.findings.allSatisfy { $0.evidenceIDs == ["tls:mx.example:25"] })
        #expect(a.evidence.first?.lines.contains("  0x009C TLS_RSA_WITH_AES_128_GCM_SHA256") == true)
    }

    @Test func postQuantumLine() {
        let ready = TLSAssessment(scan: scan(suites12: [0xC02F], groups: [NamedGroup.x25519MLKEM768, NamedGroup.x25519]))
        #expect(ready.postQuantumReady && ready.postQuantumLine.contains("X25519MLKEM768"))
        #expect(ready.grade == .sufficient)  // TLS 1.2 is sufficient; everything else good
        let draftOnly = TLSAssessment(scan: scan(suites12: [0xC02F], groups: [NamedGroup.x25519Kyber768Draft00, NamedGroup.x25519]))
        #expect(!draftOnly.postQuantumReady && draftOnly.postQuantumLine.contains("obsolete"))
    }

    @Test func daneUsagesSelectorsAndMatchingTypes() {
        let leaf = TLSAMatcher.ChainEntry(certificate: [1, 2, 3], spki: [4, 5])
        let ca = TLSAMatcher.ChainEntry(certificate: [7, 8], spki: [9])
        let smtp = TLSAMatcher(port: 25)
        #expect(smtp.match(TLSARecord(usage: 3, selector: 1, matchingType: 0, data: [4, 5]), chain: [leaf, ca]) == .match)
        #expect(smtp.match(TLSARecord(usage: 3, selector: 0, matchingType: 0, data: [1, 2, 3]), chain: [leaf, ca]) == .match)
        #expect(smtp.match(TLSARecord(usage: 3, selector: 1, matchingType: 0, data: [9]), chain: [leaf, ca]) == .mismatch)
        #expect(smtp.match(TLSARecord(usage: 2, selector: 1, matchingType: 0, data: [9]), chain: [leaf, ca]) == .match)
        #expect(smtp.match(TLSARecord(usage: 2, selector: 1, matchingType: 0, data: [4, 5]), chain: [leaf, ca]) == .mismatch)
        // RFC 7672 §3.1.3: PKIX usages are unusable for SMTP, usable elsewhere.
        #expect(smtp.match(TLSARecord(usage: 1, selector: 1, matchingType: 0, data: [4, 5]), chain: [leaf]) == .unusable)
        #expect(TLSAMatcher(port: 443).match(TLSARecord(usage: 1, selector: 1, matchingType: 0, data: [4, 5]), chain: [leaf]) == .match)
        #expect(smtp.match(TLSARecord(usage: 3, selector: 2, matchingType: 0, data: [4, 5]), chain: [leaf]) == .unusable)
        // SHA-256 of the SPKI [4, 5] must differ from the raw bytes: a 3 1 1 with raw data mismatches.
        #expect(smtp.match(TLSARecord(usage: 3, selector: 1, matchingType: 1, data: [4, 5]), chain: [leaf]) == .mismatch)
    }
}
