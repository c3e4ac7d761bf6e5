import Diagnosis
import Foundation
import MailCore

/// The check report as one self-contained HTML file: inline CSS, no scripts, no external
/// assets, readable on screen and when printed. Every piece of text is escaped.
public struct ReportHTMLRenderer: Sendable {
    public init() {}

    public func render(_ r: Report) -> String {
        var b = ["<!DOCTYPE html>", "<html lang=\"en\">", "<head>", "<meta charset=\"utf-8\">",
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
                 "<title>mxray check: \(h(r.target.input))</title>", "<style>", Self.css, "</style>", "</head>", "<body>"]
        b.append("<header><h1>Mail check: \(h(r.target.input)) <span class=\"verdict \(r.verdict.rawValue)\">\(r.verdict.rawValue)</span></h1></header>")
        b += summary(r)
        b += rootCauses(r)
        b += findings(r)
        b += stages(r)
        b += evidence(r)
        b.append("<footer>mxray \(h(r.toolVersion)) · report schema \(h(r.schemaVersion)) · \(h(iso(r.startedAt)))</footer>")
        b += ["</body>", "</html>"]
        return b.joined(separator: "\n") + "\n"
    }

    func summary(_ r: Report) -> [String] {
        var b = ["<section class=\"summary\"><h2>Summary</h2><table>"]
        b.append(row("Provider", r.provider.map { "\(h($0.provider.name)) <small>(\(h($0.matchedBy)))</small>" } ?? "not recognised"))
        let hosts = r.mxHosts.map { "\($0.preference) \(h($0.name)) <small>(\(h($0.addresses.joined(separator: ", "))))\($0.software.map { " " + h($0) } ?? "")</small>" }
        b.append(row("MX hosts", hosts.isEmpty ? "none" : hosts.joined(separator: "<br>")))
        let counts = r.counts.filter { $0.severity != .pass }.map {
            $0.count == 0 ? "<span class=\"sev zero\">0 \($0.severity.rawValue)</span>" : "<span class=\"sev \($0.severity.rawValue)\">\($0.count) \($0.severity.rawValue)</span>"
        }
        b.append(row("Findings", counts.joined(separator: " ")))
        b.append(row("Top root cause", r.topRootCause.map { "<strong>\(h($0.title))</strong><br><small>Fix: \(h($0.fix))</small>" } ?? "none found"))
        b.append(row("Checked", "\(h(iso(r.startedAt))), \(String(format: "%.1f", r.durationSeconds)) s, resolver \(h(r.resolvers.joined(separator: ", ")))"))
        b.append("</table></section>")
        return b
    }

    func rootCauses(_ r: Report) -> [String] {
        let conclusions = r.faultTree.filter { !$0.rootCauses.isEmpty || r.symptom != nil }
        guard !conclusions.isEmpty else { return [] }
        var b = ["<section><h2>Root causes</h2>"]
        for c in conclusions {
            b.append("<h3>\(h(c.question))</h3>")
            if c.rootCauses.isEmpty { b.append("<p>No root cause found among the observations.</p>") }
            b.append("<ol class=\"causes\">")
            for cause in c.rootCauses {
                b.append("<li><strong>\(h(cause.title))</strong><p>\(h(cause.explanation))</p><p class=\"fix\">Fix: \(h(cause.fix))</p>")
                b.append("<ul class=\"support\">" + cause.support.prefix(8).map { "<li><code>\(h($0))</code></li>" }.joined() + "</ul></li>")
            }
            b.append("</ol>")
            b.append("<pre class=\"tree\">\(h(ReportTextRenderer.drawTree(c).joined(separator: "\n")))</pre>")
        }
        b.append("</section>")
        return b
    }

