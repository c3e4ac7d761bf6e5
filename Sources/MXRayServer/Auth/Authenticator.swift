import Crypto
import Foundation
import HummingbirdBcrypt

/// The auth rules of `mxray serve`, independent of HTTP: bearer tokens for machine clients,
/// password (bcrypt) plus optional TOTP for people, sessions, login throttling.
public final class ServeAuthenticator: Sendable {
    public let config: AuthConfig
    public let sessions: SessionStore
    public let limiter: LoginRateLimiter
    public let replay = TOTPReplayGuard()
    public let loginForm: LoginFormToken
    let now: @Sendable () -> Date
    /// SHA-256 of every configured token, so comparison time does not depend on the token text.
    let tokenDigests: [[UInt8]]

    public init(config: AuthConfig, now: @escaping @Sendable () -> Date = { Date() }) {
        self.config = config
        self.now = now
        sessions = SessionStore(lifetime: config.sessionLifetime.secondsDouble, now: now)
        limiter = LoginRateLimiter(limit: config.loginAttemptsPerMinute, window: 60, now: now)
        loginForm = LoginFormToken(now: now)
        tokenDigests = config.tokens.compactMap { t in
            if let token = t.token { return Array(SHA256.hash(data: Array(token.utf8))) }
            if let hex = t.sha256 { return Self.hexBytes(hex) }
            return nil
        }
    }

    public var enabled: Bool { !config.disabled }

    /// Refuses to start when auth is off on a non-loopback address (one line, for the operator).
    public static func validate(_ config: AuthConfig, listen: ListenAddress) throws(ServeConfigError) {
        if config.disabled && !listen.isLoopback {
            throw ServeConfigError("auth.disabled is allowed only when listening on loopback, not on \(listen); configure auth.tokens and auth.users or listen on 127.0.0.1")
        }
        if !config.disabled && config.tokens.isEmpty && config.users.isEmpty && !listen.isLoopback {
            throw ServeConfigError("listening on \(listen) needs auth.tokens or auth.users (or listen on 127.0.0.1 with auth.disabled: true)")
        }
    }

    /// RFC 6750 §2.1: `Authorization: Bearer <token>`; compared by SHA-256 digest in constant time.
    public func bearerAllowed(authorizationHeader: String?) -> Bool {
        if !enabled { return true }
        guard let h = authorizationHeader else { return false }
        let parts = h.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return false }
        let digest = Array(SHA256.hash(data: Array(parts[1].trimmingCharacters(in: .whitespaces).utf8)))
        var ok = false
        for d in tokenDigests where ConstantTime.equal(d, digest) { ok = true }
        return ok
    }

    public enum LoginResult: Sendable, Equatable {
        case success(UISession)
        /// Wrong password, unknown user, wrong or missing code: one message for all (no user enumeration).
        case invalid
        /// The code was right but its time step was already used (RFC 6238 §5.2).
        case replayed
        case throttled(retryAfter: Int)
    }

    /// Checks a login. bcrypt runs even for unknown users, so timing does not tell who exists.
    public func login(user: String, password: String, code: String?, clientAddress: String) async -> LoginResult {
        let keys = ["addr:" + clientAddress, "user:" + user.lowercased()]
        if let wait = await limiter.retryAfter(keys) { return .throttled(retryAfter: wait) }
        let account = config.users.first { $0.name == user }
        let hash = account?.passwordHash ?? Self.dummyHash
        let passwordOK = password.utf8.count <= 1024 && Bcrypt.verify(password, hash: hash) && account != nil
        guard passwordOK, let account else {
            await limiter.recordFailure(keys)
            return .invalid
        }
        if let secret = account.totpSecret {
            guard let totp = TOTPGenerator(base32Secret: secret),
                  let counter = totp.matchingCounter(code ?? "", at: now())
            else {
                await limiter.recordFailure(keys)
                return .invalid
            }
            guard await replay.consume(user: account.name, counter: counter) else {
                await limiter.recordFailure(keys)
                return .replayed
            }
        }
        await limiter.recordSuccess([keys[1]])
        return .success(await sessions.create(user: account.name))
    }

    /// A bcrypt hash of a random string, verified against when the user is unknown.
    static let dummyHash = Bcrypt.hash(RandomToken.make(bytes: 16), cost: 12)

    static func hexBytes(_ hex: String) -> [UInt8]? {
        let chars = Array(hex.lowercased().utf8)
        guard chars.count == 64 else { return nil }
        var out: [UInt8] = []
        for i in stride(from: 0, to: 64, by: 2) {
            guard let b = UInt8(String(decoding: chars[i..<i + 2], as: UTF8.self), radix: 16) else { return nil }
            out.append(b)
        }
        return out
    }
}

private extension Duration {
    var secondsDouble: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}
