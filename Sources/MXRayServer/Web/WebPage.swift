import Foundation
import Reporting

/// The page frame of the dashboard: inline CSS, one optional same-origin script (progressive
/// enhancement only: every page works without it), a navigation bar with the logout form.
struct WebPage {
    var title: String
    var body: [String]
    /// The session's CSRF token, for the logout form; nil on the login page.
    var csrf: String?
    var user: String?

    func render() -> String {
        var b = ["<!DOCTYPE html>", "<html lang=\"en\">", "<head>", "<meta charset=\"utf-8\">",
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
                 "<title>\(h(title)) · mxray</title>", "<style>\(Self.css)</style>",
                 "<script src=\"/static/app.js\" defer></script>", "</head>", "<body>"]
        if let csrf, let user {
            b.append("<nav><a class=\"brand\" href=\"/\">mxray</a> <a href=\"/\">Targets</a> <a href=\"/changes\">Changes</a> <a href=\"/alerts\">Alerts</a>"
                     + "<form class=\"logout\" method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\"\(h(csrf))\">"
                     + "<span class=\"muted\">\(h(user))</span> <button type=\"submit\">Log out</button></form></nav>")
        }
        b.append("<main>")
        b += body
        b += ["</main>", "</body>", "</html>"]
        return b.joined(separator: "\n") + "\n"
    }

    static let css = """
    body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1b1f24;background:#f6f8fa}
    nav{background:#24292f;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;align-items:center}
    nav a{color:#fff;text-decoration:none}nav .brand{font-weight:700}nav .logout{margin-left:auto}nav .muted{color:#d0d7de}
    main{max-width:72rem;margin:1rem auto;padding:0 1rem}
    section,.card{background:#fff;border:1px solid #d0d7de;border-radius:.4rem;padding:.8rem 1rem;margin:1rem 0}
    table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:middle;padding:.35rem .5rem;border-bottom:1px solid #e3e6ea}
    .status{display:inline-block;padding:.1rem .5rem;border-radius:.3rem;color:#fff;font-size:.85rem;text-transform:uppercase}
    .healthy,.ok{background:#1a7f37}.degraded{background:#9a6700}.failing,.failed,.firing{background:#cf222e}.unknown,.pending{background:#57606a}.resolved{background:#0969da}
    .muted{color:#57606a}code,pre{font:13px/1.35 ui-monospace,Menlo,Consolas,monospace}pre{white-space:pre-wrap;margin:0}
    iframe.report{width:100%;height:70rem;border:1px solid #d0d7de;border-radius:.4rem;background:#fff}
    form.inline{display:inline}button{font:inherit;padding:.25rem .8rem;border-radius:.3rem;border:1px solid #8c959f;background:#f6f8fa;cursor:pointer}
    .login{max-width:22rem;margin:4rem auto}.login label{display:block;margin:.6rem 0 .2rem}.login input{width:100%;padding:.4rem;font:inherit;box-sizing:border-box}
    .error{color:#cf222e;font-weight:600}.notice{color:#1a7f37;font-weight:600}
    """

    func h(_ s: String) -> String { htmlEscape(s) }
}

/// The small script served at `/static/app.js`: shows times in the browser's zone and reloads
/// the overview every 60 s. Nothing depends on it.
enum WebScript {
    static let appJS = """
    "use strict";
    document.addEventListener("DOMContentLoaded", function () {
      document.querySelectorAll("time[datetime]").forEach(function (t) {
        var d = new Date(t.getAttribute("datetime"));
        if (!isNaN(d)) { t.title = t.textContent; t.textContent = d.toLocaleString(); }
      });
      if (document.body.dataset && document.querySelector("[data-autorefresh]")) {
        setTimeout(function () { location.reload(); }, 60000);
      }
    });
    """
}

enum WebFormat {
    static func iso(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        return f.string(from: d)
    }

    /// `<time datetime="…">2026-11-29 18:00 UTC</time>`
    static func time(_ d: Date?) -> String {
        guard let d else { return "<span class=\"muted\">never</span>" }
        return "<time datetime=\"\(iso(d))\">\(htmlEscape(SVGChart.stamp(d)))</time>"
    }

    static func seconds(_ s: Double) -> String { String(format: "%.2f s", s) }

    static func pathComponent(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? s
    }
}
