import Diagnosis
import Foundation
import LabSupport
import MXRayCLI
import Testing
import Wiring

/// The quick TLS assessment `mxray check` runs by default against the full elimination scan, on
/// the lab's STARTTLS ports: the grade, the accepted versions, which weak grades of suites are
/// accepted at each version, and the version, suite and group findings must be the same.
@Suite("quick TLS assessment = full scan on the lab", .serialized)
struct TLSQuickLabTests {
    /// (environment key of the address, host name for SNI and the certificate check)
    static let ports: [(String, String)] = [
        ("MXRAY_LAB_GOOD_MX1", "mx1.good.lab.test"),
        ("MXRAY_LAB_WEAK_MX", "mx.weak.lab.test"),
        ("MXRAY_LAB_BROKEN_REAL", "mx-real.broken.lab.test"),
    ]

    /// What must agree: accepted versions, "version grade" pairs of phase-out and worse suites,
    /// group parts of phase-out or worse, and the findings that come from them.
    static func summary(_ a: TLSAssessment) -> (versions: Set<String>, weakSuites: Set<String>, weakGroups: Set<String>, findings: Set<String>) {
        let versions = Set(a.parts.filter { $0.area == "version" }.map(\.item))
        let weakSuites = Set(a.parts.filter { $0.area == "suite" && $0.grade >= .phaseOut }.map {
            "\($0.item.split(separator: " ").first ?? "") \($0.grade)" })
        let weakGroups = Set(a.parts.filter { $0.area == "group" && $0.grade >= .phaseOut }.map(\.item))
        let compared = ["tls.version.", "tls.suite.insufficient", "tls.suite.phase-out", "tls.group.weak", "tls.pq.", "tls.grade",
                        "tls.compression", "tls.renegotiation.", "tls.ems.", "tls.cert.", "tls.none", "tls.could-not-test"]
        let findings = Set(a.findings.map(\.id).filter { id in compared.contains { id.hasPrefix($0) } })
        return (versions, weakSuites, weakGroups, findings)
    }

    @Test("quick and full agree", arguments: 0..<3)
    func agree(_ index: Int) async throws {
        let lab = try LabEnvironment.require()
        let (key, host) = Self.ports[index]
        let address = try #require(lab.values[key], "\(key) missing from scripts/lab env")
        let quickScan = await TLSScannerAdapter(caFile: lab.caFile, perHostConcurrency: 16, mode: .quick)
            .scan(host: host, address: address, port: 25, timeout: .seconds(60))
        let fullScan = await TLSScannerAdapter(caFile: lab.caFile, perHostConcurrency: 4, mode: .full)
            .scan(host: host, address: address, port: 25, timeout: .seconds(120))
        let quick = TLSAssessment(scan: quickScan), full = TLSAssessment(scan: fullScan)
        #expect(full.grade != nil, "full scan of \(host): \(full.gradeReason)")
        #expect(quick.grade == full.grade, "\(host): quick \(quick.gradeReason) / full \(full.gradeReason)")
        let q = Self.summary(quick), f = Self.summary(full)
        #expect(q.versions == f.versions, "\(host)")
        #expect(q.weakSuites == f.weakSuites, "\(host)")
        #expect(q.weakGroups == f.weakGroups, "\(host)")
        #expect(q.findings == f.findings, "\(host): only quick \(q.findings.subtracting(f.findings)), only full \(f.findings.subtracting(q.findings))")
        // The point of it: far fewer connections than the elimination.
        #expect(quickScan.connections < fullScan.connections, "\(host): quick \(quickScan.connections), full \(fullScan.connections)")
    }
}
