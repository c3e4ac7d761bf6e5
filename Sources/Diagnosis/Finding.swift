import MailCore

/// A finding as declared once in the catalog: stable dotted id, default severity, title,
/// remediation and references. Checks raise `Finding`s from these definitions.
public struct FindingDefinition: Sendable, Hashable, Codable {
    public let id: String
    public let severity: Severity
    public let title: String
    public let remediation: String
    public let references: [RFCRef]
    public let guidance: [String]

    public init(id: String, severity: Severity, title: String, remediation: String,
                references: [RFCRef] = [], guidance: [String] = []) {
        self.id = id
        self.severity = severity
        self.title = title
        self.remediation = remediation
        self.references = references
        self.guidance = guidance
    }

    /// Raises this finding about `subject` (e.g. `mx1.corp.example:25`) with its evidence.
    public func raise(subject: String, detail: String, evidence: [String],
                      severity override: Severity? = nil) -> Finding {
        Finding(id: id, severity: override ?? severity, subject: subject, title: title, detail: detail,
                remediation: remediation, references: references, evidenceIDs: evidence)
    }
}

/// One observed problem (or a pass) about one subject. A finding without evidence is a bug.
public struct Finding: Sendable, Hashable, Codable {
    public let id: String
    public let severity: Severity
    public let subject: String
    public let title: String
    public let detail: String
    public let remediation: String
    public let references: [RFCRef]
    public let evidenceIDs: [String]

    public init(id: String, severity: Severity, subject: String, title: String, detail: String,
                remediation: String, references: [RFCRef], evidenceIDs: [String]) {
        self.id = id
        self.severity = severity
        self.subject = subject
        self.title = title
        self.detail = detail
        self.remediation = remediation
        self.references = references
        self.evidenceIDs = evidenceIDs
    }
}

/// Something observed that backs a finding: a DNS trace, a protocol transcript, a handshake
/// record, an HTTP fetch. Rendered as lines; the id is what findings point to.
public struct Evidence: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable { case dns, transcript, tls, http, log, note }
    public let id: String
    public let kind: Kind
    public let title: String
    public let lines: [String]

    public init(id: String, kind: Kind, title: String, lines: [String]) {
        self.id = id
        self.kind = kind
        self.title = title
        self.lines = lines
    }
}
