import Testing
@testable import Diagnosis

@Suite struct CatalogTests {
    @Test func idsAreUniqueAndDotted() {
        var seen = Set<String>()
        for d in FindingCatalog.all {
            #expect(seen.insert(d.id).inserted, "duplicate finding id \(d.id)")
            #expect(d.id.split(separator: ".").count >= 2, "\(d.id) is not a dotted id")
            #expect(!d.remediation.isEmpty, "\(d.id) has no remediation")
        }
    }

    @Test func severityOrder() {
        #expect(Severity.pass < .info && Severity.info < .notice && Severity.notice < .warning)
        #expect(Severity.warning < .error && Severity.error < .critical)
    }

    @Test func raiseCarriesEvidence() {
        let def = FindingDefinition(id: "test.example", severity: .warning, title: "t", remediation: "r")
        let f = def.raise(subject: "mx:25", detail: "d", evidence: ["ev1"])
        #expect(f.evidenceIDs == ["ev1"])
        #expect(f.severity == .warning)
        #expect(def.raise(subject: "s", detail: "d", evidence: ["e"], severity: .error).severity == .error)
    }
}