    func findings(_ r: Report) -> [String] {
        var b = ["<section><h2>Findings</h2>"]
        if r.findings.isEmpty { b.append("<p>None.</p>") }
        for severity in Severity.allCases.reversed() {
            let group = r.findings.filter { $0.severity == severity }
            guard !group.isEmpty else { continue }
            b.append("<h3 class=\"sev \(severity.rawValue)\">\(severity.rawValue.capitalized) (\(group.count))</h3>")
            b.append("<table class=\"findings\"><thead><tr><th>Finding</th><th>Subject</th><th>Detail</th><th>Fix</th></tr></thead><tbody>")
            for f in group {
                let refs = f.references.map { "<a href=\"\(h($0.url))\">\(h($0.description))</a>" }.joined(separator: ", ")
                let ev = f.evidenceIDs.map { "<a href=\"#ev-\(anchor($0))\">evidence</a>" }.joined(separator: " ")
                b.append("<tr><td><code>\(h(f.id))</code><br>\(h(f.title))</td><td>\(h(f.subject))</td><td>\(h(f.detail)) \(ev)</td><td>\(h(f.remediation))\(refs.isEmpty ? "" : "<br><small>\(refs)</small>")</td></tr>")
            }
            b.append("</tbody></table>")
        }
        b.append("</section>")
        return b
    }

    func stages(_ r: Report) -> [String] {
        var b = ["<section><h2>Stages</h2><table><thead><tr><th>Stage</th><th>Status</th><th>Time</th><th>Detail</th></tr></thead><tbody>"]
        for s in r.stages {
            b.append("<tr><td>\(h(s.name))</td><td>\(h(s.status.rawValue))</td><td>\(String(format: "%.0f", s.milliseconds)) ms</td><td>\(h(s.detail))</td></tr>")
        }
        b.append("</tbody></table></section>")
        return b
    }

    func evidence(_ r: Report) -> [String] {
        let used = Set(r.findings.flatMap(\.evidenceIDs))
        let items = r.evidence.filter { used.contains($0.id) }
        guard !items.isEmpty else { return [] }
        var b = ["<section><h2>Evidence</h2>"]
        for e in items {
            b.append("<details id=\"ev-\(anchor(e.id))\"><summary>\(h(e.title)) <small>(\(h(e.kind.rawValue)))</small></summary>")
            b.append("<pre>\(h(e.lines.prefix(200).map { Transcript.printable($0, limit: 400) }.joined(separator: "\n")))</pre></details>")
        }
        b.append("</section>")
        return b
    }

    func row(_ k: String, _ v: String) -> String { "<tr><th>\(h(k))</th><td>\(v)</td></tr>" }

    func h(_ s: String) -> String { htmlEscape(s) }

    /// An id attribute value: letters, digits and dashes only.
    func anchor(_ s: String) -> String {
        String(s.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
    }

    static let css = """
    body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:70rem;margin:1.5rem auto;padding:0 1rem;color:#1b1f24}
    h1{font-size:1.5rem}h2{border-bottom:1px solid #ccd;padding-bottom:.2rem;margin-top:2rem}
    table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:.3rem .5rem;border-bottom:1px solid #e3e6ea}
    .summary th{width:11rem}code,pre{font:13px/1.35 ui-monospace,Menlo,Consolas,monospace}pre{background:#f5f6f8;padding:.6rem;overflow-x:auto;white-space:pre-wrap}
    .verdict{font-size:.9rem;padding:.15rem .5rem;border-radius:.3rem;color:#fff;vertical-align:middle;text-transform:uppercase}
    .healthy{background:#1a7f37}.degraded{background:#9a6700}.failing{background:#cf222e}.unknown{background:#57606a}
    .sev{font-weight:600}.sev.critical{color:#a40e26}.sev.error{color:#cf222e}.sev.warning{color:#9a6700}.sev.notice{color:#0969da}.sev.info{color:#57606a}.sev.pass{color:#1a7f37}.sev.zero{color:#8c959f;font-weight:400}
    .fix{font-weight:600}footer{margin-top:2rem;color:#57606a;font-size:.85rem}
    @media print{body{max-width:none;margin:0;font-size:11pt}details{display:block}details>pre{display:block}a{color:inherit;text-decoration:none}section{break-inside:avoid-page}}
    """
}
