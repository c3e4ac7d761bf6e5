import MailCore
import Testing
@testable import Diagnosis

/// A finding as a check would raise it, straight from the catalog (or a bare one for ids the
/// catalog does not hold, which a separate test forbids in trees).
func finding(_ id: String, _ subject: String = "mx1.example.test[192.0.2.1]:25") -> Finding {
    FindingCatalog.definition(id)?.raise(subject: subject, detail: "test", evidence: ["ev:\(id)"])
        ?? Finding(id: id, severity: .warning, subject: subject, title: id, detail: "test", remediation: "", references: [], evidenceIDs: ["ev:\(id)"])
}

func conclude(_ findings: [Finding], facts: [String: [Finding]] = [:], untested: Set<String> = [], symptom: Symptom) -> FaultTreeConclusion {
    FaultTreeEvaluator().evaluate(FaultObservations(findings: findings, facts: facts, untested: untested), symptom: symptom)[0]
}

/// Observations that make `condition` true: one finding per `.finding` leaf (the first branch
/// of an `.any`), an empty fact for `.fact`, nothing for `.not`.
func satisfying(_ condition: Condition) -> (findings: [Finding], facts: [String: [Finding]]) {
    switch condition {
    case .finding(let id, let subject):
        let concrete = id.hasSuffix("*") ? String(id.dropLast()) + "x" : id
        return ([finding(concrete, "mx1.example.test[192.0.2.1]" + (subject ?? ":25"))], [:])
    case .fact(let name):
        return ([], [name: [finding("port.filtered")]])
    case .all(let cs):
        return cs.map(satisfying).reduce(([], [:])) { ($0.0 + $1.0, $0.1.merging($1.1) { a, _ in a }) }
    case .any(let cs):
        return satisfying(cs[0])
    case .not:
        return ([], [:])
    }
}

@Suite("Fault trees")
struct FaultTreeTests {
    @Test("every cause of every tree is reached by observations that satisfy its condition")
    func everyPath() {
        for tree in FaultTrees.all {
            for cause in tree.causes {
                let (fs, facts) = satisfying(cause.condition)
                let c = conclude(fs, facts: facts, symptom: tree.symptom)
                #expect(c.rootCauses.contains { $0.id == cause.id }, "\(tree.symptom): \(cause.id) not reached")
                let leaf = c.branches.flatMap(\.leaves).first { $0.id == cause.id }
                #expect(leaf?.state == .present, "\(cause.id)")
            }
        }
    }

    @Test("no observations: no root cause, every leaf absent")
    func empty() {
        for symptom in Symptom.allCases {
            let c = conclude([], symptom: symptom)
            #expect(c.rootCauses.isEmpty)
            #expect(c.branches.flatMap(\.leaves).allSatisfy { $0.state == .absent })
        }
    }

    @Test("tree finding ids exist in the catalog; cause ids are unique")
    func idsExist() {
        var ids: Set<String> = []
        func walk(_ c: Condition) -> [String] {
            switch c {
            case .finding(let id, _): return [id]
            case .fact: return []
            case .all(let cs), .any(let cs): return cs.flatMap(walk)
            case .not(let c): return walk(c)
            }
        }
        for tree in FaultTrees.all {
            for cause in tree.causes {
                #expect(ids.insert("\(tree.symptom).\(cause.id)").inserted, "duplicate \(cause.id)")
                for id in walk(cause.condition) {
                    #expect(FindingCatalog.definition(id) != nil, "\(cause.id) refers to unknown finding \(id)")
                }
                #expect(!cause.fix.isEmpty && !cause.explanation.isEmpty)
            }
        }
    }

    @Test("all MX filtered on 25 → firewall or provider block, ranked first for bounce")
    func allFiltered() {
        let fs = [finding("port.filtered", "mx1.example.test[192.0.2.1]:25"), finding("port.filtered", "mx2.example.test[192.0.2.2]:25")]
        let c = conclude(fs, facts: [Fact.port25AllFiltered: fs, Fact.port25NoneOpen: fs], symptom: .bounce)
        #expect(c.rootCauses.first?.id == "bounce.port25.all-filtered")
        #expect(c.rootCauses.first?.fix.contains("another network") == true)
        #expect(c.rootCauses.first?.support.count == 2)
        #expect(c.rootCauses.first?.evidenceIDs == ["ev:port.filtered"])
    }

    @Test("one MX filtered while another answers → delay, not the all-filtered bounce cause")
    func oneFiltered() {
        let fs = [finding("port.filtered")]
        let delay = conclude(fs, symptom: .delay)
        #expect(delay.rootCauses.first?.id == "delay.port25.filtered")
        let bounce = conclude(fs, symptom: .bounce)
        #expect(!bounce.rootCauses.contains { $0.id == "bounce.port25.all-filtered" })
        #expect(bounce.rootCauses.first?.id == "bounce.port25.filtered")
    }

