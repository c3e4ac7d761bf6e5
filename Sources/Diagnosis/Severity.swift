/// How much a finding matters, in increasing order. `--fail-on` compares against this.
public enum Severity: String, Sendable, Codable, CaseIterable, Comparable {
    case pass, info, notice, warning, error, critical

    private var rank: Int { Severity.allCases.firstIndex(of: self)! }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}
