import Foundation
import MailCore

/// A compliance profile as data: a published document's controls, each mapped to the findings
/// that show it failing (or, for controls that need positive evidence, passing). Control ids
/// are the documents' own section numbers; titles are short paraphrases, never the documents'
/// text. Only what can be observed from outside is assessed; the rest is listed as
/// "not assessed" with the reason.
public struct ComplianceProfile: Sendable, Codable, Hashable {
    /// `nist-800-177r1`, `gdpr-art32`, `mlps2-l3`, `bsi-tr-03108`.
    public let id: String
    public let name: String
    /// The document and the version of it the mapping was made from.
    public let document: String
    public let documentVersion: String
    public let url: String
    /// Version of this mapping (bumped on any change to its controls).
    public let version: String
    /// How mxray reads the document: scope, assumptions, what is paraphrased.
    public let reading: String
    public let controls: [ComplianceControl]
}

public struct ComplianceControl: Sendable, Codable, Hashable {
    /// The document's section (and item) number: `4.4`, `Art. 32(1)(a)`, `8.1.2.2 b)`, `3.2`.
    public let section: String
    /// A short paraphrased title.
    public let title: String
    /// Finding ids (or `prefix*`) that fail the control when raised at or above `minimumSeverity`.
    public let failOn: [String]
    public let minimumSeverity: Severity
    /// When set, one of these (pass) findings must be present for the control to pass: the
    /// control needs positive evidence (a DMARC policy, a matching TLSA record).
    public let requireAny: [String]
    /// Findings that leave the control undecided (e.g. no DKIM key found under the selectors tried).
    public let undecidedOn: [String]
    /// Stages whose results the control needs; when one could not test, it is not assessed.
    public let needs: [String]
    /// False for controls that cannot be observed from outside (process, logging, policy).
    public let observable: Bool
    /// What is checked, as a reader of the audit report needs it.
    public let reading: String

    public init(_ section: String, _ title: String, failOn: [String] = [], minimumSeverity: Severity = .warning,
                requireAny: [String] = [], undecidedOn: [String] = [], needs: [String] = [], observable: Bool = true,
                reading: String) {
        self.section = section
        self.title = title
        self.failOn = failOn
        self.minimumSeverity = minimumSeverity
        self.requireAny = requireAny
        self.undecidedOn = undecidedOn
        self.needs = needs
        self.observable = observable
        self.reading = reading
    }

    func matches(_ pattern: String, _ id: String) -> Bool {
        pattern.hasSuffix("*") ? id.hasPrefix(String(pattern.dropLast())) : id == pattern
    }
}

/// One control's outcome with the findings behind it.
public struct ControlResult: Sendable, Codable, Hashable {
    public enum Status: String, Sendable, Codable {
        case pass
        case fail
        case notAssessed = "not-assessed"
    }

    public struct FindingRef: Sendable, Codable, Hashable {
        public let id: String
        public let severity: Severity
        public let subject: String
        public let detail: String
        public let evidenceIDs: [String]
    }

    public let section: String
    public let title: String
    public let status: Status
    /// Why: the failing findings in one line, the missing evidence, or why it was not assessed.
    public let reason: String
    public let findings: [FindingRef]
}

/// A profile evaluated over one check report.
public struct AuditResult: Sendable, Codable {
    public let profileID: String
    public let profileName: String
    public let document: String
    public let documentVersion: String
    public let profileVersion: String
    public let reading: String
    public let controls: [ControlResult]
    /// The check the audit is based on (its findings and evidence back every control).
    public let report: Report

    public var passed: Int { controls.filter { $0.status == .pass }.count }
    public var failed: Int { controls.filter { $0.status == .fail }.count }
    public var notAssessed: Int { controls.filter { $0.status == .notAssessed }.count }
}

extension ComplianceProfile {
    /// Evaluates every control over the report's findings and stage outcomes.
    public func evaluate(_ report: Report) -> AuditResult {
        let results = controls.map { evaluate($0, report) }
        return AuditResult(profileID: id, profileName: name, document: document, documentVersion: documentVersion,
                           profileVersion: version, reading: reading, controls: results, report: report)
    }

    func evaluate(_ c: ComplianceControl, _ r: Report) -> ControlResult {
        func ref(_ f: Finding) -> ControlResult.FindingRef {
            .init(id: f.id, severity: f.severity, subject: f.subject, detail: f.detail, evidenceIDs: f.evidenceIDs)
        }
        func result(_ s: ControlResult.Status, _ why: String, _ fs: [Finding] = []) -> ControlResult {
            ControlResult(section: c.section, title: c.title, status: s, reason: why, findings: fs.map(ref))
        }
        guard c.observable else { return result(.notAssessed, "not observable from outside: \(c.reading)") }
        for stage in c.needs {
            guard let s = r.stages.first(where: { $0.name == stage }) else {
                return result(.notAssessed, "the \(stage) stage did not run")
            }
            if s.status == .couldNotTest || s.status == .skipped {
                return result(.notAssessed, "the \(stage) stage \(s.status == .skipped ? "was skipped" : "could not test"): \(s.detail)")
            }
        }
        let failing = r.findings.filter { f in f.severity >= c.minimumSeverity && c.failOn.contains { c.matches($0, f.id) } }
        if !failing.isEmpty {
            let ids = Array(Set(failing.map(\.id))).sorted()
            return result(.fail, "\(failing.count) finding(s): \(ids.joined(separator: ", "))", failing)
        }
        let undecided = r.findings.filter { f in c.undecidedOn.contains { c.matches($0, f.id) } }
        let support = r.findings.filter { f in c.requireAny.contains { c.matches($0, f.id) } }
        if !c.requireAny.isEmpty && support.isEmpty {
            if !undecided.isEmpty {
                return result(.notAssessed, "undecided: \(undecided.map(\.detail).joined(separator: "; "))", undecided)
            }
            return result(.fail, "no evidence of \(c.requireAny.joined(separator: " or ")): \(c.reading)")
        }
        let why = support.isEmpty ? "no finding against it: \(c.reading)" : "shown by \(Array(Set(support.map(\.id))).sorted().joined(separator: ", "))"
        return result(.pass, why, support)
    }
}

/// Every profile mxray ships, by id.
public enum ComplianceProfiles {
    public static let all: [ComplianceProfile] = [nist800177r1, gdprArt32, mlps2Level3, bsiTR03108]

    public static func profile(_ id: String) -> ComplianceProfile? {
        let key = id.lowercased()
        return all.first { $0.id == key } ?? all.first { $0.aliases.contains(key) }
    }
}

extension ComplianceProfile {
    var aliases: [String] {
        switch id {
        case "nist-800-177r1": return ["nist", "nist-800-177", "sp800-177"]
        case "gdpr-art32": return ["gdpr", "gdpr32"]
        case "mlps2-l3": return ["mlps", "mlps2", "djcp", "dengbao"]
        case "bsi-tr-03108": return ["bsi", "tr-03108"]
        default: return []
        }
    }
}
