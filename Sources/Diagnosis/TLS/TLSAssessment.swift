import MailCore
import TLSWire

/// The grade of one port with its parts, the post-quantum line and the findings.
public struct TLSAssessment: Sendable, Codable {
    public struct Part: Sendable, Codable, Hashable {
        public var area: String
        public var item: String
        public var grade: TLSGrade
        public var reason: String
    }

    public var guidelines = NCSCGuidelines.version
    public var parts: [Part] = []
    /// The worst part; nil when nothing could be tested.
    public var grade: TLSGrade?
    public var gradeReason: String
    public var postQuantumReady: Bool
    public var postQuantumLine: String
    public var findings: [Finding] = []
    public var evidence: [Evidence] = []

    /// Grades a scan. Certificate name checks use the host the scan was pointed at.
    public init(scan r: TLSScanResult) {
        var parts: [Part] = []
        for v in r.versions where v.accepted == true {
            parts.append(Part(area: "version", item: v.version.description, grade: NCSCGuidelines.grade(version: v.version), reason: "protocol version"))
            for s in v.suites {
                let (g, why) = NCSCGuidelines.grade(suite: s)
                parts.append(Part(area: "suite", item: "\(v.version) \(IANATables.suiteName(s))", grade: g, reason: why))
            }
        }
        for g in Array(Set(r.groups + r.groupsTLS12)).sorted() {
            parts.append(Part(area: "group", item: IANATables.groupName(g), grade: NCSCGuidelines.grade(group: g), reason: "key exchange group"))
        }
        if let bits = r.dhPrimeBits {
            parts.append(Part(area: "group", item: "DHE \(bits)-bit", grade: NCSCGuidelines.grade(dhBits: bits), reason: "finite-field DH size"))
        }
        if r.features.compression == true {
            parts.append(Part(area: "feature", item: "compression", grade: .insufficient, reason: "TLS compression (CRIME)"))
        }
        if r.features.secureRenegotiation == false {
            parts.append(Part(area: "feature", item: "renegotiation", grade: .insufficient, reason: "no secure renegotiation (RFC 5746)"))
        }
        if let c = r.certificate, let leaf = c.chain.first {
            parts.append(Part(area: "certificate", item: "key \(leaf.keyType) \(leaf.keyBits)", grade: NCSCGuidelines.grade(key: leaf.keyType, bits: leaf.keyBits), reason: "certificate key"))
            parts.append(Part(area: "certificate", item: "signature \(leaf.signatureAlgorithm)", grade: NCSCGuidelines.grade(signature: leaf.signatureAlgorithm), reason: "certificate signature"))
        }
        self.parts = parts
        let pq = r.postQuantumGroups.filter { $0 != NamedGroup.x25519Kyber768Draft00 }
        postQuantumReady = !pq.isEmpty
        postQuantumLine = postQuantumReady
            ? "post-quantum ready: \(pq.map(IANATables.groupName).joined(separator: ", "))"
            : r.postQuantumGroups.isEmpty ? "not post-quantum ready: no hybrid ML-KEM group (e.g. X25519MLKEM768) accepted"
            : "not post-quantum ready: only the obsolete X25519Kyber768Draft00"
        if let worst = parts.max(by: { $0.grade < $1.grade }), r.status == .completed {
            grade = worst.grade
            gradeReason = worst.grade == .good ? "every part is good" : "\(worst.item): \(worst.reason) is \(worst.grade)"
        } else {
            grade = nil
            gradeReason = r.statusDetail ?? r.status.rawValue
        }
        let evidenceID = "tls:\(r.subject)"
        evidence = [Evidence(id: evidenceID, kind: .tls, title: "TLS scan of \(r.subject) (\(r.address))", lines: Self.evidenceLines(r))]
        findings = TLSFindingRules.findings(scan: r, assessment: self, evidence: evidenceID)
    }

    static func evidenceLines(_ r: TLSScanResult) -> [String] {
        var lines = ["status \(r.status.rawValue)" + (r.statusDetail.map { ": \($0)" } ?? ""),
                     "\(r.connections) connections in \(Int(r.milliseconds)) ms"]
        for v in r.versions {
            let state = v.accepted.map { $0 ? "accepted" : "refused" } ?? "not tested"
            lines.append("\(v.version) \(state)" + (v.detail.map { " (\($0))" } ?? ""))
            for s in v.suites { lines.append("  \(hexCode(s)) \(IANATables.suiteName(s))") }
        }
        if !r.groups.isEmpty { lines.append("TLS 1.3 groups: " + r.groups.map(IANATables.groupName).joined(separator: ", ")) }
        if !r.groupsTLS12.isEmpty { lines.append("TLS 1.2 groups: " + r.groupsTLS12.map(IANATables.groupName).joined(separator: ", ")) }
        return lines + r.notes
    }

    static func hexCode(_ v: UInt16) -> String {
        let d = Array("0123456789ABCDEF")
        return "0x" + String([d[Int(v >> 12) & 15], d[Int(v >> 8) & 15], d[Int(v >> 4) & 15], d[Int(v) & 15]])
    }
}
