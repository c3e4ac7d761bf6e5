import Diagnosis
import Foundation
import MailCore

/// The check report as Markdown, for tickets: summary table, root causes, findings by severity,
/// stages. Peer text is escaped so it cannot break the table or inject markup.
public struct ReportMarkdownRenderer: Sendable {
    public init() {}

    public func render(_ r: Report) -> String {
        var out = ["# mxray check: \(md(r.target.input)) — \(r.verdict.rawValue)", ""]
        out += ["| | |", "|---|---|"]
        out.append("| Provider | \(r.provider.map { "\(md($0.provider.name)) (\(md($0.matchedBy)))" } ?? "not recognised") |")
        let hosts = r.mxHosts.map { "\($0.preference) \(md($0.name)) (\($0.addresses.joined(separator: ", ")))" }.joined(separator: "<br>")
        out.append("| MX hosts | \(hosts.isEmpty ? "none" : hosts) |")
        out.append("| Findings | \(r.counts.filter { $0.severity != .pass }.map { "\($0.count) \($0.severity.rawValue)" }.joined(separator: ", ")) |")
        out.append("| Top root cause | \(r.topRootCause.map { md($0.title) } ?? "none found") |")
        out.append("| Checked | \(iso(r.startedAt)), \(String(format: "%.1f", r.durationSeconds)) s, resolver \(r.resolvers.joined(separator: ", ")) |")
        out.append("| Tool | mxray \(r.toolVersion), report schema \(r.schemaVersion) |")

        let conclusions = r.faultTree.filter { !$0.rootCauses.isEmpty || r.symptom != nil }
        if !conclusions.isEmpty {
            out += ["", "## Root causes"]
            for c in conclusions {
                out += ["", "### \(c.question)", ""]
                if c.rootCauses.isEmpty { out.append("No root cause found among the observations.") }
                for cause in c.rootCauses {
                    out.append("\(cause.rank). **\(md(cause.title))** — \(md(cause.explanation))")
                    out.append("   - Fix: \(md(cause.fix))")
                    out.append("   - Evidence: " + cause.support.prefix(6).map { "`\(code($0))`" }.joined(separator: ", "))
                }
                out += ["", "```", ReportTextRenderer.drawTree(c).joined(separator: "\n"), "```"]
            }
        }

        out += ["", "## Findings"]
        for severity in Severity.allCases.reversed() {
            let group = r.findings.filter { $0.severity == severity }
            guard !group.isEmpty else { continue }
            out += ["", "### \(severity.rawValue.capitalized) (\(group.count))", "", "| Finding | Subject | Detail | Fix |", "|---|---|---|---|"]
            for f in group {
                out.append("| `\(f.id)` \(md(f.title)) | \(md(f.subject)) | \(md(f.detail)) | \(md(f.remediation)) |")
            }
        }

        out += ["", "## Stages", "", "| Stage | Status | Time | Detail |", "|---|---|---|---|"]
        for s in r.stages {
            out.append("| \(s.name) | \(s.status.rawValue) | \(String(format: "%.0f", s.milliseconds)) ms | \(md(s.detail)) |")
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// Escapes Markdown table and inline syntax in text that may come from a peer.
    func md(_ s: String) -> String {
        var out = ""
        for c in Transcript.printable(s, limit: 600) {
            switch c {
            case "|", "*", "_", "`", "[", "]", "<", ">", "#", "\\": out += "\\\(c)"
            case "\n", "\r": out += " "
            default: out.append(c)
            }
        }
        return out
    }

    func code(_ s: String) -> String { Transcript.printable(s, limit: 200).replacingOccurrences(of: "`", with: "'") }
}
