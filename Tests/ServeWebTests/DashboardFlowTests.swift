import Foundation
import Hummingbird
import HummingbirdTesting
import LabSupport
import NIOCore
import Testing
@testable import MXRayServer

/// Login, session, CSRF and the API's auth through the real router.
@Suite(.serialized) struct DashboardFlowTests {
    @Test func loginWithPasswordAndTOTPThenUseTheDashboard() async throws {
        let lab = try LabEnvironment.require()
        let target = TargetConfig(name: "good", kind: .domain, value: "good.lab.test")
        let context = try ServerContext(config: WebTestSupport.config(lab: lab, targets: [target]))
        let totp = try #require(TOTPGenerator(base32Secret: WebTestSupport.totpSecret))
        try await WebTestSupport.app(context).test(.router) { client in
            // Not logged in: the UI redirects to the login page, the API answers 401.
            try await client.execute(uri: "/", method: .get) { r in
                #expect(r.status == .found)
                #expect(r.headers[.location] == "/login")
            }
            try await client.execute(uri: "/api/targets", method: .get) { r in #expect(r.status == .unauthorized) }
            let (nonce, formToken) = try await client.execute(uri: "/login", method: .get) { r in
                let c = WebTestSupport.cookies(r)
                #expect(r.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
                return (c[WebState.loginCookieName], WebTestSupport.hidden("csrf", in: String(buffer: r.body)))
            }
            let loginCookie = "\(WebState.loginCookieName)=\(try #require(nonce))"
            var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .cookie: loginCookie]
            // Right password, no code: refused.
            try await client.execute(uri: "/login", method: .post, headers: headers,
                                     body: WebTestSupport.form(["csrf": try #require(formToken), "user": "admin", "password": WebTestSupport.password])) { r in
                #expect(r.status == .unauthorized)
            }
            // Without the login-form token: refused (login CSRF).
            try await client.execute(uri: "/login", method: .post, headers: headers,
                                     body: WebTestSupport.form(["user": "admin", "password": WebTestSupport.password, "code": totp.code(at: Date())])) { r in
                #expect(r.status == .forbidden)
            }
            let code = totp.code(at: Date())
            let sessionCookie = try await client.execute(uri: "/login", method: .post, headers: headers,
                                                         body: WebTestSupport.form(["csrf": formToken!, "user": "admin", "password": WebTestSupport.password, "code": code])) { r in
                #expect(r.status == .seeOther)
                let raw = r.headers[values: .setCookie].first { $0.hasPrefix(WebState.sessionCookieName) } ?? ""
                #expect(raw.contains("HttpOnly") && raw.contains("Secure") && raw.contains("SameSite=Strict") && raw.contains("Path=/"))
                return WebTestSupport.cookies(r)[WebState.sessionCookieName]
            }
            // The same code again is a replay.
            try await client.execute(uri: "/login", method: .post, headers: headers,
                                     body: WebTestSupport.form(["csrf": formToken!, "user": "admin", "password": WebTestSupport.password, "code": code])) { r in
                #expect(r.status == .unauthorized)
                #expect(String(buffer: r.body).contains("already used"))
            }
            headers = [.cookie: "\(WebState.sessionCookieName)=\(try #require(sessionCookie))"]
            let csrf = try await client.execute(uri: "/", method: .get, headers: headers) { r in
                #expect(r.status == .ok)
                let html = String(buffer: r.body)
                #expect(html.contains("href=\"/targets/good\""))
                #expect(html.contains("<svg class=\"spark\""))
                return WebTestSupport.hidden("csrf", in: html)
            }
            try await client.execute(uri: "/targets/good", method: .get, headers: headers) { r in
                #expect(r.status == .ok)
                #expect(String(buffer: r.body).contains("Check duration"))
            }
            try await client.execute(uri: "/targets/nope", method: .get, headers: headers) { r in #expect(r.status == .notFound) }
            // A form POST without the CSRF token is refused; with it, the check starts.
            var post = headers
            post[.contentType] = "application/x-www-form-urlencoded"
            try await client.execute(uri: "/targets/good/run", method: .post, headers: post, body: ByteBuffer(string: "")) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/targets/good/run", method: .post, headers: post, body: WebTestSupport.form(["csrf": try #require(csrf)])) { r in
                #expect(r.status == .seeOther)
            }
            // The API takes the session for reads, and wants X-CSRF-Token for POST.
            try await client.execute(uri: "/api/targets", method: .get, headers: headers) { r in
                #expect(r.status == .ok)
                #expect(String(buffer: r.body).contains("\"name\":\"good\""))
            }
            try await client.execute(uri: "/api/targets/good/run?wait=false", method: .post, headers: headers) { r in
                #expect(r.status == .forbidden)
            }
            // Logout ends the session.
            try await client.execute(uri: "/logout", method: .post, headers: post, body: WebTestSupport.form(["csrf": csrf!])) { r in
                #expect(r.status == .seeOther)
            }
            try await client.execute(uri: "/", method: .get, headers: headers) { r in #expect(r.status == .found) }
        }
    }

    @Test func apiWithBearerTokenRunsACheckAndServesItsReport() async throws {
        let lab = try LabEnvironment.require()
        let target = TargetConfig(name: "good", kind: .domain, value: "good.lab.test", checks: [.probe], timeout: .seconds(30))
        let context = try ServerContext(config: WebTestSupport.config(lab: lab, targets: [target]))
        try await WebTestSupport.app(context).test(.router) { client in
            let runID = try await client.execute(uri: "/api/targets/good/run", method: .post, headers: WebTestSupport.bearer) { r -> Int64? in
                #expect(r.status == .ok, "\(String(buffer: r.body))")
                let json = try JSONSerialization.jsonObject(with: Data(r.body.readableBytesView)) as? [String: Any]
                #expect(json?["target"] as? String == "good")
                return (json?["id"] as? NSNumber)?.int64Value
            }
            let id = try #require(runID)
            try await client.execute(uri: "/api/runs/\(id)/report", method: .get, headers: WebTestSupport.bearer) { r in
                #expect(r.status == .ok)
                let json = try JSONSerialization.jsonObject(with: Data(r.body.readableBytesView)) as? [String: Any]
                #expect(json?["findings"] is [Any])
            }
            for path in ["/api/targets", "/api/targets/good/runs", "/api/changes", "/api/alerts", "/api/targets/good/report"] {
                try await client.execute(uri: path, method: .get, headers: WebTestSupport.bearer) { r in
                    #expect(r.status == .ok, "\(path)")
                    #expect(r.headers[.contentType] == "application/json")
                }
            }
            try await client.execute(uri: "/api/targets/nope/runs", method: .get, headers: WebTestSupport.bearer) { r in #expect(r.status == .notFound) }
        }
    }

    /// `auth.disabled` (loopback only): no token needed, and UI visitors get an anonymous session
    /// so the forms still carry CSRF tokens.
    @Test func authDisabledOnLoopback() async throws {
        let lab = try LabEnvironment.require()
        var config = WebTestSupport.config(lab: lab, targets: [TargetConfig(name: "good", kind: .domain, value: "good.lab.test")])
        config.auth = AuthConfig(disabled: true)
        try config.validate()
        let context = try ServerContext(config: config)
        try await WebTestSupport.app(context).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/api/targets", method: .get) { r in #expect(r.status == .ok) }
            let cookie = try await client.execute(uri: "/", method: .get) { r in
                #expect(r.status == .found)
                return WebTestSupport.cookies(r)[WebState.sessionCookieName]
            }
            let headers: HTTPFields = [.cookie: "\(WebState.sessionCookieName)=\(try #require(cookie))"]
            try await client.execute(uri: "/", method: .get, headers: headers) { r in
                #expect(r.status == .ok)
                #expect(String(buffer: r.body).contains("anonymous"))
            }
            var post = headers
            post[.contentType] = "application/x-www-form-urlencoded"
            try await client.execute(uri: "/targets/good/run", method: .post, headers: post, body: ByteBuffer(string: "csrf=wrong")) { r in
                #expect(r.status == .forbidden)
            }
        }
        var open = config
        open.listen = ListenAddress(host: "0.0.0.0", port: 9425)
        #expect(throws: ServeConfigError.self) { try open.validate() }
        #expect(throws: ServeConfigError.self) { try ServeAuthenticator.validate(open.auth, listen: open.listen) }
    }
}
