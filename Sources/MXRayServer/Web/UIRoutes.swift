import Foundation
import Hummingbird
import Reporting

/// The dashboard's routes: login and logout, overview, target page, reports, changes, alerts,
/// and "run now" (a form POST with the session's CSRF token).
enum UIRoutes {
    struct LoginForm: Decodable { let csrf: String?; let user: String?; let password: String?; let code: String? }
    struct CSRFForm: Decodable { let csrf: String? }

    static func install<Context: RequestContext>(on router: Router<Context>, web: WebState) {
        router.get("/login") { request, _ -> Response in
            if await web.session(request) != nil, web.auth.enabled { return .redirect(to: "/", type: .found) }
            return loginPage(web, error: nil, status: .ok)
        }
        router.post("/login") { request, context -> Response in
            let form = try await decodeForm(LoginForm.self, request)
            let auth = web.auth
            guard let token = form.csrf, auth.loginForm.verify(token, nonce: request.cookies[WebState.loginCookieName]?.value) else {
                return loginPage(web, error: "The login form expired; please try again.", status: .forbidden)
            }
            let result = await auth.login(user: form.user ?? "", password: form.password ?? "", code: form.code,
                                          clientAddress: clientAddress(context))
            switch result {
            case .success(let s):
                var r = WebResponse.seeOther("/")
                r.setCookie(web.sessionCookie(s))
                r.setCookie(web.expiredCookie(WebState.loginCookieName))
                return r
            case .invalid:
                return loginPage(web, error: "Wrong user, password or code.", status: .unauthorized)
            case .replayed:
                return loginPage(web, error: "That code was already used; wait for the next one.", status: .unauthorized)
            case .throttled(let wait):
                var r = loginPage(web, error: "Too many failed logins; try again in \(wait) s.", status: .tooManyRequests)
                r.headers[.retryAfter] = String(wait)
                return r
            }
        }
        router.post("/logout") { request, _ -> Response in
            let session = try await requireCSRF(request, web)
            await web.auth.sessions.remove(session.id)
            var r = WebResponse.seeOther("/login")
            r.setCookie(web.expiredCookie(WebState.sessionCookieName))
            return r
        }
        router.get("/") { request, _ -> Response in
            let s = try await requireSession(request, web)
            let notice = request.uri.queryParameters.get("started").map { "Check of \($0) started." }
            return WebResponse.html(try DashboardPages(context: web.context, session: s).overview(notice: notice))
        }
        router.get("/targets/:name") { request, context -> Response in
            let s = try await requireSession(request, web)
            let name = try context.parameters.require("name")
            guard let html = try DashboardPages(context: web.context, session: s).target(name) else {
                throw HTTPError(.notFound, message: "no target \(name)")
            }
            return WebResponse.html(html)
        }
        router.post("/targets/:name/run") { request, context -> Response in
            _ = try await requireCSRF(request, web)
            let name = try context.parameters.require("name")
            guard web.context.config.target(named: name) != nil else { throw HTTPError(.notFound, message: "no target \(name)") }
            // The check takes seconds: start it and come back to the page (it shows when done).
            let scheduler = web.context.scheduler
            Task { _ = try? await scheduler.runNow(name) }
            return WebResponse.seeOther("/?started=" + WebFormat.pathComponent(name))
        }
        router.get("/runs/:id/report") { request, context -> Response in
            _ = try await requireSession(request, web)
            let id = try context.parameters.require("id", as: Int64.self)
            guard let run = try web.context.history.run(id: id), let report = run.report else {
                throw HTTPError(.notFound, message: "no report for run \(id)")
            }
            // The same renderer as `mxray check --format html`.
            var r = WebResponse.html(ReportHTMLRenderer().render(report))
            r.headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"
            return r
        }
        router.get("/changes") { request, _ -> Response in
            let s = try await requireSession(request, web)
            return WebResponse.html(try DashboardPages(context: web.context, session: s).changes())
        }
        router.get("/alerts") { request, _ -> Response in
            let s = try await requireSession(request, web)
            return WebResponse.html(try DashboardPages(context: web.context, session: s).alerts(deliveryErrors: await web.alerts.deliveryErrors))
        }
        router.get("/static/app.js") { _, _ -> Response in
            var r = WebResponse.text(WebScript.appJS, contentType: "text/javascript; charset=utf-8")
            r.headers[.cacheControl] = "max-age=300"
            return r
        }
    }

    /// The login form with a fresh anti-CSRF token bound to a nonce cookie.
    static func loginPage(_ web: WebState, error: String?, status: HTTPResponse.Status) -> Response {
        let nonce = RandomToken.make(bytes: 16)
        var r = WebResponse.html(LoginPage.render(formToken: web.auth.loginForm.make(nonce: nonce), error: error), status: status)
        r.setCookie(Cookie(name: WebState.loginCookieName, value: nonce, maxAge: 900, path: "/", secure: true, httpOnly: true, sameSite: .strict))
        return r
    }

    static func requireSession(_ request: Request, _ web: WebState) async throws -> UISession {
        guard let s = await web.session(request) else { throw HTTPError(.unauthorized, message: "log in first") }
        return s
    }

    /// A form POST must carry the session's CSRF token (synchroniser token pattern).
    static func requireCSRF(_ request: Request, _ web: WebState) async throws -> UISession {
        let s = try await requireSession(request, web)
        let form = try await decodeForm(CSRFForm.self, request)
        guard let sent = form.csrf, ConstantTime.equal(Array(sent.utf8), Array(s.csrfToken.utf8)) else {
            throw HTTPError(.forbidden, message: "CSRF token missing or wrong; reload the page")
        }
        return s
    }

    static func decodeForm<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        let body = try await request.body.collect(upTo: 16 * 1024)
        let text = String(buffer: body)
        do { return try URLEncodedFormDecoder().decode(T.self, from: text) } catch {
            throw HTTPError(.badRequest, message: "malformed form")
        }
    }
}
