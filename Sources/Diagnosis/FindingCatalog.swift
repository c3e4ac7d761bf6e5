/// Every finding mxray can raise, declared once. Each area declares its definitions in
/// `Catalog/<Area>Findings.swift` as `extension FindingCatalog { static let <area>: [FindingDefinition] }`
/// and is listed in `areas` below. `docs/findings.md` is generated from `all`.
public enum FindingCatalog {
    /// One entry per area, in report order.
    static var areas: [[FindingDefinition]] {
        [
            dns,
            probe,
            tls,
            auth,
            check,
            flow,
            net,
            headers,
            forecast,
        ]
    }

    public static var all: [FindingDefinition] { areas.flatMap { $0 } }

    /// Looks a definition up by id; ids are unique (a test checks).
    public static func definition(_ id: String) -> FindingDefinition? {
        all.first { $0.id == id }
    }
}
