import Diagnosis
import Foundation
import Reporting

/// The dashboard's pages as HTML strings, built from the history. Every value is escaped.
struct DashboardPages {
    let context: ServerContext
    let session: UISession

    func page(_ title: String, _ body: [String]) -> String {
        WebPage(title: title, body: body, csrf: session.csrfToken, user: session.user).render()
    }

    func runNowForm(_ target: String) -> String {
        "<form class=\"inline\" method=\"post\" action=\"/targets/\(WebFormat.pathComponent(target))/run\">"
            + "<input type=\"hidden\" name=\"csrf\" value=\"\(htmlEscape(session.csrfToken))\"><button type=\"submit\">Run now</button></form>"
    }

    /// `5 min`, `1 h`, `90 s`.
    static func interval(_ d: Duration) -> String {
        let s = d.components.seconds
        if s % 3600 == 0 { return "\(s / 3600) h" }
        if s % 60 == 0 { return "\(s / 60) min" }
        return "\(s) s"
    }

    static func statusBadge(_ run: RunRecord?) -> String {
        guard let run else { return "<span class=\"status pending\">pending</span>" }
        return "<span class=\"status \(run.verdict.rawValue)\">\(htmlEscape(run.verdict.rawValue))</span>"
    }

    /// `/`: every configured target with its status, last check and a sparkline of recent runs.
    func overview(notice: String? = nil) throws -> String {
        let config = context.config
        let names = config.targets.map(\.name)
        let statuses = try context.history.targetStatuses(names, recent: 30)
        let next = context.scheduler.nextRuns()
        var b = ["<h1 data-autorefresh>Targets</h1>"]
        if let notice { b.append("<p class=\"notice\">\(htmlEscape(notice))</p>") }
        b.append("<section><table id=\"targets\"><thead><tr><th>Target</th><th>Checks</th><th>Status</th><th>Last check</th><th>Duration</th><th>Findings</th><th>Recent runs</th><th>Next</th><th></th></tr></thead><tbody>")
        for (t, s) in zip(config.targets, statuses) {
            let last = s.lastRun
            let counts = last.map { r in
                ["critical", "error", "warning"].compactMap { k in (r.findingCounts[k] ?? 0) > 0 ? "\(r.findingCounts[k]!) \(k)" : nil }.joined(separator: ", ")
            } ?? ""
            b.append("<tr data-target=\"\(htmlEscape(t.name))\"><td><a href=\"/targets/\(WebFormat.pathComponent(t.name))\">\(htmlEscape(t.name))</a><br><small class=\"muted\">\(htmlEscape(t.kind.rawValue)) \(htmlEscape(t.value))</small></td>"
                     + "<td><small>\(htmlEscape(t.checks.map(\.rawValue).sorted().joined(separator: ", ")))</small></td>"
                     + "<td>\(Self.statusBadge(last))\(anomalyBadge(t.name))</td><td>\(WebFormat.time(last?.finishedAt))</td>"
                     + "<td>\(last.map { WebFormat.seconds($0.durationSeconds) } ?? "")</td><td>\(htmlEscape(counts.isEmpty && last != nil ? "none at warning or above" : counts))</td>"
                     + "<td>\(SVGChart.sparkline(s.recent))</td><td>\(WebFormat.time(next[t.name]))</td><td>\(runNowForm(t.name))</td></tr>")
        }
        b.append("</tbody></table></section>")
        if config.targets.isEmpty { b.append("<p class=\"muted\">No targets configured.</p>") }
        return page("Targets", b)
    }

    /// `/targets/:name`: latest run, charts over the last days, recent changes, alerts, the report.
    func target(_ name: String, days: Int = 7) throws -> String? {
        guard let t = context.config.target(named: name) else { return nil }
        let latest = try context.history.latestRun(target: name)
        let series = try context.history.series(target: name, since: Date().addingTimeInterval(-Double(days) * 86_400))
        let runs = try context.history.runs(target: name, limit: 20)
        let changes = try context.history.changes(target: name, limit: 30)
        let alerts = try context.history.alerts(target: name, limit: 20)
        var b = ["<h1>\(htmlEscape(name)) \(Self.statusBadge(latest))</h1>",
                 "<div class=\"muted\">\(htmlEscape(t.kind.rawValue)) <code>\(htmlEscape(t.value))</code> · every \(Self.interval(t.interval)) · \(runNowForm(name))</div>"]
        if let latest {
            b.append("<section><h2>Latest run</h2><table><tr><th>Finished</th><td>\(WebFormat.time(latest.finishedAt))</td></tr>"
                     + "<tr><th>Verdict</th><td>\(htmlEscape(latest.verdict.rawValue)), worst finding \(htmlEscape(latest.worstSeverity.rawValue))</td></tr>"
                     + "<tr><th>Duration</th><td>\(WebFormat.seconds(latest.durationSeconds))</td></tr>"
                     + "<tr><th>Top root cause</th><td>\(htmlEscape(latest.report?.topRootCause?.title ?? "none found"))</td></tr></table></section>")
        } else {
            b.append("<section><p>No run yet.</p></section>")
        }
        b.append("<section><h2>Check duration, last \(days) days</h2>\(SVGChart.latency(series))</section>")
        b.append("<section><h2>Success, last \(days) days</h2>\(SVGChart.successRate(series))</section>")
        b += intelSections(name)
        b.append("<section><h2>Changes</h2>\(changeTable(changes, showTarget: false))</section>")
        b.append("<section><h2>Alerts</h2>\(alertTable(alerts, showTarget: false))</section>")
        b.append("<section><h2>Runs</h2><table><thead><tr><th>Run</th><th>Finished</th><th>Verdict</th><th>Duration</th><th></th></tr></thead><tbody>")
        for r in runs {
            b.append("<tr><td>#\(r.id)</td><td>\(WebFormat.time(r.finishedAt))</td><td>\(Self.statusBadge(r))</td><td>\(WebFormat.seconds(r.durationSeconds))</td><td><a href=\"/runs/\(r.id)/report\">report</a></td></tr>")
        }
        b.append("</tbody></table></section>")
        if let latest {
            b.append("<section><h2>Latest report</h2><p><a href=\"/runs/\(latest.id)/report\">Open the report on its own</a></p>"
                     + "<iframe class=\"report\" title=\"latest report\" src=\"/runs/\(latest.id)/report\"></iframe></section>")
        }
        return page(name, b)
    }

