import Diagnosis
import Foundation

/// `alerts:` — rules and receivers as plain values. Parsed and validated here; evaluated by
/// the web half (`Alerts/`), which also keeps the firing state, flap guard and resolve.
public struct AlertsConfig: Sendable, Equatable {
    public var rules: [AlertRule]
    public var receivers: [AlertReceiver]
    public init(rules: [AlertRule] = [], receivers: [AlertReceiver] = []) {
        self.rules = rules
        self.receivers = receivers
    }
}

public struct AlertRule: Sendable, Equatable {
    /// What the rule watches (`kind:` and its parameter in the YAML).
    public enum Condition: Sendable, Equatable {
        /// `kind: down`, `times: N` — the check failed N runs in a row.
        case targetDown(times: Int)
        /// `kind: certificate-expiry`, `days: N` — the earliest certificate expires within N days.
        case certificateExpiry(days: Int)
        /// `kind: new-finding`, `severity: warning` — a finding at or above it that the previous run did not have.
        case newFinding(minimum: Severity)
        /// `kind: record-changed`, `changes: [mx, spf, …]` (empty: any) — a change event of these kinds.
        case recordChanged(kinds: [ChangeKind])
        /// `kind: slow`, `seconds: S` — the whole check took longer than S.
        case slowRoundTrip(seconds: Double)
    }

    public var name: String
    public var condition: Condition
    /// Target names the rule applies to; empty means every target.
    public var targets: [String]
    /// `severity:` label sent with the alert (`warning`, `critical`, …).
    public var severity: String
    /// Flap guard: the condition must hold this many consecutive runs before the alert fires (`for_runs`, default 1).
    public var forRuns: Int
    /// The condition must be clear this many consecutive runs before the alert resolves (`resolve_after_runs`, default 1).
    public var resolveAfterRuns: Int
    /// Receiver names; empty means every receiver.
    public var receivers: [String]

    public init(name: String, condition: Condition, targets: [String] = [], severity: String = "warning",
                forRuns: Int = 1, resolveAfterRuns: Int = 1, receivers: [String] = []) {
        self.name = name
        self.condition = condition
        self.targets = targets
        self.severity = severity
        self.forRuns = forRuns
        self.resolveAfterRuns = resolveAfterRuns
        self.receivers = receivers
    }

    public func applies(to target: String) -> Bool { targets.isEmpty || targets.contains(target) }
}

public struct AlertReceiver: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// POST of an Alertmanager-shaped JSON payload to this URL.
        case webhook(url: String)
        /// Run this program (argv, no shell) with the payload on stdin.
        case command([String])
    }

    public var name: String
    public var kind: Kind
    public var timeout: Duration
    public init(name: String, kind: Kind, timeout: Duration = .seconds(10)) {
        self.name = name
        self.kind = kind
        self.timeout = timeout
    }
}

/// `auth:` — values the web half's auth layer reads. Secrets are kept as given; the config file
/// should be readable by the service user only.
public struct AuthConfig: Sendable, Equatable {
    /// Bearer tokens for the API, `/metrics` and `/probe`.
    public var tokens: [APIToken]
    /// UI users.
    public var users: [UIUser]
    /// `auth.disabled: true` turns auth off; validation allows it only on a loopback listen address.
    public var disabled: Bool
    /// Session lifetime (`session_hours`, default 12).
    public var sessionLifetime: Duration
    /// Failed logins allowed per client address and minute (`login_attempts_per_minute`, default 5).
    public var loginAttemptsPerMinute: Int

    public init(tokens: [APIToken] = [], users: [UIUser] = [], disabled: Bool = false,
                sessionLifetime: Duration = .seconds(12 * 3600), loginAttemptsPerMinute: Int = 5) {
        self.tokens = tokens
        self.users = users
        self.disabled = disabled
        self.sessionLifetime = sessionLifetime
        self.loginAttemptsPerMinute = loginAttemptsPerMinute
    }
}

public struct APIToken: Sendable, Equatable {
    public var name: String
    /// The token itself (`token:`), or nil when only its hash is configured.
    public var token: String?
    /// Lower-case hex SHA-256 of the token (`sha256:`), for configs that should not hold it.
    public var sha256: String?
    public init(name: String, token: String? = nil, sha256: String? = nil) {
        self.name = name
        self.token = token
        self.sha256 = sha256
    }
}

public struct UIUser: Sendable, Equatable {
    public var name: String
    /// bcrypt hash (`$2b$12$…`; `mxray serve --hash-password` prints one).
    public var passwordHash: String
    /// Base32 TOTP secret (RFC 6238); nil when the user has no second factor.
    public var totpSecret: String?
    public init(name: String, passwordHash: String, totpSecret: String? = nil) {
        self.name = name
        self.passwordHash = passwordHash
        self.totpSecret = totpSecret
    }
}
