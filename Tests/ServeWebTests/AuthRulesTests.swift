import Foundation
import HummingbirdBcrypt
import Testing
@testable import MXRayServer

/// A clock tests move by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Date
    init(_ d: Date) { value = d }
    var now: Date { lock.lock(); defer { lock.unlock() }; return value }
    func advance(_ s: TimeInterval) { lock.lock(); value += s; lock.unlock() }
}

struct AuthRulesTests {
    static let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    // cost 4 keeps the tests fast; production hashes use 12.
    static let hash = Bcrypt.hash("correct horse", cost: 4)

    static func authenticator(_ clock: TestClock, totp: Bool = true, attempts: Int = 5) -> ServeAuthenticator {
        let config = AuthConfig(tokens: [APIToken(name: "prom", token: "s3cret-token"),
                                         APIToken(name: "hashed", sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")],
                                users: [UIUser(name: "admin", passwordHash: hash, totpSecret: totp ? secret : nil)],
                                loginAttemptsPerMinute: attempts)
        return ServeAuthenticator(config: config, now: { clock.now })
    }

    @Test func bearerTokens() {
        let a = Self.authenticator(TestClock(Date()))
        #expect(a.bearerAllowed(authorizationHeader: "Bearer s3cret-token"))
        #expect(a.bearerAllowed(authorizationHeader: "bearer s3cret-token"))
        // sha256("test") is configured as a hash only.
        #expect(a.bearerAllowed(authorizationHeader: "Bearer test"))
        #expect(!a.bearerAllowed(authorizationHeader: "Bearer s3cret-tokeN"))
        #expect(!a.bearerAllowed(authorizationHeader: "Basic s3cret-token"))
        #expect(!a.bearerAllowed(authorizationHeader: nil))
    }

    @Test func authOffOnlyOnLoopback() throws {
        let off = AuthConfig(disabled: true)
        try ServeAuthenticator.validate(off, listen: ListenAddress(host: "127.0.0.1", port: 9425))
        #expect(throws: ServeConfigError.self) { try ServeAuthenticator.validate(off, listen: ListenAddress(host: "0.0.0.0", port: 9425)) }
        #expect(throws: ServeConfigError.self) { try ServeAuthenticator.validate(AuthConfig(), listen: ListenAddress(host: "192.0.2.1", port: 80)) }
    }

    @Test func passwordAndTOTPLogin() async throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_800_000_000))
        let a = Self.authenticator(clock)
        let totp = try #require(TOTPGenerator(base32Secret: Self.secret))
        #expect(await a.login(user: "admin", password: "wrong", code: totp.code(at: clock.now), clientAddress: "a") == .invalid)
        #expect(await a.login(user: "admin", password: "correct horse", code: nil, clientAddress: "a") == .invalid)
        let farCode = totp.code(counter: totp.counter(at: clock.now) + 5)
        #expect(await a.login(user: "admin", password: "correct horse", code: farCode, clientAddress: "a") == .invalid)
        guard case .success(let s) = await a.login(user: "admin", password: "correct horse", code: totp.code(at: clock.now), clientAddress: "b") else {
            Issue.record("login with password and current code failed"); return
        }
        #expect(s.user == "admin")
        #expect(s.csrfToken.count >= 40 && s.id != s.csrfToken)
        #expect(await a.sessions.session(s.id) == s)
        // The same code again: replay refused (RFC 6238 §5.2).
        #expect(await a.login(user: "admin", password: "correct horse", code: totp.code(at: clock.now), clientAddress: "b") == .replayed)
        // Sessions expire.
        clock.advance(13 * 3600)
        #expect(await a.sessions.session(s.id) == nil)
    }

    @Test func unknownUserIsInvalidNotDistinguished() async {
        let a = Self.authenticator(TestClock(Date()), totp: false)
        #expect(await a.login(user: "nobody", password: "correct horse", code: nil, clientAddress: "c") == .invalid)
        guard case .success = await a.login(user: "admin", password: "correct horse", code: nil, clientAddress: "c") else {
            Issue.record("password-only login failed"); return
        }
    }

    @Test func loginRateLimiting() async {
        let clock = TestClock(Date())
        let a = Self.authenticator(clock, totp: false, attempts: 3)
        for _ in 0..<3 { #expect(await a.login(user: "admin", password: "nope", code: nil, clientAddress: "10.0.0.9") == .invalid) }
        // Throttled now, even with the right password.
        guard case .throttled(let wait) = await a.login(user: "admin", password: "correct horse", code: nil, clientAddress: "10.0.0.9") else {
            Issue.record("fourth attempt was not throttled"); return
        }
        #expect(wait > 0 && wait <= 60)
        // Another address is throttled too while the user name is under attack.
        if case .success = await a.login(user: "admin", password: "correct horse", code: nil, clientAddress: "10.0.0.10") {
            Issue.record("user-name throttle did not apply")
        }
        clock.advance(61)
        guard case .success = await a.login(user: "admin", password: "correct horse", code: nil, clientAddress: "10.0.0.9") else {
            Issue.record("login after the window failed"); return
        }
    }

    @Test func loginFormTokenBindsNonceAndExpires() {
        let clock = TestClock(Date())
        let f = LoginFormToken(now: { clock.now })
        let t = f.make(nonce: "abc", validFor: 60)
        #expect(f.verify(t, nonce: "abc"))
        #expect(!f.verify(t, nonce: "abd"))
        #expect(!f.verify(t, nonce: nil))
        #expect(!f.verify(t.replacingOccurrences(of: "abc.", with: "abd."), nonce: "abd"))
        #expect(!LoginFormToken(now: { clock.now }).verify(t, nonce: "abc"), "another process key must not verify")
        clock.advance(61)
        #expect(!f.verify(t, nonce: "abc"))
    }
}
