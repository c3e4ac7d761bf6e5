import Foundation
import MailCore
import MailWire
import TLSWire

/// The one result of `mxray check`: what was checked, how each stage went, every finding with
/// its evidence, and the fault tree's conclusions. Codable; `docs/report.schema.json` documents
/// the JSON and a test keeps the two in step. Stable across minor versions: add fields, never
/// rename them.
public struct Report: Sendable, Codable {
    /// Bumped on any incompatible change to the JSON.
    public static let currentSchemaVersion = "1.0"

    public var schemaVersion: String
    public var toolVersion: String
    public var target: CheckTarget
    /// The DNS servers the answers came from.
    public var resolvers: [String]
    public var startedAt: Date
    public var finishedAt: Date
    /// The symptom the user asked about (`--symptom`), nil for all of them.
    public var symptom: Symptom?
    public var provider: ProviderMatch?
    public var mxHosts: [ReportHost]
    public var stages: [StageResult]
    /// Sorted most severe first, then by id and subject.
    public var findings: [Finding]
    public var faultTree: [FaultTreeConclusion]
    public var evidence: [Evidence]
    /// The stages' own results, for readers that want more than the findings.
    public var locate: LocateResult?
    public var auth: AuthResult?
    public var ports: [PortObservation]
    public var tls: [TLSScanResult]

    public init(target: CheckTarget, resolvers: [String], startedAt: Date, finishedAt: Date, symptom: Symptom? = nil,
                provider: ProviderMatch? = nil, mxHosts: [ReportHost] = [], stages: [StageResult] = [],
                findings: [Finding] = [], faultTree: [FaultTreeConclusion] = [], evidence: [Evidence] = [],
                locate: LocateResult? = nil, auth: AuthResult? = nil, ports: [PortObservation] = [],
                tls: [TLSScanResult] = [], toolVersion: String = MXRayVersion.string) {
        self.schemaVersion = Self.currentSchemaVersion
        self.toolVersion = toolVersion
        self.target = target
        self.resolvers = resolvers
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.symptom = symptom
        self.provider = provider
        self.mxHosts = mxHosts
        self.stages = stages
        self.findings = Self.sorted(findings)
        self.faultTree = faultTree
        self.evidence = evidence
        self.locate = locate
        self.auth = auth
        self.ports = ports
        self.tls = tls
    }

    static func sorted(_ findings: [Finding]) -> [Finding] {
        findings.sorted { a, b in
            if a.severity != b.severity { return a.severity > b.severity }
            return (a.id, a.subject) < (b.id, b.subject)
        }
    }

    /// The worst severity among the findings (`pass` when there are none).
    public var worstSeverity: Severity { findings.map(\.severity).max() ?? .pass }

    /// The overall verdict a summary leads with.
    public var verdict: Verdict {
        if stages.contains(where: { $0.name == Stage.locate && $0.status == .couldNotTest }) && findings.isEmpty {
            return .unknown
        }
        switch worstSeverity {
        case .critical, .error: return .failing
        case .warning: return .degraded
        default: return .healthy
        }
    }

    /// Number of findings per severity, every severity present (zero included), worst first.
    public var counts: [(severity: Severity, count: Int)] {
        Severity.allCases.reversed().map { s in (s, findings.filter { $0.severity == s }.count) }
    }

    /// The first-ranked root cause across the evaluated trees.
    public var topRootCause: RootCause? {
        faultTree.flatMap(\.rootCauses).max { $0.score < $1.score }
    }

    public var durationSeconds: Double { finishedAt.timeIntervalSince(startedAt) }

    public func evidence(_ id: String) -> Evidence? { evidence.first { $0.id == id } }
}

public enum Verdict: String, Sendable, Codable {
    /// Nothing at warning or above.
    case healthy
    /// Warnings, no errors.
    case degraded
    /// At least one error or critical finding.
    case failing
    /// Nothing could be tested.
    case unknown
}

/// One mail host as the summary shows it.
public struct ReportHost: Sendable, Codable, Hashable {
    public var name: String
    public var preference: Int
    public var addresses: [String]
    /// The software its greeting shows (`Postfix`), when seen.
    public var software: String?

    public init(name: String, preference: Int, addresses: [String], software: String? = nil) {
        self.name = name
        self.preference = preference
        self.addresses = addresses
        self.software = software
    }
}

/// Names of the stages, as reports show them.
public enum Stage {
    public static let locate = "locate"
    public static let auth = "auth"
    public static let probe = "probe"
    public static let tls = "tls"
    public static let provider = "provider"
}

/// How one stage went. "Could not test" is a result, not a failure of the run.
public struct StageResult: Sendable, Codable, Hashable {
    public enum Status: String, Sendable, Codable {
        case completed
        /// The stage ran but some of what it needed was unreachable or timed out.
        case partial
        /// The stage could not run (its input was missing, or the deadline passed).
        case couldNotTest = "could-not-test"
        /// Not asked for, or not applicable to this target.
        case skipped
    }

    public var name: String
    public var status: Status
    public var detail: String
    public var milliseconds: Double
    public var findingCount: Int

    public init(name: String, status: Status, detail: String, milliseconds: Double, findingCount: Int = 0) {
        self.name = name
        self.status = status
        self.detail = detail
        self.milliseconds = milliseconds
        self.findingCount = findingCount
    }
}
