import Diagnosis

/// Renders the findings catalog as the Markdown of `docs/findings.md` (a test keeps the file in
/// step with the catalog; regenerate with `mxray findings --format markdown > docs/findings.md`).
public enum FindingsDocRenderer {
    public static func markdown(_ definitions: [FindingDefinition] = FindingCatalog.all) -> String {
        var out = """
        # Findings

        Every finding mxray can raise, generated from the catalog in `Sources/Diagnosis/Catalog/`
        (`mxray findings --format markdown`). Ids are stable: scripts, alert rules and compliance
        profiles may depend on them. Severity is the default; a check may raise a finding higher or
        lower with the reason in its detail.

        """
        var area = ""
        for d in definitions {
            let a = String(d.id.split(separator: ".").first ?? "")
            if a != area {
                area = a
                out += "\n## \(a)\n\n| id | severity | title |\n|---|---|---|\n"
            }
            out += "| `\(d.id)` | \(d.severity.rawValue) | \(escape(d.title)) |\n"
        }
        out += "\n## Remediation\n"
        for d in definitions {
            out += "\n### `\(d.id)`\n\n\(d.title).\n\n**Fix:** \(d.remediation)\n"
            if !d.references.isEmpty {
                out += "\n**References:** " + d.references.map { "[\($0)](\($0.url))" }.joined(separator: ", ") + "\n"
            }
            if !d.guidance.isEmpty {
                out += "\n**Guidance:** " + d.guidance.joined(separator: "; ") + "\n"
            }
        }
        return out
    }

    /// One line per finding, for the terminal.
    public static func text(_ definitions: [FindingDefinition] = FindingCatalog.all) -> String {
        var table = TextTable(["id", "severity", "title"])
        for d in definitions { table.add([d.id, d.severity.rawValue, d.title]) }
        return table.rendered()
    }

    static func escape(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
}

import Foundation
