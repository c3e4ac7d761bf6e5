import Diagnosis
import Foundation
import MailCore

/// `mxray audit` as text, Markdown and one self-contained HTML page: per control its status
/// (pass, fail, not assessed) and the findings behind it, then the evidence those findings
/// cite. JSON is the `AuditResult` itself.
public struct AuditRenderer: Sendable {
    public init() {}

    static func mark(_ s: ControlResult.Status) -> String {
        switch s {
        case .pass: return "PASS"
        case .fail: return "FAIL"
        case .notAssessed: return "N/A "
        }
    }

    static func summary(_ a: AuditResult) -> String {
        "\(a.passed) pass, \(a.failed) fail, \(a.notAssessed) not assessed of \(a.controls.count) controls"
    }

    static func printable(_ s: String) -> String { Transcript.printable(s, limit: 400) }

    // MARK: text

    public func text(_ a: AuditResult) -> String {
        var out = ["mxray audit \(Self.printable(a.report.target.input)) — \(a.profileName)",
                   "  Document: \(a.document) (\(a.documentVersion)); mapping version \(a.profileVersion)",
                   "  Result:   \(Self.summary(a))",
                   "  Reading:  \(a.reading)", ""]
        for c in a.controls {
            out.append("  [\(Self.mark(c.status))] §\(c.section) \(c.title)")
            out.append("         \(Self.printable(c.reason))")
            for f in c.findings {
                out.append("         - \(f.severity.rawValue) \(f.id) @ \(Self.printable(f.subject)): \(Self.printable(f.detail))"
                           + (f.evidenceIDs.isEmpty ? "" : " [evidence \(f.evidenceIDs.joined(separator: ", "))]"))
            }
        }
        out += ["", "Based on the check of \(Self.printable(a.report.target.input)) at \(iso(a.report.startedAt)) (\(String(format: "%.1f", a.report.durationSeconds)) s); `mxray check` shows the evidence in full."]
        return out.joined(separator: "\n")
    }

    // MARK: markdown

    public func markdown(_ a: AuditResult) -> String {
        func md(_ s: String) -> String {
            Self.printable(s).replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
        }
        var out = ["# Audit: \(md(a.report.target.input)) — \(md(a.profileName))", "",
                   "- **Document:** \(md(a.document)) (\(md(a.documentVersion))), mapping version \(a.profileVersion)",
                   "- **Result:** \(Self.summary(a))",
                   "- **Checked:** \(iso(a.report.startedAt))",
                   "- **Reading:** \(md(a.reading))", "",
                   "| Status | Section | Control | Why | Findings |", "|---|---|---|---|---|"]
        for c in a.controls {
            let fs = c.findings.map { "`\($0.id)` @ \(md($0.subject))" }.joined(separator: "<br>")
            out.append("| \(Self.mark(c.status).trimmingCharacters(in: .whitespaces)) | \(md(c.section)) | \(md(c.title)) | \(md(c.reason)) | \(fs) |")
        }
        out.append("")
        return out.joined(separator: "\n")
    }

    // MARK: HTML

    public func html(_ a: AuditResult) -> String {
        let h = htmlEscape
        var b = ["<!DOCTYPE html>", "<html lang=\"en\">", "<head>", "<meta charset=\"utf-8\">",
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
                 "<title>mxray audit: \(h(a.report.target.input)) — \(h(a.profileName))</title>", "<style>", Self.css, "</style>", "</head>", "<body>"]
        b.append("<header><h1>Audit: \(h(a.report.target.input))</h1><p>\(h(a.profileName))</p></header>")
        b.append("<section><table class=\"meta\">")
        b.append("<tr><th>Document</th><td>\(h(a.document)) (\(h(a.documentVersion)))</td></tr>")
        b.append("<tr><th>Result</th><td><span class=\"st pass\">\(a.passed) pass</span> <span class=\"st fail\">\(a.failed) fail</span> <span class=\"st na\">\(a.notAssessed) not assessed</span></td></tr>")
        b.append("<tr><th>Checked</th><td>\(h(iso(a.report.startedAt))), \(String(format: "%.1f", a.report.durationSeconds)) s</td></tr>")
        b.append("<tr><th>Reading</th><td>\(h(a.reading))</td></tr>")
        b.append("</table></section>")
        b.append("<section><h2>Controls</h2><table class=\"controls\"><thead><tr><th>Status</th><th>Section</th><th>Control</th><th>Why and findings</th></tr></thead><tbody>")
        var cited: [String] = []
        for c in a.controls {
            let cls = c.status == .pass ? "pass" : c.status == .fail ? "fail" : "na"
            var cell = "<p>\(h(c.reason))</p>"
            if !c.findings.isEmpty {
                cell += "<ul>" + c.findings.map { f in
                    "<li><code>\(h(f.id))</code> \(h(f.severity.rawValue)) @ \(h(f.subject)): \(h(f.detail))"
                        + (f.evidenceIDs.isEmpty ? "" : " <small>evidence: " + f.evidenceIDs.map { "<a href=\"#ev-\(anchor($0))\">\(h($0))</a>" }.joined(separator: ", ") + "</small>")
                        + "</li>"
                }.joined() + "</ul>"
                for f in c.findings { for e in f.evidenceIDs where !cited.contains(e) { cited.append(e) } }
            }
            b.append("<tr class=\"\(cls)\"><td><span class=\"st \(cls)\">\(h(c.status.rawValue))</span></td><td>\(h(c.section))</td><td>\(h(c.title))</td><td>\(cell)</td></tr>")
        }
        b.append("</tbody></table></section>")
        let evidence = cited.compactMap { a.report.evidence($0) }
        if !evidence.isEmpty {
            b.append("<section><h2>Evidence</h2>")
            for e in evidence {
                b.append("<details id=\"ev-\(anchor(e.id))\"><summary>\(h(e.id)): \(h(e.title))</summary><pre>\(h(e.lines.prefix(200).joined(separator: "\n")))</pre></details>")
            }
            b.append("</section>")
        }
        b.append("<footer>mxray \(h(a.report.toolVersion)) · profile \(h(a.profileID)) v\(h(a.profileVersion))</footer>")
        b += ["</body>", "</html>"]
        return b.joined(separator: "\n") + "\n"
    }

    func anchor(_ id: String) -> String {
        String(id.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) ? Character($0) : "-" })
    }

    static let css = """
    body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:70em;padding:0 1em;color:#222}
    h1{font-size:1.5em;margin-bottom:.2em}header p{margin-top:0;color:#555}
    table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #ccc;padding:.35em .5em;text-align:left;vertical-align:top}
    table.meta th{width:9em;background:#f4f4f4}thead th{background:#f4f4f4}
    .st{display:inline-block;padding:0 .4em;border-radius:3px;font-weight:600;font-size:.9em}
    .st.pass{background:#d8f0d8;color:#14521a}.st.fail{background:#f8d7d7;color:#7a1212}.st.na{background:#eee;color:#555}
    td p{margin:0 0 .3em}ul{margin:.2em 0;padding-left:1.2em}code{font-size:.9em}
    pre{white-space:pre-wrap;word-break:break-all;font-size:.85em;background:#f8f8f8;padding:.5em}
    footer{margin-top:2em;color:#777;font-size:.85em}
    @media print{body{max-width:none;margin:0}details{display:block}details>*{display:block}tr{break-inside:avoid}}
    """
}