    func changeTable(_ changes: [ChangeEvent], showTarget: Bool) -> String {
        guard !changes.isEmpty else { return "<p class=\"muted\">No changes recorded.</p>" }
        var b = "<table class=\"changes\"><thead><tr><th>When</th>\(showTarget ? "<th>Target</th>" : "")<th>What</th><th>Before</th><th>After</th></tr></thead><tbody>"
        for c in changes {
            b += "<tr><td>\(WebFormat.time(c.at))</td>"
            if showTarget { b += "<td><a href=\"/targets/\(WebFormat.pathComponent(c.target))\">\(htmlEscape(c.target))</a></td>" }
            b += "<td>\(htmlEscape(c.kind.rawValue)) <small>\(htmlEscape(c.subject))</small></td><td><pre>\(htmlEscape(c.before ?? "—"))</pre></td><td><pre>\(htmlEscape(c.after ?? "—"))</pre></td></tr>"
        }
        return b + "</tbody></table>"
    }

    func alertTable(_ alerts: [AlertEvent], showTarget: Bool) -> String {
        guard !alerts.isEmpty else { return "<p class=\"muted\">No alerts recorded.</p>" }
        var b = "<table class=\"alerts\"><thead><tr><th>When</th>\(showTarget ? "<th>Target</th>" : "")<th>Rule</th><th>State</th><th>Severity</th><th>Summary</th></tr></thead><tbody>"
        for a in alerts {
            b += "<tr><td>\(WebFormat.time(a.at))</td>"
            if showTarget { b += "<td><a href=\"/targets/\(WebFormat.pathComponent(a.target))\">\(htmlEscape(a.target))</a></td>" }
            b += "<td>\(htmlEscape(a.rule))</td><td><span class=\"status \(a.state.rawValue)\">\(a.state.rawValue)</span></td><td>\(htmlEscape(a.severity))</td><td>\(htmlEscape(a.summary))</td></tr>"
        }
        return b + "</tbody></table>"
    }

    func changes() throws -> String {
        page("Changes", ["<h1>Changes</h1>", "<section>\(changeTable(try context.history.changes(limit: 200), showTarget: true))</section>"])
    }

    func alerts(deliveryErrors: [String]) throws -> String {
        var b = ["<h1>Alerts</h1>", "<section>\(alertTable(try context.history.alerts(limit: 200), showTarget: true))</section>"]
        if !deliveryErrors.isEmpty {
            b.append("<section><h2>Delivery errors</h2><ul>" + deliveryErrors.reversed().map { "<li>\(htmlEscape($0))</li>" }.joined() + "</ul></section>")
        }
        return page("Alerts", b)
    }
}

/// The login page (no session yet).
enum LoginPage {
    static func render(formToken: String, error: String?, askCode: Bool = true) -> String {
        var b = ["<div class=\"login card\"><h1>mxray</h1>"]
        if let error { b.append("<p class=\"error\" role=\"alert\">\(htmlEscape(error))</p>") }
        b.append("<form method=\"post\" action=\"/login\">")
        b.append("<input type=\"hidden\" name=\"csrf\" value=\"\(htmlEscape(formToken))\">")
        b.append("<label for=\"user\">User</label><input id=\"user\" name=\"user\" autocomplete=\"username\" required autofocus>")
        b.append("<label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>")
        if askCode {
            b.append("<label for=\"code\">One-time code <small class=\"muted\">(if enabled)</small></label><input id=\"code\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" pattern=\"[0-9 ]{6,8}\">")
        }
        b.append("<p><button type=\"submit\">Log in</button></p></form></div>")
        return WebPage(title: "Log in", body: b).render()
    }
}
