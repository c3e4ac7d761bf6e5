import Diagnosis
import Foundation
import TLSWire

/// `mxray tls` output: the scan, its grade and findings. Its JSON is the stable form.
public struct TLSReport: Sendable, Codable {
    public var schemaVersion = 1
    public var startedAt: Date
    public var scan: TLSScanResult
    public var assessment: TLSAssessment

    public init(startedAt: Date, scan: TLSScanResult, assessment: TLSAssessment) {
        self.startedAt = startedAt
        self.scan = scan
        self.assessment = assessment
    }
}

/// Terminal table of versions, suites in server order, groups, certificate, DANE, grade, findings.
public struct TLSTextRenderer: Sendable {
    public init() {}

    public func render(_ report: TLSReport) -> String {
        let r = report.scan
        let a = report.assessment
        var out: [String] = []
        let mode = r.starttls.map { "STARTTLS \($0)" } ?? "implicit TLS"
        out.append("TLS scan of \(r.subject) (\(r.address), \(mode)): \(r.connections) handshakes in \(String(format: "%.2f", r.milliseconds / 1000)) s")
        if r.status != .completed { out.append("  status: \(r.status.rawValue)" + (r.statusDetail.map { " — \($0)" } ?? "")) }
        out.append("")
        out.append("Versions")
        for v in r.versions {
            let state = v.accepted.map { $0 ? "accepted" : "refused" } ?? "not tested"
            let g = v.accepted == true ? "  [\(NCSCGuidelines.grade(version: v.version))]" : ""
            out.append("  \(v.version.description.padding(toLength: 8, withPad: " ", startingAt: 0)) \(state)\(g)" + (v.accepted == true ? "" : v.detail.map { " (\($0))" } ?? ""))
        }
        for v in r.versions where v.accepted == true && !v.suites.isEmpty {
            let order = v.serverOrder.map { $0 ? "server order" : "client order" } ?? "single suite"
            out.append("")
            out.append("Suites \(v.version) (\(order))")
            for s in v.suites {
                let (g, _) = NCSCGuidelines.grade(suite: s)
                out.append("  \(hex(s))  \(IANATables.suiteName(s).padding(toLength: 48, withPad: " ", startingAt: 0)) \(g)")
            }
        }
        out.append("")
        out.append("Groups")
        if !r.groups.isEmpty { out.append("  TLS 1.3: " + r.groups.map(IANATables.groupName).joined(separator: ", ")) }
        if !r.groupsTLS12.isEmpty { out.append("  TLS 1.2: " + r.groupsTLS12.map(IANATables.groupName).joined(separator: ", ")) }
        if let bits = r.dhPrimeBits { out.append("  DHE prime: \(bits) bits") }
        if r.status == .completed { out.append("  \(a.postQuantumLine)") }
        out.append("")
        out.append("Features")
        let f = r.features
        func yn(_ b: Bool?) -> String { b.map { $0 ? "yes" : "no" } ?? "n/a" }
        out.append("  secure renegotiation \(yn(f.secureRenegotiation)), compression \(yn(f.compression)), extended master secret \(yn(f.extendedMasterSecret))")
        out.append("  OCSP stapling \(yn(f.ocspStapling)), session tickets \(yn(f.sessionTickets)), session ids \(yn(f.sessionIDs)), fallback SCSV \(yn(f.fallbackSCSV))")
        if f.resumedWithTicket != nil || f.resumedWithSessionID != nil {
            out.append("  TLS 1.2 resumption after a full handshake: by ticket \(yn(f.resumedWithTicket)), by session id \(yn(f.resumedWithSessionID))")
        }
        if let c = r.certificate {
            out.append("")
            out.append("Certificate (\(c.fetchedWith ?? "?"))")
            for (i, e) in c.chain.enumerated() {
                out.append("  #\(i) \(e.subject)")
                out.append("      issuer \(e.issuer); \(e.keyType) \(e.keyBits); \(e.signatureAlgorithm)\(e.selfSigned ? "; self-signed" : "")")
            }
            out.append("  names: \(c.sans.joined(separator: ", "))  match \(c.nameMatches ? "yes" : "NO")")
            out.append("  trusted: \(c.trusted ? "yes" : "NO")\(c.trustDetail.map { " (\($0))" } ?? "")\(c.incompleteChain ? ", incomplete chain" : "")")
            out.append("  expires in \(c.daysToExpiry) days")
        }
        if let d = r.dane {
            out.append("")
            out.append("DANE \(d.name) (\(d.records.isEmpty ? d.lookupStatus : d.authentic ? "DNSSEC-authentic" : "NOT authentic"))")
            for rec in d.records { out.append("  TLSA \(rec.usage) \(rec.selector) \(rec.matchingType) \(rec.data.prefix(16))…  \(rec.result)") }
        }
        out.append("")
        out.append("Grade: \(a.grade.map(\.description) ?? "not graded") — \(a.gradeReason)  (\(a.guidelines))")
        let shown = a.findings.filter { $0.id != "tls.grade" }
        if !shown.isEmpty {
            out.append("")
            out.append("Findings")
            for fd in shown.sorted(by: { $0.severity > $1.severity }) {
                out.append("  [\(fd.severity.rawValue)] \(fd.id): \(fd.title)")
                out.append("      \(fd.detail)")
                out.append("      fix: \(fd.remediation)")
            }
        }
        return out.joined(separator: "\n")
    }

    func hex(_ v: UInt16) -> String { String(format: "0x%04X", v) }
}