    @Test("all refused → nothing listening")
    func allRefused() {
        let fs = [finding("port.refused")]
        let c = conclude(fs, facts: [Fact.port25AllRefused: fs, Fact.port25NoneOpen: fs], symptom: .bounce)
        #expect(c.rootCauses.first?.id == "bounce.port25.all-refused")
        #expect(c.rootCauses.first?.explanation.contains("Nothing listens") == true)
    }

    @Test("MX is a CNAME → strict senders refuse it")
    func mxCNAME() {
        let c = conclude([finding("dns.mx.cname", "mx.example.test")], symptom: .bounce)
        #expect(c.rootCauses.map(\.id) == ["bounce.mx.cname"])
        #expect(c.rootCauses[0].explanation.contains("Strict senders"))
    }

    @Test("certificate name mismatch counts for bounce only with MTA-STS enforce")
    func nameMismatchWithEnforce() {
        let mismatch = finding("probe.tls.name-mismatch")
        let without = conclude([mismatch], symptom: .bounce)
        #expect(!without.rootCauses.contains { $0.id == "bounce.mtasts.certificate" })
        let enforce = finding("mtasts.ok", "example.test")
        let with = conclude([mismatch, enforce], facts: [Fact.mtaSTSEnforce: [enforce]], symptom: .bounce)
        #expect(with.rootCauses.first?.id == "bounce.mtasts.certificate")
        #expect(with.rootCauses.first?.support.contains("mtasts.ok @ example.test") == true)
        // On a client port the mismatch does not block MX delivery.
        let client = conclude([finding("probe.tls.name-mismatch", "mx1.example.test[192.0.2.1]:993")],
                              facts: [Fact.mtaSTSEnforce: [enforce]], symptom: .bounce)
        #expect(client.rootCauses.isEmpty)
        // A name only in the CN: fine for Postfix and Exim, refused by MTA-STS senders.
        let cnOnly = finding("tls.cert.name-cn-only", "mx1.example.test:25")
        #expect(!conclude([cnOnly], symptom: .bounce).rootCauses.contains { $0.id == "bounce.mtasts.certificate" })
        #expect(conclude([cnOnly, enforce], facts: [Fact.mtaSTSEnforce: [enforce]], symptom: .bounce).rootCauses.first?.id == "bounce.mtasts.certificate")
    }

    @Test("TLSA mismatch → DANE senders defer (delay first, also bounce and tls)")
    func tlsaMismatch() {
        let fs = [finding("tls.dane.mismatch", "mx1.example.test:25")]
        #expect(conclude(fs, symptom: .delay).rootCauses.first?.id == "delay.dane.mismatch")
        #expect(conclude(fs, symptom: .bounce).rootCauses.first?.id == "bounce.dane.mismatch")
        #expect(conclude(fs, symptom: .tls).rootCauses.first?.id == "tls.dane.mismatch")
    }

    @Test("no PTR / FCrDNS failure → receivers reject or mark as spam")
    func noPTR() {
        #expect(conclude([finding("dns.ptr.missing", "192.0.2.1")], symptom: .spam).rootCauses.first?.id == "spam.ptr.missing")
        #expect(conclude([finding("dns.fcrdns.mismatch", "192.0.2.1")], symptom: .spam).rootCauses.first?.id == "spam.ptr.missing")
    }

    @Test("SPF permerror → DMARC fails for everyone; outranks a missing DKIM key and ~all")
    func spfPermerror() {
        let fs = [finding("dkim.none-found", "example.test"), finding("spf.all.softfail", "example.test"),
                  finding("spf.lookups.exceeded", "example.test")]
        let c = conclude(fs, symptom: .spam)
        #expect(c.rootCauses.map(\.id) == ["spam.spf.permerror", "spam.dkim.none", "spam.spf.weak"])
        #expect(c.rootCauses.map(\.rank) == [1, 2, 3])
        #expect(c.rootCauses[0].explanation.contains("DMARC fails for every sender"))
    }

    @Test("null MX → the domain takes no mail, ranked above everything but NXDOMAIN")
    func nullMX() {
        let c = conclude([finding("dns.mx.null", "example.test"), finding("dns.mx.cname", "x")], symptom: .bounce)
        #expect(c.rootCauses.first?.id == "bounce.mx.null")
    }

    @Test("a leaf whose stage could not test is unknown, not absent")
    func unknownLeaf() {
        let c = conclude([], untested: ["tls."], symptom: .tls)
        let leaf = c.branches.flatMap(\.leaves).first { $0.id == "tls.dane.mismatch" }
        #expect(leaf?.state == .unknown)
        let other = c.branches.flatMap(\.leaves).first { $0.id == "tls.mtasts.uncovered" }
        #expect(other?.state == .absent)
    }

    @Test("evaluating without a symptom walks all five trees")
    func allTrees() {
        let all = FaultTreeEvaluator().evaluate(FaultObservations(findings: []))
        #expect(all.map(\.symptom) == Symptom.allCases)
    }
}
