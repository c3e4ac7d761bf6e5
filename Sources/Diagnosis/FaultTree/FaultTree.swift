import MailCore

/// The symptoms people report, each the root of one fault tree.
public enum Symptom: String, Sendable, Codable, CaseIterable {
    /// "Mail to us bounces or never arrives."
    case bounce
    /// "Mail arrives late."
    case delay
    /// "Clients cannot connect or log in."
    case client
    /// "Our mail lands in spam."
    case spam
    /// "A partner's server refuses TLS with us."
    case tls

    public var question: String {
        switch self {
        case .bounce: return "Mail to us bounces or never arrives"
        case .delay: return "Mail arrives late"
        case .client: return "Clients cannot connect or log in"
        case .spam: return "Our mail lands in spam"
        case .tls: return "A partner's server refuses TLS with us"
        }
    }
}

/// A condition over what the check observed: findings (by id, optionally only on port 25 or a
/// subject pattern) and facts the engine derives (`mx.port25.all-filtered`, `mtasts.enforce`).
/// Declarative, so the trees are data that a test can walk and a report can print.
public indirect enum Condition: Sendable, Hashable, Codable {
    /// Some finding with this id (or, ending in `*`, this id prefix) whose subject contains
    /// `subject` when given (e.g. ":25").
    case finding(String, subject: String? = nil)
    /// A fact the engine derived is true.
    case fact(String)
    case all([Condition])
    case any([Condition])
    case not(Condition)

    /// Text for reports: `dns.mx.cname`, `fact mtasts.enforce and (…)`.
    public var description: String {
        switch self {
        case .finding(let id, let s): return s.map { "\(id) on *\($0)" } ?? id
        case .fact(let f): return "fact \(f)"
        case .all(let cs): return cs.map { "(\($0.description))" }.joined(separator: " and ")
        case .any(let cs): return cs.map { "(\($0.description))" }.joined(separator: " or ")
        case .not(let c): return "not (\(c.description))"
        }
    }
}

/// One possible root cause in a tree: the condition that shows it, why it produces the symptom,
/// the fix, and a prior weight (0–100) used to rank causes that are all present.
public struct CauseDefinition: Sendable, Hashable, Codable {
    public let id: String
    public let title: String
    /// Why this cause produces the symptom, as an admin reads it.
    public let explanation: String
    public let fix: String
    public let condition: Condition
    public let weight: Int
    public let references: [RFCRef]

    public init(id: String, title: String, explanation: String, fix: String, condition: Condition, weight: Int,
                references: [RFCRef] = []) {
        self.id = id
        self.title = title
        self.explanation = explanation
        self.fix = fix
        self.condition = condition
        self.weight = weight
        self.references = references
    }
}

/// A group of causes under one heading (DNS, reachability, TLS, …): the inner nodes of the tree.
public struct FaultBranch: Sendable, Hashable, Codable {
    public let title: String
    public let causes: [CauseDefinition]

    public init(_ title: String, _ causes: [CauseDefinition]) {
        self.title = title
        self.causes = causes
    }
}

/// One tree: a symptom at the root, branches, causes as leaves.
public struct FaultTree: Sendable, Hashable, Codable {
    public let symptom: Symptom
    public let branches: [FaultBranch]

    public init(symptom: Symptom, branches: [FaultBranch]) {
        self.symptom = symptom
        self.branches = branches
    }

    public var causes: [CauseDefinition] { branches.flatMap(\.causes) }
}

/// A cause the walk found present, with the findings that support it.
public struct RootCause: Sendable, Hashable, Codable {
    public var id: String
    public var symptom: Symptom
    public var rank: Int
    public var title: String
    public var explanation: String
    public var fix: String
    /// Weight plus a bonus per supporting finding: higher ranks first.
    public var score: Int
    /// `finding-id @ subject` lines, most severe first.
    public var support: [String]
    /// Evidence ids behind the supporting findings.
    public var evidenceIDs: [String]
    public var references: [RFCRef]
}

/// The outcome of walking one tree: ranked root causes and the tree with each leaf's state,
/// so a report can draw it.
public struct FaultTreeConclusion: Sendable, Hashable, Codable {
    public enum LeafState: String, Sendable, Codable {
        case present
        case absent
        /// The observations this leaf needs are missing (a stage could not test).
        case unknown
    }

    public struct Leaf: Sendable, Hashable, Codable {
        public var id: String
        public var title: String
        public var state: LeafState
    }

    public struct Branch: Sendable, Hashable, Codable {
        public var title: String
        public var leaves: [Leaf]
    }

    public var symptom: Symptom
    public var question: String
    public var rootCauses: [RootCause]
    public var branches: [Branch]
}
