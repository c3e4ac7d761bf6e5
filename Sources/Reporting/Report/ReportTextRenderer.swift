import Diagnosis
import Foundation
import MailCore

/// The terminal report of `mxray check`: a summary first (provider, MX hosts, verdict, counts by
/// severity, the top root cause), then the stages, the findings grouped by severity, and the
/// fault tree drawn as a tree. Colour only when asked (the CLI turns it off for NO_COLOR and
/// non-TTY output). Peer text is made printable.
public struct ReportTextRenderer: Sendable {
    public var color: Bool
    /// Show info and pass findings one per line instead of in full.
    public var compactLowSeverity = true

    public init(color: Bool = false) { self.color = color }

    /// Colour is on only for a terminal and when NO_COLOR is unset or empty (https://no-color.org).
    public static func wantsColor(environment: [String: String], isTTY: Bool) -> Bool {
        isTTY && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
    }

    public func render(_ r: Report) -> String {
        var out: [String] = []
        out += summary(r)
        out += [""] + stages(r)
        out += [""] + findings(r)
        out += faultTrees(r)
        return out.joined(separator: "\n")
    }

    // MARK: summary

    func summary(_ r: Report) -> [String] {
        var out = [bold("mxray check \(safe(r.target.input))") + " — " + verdictText(r.verdict)]
        let provider = r.provider.map { "\($0.provider.name) (matched by \(safe($0.matchedBy)))" } ?? "not recognised"
        out.append("  Provider:   \(provider)")
        if r.mxHosts.isEmpty {
            out.append("  MX hosts:   none")
        } else {
            for (i, h) in r.mxHosts.enumerated() {
                let sw = h.software.map { "  \(safe($0))" } ?? ""
                let addrs = h.addresses.isEmpty ? "no address" : h.addresses.joined(separator: ", ")
                out.append((i == 0 ? "  MX hosts:   " : "              ") + "\(h.preference) \(h.name) (\(addrs))\(sw)")
            }
        }
        let counts = r.counts.filter { $0.severity != .pass }.map { paint("\($0.count) \($0.severity.rawValue)", $0.count > 0 ? $0.severity : nil) }
        out.append("  Findings:   " + counts.joined(separator: ", "))
        if let top = r.topRootCause {
            out.append("  Top cause:  " + bold(top.title) + " (\(top.symptom.rawValue))")
            out.append("              fix: \(top.fix)")
        } else {
            out.append("  Top cause:  none found" + (r.symptom.map { " for \"\($0.question)\"" } ?? ""))
        }
        out.append("  Checked:    \(iso(r.startedAt)) in \(String(format: "%.1f", r.durationSeconds)) s"
                   + (r.resolvers.isEmpty ? "" : " via \(r.resolvers.joined(separator: ", "))"))
        return out
    }

    func verdictText(_ v: Verdict) -> String {
        switch v {
        case .healthy: return paint("HEALTHY", .pass)
        case .degraded: return paint("DEGRADED", .warning)
        case .failing: return paint("FAILING", .critical)
        case .unknown: return paint("UNKNOWN (could not test)", .notice)
        }
    }

    // MARK: stages

    func stages(_ r: Report) -> [String] {
        var table = TextTable(["STAGE", "STATUS", "TIME", "FINDINGS", "DETAIL"])
        for s in r.stages {
            table.add([s.name, s.status.rawValue, String(format: "%.0f ms", s.milliseconds), "\(s.findingCount)", safe(s.detail)])
        }
        return [bold("Stages"), table.rendered(indent: "  ")]
    }

    // MARK: findings

