/// What a tree is walked over: the check's findings, the facts the engine derived from the stage
/// results, and which parts could not be tested.
public struct FaultObservations: Sendable {
    public var findings: [Finding]
    /// Derived facts that hold, each with the findings that support it.
    public var facts: [String: [Finding]]
    /// Finding-id prefixes (`tls.`, `port.`) and fact names whose stage could not test: a leaf
    /// that needs them and is not present is `unknown`, not `absent`.
    public var untested: Set<String>

    public init(findings: [Finding], facts: [String: [Finding]] = [:], untested: Set<String> = []) {
        self.findings = findings
        self.facts = facts
        self.untested = untested
    }
}

/// Walks fault trees over observations. Pure and deterministic: same input, same ranking.
public struct FaultTreeEvaluator: Sendable {
    public let trees: [FaultTree]

    public init(trees: [FaultTree] = FaultTrees.all) { self.trees = trees }

    /// The conclusions for one symptom, or for every symptom when `symptom` is nil.
    public func evaluate(_ obs: FaultObservations, symptom: Symptom? = nil) -> [FaultTreeConclusion] {
        trees.filter { symptom == nil || $0.symptom == symptom }.map { walk($0, obs) }
    }

    func walk(_ tree: FaultTree, _ obs: FaultObservations) -> FaultTreeConclusion {
        var present: [RootCause] = []
        var branches: [FaultTreeConclusion.Branch] = []
        for branch in tree.branches {
            var leaves: [FaultTreeConclusion.Leaf] = []
            for cause in branch.causes {
                let support = Self.matching(cause.condition, obs)
                let state: FaultTreeConclusion.LeafState
                if let support {
                    state = .present
                    let sorted = support.sorted { a, b in
                        a.severity != b.severity ? a.severity > b.severity : (a.id, a.subject) < (b.id, b.subject)
                    }
                    var evidence: [String] = []
                    for f in sorted { for e in f.evidenceIDs where !evidence.contains(e) { evidence.append(e) } }
                    var lines: [String] = []
                    for f in sorted {
                        let line = "\(f.id) @ \(f.subject)"
                        if !lines.contains(line) { lines.append(line) }
                    }
                    present.append(RootCause(id: cause.id, symptom: tree.symptom, rank: 0, title: cause.title,
                                             explanation: cause.explanation, fix: cause.fix,
                                             score: cause.weight * 10 + min(lines.count, 9), support: lines,
                                             evidenceIDs: evidence, references: cause.references))
                } else if Self.needsUntested(cause.condition, obs) {
                    state = .unknown
                } else {
                    state = .absent
                }
                leaves.append(.init(id: cause.id, title: cause.title, state: state))
            }
            branches.append(.init(title: branch.title, leaves: leaves))
        }
        // Highest score first; ties keep the tree's order (stable sort on the declared order).
        let ranked = present.enumerated().sorted { a, b in
            a.element.score != b.element.score ? a.element.score > b.element.score : a.offset < b.offset
        }.map(\.element)
        let numbered = ranked.enumerated().map { i, c -> RootCause in var c = c; c.rank = i + 1; return c }
        return FaultTreeConclusion(symptom: tree.symptom, question: tree.symptom.question, rootCauses: numbered,
                                   branches: branches)
    }

    /// The findings that make `condition` true, or nil when it is false.
    static func matching(_ condition: Condition, _ obs: FaultObservations) -> [Finding]? {
        switch condition {
        case .finding(let id, let subject):
            let hits = obs.findings.filter { f in
                let idMatch = id.hasSuffix("*") ? f.id.hasPrefix(String(id.dropLast())) : f.id == id
                return idMatch && (subject.map { f.subject.contains($0) } ?? true)
            }
            return hits.isEmpty ? nil : hits
        case .fact(let name):
            return obs.facts[name]
        case .all(let cs):
            var out: [Finding] = []
            for c in cs {
                guard let m = matching(c, obs) else { return nil }
                out += m
            }
            return out
        case .any(let cs):
            var out: [Finding]?
            for c in cs { if let m = matching(c, obs) { out = (out ?? []) + m } }
            return out
        case .not(let c):
            return matching(c, obs) == nil ? [] : nil
        }
    }

    /// Whether the condition refers to something a stage could not test.
    static func needsUntested(_ condition: Condition, _ obs: FaultObservations) -> Bool {
        switch condition {
        case .finding(let id, _):
            return obs.untested.contains { id.hasPrefix($0) }
        case .fact(let name):
            return obs.untested.contains(name) || obs.untested.contains { name.hasPrefix($0) }
        case .all(let cs), .any(let cs):
            return cs.contains { needsUntested($0, obs) }
        case .not(let c):
            return needsUntested(c, obs)
        }
    }
}
