/// What each stage of a check needs and produces, as data. The engine starts each stage as soon
/// as its inputs exist (see `CheckEngine.run`), and when a stage cannot test, every finding its
/// dependents would raise becomes "unknown" to the fault trees: the plan tells which, so a stage
/// added here is covered without another hand-kept prefix list.
public enum CheckInput: String, Sendable, Codable, CaseIterable {
    /// What the user typed, parsed (always present).
    case target
    /// The MX set in preference order (RFC 5321 §5.1).
    case mxSet = "mx-set"
    /// The MX hosts' addresses.
    case addresses
    /// Per address and port: connect state, greeting, capabilities, TLS (the probe observations).
    case portObservations = "port-observations"
    /// Port 25 open on some address: what the TLS scan needs.
    case openSMTPPorts = "open-smtp-ports"
    case tlsResults = "tls-results"
    /// SPF, DKIM, DMARC, MTA-STS, TLS-RPT results.
    case policies
    /// SRV, autoconfig and Autodiscover settings.
    case publishedClientSettings = "published-client-settings"
}

public struct StageDeclaration: Sendable, Hashable {
    public let name: String
    public let needs: [CheckInput]
    public let produces: [CheckInput]
    /// Finding id prefixes this stage raises (unknown when it cannot test).
    public let findingPrefixes: [String]
}

public enum CheckPlan {
    public static let stages: [StageDeclaration] = [
        StageDeclaration(name: Stage.locate, needs: [.target], produces: [.mxSet, .addresses],
                         findingPrefixes: ReportAccumulator.dnsPrefixes),
        StageDeclaration(name: Stage.auth, needs: [.target], produces: [.policies],
                         findingPrefixes: ReportAccumulator.authPrefixes),
        StageDeclaration(name: Stage.probe, needs: [.addresses], produces: [.portObservations, .openSMTPPorts],
                         findingPrefixes: ReportAccumulator.probePrefixes),
        StageDeclaration(name: Stage.tls, needs: [.openSMTPPorts], produces: [.tlsResults],
                         findingPrefixes: ReportAccumulator.tlsPrefixes),
        StageDeclaration(name: Stage.clientConfig, needs: [.target, .portObservations], produces: [.publishedClientSettings],
                         findingPrefixes: ReportAccumulator.clientPrefixes),
        StageDeclaration(name: Stage.provider, needs: [.mxSet, .portObservations, .policies], produces: [],
                         findingPrefixes: ["provider."]),
    ]

    public static func stage(_ name: String) -> StageDeclaration? { stages.first { $0.name == name } }

    /// The stages that need, directly or through others, what `name` produces.
    public static func dependents(of name: String) -> [String] {
        var lost = Set(stage(name)?.produces ?? [])
        var out: [String] = []
        var changed = true
        while changed {
            changed = false
            for s in stages where s.name != name && !out.contains(s.name) && s.needs.contains(where: lost.contains) {
                out.append(s.name)
                lost.formUnion(s.produces)
                changed = true
            }
        }
        return out
    }

    /// Finding prefixes that nobody could observe when `name` could not test: its own and those
    /// of every stage that depends on it.
    public static func untestedPrefixes(when name: String) -> [String] {
        ([name] + dependents(of: name)).flatMap { stage($0)?.findingPrefixes ?? [] }
    }
}
