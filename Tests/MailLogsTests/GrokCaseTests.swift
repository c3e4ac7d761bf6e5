import Foundation
import Testing
@testable import MailLogs

/// The per-daemon cases of the postfix-grok project (../shared/testdata/postfix-grok, BSD licence
/// beside them): each YAML file names a pattern, a message and the fields it must yield. We run
/// every case's message through `PostfixDecoder` and compare each expected field.
@Suite struct GrokCaseTests {
    struct Case { var name: String; var pattern: String; var data: String; var results: [(String, String)] }

    static var directory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/testdata/postfix-grok").path
    }

    static func loadCases() -> [Case]? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        return names.filter { $0.hasSuffix(".yaml") }.sorted().compactMap { name in
            guard let text = try? String(contentsOfFile: directory + "/" + name, encoding: .utf8) else { return nil }
            return parseYAML(name: name, text)
        }
    }

    /// The small YAML subset these files use: `key: value`, an indented `results:` map, double-
    /// quoted strings with backslash escapes, `#` comments.
    static func parseYAML(name: String, _ text: String) -> Case {
        var c = Case(name: name, pattern: "", data: "", results: [])
        var inResults = false
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = String(raw)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("#") || trimmed.isEmpty { continue }
            guard let colon = trimmed.firstIndex(of: ":") else { continue }
            let key = String(trimmed[..<colon])
            let value = unquote(String(trimmed[trimmed.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
            let indented = line.hasPrefix(" ")
            if indented && inResults { c.results.append((key, value)); continue }
            inResults = false
            switch key {
            case "pattern": c.pattern = value
            case "data": c.data = value
            case "results": inResults = true
            default: break
            }
        }
        return c
    }

    static func unquote(_ v: String) -> String {
        guard v.count >= 2, v.hasPrefix("\""), v.hasSuffix("\"") else {
            if v.count >= 2, v.hasPrefix("'"), v.hasSuffix("'") { return String(v.dropFirst().dropLast()) }
            return v
        }
        var out = ""
        var it = v.dropFirst().dropLast().makeIterator()
        while let ch = it.next() {
            guard ch == "\\", let n = it.next() else { out.append(ch); continue }
            switch n { case "n": out.append("\n"); case "r": out.append("\r"); case "t": out.append("\t"); default: out.append(n) }
        }
        return out
    }

    /// `^%{POSTFIX_SMTPD}$` → `smtpd`; helper patterns map to nil.
    static func daemon(for pattern: String) -> String? {
        guard let r = pattern.range(of: "POSTFIX_"), let close = pattern.range(of: "}", range: r.upperBound..<pattern.endIndex) else { return nil }
        let n = pattern[r.upperBound..<close.lowerBound].lowercased()
        switch n {
        case "command_counter_data", "delays", "tls_features", "relay": return nil
        case "trivial_rewrite": return "trivial-rewrite"
        default: return n
        }
    }

    @Test func everyCaseYieldsItsFields() throws {
        guard let cases = Self.loadCases(), !cases.isEmpty else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("postfix-grok test data missing at \(Self.directory)") }
            else { print("GrokCaseTests: ../shared/testdata/postfix-grok missing, skipped") }
            return
        }
        #expect(cases.count >= 190)
        var checked = 0
        for c in cases {
            let fields = Self.fields(of: c)
            for (key, expected) in c.results {
                let actual = fields[key]
                let ok = actual.map { Self.same($0, expected, key: key) } ?? false
                #expect(ok, "\(c.name): \(key) expected \(expected.debugDescription), got \(actual.debugDescription)")
                checked += 1
            }
        }
        #expect(checked > 700)
    }

    static func same(_ a: String, _ e: String, key: String) -> Bool {
        if a == e { return true }
        if key.hasSuffix("keyvalue_data") {
            let t: (String) -> String = { $0.trimmingCharacters(in: CharacterSet(charactersIn: ", ")) }
            return t(a) == t(e)
        }
        if let x = Double(a), let y = Double(e) { return x == y }
        return false
    }

    static func fields(of c: Case) -> [String: String] {
        guard let d = daemon(for: c.pattern) else { return helperFields(c) }
        let line = "Nov 29 16:10:39 mx postfix/\(d)[4242]: " + c.data
        var out: [String: String] = [:]
        withLineBytes(line) { b in
            var dec = LogDecoder(format: .postfix, years: YearInference(referenceYear: 2026, referenceMonth: 11))
            dec.decode(b) { e, b in out = grokNames(e, b, daemon: d) }
        }
        return out
    }

    static func helperFields(_ c: Case) -> [String: String] {
        var out: [String: String] = [:]
        if c.pattern.contains("COMMAND_COUNTER") {
            withLineBytes(c.data) { b in
                for cc in CommandCounter.parse(b, Span(0, b.count)) {
                    let n = cc.name == "commands" ? "count" : cc.name
                    out["postfix_cmd_\(n)"] = String(cc.total)
                    out["postfix_cmd_\(n)_accepted"] = String(cc.accepted)
                }
            }
        } else if c.pattern.contains("DELAYS") {
            withLineBytes(c.data) { b in
                let d = PostfixDecoder.delays(b, Span(0, b.count))
                out["postfix_delay_before_qmgr"] = String(d.0); out["postfix_delay_in_qmgr"] = String(d.1)
                out["postfix_delay_conn_setup"] = String(d.2); out["postfix_delay_transmission"] = String(d.3)
            }
        } else if c.pattern.contains("TLS_FEATURES") {
            let f = TLSFeatures(c.data)
            out["postfix_tls_security_level"] = f.securityLevel
            if f.policyUndecided { out["postfix_tls_policy_undecided"] = "?" }
            if let d = f.downgrade { out["postfix_tls_downgrade_level"] = d }
            if f.requireTLS { out["postfix_requiretls"] = "requiretls" }
            if f.requireTLSUndecided { out["postfix_requiretls_policy_undecided"] = "?" }
            if f.requireTLSViolation { out["postfix_requiretls_policy_violation"] = "!" }
            if let d = f.requireTLSDowngrade { out["postfix_requiretls_downgrade_level"] = d }
        } else if c.pattern.contains("RELAY") {
            withLineBytes(c.data) { b in
                var e = MailEvent()
                PostfixDecoder.relayParts(b, Span(0, b.count), &e)
                out["postfix_relay_hostname"] = b.string(e.relayHost)
                out["postfix_relay_service"] = b.string(e.relayService)
            }
        }
        return out
    }
}
