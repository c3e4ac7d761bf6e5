import Diagnosis
import Foundation

extension ServeConfig {
    static func parseAuth(_ r: YAMLReader) throws -> AuthConfig {
        try r.onlyKeys(["disabled", "tokens", "users", "session_hours", "login_attempts_per_minute"])
        var a = AuthConfig()
        a.disabled = try r.bool("disabled") ?? false
        a.tokens = try r.list("tokens").map { t in
            try t.onlyKeys(["name", "token", "sha256"])
            let name = try t.string("name") ?? ""
            guard !name.isEmpty else { throw ServeConfigError("\(t.at("name")): required") }
            let token = try t.string("token"), sha = try t.string("sha256")?.lowercased()
            guard (token == nil) != (sha == nil) else { throw ServeConfigError("\(t.path): give exactly one of token: or sha256:") }
            if let token, token.count < 16 { throw ServeConfigError("\(t.at("token")): at least 16 characters") }
            if let sha, sha.count != 64 || !sha.allSatisfy(\.isHexDigit) { throw ServeConfigError("\(t.at("sha256")): 64 hex digits") }
            return APIToken(name: name, token: token, sha256: sha)
        }
        a.users = try r.list("users").map { u in
            try u.onlyKeys(["name", "password_bcrypt", "totp_secret"])
            let name = try u.string("name") ?? ""
            guard !name.isEmpty else { throw ServeConfigError("\(u.at("name")): required") }
            let hash = try u.string("password_bcrypt") ?? ""
            // bcrypt modular crypt format: $2a$/$2b$/$2y$, two-digit cost, 53 characters of salt and hash.
            guard hash.count == 60, ["$2a$", "$2b$", "$2y$"].contains(String(hash.prefix(4))) else {
                throw ServeConfigError("\(u.at("password_bcrypt")): not a bcrypt hash ($2b$12$…, 60 characters; `mxray serve --hash-password` makes one)")
            }
            let totp = try u.string("totp_secret")?.replacingOccurrences(of: " ", with: "").uppercased()
            if let totp {
                // RFC 4648 §6 base32 alphabet; RFC 4226 §4 asks for at least 128 bits of secret.
                guard totp.count >= 16, totp.allSatisfy({ "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567=".contains($0) }) else {
                    throw ServeConfigError("\(u.at("totp_secret")): not a base32 secret of at least 16 characters")
                }
            }
            return UIUser(name: name, passwordHash: hash, totpSecret: totp)
        }
        if let hours = try r.double("session_hours") {
            guard hours > 0, hours <= 24 * 30 else { throw ServeConfigError("\(r.at("session_hours")): between 0 and 720") }
            a.sessionLifetime = .seconds(hours * 3600)
        }
        a.loginAttemptsPerMinute = try r.int("login_attempts_per_minute", in: 1...1000) ?? a.loginAttemptsPerMinute
        return a
    }

    static func parseAlerts(_ r: YAMLReader) throws -> AlertsConfig {
        try r.onlyKeys(["rules", "receivers"])
        var a = AlertsConfig()
        a.receivers = try r.list("receivers").map { x in
            try x.onlyKeys(["name", "webhook", "command", "timeout"])
            let name = try x.string("name") ?? ""
            guard !name.isEmpty else { throw ServeConfigError("\(x.at("name")): required") }
            let timeout = try x.duration("timeout") ?? .seconds(10)
            switch (try x.string("webhook"), try x.strings("command")) {
            case (let url?, nil):
                guard url.hasPrefix("http://") || url.hasPrefix("https://"), URL(string: url)?.host != nil else {
                    throw ServeConfigError("\(x.at("webhook")): '\(url)' is not an http(s) URL")
                }
                return AlertReceiver(name: name, kind: .webhook(url: url), timeout: timeout)
            case (nil, let argv?) where !argv.isEmpty:
                return AlertReceiver(name: name, kind: .command(argv), timeout: timeout)
            default:
                throw ServeConfigError("\(x.path): give exactly one of webhook: URL or command: [program, args…]")
            }
        }
        a.rules = try r.list("rules").map { x in
            try x.onlyKeys(["name", "kind", "times", "days", "severity_at_least", "changes", "seconds", "targets", "severity",
                            "for_runs", "resolve_after_runs", "receivers"])
            let name = try x.string("name") ?? ""
            guard !name.isEmpty else { throw ServeConfigError("\(x.at("name")): required") }
            let condition: AlertRule.Condition
            switch try x.string("kind") ?? "" {
            case "down": condition = .targetDown(times: try x.int("times", in: 1...1000) ?? 1)
            case "certificate-expiry":
                guard let days = try x.int("days", in: 0...3650) else { throw ServeConfigError("\(x.at("days")): required for certificate-expiry") }
                condition = .certificateExpiry(days: days)
            case "new-finding":
                let s = try x.string("severity_at_least") ?? "warning"
                guard let sev = Severity(rawValue: s) else {
                    throw ServeConfigError("\(x.at("severity_at_least")): one of \(Severity.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                condition = .newFinding(minimum: sev)
            case "record-changed":
                let kinds = try (x.strings("changes") ?? []).map { s in
                    guard let k = ChangeKind(rawValue: s) else {
                        throw ServeConfigError("\(x.at("changes")): '\(s)' is not one of \(ChangeKind.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    return k
                }
                condition = .recordChanged(kinds: kinds)
            case "slow":
                guard let s = try x.double("seconds"), s > 0 else { throw ServeConfigError("\(x.at("seconds")): a positive number, required for slow") }
                condition = .slowRoundTrip(seconds: s)
            case let k:
                throw ServeConfigError("\(x.at("kind")): '\(k)' is not one of down, certificate-expiry, new-finding, record-changed, slow")
            }
            return AlertRule(name: name, condition: condition, targets: try x.strings("targets") ?? [],
                             severity: try x.string("severity") ?? "warning",
                             forRuns: try x.int("for_runs", in: 1...1000) ?? 1,
                             resolveAfterRuns: try x.int("resolve_after_runs", in: 1...1000) ?? 1,
                             receivers: try x.strings("receivers") ?? [])
        }
        return a
    }
}