    func findings(_ r: Report) -> [String] {
        var out = [bold("Findings")]
        if r.findings.isEmpty { return out + ["  none"] }
        for severity in Severity.allCases.reversed() {
            let group = r.findings.filter { $0.severity == severity }
            guard !group.isEmpty else { continue }
            out.append("  " + paint(severity.rawValue.uppercased(), severity) + " (\(group.count))")
            if compactLowSeverity && severity <= .info {
                out += compact(group)
                continue
            }
            for f in group {
                out.append("    " + paint(f.id, severity) + "  \(safe(f.subject))")
                out.append("      \(f.title)")
                if !f.detail.isEmpty { out.append("      \(safe(f.detail))") }
                out.append("      fix: \(f.remediation)")
                if !f.references.isEmpty { out.append("      see: " + f.references.map(\.description).joined(separator: ", ")) }
            }
        }
        return out
    }

    /// Info and pass findings one a line; an id raised more than three times becomes one line
    /// listing its subjects.
    func compact(_ group: [Finding]) -> [String] {
        var out: [String] = []
        var seen: Set<String> = []
        for f in group where seen.insert(f.id).inserted {
            let same = group.filter { $0.id == f.id }
            if same.count > 3 {
                let subjects = same.prefix(6).map { safe($0.subject) }.joined(separator: ", ")
                out.append("    \(f.id) ×\(same.count)  \(subjects)\(same.count > 6 ? ", …" : "")")
            } else {
                for s in same { out.append("    \(s.id)  \(safe(s.subject))  \(safe(s.detail))") }
            }
        }
        return out
    }

    // MARK: fault trees

    func faultTrees(_ r: Report) -> [String] {
        var out: [String] = []
        for c in r.faultTree {
            // Without --symptom only the trees with a present cause are drawn.
            guard r.symptom != nil || !c.rootCauses.isEmpty else { continue }
            out += ["", bold("Fault tree: \(c.question)")]
            out += Self.drawTree(c).map { "  " + $0 }
            if c.rootCauses.isEmpty {
                out.append("  No root cause found among the observations.")
                continue
            }
            out.append("  Most likely root causes:")
            for cause in c.rootCauses {
                out.append("   \(cause.rank). " + bold(cause.title))
                out.append("      why: \(cause.explanation)")
                for s in cause.support.prefix(6) { out.append("      evidence: \(safe(s))") }
                if cause.support.count > 6 { out.append("      … \(cause.support.count - 6) more") }
                out.append("      fix: \(cause.fix)")
            }
        }
        if out.isEmpty, r.symptom == nil {
            out = ["", bold("Fault trees"), "  No root cause found for any symptom (bounce, delay, client, spam, tls)."]
        }
        return out
    }

    /// The tree with box-drawing lines; leaves marked [!] present, [ ] absent, [?] could not test.
    public static func drawTree(_ c: FaultTreeConclusion) -> [String] {
        var out = [c.question]
        for (bi, b) in c.branches.enumerated() {
            let lastBranch = bi == c.branches.count - 1
            out.append((lastBranch ? "└─ " : "├─ ") + b.title)
            for (li, leaf) in b.leaves.enumerated() {
                let lastLeaf = li == b.leaves.count - 1
                let mark: String
                switch leaf.state {
                case .present: mark = "[!]"
                case .absent: mark = "[ ]"
                case .unknown: mark = "[?]"
                }
                out.append((lastBranch ? "   " : "│  ") + (lastLeaf ? "└─ " : "├─ ") + "\(mark) \(leaf.title)")
            }
        }
        return out
    }

    // MARK: helpers

    func safe(_ s: String) -> String { Transcript.printable(s, limit: 400) }

    func bold(_ s: String) -> String { color ? "\u{1B}[1m\(s)\u{1B}[0m" : s }

    func paint(_ s: String, _ severity: Severity?) -> String {
        guard color, let severity else { return s }
        let code: String
        switch severity {
        case .critical: code = "1;31"
        case .error: code = "31"
        case .warning: code = "33"
        case .notice: code = "36"
        case .info: code = "2"
        case .pass: code = "32"
        }
        return "\u{1B}[\(code)m\(s)\u{1B}[0m"
    }
}

func iso(_ d: Date) -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    return f.string(from: d)
}
