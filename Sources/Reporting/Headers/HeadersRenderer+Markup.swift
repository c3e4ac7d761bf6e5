import Diagnosis
import MailAuth

extension HeadersRenderer {
    /// Markdown: cells escaped for tables (`|` and backticks), control characters made visible.
    static func md(_ s: String?, max: Int = 300) -> String {
        safe(s, max: max).replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "`", with: "\\`")
            .replacingOccurrences(of: "<", with: "&lt;")
    }

    public static func markdown(_ a: HeaderAnalysis) -> String {
        var out: [String] = ["# Message headers: \(md(a.subject ?? a.messageID ?? "message"))", ""]
        out.append("- Message-ID: \(md(a.messageID ?? "none"))")
        out.append("- From: \(md(a.from ?? "none"))")
        out.append("- Date: \(md(a.date ?? "none"))\(a.dateUTC.map { " (\($0))" } ?? "")")
        out += ["", "## Path (\(a.hops.count) hops, oldest first)", "", "| # | side | by | from | with | TLS | time (UTC) | delay |", "|---|---|---|---|---|---|---|---|"]
        if let d = a.dateUTC { out.append("| 0 | author | (Date field) | | | | \(d) | |") }
        for h in a.hops {
            let from = [h.from.map { md($0, max: 60) }, h.fromAddress.map { "[\(md($0, max: 45))]" }].compactMap { $0 }.joined(separator: " ")
            out.append("| \(h.number) | \(h.side) | \(md(h.by, max: 60)) | \(from) | \(md(h.with, max: 20)) | \(md(tls(h.tls), max: 50)) | \(h.date ?? "-") | \(delay(h)) |")
        }
        for h in a.hops { for p in h.problems { out.append("- hop \(h.number): \(md(p))") } }
        out += ["", "Where the time went: \(timingLine(a.timing))", "", "## Verdicts", ""]
        for v in a.verdicts { out.append("- \(md(v.authservID))\(v.isReceivers ? " (receiver)" : ""): `\(verdictLine(v).replacingOccurrences(of: "`", with: "'"))`") }
        for s in a.dkim { out.append("- our DKIM d=\(md(s.domain)) s=\(md(s.selector)): **\(s.result)**\(s.reason.map { " — \(md($0))" } ?? "")") }
        out.append("- our ARC: **\(a.arc.status.rawValue)**\(a.arc.reason.map { " — \(md($0))" } ?? "")")
        out += ["", "## Why it may land in spam", ""]
        if a.explanations.isEmpty { out.append("No authentication check failed.") }
        for e in a.explanations { out.append("- **\(e.check)**: \(md(e.what, max: 400)) — fix: \(md(e.fix, max: 400))") }
        out += ["", "## Findings", "", "| severity | id | subject | detail |", "|---|---|---|---|"]
        for f in a.findings { out.append("| \(f.severity.rawValue) | \(f.id) | \(md(f.subject)) | \(md(f.detail, max: 500)) |") }
        return out.joined(separator: "\n") + "\n"
    }

    public static func html(_ a: HeaderAnalysis) -> String {
        func e(_ s: String?, max: Int = 300) -> String { htmlEscape(safe(s, max: max)) }
        var out = ["<!doctype html>", "<html><head><meta charset=\"utf-8\"><title>mxray headers: \(e(a.subject ?? "message"))</title>",
                   "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}.bad{color:#a00}</style>",
                   "</head><body>", "<h1>Message headers</h1>", "<dl>"]
        out.append("<dt>Subject</dt><dd>\(e(a.subject ?? "none"))</dd><dt>From</dt><dd>\(e(a.from ?? "none"))</dd>")
        out.append("<dt>Message-ID</dt><dd>\(e(a.messageID ?? "none"))</dd><dt>Date</dt><dd>\(e(a.date ?? "none")) \(e(a.dateUTC))</dd></dl>")
        out.append("<h2>Path (\(a.hops.count) hops, oldest first)</h2><table><tr><th>#</th><th>side</th><th>by</th><th>from</th><th>with</th><th>TLS</th><th>time (UTC)</th><th>delay</th></tr>")
        if let d = a.dateUTC { out.append("<tr><td>0</td><td>author</td><td>(Date field)</td><td></td><td></td><td></td><td>\(d)</td><td></td></tr>") }
        for h in a.hops {
            let from = [h.from, h.fromAddress.map { "[\($0)]" }].compactMap { $0 }.joined(separator: " ")
            out.append("<tr><td>\(h.number)</td><td>\(h.side)</td><td>\(e(h.by))</td><td>\(e(from))</td><td>\(e(h.with))</td><td>\(e(tls(h.tls)))</td><td>\(e(h.date ?? "-"))</td><td\((h.delaySeconds ?? 0) < 0 ? " class=\"bad\"" : "")>\(e(delay(h)))</td></tr>")
        }
        out.append("</table>")
        let problems = a.hops.flatMap { h in h.problems.map { "hop \(h.number): \($0)" } }
        if !problems.isEmpty { out.append("<ul>" + problems.map { "<li class=\"bad\">\(e($0))</li>" }.joined() + "</ul>") }
        out.append("<p>Where the time went: \(e(timingLine(a.timing)))</p>")
        out.append("<h2>Verdicts</h2><ul>")
        for v in a.verdicts { out.append("<li>\(e(v.authservID))\(v.isReceivers ? " (receiver)" : ""): <code>\(e(verdictLine(v)))</code></li>") }
        for s in a.dkim { out.append("<li>our DKIM d=\(e(s.domain)) s=\(e(s.selector)): <b>\(e(s.result))</b> \(e(s.reason))</li>") }
        out.append("<li>our ARC: <b>\(a.arc.status.rawValue)</b> \(e(a.arc.reason))</li></ul>")
        out.append("<h2>Why it may land in spam</h2><ul>")
        if a.explanations.isEmpty { out.append("<li>No authentication check failed.</li>") }
        for x in a.explanations { out.append("<li><b>\(e(x.check))</b>: \(e(x.what, max: 400))<br>fix: \(e(x.fix, max: 400))</li>") }
        out.append("</ul><h2>Findings</h2><table><tr><th>severity</th><th>id</th><th>subject</th><th>detail</th></tr>")
        for f in a.findings { out.append("<tr><td>\(f.severity.rawValue)</td><td>\(f.id)</td><td>\(e(f.subject))</td><td>\(e(f.detail, max: 500))</td></tr>") }
        out.append("</table></body></html>")
        return out.joined(separator: "\n") + "\n"
    }
}
