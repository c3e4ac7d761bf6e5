import Crypto
import Foundation

/// One logged-in UI session. The cookie carries only the random id; the CSRF token is bound to
/// the session and must come back in every form (synchroniser token pattern, OWASP CSRF cheat
/// sheet).
public struct UISession: Sendable, Equatable {
    public let id: String
    public let user: String
    public let csrfToken: String
    public let expires: Date
}

/// Sessions in memory (a restart logs everyone out, which is acceptable for an admin dashboard).
/// Ids are 256 random bits from the system CSPRNG.
public actor SessionStore {
    private var sessions: [String: UISession] = [:]
    public let lifetime: TimeInterval
    private let now: @Sendable () -> Date

    public init(lifetime: TimeInterval, now: @escaping @Sendable () -> Date = { Date() }) {
        self.lifetime = lifetime
        self.now = now
    }

    public func create(user: String) -> UISession {
        purge()
        let s = UISession(id: RandomToken.make(), user: user, csrfToken: RandomToken.make(), expires: now().addingTimeInterval(lifetime))
        sessions[s.id] = s
        return s
    }

    public func session(_ id: String?) -> UISession? {
        guard let id, let s = sessions[id] else { return nil }
        if s.expires <= now() {
            sessions[id] = nil
            return nil
        }
        return s
    }

    public func remove(_ id: String) { sessions[id] = nil }

    private func purge() {
        let t = now()
        sessions = sessions.filter { $0.value.expires > t }
    }
}

/// A short-lived token tying the login form to the browser that loaded it (login CSRF: a
/// stranger's page must not log a victim into the attacker's account). Stateless: an HMAC of
/// the nonce and its expiry under a per-process key.
public struct LoginFormToken: Sendable {
    /// Per-process HMAC key (kept as bytes: `SymmetricKey` is not `Sendable`).
    let key: [UInt8]
    let now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date = { Date() }) {
        key = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        self.now = now
    }

    /// `nonce.expiry.mac`; the nonce also goes into a cookie that must match on submit.
    public func make(nonce: String, validFor seconds: TimeInterval = 900) -> String {
        let exp = Int(now().timeIntervalSince1970 + seconds)
        return "\(nonce).\(exp).\(mac("\(nonce).\(exp)"))"
    }

    public func verify(_ token: String, nonce: String?) -> Bool {
        let parts = token.split(separator: ".")
        guard parts.count == 3, let nonce, String(parts[0]) == nonce, let exp = Int(parts[1]),
              Double(exp) > now().timeIntervalSince1970 else { return false }
        return ConstantTime.equal(Array(mac("\(parts[0]).\(parts[1])").utf8), Array(parts[2].utf8))
    }

    func mac(_ s: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Array(s.utf8), using: SymmetricKey(data: key))).base64URLEncoded()
    }
}

public enum RandomToken {
    /// 32 bytes from the system CSPRNG, URL-safe Base64 without padding.
    public static func make(bytes: Int = 32) -> String {
        var g = SystemRandomNumberGenerator()
        let raw = (0..<bytes).map { _ in UInt8.random(in: 0...255, using: &g) }
        return Data(raw).base64URLEncoded()
    }
}

extension Data {
    func base64URLEncoded() -> String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// Failed-login throttle: at most `limit` failures per client address (and per user name) in a
/// sliding window; beyond it every attempt is refused until the window has passed, correct
/// password or not (OWASP Authentication cheat sheet, "Account lockout" / throttling).
public actor LoginRateLimiter {
    public let limit: Int
    public let window: TimeInterval
    private var failures: [String: [Date]] = [:]
    private let now: @Sendable () -> Date

    public init(limit: Int, window: TimeInterval = 60, now: @escaping @Sendable () -> Date = { Date() }) {
        self.limit = max(1, limit)
        self.window = window
        self.now = now
    }

    /// Seconds to wait when `keys` (client address, user name) are throttled; nil when allowed.
    public func retryAfter(_ keys: [String]) -> Int? {
        let t = now()
        var wait: TimeInterval = 0
        for k in keys {
            let recent = (failures[k] ?? []).filter { t.timeIntervalSince($0) < window }
            failures[k] = recent
            if recent.count >= limit, let oldest = recent.first {
                wait = max(wait, window - t.timeIntervalSince(oldest))
            }
        }
        return wait > 0 ? Int(wait.rounded(.up)) : nil
    }

    public func recordFailure(_ keys: [String]) {
        let t = now()
        for k in keys { failures[k, default: []].append(t) }
        if failures.count > 100_000 { failures = failures.filter { !$0.value.isEmpty } }
    }

    public func recordSuccess(_ keys: [String]) {
        for k in keys { failures[k] = nil }
    }
}
